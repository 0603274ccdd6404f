// The end of a study: the report (study::write_report) from a manifest, and
// where the 2017 reference data is.
#pragma once
#include "manifest.hpp"
#include "report.hpp"

#include <string>

namespace study {

// $PREFIX/share/pyimport-bench/study-2017 beside an installed binary, or the
// source tree's data/study-2017 when run from a build directory; "" when
// neither holds overall_time.bcp.
std::string reference_dir();

// What write_report needs, from the manifest (and the study's directory).
ReportInput report_input(const Manifest &manifest, const std::string &dir);

} // namespace study
