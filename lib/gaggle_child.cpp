#include "gaggle_child.hpp"

#include "sys_io.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace pyimport::detail {

const char *child_step_name(int32_t step) {
    switch (step) {
    case step_ready: return "ready";
    case step_signals: return "reset signals";
    case step_stdio: return "set up stdio";
    case step_privilege: return "regain privilege to switch ids";
    case step_groups: return "setgroups";
    case step_gid: return "setresgid";
    case step_uid: return "setresuid";
    case step_verify_ids: return "verify ids";
    case step_parent_death: return "set parent-death signal";
    case step_workdir: return "chdir to workdir";
    case step_close_fds: return "close inherited fds";
    }
    return "unknown step";
}

namespace {

[[noreturn]] void fail(int ready_fd, int32_t index, ChildStep step) {
    ReadyMessage msg{index, step, errno};
    (void)!write(ready_fd, &msg, sizeof msg);
    _exit(126);
}

[[noreturn]] void fail(const ChildPlan &plan, ChildStep step) { fail(plan.ready_fd, plan.index, step); }

// Handlers set by the parent process are reset by execve, but ignored signals
// and the blocked mask would be inherited by the interpreter. The raw system
// call reaches every signal: glibc's sigaction() refuses the two it reserves
// (32, 33), which a parent such as make may have left ignored.
struct KernelSigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)();
    uint64_t mask;
};

bool reset_signals() {
    const KernelSigaction dfl{SIG_DFL, 0, nullptr, 0};
    for (int sig = 1; sig <= 64; ++sig)
        if (sig != SIGKILL && sig != SIGSTOP) syscall(SYS_rt_sigaction, sig, &dfl, nullptr, sizeof dfl.mask);
    sigset_t none;
    sigemptyset(&none);
    return sigprocmask(SIG_SETMASK, &none, nullptr) == 0;
}

bool set_stdio(const ChildPlan &plan) {
    return dup2(plan.null_fd, 0) == 0 && dup2(plan.stdout_fd, 1) == 1 && dup2(plan.stderr_fd, 2) == 2;
}

// slurmstepd sets oom_score_adj -1000 for itself; the interpreters must not inherit it.
void reset_oom_score() {
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd < 0) return;
    (void)!write(fd, "0", 1);
    close(fd);
}

// While parked at the barrier a child gets the highest priority it may have,
// so that at the release every child is scheduled at once and reaches execve
// before the first interpreters fill the cores: real-time (root, outside an
// RT-throttled cgroup), else nice -20, else nothing. It is dropped again right
// after the release timestamp, before execve; the interpreter never has it.
enum Boost { boost_none, boost_realtime, boost_nice };

Boost boost_priority() {
    sched_param rt{};
    rt.sched_priority = 1;
    if (sched_setscheduler(0, SCHED_FIFO, &rt) == 0) return boost_realtime;
    return setpriority(PRIO_PROCESS, 0, -20) == 0 ? boost_nice : boost_none;
}

void drop_boost(Boost boost, int nice_value) {
    sched_param normal{};
    if (boost == boost_realtime) sched_setscheduler(0, SCHED_OTHER, &normal);  // allowed unprivileged
    if (boost == boost_nice) setpriority(PRIO_PROCESS, 0, nice_value);        // raising nice: likewise
}

// Drops real, effective and saved ids for good, after regaining root where
// only the effective uid was dropped (slurmstepd's user_init).
void switch_ids(const TargetIds &ids, int ready_fd, int32_t index) {
    if (geteuid() != 0 && seteuid(0) != 0) fail(ready_fd, index, step_privilege);
    if (setgroups(ids.group_count, ids.groups) != 0) fail(ready_fd, index, step_groups);
    if (setresgid(ids.gid, ids.gid, ids.gid) != 0) fail(ready_fd, index, step_gid);
    if (setresuid(ids.uid, ids.uid, ids.uid) != 0) fail(ready_fd, index, step_uid);
    uid_t r, e, s;
    gid_t rg, eg, sg;
    if (getresuid(&r, &e, &s) != 0 || getresgid(&rg, &eg, &sg) != 0) fail(ready_fd, index, step_verify_ids);
    if (r != ids.uid || e != ids.uid || s != ids.uid || rg != ids.gid || eg != ids.gid || sg != ids.gid) {
        errno = EPERM;
        fail(ready_fd, index, step_verify_ids);
    }
}

// After the id switch, so that the hard limits the kernel holds bound them.
// A soft limit at or below the hard one is never refused.
void apply_limits(const ChildPlan &plan) {
    for (size_t i = 0; i < plan.limit_count; ++i) {
        const auto resource = plan.limits[i].resource;
        rlimit r;
        if (getrlimit(resource, &r) != 0) continue;
        r.rlim_cur = std::min(plan.limits[i].soft, r.rlim_max);
        setrlimit(resource, &r);
    }
}

bool close_inherited_fds(const ChildPlan &plan) {
    // Mark every fd above stderr close-on-exec; the pipes still work until execve.
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return true;
    long max = sysconf(_SC_OPEN_MAX);
    for (int fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); ++fd)
        if (fd != plan.ready_fd && fd != plan.go_fd) fcntl(fd, F_SETFD, FD_CLOEXEC);
    return true;
}

} // namespace

