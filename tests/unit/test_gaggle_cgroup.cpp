// The gaggle's cgroup: where it goes (pure, on sample /proc/self/cgroup
// texts), the parsers of its counters, and live runs as root: totals, a
// daemon (setsid + double fork) killed with the rest, the keeper cleaning
// up after a SIGKILLed caller, slurmstepd's ids (real 0, effective the user).
#include "cgroup_paths.hpp"
#include "cgroup_sweep.hpp"
#include "cgroup_totals.hpp"
#include "gaggle_cgroup.hpp"
#include "sys_io.hpp"
#include "unit_support.hpp"

#include <csignal>
#include <ctime>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

using namespace pyimport;
using unit::contains;
using unit::expect_eq;
using unit::expect_message;

TestSuite(gaggle_cgroup, .timeout = 30);

namespace {

// This machine: v1 controllers, memory nested under a container's path,
// an almost empty cgroup2 (hugetlb only) at /sys/fs/cgroup/unified.
const char kHybrid[] = "9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n5:devices:/\n"
                       "4:memory:/process_api/3474fbc8\n3:cpuset:/\n2:cpuacct:/\n1:cpu:/\n0::/\n";

std::vector<CgroupMount> hybrid_mounts() {
    std::vector<CgroupMount> mounts;
    for (const char *c : {"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids"})
        mounts.push_back({c, std::string("/sys/fs/cgroup/") + c, CgroupVersion::v1});
    mounts.push_back({"hugetlb", "/sys/fs/cgroup/unified", CgroupVersion::v2});
    return mounts;
}

std::vector<CgroupMount> v2_mounts() {
    std::vector<CgroupMount> mounts;
    for (const char *c : {"cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma"})
        mounts.push_back({c, "/sys/fs/cgroup", CgroupVersion::v2});
    return mounts;
}

CgroupPlan planned(const std::string &text, const std::vector<CgroupMount> &mounts) {
    auto plan = plan_gaggle_cgroup(text, mounts, "pyimport_gaggle_7_abc");
    cr_assert(bool(plan), "no plan: %s", unit::error_of(plan).c_str());
    return *plan;
}

} // namespace

Test(gaggle_cgroup, leaf_name) { expect_eq(gaggle_cgroup_leaf(123, "k2x"), "pyimport_gaggle_123_k2x", "leaf"); }

Test(gaggle_cgroup, v1_hybrid_children_of_the_callers_cgroups) {
    CgroupPlan plan = planned(kHybrid, hybrid_mounts());
    cr_assert(plan.version == CgroupVersion::v1);
    cr_assert_eq(plan.groups.size(), 2u);
    expect_eq(plan.groups[0].name, "pyimport_gaggle_7_abc", "name");
    expect_eq(plan.groups[0].controllers, {"cpuacct", "blkio", "pids", "freezer"}, "controllers");
    expect_eq(plan.groups[0].dirs,
              {"/sys/fs/cgroup/cpuacct/pyimport_gaggle_7_abc", "/sys/fs/cgroup/blkio/pyimport_gaggle_7_abc",
               "/sys/fs/cgroup/pids/pyimport_gaggle_7_abc", "/sys/fs/cgroup/freezer/pyimport_gaggle_7_abc"},
              "dirs");
    expect_eq(plan.groups[1].name, "process_api/3474fbc8/pyimport_gaggle_7_abc", "memory name");
    expect_eq(plan.groups[1].controllers, {"memory"}, "memory");
    expect_eq(plan.groups[1].dirs, {"/sys/fs/cgroup/memory/process_api/3474fbc8/pyimport_gaggle_7_abc"}, "memory dir");
    expect_eq(plan.freezer_dir, "/sys/fs/cgroup/freezer/pyimport_gaggle_7_abc", "freezer");
}

