// The study's report: the records its steps wrote, checked against the
// manifest, through pyimport-aggregate's library (dataset, tables, the
// comparison, the figures with the 2017 study behind them), plus what makes
// the result interpretable; written as report.md and a self-contained
// report.html (report_doc.*).
#include "report.hpp"

#include "../aggregate/plot.hpp"
#include "../aggregate/run.hpp"
#include "../aggregate/stats.hpp"
#include "../aggregate/study.hpp"
#include "../aggregate/tables.hpp"
#include "atomic_file.hpp"
#include "parse_util.hpp"
#include "record.hpp"
#include "report_doc.hpp"
#include "sys_io.hpp"
#include "text_escape.hpp"

#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <map>
#include <set>
#include <sys/stat.h>
#include <tuple>

namespace study {

namespace {

using agg::Cell;
using agg::Table;

std::string plural(size_t n, const char *one, const char *many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string joined(const std::vector<std::string> &items, const char *sep) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
    return out;
}

std::string step_name(size_t i, const StepOutcome &s) {
    return "step " + std::to_string(i + 1) + " (" + s.mode + ", " + plural(size_t(std::max(s.nodes, 0)), "node", "nodes") +
           " x " + std::to_string(s.gaggle) + ", repeat " + std::to_string(s.repeat) + ")";
}

// A configuration of the manifest: mode, nodes, gaggle size.
using CellKey = std::tuple<std::string, int, int>;
std::string cell_name(const CellKey &k) {
    return std::get<0>(k) + ", " + plural(size_t(std::max(std::get<1>(k), 0)), "node", "nodes") + " x " +
           std::to_string(std::get<2>(k));
}

struct Accepted {
    std::string path;
    pyimport::Record record;
};

// The records of every step, checked against the manifest.
struct Reading {
    std::vector<Accepted> records;          // usable: they make the tables
    std::vector<std::string> disagreements; // records missing, unreadable or not the step's
    std::vector<std::string> failed_steps;  // one line each: which step, why
    std::vector<bool> step_ok;              // ran, exit 0, a matching record for each node
    size_t listed = 0;                      // record files the manifest names
};

Reading read_steps(const ReportInput &in) {
    Reading r;
    r.step_ok.assign(in.steps.size(), false);
    for (size_t i = 0; i < in.steps.size(); ++i) {
        const StepOutcome &step = in.steps[i];
        const std::string name = step_name(i, step);
        std::set<int> node_indexes;
        std::string job_step;  // cluster/job.step of its first usable record
        size_t usable = 0, disagreements = r.disagreements.size();
        for (const auto &path : step.records) {
            ++r.listed;
            auto record = pyimport::read_record_file(path, pyimport::RecordFileOptions{});
            if (!record) {
                r.disagreements.push_back(name + ": record " + path + " cannot be used: " + record.error());
                continue;
            }
            std::vector<std::string> why;
            const auto &run = record->run;
            if (run.mode != step.mode) why.push_back("mode " + run.mode + ", the step's is " + step.mode);
            if (record->job.node_count != step.nodes)
                why.push_back(plural(size_t(std::max(record->job.node_count, 0)), "node", "nodes") + ", the step has " +
                              std::to_string(step.nodes));
            if (run.gaggle_size != step.gaggle)
                why.push_back("gaggle of " + std::to_string(run.gaggle_size) + ", the step's is " +
                              std::to_string(step.gaggle));
            if (run.language != in.facts.language)
                why.push_back("lang " + run.language + ", the study's is " + in.facts.language);
            if (run.label != in.facts.label)
                why.push_back("label '" + run.label + "', the study's is '" + in.facts.label + "'");
            const std::string modules = pyimport::join_modules(run.modules);
            if (!in.facts.modules.empty() && modules != in.facts.modules)
                why.push_back("modules '" + modules + "', the study's are '" + in.facts.modules + "'");
            const std::string job = (record->job.cluster.empty() ? "" : record->job.cluster + "/") +
                                    std::to_string(record->job.job_id) + "." + std::to_string(record->job.step_id);
            if (why.empty() && !job_step.empty() && job != job_step)
                why.push_back("of job step " + job + ", the step's other records of " + job_step);
            if (why.empty() && !node_indexes.insert(record->job.node_index).second)
                why.push_back("a second record for node index " + std::to_string(record->job.node_index));
            if (!why.empty()) {
                r.disagreements.push_back(name + ": record " + path + " is not the step's: " + joined(why, "; "));
                continue;
            }
            if (job_step.empty()) job_step = job;
            ++usable;
            r.records.push_back({path, std::move(*record)});
        }
        const bool ran = step.exit_status != -1;
        const size_t nodes = size_t(std::max(step.nodes, 0));
        if (ran && step.records_complete && usable < nodes)
            r.disagreements.push_back(name + ": the manifest has its records complete, but only " +
                                      std::to_string(usable) + " of " + std::to_string(nodes) +
                                      " nodes have a usable record");
        std::vector<std::string> why;
        if (!ran) why.push_back("never ran");
        else if (step.exit_status != 0) why.push_back("srun exited with status " + std::to_string(step.exit_status));
        if (ran && !step.records_complete)
            why.push_back("records missing (" + std::to_string(usable) + " of " + std::to_string(nodes) +
                          " nodes have a usable one)");
        if (!why.empty()) r.failed_steps.push_back(name + ": " + joined(why, "; "));
        r.step_ok[i] = ran && step.exit_status == 0 && step.records_complete && usable == nodes &&
                       r.disagreements.size() == disagreements;
    }
    return r;
}

std::string now_utc() {
    time_t t = time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string or_unknown(const std::string &s) { return s.empty() ? "unknown" : s; }

Table key_value_table(std::string title, const std::vector<std::pair<std::string, std::string>> &rows) {
    Table t;
    t.id = "facts";
    t.title = std::move(title);
    t.columns = {{"fact", "fact"}, {"value", "value"}};
    for (const auto &[k, v] : rows) t.rows.push_back({Cell::of(k), Cell::of(v)});
    return t;
}

// The distinct values of one record field among a form's records: "v" when
// all agree, "v1 (3 records); v2 (1 record)" when not, "-" when none is set.
std::string distinct(const std::map<std::string, size_t> &values) {
    if (values.empty()) return "-";
    if (values.size() == 1) return values.begin()->first.empty() ? "-" : values.begin()->first;
    std::string out = "differs: ";
    bool first = true;
    for (const auto &[v, n] : values) {
        out += (first ? "" : "; ") + (v.empty() ? std::string("(none)") : v) + " (" + plural(n, "record", "records") + ")";
        first = false;
    }
    return out;
}

Table forms_table(const std::vector<Accepted> &records) {
    const char *const fields[] = {"environment digest", "file system", "runtime",     "mount driver",
                                  "environment",        "interpreter", "written by", "nodes (records)"};
    std::map<std::string, std::map<std::string, size_t>> values[2];  // per mode: field -> value -> records
    for (const auto &a : records) {
        const auto &r = a.record;
        auto &v = values[r.run.mode == "conda" ? 0 : 1];
        ++v["environment digest"][r.run.env_digest];
        ++v["file system"][r.run.fs_type];
        ++v["runtime"][r.run.runtime];
        ++v["mount driver"][r.run.mount_driver];
        ++v["environment"][r.run.mode == "conda" ? r.run.env_path : r.run.image];
        ++v["interpreter"][r.run.argv.empty() ? std::string() : r.run.argv.front()];
        ++v["written by"][r.writer.program + " " + r.writer.version];
    }
    std::set<std::string> nodes[2];
    for (const auto &a : records) nodes[a.record.run.mode == "conda" ? 0 : 1].insert(a.record.job.node);
    Table t;
    t.id = "forms";
    t.title = "Each form as its records describe it (values that differ between records are listed with their counts)";
    t.columns = {{"fact", "fact"}, {"conda", "conda"}, {"container", "container"}};
    for (const char *f : fields) {
        std::vector<Cell> row{Cell::of(f)};
        for (int m = 0; m < 2; ++m) {
            if (std::string(f) == "nodes (records)") {
                std::vector<std::string> list(nodes[m].begin(), nodes[m].end());
                row.push_back(Cell::of(list.empty() ? "-" : std::to_string(list.size()) + ": " + joined(list, ", ")));
            } else {
                auto it = values[m].find(f);
                row.push_back(Cell::of(it == values[m].end() ? "-" : distinct(it->second)));
            }
        }
        t.rows.push_back(std::move(row));
    }
    return t;
}

// Container against conda for each (nodes, gaggle) cell of the manifest, on
// the per-gaggle times (pyimport-aggregate's default comparison).
Table verdict_table(const agg::Dataset &data, const std::set<std::pair<int, int>> &cells, size_t &judged) {
    agg::ComparisonSettings settings;
    std::map<std::pair<int, int>, agg::Comparison> by_cell;
    for (auto &s : agg::compare_scales(data, agg::CompareOn::gaggle, settings))
        by_cell.emplace(std::make_pair(s.conda_key.nodes, s.conda_key.gaggle), s.result);
    std::set<std::tuple<int, int, int>> present;  // mode (0 conda), nodes, gaggle
    for (const auto &c : data.configs)
        if (!c.gaggle_s.empty()) present.insert({c.key.mode == agg::Mode::conda ? 0 : 1, c.key.nodes, c.key.gaggle});
    char level[64];
    std::snprintf(level, sizeof level, "%g%%", settings.confidence * 100);
    Table t;
    t.id = "verdicts";
    t.title = std::string("Container / conda per cell: ratio of the median per-gaggle times with its ") + level +
              " confidence interval (Price-Bonett), Mann-Whitney U (two-sided), and the verdict";
    t.columns = {{"nodes", "nodes"},         {"gaggle", "gaggle"},       {"interpreters", "interpreters"},
                 {"n_conda", "n conda"},     {"n_container", "n container"}, {"conda_median_s", "conda s"},
                 {"container_median_s", "container s"}, {"ratio", "ratio"}, {"low", "low"}, {"high", "high"},
                 {"p", "p"},                 {"verdict", "verdict"}};
    judged = 0;
    for (const auto &[nodes, gaggle] : cells) {
        std::vector<Cell> row{Cell::count(nodes), Cell::count(gaggle), Cell::count(double(nodes) * gaggle)};
        auto it = by_cell.find({nodes, gaggle});
        if (it == by_cell.end()) {
            bool conda = present.count({0, nodes, gaggle}), container = present.count({1, nodes, gaggle});
            for (int k = 0; k < 8; ++k) row.push_back(Cell::value(NAN, 3));
            row.push_back(Cell::of(conda || container ? std::string("no verdict: no ") + (conda ? "container" : "conda") + " data"
                                                      : "no verdict: no data"));
        } else {
            const agg::Comparison &c = it->second;
            judged += c.judged;
            row.push_back(Cell::count(double(c.n_conda)));
            row.push_back(Cell::count(double(c.n_container)));
            row.push_back(Cell::value(c.median_conda, 3));
            row.push_back(Cell::value(c.median_container, 3));
            row.push_back(Cell::value(c.ratio.valid ? c.ratio.ratio : NAN, 3));
            row.push_back(Cell::value(c.ratio.valid && c.judged ? c.ratio.low : NAN, 3));
            row.push_back(Cell::value(c.ratio.valid && c.judged ? c.ratio.high : NAN, 3));
            Cell p = Cell::value(c.judged ? c.test.p : NAN, 4);
            if (c.judged && c.test.p < 0.0001) p.text = "<0.0001";
            row.push_back(p);
            row.push_back(Cell::of(c.verdict));
        }
        t.rows.push_back(std::move(row));
    }
    char note[200];
    std::snprintf(note, sizeof note,
                  "samples: every node's gaggle of the steps used; a verdict needs %zu per form and p < %g; ratio < 1: "
                  "container faster",
                  settings.min_samples, settings.alpha);
    t.notes.push_back(note);
    return t;
}

// Each node's metadata_total per interpreter, median per form and cell. The
// counters are the host's mount's: where several "nodes" of a step share a
// host (a test cluster on one machine) each node's counters also saw the
// others' gaggles, so they are divided by all interpreters of the step on
// that host.
Table metadata_table(const std::vector<Accepted> &records, size_t &with_counters) {
    std::map<std::tuple<std::string, uint32_t, uint32_t, std::string>, int> nodes_on_host;  // (cluster, job, step, host)
    for (const auto &a : records)
        ++nodes_on_host[{a.record.job.cluster, a.record.job.job_id, a.record.job.step_id, a.record.writer.host}];
    std::map<std::pair<int, int>, std::array<std::vector<double>, 2>> cells;
    with_counters = 0;
    for (const auto &a : records) {
        const auto &r = a.record;
        auto it = r.fs_metadata_ops.find("metadata_total");
        if (it == r.fs_metadata_ops.end() || r.run.gaggle_size <= 0) continue;
        ++with_counters;
        const int sharing = nodes_on_host[{r.job.cluster, r.job.job_id, r.job.step_id, r.writer.host}];
        cells[{r.job.node_count, r.run.gaggle_size}][r.run.mode == "conda" ? 0 : 1].push_back(
            double(it->second) / (double(r.run.gaggle_size) * std::max(sharing, 1)));
    }
    Table t;
    t.id = "metadata";
    t.title = "File-system metadata operations per interpreter: each node's metadata_total (the shared file system's "
              "counters around its gaggle) / the interpreters of its step on its host, median over the nodes of all steps";
    t.columns = {{"nodes", "nodes"}, {"gaggle", "gaggle"}, {"n_conda", "records conda"},
                 {"conda", "conda ops"},  {"n_container", "records container"}, {"container", "container ops"},
                 {"ratio", "container / conda"}};
    for (const auto &[cell, v] : cells) {
        double m[2] = {agg::median(v[0]), agg::median(v[1])};
        t.rows.push_back({Cell::count(cell.first), Cell::count(cell.second), Cell::count(double(v[0].size())),
                          Cell::value(m[0], 1), Cell::count(double(v[1].size())), Cell::value(m[1], 1),
                          Cell::value(m[0] > 0 && !v[1].empty() ? m[1] / m[0] : NAN, 3)});
    }
    return t;
}

std::string base_name(const std::string &path) { return path.substr(path.rfind('/') + 1); }

std::string figure_workload(const std::string &name) {
    auto dash = name.find('-');
    return dash == std::string::npos ? "" : " (workload " + name.substr(dash + 1, name.rfind('.') - dash - 1) + ")";
}

std::string figure_title(const std::string &name) {
    return (name.rfind("overall", 0) == 0 ? "Overall time, log-log" : "Per-gaggle times, log-log") + figure_workload(name);
}

std::string figure_caption(const std::string &name, bool background) {
    const std::string workload = figure_workload(name);
    if (name.rfind("overall", 0) == 0)
        return "Overall time against the total number of concurrent interpreters, log-log" + workload +
               ": each point one job step (first release to last exit over all its nodes), lines through the medians; "
               "red conda, blue container, one point shape per gaggle size." +
               (background ? " Grey, behind: the 2017 study's published runs (open circles) and the lines through its "
                             "medians (solid conda, dashed container)."
                           : "");
    return "Per-gaggle times against the total number of concurrent interpreters, log-log" + workload +
           ", one panel per form: each node's gaggle (release to last exit) with boxes of quartiles and whiskers; "
           "light grey points: both forms together." +
           (background ? " Light-grey boxes and the dashed grey line: the 2017 study's per-node times of the "
                         "same form."
                       : "");
}

} // namespace

pyimport::Result<void> write_report(const ReportInput &in, const std::string &dir) {
    if (mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST)
        return pyimport::fail("cannot create " + dir + ": " + std::strerror(errno));
    Reading reading = read_steps(in);

    // The dataset and tables through pyimport-aggregate's library.
    agg::Dataset data;
    if (!reading.records.empty()) {
        agg::Options options;
        for (const auto &a : reading.records) options.paths.push_back(a.path);
        data = agg::collect(options);
    }
    agg::TableOptions table_options;
    // The comparison comes as the verdict table; the runs table says per step
    // how far apart its nodes released and how late any was.
    table_options.which = {true, true, true, false, true, agg::Show::if_present, agg::Show::if_present};
    std::vector<Table> tables = data.configs.empty() ? std::vector<Table>{} : agg::build_tables(data, table_options);

    // The figures, with the 2017 study's data behind them.
    agg::FigureOptions figure_options;
    figure_options.dir = dir + "/figures";
    std::vector<agg::Problem> reference_problems;
    size_t reference_rows = 0;
    if (!in.reference_dir.empty())
        reference_rows = agg::read_study(in.reference_dir, agg::Filters{}, figure_options.background, reference_problems);
    std::vector<std::string> written;
    std::string figure_error;
    if (!data.configs.empty())
        if (auto drawn = agg::write_figures(data, figure_options, written); !drawn) figure_error = drawn.error();

    std::set<CellKey> manifest_cells;
    std::set<std::pair<int, int>> scale_cells;
    for (const auto &s : in.steps) {
        manifest_cells.insert({s.mode, s.nodes, s.gaggle});
        scale_cells.insert({s.nodes, s.gaggle});
    }
    std::vector<std::string> unsuccessful_cells;
    for (const auto &cell : manifest_cells) {
        size_t steps = 0, ok = 0;
        for (size_t i = 0; i < in.steps.size(); ++i)
            if (CellKey{in.steps[i].mode, in.steps[i].nodes, in.steps[i].gaggle} == cell) ++steps, ok += reading.step_ok[i];
        if (ok == 0) unsuccessful_cells.push_back(cell_name(cell) + ": none of its " + plural(steps, "step", "steps") + " succeeded");
    }
    size_t succeeded = 0;
    for (bool ok : reading.step_ok) succeeded += ok;

    Document doc;
    const std::string language_title = in.facts.language == "r" ? "R" : in.facts.language == "perl" ? "Perl" : "Python";
    doc.title = language_title + " import scaling study" + (in.facts.label.empty() ? std::string() : ": " + in.facts.label);
    doc.paragraph(plural(in.steps.size(), "step", "steps") + " in the manifest: " + std::to_string(succeeded) +
                  " succeeded, " + std::to_string(in.steps.size() - succeeded) + " did not; " +
                  plural(reading.listed, "record file", "record files") + " listed, " +
                  std::to_string(reading.records.size()) + " used. Written " + now_utc() + ".");
    if (!reading.disagreements.empty())
        doc.warning("The records disagree with the manifest: " +
                    plural(reading.disagreements.size(), "problem", "problems") +
                    " (missing, unreadable or foreign records), listed under \"Records that disagree with the "
                    "manifest\". The tables use only the records that match their step.");
    if (!reading.failed_steps.empty())
        doc.warning(plural(reading.failed_steps.size(), "step", "steps") + " failed and " +
                    plural(unsuccessful_cells.size(), "cell has", "cells have") +
                    " no successful step: see \"Failed steps\".");

    doc.heading("Facts");
    std::string nodes = in.facts.nodes.empty() ? "unknown"
                                               : std::to_string(in.facts.nodes.size()) + ": " + joined(in.facts.nodes, ", ");
    std::set<std::string> clusters;
    for (const auto &a : reading.records) clusters.insert(a.record.job.cluster.empty() ? "(none)" : a.record.job.cluster);
    doc.table(key_value_table(
        "The study",
        {{"label", in.facts.label.empty() ? "-" : in.facts.label},
         {"language", in.facts.language},
         {"modules", or_unknown(in.facts.modules)},
         {"Slurm version", or_unknown(in.facts.slurm_version)},
         {"cluster (records)", clusters.empty() ? "-" : joined({clusters.begin(), clusters.end()}, ", ")},
         {"nodes (allocation)", nodes},
         {"started (UTC)", or_unknown(in.facts.started_utc)},
         {"finished (UTC)", or_unknown(in.facts.finished_utc)},
         {"order seed", std::to_string(in.facts.seed)},
         {"steps", std::to_string(in.steps.size()) + " (" + std::to_string(succeeded) + " succeeded)"},
         {"records", std::to_string(reading.listed) + " listed, " + std::to_string(reading.records.size()) + " used"},
         {"2017 reference data", in.reference_dir.empty() ? "none given"
                                                          : in.reference_dir + " (" + std::to_string(reference_rows) + " rows)"}}));
    doc.table(forms_table(reading.records));

    doc.heading("Container against conda");
    size_t judged = 0;
    doc.table(verdict_table(data, scale_cells, judged));

    doc.heading("Figures");
    const bool background = !figure_options.background.empty();
    if (!figure_error.empty()) doc.warning("The figures could not be drawn: " + figure_error);
    else if (data.configs.empty()) doc.paragraph("No record could be used: no figures.");
    for (const auto &path : written) {
        const std::string name = base_name(path);
        if (name.size() < 4 || name.compare(name.size() - 4, 4, ".png") != 0) continue;
        auto png = pyimport::read_regular_file(path, size_t(64) << 20, false);
        if (!png) {
            doc.warning("Figure " + name + " cannot be read back: " + png.error());
            continue;
        }
        doc.figure({"figures/" + name, figure_title(name), figure_caption(name, background), png->text});
    }

    doc.heading("Tables");
    if (tables.empty()) {
        doc.paragraph("No record could be used: no tables.");
    } else {
        Block b;
        b.kind = Block::Kind::aggregate_tables;
        b.tables = tables;
        b.data = &data;
        doc.blocks.push_back(std::move(b));
    }

    doc.heading("Metadata operations per interpreter");
    size_t with_counters = 0;
    Table metadata = metadata_table(reading.records, with_counters);
    if (with_counters == 0)
        doc.paragraph("No record holds file-system metadata counters (metadata_total): the file system of the "
                      "environment gave none where the steps ran.");
    else
        doc.table(std::move(metadata));

    doc.heading("Failed steps");
    if (reading.failed_steps.empty()) doc.paragraph("None: every step exited 0 with a record for each node.");
    else doc.list(reading.failed_steps);
    doc.heading("Cells with no successful step", 3);
    if (unsuccessful_cells.empty()) doc.paragraph("None.");
    else doc.list(unsuccessful_cells);

    doc.heading("Records that disagree with the manifest");
    if (reading.disagreements.empty()) doc.paragraph("None: every listed record was read and matches its step.");
    else doc.list(reading.disagreements);

    std::vector<std::string> problems;
    for (const auto &p : data.problems) problems.push_back(p.subject + ": " + p.message);
    for (const auto &p : reference_problems) problems.push_back("2017 reference data: " + p.subject + ": " + p.message);
    if (!problems.empty()) {
        doc.heading("Problems found while tabulating", 3);
        doc.list(problems);
    }

    using Existing = pyimport::PendingFile::Existing;
    if (auto wrote = pyimport::write_file_atomically(dir, "report.md", to_markdown(doc), Existing::replace); !wrote)
        return wrote;
    if (auto wrote = pyimport::write_file_atomically(dir, "report.html", to_html(doc), Existing::replace); !wrote)
        return wrote;
    if (!figure_error.empty())
        return pyimport::fail("report written without figures: " + pyimport::escape_text(figure_error, 500));
    return pyimport::ok();
}

} // namespace study
