// One benchmark end to end without Slurm: command, gaggle, record in outdir.
// Any absolute program works as an "interpreter": /bin/true ignores "-c ...".
#include "benchmark_run.hpp"
#include "unit_support.hpp"

#include <grp.h>
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
    auto outcome = run_benchmark(ctx);
    std::string error = unit::error_of(outcome);
    cr_assert(bool(outcome), "benchmark failed: %s", error.c_str());
    return *outcome;
}

std::string failed(const BenchmarkContext &ctx) {
    auto result = run_benchmark(ctx);
    std::string error = unit::error_of(result);
    cr_assert(!bool(result), "benchmark succeeded");
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

// The record's file name: pyimport-77.0-node-a-<16 random characters>.json.
bool is_record_name(const std::string &name) {
    const std::string prefix = "pyimport-77.0-node-a-", suffix = ".json";
    return name.size() == prefix.size() + 16 + suffix.size() && name.rfind(prefix, 0) == 0 &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void holds_one_record(const TempDir &outdir) {
    const std::vector<std::string> names = outdir.entries();
    cr_assert(names.size() == 1 && is_record_name(names[0]), "outdir: [%s]", unit::join(names).c_str());
}

void make_script(const std::string &path, const std::string &body) {
    unit::write_text(path, "#!/bin/sh\n" + body);
    cr_assert(chmod(path.c_str(), 0755) == 0);
}

bool exists(const std::string &path) {
    struct stat st;
    return lstat(path.c_str(), &st) == 0;
}

// Throw-away ids for the job user and another user: no passwd entry needed.
constexpr uid_t kJobUser = 4243, kOther = 4242;

// A json.py in `dir`, owned by another user, that leaves `marker` when imported.
void plant_json_module(const std::string &dir, const std::string &marker) {
    const std::string module = dir + "/json.py";
    unit::write_text(module, "open('" + marker + "', 'w').write('planted code ran')\n");
    cr_assert(chmod(module.c_str(), 0644) == 0);
    if (unit::running_as_root()) cr_assert(chown(module.c_str(), kOther, kOther) == 0);
}

// What interpreters may leave in their working directory: a core file, a
// cache directory they made unwritable, and (the line goes on) a link.
const std::string kLeaveLitter = "touch core.$$\nmkdir -p cache.$$/deep && chmod 500 cache.$$\nln -s ";

std::vector<std::string> entries(const std::string &dir) {
    std::vector<std::string> names;
    if (DIR *d = opendir(dir.c_str())) {
        while (dirent *e = readdir(d))
            if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.push_back(e->d_name);
        closedir(d);
    }
    std::sort(names.begin(), names.end());
    return names;
}

// Below a root-owned `top`: a workdir base and an outdir shared like /tmp,
// and a directory for the interpreters' reports.
struct Shared {
    std::string base, out, report;
};

Shared shared_dirs(const TempDir &top) {
    chmod(top.path().c_str(), 0755);
    Shared dirs{top.file("tmp"), top.file("out"), top.file("report")};
    for (const std::string &d : {dirs.base, dirs.out, dirs.report}) {
        cr_assert(mkdir(d.c_str(), 0700) == 0);
        chmod(d.c_str(), 01777);
    }
    return dirs;
}

// run_benchmark as in slurmstepd's user_init: real uid 0, effective ids and
// groups the job user's; "" when every interpreter succeeded.
std::string run_as_slurmstepd(BenchmarkContext ctx) {
    ctx.become = Credentials{kJobUser, kJobUser, {kJobUser}};
    return unit::in_child([&]() -> std::string {
        const gid_t gid = kJobUser;
        if (setgroups(1, &gid) != 0 || setresgid(-1, kJobUser, -1) != 0 || setresuid(-1, kJobUser, -1) != 0)
            return std::string("cannot take the job user's effective ids: ") + std::strerror(errno);
        auto outcome = run_benchmark(ctx);
        std::string error = unit::error_of(outcome);
        if (!outcome) return error;
        for (const InterpreterFigures &f : outcome->record.gaggle.interpreters)
            if (!f.succeeded()) return "interpreter failed: " + f.stderr_tail;
        return std::string();
    });
}

} // namespace

Test(benchmark_run, conda_run_writes_a_record_that_round_trips) {
    TempDir outdir;
    const BenchmarkOutcome outcome = ran(conda_context("/bin/true", outdir.path()));
    holds_one_record(outdir);
    expect_eq(outcome.record_path, outdir.file(outdir.entries()[0]), "record_path");

    auto rec = record_from_json(unit::read_text(outcome.record_path));
    std::string error = unit::error_of(rec);
    cr_assert(bool(rec), "written record unreadable: %s", error.c_str());
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
               "PYTHONSAFEPATH=1", "PYTHONNOUSERSITE=1", "R_LIBS_USER=NULL", "CONDA_PREFIX=" + env.path(),
               "OMP_NUM_THREADS=1"},
              "environment");
}