Test(gaggle_cgroup, v1_under_slurm_with_comounted_cpu_cpuacct) {
    const std::string text = "6:freezer:/slurm/uid_1000/job_5/step_0\n4:cpu,cpuacct:/slurm/uid_1000/job_5/step_0\n"
                             "3:memory:/slurm/uid_1000/job_5/step_0/task_0\n";
    std::vector<CgroupMount> mounts = {{"cpu", "/sys/fs/cgroup/cpu,cpuacct", CgroupVersion::v1},
                                       {"cpuacct", "/sys/fs/cgroup/cpu,cpuacct", CgroupVersion::v1},
                                       {"memory", "/sys/fs/cgroup/memory", CgroupVersion::v1},
                                       {"freezer", "/sys/fs/cgroup/freezer", CgroupVersion::v1}};
    CgroupPlan plan = planned(text, mounts);
    cr_assert_eq(plan.groups.size(), 2u);
    expect_eq(plan.groups[0].name, "slurm/uid_1000/job_5/step_0/pyimport_gaggle_7_abc", "step child");
    expect_eq(plan.groups[0].controllers, {"cpuacct", "freezer"}, "one controller per hierarchy");
    expect_eq(plan.groups[0].dirs.at(0), "/sys/fs/cgroup/cpu,cpuacct/slurm/uid_1000/job_5/step_0/pyimport_gaggle_7_abc",
              "cpuacct dir");
    expect_eq(plan.groups[1].dirs, {"/sys/fs/cgroup/memory/slurm/uid_1000/job_5/step_0/task_0/pyimport_gaggle_7_abc"},
              "memory dir");
}

Test(gaggle_cgroup, v2_under_slurm_beside_slurm_processes) {
    CgroupPlan plan = planned("0::/system.slice/slurmstepd.scope/job_12/step_0/slurm_processes\n", v2_mounts());
    cr_assert(plan.version == CgroupVersion::v2);
    cr_assert_eq(plan.groups.size(), 1u);
    expect_eq(plan.groups[0].name, "system.slice/slurmstepd.scope/job_12/step_0/pyimport_gaggle_7_abc", "name");
    expect_eq(plan.groups[0].controllers, {"cpu", "memory", "io", "pids"}, "controllers");
    expect_eq(plan.groups[0].dirs, {"/sys/fs/cgroup/system.slice/slurmstepd.scope/job_12/step_0/pyimport_gaggle_7_abc"},
              "dir");
    expect_eq(plan.parent_dir, "/sys/fs/cgroup/system.slice/slurmstepd.scope/job_12/step_0", "parent");
    expect_eq(plan.freezer_dir, "", "no v1 freezer");

    CgroupPlan kept = keep_enabled_v2_controllers(plan, {"cpuset", "cpu", "pids"});
    expect_eq(kept.groups[0].controllers, {"cpu", "pids"}, "only what the parent hands down");
}

Test(gaggle_cgroup, v2_at_the_root_and_one_level_down) {
    CgroupPlan root = planned("0::/\n", v2_mounts());
    expect_eq(root.groups[0].name, "pyimport_gaggle_7_abc", "name");
    expect_eq(root.groups[0].dirs, {"/sys/fs/cgroup/pyimport_gaggle_7_abc"}, "dir");
    expect_eq(root.parent_dir, "/sys/fs/cgroup", "parent");
    CgroupPlan one = planned("0::/init.scope\n", v2_mounts());
    expect_eq(one.groups[0].name, "pyimport_gaggle_7_abc", "beside init.scope, under the root");
}

Test(gaggle_cgroup, hybrid_with_controllers_on_the_unified_mount_is_v2) {
    std::vector<CgroupMount> mounts = {{"cpuacct", "/sys/fs/cgroup/cpuacct", CgroupVersion::v1},
                                       {"memory", "/sys/fs/cgroup/unified", CgroupVersion::v2},
                                       {"pids", "/sys/fs/cgroup/unified", CgroupVersion::v2}};
    CgroupPlan plan = planned("2:cpuacct:/a\n0::/user.slice/session-1.scope\n", mounts);
    cr_assert(plan.version == CgroupVersion::v2);
    expect_eq(plan.groups[0].dirs, {"/sys/fs/cgroup/unified/user.slice/pyimport_gaggle_7_abc"}, "dir");
    expect_eq(plan.groups[0].controllers, {"memory", "pids"}, "controllers");
}

