// The gaggle engine with real processes: barrier, release, timing, exit
// statuses, timeouts that kill whole process groups, exec failures, stderr
// tails, and what each child gets (environment, cwd, fds, signals, ids, limits).
#include "gaggle.hpp"
#include "unit_support.hpp"

#include <csignal>
#include <ctime>
#include <fcntl.h>
#include <map>
#include <set>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <thread>

using namespace pyimport;
using unit::contains;
using unit::expect_eq;
using unit::expect_message;
using unit::TempDir;

TestSuite(gaggle, .timeout = 30);

namespace {

constexpr int64_t kSecond = 1000000000;

GaggleSpec spec_for(std::vector<std::string> argv, int size = 1) {
    GaggleSpec spec;
    spec.argv = std::move(argv);
    spec.env = {"PATH=/usr/bin:/bin"};
    spec.size = size;
    spec.timeout_s = 10;
    return spec;
}

// /bin/sh -c `script`: the child reports by writing files.
GaggleSpec shell(const std::string &script, int size = 1) { return spec_for({"/bin/sh", "-c", script}, size); }

GaggleFigures ran(const GaggleSpec &spec) {
    auto figures = run_gaggle(spec);
    std::string error = unit::error_of(figures);
    cr_assert(bool(figures), "gaggle not run: %s", error.c_str());
    cr_assert_eq(figures->interpreters.size(), size_t(spec.size));
    return *figures;
}

InterpreterFigures ran_one(const GaggleSpec &spec) { return ran(spec).interpreters.at(0); }

std::string not_run(const GaggleSpec &spec) {
    auto result = run_gaggle(spec);
    std::string error = unit::error_of(result);
    cr_assert(!bool(result), "gaggle ran, expected a setup failure");
    return error;
}

int64_t monotonic_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * kSecond + ts.tv_nsec;
}

int64_t timeval_to_ns(const timeval &tv) { return int64_t(tv.tv_sec) * kSecond + int64_t(tv.tv_usec) * 1000; }

int64_t realtime_ns() {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return int64_t(ts.tv_sec) * kSecond + ts.tv_nsec;
}

// The test process has no child left, running or zombie.
void no_child_left() {
    int status;
    errno = 0;
    cr_assert(waitpid(-1, &status, WNOHANG) < 0 && errno == ECHILD, "a child process is left behind");
}

void expect_exit(const InterpreterFigures &f, int exit_code, int signal, bool timed_out) {
    cr_assert_eq(f.exit_code, exit_code, "interpreter %d: exit_code %d, expected %d", f.index, f.exit_code, exit_code);
    cr_assert_eq(f.signal, signal, "interpreter %d: signal %d, expected %d", f.index, f.signal, signal);
    cr_assert_eq(f.timed_out, timed_out, "interpreter %d: timed_out %d", f.index, f.timed_out);
}

void expect_all_succeeded(int size) {
    const int64_t before = realtime_ns();
    GaggleFigures g = ran(spec_for({"/bin/true"}, size));
    const int64_t after = realtime_ns();
    cr_assert(g.release_unix_ns >= before && g.release_unix_ns <= after, "release_unix_ns is not now");
    cr_assert_gt(g.wall_ns, 0);
    cr_assert_eq(g.last_exit_unix_ns, g.release_unix_ns + g.wall_ns);
    std::set<int> pids;
    for (int i = 0; i < size; ++i) {
        const InterpreterFigures &f = g.interpreters[size_t(i)];
        cr_assert_eq(f.index, i);
        cr_assert(f.succeeded(), "interpreter %d failed: exit %d signal %d", i, f.exit_code, f.signal);
        expect_exit(f, 0, 0, false);
        cr_assert_eq(f.exec_errno, 0);
        expect_eq(f.stderr_tail, "", "stderr_tail of a success");
        cr_assert_gt(f.pid, 0);
        pids.insert(f.pid);
        cr_assert_gt(f.wall_ns, 0);
        cr_assert_leq(f.wall_ns, g.wall_ns, "interpreter %d outlasted its gaggle", i);
        cr_assert_geq(f.start_skew_ns, 0);
        cr_assert_lt(f.start_skew_ns, kSecond / 2, "interpreter %d started %lld ns after the release", i,
                     (long long)f.start_skew_ns);
        cr_assert_lt(f.start_skew_ns, f.wall_ns, "interpreter %d exited before it started", i);
        cr_assert_gt(f.max_rss_kib, 0, "no rusage for interpreter %d", i);
    }
    cr_assert_eq(pids.size(), size_t(size), "pids are not distinct");
    no_child_left();
}

