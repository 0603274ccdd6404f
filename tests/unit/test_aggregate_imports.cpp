// The imports and cgroup tables and the import figure: medians of known
// import times, their growth with the gaggle, importtime on and off kept
// apart, the gaggles' cgroup figures against the interpreters' own, and that
// neither table shows up for records without such figures.
#include "../../helper/aggregate/import_plot.hpp"
#include "../../helper/aggregate/options.hpp"
#include "../../helper/aggregate/plot.hpp"
#include "../../helper/aggregate/render.hpp"
#include "../../helper/aggregate/run.hpp"
#include "../../helper/aggregate/tables.hpp"
#include "aggregate_fixtures.hpp"

#include <jansson.h>
#include <unistd.h>

using namespace agg;
using unit::contains;
using unit::NodeSpec;

namespace {

Dataset collect_dir(const unit::TempDir &dir, TableChoice which = {}) {
    Options o;
    o.paths = {dir.path()};
    o.threads = 2;
    o.tables.which = which;
    return collect(o);
}

// numpy and scipy, importtime=on, conda, 2 nodes; gaggles of 1 and 4.
// numpy hardly moves (0.100 s to 0.105 s; one interpreter per node of the
// larger gaggle did not report it), scipy grows from 0.300 s to a median of
// 2.500 s. Every interpreter names the same two slowest modules.
void write_imports(const unit::TempDir &dir, uint32_t first_job = 1) {
    NodeSpec s;
    s.modules = {"numpy", "scipy"};
    s.importtime = true;
    s.slowest = {"scipy.linalg", "numpy.core"};
    s.job = first_job;
    s.walls = {1.0};
    s.import_us = {{100000, 300000}};
    unit::write_run(dir, s, 2);
    s.job = first_job + 1;
    s.walls = {1.0, 1.0, 1.0, 1.0};
    s.import_us = {{105000, 1000000}, {105000, 2000000}, {105000, 3000000}, {-1, 5000000}};
    s.release_s += 100;
    unit::write_run(dir, s, 2);
}

const Table *find_table(const std::vector<Table> &tables, const std::string &id) {
    for (const auto &t : tables)
        if (t.id == id) return &t;
    return nullptr;
}

// The id is a plain pointer: a std::string temporary bound to a reference
// parameter makes g++ 13 and later warn that the returned reference may dangle.
const Table &table(const std::vector<Table> &tables, const char *id) {
    const Table *t = find_table(tables, id);
    cr_assert(t, "no table %s", id);
    return *t;
}

std::string cell(const Table &t, size_t row, const std::string &key) {
    for (size_t c = 0; c < t.columns.size(); ++c)
        if (t.columns[c].key == key) return t.rows.at(row).at(c).text;
    cr_assert_fail("no column %s", key.c_str());
    return "";
}

bool has_column(const Table &t, const std::string &key) {
    for (const auto &c : t.columns)
        if (c.key == key) return true;
    return false;
}

std::string ids(const std::vector<Table> &tables) {
    std::string out;
    for (const auto &t : tables) out += (out.empty() ? "" : " ") + t.id;
    return out;
}

// A gaggle of two in a cgroup of its own: 5 s of CPU there against 2.25 s
// the interpreters used themselves (user + system: 3/4 of their walls of 1
// and 2 s), 256 MiB at the peak, 3 processes at most, a daemon left behind.
NodeSpec cgroup_spec() {
    NodeSpec s;
    s.cgroup_state = "used";
    s.cgroup_cpu_ns = 5'000'000'000;
    s.memory_peak_bytes = int64_t(256) << 20;
    s.io_bytes = int64_t(3) << 20;
    s.io_operations = 40;
    s.max_processes = 3;
    s.leftovers_killed = 1;
    return s;
}

} // namespace

