// What pyimport-aggregate writes: the tables in each format, the comparison
// rows, the command line, and the gnuplot scripts of the figures.
#include "../../helper/aggregate/options.hpp"
#include "../../helper/aggregate/plot.hpp"
#include "../../helper/aggregate/render.hpp"
#include "../../helper/aggregate/run.hpp"
#include "../../helper/aggregate/tables.hpp"
#include "aggregate_fixtures.hpp"
#include "text_escape.hpp"

#include <jansson.h>
#include <sys/stat.h>

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

// The id is a plain pointer: a std::string temporary bound to a reference
// parameter makes g++ 13 and later warn that the returned reference may dangle.
const Table &table(const std::vector<Table> &tables, const char *id) {
    for (const auto &t : tables)
        if (t.id == id) return t;
    cr_assert_fail("no table %s", id);
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
    unit::expect_eq(unit::error_of(parse_options({"-f", "csv", "--tables=overall,runs", "--job", "1,5-9", "--mode",
                                                  "container", "--since", "2027-01-01", "--compare-on", "run",
                                                  "--min-samples", "3", "--alpha", "0.01", "--figures", "/tmp/f",
                                                  "--figure-formats", "svg", "--strict", "-q", "dir"},
                                                 o)),
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
        unit::expect_message(unit::error_of(parse_options(args, x)), {message});
    }
    Options h;
    unit::expect_eq(unit::error_of(parse_options({"--help"}, h)), "", "--help alone");
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
        auto drawn = write_figures(d, f, written);
        error = unit::error_of(drawn);
        cr_assert(bool(drawn), "%s", error.c_str());
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
    auto drawn = write_figures(d, f, written);
    error = unit::error_of(drawn);
    cr_assert(!bool(drawn));
    unit::expect_message(error, {"cannot run /nonexistent/gnuplot", "install gnuplot-nox"});
}

// --- text from record files is never interpreted ---------------------------
// Anyone may drop a record into the directory, and pyimport-aggregate often
// runs as root: whatever a module list, label or file name holds, no format
// lets it act (a gnuplot command, a spreadsheet formula, Markdown or HTML, a
// terminal escape sequence, a forged line). The record readers reject control
// characters too; these tests feed the outputs directly.
namespace {

// Counts what ends a line of a script or a table: newline bytes.
size_t lines(const std::string &text) { return size_t(std::count(text.begin(), text.end(), '\n')); }

// No byte a terminal acts on: C0 controls but the newline, DEL, C1 controls, invalid UTF-8.
// What pyimport-aggregate prints on stderr for the records in `dir` (tables to /dev/null).
std::string stderr_of_run(const std::string &dir, int &status) {
    Options o;
    o.paths = {dir};
    char *buf = nullptr;
    size_t size = 0;
    std::FILE *err = open_memstream(&buf, &size);
    std::FILE *out = std::fopen("/dev/null", "w");
    status = run(o, out, err);
    std::fclose(out);
    std::fclose(err);
    std::string text(buf, size);
    free(buf);
    return text;
}

bool terminal_safe(const std::string &text) {
    for (size_t start = 0; start < text.size();) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        if (!pyimport::is_clean_text(std::string_view(text).substr(start, end - start))) return false;
        start = end + 1;
    }
    return true;
}

// Both modes at 1 and 4 nodes, gaggles of 2, three complete runs each, all
// with the given workload: built in memory, so any text reaches the outputs.
Dataset workload_dataset(const std::string &modules, const std::string &label) {
    Dataset d;
    for (Mode mode : {Mode::conda, Mode::container})
        for (int nodes : {1, 4}) {
            ConfigData c;
            c.key = ConfigKey{mode, nodes, 2, modules, label};
            for (int rep = 0; rep < 3; ++rep) {
                RunSummary r;
                r.id = std::to_string(c.runs.size() + 1) + ".0";
                r.first_file = "f" + r.id;
                r.start_ns = int64_t(rep) * 100'000'000'000;
                r.end_ns = r.start_ns + int64_t((mode == Mode::conda ? 2.0 : 1.0) * nodes * (1 + 0.1 * rep) * 1e9);
                r.nodes_found = nodes;
                c.runs.push_back(r);
                for (int g = 0; g < nodes; ++g) c.gaggle_s.push_back(r.overall_s() * (0.9 + 0.02 * g));
            }
            d.configs.push_back(std::move(c));
        }
    std::sort(d.configs.begin(), d.configs.end(), [](const auto &a, const auto &b) { return a.key < b.key; });
    return d;
}