// Reaps the orphans handed to this (subreaper) process, waiting up to two
// seconds for them to end: pid -> wait status.
std::map<pid_t, int> reap_orphans() {
    std::map<pid_t, int> statuses;
    for (int tries = 0; tries < 200;) {
        int status;
        const pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid > 0) statuses[pid] = status;
        else if (pid < 0 && errno == ECHILD) break;
        else ++tries, usleep(10000);
    }
    return statuses;
}

// Nothing of the interpreter's process group survived, the background process
// whose pid it wrote to `pid_file` included, and all orphans ended by SIGKILL.
void group_killed(const InterpreterFigures &f, const std::string &pid_file) {
    const pid_t background = pid_t(std::atoi(unit::read_text(pid_file).c_str()));
    cr_assert_gt(background, 0, "no background pid in %s", pid_file.c_str());
    const std::map<pid_t, int> orphans = reap_orphans();
    errno = 0;
    const bool group_gone = kill(-f.pid, 0) < 0 && errno == ESRCH;
    if (!group_gone) kill(-f.pid, SIGKILL);  // do not leave it running
    cr_assert(group_gone, "process group %d still has members", f.pid);
    errno = 0;  // it may have been reaped by the dying shell instead of by this process
    cr_assert(kill(background, 0) < 0 && errno == ESRCH, "background process %d survived", background);
    for (const auto &[pid, status] : orphans)
        cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "process %d ended with status %d", pid, status);
}

// Orphans of the gaggle's children come to this process, which can then wait for them.
void adopt_orphans() { cr_assert(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0); }

rlimit limit_of(int resource) {
    rlimit r{};
    cr_assert(getrlimit(resource, &r) == 0);
    return r;
}

void set_limit(int resource, rlim_t soft, rlim_t hard) {
    const rlimit r{soft, hard};
    cr_assert(setrlimit(resource, &r) == 0, "setrlimit %d: %s", resource, std::strerror(errno));
}

// As the shell's ulimit prints it: core sizes in 512-byte blocks, stack in KiB.
std::string ulimit_text(rlim_t value, rlim_t unit = 1) {
    return value == RLIM_INFINITY ? "unlimited" : std::to_string(value / unit);
}

// What the ulimit commands of `spec` (a gaggle of 2) print, the same in both interpreters.
std::string limits_seen(GaggleSpec spec) {
    spec.capture_stdout = true;
    const GaggleFigures g = ran(spec);
    for (const InterpreterFigures &f : g.interpreters)
        cr_assert(f.succeeded(), "interpreter %d failed: %s", f.index, f.stderr_tail.c_str());
    expect_eq(g.interpreters[1].stdout_text, g.interpreters[0].stdout_text, "limits of the second interpreter");
    return g.interpreters[0].stdout_text;
}

} // namespace

// ---- outcomes ---------------------------------------------------------------

Test(gaggle, true_gaggle_of_1) { expect_all_succeeded(1); }

Test(gaggle, true_gaggle_of_8) { expect_all_succeeded(8); }

Test(gaggle, false_exits_1) {
    InterpreterFigures f = ran_one(spec_for({"/bin/false"}));
    expect_exit(f, 1, 0, false);
    cr_assert(!f.succeeded());
    cr_assert_eq(f.exec_errno, 0);
}

Test(gaggle, exit_code_of_every_interpreter) {
    for (const InterpreterFigures &f : ran(shell("exit 42", 3)).interpreters) expect_exit(f, 42, 0, false);
}

Test(gaggle, killed_by_a_signal) {
    InterpreterFigures f = ran_one(shell("kill -9 $$"));
    expect_exit(f, -1, SIGKILL, false);
    cr_assert(!f.succeeded());
}

Test(gaggle, missing_program_is_an_exec_failure) {
    InterpreterFigures f = ran_one(spec_for({"/nonexistent/bin/python3", "-c", "import os"}));
    expect_exit(f, 127, 0, false);
    cr_assert_eq(f.exec_errno, ENOENT);
    no_child_left();
}

Test(gaggle, program_without_execute_permission) {
    TempDir dir;
    unit::write_text(dir.file("python3"), "#!/bin/sh\n");
    chmod(dir.file("python3").c_str(), 0644);
    InterpreterFigures f = ran_one(spec_for({dir.file("python3")}));
    expect_exit(f, 127, 0, false);
    cr_assert_eq(f.exec_errno, EACCES);
}

// ---- timeouts and process groups -----------------------------------------------

Test(gaggle, timeout_kills_the_interpreter) {
    GaggleSpec spec = spec_for({"/bin/sleep", "30"}, 2);
    spec.timeout_s = 1;
    GaggleFigures g = ran(spec);
    for (const InterpreterFigures &f : g.interpreters) {
        expect_exit(f, -1, SIGKILL, true);
        cr_assert(f.wall_ns >= kSecond && f.wall_ns < 3 * kSecond, "killed after %lld ns", (long long)f.wall_ns);
    }
    cr_assert(g.wall_ns >= kSecond && g.wall_ns < 3 * kSecond);
    no_child_left();
}

