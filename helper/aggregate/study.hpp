// The 2017 study's published raw data (overall_time.bcp, individual_time.bcp)
// as configurations, so its tables and figures can be redrawn and compared.
#pragma once
#include "filters.hpp"
#include "model.hpp"

#include <string>
#include <vector>

namespace agg {

// The study's imports (joined as join_modules does) and the label its configurations get.
std::string study_modules();
inline constexpr const char *kStudyLabel = "study-2017";

// Reads DIR/overall_time.bcp (one run per row) and DIR/individual_time.bcp
// (one node's gaggle per row): rows "py_conda|per_node|nodes|total|seconds".
// Runs become complete job steps without start time; no per-interpreter
// data exist. A bad row or missing file adds a problem; the filters apply
// (as to job id 0 with no start time). Returns the number of rows used.
size_t read_study(const std::string &dir, const Filters &filters, std::vector<ConfigData> &out,
                  std::vector<Problem> &problems);

} // namespace agg