void run_child(const ChildPlan &plan) {
    close(plan.parent_fds[0]);
    close(plan.parent_fds[1]);
    setpgid(0, 0);  // own process group: a timeout kills all it started
    if (!reset_signals()) fail(plan, step_signals);
    if (!set_stdio(plan)) fail(plan, step_stdio);
    // In slurmstepd's user_init the real uid is 0 and the effective one the
    // user's: regain root for what follows, then drop all ids in switch_ids.
    if (plan.ids.switch_ids && geteuid() != 0 && seteuid(0) != 0) fail(plan, step_privilege);
    reset_oom_score();
    const Boost boost = boost_priority();
    if (plan.ids.switch_ids) switch_ids(plan.ids, plan.ready_fd, plan.index);
    apply_limits(plan);
    // After the id switch: changing ids clears the parent-death signal.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail(plan, step_parent_death);
    if (getppid() != plan.parent) _exit(125);  // the parent is already gone
    if (chdir(plan.workdir) != 0) fail(plan, step_workdir);
    if (!close_inherited_fds(plan)) fail(plan, step_close_fds);

    ReadyMessage ready{plan.index, step_ready, 0};
    if (write(plan.ready_fd, &ready, sizeof ready) != sizeof ready) _exit(126);
    char byte;
    ssize_t n;
    do n = read(plan.go_fd, &byte, 1);
    while (n < 0 && errno == EINTR);
    if (n != 0) _exit(126);  // anything but EOF means "abort"

    plan.slot->exec_ns = clock_ns(CLOCK_MONOTONIC);
    drop_boost(boost, plan.nice_value);
    execve(plan.argv[0], plan.argv, plan.envp);
    plan.slot->exec_errno = errno;
    _exit(127);
}

namespace {

constexpr size_t kFinalReadBytes = size_t(1) << 20;  // per pipe, once told to finish

void keep_tail(ChildSlot &slot, const char *data, size_t n) {
    if (n > kStderrTailBytes) {
        slot.stderr_bytes += n - kStderrTailBytes;
        data += n - kStderrTailBytes;
        n = kStderrTailBytes;
    }
    while (n > 0) {
        const size_t at = size_t(slot.stderr_bytes % kStderrTailBytes);
        const size_t chunk = std::min(n, kStderrTailBytes - at);
        std::memcpy(slot.stderr_ring + at, data, chunk);
        slot.stderr_bytes += chunk;
        data += chunk;
        n -= chunk;
    }
}

// Before keep_tail: stderr_bytes is still the offset of `data` in the stream.
void keep_head(const DrainPlan &plan, size_t i, const char *data, size_t n) {
    const uint64_t at = plan.slots[i].stderr_bytes;
    if (at >= plan.head_bytes) return;
    std::memcpy(plan.heads + i * plan.head_bytes + at, data, std::min(n, size_t(plan.head_bytes - at)));
}

// One read of child i's pipe; false once it has nothing more to give (EOF, error, or empty).
bool read_once(const DrainPlan &plan, size_t i, ssize_t &n) {
    do n = read(plan.polls[1 + i].fd, plan.buffer, plan.buffer_size);
    while (n < 0 && errno == EINTR);
    if (n > 0) {
        keep_head(plan, i, plan.buffer, size_t(n));
        keep_tail(plan.slots[i], plan.buffer, size_t(n));
    }
    return n > 0;
}

void close_range_or_loop(unsigned first, unsigned last) {
    if (syscall(SYS_close_range, first, last, 0U) == 0) return;
    long max = sysconf(_SC_OPEN_MAX);
    const unsigned end = std::min(last, unsigned(max > 0 && max < 65536 ? max : 65536) - 1);
    for (unsigned fd = first; fd <= end; ++fd) close(int(fd));
}

// Closes every descriptor above stderr but the sorted `keep`: the drain never
// execs, so close-on-exec does not protect it from holding, say, the go pipe.
void close_all_but(const int *keep, size_t count) {
    unsigned next = 3;
    for (size_t i = 0; i < count; ++i) {
        const unsigned fd = unsigned(keep[i]);
        if (fd < next) continue;
        if (fd > next) close_range_or_loop(next, fd - 1);
        next = fd + 1;
    }
    close_range_or_loop(next, ~0U);
}

} // namespace

void run_drain(const DrainPlan &plan) {
    if (!reset_signals()) fail(plan.ready_fd, kDrainIndex, step_signals);
    if (plan.ids.switch_ids) switch_ids(plan.ids, plan.ready_fd, kDrainIndex);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail(plan.ready_fd, kDrainIndex, step_parent_death);
    if (getppid() != plan.parent) _exit(125);
    close_all_but(plan.keep_fds, plan.keep_count);
    ReadyMessage ready{kDrainIndex, step_ready, 0};
    if (write(plan.ready_fd, &ready, sizeof ready) != sizeof ready) _exit(126);
    close(plan.ready_fd);  // else the ready pipe would never show EOF should every child die

    const size_t pipes = plan.poll_count - 1;
    for (;;) {
        if (poll(plan.polls, plan.poll_count, -1) < 0) {
            if (errno == EINTR) continue;
            _exit(1);
        }
        if (plan.polls[0].revents) break;  // the parent's word (or its death)
        for (size_t i = 0; i < pipes; ++i) {
            pollfd &p = plan.polls[1 + i];
            ssize_t n;
            // One read per pipe and round, so that one chatty interpreter
            // does not hold up the others' pipes.
            if (p.fd >= 0 && p.revents && !read_once(plan, i, n) && !(n < 0 && errno == EAGAIN)) p.fd = -1;
        }
    }
    // Whatever the interpreters wrote before they exited is in the pipes now.
    // A leftover writer could go on forever: take at most kFinalReadBytes.
    for (size_t i = 0; i < pipes; ++i) {
        if (plan.polls[1 + i].fd < 0) continue;
        ssize_t n;
        for (size_t taken = 0; taken < kFinalReadBytes && read_once(plan, i, n);) taken += size_t(n);
    }
    _exit(0);
}

} // namespace pyimport::detail