Test(gaggle, timeout_kills_the_whole_process_group) {
    adopt_orphans();
    TempDir dir;
    GaggleSpec spec = shell("sleep 30 & echo $! > " + dir.file("bg") + "; sleep 30");
    spec.timeout_s = 1;
    InterpreterFigures f = ran_one(spec);
    expect_exit(f, -1, SIGKILL, true);
    group_killed(f, dir.file("bg"));
}

Test(gaggle, leftovers_of_a_finished_interpreter_are_killed) {
    adopt_orphans();
    TempDir dir;
    InterpreterFigures f = ran_one(shell("sleep 30 & echo $! > " + dir.file("bg") + "; exit 0"));
    expect_exit(f, 0, 0, false);
    cr_assert_lt(f.wall_ns, 5 * kSecond, "the gaggle waited for the leftover");
    group_killed(f, dir.file("bg"));
}

// ---- stderr -------------------------------------------------------------------

Test(gaggle, stderr_tail_of_a_failure) {
    InterpreterFigures f = ran_one(shell("echo 'ImportError: No module named numpy' >&2; exit 1"));
    expect_exit(f, 1, 0, false);
    expect_eq(f.stderr_tail, "ImportError: No module named numpy\n", "stderr_tail");
}

Test(gaggle, stderr_tail_keeps_the_last_kilobyte) {
    // 2000 bytes of 'a', then 10 bytes "0123456789": the tail is the last 1024.
    InterpreterFigures f = ran_one(shell("head -c 2000 /dev/zero | tr '\\0' a >&2; printf 0123456789 >&2; exit 3"));
    cr_assert_eq(f.stderr_tail.size(), 1024u);
    expect_eq(f.stderr_tail, std::string(1014, 'a') + "0123456789", "stderr_tail");
}

Test(gaggle, stderr_of_a_success_is_not_kept) {
    expect_eq(ran_one(shell("echo warning >&2; exit 0")).stderr_tail, "", "stderr_tail");
}

Test(gaggle, stderr_capture_leaves_no_file) {
    TempDir scratch;
    GaggleSpec spec = shell("echo oops >&2; exit 1", 3);
    spec.scratch_dir = scratch.path();
    for (const InterpreterFigures &f : ran(spec).interpreters) expect_eq(f.stderr_tail, "oops\n", "stderr_tail");
    expect_eq(scratch.entries(), {}, "scratch directory");
}

// One interpreter (whichever makes the directory first) floods stderr with
// 50 MB; the others write more than a pipe holds meanwhile, so a drain stuck
// on one pipe would block them.
Test(gaggle, stderr_flood_keeps_only_the_tail) {
    TempDir dir;
    const std::string line = "0123456789abcdef\n";  // what yes prints
    const size_t flood = 50000000;
    GaggleSpec spec = shell("if mkdir flooder 2>/dev/null; then"
                            "  yes 0123456789abcdef | head -c " + std::to_string(flood) + " >&2; printf END >&2;"
                            "  stat -L -c %s /proc/$$/fd/2 > stderr-size; exit 3; "
                            "fi; head -c 200000 /dev/zero | tr '\\0' b >&2; echo short >&2; exit 4",
                            3);
    spec.workdir = spec.scratch_dir = dir.path();
    GaggleFigures g = ran(spec);
    std::string flood_tail;
    for (size_t at = flood - (1024 - 3); at < flood; ++at) flood_tail += line[at % line.size()];
    flood_tail += "END";
    int flooders = 0;
    for (const InterpreterFigures &f : g.interpreters) {
        if (f.exit_code == 3) {
            ++flooders;
            expect_eq(f.stderr_tail, flood_tail, "stderr_tail of the flood");
        } else {
            expect_exit(f, 4, 0, false);
            expect_eq(f.stderr_tail, std::string(1024 - 6, 'b') + "short\n", "stderr_tail beside the flood");
        }
        cr_assert_lt(f.wall_ns, 10 * kSecond, "interpreter %d took %lld ns", f.index, (long long)f.wall_ns);
    }
    cr_assert_eq(flooders, 1);
    // What stderr held once the flood was written: a pipe's few unread bytes, not 50 MB.
    const long long stderr_size = std::atoll(unit::read_text(dir.file("stderr-size")).c_str());
    cr_assert_lt(stderr_size, 1 << 20, "the flooder's stderr held %lld bytes", stderr_size);
    expect_eq(dir.entries(), {"flooder", "stderr-size"}, "scratch and work directory");
    no_child_left();
}