Test(gaggle_cgroup, garbage_lines_skipped) {
    const std::string text = "\ngarbage\nx:memory:/a\n4:memory:relative\n4:memory:/a/../b\n4:memory:/a//b\n"
                             "0:cpu:/x\n5::/y\n12345678901:pids:/z\n\x01:pids:/\n2:cpuacct:/ok/path\n";
    auto lines = parse_proc_cgroup(text);
    cr_assert(bool(lines), "%s", unit::error_of(lines).c_str());
    cr_assert_eq(lines->size(), 1u);
    expect_eq(lines->at(0).path, "/ok/path", "the one good line");
    expect_eq(lines->at(0).controllers, {"cpuacct"}, "its controller");

    expect_message(unit::error_of(parse_proc_cgroup("garbage\n\n:::\n")), {"cgroups: ", "no usable line"});
    expect_message(unit::error_of(plan_gaggle_cgroup("nonsense", hybrid_mounts(), "x")), {"no usable line"});
}

Test(gaggle_cgroup, failures_say_why) {
    expect_message(unit::error_of(plan_gaggle_cgroup(kHybrid, {}, "x")), {"cgroups: no controller mounted"});
    expect_message(unit::error_of(plan_gaggle_cgroup("3:cpuset:/\n", hybrid_mounts(), "x")),
                   {"no line for", "cpuacct", "freezer"});
    expect_message(unit::error_of(plan_gaggle_cgroup("4:memory:/\n", v2_mounts(), "x")), {"no cgroup v2 line"});
    expect_message(unit::error_of(plan_gaggle_cgroup(kHybrid, hybrid_mounts(), "a/b")), {"bad cgroup name"});
    expect_message(unit::error_of(plan_gaggle_cgroup(kHybrid, hybrid_mounts(), "..")), {"bad cgroup name"});
}

Test(gaggle_cgroup, counter_parsers) {
    cr_assert_eq(parse_cgroup_number("205689318\n").value_or(-1), 205689318);
    cr_assert(!parse_cgroup_number("max\n"));
    cr_assert(!parse_cgroup_number(""));
    cr_assert(!parse_cgroup_number("-5"));
    cr_assert(!parse_cgroup_number("99999999999999999999999"));
    cr_assert(!parse_cgroup_number("12 34"));
    const char cpu_stat[] = "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 0\n";
    cr_assert_eq(parse_cgroup_keyed(cpu_stat, "usage_usec").value_or(-1), 1500);
    cr_assert_eq(parse_cgroup_keyed(cpu_stat, "system_usec").value_or(-1), 500);
    cr_assert(!parse_cgroup_keyed(cpu_stat, "usage"));
    const char blkio[] = "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Async 12288\n8:0 Discard 0\n"
                         "8:0 Total 12288\nTotal 12288\n";
    cr_assert_eq(parse_cgroup_keyed(blkio, "Total").value_or(-1), 12288);
    cr_assert_eq(parse_cgroup_keyed("Total 0\n", "Total").value_or(-1), 0);
    auto io = parse_io_stat("8:0 rbytes=100 wbytes=20 rios=3 wios=2 dbytes=5 dios=1\n"
                            "259:0 rbytes=1000 wbytes=0 rios=10 wios=0 dbytes=0 dios=0 cost.usage=7\n");
    cr_assert(bool(io));
    cr_assert_eq(io->bytes, 1125);
    cr_assert_eq(io->operations, 16);
    cr_assert_eq(parse_io_stat("").value_or(IoSums{-1, -1}).bytes, 0, "no device: zero");
    cr_assert(!parse_io_stat("8:0 rbytes=x\n"));
    cr_assert(!parse_io_stat("8:0 rbytes=9223372036854775807 wbytes=1\n"), "overflow");
}

// ---- live: root, real cgroups -------------------------------------------------

