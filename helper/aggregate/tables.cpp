#include "tables.hpp"

#include "cgroup_table.hpp"
#include "imports_table.hpp"
#include "key_columns.hpp"
#include "render.hpp"
#include "stats.hpp"

#include <cstdio>
#include <ctime>
#include <map>

namespace agg {

const char *compare_on_name(CompareOn on) {
    return on == CompareOn::gaggle ? "gaggle" : on == CompareOn::interpreter ? "interpreter" : "run";
}

namespace {

// n, median, mean, sd, min, [p95,] max columns and cells.
void summary_columns(Table &t, const char *n_name, bool p95) {
    t.columns.push_back({n_name, n_name});
    for (const char *name : {"median", "mean", "sd", "min", "p95", "max"})
        if (p95 || std::string(name) != "p95") t.columns.push_back({std::string(name) + "_s", name});
}
void summary_cells(std::vector<Cell> &row, const Summary &s, bool p95) {
    row.push_back(Cell::count(double(s.n)));
    for (double v : {s.median, s.mean, s.sd, s.min}) row.push_back(Cell::value(v, kSecondsDigits));
    if (p95) row.push_back(Cell::value(s.p95, kSecondsDigits));
    row.push_back(Cell::value(s.max, kSecondsDigits));
}

Table workload_table(const Dataset &data) {
    // importtime only when some runs used it and some did not: they are kept apart.
    const bool importtime = importtime_varies(data);
    Table t{"workloads",
            importtime ? "Workloads: the module list, label and importtime (python -X importtime) of each tag in the "
                         "tables below"
                       : "Workloads: the module list and label of each tag in the tables below",
            {}, {}, {}};
    const bool language = languages_shown(data);
    t.columns = {{"workload", "workload"}};
    if (language) t.columns.push_back({"language", "lang"});
    t.columns.insert(t.columns.end(), {{"modules", "modules"}, {"label", "label"}});
    if (importtime) t.columns.push_back({"importtime", "importtime"});
    for (const auto &w : workloads(data)) {
        t.rows.push_back({Cell::of(w.tag)});
        if (language) t.rows.back().push_back(Cell::of(w.language));
        t.rows.back().insert(t.rows.back().end(), {Cell::of(w.modules), Cell::of(w.label.empty() ? "-" : w.label)});
        if (importtime) t.rows.back().push_back(Cell::of(w.importtime ? "on" : "off"));
    }
    t.audience = Audience::human;  // CSV and JSON rows carry the module list and label themselves
    return t;
}


// One line each for what weakens an overall time: job steps without a common
// instant, nodes that were late for it, clocks that may disagree.
void release_notes(const Dataset &data, std::vector<std::string> &notes) {
    size_t unsynchronised = 0, late = 0, unsure_clocks = 0;
    int64_t latest = 0, worst_error = 0;
    std::string latest_run, worst_run;
    for (const auto &c : data.configs)
        for (const auto &r : c.runs) {
            if (!r.complete) continue;
            unsynchronised += !r.synchronised && r.nodes_found > 1;
            if (r.late_nodes && r.latest_ns >= latest) latest = r.latest_ns, latest_run = r.id;
            late += r.late_nodes > 0;
            if (r.unsynchronised_clocks && r.clock_error_ns >= worst_error) worst_error = r.clock_error_ns, worst_run = r.id;
            unsure_clocks += r.unsynchronised_clocks > 0;
        }
    if (unsynchronised)
        notes.push_back(std::to_string(unsynchronised) + " job step(s) of several nodes had no common release instant "
                        "(sync=off, a refused instant, or version 1 records): their overall time includes the launch skew");
    if (late)
        notes.push_back("late: in " + std::to_string(late) + " job step(s) a node was ready only after the common "
                        "instant and released at once, the latest " + seconds_text(double(latest) / 1e9) + " after it (" + latest_run +
                        "): a larger sync_margin_ms suits these nodes");
    if (unsure_clocks)
        notes.push_back("clocks: " + std::to_string(unsure_clocks) + " job step(s) ran on nodes whose kernel says no "
                        "time daemon keeps the clock synchronised; their nodes' times may disagree by up to " +
                        seconds_text(double(worst_error) / 1e9) + " (" + worst_run + ")");
}

Table overall_table(const Dataset &data, const KeyColumns &keys) {
    Table t{"overall",
            "Overall time: the step's common release instant (the first release without one) to the last exit over "
            "all nodes, in seconds; runs = repetitions",
            {}, {}, {}};
    keys.columns(t);
    summary_columns(t, "runs", false);
    t.columns.push_back({"failed", "failed"});
    t.columns.push_back({"incomplete", "incomplete"});
    for (const auto &c : data.configs) {
        auto row = keys.cells(c.key);
        summary_cells(row, summary_of(c.overall_s()), false);
        size_t failed = 0;
        for (const auto &r : c.runs)
            if (r.complete) failed += r.failed;
        row.push_back(Cell::count(double(failed)));
        row.push_back(Cell::count(double(c.runs.size() - c.complete_runs())));
        t.rows.push_back(std::move(row));
    }
    t.notes.push_back("failed: interpreters that did not exit 0 in those runs; incomplete: job steps missing node "
                      "records, left out here");
    release_notes(data, t.notes);
    return t;
}

Table interpreter_table(const Dataset &data, const KeyColumns &keys) {
    Table t{"interpreters",
            "Per interpreter: wall time from the release to its exit, in seconds (succeeded interpreters); user, "
            "system time and max RSS medians",
            {}, {}, {}};
    keys.columns(t);
    summary_columns(t, "n", true);
    t.columns.push_back({"failed", "failed"});
    t.columns.push_back({"user_median_s", "user"});
    t.columns.push_back({"system_median_s", "system"});
    t.columns.push_back({"max_rss_median_mib", "RSS MiB"});
    size_t without = 0;
    for (const auto &c : data.configs) {
        if (c.interpreters == 0) {
            ++without;
            continue;
        }
        auto row = keys.cells(c.key);
        summary_cells(row, summary_of(c.interpreter_s), true);
        row.push_back(Cell::count(double(c.failed)));
        row.push_back(Cell::value(median(c.user_s), kSecondsDigits));
        row.push_back(Cell::value(median(c.system_s), kSecondsDigits));
        row.push_back(Cell::value(median(c.rss_mib), 1));
        t.rows.push_back(std::move(row));
    }
    if (without)
        t.notes.push_back(std::to_string(without) + " configuration(s) without per-interpreter figures (the 2017 "
                                                      "study recorded none) not listed");
    return t;
}

Table gaggle_table(const Dataset &data, const KeyColumns &keys) {
    Table t{"gaggles", "Per gaggle: each node's gaggle, release to last exit, in seconds", {}, {}, {}};
    keys.columns(t);
    summary_columns(t, "n", true);
    for (const auto &c : data.configs) {
        if (c.gaggle_s.empty()) continue;  // the study's overall-only rows
        auto row = keys.cells(c.key);
        summary_cells(row, summary_of(c.gaggle_s), true);
        t.rows.push_back(std::move(row));
    }
    return t;
}

const std::vector<double> &samples(const ConfigData &c, CompareOn on, std::vector<double> &runs) {
    if (on == CompareOn::gaggle) return c.gaggle_s;
    if (on == CompareOn::interpreter) return c.interpreter_s;
    runs = c.overall_s();
    return runs;
}

const char *sample_name(CompareOn on) {
    return on == CompareOn::gaggle ? "gaggles" : on == CompareOn::interpreter ? "interpreters" : "runs";
}

Cell p_cell(double p) {
    Cell c = Cell::value(p, 4);
    if (p < 0.0001) c.text = "<0.0001";
    return c;
}

Table compare_table(const Dataset &data, const KeyColumns &keys, const TableOptions &o) {
    const std::string what = o.compare_on == CompareOn::gaggle        ? "per-gaggle times"
                             : o.compare_on == CompareOn::interpreter ? "per-interpreter times"
                                                                      : "overall times of the runs";
    char level[64];
    std::snprintf(level, sizeof level, "%g%% confidence interval", o.settings.confidence * 100);
    Table t{"compare",
            "Container / conda: ratio of the medians of " + what + ", " + level +
                " (Price-Bonett); Mann-Whitney U, two-sided",
            {}, {}, {}};
    keys.columns(t);
    std::string n = sample_name(o.compare_on);
    t.columns.insert(t.columns.end(), {{"n_conda", "n conda"},
                                        {"n_container", "n container"},
                                        {"conda_median_s", "conda"},
                                        {"container_median_s", "container"},
                                        {"ratio", "ratio"},
                                        {"ratio_low", "low"},
                                        {"ratio_high", "high"},
                                        {"p", "p"},
                                        {"verdict", "verdict"}});
    for (const auto &s : compare_scales(data, o.compare_on, o.settings)) {
        auto row = keys.cells(s.conda_key);
        const Comparison &c = s.result;
        row.push_back(Cell::count(double(c.n_conda)));
        row.push_back(Cell::count(double(c.n_container)));
        row.push_back(Cell::value(c.median_conda, kSecondsDigits));
        row.push_back(Cell::value(c.median_container, kSecondsDigits));
        bool ratio = c.ratio.valid;
        row.push_back(Cell::value(ratio ? c.ratio.ratio : NAN, 3));
        row.push_back(Cell::value(ratio && c.judged ? c.ratio.low : NAN, 3));
        row.push_back(Cell::value(ratio && c.judged ? c.ratio.high : NAN, 3));
        row.push_back(c.judged ? p_cell(c.test.p) : Cell::value(NAN, 4));
        row.push_back(Cell::of(c.verdict));
        t.rows.push_back(std::move(row));
    }
    if (t.rows.empty()) t.notes.push_back("nothing to compare: no configuration was run in both modes");
    char line[200];
    std::snprintf(line, sizeof line,
                  "samples: %s; a verdict needs %zu per mode and p < %g; ratio < 1: container faster",
                  n.c_str(), o.settings.min_samples, o.settings.alpha);
    t.notes.push_back(line);
    return t;
}

std::string utc(int64_t ns) {
    time_t s = time_t(ns / 1'000'000'000);
    std::tm tm{};
    gmtime_r(&s, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

Table runs_table(const Dataset &data, const KeyColumns &keys) {
    Table t{"runs",
            "Job steps: one row each, overall time in seconds; how far apart the nodes released, how many were late "
            "for the common instant and the latest, how far their clocks may disagree",
            {}, {}, {}};
    t.columns.push_back({"run", "job step"});
    t.columns.push_back({"start", "start (UTC)"});
    keys.columns(t);
    t.columns.insert(t.columns.end(), {{"nodes_found", "records"},
                                        {"overall_s", "overall"},
                                        {"failed", "failed"},
                                        {"sync", "sync"},
                                        {"release_spread_ms", "release spread ms"},
                                        {"late_nodes", "late"},
                                        {"latest_ms", "latest ms"},
                                        {"clock_error_ms", "clock error ms"},
                                        {"file", "first file", Audience::machine}});
    for (const auto &c : data.configs)
        for (const auto &r : c.runs) {
            std::vector<Cell> row{Cell::of(r.id), Cell::of(r.start_ns ? utc(r.start_ns) : "-")};
            for (auto &cell : keys.cells(c.key)) row.push_back(std::move(cell));
            row.push_back(Cell::count(r.nodes_found));
            row.push_back(Cell::value(r.complete ? r.overall_s() : NAN, kSecondsDigits));
            row.push_back(Cell::count(double(r.failed)));
            row.push_back(Cell::of(r.synchronised ? "on" : "off"));
            row.push_back(Cell::value(double(r.release_spread_ns) / 1e6, 3));
            row.push_back(Cell::count(r.late_nodes));
            row.push_back(Cell::value(r.late_nodes ? double(r.latest_ns) / 1e6 : NAN, 3));
            row.push_back(Cell::value(r.clock_error_ns < 0 ? NAN : double(r.clock_error_ns) / 1e6, 3));
            row.push_back(Cell::of(r.first_file));
            t.rows.push_back(std::move(row));
        }
    return t;
}

} // namespace

std::vector<ScaleComparison> compare_scales(const Dataset &data, CompareOn on, const ComparisonSettings &settings) {
    std::vector<ScaleComparison> out;
    std::map<ConfigKey, const ConfigData *> container;
    for (const auto &c : data.configs)
        if (c.key.mode == Mode::container) container[c.key] = &c;
    for (const auto &c : data.configs) {
        if (c.key.mode != Mode::conda) continue;
        ConfigKey other = c.key;
        other.mode = Mode::container;
        auto it = container.find(other);
        if (it == container.end()) continue;
        std::vector<double> a, b;
        out.push_back({c.key, compare_modes(samples(c, on, a), samples(*it->second, on, b), settings, sample_name(on))});
    }
    return out;
}

namespace {

bool chosen(Show show, bool present) { return show == Show::yes || (show == Show::if_present && present); }

bool any_import_times(const Dataset &data) {
    for (const auto &c : data.configs)
        if (c.imports.interpreters) return true;
    return false;
}

bool any_cgroup_used(const Dataset &data) {
    for (const auto &c : data.configs)
        if (c.cgroup.used) return true;
    return false;
}

} // namespace

std::vector<Table> build_tables(const Dataset &data, const TableOptions &options) {
    std::vector<Table> out;
    KeyColumns with_mode(data, true), without_mode(data, false);
    if (workloads(data).size() > 1) out.push_back(workload_table(data));
    if (options.which.overall) out.push_back(overall_table(data, with_mode));
    if (options.which.interpreters) out.push_back(interpreter_table(data, with_mode));
    if (options.which.gaggles) out.push_back(gaggle_table(data, with_mode));
    if (options.which.compare) out.push_back(compare_table(data, without_mode, options));
    if (chosen(options.which.imports, any_import_times(data))) out.push_back(imports_table(data, with_mode));
    if (chosen(options.which.cgroup, any_cgroup_used(data))) out.push_back(cgroup_table(data, with_mode));
    if (options.which.runs) out.push_back(runs_table(data, with_mode));
    return out;
}

} // namespace agg