// A daemon escaping the interpreter's process group keeps the stderr pipe
// open: the gaggle must end all the same, without waiting for it.
Test(gaggle, stderr_held_by_a_daemon_does_not_delay_the_end) {
    TempDir dir;
    // The daemon writes its pid only once it has its own session, and the
    // interpreter waits for that: exiting first would have its group killed
    // before setsid(1) has left it.
    GaggleSpec spec = shell("setsid sh -c 'echo $$ > " + dir.file("daemon.new") + "; mv " + dir.file("daemon.new") +
                            " " + dir.file("daemon") + "; exec sleep 30' & while [ ! -s " + dir.file("daemon") +
                            " ]; do sleep 0.01; done; echo bye >&2; exit 1");
    const int64_t before = monotonic_ns();
    InterpreterFigures f = ran_one(spec);
    const int64_t took = monotonic_ns() - before;
    const pid_t daemon = pid_t(std::atoi(unit::read_text(dir.file("daemon")).c_str()));
    const bool alive = daemon > 0 && kill(daemon, 0) == 0;
    if (daemon > 0) kill(daemon, SIGKILL);
    cr_assert(alive, "the daemon %d did not outlive the gaggle: the test proves nothing", daemon);
    expect_exit(f, 1, 0, false);
    expect_eq(f.stderr_tail, "bye\n", "stderr_tail");
    cr_assert_lt(took, kSecond + kSecond / 2, "the gaggle took %lld ns", (long long)took);
}

Test(gaggle, stdout_is_kept_only_when_asked) {
    GaggleSpec spec = shell("echo out; echo err >&2", 2);
    for (const InterpreterFigures &f : ran(spec).interpreters) expect_eq(f.stdout_text, "", "stdout_text by default");
    spec.capture_stdout = true;
    for (const InterpreterFigures &f : ran(spec).interpreters) {
        expect_eq(f.stdout_text, "out\n", "captured stdout_text");
        expect_eq(f.stderr_tail, "", "stderr_tail of a success");
    }
}

// ---- what a child gets ------------------------------------------------------------

Test(gaggle, environment_is_exactly_spec_env) {
    TempDir dir;
    GaggleSpec spec = shell("cat /proc/$$/environ > " + dir.file("env"));
    spec.env = {"PATH=/usr/bin:/bin", "PYIMPORT_TEST=hello world", "EMPTY=", "MPLBACKEND=Agg"};
    cr_assert(ran_one(spec).succeeded());
    expect_eq(unit::split_nul(unit::read_text(dir.file("env"))), spec.env, "environment");
}

Test(gaggle, workdir_is_applied) {
    TempDir dir;
    GaggleSpec spec = shell("pwd -P > pwd.txt");
    spec.workdir = dir.path();
    cr_assert(ran_one(spec).succeeded());
    char real[PATH_MAX];
    cr_assert(realpath(dir.path().c_str(), real) != nullptr);
    expect_eq(unit::read_text(dir.file("pwd.txt")), std::string(real) + "\n", "pwd");
}

Test(gaggle, inherited_fds_are_not_leaked) {
    TempDir dir;
    // An fd without O_CLOEXEC, high up, on a file with a name to look for.
    int fd = open(dir.file("leak-marker").c_str(), O_WRONLY | O_CREAT, 0600);
    cr_assert(fd >= 0 && dup2(fd, 100) == 100);
    close(fd);
    // ls lists the shell's fds: what the interpreter got (the shell itself has
    // moved stdout to the file and saved the old one above 9).
    GaggleSpec spec = shell("ls -l /proc/$$/fd/ > " + dir.file("fds") + "; exit 0");
    spec.scratch_dir = dir.path();
    cr_assert(ran_one(spec).succeeded());
    close(100);
    const std::string fds = unit::read_text(dir.file("fds"));
    for (const std::string &stdio : {std::string(" 0 -> /dev/null\n"), std::string(" 2 -> pipe:[")})
        cr_assert(contains(fds, stdio), "no '%s' in the interpreter's fds:\n%s", stdio.c_str(), fds.c_str());
    cr_assert(!contains(fds, "leak-marker"), "the fd leaked into the interpreter:\n%s", fds.c_str());
}

Test(gaggle, signal_mask_and_ignored_signals_are_reset) {
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    cr_assert(sigprocmask(SIG_BLOCK, &block, nullptr) == 0);
    signal(SIGUSR1, SIG_IGN);
    TempDir dir;
    cr_assert(ran_one(shell("exec grep -E '^Sig(Blk|Ign):' /proc/self/status > " + dir.file("sig"))).succeeded());
    expect_eq(unit::read_text(dir.file("sig")), "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n", "status");
}

// ---- resource limits -----------------------------------------------------------------

