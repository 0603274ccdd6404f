// The import figure: each requested module's median import time (python -X
// importtime) against the gaggle size, drawn by gnuplot.
#pragma once
#include "key_columns.hpp"  // Workload
#include "model.hpp"

#include <string>

namespace agg {

// The gnuplot script of import_time_loglog for one workload, writing to
// `output` with terminal `format` (png or svg): one line per (module, mode)
// through the median cumulative import time at each gaggle size, at the
// largest node count with import times. Empty when the workload has none.
std::string import_figure_script(const Dataset &data, const Workload &workload, const std::string &format,
                                 const std::string &output);

} // namespace agg