Test(aggregate_imports, medians_per_module_in_the_run_order) {
    unit::TempDir dir;
    write_imports(dir);
    Dataset d = collect_dir(dir);
    cr_assert(d.problems.empty(), "%s", unit::problem_list(d.problems).c_str());
    auto tables = build_tables(d, {});
    unit::expect_eq(ids(tables), "overall interpreters gaggles compare imports", "imports by default, no cgroup");
    const Table &t = table(tables, "imports");
    cr_assert_eq(t.rows.size(), 4u);
    const char *expected[][4] = {{"1", "numpy", "2", "0.100"},
                                 {"1", "scipy", "2", "0.300"},
                                 {"4", "numpy", "6", "0.105"},   // the -1 (not imported) is no sample
                                 {"4", "scipy", "8", "2.500"}};  // median of 1, 2, 3, 5 on each node
    for (size_t r = 0; r < 4; ++r) {
        unit::expect_eq(cell(t, r, "gaggle"), expected[r][0], "gaggle");
        unit::expect_eq(cell(t, r, "module"), expected[r][1], "module");
        unit::expect_eq(cell(t, r, "n"), expected[r][2], "n");
        unit::expect_eq(cell(t, r, "median_s"), expected[r][3], "median");
        unit::expect_eq(cell(t, r, "nodes"), "2", "nodes");
    }
    cr_assert(!has_column(t, "importtime"), "all runs used importtime: no column for it");
}

Test(aggregate_imports, growth_from_the_smallest_to_the_largest_gaggle) {
    unit::TempDir dir;
    write_imports(dir);
    const auto tables = build_tables(collect_dir(dir), {});
    const Table &t = table(tables, "imports");
    const std::string notes = unit::join(t.notes, "\n");
    for (const char *line : {"numpy (conda, 2 nodes): did not move (0.100 s at 1 per node, 0.105 s at 4 per node)",
                             "scipy (conda, 2 nodes): 0.300 s at 1 per node to 2.500 s at 4 per node (8.3x)",
                             "most often among an interpreter's slowest modules by self time (of 10 interpreters): "
                             "numpy.core 10, scipy.linalg 10"})
        cr_assert(contains(notes, line), "lacks\n%s\nin\n%s", line, notes.c_str());
    // One gaggle size only: nothing to grow from.
    unit::TempDir one;
    NodeSpec s;
    s.importtime = true;
    s.import_us = {{1000}, {2000}};
    unit::write_run(one, s, 1);
    const auto single_tables = build_tables(collect_dir(one), {});
    const Table &single = table(single_tables, "imports");
    cr_assert(!contains(unit::join(single.notes, "\n"), " per node"), "%s", unit::join(single.notes, "\n").c_str());
    unit::expect_eq(cell(single, 0, "median_s"), "0.002", "median of 1 and 2 ms");  // 0.0015 rounds to even
}

Test(aggregate_imports, importtime_on_and_off_are_kept_apart) {
    unit::TempDir dir;
    write_imports(dir);
    NodeSpec off;  // the same workload and scale without importtime
    off.modules = {"numpy", "scipy"};
    off.job = 20;
    off.walls = {1.0};
    unit::write_run(dir, off, 2);
    Dataset d = collect_dir(dir);
    cr_assert(d.problems.empty(), "%s", unit::problem_list(d.problems).c_str());
    cr_assert_eq(d.configs.size(), 3u);
    cr_assert(!d.configs[0].key.importtime && d.configs[1].key.importtime, "off sorts first");
    cr_assert_eq(d.configs[0].runs.size(), 1u);
    cr_assert_eq(d.configs[1].runs.size(), 1u);
    auto tables = build_tables(d, {});
    const Table &w = table(tables, "workloads");
    unit::expect_eq(cell(w, 0, "importtime"), "off", "tag A");
    unit::expect_eq(cell(w, 1, "importtime"), "on", "tag B");
    const Table &overall = table(tables, "overall");
    unit::expect_eq(cell(overall, 0, "importtime"), "off", "machine column");
    unit::expect_eq(cell(overall, 1, "workload"), "B", "people read the tag");
    const Table &imports = table(tables, "imports");
    cr_assert_eq(imports.rows.size(), 4u, "only the importtime=on runs");
    unit::expect_eq(cell(imports, 0, "workload"), "B", "tag");
    cr_assert(contains(unit::join(imports.notes, "\n"), "B: scipy (conda, 2 nodes): 0.300 s"), "%s",
              unit::join(imports.notes, "\n").c_str());
    const std::string csv = render({overall}, Format::csv, d);
    cr_assert(csv.rfind("modules,label,importtime,mode,nodes,", 0) == 0, "%s", csv.c_str());
    cr_assert(contains(csv, "\nnumpy scipy,,off,conda,2,1,2,1,"), "%s", csv.c_str());
}