Test(gaggle, job_limits_are_applied) {
    const rlim_t core_hard = limit_of(RLIMIT_CORE).rlim_max;
    if (core_hard == 0) cr_skip_test("the hard core size limit is 0 here");
    set_limit(RLIMIT_CORE, core_hard, core_hard);  // what slurmstepd hands down: unlimited core files
    GaggleSpec spec = shell("ulimit -c; ulimit -n", 2);
    spec.limits = {{RLIMIT_CORE, 0}, {RLIMIT_NOFILE, 64}};
    expect_eq(limits_seen(spec), "0\n64\n", "ulimit -c; ulimit -n");
}

Test(gaggle, a_limit_above_the_hard_one_is_capped_not_refused) {
    set_limit(RLIMIT_NOFILE, 100, limit_of(RLIMIT_NOFILE).rlim_max);  // else soft = hard, whatever happens
    const rlimit nofile = limit_of(RLIMIT_NOFILE), core = limit_of(RLIMIT_CORE);
    GaggleSpec spec = shell("ulimit -Sn; ulimit -Hn; ulimit -Sc; ulimit -Hc", 2);
    spec.limits = {{RLIMIT_NOFILE, nofile.rlim_max + 1000}, {RLIMIT_CORE, RLIM_INFINITY}};
    expect_eq(limits_seen(spec),
              ulimit_text(nofile.rlim_max) + "\n" + ulimit_text(nofile.rlim_max) + "\n" + ulimit_text(core.rlim_max, 512) +
                  "\n" + ulimit_text(core.rlim_max, 512) + "\n",
              "soft and hard limits");
}

Test(gaggle, garbage_limits_in_the_job_environment_are_ignored) {
    set_limit(RLIMIT_NOFILE, 200, limit_of(RLIMIT_NOFILE).rlim_max);
    GaggleSpec spec = shell("ulimit -n; ulimit -s", 2);
    const std::string stack = ulimit_text(limit_of(RLIMIT_STACK).rlim_cur, 1024);
    spec.limits = job_resource_limits({"SLURM_RLIMIT_NOFILE=lots", "SLURM_RLIMIT_STACK=-1", "SLURM_RLIMIT_CORE=U0"});
    cr_assert_eq(spec.limits.size(), 1u);
    expect_eq(limits_seen(spec), "200\n" + stack + "\n", "ulimit -n; ulimit -s");
}

Test(gaggle, limits_are_set_as_the_job_user_within_the_hard_limits) {
    // slurmstepd's user_init: real uid 0, effective uid the user's; the hard
    // limits it runs with bound what the job may get.
    if (!unit::running_as_root()) cr_skip_test("needs root to switch ids");
    set_limit(RLIMIT_NOFILE, 100, 300);
    GaggleSpec spec = shell("ulimit -Sn; ulimit -Hn; ulimit -Sc", 2);
    spec.become = Credentials{unit::kNobody, unit::kNobody, {unit::kNobody}};
    spec.limits = {{RLIMIT_NOFILE, 1000000}, {RLIMIT_CORE, 0}};
    const std::string outcome = unit::in_child([&]() -> std::string {
        if (setegid(unit::kNobody) != 0 || seteuid(unit::kNobody) != 0) return "cannot set the effective ids";
        spec.capture_stdout = true;
        auto figures = run_gaggle(spec);
        std::string error = unit::error_of(figures);
        if (!figures) return "not run: " + error;
        for (const InterpreterFigures &f : figures->interpreters)
            if (!f.succeeded() || f.stdout_text != "300\n300\n0\n")
                return "interpreter " + std::to_string(f.index) + ": " + f.stdout_text + f.stderr_tail;
        return "ok";
    });
    expect_eq(outcome, "ok", "gaggle");
}

Test(gaggle, credentials_are_switched) {
    if (!unit::running_as_root()) cr_skip_test("needs root to switch ids");
    TempDir dir;
    chmod(dir.path().c_str(), 0777);
    GaggleSpec spec = shell("exec grep -E '^(Uid|Gid|Groups|CapEff):' /proc/self/status > ids.$$", 2);
    spec.workdir = dir.path();
    spec.become = Credentials{unit::kNobody, unit::kNobody, {unit::kNobody}};
    for (const InterpreterFigures &f : ran(spec).interpreters) {
        cr_assert(f.succeeded(), "interpreter %d failed: %s", f.index, f.stderr_tail.c_str());
        const std::string ids = dir.file("ids." + std::to_string(f.pid));
        expect_eq(unit::read_text(ids),
                  "Uid:\t65534\t65534\t65534\t65534\nGid:\t65534\t65534\t65534\t65534\nGroups:\t65534 \n"
                  "CapEff:\t0000000000000000\n",
                  "ids of the interpreter");
        struct stat st {};
        cr_assert(stat(ids.c_str(), &st) == 0 && st.st_uid == unit::kNobody, "%s not written by 65534", ids.c_str());
    }
}