// A module list and a label that try every way out of a gnuplot string:
// newlines with commands after them (shell escape, system(), set output),
// closing quotes of both kinds, backquote substitution, @macros, enhanced-text
// markup, CR and an escape sequence. Each command would create a MARKER file
// in gnuplot's directory or in `dir`.
std::string hostile_modules(const std::string &dir) {
    return "json\n!touch MARKER1\nsystem('touch " + dir + "/MARKER2')\nset output '" + dir + "/MARKER3'\nplot x\n";
}
std::string hostile_label(const std::string &dir) {
    return "x' . system('touch " + dir + "/MARKER4') . '`touch " + dir + "/MARKER5`\" . system(\"touch " + dir +
           "/MARKER6\") . \"`touch MARKER7`@m ^{up}_{down}&{b}~c{/Symbol a}\r\x1b[2J\\";
}

} // namespace

Test(aggregate_output, gnuplot_scripts_keep_record_text_inside_one_string) {
    unit::TempDir marks;
    const std::string modules = hostile_modules(marks.path()), label = hostile_label(marks.path());
    const Dataset hostile = workload_dataset(modules, label), plain = workload_dataset("json", "x");
    for (const char *kind : {"overall", "individual"})
        for (const char *format : {"png", "svg"}) {
            std::string script = figure_script(hostile, modules, label, kind, format, "out.png", 100);
            std::string reference = figure_script(plain, "json", "x", kind, format, "out.png", 100);
            cr_assert(!script.empty());
            cr_assert_eq(lines(script), lines(reference), "%s %s: %zu lines, %zu without the hostile text:\n%s", kind,
                         format, lines(script), lines(reference), script.c_str());
            cr_assert(terminal_safe(script),
                      "a control byte in the script:\n%s", script.c_str());
            // The one line with the record's text: one string, shown as it is (noenhanced).
            const std::string text =
                "'modules: json\\x0a!touch MARKER1\\x0asystem(''touch " + marks.path() + "/MARKER2'')\\x0aset output ''" +
                marks.path() + "/MARKER3''\\x0aplot x\\x0a   label: x'' . system(''touch " + marks.path() +
                "/MARKER4'') . ''`touch " + marks.path() + "/MARKER5`\" . system(\"touch " + marks.path() +
                "/MARKER6\") . \"`touch MARKER7`@m ^{up}_{down}&{b}~c{/Symbol a}\\x0d\\x1b[2J\\\\'";
            const std::string line = std::string(kind) == "overall"
                                         ? "\nset title " + text + " noenhanced font ',11'"
                                         : "\nset label 3 " + text + " at screen 0.44, screen 0.965 center noenhanced font ',11'";
            cr_assert(contains(script, line), "%s lacks\n%s\nin:\n%s", kind, line.c_str(), script.c_str());
        }
}

Test(aggregate_output, gnuplot_runs_no_command_from_record_text) {
    if (access("/usr/bin/gnuplot", X_OK) != 0) cr_skip_test("gnuplot is not installed");
    unit::TempDir out, marks;
    cr_assert(chdir(marks.path().c_str()) == 0);  // this test's own process: relative MARKERs land in `marks` too
    const Dataset hostile = workload_dataset(hostile_modules(marks.path()), hostile_label(marks.path()));
    FigureOptions f;
    f.dir = out.path();
    std::vector<std::string> written;
    const auto result = write_figures(hostile, f, written);
    const std::string error = unit::error_of(result);
    const bool drawn = bool(result);
    unit::expect_eq(unit::join(marks.entries(), " "), "", "no MARKER file anywhere");
    for (const auto &name : out.entries())
        cr_assert(name.find("MARKER") == std::string::npos, "%s created in the figure directory", name.c_str());
    cr_assert(drawn, "gnuplot failed: %s", error.c_str());
    cr_assert_eq(written.size(), 4u);
    unit::expect_eq(unit::join(out.entries(), " "),
                    "individual_time_loglog.png individual_time_loglog.svg overall_time_loglog.png "
                    "overall_time_loglog.svg",
                    "only the figures in the figure directory");
    // The label is drawn as it is: no superscript, no subscript.
    const std::string svg = unit::read_text(out.file("overall_time_loglog.svg"));
    cr_assert(contains(svg, "^{up}_{down}&amp;{b}~c{/Symbol a}"), "label not shown verbatim");
}