Test(aggregate_imports, a_step_disagreeing_on_importtime_is_skipped) {
    unit::TempDir dir;
    const std::string odd = unit::write_disagreeing_step(dir, NodeSpec{}, [](NodeSpec &s) {
        s.importtime = true;
        s.import_us = {{1000}, {2000}};
    });
    Dataset d = collect_dir(dir);
    cr_assert(d.configs.empty());
    cr_assert_eq(d.totals.inconsistent, 1u);
    cr_assert(unit::has_problem(d.problems, odd, "on run.importtime (on here, off there): job step 1.0 skipped"),
              "%s", unit::problem_list(d.problems).c_str());
}

Test(aggregate_imports, cgroup_figures_and_the_helpers_difference) {
    unit::TempDir dir;
    NodeSpec s = cgroup_spec();
    unit::write_run(dir, s, 2);
    s.job = 2;
    s.cgroup_cpu_ns = 7'000'000'000;  // medians over the four gaggles: 6 s, helpers 3.75 s
    s.memory_peak_bytes = -1;         // could not be read: left out of its median only
    unit::write_run(dir, s, 2);
    Dataset d = collect_dir(dir);
    cr_assert(d.problems.empty(), "%s", unit::problem_list(d.problems).c_str());
    auto tables = build_tables(d, {});
    unit::expect_eq(ids(tables), "overall interpreters gaggles compare cgroup", "cgroup by default, no imports");
    const Table &t = table(tables, "cgroup");
    cr_assert_eq(t.rows.size(), 1u);
    const std::pair<const char *, const char *> expected[] = {
        {"gaggles", "4"},          {"cgroup_cpu_s", "6.000"},    {"interpreters_cpu_s", "2.250"},
        {"helpers_cpu_s", "3.750"}, {"memory_peak_mib", "256.0"}, {"io_mib", "3.0"},
        {"io_operations", "40"},    {"max_processes", "3"},       {"leftovers_killed", "4"}};
    for (const auto &[key, value] : expected) unit::expect_eq(cell(t, 0, key), value, key);
    const std::string notes = unit::join(t.notes, "\n");
    cr_assert(contains(notes, "helpers CPU: cgroup CPU minus that, per gaggle"), "%s", notes.c_str());
    cr_assert(contains(notes, "2 gaggle(s) with a figure their cgroup could not give"), "%s", notes.c_str());
    cr_assert(!contains(notes, "unavailable"), "%s", notes.c_str());
}

Test(aggregate_imports, unavailable_cgroups_are_said_with_the_first_note) {
    unit::TempDir dir;
    NodeSpec s = cgroup_spec();
    unit::write_run(dir, s, 1);
    NodeSpec u;
    u.job = 2;
    u.cgroup_state = "unavailable";
    u.cgroup_note = "cannot create a cgroup under /sys/fs/cgroup/cpuacct\\pyimport: Permission denied";
    unit::write_run(dir, u, 2);
    u.job = 3;
    u.cgroup_note = "a later note";
    unit::write_run(dir, u, 2);
    const auto tables = build_tables(collect_dir(dir), {});
    const Table &t = table(tables, "cgroup");
    cr_assert_eq(t.rows.size(), 1u, "only the configuration with a cgroup has figures");
    const std::string notes = unit::join(t.notes, "\n");
    cr_assert(contains(notes, "cgroup unavailable for 4 gaggle(s), so their figures are missing; the first "
                              "says: cannot create a cgroup under /sys/fs/cgroup/cpuacct\\\\pyimport: Permission denied"),
              "%s", notes.c_str());
    cr_assert(!contains(notes, "a later note"));

    // Unavailable everywhere: no table by default; named, it says why it is empty.
    unit::TempDir none;
    u.job = 4;
    unit::write_run(none, u, 1);
    Dataset d = collect_dir(none);
    cr_assert(!find_table(build_tables(d, {}), "cgroup"));
    TableOptions named;
    named.which.cgroup = Show::yes;
    const auto named_tables = build_tables(d, named);
    const Table &empty = table(named_tables, "cgroup");
    cr_assert(empty.rows.empty());
    cr_assert(contains(unit::join(empty.notes, "\n"), "no gaggle ran in a cgroup of its own\ncgroup unavailable for 1"),
              "%s", unit::join(empty.notes, "\n").c_str());
}

