#include "benchmark_run.hpp"

#include "atomic_file.hpp"
#include "environment_files.hpp"
#include "fs_type.hpp"
#include "interpreter_command.hpp"
#include "interpreter_env.hpp"
#include "private_mount.hpp"
#include "private_workdir.hpp"
#include "record_measure.hpp"
#include "sys_io.hpp"
#include "text_escape.hpp"
#include "trusted_path.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <sys/stat.h>
#include <unistd.h>

namespace pyimport {

namespace {

// importtime output kept per interpreter: the study's seven imports write
// 92 KB of it (tests/unit/samples/importtime-study.txt); what an interpreter
// writes beyond this is not parsed. The gaggle holds twice this per interpreter.
constexpr size_t kImportTimeCaptureBytes = size_t(256) << 10;

RunDescription describe(const BenchmarkContext &ctx, const InterpreterCommand &cmd, int timeout_s) {
    RunDescription run;
    run.mode = mode_name(ctx.request.mode);
    run.language = language_name(ctx.request.language);
    run.gaggle_size = ctx.request.gaggle_size;
    run.argv = cmd.argv;
    run.modules = cmd.modules;
    run.env_path = cmd.env_path;
    run.image = cmd.image;
    run.runtime = cmd.runtime;
    run.mount_driver = cmd.mount_driver;
    run.fs_type = fs_type_of(cmd.image.empty() ? (cmd.env_path.empty() ? cmd.argv[0] : cmd.env_path) : cmd.image);
    run.timeout_s = timeout_s;
    run.workdir = ctx.site.workdir;  // the setting; the gaggle ran in a private directory inside it
    run.label = ctx.request.label;
    run.importtime = ctx.request.importtime;
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

// Claims the record's file in the outdir before anything runs, so a
// directory that cannot take it fails before the gaggle, and holds it, so the
// path cannot be swapped until the record is written.
Result<void> claim_record_file(const BenchmarkContext &ctx, PendingFile &file) {
    const std::string what = "output directory " + quote_text(ctx.site.outdir) + ": ";
    const auto dirfd = open_trusted_directory(ctx.site.outdir);
    if (!dirfd) return fail(what + dirfd.error());
    std::string unique;
    if (!random_name_part(unique)) {
        auto failure = fail(what + errno_text("getrandom"));
        close(*dirfd);
        return failure;
    }
    if (auto opened = file.open(*dirfd, ctx.site.outdir, record_file_name(ctx.job, unique)); !opened)
        return fail(what + opened.error());
    return ok();
}

// ch-run (Charliecloud 0.31) makes /var/tmp/$USER.ch, its SquashFS mount
// point's parent (0.38 also the mount point, mnt), on first use; interpreters
// that start together race on it and lose ("can't mkdir: ... File exists"). Made here first, as the job user;
// one that someone else made first would give the job's images another
// user's directory, so it is refused. Fails with the problem.
Result<void> prepare_charliecloud_storage(const std::vector<std::string> &env) {
    std::string user;
    for (const auto &e : env)
        if (e.rfind("USER=", 0) == 0) user = e.substr(5);
    if (user.empty() || user.find('/') != std::string::npos || user == "." || user == "..") return ok();
    const std::string path = "/var/tmp/" + user + ".ch";
    if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
        return fail(errno_text("cannot create ch-run's directory " + path));
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) return fail(errno_text("ch-run's directory " + path));
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())
        return fail("ch-run's directory " + quote_text(path) + " is not a directory of the job user's (uid " +
                    std::to_string(st.st_uid) + "): ch-run would use it");
    // Charliecloud 0.38 makes its mount point below it the same racy way.
    const std::string mount_point = path + "/mnt";
    if (mkdir(mount_point.c_str(), 0700) != 0 && errno != EEXIST)
        return fail(errno_text("cannot create ch-run's mount point " + mount_point));
    return ok();
}

} // namespace

Result<BenchmarkOutcome> run_benchmark(const BenchmarkContext &ctx) {
    auto cmd = build_interpreter_command(ctx.site, ctx.request);
    if (!cmd) return fail(cmd.error());
    if (auto usable = check_command_usable(*cmd); !usable) return fail(usable.error());
    if (!cmd->mount_at.empty())
        if (auto owned = check_image_is_site_owned(cmd->image); !owned) return fail(owned.error());

    PendingFile record_file;
    if (!ctx.site.outdir.empty())
        if (auto claimed = claim_record_file(ctx, record_file); !claimed) return fail(claimed.error());
    PrivateWorkdir workdir;
    if (auto created = workdir.create(ctx.site.workdir); !created)
        return fail("workdir " + quote_text(ctx.site.workdir) + ": " + created.error());

    GaggleSpec spec;
    spec.argv = cmd->argv;
    spec.env = gaggle_env(ctx, *cmd);
    spec.size = ctx.request.gaggle_size;
    spec.timeout_s = ctx.request.timeout_s ? ctx.request.timeout_s : ctx.site.timeout_s;
    spec.workdir = workdir.path();
    spec.become = ctx.become;
    spec.limits = job_resource_limits(ctx.job_env);
    spec.release_at_unix_ns = ctx.release.at_unix_ns;
    spec.stop_fd = ctx.stop_fd;
    spec.use_cgroup = ctx.site.cgroup;
    if (ctx.request.importtime) spec.stderr_head_bytes = kImportTimeCaptureBytes;
    if (cmd->runtime == runtime_name(Runtime::charliecloud) && cmd->mount_driver == "squashfuse")
        if (auto prepared = prepare_charliecloud_storage(spec.env); !prepared) return fail(prepared.error());

    BenchmarkOutcome outcome;
    Record &rec = outcome.record;
    rec.writer = ctx.writer;
    rec.job = ctx.job;
    rec.run = describe(ctx, *cmd, spec.timeout_s);
    rec.gaggle.sync = sync_state_name(ctx.release.state);
    rec.gaggle.sync_note = ctx.release.note;
    const auto measured = cmd->mount_at.empty() ? measure_into(rec, *cmd, spec)
                                                : measure_in_private_mount(rec, *cmd, spec);
    if (!measured) return fail(measured.error());

    if (!ctx.site.outdir.empty()) {
        if (auto committed = record_file.commit(record_to_json(rec), ctx.site.record_mode); !committed)
            return fail(committed.error());
        outcome.record_path = record_file.path();
    }
    return outcome;
}

std::string this_host_name() {
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    return host;
}

std::string record_summary_line(const Record &rec) {
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
    std::snprintf(line, sizeof line, "%s: %s,%d: median %.3f s, gaggle %.3f s, %d failed",
                  escape_text(rec.job.node, 64).c_str(), escape_text(rec.run.mode, 16).c_str(), rec.run.gaggle_size,
                  median, rec.gaggle.wall_ns / 1e9, failed);
    return line;
}

} // namespace pyimport