// What a user's login shell or `module load` leaves in the job's environment
// must not change what a real interpreter loads: code planted on PYTHONPATH,
// in the user's site directory or on PERL5LIB never runs.
Test(benchmark_run, the_jobs_search_paths_do_not_reach_real_interpreters) {
    TempDir home, outdir;
    const std::string marker = home.file("planted-code-ran");
    cr_assert(mkdir(home.file("pypath").c_str(), 0755) == 0 && mkdir(home.file("perl5").c_str(), 0755) == 0);
    unit::write_text(home.file("pypath/json.py"), "open('" + marker + "-pythonpath', 'w').close()\n");
    // Python runs usercustomize from the user's site directory at start-up, unless told not to.
    std::string user_site;
    if (FILE *p = popen(("env -i HOME=" + home.path() +
                         " /usr/bin/python3 -c 'import site; print(site.getusersitepackages())'").c_str(), "r")) {
        char line[512] = {};
        if (fgets(line, sizeof line, p)) user_site = line;
        pclose(p);
    }
    if (!user_site.empty() && user_site.back() == '\n') user_site.pop_back();
    cr_assert(user_site.rfind(home.path() + "/", 0) == 0, "user site: %s", user_site.c_str());
    cr_assert(system(("mkdir -p '" + user_site + "'").c_str()) == 0);
    unit::write_text(user_site + "/usercustomize.py", "open('" + marker + "-usersite', 'w').close()\n");
    unit::write_text(home.file("perl5/strict.pm"), "open(my $f, '>', '" + marker + "-perl5lib'); 1;\n");

    BenchmarkContext ctx = conda_context("/usr/bin/python3", outdir.path(), 2);
    ctx.job_env = {"PATH=/usr/bin:/bin", "HOME=" + home.path(), "PYTHONPATH=" + home.file("pypath"),
                   "PERL5LIB=" + home.file("perl5"), "PERL5OPT=-Mstrict"};
    for (const auto &f : ran(ctx).record.gaggle.interpreters) cr_assert(f.succeeded(), "python %d failed", f.index);
    ctx.request.language = Language::perl;
    ctx.site.conda_perl = "/usr/bin/perl";
    ctx.site.perl_modules = {"strict"};
    for (const auto &f : ran(ctx).record.gaggle.interpreters) cr_assert(f.succeeded(), "perl %d failed", f.index);
    expect_eq(unit::join(home.entries()), ".local | perl5 | pypath", "the home directory (no marker)");
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
    holds_one_record(outdir);
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

Test(benchmark_run, missing_outdir_is_an_error_before_the_gaggle) {
    TempDir dir;
    const std::string python = dir.file("python3");
    make_script(python, "touch " + dir.file("ran") + "\n");
    expect_message(failed(conda_context(python, dir.file("missing"))),
                   {"output directory '" + dir.file("missing") + "': cannot open '" + dir.file("missing") +
                    "': No such file or directory"});
    cr_assert(!exists(dir.file("ran")), "an interpreter ran although no record could be written");
}

Test(benchmark_run, outdir_others_may_swap_is_refused_before_the_gaggle) {
    TempDir dir, outdir;
    const std::string python = dir.file("python3");
    make_script(python, "touch " + dir.file("ran") + "\n");
    chmod(outdir.path().c_str(), 0777);  // world-writable without the sticky bit
    expect_message(failed(conda_context(python, outdir.path())),
                   {"output directory '" + outdir.path() + "': '" + outdir.path() +
                    "' is writable by group or others and not sticky"});
    cr_assert(!exists(dir.file("ran")), "an interpreter ran although no record could be written");
    expect_eq(outdir.entries(), {}, "outdir");
}

Test(benchmark_run, the_records_file_is_claimed_before_the_gaggle) {
    TempDir dir, outdir;
    const std::string python = dir.file("python3");  // lists the outdir while it runs
    make_script(python, "ls -A " + outdir.path() + " > " + dir.file("listing") + "\n");
    ran(conda_context(python, outdir.path(), 1));
    const std::string listing = unit::read_text(dir.file("listing"));
    cr_assert(listing.rfind(".pyimport-77.0-node-a-", 0) == 0 && unit::contains(listing, ".json.tmp."),
              "outdir during the gaggle: '%s'", listing.c_str());
    holds_one_record(outdir);
}

Test(benchmark_run, a_failed_gaggle_leaves_no_temporary) {
    if (!unit::running_as_root()) cr_skip_test("needs root to switch ids");
    TempDir outdir;
    BenchmarkContext ctx = conda_context("/bin/true", outdir.path(), 1);
    // Children switching to another user than the one who created the private
    // workdir (root here; the job user in slurmstepd) cannot enter it: the
    // gaggle fails before its release.
    ctx.become = Credentials{unit::kNobody, unit::kNobody, {unit::kNobody}};
    expect_message(failed(ctx), {"could not chdir to workdir: Permission denied"});
    expect_eq(outdir.entries(), {}, "outdir");
}

Test(benchmark_run, record_mode_is_the_sites) {
    TempDir outdir;
    BenchmarkContext ctx = conda_context("/bin/true", outdir.path(), 1);
    ctx.site.record_mode = 0640;
    struct stat st;
    cr_assert(stat(ran(ctx).record_path.c_str(), &st) == 0);
    cr_assert_eq(st.st_mode & 07777, 0640u, "mode %o", st.st_mode & 07777);
}

Test(benchmark_run, a_module_planted_in_the_workdir_does_not_run) {
    TempDir base, report;
    chmod(base.path().c_str(), 01777);  // shared like /tmp
    plant_json_module(base.path(), report.file("marker"));
    BenchmarkContext ctx = conda_context("/usr/bin/python3", "", 2);
    ctx.site.workdir = base.path();
    ctx.site.modules = {"json"};
    const BenchmarkOutcome outcome = ran(ctx);
    for (const InterpreterFigures &f : outcome.record.gaggle.interpreters)
        cr_assert(f.succeeded(), "interpreter %d failed: %s", f.index, f.stderr_tail.c_str());
    cr_assert(!exists(report.file("marker")), "the planted json.py ran in the gaggle");
    expect_eq(base.entries(), {"json.py"}, "workdir base after the gaggle");
}

Test(benchmark_run, the_private_workdir_alone_keeps_planted_modules_out) {
    TempDir base, report;
    chmod(base.path().c_str(), 01777);
    plant_json_module(base.path(), report.file("marker"));
    BenchmarkContext ctx = conda_context("/usr/bin/python3", "", 1);
    ctx.site.workdir = base.path();
    ctx.site.modules = {"json"};
    ctx.site.setenv = {"PYTHONSAFEPATH="};  // as for a Python before 3.11: the cwd is on sys.path
    cr_assert(ran(ctx).record.gaggle.interpreters[0].succeeded());
    cr_assert(!exists(report.file("marker")), "the planted json.py ran in the gaggle");
}

Test(benchmark_run, each_gaggle_runs_in_a_private_directory_removed_after_it) {
    TempDir base, report, elsewhere;
    unit::write_text(elsewhere.file("precious"), "keep");
    const std::string python = report.file("python3");
    // Reports where it ran and how that looked, and leaves what interpreters leave.
    make_script(python, "pwd > " + report.file("cwd.$$") + "\nstat -c %a . > " + report.file("mode.$$") +
                            "\n" + kLeaveLitter + elsewhere.file("precious") + " link.$$\nln -s " +
                            elsewhere.path() + " dirlink.$$\n");
    BenchmarkContext ctx = conda_context(python, "", 2);
    ctx.site.workdir = base.path() + "/";
    const BenchmarkOutcome outcome = ran(ctx);
    expect_eq(outcome.record.run.workdir, base.path() + "/", "run.workdir: the site's setting");
    std::vector<std::string> cwds;
    for (const auto &name : report.entries())
        if (name.rfind("cwd.", 0) == 0) cwds.push_back(unit::read_text(report.file(name)));
        else if (name.rfind("mode.", 0) == 0) expect_eq(unit::read_text(report.file(name)), "700\n", "mode");
    cr_assert_eq(cwds.size(), 2u);
    expect_eq(cwds[1], cwds[0], "both interpreters ran in one directory");
    cr_assert(cwds[0].rfind(base.path() + "/pyimport-", 0) == 0, "cwd %s", cwds[0].c_str());
    expect_eq(base.entries(), {}, "workdir base after the gaggle");
    expect_eq(elsewhere.entries(), {"precious"}, "what the links pointed to");
    expect_eq(unit::read_text(elsewhere.file("precious")), "keep", "a link's target");
}

Test(benchmark_run, a_workdir_others_may_write_without_sticky_bit_is_refused) {
    TempDir base, report, outdir;
    chmod(base.path().c_str(), 0777);
    const std::string python = report.file("python3");
    make_script(python, "touch " + report.file("ran") + "\n");
    BenchmarkContext ctx = conda_context(python, outdir.path());
    ctx.site.workdir = base.path();
    expect_message(failed(ctx), {"workdir '" + base.path() + "': '" + base.path() +
                                 "' is writable by group or others and not sticky"});
    cr_assert(!exists(report.file("ran")), "an interpreter ran");
    expect_eq(outdir.entries(), {}, "outdir: the claimed temporary is removed");
    expect_eq(base.entries(), {}, "workdir base");
}

Test(benchmark_run, as_slurmstepd_planted_modules_do_not_run_and_the_job_user_owns_the_record) {
    if (!unit::running_as_root()) cr_skip_test("needs root to act as slurmstepd");
    TempDir top;
    const Shared dirs = shared_dirs(top);
    plant_json_module(dirs.base, dirs.report + "/marker");
    BenchmarkContext ctx = conda_context("/usr/bin/python3", dirs.out, 2);
    ctx.site.workdir = dirs.base;
    ctx.site.modules = {"json"};
    expect_eq(run_as_slurmstepd(ctx), "", "run as slurmstepd");
    cr_assert(!exists(dirs.report + "/marker"), "the planted json.py ran in the gaggle");
    expect_eq(entries(dirs.base), {"json.py"}, "workdir base after the gaggle");
    const std::vector<std::string> records = entries(dirs.out);
    cr_assert_eq(records.size(), 1u, "records: [%s]", unit::join(records).c_str());
    struct stat st;
    cr_assert(stat((dirs.out + "/" + records[0]).c_str(), &st) == 0);
    cr_assert(st.st_uid == kJobUser && (st.st_mode & 07777) == 0644, "record uid %u mode %o", st.st_uid, st.st_mode);
}

Test(benchmark_run, as_slurmstepd_the_job_users_litter_is_removed) {
    if (!unit::running_as_root()) cr_skip_test("needs root to act as slurmstepd");
    TempDir top;
    const Shared dirs = shared_dirs(top);
    const std::string python = dirs.report + "/python3";
    make_script(python, "stat -c '%u %a' . > " + dirs.report + "/cwd.$$\n" + kLeaveLitter + dirs.report +
                            "/python3 link.$$\nchmod 0 .\n");
    BenchmarkContext ctx = conda_context(python, dirs.out, 1);  // one: the last line locks the directory
    ctx.site.workdir = dirs.base;
    expect_eq(run_as_slurmstepd(ctx), "", "run as slurmstepd");
    cr_assert(unit::contains(unit::join(entries(dirs.report)), "cwd."), "the interpreter did not report");
    for (const auto &name : entries(dirs.report))
        if (name.rfind("cwd.", 0) == 0) expect_eq(unit::read_text(dirs.report + "/" + name), "4243 700\n", "private workdir");
    expect_eq(entries(dirs.base), {}, "workdir base after the gaggle");
}

Test(benchmark_run, summary_line) {
    // Odd count: the middle wall; even count: the mean of the two middle ones.
    expect_eq(record_summary_line(summarized_record({figures(3000000), figures(1000000), figures(2000000, 1)}, 3600000)),
              "n1: conda,3: median 0.002 s, gaggle 0.004 s, 1 failed", "odd count");
    expect_eq(record_summary_line(summarized_record({figures(1000000), figures(4000000)}, 4000000)),
              "n1: conda,2: median 0.003 s, gaggle 0.004 s, 0 failed", "even count");
}

Test(benchmark_run, kernel_runtime_gaggles_run_in_the_private_workdir_too) {
    if (!unit::running_as_root()) cr_skip_test("needs root to mount an image");
    if (std::system("command -v mksquashfs >/dev/null") != 0) cr_skip_test("needs mksquashfs");
    TempDir top;
    const Shared dirs = shared_dirs(top);
    const std::string tree = top.file("tree"), env = top.file("env"), image = top.file("env.sqfs");
    cr_assert(mkdir(tree.c_str(), 0755) == 0 && mkdir(env.c_str(), 0755) == 0);
    // The interpreter inside the image, run from the mount in the holder's namespace.
    make_script(tree + "/python3", "pwd > " + dirs.report + "/cwd.$$\n" + kLeaveLitter + "/ link.$$\n");
    cr_assert(std::system(("mksquashfs " + tree + " " + image + " -noappend -quiet >/dev/null 2>&1").c_str()) == 0);
    BenchmarkContext ctx = conda_context("", dirs.out, 2);
    ctx.site.conda = env;
    ctx.site.conda_python = env + "/python3";
    ctx.site.mount_at = env;
    ctx.site.image = image;
    ctx.site.runtime = Runtime::kernel;
    ctx.site.workdir = dirs.base;
    ctx.request.mode = Mode::container;
    expect_eq(run_as_slurmstepd(ctx), "", "run as slurmstepd");
    std::vector<std::string> cwds;
    for (const auto &name : entries(dirs.report))
        if (name.rfind("cwd.", 0) == 0) cwds.push_back(unit::read_text(dirs.report + "/" + name));
    cr_assert_eq(cwds.size(), 2u, "reports: [%s]", unit::join(entries(dirs.report)).c_str());
    cr_assert(cwds[0].rfind(dirs.base + "/pyimport-", 0) == 0, "cwd %s", cwds[0].c_str());
    expect_eq(entries(dirs.base), {}, "workdir base after the gaggle");
    expect_eq(entries(dirs.out).size() == 1 ? "one record" : unit::join(entries(dirs.out)), "one record", "outdir");
}

namespace {

// Container mode through a stand-in for ch-run that runs the interpreter itself.
BenchmarkContext charliecloud_context(const TempDir &dir, const std::string &user) {
    BenchmarkContext ctx = conda_context("/bin/true", "");
    const std::string ch_run = dir.file("ch-run");
    make_script(ch_run, "shift 2\nexec \"$@\"\n");
    unit::write_text(dir.file("env.sqfs"), "");
    ctx.site.image = dir.file("env.sqfs");
    ctx.site.runtime = Runtime::charliecloud;
    ctx.site.runtime_path = ch_run;
    ctx.site.container_python = "/bin/true";
    ctx.request.mode = Mode::container;
    ctx.job_env = {"PATH=/usr/bin:/bin", "USER=" + user};
    return ctx;
}

} // namespace

Test(benchmark_run, ch_runs_directory_is_made_first_and_must_be_the_job_users) {
    TempDir dir;
    // A name of this run's own (mkdtemp's suffix): in a PID namespace, such as the
    // Debian 13 root's, a pid repeats from one run to the next.
    const std::string user = "pyimport-unit-" + dir.path().substr(dir.path().rfind('.') + 1);
    const std::string storage = "/var/tmp/" + user + ".ch", mount_point = storage + "/mnt";
    ran(charliecloud_context(dir, user));
    struct stat st;
    cr_assert(lstat(storage.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
                  (st.st_mode & 07777) == 0700,
              "ch-run's directory was not made, mode 0700, as the caller");
    cr_assert(lstat(mount_point.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
                  (st.st_mode & 07777) == 0700,
              "ch-run 0.38's mount point was not made, mode 0700, as the caller");
    // Made first by someone else: the job's images would mount in another user's directory.
    cr_assert(chown(storage.c_str(), unit::kNobody, unit::kNobody) == 0);
    const std::string refused = failed(charliecloud_context(dir, user));
    rmdir(mount_point.c_str());
    rmdir(storage.c_str());
    expect_message(refused, {"ch-run's directory '" + storage + "' is not a directory of the job user's (uid 65534)"});
    cr_assert(lstat(storage.c_str(), &st) != 0, "the test's own directory in /var/tmp is removed");
}

// ---- the common release, import times, the gaggle's cgroup -------------------------

Test(benchmark_run, a_planned_release_is_kept_and_met) {
    TempDir outdir;
    BenchmarkContext ctx = conda_context("/bin/true", outdir.path());
    timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    const int64_t at = int64_t(now.tv_sec) * 1000000000 + now.tv_nsec + 200000000;
    ctx.release = {SyncState::on, at, ""};
    const Record &rec = ran(ctx).record;
    expect_eq(rec.gaggle.sync, "on", "gaggle.sync");
    cr_assert_eq(rec.gaggle.planned_release_unix_ns, at);
    cr_assert(rec.gaggle.ready_unix_ns < at && rec.gaggle.release_unix_ns >= at);
    cr_assert(!rec.clock.boot_id.empty(), "the clock's state is recorded");
    ctx.release = {SyncState::refused, 0, "no release instant reached this node"};
    const Record &refused = ran(ctx).record;
    expect_eq(refused.gaggle.sync, "refused", "gaggle.sync");
    expect_eq(refused.gaggle.sync_note, "no release instant reached this node", "gaggle.sync_note");
}

Test(benchmark_run, importtime_gives_each_interpreter_its_module_times) {
    TempDir outdir;
    BenchmarkContext ctx = conda_context("/usr/bin/python3", outdir.path());
    ctx.site.modules = {"json", "email.mime.text", "os"};
    ctx.request.importtime = true;
    const BenchmarkOutcome outcome = ran(ctx);
    auto rec = record_from_json(unit::read_text(outcome.record_path));
    cr_assert(bool(rec), "%s", unit::error_of(rec).c_str());
    cr_assert(rec->run.importtime);
    expect_eq(rec->run.argv, {"/usr/bin/python3", "-X", "importtime", "-c", "import json, email.mime.text, os"}, "argv");
    for (const InterpreterFigures &f : rec->gaggle.interpreters) {
        cr_assert(f.succeeded());
        cr_assert_eq(f.import_us.size(), 3u);
        cr_assert(f.import_us[0] > 0 && f.import_us[1] > f.import_us[0] / 100, "json %lld, email.mime.text %lld",
                  static_cast<long long>(f.import_us[0]), static_cast<long long>(f.import_us[1]));
        cr_assert_eq(f.import_us[2], -1, "os is imported at start-up, never at the top level");
        cr_assert(!f.slowest_modules.empty() && f.slowest_modules.size() <= 5);
    }
    ctx.request.importtime = false;
    const Record &plain = ran(ctx).record;
    cr_assert(!plain.run.importtime && plain.gaggle.interpreters[0].import_us.empty());
}

Test(benchmark_run, the_gaggle_runs_in_a_cgroup_of_its_own_when_the_node_allows) {
    TempDir outdir;
    BenchmarkContext ctx = conda_context("/usr/bin/python3", outdir.path());
    ctx.site.modules = {"json"};
    const Record &rec = ran(ctx).record;
    if (geteuid() != 0) {
        expect_eq(rec.gaggle.cgroup.state, "unavailable", "cgroup.state");
        expect_message(rec.gaggle.cgroup.note, {"cgroups: no permission"});
        return;
    }
    expect_eq(rec.gaggle.cgroup.state, "used", "cgroup.state");
    cr_assert(rec.gaggle.cgroup.cpu_ns > 0 && rec.gaggle.cgroup.memory_peak_bytes > 0);
    cr_assert_eq(rec.gaggle.cgroup.leftovers_killed, 0);
    ctx.site.cgroup = false;
    const Record &off = ran(ctx).record;
    expect_eq(off.gaggle.cgroup.state, "off", "cgroup.state");
    cr_assert_eq(off.gaggle.cgroup.cpu_ns, -1);
}