namespace {

constexpr int64_t kMs = 1000000;

int64_t now_ns() { return clock_ns(CLOCK_MONOTONIC); }

// Dead: no such process, or a zombie waiting for its reaper. Our own
// orphans come to us (subreaper) and are reaped here.
bool gone(pid_t pid) {
    while (waitpid(-1, nullptr, WNOHANG) > 0) {}
    if (kill(pid, 0) != 0 && errno == ESRCH) return true;
    const std::string stat = unit::read_text("/proc/" + std::to_string(pid) + "/stat");
    size_t close = stat.rfind(')');
    return stat.empty() || (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z');
}

bool gone_within(pid_t pid, int64_t bound_ns) {
    for (int64_t end = now_ns() + bound_ns; !gone(pid);) {
        if (now_ns() > end) return false;
        usleep(10000);
    }
    return true;
}

bool dir_exists(const std::string &dir) {
    struct stat st;
    return stat(dir.c_str(), &st) == 0;
}

// Criterion's worker is our parent's child; orphans must come to us.
void become_subreaper() { cr_assert(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0); }

// A GaggleCgroup, or the test skipped when this host cannot have one.
GaggleCgroup made_or_skip() {
    if (!unit::running_as_root()) cr_skip_test("not root");
    auto made = GaggleCgroup::create();
    if (!made && (contains(made.error(), "no controller") || contains(made.error(), "no permission")))
        cr_skip_test("%s", made.error().c_str());
    cr_assert(bool(made), "create: %s", unit::error_of(made).c_str());
    for (const auto &dir : made->directories()) cr_assert(dir_exists(dir), "%s not made", dir.c_str());
    return std::move(*made);
}

void read_exactly(int fd, void *buf, size_t size) {
    for (size_t got = 0; got < size;) {
        ssize_t n = read(fd, static_cast<char *>(buf) + got, size - got);
        if (n < 0 && errno == EINTR) continue;
        cr_assert(n > 0, "short read");
        got += size_t(n);
    }
}

// A child that, once told to go, spends CPU and memory, then leaves a
// daemon (new session, double fork) and waits. The daemon sends its pid
// down `report` and sleeps (in an exec'd sleep, or in pause()).
struct Family {
    pid_t child = -1;
    int go = -1;
    int report = -1;
};

Family start_family(bool exec_daemon) {
    int go[2], report[2];
    cr_assert(pipe2(go, O_CLOEXEC) == 0 && pipe2(report, O_CLOEXEC) == 0);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        char byte;
        if (read(go[0], &byte, 1) != 1) _exit(1);
        timespec cpu;
        do clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
        while (cpu.tv_sec == 0 && cpu.tv_nsec < 150 * kMs);
        const size_t size = 32 << 20;
        volatile char *memory = static_cast<char *>(malloc(size));
        for (size_t i = 0; memory && i < size; i += 4096) memory[i] = 1;
        int found[2];
        if (pipe2(found, O_CLOEXEC) != 0) _exit(1);
        pid_t middle = fork();
        if (middle == 0) {
            setsid();
            if (fork() == 0) {
                const pid_t me = getpid();
                if (write(found[1], &me, sizeof me) != sizeof me) _exit(1);
                if (exec_daemon) execl("/bin/sleep", "sleep", "300", static_cast<char *>(nullptr));
                for (;;) pause();
            }
            _exit(0);
        }
        pid_t daemon = -1;
        if (read(found[0], &daemon, sizeof daemon) != sizeof daemon) _exit(1);
        waitpid(middle, nullptr, 0);  // reported once only the child and the daemon are left
        if (write(report[1], &daemon, sizeof daemon) != sizeof daemon) _exit(1);
        for (;;) pause();
    }
    close(go[0]);
    close(report[1]);
    return {pid, go[1], report[0]};
}

pid_t release_family(Family &family) {
    cr_assert(write(family.go, "g", 1) == 1);
    close(family.go);
    pid_t daemon = -1;
    read_exactly(family.report, &daemon, sizeof daemon);
    close(family.report);
    return daemon;
}

void no_cgroup_left(const std::vector<std::string> &dirs) {
    for (const auto &dir : dirs) cr_assert(!dir_exists(dir), "%s left behind", dir.c_str());
}

} // namespace

