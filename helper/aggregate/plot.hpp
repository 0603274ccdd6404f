// The study's two figures, drawn by gnuplot: overall time against total
// interpreters, and the per-gaggle times of each mode over the whole data set;
// and, with import times, each module's import time against the gaggle size.
#pragma once
#include "result.hpp"
#include "model.hpp"

#include <string>
#include <vector>

namespace agg {

struct FigureOptions {
    std::string dir;                               // where the files go (created if missing)
    std::vector<std::string> formats{"png", "svg"};
    std::string gnuplot = "gnuplot";               // the program (looked up in PATH)
    size_t max_points = 4000;                      // scatter points per configuration (boxes use all)
    // Drawn in grey behind each figure for reference (e.g. the 2017 study's
    // configurations from read_study); empty: the figures as they always were.
    std::vector<ConfigData> background;
};

// The gnuplot script for one figure of one workload (modules, label and
// importtime, see workloads()), writing to `output`
// with terminal `format` (png or svg). `kind` is "overall" or "individual".
// `background` (FigureOptions::background) is drawn in grey behind: runs and
// median lines of each mode and gaggle size in the overall figure, each mode's
// boxes and median line in its panel of the individual one.
std::string figure_script(const Dataset &data, const std::string &modules, const std::string &label,
                          const std::string &kind, const std::string &format, const std::string &output,
                          size_t max_points, const std::vector<ConfigData> &background = {},
                          bool importtime = false, const std::string &language = "python");

// Writes overall_time_loglog.FORMAT and individual_time_loglog.FORMAT for each
// format into options.dir (with -A, -B, ... per workload when there are
// several), and import_time_loglog.FORMAT for a workload with import times
// (import_plot.hpp), each through a temporary name and a rename. Returns false with a
// one-line error when gnuplot is missing or fails; `written` lists the files.
pyimport::Result<void> write_figures(const Dataset &data, const FigureOptions &options,
                                     std::vector<std::string> &written);

} // namespace agg
