// pyimport-study: a whole scaling study inside one allocation. Options, plan,
// run, report; the work is in helper/study/ (pyimport-study(1)).
#include "study/allocation.hpp"
#include "study/finish.hpp"
#include "study/manifest.hpp"
#include "study/options.hpp"
#include "study/plan.hpp"
#include "study/progress.hpp"
#include "study/runner.hpp"
#include "text_escape.hpp"
#include "version.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>

namespace {

using namespace study;

int fail(int status, const std::string &message) {
    std::fprintf(stderr, "pyimport-study: %s\n", message.c_str());
    return status;
}

int write_the_report(const Manifest &m, const std::string &dir) {
    if (auto wrote = write_report(report_input(m, dir), dir); !wrote) return fail(kExitWrite, "report: " + wrote.error());
    std::printf("pyimport-study: report: %s/report.md, %s/report.html\n", pyimport::escape_text(dir).c_str(),
                pyimport::escape_text(dir).c_str());
    return kExitDone;
}

// mkdir -p for the study's directory and its records/.
pyimport::Result<void> make_dirs(const std::string &dir) {
    std::string path;
    for (size_t at = 0; at != std::string::npos;) {
        size_t next = dir.find('/', at + 1);
        path = dir.substr(0, next);
        at = next;
        if (path.empty() || path == "/") continue;
        if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
            return pyimport::fail("cannot create " + pyimport::quote_text(path) + ": " + std::strerror(errno));
    }
    const std::string records = dir + "/" + kRecordsDir;
    if (mkdir(records.c_str(), 0755) != 0 && errno != EEXIST)
        return pyimport::fail("cannot create " + pyimport::quote_text(records) + ": " + std::strerror(errno));
    return pyimport::ok();
}

std::string shell_word(const std::string &w) {
    std::string out = "'";
    for (char c : w) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

void print_plan(const Plan &plan, const Allocation &alloc, size_t to_run) {
    const double est = estimate_plan_seconds(plan);
    std::printf("pyimport-study plan (seed %llu; replay with --seed %llu)\n", (unsigned long long)plan.seed,
                (unsigned long long)plan.seed);
    std::printf("  allocation: job %u, %d nodes\n", alloc.job_id, alloc.node_count);
    std::printf("  cells: %zu (nodes %s x gaggle %s x modes %s), %d repeats: %zu steps, %zu to run\n",
                plan.nodes.size() * plan.gaggles.size() * plan.modes.size(), join_ints(plan.nodes).c_str(),
                join_ints(plan.gaggles).c_str(), join_words(plan.modes).c_str(), plan.repeat, plan.steps.size(), to_run);
    std::printf("  label %s, modules %s\n", plan.label.c_str(),
                plan.modules.empty() ? "(the site's list)" : join_words(plan.modules, ":").c_str());
    std::printf("  estimated time: %s (a guess: 2 s per srun plus 3.5 s per interpreter of a gaggle, the default\n"
                "  modules on 2 cores; the progress line rescales it by the steps measured)\n",
                clock_text(est).c_str());
    for (size_t i = 0; i < plan.steps.size(); ++i)
        std::printf("  %4zu  block %d  %s\n", i + 1, plan.steps[i].repeat, cell_text(plan.steps[i].cell).c_str());
}

void print_sbatch(const Plan &plan, const std::vector<std::string> &args) {
    const int nodes = *std::max_element(plan.nodes.begin(), plan.nodes.end());
    const double seconds = estimate_plan_seconds(plan) * 1.5 + 600;
    std::printf("#!/bin/bash\n#SBATCH --job-name=pyimport-study\n#SBATCH --nodes=%d\n#SBATCH --ntasks-per-node=1\n"
                "#SBATCH --exclusive\n#SBATCH --time=%s\n# Estimated %s; resubmit the same script to resume.\n"
                "exec pyimport-study",
                nodes, clock_text(seconds + 59).c_str(), clock_text(estimate_plan_seconds(plan)).c_str());
    for (const auto &a : args)
        if (a != "--print-sbatch") std::printf(" %s", shell_word(a).c_str());
    std::printf(" --seed %llu\n", (unsigned long long)plan.seed);
}

int run(const std::vector<std::string> &args) {
    Options o;
    if (auto parsed = parse_options(args, o); !parsed)
        return fail(kExitUsage, parsed.error() + " (pyimport-study --help)");
    if (o.help) return std::fputs(kUsage, stdout), kExitDone;
    if (o.version) return std::printf("pyimport-study %s\n", pyimport::kVersion), kExitDone;

    if (!o.report_dir.empty()) {
        auto m = load_manifest(o.report_dir);
        if (!m) return fail(kExitUsage, m.error());
        if (!*m) return fail(kExitUsage, "no manifest.json in " + pyimport::quote_text(o.report_dir));
        return write_the_report(**m, o.report_dir);
    }

    std::optional<Allocation> alloc;
    if (auto from_env = allocation_from_env(getenv)) {
        alloc = *from_env;
    } else {
        if (!(o.print_sbatch || o.dry_run) || o.plan.nodes.empty()) return fail(kExitUsage, from_env.error());
        alloc = Allocation{0, *std::max_element(o.plan.nodes.begin(), o.plan.nodes.end()), ""};  // planning only
    }
    auto site = find_site_settings();
    if (!site) return fail(kExitUsage, site.error());

    auto loaded = load_manifest(o.out);
    if (!loaded) return fail(kExitUsage, loaded.error());
    const std::optional<Manifest> &existing = *loaded;
    PlanRequest request = o.plan;
    if (existing) {
        if (auto same = plan_difference(existing->plan, o.plan); !same) return fail(kExitUsage, same.error());
        request = resume_request(existing->plan, o.plan);
    }
    auto plan = make_plan(request, *alloc, &*site);
    if (!plan) return fail(kExitUsage, plan.error());
    Manifest m = existing ? *existing : fresh_manifest(*plan);
    if (existing) {
        bool same = existing->steps.size() == plan->steps.size();
        for (size_t i = 0; same && i < plan->steps.size(); ++i)
            same = existing->steps[i].planned.cell == plan->steps[i].cell &&
                   existing->steps[i].planned.repeat == plan->steps[i].repeat;
        if (!same) return fail(kExitUsage, "the manifest's step list does not follow from its plan: refusing to resume");
        m.plan = *plan;
    }
    if (o.print_sbatch) return print_sbatch(*plan, args), kExitDone;
    if (o.dry_run) return print_plan(*plan, *alloc, steps_to_run(m, o.out).size()), kExitDone;

    install_signal_handlers();
    if (auto made = make_dirs(o.out); !made) return fail(kExitWrite, made.error());
    m.allocation = *alloc;
    m.site_outdir = site->outdir;
    m.slurm_version = slurm_version();
    m.node_names = node_names(alloc->nodelist);
    if (m.started_utc.empty()) m.started_utc = utc_now();
    m.updated_utc = utc_now();
    if (auto saved = save_manifest(o.out, m); !saved) return fail(kExitWrite, saved.error());

    RunOutcome outcome = run_steps(m, o.out, *site, o.quiet);
    if (outcome.write_failed) return fail(kExitWrite, outcome.write_error);
    if (int sig = stop_signal()) {
        fail(0, std::string("stopped by ") + strsignal(sig) + "; manifest " + pyimport::escape_text(o.out) +
                    "/manifest.json is up to date: run the same command again to resume");
        return 128 + sig;
    }
    const size_t left = steps_to_run(m, o.out).size();
    m.finished_utc = utc_now();
    if (auto saved = save_manifest(o.out, m); !saved) return fail(kExitWrite, saved.error());
    for (const auto &line : failed_cells(m)) fail(0, line);
    if (left > 0 && !o.quiet)
        fail(0, std::to_string(left) + " of " + std::to_string(m.steps.size()) +
                    " steps failed; run the same command again to retry them");
    if (int status = write_the_report(m, o.out); status != kExitDone) return status;
    return left > 0 ? kExitStepsFailed : kExitDone;
}

} // namespace

int main(int argc, char **argv) {
    try {
        return run(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const std::exception &e) {
        return fail(kExitWrite, e.what());
    }
}