Test(gaggle_cgroup, live_totals_kill_all_remove) {
    become_subreaper();
    GaggleCgroup cg = made_or_skip();
    const auto dirs = cg.directories();
    Family family = start_family(true);
    auto attached = cg.attach(family.child);
    cr_assert(bool(attached), "attach: %s", unit::error_of(attached).c_str());
    const pid_t daemon = release_family(family);

    CgroupTotals totals = cg.totals();
    cr_assert(totals.cpu_ns.value_or(0) >= 100 * kMs, "CPU %lld ns (%s)", (long long)totals.cpu_ns.value_or(-1),
              totals.unread.c_str());
    cr_assert(totals.memory_peak_bytes.value_or(0) >= (32 << 20), "memory peak %lld (%s)",
              (long long)totals.memory_peak_bytes.value_or(-1), totals.unread.c_str());
    cr_assert(totals.io_bytes.has_value() && totals.io_operations.has_value(), "I/O unread: %s", totals.unread.c_str());
    if (totals.max_processes) cr_assert_geq(*totals.max_processes, 3, "child, middle and daemon at once");
    else cr_assert(contains(totals.unread, "pids.peak"), "%s", totals.unread.c_str());

    auto killed = cg.kill_all();
    cr_assert(bool(killed), "kill_all: %s", unit::error_of(killed).c_str());
    cr_assert_eq(*killed, 2, "killed %d, expected the child and its daemon", *killed);
    int status = 0;
    cr_assert_eq(waitpid(family.child, &status, 0), family.child);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "child status %d", status);
    cr_assert(gone_within(daemon, 1000 * kMs), "the daemon %d survived", int(daemon));

    const pid_t keeper = cg.keeper_pid();
    cr_assert_gt(keeper, 0);
    auto removed = cg.remove();
    cr_assert(bool(removed), "remove: %s", unit::error_of(removed).c_str());
    no_cgroup_left(dirs);
    errno = 0;
    cr_assert(waitpid(keeper, nullptr, WNOHANG) < 0 && errno == ECHILD, "the keeper was not reaped");
    auto again = cg.kill_all();
    cr_assert(bool(again) && *again == 0, "kill_all after remove");
}

Test(gaggle_cgroup, live_destructor_kills_and_removes) {
    become_subreaper();
    std::vector<std::string> dirs;
    pid_t daemon = -1, child = -1;
    {
        GaggleCgroup cg = made_or_skip();
        dirs = cg.directories();
        Family family = start_family(false);
        child = family.child;
        cr_assert(bool(cg.attach(family.child)));
        daemon = release_family(family);
        GaggleCgroup moved = std::move(cg);  // the moved-from one owns nothing
    }
    cr_assert(gone_within(child, 1000 * kMs) && gone_within(daemon, 1000 * kMs), "processes survived");
    no_cgroup_left(dirs);
}

namespace {

// A process that makes the cgroup, puts a family in it and reports its pid,
// the daemon's pid and the directories on one line; then it is SIGKILLed.
void keeper_cleans_up_after_a_killed_caller(bool exec_daemon) {
    if (!unit::running_as_root()) cr_skip_test("not root");
    become_subreaper();
    int line[2];
    cr_assert(pipe(line) == 0);
    pid_t caller = fork();
    cr_assert(caller >= 0);
    if (caller == 0) {
        close(line[0]);
        std::string text;
        auto cg = GaggleCgroup::create();
        if (!cg) {
            text = "ERROR " + cg.error() + "\n";
        } else {
            Family family = start_family(exec_daemon);
            if (!cg->attach(family.child)) _exit(1);
            (void)!write(family.go, "g", 1);
            pid_t daemon = -1;
            if (read(family.report, &daemon, sizeof daemon) != sizeof daemon) _exit(1);
            text = std::to_string(daemon);
            for (const auto &dir : cg->directories()) text += " " + dir;
            text += "\n";
        }
        (void)!write(line[1], text.data(), text.size());
        for (;;) pause();
    }
    close(line[1]);
    std::string text;
    char c;
    while (read(line[0], &c, 1) == 1 && c != '\n') text += c;
    close(line[0]);
    if (contains(text, "ERROR") || text.empty()) {
        kill(caller, SIGKILL);
        waitpid(caller, nullptr, 0);
        if (contains(text, "no controller")) cr_skip_test("%s", text.c_str());
        cr_assert_fail("caller: '%s'", text.c_str());
    }
    std::istringstream in(text);
    pid_t daemon = -1;
    in >> daemon;
    std::vector<std::string> dirs;
    for (std::string dir; in >> dir;) dirs.push_back(dir);
    cr_assert(daemon > 0 && !dirs.empty(), "line '%s'", text.c_str());

    const int64_t start = now_ns();
    cr_assert(kill(caller, SIGKILL) == 0);
    waitpid(caller, nullptr, 0);
    cr_assert(gone_within(daemon, 3000 * kMs), "the daemon outlived its caller by 3 s");
    bool left = true;
    while (left && now_ns() - start < 3000 * kMs) {
        left = false;
        for (const auto &dir : dirs) left = left || dir_exists(dir);
        if (left) usleep(10000);
    }
    no_cgroup_left(dirs);
    // The keeper, an orphan now, comes to us: wait for it to end.
    for (int64_t end = now_ns() + 3000 * kMs; waitpid(-1, nullptr, WNOHANG) >= 0 && now_ns() < end;) usleep(10000);
    errno = 0;
    cr_assert(waitpid(-1, nullptr, WNOHANG) < 0 && errno == ECHILD, "a process is left");
}

} // namespace

