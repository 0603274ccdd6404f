#include "imports_table.hpp"

#include "parse_util.hpp"
#include "render.hpp"
#include "stats.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

namespace agg {

namespace {

// How far a median may move and still count as not moved: -X importtime's
// own noise between gaggles is of that order.
constexpr double kStill = 0.1;
constexpr size_t kSlowestShown = 5;


// "scipy (conda, 4 nodes): 0.300 s at 1 per node to 4.000 s at 16 per node (13.3x)".
std::string growth_line(const std::string &tag, const std::string &module, const ConfigKey &small, double from,
                        const ConfigKey &large, double to) {
    std::string line = (tag.empty() ? "" : tag + ": ") + module + " (" + pyimport::mode_name(small.mode) + ", " +
                       std::to_string(small.nodes) + (small.nodes == 1 ? " node" : " nodes") + "): ";
    const std::string at_small = seconds_text(from) + " at " + std::to_string(small.gaggle) + " per node";
    const std::string at_large = seconds_text(to) + " at " + std::to_string(large.gaggle) + " per node";
    const double ratio = from > 0 ? to / from : to > 0 ? INFINITY : 1;
    if (std::fabs(ratio - 1) <= kStill) return line + "did not move (" + at_small + ", " + at_large + ")";
    line += at_small + " to " + at_large;
    if (std::isfinite(ratio)) {
        char text[32];
        std::snprintf(text, sizeof text, " (%.1fx)", ratio);
        line += text;
    }
    return line;
}

void growth_notes(const Dataset &data, const KeyColumns &keys, std::vector<std::string> &notes) {
    // Configurations sort by workload, importtime, nodes, gaggle, mode: collect
    // each (workload, mode, nodes) series, gaggle sizes ascending.
    std::map<std::tuple<std::string, std::string, std::string, int, Mode>, std::vector<const ConfigData *>> series;
    for (const auto &c : data.configs)
        if (c.imports.interpreters)
            series[{c.key.modules, c.key.label, keys.tag(c.key), c.key.nodes, c.key.mode}].push_back(&c);
    for (const auto &[id, list] : series) {
        const ConfigData &small = *list.front(), &large = *list.back();
        if (small.key.gaggle == large.key.gaggle) continue;
        const auto names = module_names(small.key);
        for (size_t m = 0; m < names.size(); ++m) {
            if (m >= small.imports.module_s.size() || m >= large.imports.module_s.size()) break;
            const auto &a = small.imports.module_s[m], &b = large.imports.module_s[m];
            if (a.empty() || b.empty()) continue;
            notes.push_back(growth_line(std::get<2>(id), names[m], small.key, median(a), large.key, median(b)));
        }
    }
}

// "most often among an interpreter's 5 slowest by self time (of 96): numpy 96, ...".
void slowest_notes(const Dataset &data, const KeyColumns &keys, std::vector<std::string> &notes) {
    std::map<std::tuple<std::string, std::string, std::string>, ImportFigures> per_workload;
    for (const auto &c : data.configs)
        if (c.imports.interpreters) per_workload[{c.key.modules, c.key.label, keys.tag(c.key)}].merge(c.imports);
    for (const auto &[id, figures] : per_workload) {
        std::vector<std::pair<size_t, std::string>> counts;
        for (const auto &[module, n] : figures.slowest) counts.push_back({n, module});
        if (counts.empty()) continue;
        std::stable_sort(counts.begin(), counts.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
        counts.resize(std::min(counts.size(), kSlowestShown));
        const std::string &tag = std::get<2>(id);
        std::string line = (tag.empty() ? "" : tag + ": ") + "most often among an interpreter's slowest modules by "
                           "self time (of " + std::to_string(figures.interpreters) + " interpreters): ";
        for (size_t i = 0; i < counts.size(); ++i)
            line += (i ? ", " : "") + counts[i].second + " " + std::to_string(counts[i].first);
        notes.push_back(line);
    }
}

} // namespace

std::vector<std::string> module_names(const ConfigKey &key) { return pyimport::split(key.modules, ' '); }

Table imports_table(const Dataset &data, const KeyColumns &keys) {
    Table t{"imports",
            "Import times (python -X importtime): each requested module's cumulative import time, the module and "
            "all it imported, median over succeeded interpreters, in seconds",
            {}, {}, {}};
    keys.columns(t);
    t.columns.insert(t.columns.end(), {{"module", "module"}, {"n", "n"}, {"median_s", "median"}});
    for (const auto &c : data.configs) {
        if (!c.imports.interpreters) continue;
        const auto names = module_names(c.key);
        for (size_t m = 0; m < names.size(); ++m) {
            const std::vector<double> none;
            const auto &times = m < c.imports.module_s.size() ? c.imports.module_s[m] : none;
            auto row = keys.cells(c.key);
            row.push_back(Cell::of(names[m]));
            row.push_back(Cell::count(double(times.size())));
            row.push_back(Cell::value(median(times), kSecondsDigits));
            t.rows.push_back(std::move(row));
        }
    }
    if (t.rows.empty()) {
        t.notes.push_back("no record has import times: run with importtime=on (python -X importtime)");
        return t;
    }
    t.notes.push_back("n: succeeded interpreters whose import times name the module; runs with and without "
                      "importtime are separate configurations");
    growth_notes(data, keys, t.notes);
    slowest_notes(data, keys, t.notes);
    return t;
}

} // namespace agg