Test(aggregate_imports, csv_markdown_and_json_of_both_tables) {
    unit::TempDir dir;
    write_imports(dir);
    NodeSpec s = cgroup_spec();
    s.job = 30;
    s.modules = {"numpy", "scipy"};
    s.importtime = true;
    s.walls = {1.0, 2.0};
    s.import_us = {{100000, 300000}, {100000, 300000}};
    s.release_s += 1000;
    unit::write_run(dir, s, 2);
    Dataset d = collect_dir(dir);
    cr_assert(d.problems.empty(), "%s", unit::problem_list(d.problems).c_str());
    TableOptions o;
    o.which = {false, false, false, false, false, Show::yes, Show::no};
    const std::string csv = render(build_tables(d, o), Format::csv, d);
    unit::expect_eq(csv.substr(0, csv.find('\n', csv.find('\n') + 1) + 1),
                    "modules,label,mode,nodes,gaggle,interpreters,module,n,median_s\n"
                    "numpy scipy,,conda,2,1,2,numpy,2,0.1\n",
                    "CSV header and first row");
    o.which = {false, false, false, false, false, Show::yes, Show::yes};
    const std::string both = render(build_tables(d, o), Format::csv, d);
    for (const char *part : {"\n# imports: Import times (python -X importtime)", "\n# cgroup: Per gaggle, its own cgroup",
                             "\nmodules,label,mode,nodes,gaggle,interpreters,gaggles,cgroup_cpu_s,interpreters_cpu_s,"
                             "helpers_cpu_s,memory_peak_mib,io_mib,io_operations,max_processes,leftovers_killed\n"
                             "numpy scipy,,conda,2,2,4,2,5,2.25,2.75,256,3,40,3,2\n"})
        cr_assert(contains(both, part), "lacks %s in\n%s", part, both.c_str());
    for (const auto &line : unit::split_nul([&] {
             std::string z = both;
             std::replace(z.begin(), z.end(), '\n', '\0');
             return z;
         }()))
        cr_assert(line.empty() || std::string_view("=+-@").find(line[0]) == std::string_view::npos, "%s", line.c_str());

    const std::string md = render(build_tables(d, o), Format::markdown, d);
    for (const char *part : {"**Import times (python -X importtime):", "| mode | nodes | gaggle | interpreters | module | n | median |",
                             "| conda | 2 | 4 | 8 | scipy | 8 | 2.500 |",
                             "| gaggles | cgroup CPU s | interpreters CPU s | helpers CPU s | memory peak MiB |",
                             "scipy (conda, 2 nodes): 0.300 s at 1 per node to 2.500 s at 4 per node (8.3x)  \n"})
        cr_assert(contains(md, part), "lacks %s in\n%s", part, md.c_str());

    const std::string text = render(build_tables(d, o), Format::json, d);
    json_error_t err;
    json_t *root = json_loads(text.c_str(), 0, &err);
    cr_assert(root, "not JSON: %s", err.text);
    json_t *tables = json_object_get(root, "tables");
    json_t *imports = json_object_get(tables, "imports");
    json_t *row = json_array_get(json_object_get(imports, "rows"), 5);  // 2 x 4, scipy
    cr_assert_str_eq(json_string_value(json_object_get(row, "module")), "scipy");
    cr_assert_eq(json_integer_value(json_object_get(row, "n")), 8);
    cr_assert(std::fabs(json_real_value(json_object_get(row, "median_s")) - 2.5) < 1e-9 ||
              json_integer_value(json_object_get(row, "median_s")) == 0);
    cr_assert(json_array_size(json_object_get(imports, "notes")) >= 3);
    json_t *cg = json_array_get(json_object_get(json_object_get(tables, "cgroup"), "rows"), 0);
    cr_assert(std::fabs(json_real_value(json_object_get(cg, "helpers_cpu_s")) - 2.75) < 1e-9);
    cr_assert_eq(json_integer_value(json_object_get(cg, "leftovers_killed")), 2);
    json_decref(root);
}