// The exec'd daemon holds no write end of the keeper's pipe: it sees EOF.
Test(gaggle_cgroup, live_keeper_after_caller_sigkill) { keeper_cleans_up_after_a_killed_caller(true); }

// A daemon that never execs keeps a copy of the pipe's write end: the
// keeper's parent-death signal wakes it instead.
Test(gaggle_cgroup, live_keeper_when_a_daemon_holds_the_pipe) { keeper_cleans_up_after_a_killed_caller(false); }

// slurmstepd's user_init: real uid 0, effective the job user's.
Test(gaggle_cgroup, live_effective_uid_of_a_user) {
    if (!unit::running_as_root()) cr_skip_test("not root");
    const std::string report = unit::in_child([]() -> std::string {
        prctl(PR_SET_CHILD_SUBREAPER, 1);
        if (seteuid(unit::kNobody) != 0) return "seteuid failed";
        auto euid_is_user = [] { return geteuid() == unit::kNobody && getuid() == 0; };
        auto cg = GaggleCgroup::create();
        if (!euid_is_user()) return "euid not restored after create";
        if (!cg) return contains(cg.error(), "no controller") ? "SKIP" : "create: " + cg.error();
        const std::string keeper_status = unit::read_text("/proc/" + std::to_string(cg->keeper_pid()) + "/status");
        const std::string root_ids = "\nUid:\t0\t0\t";  // real, effective
        if (!contains(keeper_status, root_ids)) return "the keeper is not root";
        pid_t child = fork();
        if (child == 0) {
            for (;;) pause();
        }
        auto attached = cg->attach(child);
        if (!euid_is_user()) return "euid not restored after attach";
        if (!attached) return "attach: " + attached.error();
        CgroupTotals totals = cg->totals();
        if (!euid_is_user()) return "euid not restored after totals";
        if (!totals.cpu_ns) return "no CPU time: " + totals.unread;
        auto killed = cg->kill_all();
        if (!euid_is_user()) return "euid not restored after kill_all";
        if (!killed || *killed != 1) return "kill_all: " + (killed ? std::to_string(*killed) : killed.error());
        waitpid(child, nullptr, 0);
        const auto dirs = cg->directories();
        auto removed = cg->remove();
        if (!euid_is_user()) return "euid not restored after remove";
        if (!removed) return "remove: " + removed.error();
        for (const auto &dir : dirs)
            if (access(dir.c_str(), F_OK) == 0) return dir + " left";
        return "";
    });
    if (report == "SKIP") cr_skip_test("no controller");
    cr_assert(report.empty(), "%s", report.c_str());
}

