// One benchmark end to end without Slurm: command, gaggle, record in outdir.
// Any absolute program works as an "interpreter": /bin/true ignores "-c ...".
#include "benchmark_run.hpp"
#include "unit_support.hpp"

#include <sys/stat.h>

using namespace pyimport;
using unit::expect_eq;
using unit::expect_message;
using unit::TempDir;

TestSuite(benchmark_run, .timeout = 30);

namespace {

BenchmarkContext conda_context(const std::string &python, const std::string &outdir, int size = 2) {
    BenchmarkContext ctx;
    ctx.site.conda_python = python;
    ctx.site.outdir = outdir;
    ctx.site.modules = {"os", "json"};
    ctx.request.mode = Mode::conda;
    ctx.request.gaggle_size = size;
    ctx.request.label = "unit";
    ctx.job.job_id = 77;
    ctx.job.step_id = 0;
    ctx.job.node = "node-a";
    ctx.job.user = "alice";
    ctx.writer = {"pyimport-gaggle", "0.1.0", "host-a"};
    ctx.job_env = {"PATH=/usr/bin:/bin"};
    return ctx;
}

BenchmarkOutcome ran(const BenchmarkContext &ctx) {
    std::string error;
    auto outcome = run_benchmark(ctx, error);
    cr_assert(outcome.has_value(), "benchmark failed: %s", error.c_str());
    return *outcome;
}

std::string failed(const BenchmarkContext &ctx) {
    std::string error;
    cr_assert(!run_benchmark(ctx, error).has_value(), "benchmark succeeded");
    return error;
}

InterpreterFigures figures(int64_t wall_ns, int exit_code = 0) {
    InterpreterFigures f;
    f.wall_ns = wall_ns;
    f.exit_code = exit_code;
    return f;
}

Record summarized_record(std::vector<InterpreterFigures> interpreters, int64_t gaggle_wall_ns) {
    Record r;
    r.job.node = "n1";
    r.run.mode = "conda";
    r.run.gaggle_size = int(interpreters.size());
    r.gaggle.wall_ns = gaggle_wall_ns;
    r.gaggle.interpreters = std::move(interpreters);
    return r;
}

} // namespace

Test(benchmark_run, conda_run_writes_a_record_that_round_trips) {
    TempDir outdir;
    const BenchmarkOutcome outcome = ran(conda_context("/bin/true", outdir.path()));
    expect_eq(outcome.record_path, outdir.file("pyimport-77.0-node-a.json"), "record_path");
    expect_eq(outdir.entries(), {"pyimport-77.0-node-a.json"}, "outdir");

    std::string error;
    auto rec = record_from_json(unit::read_text(outcome.record_path), error);
    cr_assert(rec.has_value(), "written record unreadable: %s", error.c_str());
    expect_eq(record_to_json(*rec), record_to_json(outcome.record), "record read back");
    expect_eq(rec->writer.program, "pyimport-gaggle", "writer.program");
    expect_eq(rec->job.node, "node-a", "job.node");
    expect_eq(rec->run.mode, "conda", "run.mode");
    expect_eq(rec->run.argv, {"/bin/true", "-c", "import os, json"}, "run.argv");
    expect_eq(rec->run.modules, {"os", "json"}, "run.modules");
    expect_eq(rec->run.label, "unit", "run.label");
    expect_eq(rec->run.workdir, "/tmp", "run.workdir");
    expect_eq(rec->run.mount_driver, "directory", "run.mount_driver");
    cr_assert(!rec->run.fs_type.empty(), "no fs_type for /bin/true");
    cr_assert_eq(rec->run.timeout_s, 300, "the site's timeout applies");
    cr_assert_eq(rec->run.gaggle_size, 2);
    for (const InterpreterFigures &f : rec->gaggle.interpreters) cr_assert(f.succeeded(), "interpreter %d failed", f.index);
}

Test(benchmark_run, conda_interpreters_get_job_env_env_file_and_setenv) {
    TempDir env;  // an environment tree with the variables file pyimport-env-build leaves
    cr_assert(mkdir(env.file(".pyimport").c_str(), 0755) == 0);
    unit::write_text(env.file(".pyimport/env"), "# comment\nCONDA_PREFIX=" + env.path() + "\n");
    const std::string python = env.file("python3");  // writes its environment where the test finds it
    unit::write_text(python, "#!/bin/sh\ncat /proc/$$/environ > " + env.file("environ") + "\n");
    chmod(python.c_str(), 0755);
    BenchmarkContext ctx = conda_context(python, "", 1);
    ctx.site.conda = env.path();
    ctx.site.setenv = {"OMP_NUM_THREADS=1", "HOME=/site"};
    ctx.job_env = {"PATH=/usr/bin:/bin", "HOME=/home/alice", "MPLBACKEND=TkAgg"};
    cr_assert(ran(ctx).record.gaggle.interpreters[0].succeeded());
    expect_eq(unit::split_nul(unit::read_text(env.file("environ"))),
              {"PATH=/usr/bin:/bin", "HOME=/site", "MPLBACKEND=Agg", "PYTHONDONTWRITEBYTECODE=1",
               "CONDA_PREFIX=" + env.path(), "OMP_NUM_THREADS=1"},
              "environment");
}

Test(benchmark_run, requested_timeout_wins) {
    BenchmarkContext ctx = conda_context("/bin/true", "", 1);
    ctx.request.timeout_s = 5;
    cr_assert_eq(ran(ctx).record.run.timeout_s, 5);
}

Test(benchmark_run, no_outdir_measures_without_writing) {
    const BenchmarkOutcome outcome = ran(conda_context("/bin/true", "", 3));
    expect_eq(outcome.record_path, "", "record_path");
    cr_assert_eq(outcome.record.gaggle.interpreters.size(), 3u);
}

Test(benchmark_run, failing_interpreters_are_recorded) {
    TempDir outdir;
    const BenchmarkOutcome outcome = ran(conda_context("/bin/false", outdir.path()));
    for (const InterpreterFigures &f : outcome.record.gaggle.interpreters) cr_assert_eq(f.exit_code, 1);
    expect_eq(outdir.entries(), {"pyimport-77.0-node-a.json"}, "outdir");
}

Test(benchmark_run, missing_interpreter_writes_nothing) {
    TempDir outdir;
    expect_message(failed(conda_context("/nonexistent/env/bin/python3", outdir.path())),
                   {"interpreter /nonexistent/env/bin/python3 is not executable: No such file or directory"});
    expect_eq(outdir.entries(), {}, "outdir");
}

Test(benchmark_run, unconfigured_mode_writes_nothing) {
    TempDir outdir;
    BenchmarkContext ctx = conda_context("/bin/true", outdir.path());
    ctx.request.mode = Mode::container;
    expect_message(failed(ctx), {"container mode is not configured on this cluster"});
    expect_eq(outdir.entries(), {}, "outdir");
}

Test(benchmark_run, missing_outdir_is_an_error) {
    TempDir dir;
    expect_message(failed(conda_context("/bin/true", dir.file("missing"))),
                   {"cannot open output directory " + dir.file("missing")});
}

Test(benchmark_run, summary_line) {
    // Odd count: the middle wall; even count: the mean of the two middle ones.
    expect_eq(summarize(summarized_record({figures(3000000), figures(1000000), figures(2000000, 1)}, 3600000)),
              "n1: conda,3: median 0.002 s, gaggle 0.004 s, 1 failed", "odd count");
    expect_eq(summarize(summarized_record({figures(1000000), figures(4000000)}, 4000000)),
              "n1: conda,2: median 0.003 s, gaggle 0.004 s, 0 failed", "even count");
}