Test(gaggle, ids_are_switched_from_an_effective_user_with_real_root) {
    // slurmstepd's user_init: real uid 0, effective uid the user's.
    if (!unit::running_as_root()) cr_skip_test("needs root to switch ids");
    TempDir dir;
    chmod(dir.path().c_str(), 0777);
    GaggleSpec spec = shell("exec grep -E '^(Uid|Gid):' /proc/self/status > ids");
    spec.workdir = spec.scratch_dir = dir.path();
    spec.become = Credentials{unit::kNobody, unit::kNobody, {unit::kNobody}};
    const std::string outcome = unit::in_child([&]() -> std::string {
        if (setegid(unit::kNobody) != 0 || seteuid(unit::kNobody) != 0) return "cannot set the effective ids";
        auto figures = run_gaggle(spec);
        std::string error = unit::error_of(figures);
        if (!figures) return "not run: " + error;
        return figures->interpreters[0].succeeded() ? "ok" : "failed: " + figures->interpreters[0].stderr_tail;
    });
    expect_eq(outcome, "ok", "gaggle");
    expect_eq(unit::read_text(dir.file("ids")), "Uid:\t65534\t65534\t65534\t65534\nGid:\t65534\t65534\t65534\t65534\n",
              "ids of the interpreter");
}

Test(gaggle, stderr_drain_runs_with_the_job_ids) {
    if (!unit::running_as_root()) cr_skip_test("needs root to switch ids");
    TempDir dir;
    chmod(dir.path().c_str(), 0777);
    // The interpreter's siblings: the drain, the only other child of the harness.
    GaggleSpec spec = shell("for s in $(grep -l \"^PPid:[[:space:]]*$PPID\\$\" /proc/[0-9]*/status); do "
                            "[ $s = /proc/$$/status ] || grep -E '^(Uid|Gid|CapEff):' $s; done > drain-ids");
    spec.workdir = dir.path();
    spec.become = Credentials{unit::kNobody, unit::kNobody, {unit::kNobody}};
    cr_assert(ran_one(spec).succeeded());
    expect_eq(unit::read_text(dir.file("drain-ids")),
              "Uid:\t65534\t65534\t65534\t65534\nGid:\t65534\t65534\t65534\t65534\nCapEff:\t0000000000000000\n",
              "ids of the drain");
}

Test(gaggle, workdir_is_entered_with_the_new_ids) {
    if (!unit::running_as_root()) cr_skip_test("needs root to switch ids");
    TempDir dir;
    chmod(dir.path().c_str(), 0700);  // root's only
    GaggleSpec spec = spec_for({"/bin/true"}, 2);
    spec.workdir = dir.path();
    spec.become = Credentials{unit::kNobody, unit::kNobody, {unit::kNobody}};
    expect_message(not_run(spec), {"could not chdir to workdir: Permission denied"});
    no_child_left();
}

// ---- setup failures -----------------------------------------------------------------

Test(gaggle, missing_workdir_fails_the_setup_and_leaves_no_child) {
    GaggleSpec spec = spec_for({"/bin/true"}, 4);
    spec.workdir = "/nonexistent/workdir";
    expect_message(not_run(spec), {"could not chdir to workdir: No such file or directory"});
    no_child_left();
}

Test(gaggle, missing_scratch_dir_fails_the_setup) {
    GaggleSpec spec = spec_for({"/bin/true"}, 2);
    spec.scratch_dir = "/nonexistent/scratch";
    spec.capture_stdout = true;
    expect_message(not_run(spec), {"stdout capture file in /nonexistent/scratch: No such file or directory"});
    no_child_left();
}

Test(gaggle, invalid_spec) {
    const std::string message = "gaggle needs a size of at least 1 and an absolute program path";
    expect_message(not_run(spec_for({"/bin/true"}, 0)), {message});
    expect_message(not_run(spec_for({"true"})), {message});
    expect_message(not_run(spec_for({""})), {message});
    expect_message(not_run(spec_for({})), {message});
}

// ---- stderr head capture (GaggleSpec::stderr_head_bytes, for -X importtime) ----------

// --- stop_fd: a cancelled job ends its gaggle at once ----------------------

namespace {

// A pipe whose read end becomes readable `after_ms` from now, from a thread.
struct StopLater {
    int fds[2] = {-1, -1};
    std::thread writer;
    explicit StopLater(int after_ms) {
        cr_assert(pipe(fds) == 0);
        writer = std::thread([this, after_ms] {
            usleep(useconds_t(after_ms) * 1000);
            (void)!write(fds[1], "x", 1);
        });
    }
    ~StopLater() {
        writer.join();
        close(fds[0]);
        close(fds[1]);
    }
};

} // namespace