Test(aggregate_output, csv_cells_are_no_formulas) {
    Table t{"x", "t", {{"a", "a"}, {"b", "b"}, {"c", "c"}}, {}, {}};
    auto row = [&](Cell a, Cell b, Cell c) { t.rows.push_back({std::move(a), std::move(b), std::move(c)}); };
    row(Cell::of("=1+1"), Cell::of("+1"), Cell::of("-1"));
    row(Cell::of("@SUM(A1:A2)"), Cell::of("\t=1"), Cell::of("\r=1"));
    row(Cell::of("=HYPERLINK(\"http://x\",\"y\")"), Cell::of("-"), Cell::of("numpy scipy"));
    row(Cell::value(-2.5, 3), Cell::count(-3), Cell::value(NAN, 3));
    row(Cell::of("a=b"), Cell::of("x\x1b[2J"), Cell::of("-2 ; =cmd|' /C calc'!A0"));
    Dataset d;
    unit::expect_eq(render({t}, Format::csv, d),
                    "a,b,c\n"
                    "'=1+1,'+1,'-1\n"
                    "'@SUM(A1:A2),'\\x09=1,'\\x0d=1\n"
                    "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",-,numpy scipy\n"
                    "-2.5,-3,\n"
                    "a=b,x\\x1b[2J,'-2 ; =cmd|' /C calc'!A0\n",
                    "csv");
}

Test(aggregate_output, markdown_escapes_markup_html_and_controls) {
    const std::string hostile = "a|b\\c`d*e_f[g](h)<img src=x onerror=alert(1)>&amp;\n# l\x1b[2J~m$n!";
    Table t{"x", "title <b>", {{"a", "a|b"}, {"b", "b"}}, {{Cell::of(hostile), Cell::of("")}}, {"note *" + hostile}};
    Dataset d;
    const std::string md = render({t}, Format::markdown, d);
    const std::string cell =
        R"(a\|b\\\\c\`d\*e\_f\[g\](h)&lt;img src=x onerror=alert(1)&gt;&amp;amp;\\x0a\# l\\x1b\[2J\~m\$n\!)";
    cr_assert(contains(md, "**title &lt;b&gt;**\n\n| a\\|b | b |\n| --- | --- |\n| " + cell + " |   |\n\nnote \\*" +
                               cell + "  \n"),
              "%s", md.c_str());
    cr_assert_eq(lines(md), 9u, "%s", md.c_str());  // totals, blank, title, blank, header, rule, row, blank, note
    cr_assert(terminal_safe(md));
    cr_assert(!contains(md, "<") && !contains(md, ">"), "no HTML tag: %s", md.c_str());
}

Test(aggregate_output, text_cells_and_notes_send_no_escape_sequence) {
    Table t{"x", "t", {{"a", "a"}, {"b", "b"}}, {{Cell::of("x\x1b[2J\ny\xc2\x9b" "1m"), Cell::of("ok")}},
            {"note \x1b]0;title\x07\r"}};
    Dataset d;
    const std::string text = render({t}, Format::text, d);
    cr_assert(terminal_safe(text), "%s", pyimport::escape_text(text, 4000).c_str());
    cr_assert_eq(lines(text), 6u, "%s", text.c_str());  // totals, blank, title, header, row, note
    cr_assert(contains(text, "x\\x1b[2J\\x0ay\\xc2\\x9b1m  ok\n"), "%s", text.c_str());
    cr_assert(contains(text, "  note \\x1b]0;title\\x07\\x0d\n"), "%s", text.c_str());
}

