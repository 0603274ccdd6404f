#include "import_plot.hpp"

#include "gnuplot_util.hpp"
#include "imports_table.hpp"  // module_names
#include "stats.hpp"

#include <cmath>
#include <map>

namespace agg {

namespace {

// ColorBrewer Dark2: one colour per module (they repeat after eight).
const char *const kModuleColours[] = {"#1B9E77", "#D95F02", "#7570B3", "#E7298A",
                                      "#66A61E", "#E6AB02", "#A6761D", "#666666"};
const int kPoints[] = {7, 5, 9, 13, 11, 15};

} // namespace

std::string import_figure_script(const Dataset &data, const Workload &w, const std::string &format,
                                 const std::string &output) {
    if (!w.importtime) return "";
    // The largest node count with import times: there the gaggles compete most.
    int nodes = 0;
    for (const auto &c : data.configs)
        if (c.key.modules == w.modules && c.key.label == w.label && c.key.importtime && c.imports.interpreters)
            nodes = std::max(nodes, c.key.nodes);
    if (!nodes) return "";
    // (module index, mode) -> (gaggle size, median) in gaggle order (configurations are sorted so).
    std::map<std::pair<size_t, Mode>, std::vector<std::vector<double>>> series;
    std::vector<std::string> names;
    double lo = INFINITY, hi = -INFINITY, xlo = INFINITY, xhi = -INFINITY;
    for (const auto &c : data.configs) {
        if (c.key.modules != w.modules || c.key.label != w.label || !c.key.importtime || c.key.nodes != nodes) continue;
        names = module_names(c.key);
        for (size_t m = 0; m < c.imports.module_s.size() && m < names.size(); ++m) {
            const double v = median(c.imports.module_s[m]);
            if (!(v > 0)) continue;  // nothing to place on a log axis
            series[{m, c.key.mode}].push_back({double(c.key.gaggle), v});
            lo = std::min(lo, v), hi = std::max(hi, v);
            xlo = std::min(xlo, double(c.key.gaggle)), xhi = std::max(xhi, double(c.key.gaggle));
        }
    }
    if (series.empty()) return "";
    auto [ylo, yhi] = log_range(lo, hi, 1.25);
    auto [x0, x1] = log_range(xlo, xhi, 1.35);
    // noenhanced: module names (often with _) and the label are shown as they are.
    std::string s = terminal(format) + "set termoption noenhanced\nset output " + quoted(output) + "\n";
    s += "set title " +
         quoted("modules: " + w.modules + (w.label.empty() ? "" : "   label: " + w.label) + "   at " +
                std::to_string(nodes) + (nodes == 1 ? " node" : " nodes")) +
         " font ',11' textcolor rgb '#4D4D4D'\n";
    s += "set border 15 lw 1.2 lc rgb '#333333'\n"
         "set grid xtics ytics back lt 1 lw 1.5 lc rgb '#EBEBEB'\n"
         "set tics out scale 0.6 nomirror textcolor rgb '#4D4D4D'\n"
         "set xlabel 'Interpreters per node (gaggle size)' font ',18'\n"
         "set ylabel 'Import time [s], median' font ',18'\n"
         "set logscale xy\nset xtics format '%g'\nset ytics format '%g'\nset mxtics 10\nset mytics 10\n";
    s += "set xrange [" + num(x0) + ":" + num(x1) + "]\nset yrange [" + num(ylo) + ":" + num(yhi) + "]\n";
    s += log_tics("x", x0, x1) + log_tics("y", ylo, yhi);
    s += "set key outside right center Left reverse samplen 3 spacing 1.2 title 'module, mode' font ',14'\n";
    std::string plot = "plot ";
    size_t i = 0;
    for (const auto &[id, points] : series) {
        const auto [m, mode] = id;
        const std::string n = std::to_string(i++);
        datablock(s, "imports" + n, points);
        plot += "$imports" + n + " using 1:2 with linespoints lw 2.5 ps 1.3 pt " +
                std::to_string(kPoints[m % std::size(kPoints)]) + " dt " + (mode == Mode::conda ? "1" : "2") +
                " lc rgb '" + kModuleColours[m % std::size(kModuleColours)] + "' title " +
                quoted(names[m] + ", " + pyimport::mode_name(mode)) + ", \\\n  ";
    }
    plot.resize(plot.size() - 6);  // the last ", \\\n  "
    return s + plot + "\nunset output\n";
}

} // namespace agg
