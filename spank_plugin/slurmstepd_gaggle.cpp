#include "slurmstepd_gaggle.hpp"

#include "benchmark_run.hpp"
#include "release_instant.hpp"
#include "slurmstepd_job_end_watch.hpp"
#include "sys_io.hpp"
#include "version.hpp"

#include <cstdlib>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>
#include <vector>

namespace pyimport::spank {

namespace {

// Step ids of slurm.h that are not a step the user launched with srun.
constexpr uint32_t kExternStep = 0xfffffffc, kBatchStep = 0xfffffffb, kInteractiveStep = 0xfffffffa;

template <typename T> bool item(spank_t sp, spank_item_t what, T &out) {
    return spank_get_item(sp, what, &out) == ESPANK_SUCCESS;
}

std::string user_name(uid_t uid) {
    std::vector<char> buf(16384);
    passwd pw, *found = nullptr;
    if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found) return pw.pw_name;
    return std::to_string(uid);
}

std::optional<std::string> env_value(const std::vector<std::string> &env, const std::string &name) {
    for (const auto &e : env)
        if (e.compare(0, name.size() + 1, name + "=") == 0) return e.substr(name.size() + 1);
    return std::nullopt;
}

// Identity, environment and ids of the job step; fails with the problem.
Result<void> describe_job(spank_t sp, BenchmarkContext &ctx) {
    uint32_t job = 0, step = 0, node_id = 0, nnodes = 0;
    uid_t uid;
    gid_t gid;
    char **env = nullptr;
    if (!item(sp, S_JOB_ID, job) || !item(sp, S_JOB_STEPID, step) || !item(sp, S_JOB_NODEID, node_id) ||
        !item(sp, S_JOB_NNODES, nnodes) || !item(sp, S_JOB_UID, uid) || !item(sp, S_JOB_GID, gid) ||
        !item(sp, S_JOB_ENV, env))
        return fail("cannot read the job's identity from Slurm");
    const char *node = std::getenv("SLURMD_NODENAME");  // gethostname() may be shared by nodes
    ctx.job = {job, step, node ? node : "", int(node_id), int(nnodes), uid, gid, user_name(uid), ""};
    for (char **e = env; e && *e; ++e) ctx.job_env.emplace_back(*e);  // Slurm's strings: copied, not kept
    ctx.job.cluster = env_value(ctx.job_env, "SLURM_CLUSTER_NAME").value_or("");

    // slurmstepd has already set the job user's groups for this callback.
    int count = getgroups(0, nullptr);
    std::vector<gid_t> groups(size_t(count > 0 ? count : 0));
    if (count < 0 || getgroups(count, groups.data()) != count) return fail("cannot read the job user's groups");
    ctx.become = Credentials{uid, gid, groups};
    return ok();
}

// Everything run_benchmark needs, from the site, the request and Slurm; fails with the problem.
Result<void> prepare(spank_t sp, const Result<SiteSettings> &site, const char *option_value, BenchmarkContext &ctx) {
    if (!site) return fail("site configuration is wrong: " + site.error());
    auto request = parse_bench_option(option_value, request_limits(*site));
    if (!request) return fail(request.error());
    ctx.site = *site;
    ctx.request = *request;
    ctx.writer = {"pyimport_bench.so", kVersion, this_host_name()};
    if (auto described = describe_job(sp, ctx); !described) return described;
    // srun's instant, through an environment the user may have changed: bounded here.
    ctx.release = plan_release(env_value(ctx.job_env, kReleaseAtVariable), ctx.request.sync,
                               clock_ns(CLOCK_REALTIME), int64_t(site->sync_max_wait_ms) * 1000000);
    return ok();
}

bool is_user_step(spank_t sp) {
    uint32_t step = 0;
    return item(sp, S_JOB_STEPID, step) && step != kBatchStep && step != kExternStep && step != kInteractiveStep;
}

} // namespace

int slurmstepd_run_gaggle(spank_t sp, const Result<SiteSettings> &site, const char *option_value) {
    if (!option_value || !is_user_step(sp)) return 0;
    const char *env_node = std::getenv("SLURMD_NODENAME");
    const std::string node = env_node ? env_node : "this node";
    BenchmarkContext ctx;
    if (auto prepared = prepare(sp, site, option_value, ctx); !prepared) {
        log_error(node + ": no record written: " + prepared.error());
        return 0;
    }
    const JobEndWatch job_end(ctx.job.job_id, job_end_check_interval_ms(*site, ctx.job.node_count));
    ctx.stop_fd = job_end.fd();
    auto outcome = run_benchmark(ctx);
    if (job_end.unanswered() > 0)
        log_error(node + ": slurmctld did not answer " + std::to_string(job_end.unanswered()) +
                  " of the questions whether the job still runs (cancel_check_ms=): a cancel would not have stopped "
                  "this gaggle before its timeout");
    if (outcome) {
        log_info(record_summary_line(outcome->record) + ", record " + outcome->record_path);
    } else if (job_end.ended()) {
        log_error(node + ": the job ended while its gaggle ran: interpreters killed, no record written");
        return -1;  // the job is gone: its tasks must not start, and srun must not report success
    } else {
        log_error(node + ": no record written: " + outcome.error());
    }
    return 0;
}

} // namespace pyimport::spank
