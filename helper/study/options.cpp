#include "options.hpp"

#include "bench_option.hpp"
#include "command_line.hpp"
#include "language.hpp"
#include "parse_util.hpp"
#include "text_escape.hpp"

#include <functional>
#include <map>

namespace study {

const char *const kUsage =
    "usage: pyimport-study --out DIR [OPTION...]      (inside an allocation: salloc, sbatch)\n"
    "       pyimport-study --report DIR\n"
    "Runs every (nodes, gaggle size, mode) cell of a study as one srun step with\n"
    "--pyimport-bench, repeated, in a randomised block order; copies the records into\n"
    "DIR/records, keeps DIR/manifest.json up to date after every step (running the same\n"
    "command again resumes) and writes the report (DIR/report.md, DIR/report.html).\n"
    "  --out DIR          the study's directory (created if missing)\n"
    "  --nodes LIST       node counts (default: powers of two up to the allocation's, and its count)\n"
    "  --gaggle LIST      gaggle sizes (default 1,2,4,8,16, up to the site's max_gaggle)\n"
    "  --modes LIST       conda, container or conda,container (default)\n"
    "  --repeat N         repetitions of every cell (default 3)\n"
    "  --seed N           the order's seed (default: a fresh one, recorded in the manifest)\n"
    "  --lang LANG        python (default), r or perl: the interpreters the gaggles run\n"
    "  --modules a:b:c    packages the interpreters load (default: the site's list for the language)\n"
    "  --label TEXT       the records' label (default study)\n"
    "  --dry-run          print the plan and an estimate of its time; run nothing\n"
    "  --print-sbatch     print an sbatch script that runs this study; run nothing\n"
    "  --report DIR       write the report of DIR/manifest.json (no allocation needed)\n"
    "  -q, --quiet        no progress output\n"
    "  -h, --help, --version\n"
    "Exit status: 0 all steps done; 1 some steps failed (report written); 2 bad usage;\n"
    "3 could not write; 130, 143 interrupted by SIGINT, SIGTERM (manifest written).\n";

namespace {

constexpr long long kMaxListValue = 1'000'000;

std::optional<std::vector<int>> parse_int_list(const std::string &text) {
    std::vector<int> out;
    for (const auto &item : pyimport::split(text, ',')) {
        auto n = pyimport::parse_bounded_int(item, 1, kMaxListValue);
        if (!n) return std::nullopt;
        out.push_back(int(*n));
    }
    return out;
}

// A value that must not be empty.
pyimport::Result<void> needs(const std::string &value, const char *what) {
    if (value.empty()) return pyimport::fail(what);
    return pyimport::ok();
}

std::map<std::string, pyimport::ValueHandler> value_options(Options &o) {
    auto list = [](std::vector<int> &into) {
        return [&into](const std::string &v) -> pyimport::Result<void> {
            auto l = parse_int_list(v);
            if (!l) return pyimport::fail("needs whole numbers from 1 separated by commas (e.g. 1,2,4)");
            into = *l;
            return pyimport::ok();
        };
    };
    return {
        {"--out", [&o](const std::string &v) { return o.out = v, needs(v, "needs a directory"); }},
        {"--report", [&o](const std::string &v) { return o.report_dir = v, needs(v, "needs a directory"); }},
        {"--nodes", list(o.plan.nodes)},
        {"--gaggle", list(o.plan.gaggles)},
        {"--modes", [&o](const std::string &v) -> pyimport::Result<void> {
             o.plan.modes = pyimport::split(v, ',');
             for (const auto &m : o.plan.modes)
                 if (!pyimport::parse_mode(m)) return pyimport::fail("needs conda, container or conda,container");
             return pyimport::ok();
         }},
        {"--repeat", [&o](const std::string &v) -> pyimport::Result<void> {
             auto n = pyimport::parse_bounded_int(v, 1, kMaxRepeat);
             if (!n) return pyimport::fail("needs a whole number from 1 to " + std::to_string(kMaxRepeat));
             o.plan.repeat = int(*n);
             return pyimport::ok();
         }},
        {"--seed", [&o](const std::string &v) -> pyimport::Result<void> {
             auto n = pyimport::parse_bounded_int(v, 0, (long long)kMaxSeed);
             if (!n) return pyimport::fail("needs a whole number from 0 to 9223372036854775807");
             o.plan.seed = uint64_t(*n);
             return pyimport::ok();
         }},
        {"--modules", [&o](const std::string &v) -> pyimport::Result<void> {
             // Any language's names here; the plan checks them against --lang.
             for (pyimport::Language language : pyimport::kLanguages)
                 if (auto l = pyimport::parse_package_list(language, v, ':')) {
                     o.plan.modules = *l;
                     return pyimport::ok();
                 }
             return pyimport::fail("needs package names separated by ':' (e.g. numpy:scipy, ggplot2:data.table or "
                                   "Moose:JSON::XS)");
         }},
        {"--lang", [&o](const std::string &v) -> pyimport::Result<void> {
             if (!pyimport::parse_language(v)) return pyimport::fail("needs python, r or perl");
             o.plan.language = v;
             return pyimport::ok();
         }},
        {"--label", [&o](const std::string &v) -> pyimport::Result<void> {
             if (!pyimport::is_label(v)) return pyimport::fail("needs 1 to 64 of A-Z a-z 0-9 . _ -");
             o.plan.label = v;
             return pyimport::ok();
         }},
    };
}

} // namespace

pyimport::Result<void> parse_options(const std::vector<std::string> &args, Options &o) {
    pyimport::CommandLine spec;
    spec.values = value_options(o);
    spec.flags = {{"--dry-run", &o.dry_run}, {"--quiet", &o.quiet}, {"-q", &o.quiet}, {"--print-sbatch", &o.print_sbatch},
                  {"--help", &o.help},       {"-h", &o.help},       {"--version", &o.version}};
    if (auto parsed = pyimport::parse_command_line(args, spec); !parsed) return parsed;
    if (o.help || o.version) return pyimport::ok();
    if (!o.report_dir.empty()) {
        if (!o.out.empty() || o.dry_run || o.print_sbatch) return pyimport::fail("--report DIR takes no other option but --quiet");
        return pyimport::ok();
    }
    if (o.out.empty()) return pyimport::fail("--out DIR is required (the study's directory)");
    return pyimport::ok();
}

} // namespace study