Test(gaggle, a_stop_during_the_run_kills_every_interpreter_group_and_fails) {
    adopt_orphans();
    TempDir dir;
    GaggleSpec spec = shell("sleep 30 & echo $! > " + dir.file("bg") + ".$$; sleep 30", 3);
    spec.timeout_s = 20;
    StopLater stop(300);
    spec.stop_fd = stop.fds[0];
    const int64_t start = monotonic_ns();
    const std::string error = not_run(spec);
    const int64_t took = monotonic_ns() - start;
    expect_eq(error, kGaggleStopped, "error");
    cr_assert(took < 2 * kSecond, "stopped after %lld ns", (long long)took);
    const std::map<pid_t, int> orphans = reap_orphans();
    for (const auto &name : dir.entries()) {
        const pid_t background = pid_t(std::atoi(unit::read_text(dir.file(name)).c_str()));
        errno = 0;
        cr_assert(background > 0 && kill(background, 0) < 0 && errno == ESRCH, "background %d survived", background);
    }
    for (const auto &[pid, status] : orphans)
        cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "process %d ended with status %d", pid, status);
    no_child_left();
}

Test(gaggle, a_stop_while_waiting_for_the_release_instant_ends_the_wait) {
    GaggleSpec spec = spec_for({"/bin/true"}, 2);
    spec.release_at_unix_ns = realtime_ns() + 20 * kSecond;
    StopLater stop(300);
    spec.stop_fd = stop.fds[0];
    const int64_t start = monotonic_ns();
    expect_eq(not_run(spec), kGaggleStopped, "error");
    const int64_t took = monotonic_ns() - start;
    cr_assert(took < 2 * kSecond, "stopped after %lld ns", (long long)took);
    no_child_left();
}

// Without a stop fd the wait for the instant sleeps (it once spun at
// real-time priority, a core per node for up to sync_max_wait_ms).
Test(gaggle, waiting_for_the_instant_without_a_stop_fd_burns_no_cpu) {
    GaggleSpec spec = spec_for({"/bin/true"}, 1);
    spec.release_at_unix_ns = realtime_ns() + 3 * kSecond / 2;
    rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    ran(spec);
    getrusage(RUSAGE_SELF, &after);
    const int64_t cpu_ns = (timeval_to_ns(after.ru_utime) - timeval_to_ns(before.ru_utime)) +
                           (timeval_to_ns(after.ru_stime) - timeval_to_ns(before.ru_stime));
    cr_assert(cpu_ns < kSecond / 5, "waiting 1.5 s cost %lld ns of CPU", (long long)cpu_ns);
    no_child_left();
}

// A stop fd that stays quiet changes nothing, the release instant included.
Test(gaggle, a_quiet_stop_fd_changes_nothing) {
    int fds[2];
    cr_assert(pipe(fds) == 0);
    GaggleSpec spec = spec_for({"/bin/true"}, 2);
    spec.stop_fd = fds[0];
    const int64_t instant = realtime_ns() + kSecond / 2;
    spec.release_at_unix_ns = instant;
    const GaggleFigures g = ran(spec);
    cr_assert(g.release_unix_ns >= instant && g.release_unix_ns < instant + kSecond / 20,
              "released %lld ns after the instant", (long long)(g.release_unix_ns - instant));
    for (const auto &f : g.interpreters) expect_exit(f, 0, 0, false);
    close(fds[0]);
    close(fds[1]);
    no_child_left();
}

#include "import_times.hpp"  // only the tests below parse what they capture

Test(gaggle, stderr_head_holds_the_importtime_output) {
    GaggleSpec spec = spec_for({"/usr/bin/python3", "-X", "importtime", "-c", "import json"}, 2);
    spec.stderr_head_bytes = 256 * 1024;
    for (const InterpreterFigures &f : ran(spec).interpreters) {
        cr_assert(f.succeeded(), "interpreter %d failed: %s", f.index, f.stderr_tail.c_str());
        cr_assert(f.stderr_head.size() > 1000 && f.stderr_head.size() < spec.stderr_head_bytes,
                  "interpreter %d: %zu bytes of stderr head", f.index, f.stderr_head.size());
        cr_assert(f.stderr_head.rfind("import time: self [us] | cumulative | imported package\n", 0) == 0,
                  "interpreter %d: stderr head starts '%.60s'", f.index, f.stderr_head.c_str());
        const ImportTimeSummary s = summarize_import_times(f.stderr_head, {"json", "numpy"});
        cr_assert_gt(s.requested_cumulative_us.at(0), 0, "json: %lld", (long long)s.requested_cumulative_us.at(0));
        cr_assert_eq(s.requested_cumulative_us.at(1), kNotImported);
        cr_assert_eq(s.slowest.size(), kSlowestModules);
        for (const SlowModule &m : s.slowest)
            cr_assert(m.self_us > 0 && m.cumulative_us >= m.self_us, "%s", m.name.c_str());
    }
    no_child_left();
}

