// pyimport-gaggle: one gaggle on this machine, no Slurm. Takes the same site
// settings as plugstack.conf and the same request as --pyimport-bench=, and
// writes the same record, so the engine can be tried and tested anywhere.
#include "benchmark_run.hpp"
#include "command_line.hpp"
#include "parse_util.hpp"
#include "release_instant.hpp"
#include "sys_io.hpp"
#include "text_escape.hpp"
#include "version.hpp"

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <sys/signalfd.h>
#include <type_traits>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace {

constexpr int kExitOk = 0, kExitInterpreterFailed = 1, kExitUsage = 2, kExitRunFailed = 3;

const char *kUsage =
    "usage: pyimport-gaggle [--print] [--job-id N] [--step-id N] [--node NAME] [--node-index I]\n"
    "                       [--node-count C] [--release-at UNIX_SECONDS|+SECONDS] [SETTING=VALUE ...]\n"
    "                       MODE,N[,key=value...]\n"
    "Runs N interpreters released together on this machine and writes one record.\n"
    "--release-at: release at that wall-clock instant (within sync_max_wait_ms=, default 30 s),\n"
    "so that gaggles on several machines or runs start together.\n"
    "SETTING=VALUE: the plugstack.conf keys of pyimport_bench(8) (conda=, image=, runtime=, outdir=, ...).\n"
    "MODE,N[,...]: the value of --pyimport-bench= (conda or container; modules=, timeout=, label=).\n"
    "Without outdir= (or with --print) the record goes to standard output.\n"
    "Exit status: 0 all interpreters succeeded, 1 some failed, 2 bad usage, 3 could not run or write.\n";

int usage_error(const std::string &message) {
    std::fprintf(stderr, "pyimport-gaggle: %s\n", message.c_str());
    return kExitUsage;
}

// MODE,N[,...] starts with a mode; a setting may hold commas (modules=a,b).
bool looks_like_request(const std::string &arg) {
    return pyimport::parse_mode(arg.substr(0, arg.find(','))).has_value();
}

struct Arguments {
    std::vector<std::string> settings;
    std::string request;
    bool print = false;
    bool help = false;
    std::string release_at;  // as given; read once the site's bounds are known
    pyimport::JobIdentity job;
};

// Fails with the problem; --help succeeds with args.help set. Numbers are
// checked like everything else.
pyimport::Result<void> parse_arguments(int argc, char **argv, Arguments &args) {
    using pyimport::fail;
    args.job.node = pyimport::this_host_name();
    bool &help = args.help;
    auto number = [](auto &into, long long lo, long long hi) {
        return [&into, lo, hi](const std::string &v) -> pyimport::Result<void> {
            auto n = pyimport::parse_bounded_int(v, lo, hi);
            if (!n) return fail("needs a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
            into = static_cast<std::remove_reference_t<decltype(into)>>(*n);
            return pyimport::ok();
        };
    };
    pyimport::CommandLine spec;
    spec.values = {{"--node", [&](const std::string &v) { return args.job.node = v, pyimport::ok(); }},
                   {"--release-at", [&](const std::string &v) { return args.release_at = v, pyimport::ok(); }},
                   {"--job-id", number(args.job.job_id, 0, 999999999)},
                   {"--step-id", number(args.job.step_id, 0, 999999999)},
                   {"--node-index", number(args.job.node_index, 0, 999999)},
                   {"--node-count", number(args.job.node_count, 1, 999999)}};
    spec.flags = {{"--print", &args.print}, {"--help", &help}, {"-h", &help}};
    // MODE,N[,...] is the request; NAME=VALUE words are settings.
    spec.word = [&](const std::string &a) -> pyimport::Result<void> {
        if (!looks_like_request(a) && a.find('=') != std::string::npos) args.settings.push_back(a);
        else if (args.request.empty()) args.request = a;
        else return fail("unexpected argument " + pyimport::quote_text(a));
        return pyimport::ok();
    };
    auto parsed = pyimport::parse_command_line(std::vector<std::string>(argv + 1, argv + argc), spec);
    if (help) return pyimport::ok();
    if (!parsed) return parsed;
    if (args.request.empty()) return fail("missing MODE,N (e.g. conda,4)");
    if (args.job.node_index >= args.job.node_count) return fail("--node-index must be below --node-count");
    return pyimport::ok();
}

} // namespace

namespace {

int run(int argc, char **argv) {
    Arguments args;
    auto parsed = parse_arguments(argc, argv, args);
    if (parsed && args.help) return std::fputs(kUsage, stdout), kExitOk;
    if (!parsed) return usage_error(parsed.error() + "\n" + kUsage);

    auto site = pyimport::parse_site_settings(args.settings);
    if (!site) return usage_error(site.error());
    auto request = pyimport::parse_bench_option(args.request, pyimport::request_limits(*site));
    if (!request) return usage_error(request.error());

    pyimport::BenchmarkContext ctx;
    ctx.site = *site;
    if (args.print) ctx.site.outdir.clear();
    ctx.request = *request;
    if (!args.release_at.empty()) {
        if (!request->sync) return usage_error("--release-at and sync=off ask for opposite releases");
        auto at = pyimport::parse_release_at(args.release_at, pyimport::clock_ns(CLOCK_REALTIME),
                                             int64_t(site->sync_max_wait_ms) * 1000000);
        if (!at) return usage_error(at.error());
        ctx.release = {pyimport::SyncState::on, *at, ""};
    }
    ctx.job = args.job;
    ctx.job.uid = getuid();
    ctx.job.gid = getgid();
    const char *user = getenv("USER");
    ctx.job.user = user ? user : std::to_string(getuid());
    ctx.writer = {"pyimport-gaggle", pyimport::kVersion, pyimport::this_host_name()};
    for (char **e = environ; *e; ++e) ctx.job_env.emplace_back(*e);
    // The interpreters run in process groups of their own, out of reach of a
    // terminal's Ctrl-C: an interrupt stops the gaggle, which kills them all.
    // (The interpreters unblock every signal before they start.)
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&stop_signals, sig);
    sigprocmask(SIG_BLOCK, &stop_signals, nullptr);
    ctx.stop_fd = signalfd(-1, &stop_signals, SFD_CLOEXEC);

    auto outcome = pyimport::run_benchmark(ctx);
    if (!outcome) {
        std::fprintf(stderr, "pyimport-gaggle: %s\n", pyimport::escape_text(outcome.error(), 2000).c_str());
        return kExitRunFailed;
    }
    if (outcome->record_path.empty()) std::fputs(pyimport::record_to_json(outcome->record).c_str(), stdout);
    std::fprintf(stderr, "pyimport-gaggle: %s%s%s\n", pyimport::record_summary_line(outcome->record).c_str(),
                 outcome->record_path.empty() ? "" : ", record ", outcome->record_path.c_str());
    for (const auto &f : outcome->record.gaggle.interpreters)
        if (!f.succeeded()) return kExitInterpreterFailed;
    return kExitOk;
}

} // namespace

int main(int argc, char **argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "pyimport-gaggle: %s\n", e.what());
        return kExitRunFailed;
    }
}
