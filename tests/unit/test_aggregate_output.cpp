// What pyimport-aggregate writes: the tables in each format, the comparison
// rows, the command line, and the gnuplot scripts of the figures.
#include "../../helper/aggregate/options.hpp"
#include "../../helper/aggregate/plot.hpp"
#include "../../helper/aggregate/render.hpp"
#include "../../helper/aggregate/run.hpp"
#include "../../helper/aggregate/tables.hpp"
#include "aggregate_fixtures.hpp"

#include <jansson.h>

using namespace agg;
using unit::contains;
using unit::NodeSpec;

namespace {

// Both modes at two scales, six repetitions each: enough for a verdict at
// 2 nodes; container twice as fast.
Dataset sample(const unit::TempDir &dir) {
    NodeSpec s;
    uint32_t job = 0;
    for (const char *mode : {"conda", "container"})
        for (int nodes : {1, 2})
            for (int rep = 0; rep < 6; ++rep) {
                s.job = ++job;
                s.mode = mode;
                double base = (std::string(mode) == "conda" ? 2.0 : 1.0) + 0.01 * rep;
                s.walls = {base, base + 0.1};
                s.release_s += 100;
                unit::write_run(dir, s, nodes, 0.0);
            }
    Options o;
    o.paths = {dir.path()};
    return collect(o);
}

// The sample's tables (`which`, default all but runs) rendered as `format`.
std::string rendered(Format format, TableChoice which = {}) {
    unit::TempDir dir;
    Dataset d = sample(dir);
    TableOptions o;
    o.which = which;
    return render(build_tables(d, o), format, d);
}

const TableChoice kOverallOnly{true, false, false, false, false};

const Table &table(const std::vector<Table> &tables, const std::string &id) {
    for (const auto &t : tables)
        if (t.id == id) return t;
    cr_assert_fail("no table %s", id.c_str());
    return tables.front();
}

std::string cell(const Table &t, size_t row, const std::string &key) {
    for (size_t c = 0; c < t.columns.size(); ++c)
        if (t.columns[c].key == key) return t.rows.at(row).at(c).text;
    cr_assert_fail("no column %s", key.c_str());
    return "";
}

} // namespace

Test(aggregate_output, tables_hold_the_figures) {
    unit::TempDir dir;
    Dataset d = sample(dir);
    TableOptions o;
    o.which.runs = true;
    auto tables = build_tables(d, o);
    const Table &overall = table(tables, "overall");
    cr_assert_eq(overall.rows.size(), 4u);
    unit::expect_eq(cell(overall, 0, "mode"), "conda", "first row");
    unit::expect_eq(cell(overall, 0, "runs"), "6", "repetitions");
    unit::expect_eq(cell(overall, 0, "median_s"), "2.126", "median overall");  // (2.12+2.13)/2 + 0.001
    unit::expect_eq(cell(overall, 0, "interpreters"), "2", "nodes x gaggle");
    const Table &interp = table(tables, "interpreters");
    unit::expect_eq(cell(interp, 0, "n"), "12", "interpreters");
    unit::expect_eq(cell(interp, 0, "max_rss_median_mib"), "10.0", "RSS in MiB");
    const Table &runs = table(tables, "runs");
    cr_assert_eq(runs.rows.size(), 24u);
}

Test(aggregate_output, comparison_per_scale) {
    unit::TempDir dir;
    Dataset d = sample(dir);
    auto scales = compare_scales(d, CompareOn::gaggle, {});
    cr_assert_eq(scales.size(), 2u);
    const Comparison &two = scales[1].result;  // 2 nodes: 12 gaggles per mode
    cr_assert_eq(scales[1].conda_key.nodes, 2);
    cr_assert(two.judged);
    cr_assert(two.ratio.ratio < 0.55 && two.ratio.ratio > 0.5, "ratio %f", two.ratio.ratio);
    unit::expect_message(two.verdict, {"container faster"});
    auto runs = compare_scales(d, CompareOn::run, {});
    cr_assert(runs[0].result.judged, "6 runs per mode are enough: %s", runs[0].result.verdict.c_str());
    ComparisonSettings strict;
    strict.min_samples = 7;
    unit::expect_message(compare_scales(d, CompareOn::run, strict)[0].result.verdict,
                         {"no verdict: too few runs (6 conda, 6 container; at least 7 each)"});
}