// The kernel runtime's mount holder dies with slurmstepd by its parent-death
// signal; the id changes around each cgroup call would clear it.
Test(gaggle_cgroup, live_parent_death_signal_survives_the_id_changes) {
    if (!unit::running_as_root()) cr_skip_test("not root");
    const std::string report = unit::in_child([]() -> std::string {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || seteuid(unit::kNobody) != 0) return "setup failed";
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return "setup failed";  // the seteuid cleared it
        auto signal_kept = [] {
            int sig = 0;
            return prctl(PR_GET_PDEATHSIG, &sig) == 0 && sig == SIGKILL;
        };
        auto cg = GaggleCgroup::create();
        if (!signal_kept()) return "create cleared the parent-death signal";
        if (!cg) return contains(cg.error(), "no controller") ? "SKIP" : "create: " + cg.error();
        cg->totals();
        if (!signal_kept()) return "totals cleared the parent-death signal";
        auto killed = cg->kill_all();
        auto removed = cg->remove();
        if (!killed || !removed) return "kill_all or remove failed";
        if (!signal_kept()) return "remove cleared the parent-death signal";
        return "";
    });
    if (report == "SKIP") cr_skip_test("no controller");
    cr_assert(report.empty(), "%s", report.c_str());
}

Test(gaggle_cgroup, live_not_root_no_permission) {
    if (!unit::running_as_root()) cr_skip_test("not root");
    const std::string report = unit::in_child([]() -> std::string {
        std::string dropped = unit::become_nobody();
        if (!dropped.empty()) return dropped;
        auto cg = GaggleCgroup::create();
        if (cg) return "created as nobody";
        return cg.error();
    });
    if (contains(report, "no controller")) cr_skip_test("%s", report.c_str());
    expect_eq(report, "cgroups: no permission (not root)", "message");
}

// The v2 sweep (cgroup.kill, and the cgroup.freeze path) on this host's
// cgroup2 mount, which has no accounting controller but kills all the same.
Test(gaggle_cgroup, live_v2_sweep_on_the_unified_mount) {
    if (!unit::running_as_root()) cr_skip_test("not root");
    const std::string mount = "/sys/fs/cgroup/unified";
    struct statfs fs;
    bool pure_v2 = false;
    struct statfs top;
    if (statfs("/sys/fs/cgroup", &top) == 0 && top.f_type == CGROUP2_SUPER_MAGIC) pure_v2 = true;
    if (pure_v2 || statfs(mount.c_str(), &fs) != 0 || fs.f_type != CGROUP2_SUPER_MAGIC)
        cr_skip_test("no separate cgroup2 mount at %s", mount.c_str());
    become_subreaper();
    for (bool with_kill_file : {true, false}) {
        std::string unique;
        cr_assert(random_name_part(unique));
        const std::string dir = mount + "/" + gaggle_cgroup_leaf(getpid(), unique);
        cr_assert(mkdir(dir.c_str(), 0755) == 0, "mkdir %s: %s", dir.c_str(), strerror(errno));
        Family family = start_family(false);
        unit::write_text(dir + "/cgroup.procs", std::to_string(family.child));
        const pid_t daemon = release_family(family);
        auto plan = make_sweep_plan(CgroupVersion::v2, {dir}, "");
        cr_assert(bool(plan), "%s", unit::error_of(plan).c_str());
        if (!with_kill_file) plan->kill_file[0] = '\0';
        if (with_kill_file && !plan->kill_file[0]) {
            rmdir(dir.c_str());
            cr_skip_test("no cgroup.kill (kernel before 5.14)");
        }
        const SweepOutcome outcome = sweep_cgroup(*plan, 2000 * kMs);
        const bool dead = gone_within(family.child, 1000 * kMs) && gone_within(daemon, 1000 * kMs);
        const int removed = remove_cgroup_dirs(*plan);
        if (!outcome.empty || !dead) {  // clean up before failing: nothing may be left
            kill(family.child, SIGKILL);
            kill(daemon, SIGKILL);
            usleep(100000);
            rmdir(dir.c_str());
        }
        cr_assert(outcome.empty && dead, "survivors (kill file %d)", with_kill_file);
        cr_assert_eq(outcome.killed, 2, "killed %d (kill file %d)", outcome.killed, with_kill_file);
        cr_assert_eq(removed, 0, "rmdir: %s", strerror(removed));
        cr_assert(!dir_exists(dir));
    }
}