Test(aggregate_output, every_format_of_a_hostile_dataset_is_terminal_safe) {
    unit::TempDir marks;
    const Dataset d = workload_dataset(hostile_modules(marks.path()), hostile_label(marks.path()));
    TableOptions o;
    o.which.runs = true;
    for (Format f : {Format::text, Format::markdown, Format::csv, Format::json}) {
        const std::string out = render(build_tables(d, o), f, d);
        cr_assert(terminal_safe(out), "format %d:\n%s", int(f), pyimport::escape_text(out, 4000).c_str());
    }
}

Test(aggregate_output, problem_lines_escape_file_names) {
    unit::TempDir dir;
    const std::string names[] = {"bad\nname\x1b[2J.json", "pyimport-aggregate: forged\n.json", "\xff\xc2\x9b.json"};
    for (const auto &name : names) unit::write_text(dir.file(name), "{not a record");
    int status = 0;
    const std::string text = stderr_of_run(dir.path(), status);
    cr_assert_eq(status, int(kExitNoDataOrStrict));
    cr_assert(terminal_safe(text), "%s", pyimport::escape_text(text, 4000).c_str());
    cr_assert_eq(lines(text), 4u, "three problems and the no-data line:\n%s", text.c_str());
    for (const char *part : {"/bad\\x0aname\\x1b[2J.json: ", "/pyimport-aggregate: forged\\x0a.json: ", "/\\xff\\xc2\\x9b.json: "})
        cr_assert(contains(text, part), "lacks %s:\n%s", part, text.c_str());
    size_t start = 0;
    for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
        cr_assert(text.compare(start, 20, "pyimport-aggregate: ") == 0, "a line of its own: %s", text.c_str());
        cr_assert(text.compare(start, 28, "pyimport-aggregate: forged") != 0, "forged line: %s", text.c_str());
    }
}

Test(aggregate_output, problem_lines_are_bounded) {
    unit::TempDir dir;
    const std::string sub = dir.file(std::string(200, 'd'));
    cr_assert(mkdir(sub.c_str(), 0700) == 0);
    unit::write_text(sub + "/" + std::string(200, 'a') + "\x1b" + std::string(40, 'b') + ".json", "{");
    int status = 0;
    const std::string text = stderr_of_run(dir.path(), status);
    const std::string first = text.substr(0, text.find('\n'));
    cr_assert(first.size() < 1400, "%zu bytes: %s", first.size(), first.c_str());
    cr_assert(contains(first, "...(") && !contains(first, "bbb"), "the name is cut, and says so: %s", first.c_str());
    cr_assert(terminal_safe(text));
}

// R and Perl runs beside Python's: each language is its own configuration,
// compared on its own, and only then do the tables name the language.
Test(aggregate_output, languages_are_kept_apart_and_named_only_when_not_all_python) {
    Dataset python_only = workload_dataset("json", "");
    for (const Table &t : build_tables(python_only, {}))
        for (const auto &c : t.columns) cr_assert(c.key != "language", "table %s has a language column", t.id.c_str());
    Dataset d = workload_dataset("json", "");
    Dataset r = workload_dataset("ggplot2 data.table", "");
    for (auto &c : r.configs) c.key.language = "r";
    for (auto &c : r.configs) d.configs.push_back(c);
    std::sort(d.configs.begin(), d.configs.end(), [](const auto &a, const auto &b) { return a.key < b.key; });
    const auto tables = build_tables(d, {});
    const Table &overall = table(tables, "overall");
    cr_assert_eq(overall.rows.size(), 8u);
    unit::expect_eq(cell(overall, 0, "language"), "python", "first language");
    unit::expect_eq(cell(overall, 7, "language"), "r", "last language");
    const Table &workloads = table(tables, "workloads");
    unit::expect_eq(cell(workloads, 1, "language"), "r", "workload B's language");
    auto scales = compare_scales(d, CompareOn::gaggle, {});
    cr_assert_eq(scales.size(), 4u, "one comparison per language and scale");
    cr_assert(scales[0].conda_key.language == "python" && scales[3].conda_key.language == "r");
    Filters only_r;
    only_r.language = "r";
    cr_assert(only_r.matches(r.configs[0].key, 1, 0) && !only_r.matches(python_only.configs[0].key, 1, 0));
}