Test(aggregate_output, no_common_configuration_is_said) {
    unit::TempDir dir;
    unit::write_run(dir, NodeSpec{}, 1);
    Options o;
    o.paths = {dir.path()};
    auto tables = build_tables(collect(o), {});
    unit::expect_eq(table(tables, "compare").notes.front(), "nothing to compare: no configuration was run in both modes",
                    "note");
}

Test(aggregate_output, text_is_aligned) {
    std::string text = rendered(Format::text, kOverallOnly);
    cr_assert(contains(text, "36 record files: 36 used (24 job steps, 4 configurations, 72 interpreters); "
                             "0 bad files skipped\n"),
              "%s", text.c_str());
    // Every row of the table as wide as its header (right-aligned numbers).
    size_t header = text.find("mode ");
    size_t width = text.find('\n', header) - header;
    size_t row = text.find('\n', header) + 1;
    cr_assert_eq(text.find('\n', row) - row, width, "rows line up:\n%s", text.c_str());
    cr_assert(!contains(text, "modules"), "the module list is a machine column");
}

Test(aggregate_output, markdown) {
    std::string md = rendered(Format::markdown);
    cr_assert(contains(md, "| mode | nodes | gaggle | interpreters | runs |"), "%s", md.c_str());
    cr_assert(contains(md, "| --- | ---: | ---: |"), "%s", md.c_str());
    cr_assert(contains(md, "**Overall time:"), "%s", md.c_str());
}

Test(aggregate_output, csv_one_table_is_plain) {
    std::string csv = rendered(Format::csv, kOverallOnly);
    cr_assert(csv.rfind("modules,label,mode,nodes,gaggle,interpreters,runs,median_s,", 0) == 0, "%s", csv.c_str());
    cr_assert(contains(csv, "\njson,,conda,1,2,2,6,2.126,"), "%s", csv.c_str());
    cr_assert(!contains(csv, "#"), "no comments in a single table");
    std::string two = rendered(Format::csv, {true, false, false, true, false});
    cr_assert(contains(two, "\n# compare: Container / conda"), "%s", two.c_str());
}

Test(aggregate_output, csv_quotes_what_needs_it) {
    Table t{"x", "t", {{"a", "a"}, {"b", "b"}}, {{Cell::of("one, two"), Cell::of("say \"hi\"")}}, {}};
    Dataset d;
    unit::expect_eq(render({t}, Format::csv, d), "a,b\n\"one, two\",\"say \"\"hi\"\"\"\n", "csv");
}

Test(aggregate_output, json_document) {
    unit::TempDir dir;
    Dataset d = sample(dir);
    std::string text = render(build_tables(d, {}), Format::json, d);
    json_error_t err;
    json_t *root = json_loads(text.c_str(), 0, &err);
    cr_assert(root, "not JSON: %s", err.text);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(root, "totals"), "interpreters")), 72);
    json_t *overall = json_object_get(json_object_get(root, "tables"), "overall");
    json_t *row = json_array_get(json_object_get(overall, "rows"), 0);
    cr_assert(json_is_string(json_object_get(row, "mode")));
    cr_assert_eq(json_integer_value(json_object_get(row, "runs")), 6);
    cr_assert(std::fabs(json_real_value(json_object_get(row, "median_s")) - 2.126) < 1e-9);
    cr_assert(json_is_null(json_object_get(row, "sd_s")) == false);
    json_t *compare = json_object_get(json_object_get(root, "tables"), "compare");
    cr_assert(json_is_string(json_object_get(json_array_get(json_object_get(compare, "rows"), 1), "verdict")));
    json_decref(root);
}