Test(aggregate_imports, records_without_them_get_neither_table) {
    unit::TempDir dir;
    NodeSpec s;
    unit::write_run(dir, s, 2);
    Dataset d = collect_dir(dir);
    TableOptions defaults, explicit_none, all;
    explicit_none.which.imports = explicit_none.which.cgroup = Show::no;
    all.which.runs = true;
    unit::expect_eq(ids(build_tables(d, defaults)), "overall interpreters gaggles compare", "default set");
    unit::expect_eq(ids(build_tables(d, all)), "overall interpreters gaggles compare runs", "all");
    for (Format f : {Format::text, Format::markdown, Format::csv, Format::json})
        unit::expect_eq(render(build_tables(d, defaults), f, d), render(build_tables(d, explicit_none), f, d),
                        "same output");
    TableOptions named;
    named.which = {false, false, false, false, false, Show::yes, Show::no};
    const auto named_tables = build_tables(d, named);
    const Table &t = table(named_tables, "imports");
    cr_assert(t.rows.empty());
    unit::expect_eq(t.notes.front(), "no record has import times: run with importtime=on (python -X importtime)", "note");
}

Test(aggregate_imports, table_options) {
    Options o;
    unit::expect_eq(unit::error_of(parse_options({"-t", "imports,cgroup", "d"}, o)), "", "named");
    cr_assert(o.tables.which.imports == Show::yes && o.tables.which.cgroup == Show::yes && !o.tables.which.overall);
    Options a;
    unit::expect_eq(unit::error_of(parse_options({"-t", "all", "d"}, a)), "", "all");
    cr_assert(a.tables.which.imports == Show::if_present && a.tables.which.cgroup == Show::if_present && a.tables.which.runs);
    Options n;
    unit::expect_eq(unit::error_of(parse_options({"-t", "overall", "d"}, n)), "", "overall");
    cr_assert(n.tables.which.imports == Show::no && n.tables.which.cgroup == Show::no);
    Options bad;
    unit::expect_message(unit::error_of(parse_options({"-t", "import", "d"}, bad)),
                         {"unknown table 'import' (overall, interpreters, gaggles, compare, imports, cgroup, runs, all)"});
    cr_assert(contains(kUsage, "imports") && contains(kUsage, "cgroup") && contains(kUsage, "import_time_loglog"));
}

Test(aggregate_imports, the_figure_script_and_file) {
    unit::TempDir dir, out;
    write_imports(dir);
    Options o;
    o.paths = {dir.path()};
    o.figures.dir = out.path();
    Dataset d = collect(o);
    auto list = workloads(d);
    cr_assert_eq(list.size(), 1u);
    const std::string script = import_figure_script(d, list[0], "svg", "imports.svg");
    for (const char *part : {"set terminal svg", "set termoption noenhanced", "set output 'imports.svg'",
                             "set logscale xy", "title 'numpy, conda'", "title 'scipy, conda'",
                             "'modules: numpy scipy   at 2 nodes'", "$imports1 << EOD\n1 0.3\n4 2.5\nEOD\n"})
        cr_assert(contains(script, part), "lacks %s in\n%s", part, script.c_str());
    Workload off = list[0];
    off.importtime = false;
    cr_assert(import_figure_script(d, off, "svg", "x.svg").empty(), "no import times: no figure");

    if (access("/usr/bin/gnuplot", X_OK) != 0) cr_skip_test("gnuplot is not installed");
    std::vector<std::string> written;
    auto drawn = write_figures(d, o.figures, written);
    cr_assert(bool(drawn), "%s", unit::error_of(drawn).c_str());
    unit::expect_eq(unit::join(out.entries(), " "),
                    "import_time_loglog.png import_time_loglog.svg individual_time_loglog.png "
                    "individual_time_loglog.svg overall_time_loglog.png overall_time_loglog.svg",
                    "the import figure too, no temporaries left");
    unit::expect_eq(unit::read_text(out.file("import_time_loglog.png")).substr(1, 3), "PNG", "PNG magic");
    cr_assert(contains(unit::read_text(out.file("import_time_loglog.svg")), "scipy, conda"), "key in the SVG");
}
