#include "options.hpp"

#include "command_line.hpp"
#include "language.hpp"
#include "parse_util.hpp"

#include <cstdlib>
#include <functional>
#include <map>

namespace agg {

const char *const kUsage =
    "usage: pyimport-aggregate [OPTION...] PATH...\n"
    "Tables (and figures) of the pyimport-bench records under each PATH (directories are\n"
    "searched recursively for *.json; files are read as given).\n"
    "Output:\n"
    "  -f, --format FORMAT    text (default), markdown, csv or json\n"
    "  -o, --output FILE      write the tables to FILE instead of standard output\n"
    "  -t, --tables LIST      overall,interpreters,gaggles,compare,imports,cgroup,runs or all\n"
    "                         (default: all but runs; imports and cgroup only when some record\n"
    "                         has import times or a gaggle cgroup, unless named)\n"
    "                         imports: each module's median import time (importtime=on runs,\n"
    "                         kept apart from importtime=off ones) and its growth with the gaggle;\n"
    "                         cgroup: each gaggle's cgroup CPU, memory, I/O, processes, against\n"
    "                         the interpreters' own CPU (the difference: helpers), leftovers killed\n"
    "  --figures DIR          also write overall_time_loglog, individual_time_loglog and, with\n"
    "                         import times, import_time_loglog (gnuplot)\n"
    "  --figure-formats LIST  png,svg (default both)\n"
    "  --gnuplot PROGRAM      the gnuplot to run (default gnuplot)\n"
    "Comparison:\n"
    "  --compare-on WHAT      gaggle (default), interpreter or run: the samples compared\n"
    "  --alpha P              significance level (default 0.05)\n"
    "  --confidence C         of the ratio's interval (default 0.95)\n"
    "  --min-samples N        per mode for a verdict (default 5)\n"
    "Filters (job steps; LIST: numbers and ranges, e.g. 1,4,10-20):\n"
    "  --job LIST  --mode conda|container  --nodes LIST  --gaggle LIST\n"
    "  --lang python|r|perl  --label TEXT (- for none)  --modules a:b:c\n"
    "  --since TIME  --until TIME   YYYY-MM-DD[THH:MM[:SS]] (UTC) or @UNIX-SECONDS\n"
    "Input:\n"
    "  --study DIR            also read the 2017 study's overall_time.bcp and individual_time.bcp\n"
    "  --threads N            reading threads (default: one per CPU)\n"
    "  --any-owner            accept records whatever their file's owner (default: only\n"
    "                         files owned by the record's job user or root: copies you made)\n"
    "  --strict               exit 1 if any file or job step had a problem\n"
    "  -q, --quiet            do not list problems (the totals still count them)\n"
    "  -h, --help, --version\n"
    "Exit status: 0 tables written; 1 no usable data, or a problem with --strict;\n"
    "2 bad usage; 3 the output or a figure could not be written.\n";

namespace {

std::optional<double> parse_fraction(const std::string &text) {
    char *end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end || !(v > 0 && v < 1)) return std::nullopt;
    return v;
}

// A value that must not be empty.
pyimport::Result<void> needs(const std::string &value, const char *what) {
    if (value.empty()) return pyimport::fail(what);
    return pyimport::ok();
}

pyimport::Result<void> parse_tables(const std::string &text, TableChoice &t) {
    t = {false, false, false, false, false, Show::no, Show::no};
    for (const auto &name : pyimport::split(text, ',')) {
        // all: imports and cgroup only when some record has their figures, as by default.
        if (name == "all") t = {true, true, true, true, true, Show::if_present, Show::if_present};
        else if (name == "overall") t.overall = true;
        else if (name == "interpreters") t.interpreters = true;
        else if (name == "gaggles") t.gaggles = true;
        else if (name == "compare") t.compare = true;
        else if (name == "imports") t.imports = Show::yes;
        else if (name == "cgroup") t.cgroup = Show::yes;
        else if (name == "runs") t.runs = true;
        else
            return pyimport::fail("unknown table '" + name +
                                  "' (overall, interpreters, gaggles, compare, imports, cgroup, runs, all)");
    }
    return pyimport::ok();
}

std::map<std::string, pyimport::ValueHandler> value_options(Options &o) {
    auto numbers = [](NumberSet &set, long long hi) {
        return [&set, hi](const std::string &v) -> pyimport::Result<void> {
            auto s = parse_number_set(v, 0, hi);
            if (!s) return pyimport::fail("needs numbers or ranges like 1,4,10-20");
            set = *s;
            return pyimport::ok();
        };
    };
    auto time = [](int64_t &into, bool end) {
        return [&into, end](const std::string &v) -> pyimport::Result<void> {
            auto t = parse_time(v, end);
            if (!t) return pyimport::fail("needs YYYY-MM-DD[THH:MM[:SS]] (UTC) or @UNIX-SECONDS");
            into = *t;
            return pyimport::ok();
        };
    };
    auto fraction = [](double &into) {
        return [&into](const std::string &v) -> pyimport::Result<void> {
            auto f = parse_fraction(v);
            if (!f) return pyimport::fail("needs a number between 0 and 1");
            into = *f;
            return pyimport::ok();
        };
    };
    return {
        {"--format", [&o](const std::string &v) -> pyimport::Result<void> {
             auto f = parse_format(v);
             if (!f) return pyimport::fail("needs text, markdown, csv or json");
             o.format = *f;
             return pyimport::ok();
         }},
        {"--output", [&o](const std::string &v) { return o.output = v, needs(v, "needs a file name"); }},
        {"--tables", [&o](const std::string &v) { return parse_tables(v, o.tables.which); }},
        {"--figures", [&o](const std::string &v) { return o.figures.dir = v, needs(v, "needs a directory"); }},
        {"--figure-formats", [&o](const std::string &v) -> pyimport::Result<void> {
             o.figures.formats = pyimport::split(v, ',');
             for (const auto &f : o.figures.formats)
                 if (f != "png" && f != "svg") return pyimport::fail("needs png, svg or png,svg");
             return pyimport::ok();
         }},
        {"--gnuplot", [&o](const std::string &v) { return o.figures.gnuplot = v, needs(v, "needs a program"); }},
        {"--compare-on", [&o](const std::string &v) -> pyimport::Result<void> {
             if (v == "gaggle") o.tables.compare_on = CompareOn::gaggle;
             else if (v == "interpreter") o.tables.compare_on = CompareOn::interpreter;
             else if (v == "run") o.tables.compare_on = CompareOn::run;
             else return pyimport::fail("needs gaggle, interpreter or run");
             return pyimport::ok();
         }},
        {"--alpha", fraction(o.tables.settings.alpha)},
        {"--confidence", fraction(o.tables.settings.confidence)},
        {"--min-samples", [&o](const std::string &v) -> pyimport::Result<void> {
             auto n = pyimport::parse_bounded_int(v, 2, 1'000'000);
             if (!n) return pyimport::fail("needs a whole number from 2");
             o.tables.settings.min_samples = size_t(*n);
             return pyimport::ok();
         }},
        {"--job", numbers(o.filters.jobs, 4294967295LL)},
        {"--nodes", numbers(o.filters.nodes, 1'000'000'000L)},
        {"--gaggle", numbers(o.filters.gaggles, 1'000'000'000L)},
        {"--mode", [&o](const std::string &v) -> pyimport::Result<void> {
             o.filters.mode = pyimport::parse_mode(v);
             if (!o.filters.mode) return pyimport::fail("needs conda or container");
             return pyimport::ok();
         }},
        {"--lang", [&o](const std::string &v) -> pyimport::Result<void> {
             if (!pyimport::parse_language(v)) return pyimport::fail("needs python, r or perl");
             o.filters.language = v;
             return pyimport::ok();
         }},
        {"--label", [&o](const std::string &v) { return o.filters.label = v == "-" ? "" : v, pyimport::ok(); }},
        {"--modules", [&o](const std::string &v) -> pyimport::Result<void> {
             for (pyimport::Language language : pyimport::kLanguages)
                 if (auto list = pyimport::parse_package_list(language, v, ':')) {
                     o.filters.modules = pyimport::join_modules(*list);
                     return pyimport::ok();
                 }
             return pyimport::fail("needs package names separated by ':' (e.g. numpy:scipy, ggplot2:data.table or "
                                   "Moose:JSON::XS)");
         }},
        {"--since", time(o.filters.since_ns, false)},
        {"--until", time(o.filters.until_ns, true)},
        {"--study", [&o](const std::string &v) { return o.study_dirs.push_back(v), needs(v, "needs a directory"); }},
        {"--threads", [&o](const std::string &v) -> pyimport::Result<void> {
             auto n = pyimport::parse_bounded_int(v, 1, 256);
             if (!n) return pyimport::fail("needs a whole number from 1 to 256");
             o.threads = unsigned(*n);
             return pyimport::ok();
         }},
    };
}

} // namespace

pyimport::Result<void> parse_options(const std::vector<std::string> &args, Options &o) {
    pyimport::CommandLine spec;
    spec.values = value_options(o);
    spec.aliases = {{"-f", "--format"}, {"-o", "--output"}, {"-t", "--tables"}};
    spec.flags = {{"--strict", &o.strict}, {"--quiet", &o.quiet}, {"-q", &o.quiet}, {"--any-owner", &o.any_owner},
                  {"--help", &o.help},     {"-h", &o.help},       {"--version", &o.version}};
    spec.word = [&o](const std::string &path) { return o.paths.push_back(path), pyimport::ok(); };
    if (auto parsed = pyimport::parse_command_line(args, spec); !parsed) return parsed;
    if (o.paths.empty() && o.study_dirs.empty() && !o.help && !o.version) return pyimport::fail("no PATH given");
    if (o.filters.since_ns > o.filters.until_ns) return pyimport::fail("--since is after --until");
    return pyimport::ok();
}

} // namespace agg
