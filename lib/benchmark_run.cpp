#include "benchmark_run.hpp"

#include "atomic_file.hpp"
#include "environment_files.hpp"
#include "fs_type.hpp"
#include "interpreter_command.hpp"
#include "interpreter_env.hpp"
#include "private_mount.hpp"
#include "record_measure.hpp"

#include <algorithm>
#include <cstdio>
#include <unistd.h>

namespace pyimport {

namespace {

RunDescription describe(const BenchmarkContext &ctx, const InterpreterCommand &cmd, int timeout_s) {
    RunDescription run;
    run.mode = mode_name(ctx.request.mode);
    run.gaggle_size = ctx.request.gaggle_size;
    run.argv = cmd.argv;
    run.modules = cmd.modules;
    run.env_path = cmd.env_path;
    run.image = cmd.image;
    run.runtime = cmd.runtime;
    run.mount_driver = cmd.mount_driver;
    run.fs_type = fs_type_of(cmd.image.empty() ? (cmd.env_path.empty() ? cmd.argv[0] : cmd.env_path) : cmd.image);
    run.timeout_s = timeout_s;
    run.workdir = ctx.site.workdir;
    run.label = ctx.request.label;
    return run;
}

// The job's environment plus, for interpreters on host paths (conda, kernel),
// the environment's own variables and the site's setenv=; runtimes get the
// job's environment alone (host paths mean nothing inside the container).
std::vector<std::string> gaggle_env(const BenchmarkContext &ctx, const InterpreterCommand &cmd) {
    std::vector<std::string> extra;
    if (cmd.host_paths) {
        extra = read_env_vars(ctx.site.conda);
        extra.insert(extra.end(), ctx.site.setenv.begin(), ctx.site.setenv.end());
    } else if (ctx.site.runtime == Runtime::charliecloud) {
        bool has_user = false;  // ch-run refuses to start without $USER
        for (const auto &e : ctx.job_env) has_user |= e.rfind("USER=", 0) == 0;
        if (!has_user) extra.push_back("USER=" + ctx.job.user);
    }
    return interpreter_env(ctx.job_env, extra);
}

} // namespace

std::optional<BenchmarkOutcome> run_benchmark(const BenchmarkContext &ctx, std::string &error) {
    auto cmd = build_interpreter_command(ctx.site, ctx.request, error);
    if (!cmd || !check_command_usable(*cmd, error)) return std::nullopt;
    if (!cmd->mount_at.empty() && !(error = check_image_is_site_owned(cmd->image)).empty()) return std::nullopt;

    GaggleSpec spec;
    spec.argv = cmd->argv;
    spec.env = gaggle_env(ctx, *cmd);
    spec.size = ctx.request.gaggle_size;
    spec.timeout_s = ctx.request.timeout_s ? ctx.request.timeout_s : ctx.site.timeout_s;
    spec.workdir = ctx.site.workdir;
    spec.become = ctx.become;

    BenchmarkOutcome outcome;
    Record &rec = outcome.record;
    rec.writer = ctx.writer;
    rec.job = ctx.job;
    rec.run = describe(ctx, *cmd, spec.timeout_s);
    const bool measured = cmd->mount_at.empty() ? measure_into(rec, *cmd, spec, error)
                                                : measure_in_private_mount(rec, *cmd, spec, error);
    if (!measured) return std::nullopt;

    if (!ctx.site.outdir.empty()) {
        const std::string name = record_file_name(rec.job, record_name_token());
        if (!write_file_atomically(ctx.site.outdir, name, record_to_json(rec), error)) return std::nullopt;
        outcome.record_path = ctx.site.outdir + "/" + name;
    }
    return outcome;
}

std::string this_host_name() {
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    return host;
}

std::string summarize(const Record &rec) {
    std::vector<int64_t> walls;
    int failed = 0;
    for (const auto &f : rec.gaggle.interpreters) {
        walls.push_back(f.wall_ns);
        failed += !f.succeeded();
    }
    std::sort(walls.begin(), walls.end());
    double median = walls.empty() ? 0
                    : walls.size() % 2 ? walls[walls.size() / 2] / 1e9
                                       : (walls[walls.size() / 2 - 1] + walls[walls.size() / 2]) / 2e9;
    char line[256];
    std::snprintf(line, sizeof line, "%s: %s,%d: median %.3f s, gaggle %.3f s, %d failed", rec.job.node.c_str(),
                  rec.run.mode.c_str(), rec.run.gaggle_size, median, rec.gaggle.wall_ns / 1e9, failed);
    return line;
}

} // namespace pyimport