Test(gaggle, stderr_head_is_empty_unless_asked_for) {
    const InterpreterFigures f = ran_one(spec_for({"/usr/bin/python3", "-X", "importtime", "-c", "import json"}));
    cr_assert(f.succeeded());
    expect_eq(f.stderr_head, "", "stderr_head by default");
}

// 50 MB of stderr against a head of the largest size: the head is the first
// MiB exactly, the tail still the last bytes, and neither the parent nor the
// drain grows with the flood.
Test(gaggle, stderr_head_of_a_flood_is_bounded) {
    const size_t head = 1 << 20;
    const std::string line = "0123456789abcdef\n";  // what yes prints
    GaggleSpec spec = shell("printf 'FIRST\\n' >&2; yes 0123456789abcdef | head -c 50000000 >&2; printf END >&2; exit 3",
                            2);
    spec.stderr_head_bytes = head;
    rusage before{};
    getrusage(RUSAGE_SELF, &before);
    const GaggleFigures g = ran(spec);
    rusage after{};
    getrusage(RUSAGE_SELF, &after);
    std::string expected = "FIRST\n";
    for (size_t at = 0; expected.size() < head; ++at) expected += line[at % line.size()];
    for (const InterpreterFigures &f : g.interpreters) {
        expect_exit(f, 3, 0, false);
        cr_assert_eq(f.stderr_head.size(), head, "interpreter %d: %zu bytes", f.index, f.stderr_head.size());
        cr_assert(f.stderr_head == expected, "interpreter %d: the head is not the first MiB", f.index);
        cr_assert(f.stderr_tail.size() == 1024 && f.stderr_tail.substr(1021) == "END", "interpreter %d: tail",
                  f.index);
        cr_assert_lt(f.wall_ns, 10 * kSecond, "interpreter %d took %lld ns", f.index, (long long)f.wall_ns);
    }
    // Two heads, two tails and their copies: a few MiB, not 100 MB.
    cr_assert_lt(after.ru_maxrss - before.ru_maxrss, 16 * 1024, "the parent grew by %ld KiB",
                 after.ru_maxrss - before.ru_maxrss);
    no_child_left();
}

Test(gaggle, stderr_head_above_the_cap_fails_the_setup) {
    GaggleSpec spec = spec_for({"/bin/true"}, 2);
    spec.stderr_head_bytes = (1 << 20) + 1;
    expect_message(not_run(spec), {"stderr head of 1048577 bytes asked for, at most 1048576 per interpreter"});
    no_child_left();
}

// ---- the gaggle's cgroup -------------------------------------------------------

Test(gaggle, daemons_an_interpreter_leaves_are_killed_and_counted) {
    if (geteuid() != 0) cr_skip_test("cgroups need root");
    unit::TempDir dir;
    // setsid + double fork: out of the interpreter's process group,
    // reparented; the interpreter ends once its daemon runs.
    GaggleSpec spec = shell("f=" + dir.path() + "/daemon.$$; (setsid sh -c \"echo \\$\\$ > $f.new; mv $f.new $f; "
                            "exec sleep 300\" &); while [ ! -s $f ]; do sleep 0.01; done",
                            2);
    spec.use_cgroup = true;
    const GaggleFigures g = ran(spec);
    expect_eq(g.cgroup.state, "used", "cgroup.state");
    cr_assert_eq(g.cgroup.leftovers_killed, 2, "two daemons, got %lld", static_cast<long long>(g.cgroup.leftovers_killed));
    const auto files = dir.entries();
    cr_assert_eq(files.size(), 2u);
    for (const auto &name : files) {
        const pid_t daemon = pid_t(std::stol(unit::read_text(dir.file(name))));
        // Dead: gone, or a zombie waiting for init (the daemon's parent).
        const std::string stat = unit::read_text("/proc/" + std::to_string(daemon) + "/stat");
        const size_t state = stat.rfind(") ");
        cr_assert(stat.empty() || (state != std::string::npos && stat[state + 2] == 'Z'), "the daemon %d survived: %s",
                  int(daemon), stat.c_str());
    }
    cr_assert(g.cgroup.cpu_ns > 0, "no CPU counted");
    no_child_left();
}

Test(gaggle, without_a_cgroup_the_figures_say_off) {
    const GaggleFigures g = ran(shell("exit 0"));
    expect_eq(g.cgroup.state, "off", "cgroup.state");
    cr_assert_eq(g.cgroup.cpu_ns, -1);
}