Test(aggregate_output, options) {
    Options o;
    unit::expect_eq(parse_options({"-f", "csv", "--tables=overall,runs", "--job", "1,5-9", "--mode", "container",
                                   "--since", "2027-01-01", "--compare-on", "run", "--min-samples", "3", "--alpha",
                                   "0.01", "--figures", "/tmp/f", "--figure-formats", "svg", "--strict", "-q", "dir"},
                                  o),
                    "", "good options");
    cr_assert(o.format == Format::csv && o.tables.which.runs && !o.tables.which.compare);
    cr_assert(o.filters.jobs.contains(7) && !o.filters.jobs.contains(4) && *o.filters.mode == Mode::container);
    cr_assert(o.tables.compare_on == CompareOn::run && o.tables.settings.min_samples == 3);
    cr_assert(o.strict && o.quiet && o.paths == std::vector<std::string>{"dir"});
    cr_assert(o.figures.dir == "/tmp/f" && o.figures.formats == std::vector<std::string>{"svg"});
    const std::vector<std::pair<std::vector<std::string>, std::string>> bad = {
        {{}, "no PATH given"},
        {{"--format", "xml", "d"}, "--format 'xml': needs text, markdown, csv or json"},
        {{"--tables", "overall,plots", "d"}, "unknown table 'plots'"},
        {{"--job", "x", "d"}, "--job 'x': needs numbers or ranges"},
        {{"--alpha", "1.5", "d"}, "--alpha '1.5': needs a number between 0 and 1"},
        {{"--since", "yesterday", "d"}, "--since 'yesterday'"},
        {{"--since", "2027-02-01", "--until", "2027-01-01", "d"}, "--since is after --until"},
        {{"--bogus", "d"}, "unknown option '--bogus'"},
        {{"d", "--output"}, "--output needs a value"},
        {{"--figure-formats", "pdf", "d"}, "needs png, svg or png,svg"},
    };
    for (const auto &[args, message] : bad) {
        Options x;
        unit::expect_message(parse_options(args, x), {message});
    }
    Options h;
    unit::expect_eq(parse_options({"--help"}, h), "", "--help alone");
    cr_assert(h.help);
}

Test(aggregate_output, figure_scripts) {
    unit::TempDir dir;
    Dataset d = sample(dir);
    std::string overall = figure_script(d, "json", "", "overall", "png", "/tmp/o.png", 100);
    for (const char *part : {"set terminal pngcairo", "set output '/tmp/o.png'", "set logscale xy",
                             "Total number of concurrent interpreters", "Total time [s]", "'conda, 2'",
                             "'container, 2'", "#E41A1C", "#377EB8"})
        cr_assert(contains(overall, part), "overall script lacks %s", part);
    std::string individual = figure_script(d, "json", "", "individual", "svg", "/tmp/i.svg", 100);
    for (const char *part : {"set terminal svg", "set multiplot", "candlesticks", "'conda' at graph",
                             "'container' at graph", "$all using", "#C8BEBEBE"})
        cr_assert(contains(individual, part), "individual script lacks %s", part);
    cr_assert(figure_script(d, "numpy", "", "overall", "png", "/tmp/x.png", 100).empty(), "no such workload");
}

Test(aggregate_output, figures_are_drawn_or_fail_in_one_line) {
    unit::TempDir dir, out;
    Dataset d = sample(dir);
    FigureOptions f;
    f.dir = out.path();
    std::vector<std::string> written;
    std::string error;
    if (access("/usr/bin/gnuplot", X_OK) == 0) {
        cr_assert(write_figures(d, f, written, error), "%s", error.c_str());
        cr_assert_eq(written.size(), 4u);
        unit::expect_eq(unit::read_text(out.file("overall_time_loglog.png")).substr(1, 3), "PNG", "PNG magic");
        cr_assert(contains(unit::read_text(out.file("individual_time_loglog.svg")), "<svg"), "SVG");
        unit::expect_eq(unit::join(out.entries(), " "),
                        "individual_time_loglog.png individual_time_loglog.svg overall_time_loglog.png "
                        "overall_time_loglog.svg",
                        "no temporaries left");
    }
    f.gnuplot = "/nonexistent/gnuplot";
    written.clear();
    cr_assert(!write_figures(d, f, written, error));
    unit::expect_message(error, {"cannot run /nonexistent/gnuplot", "install gnuplot-nox"});
}
