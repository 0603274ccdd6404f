#include "cgroup_sweep.hpp"

#include "sys_io.hpp"

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace pyimport {

namespace {

constexpr int64_t kMillisecond = 1000000;

int64_t now_ns() { return clock_ns(CLOCK_MONOTONIC); }

void pause_ns(int64_t ns) {
    timespec ts{time_t(ns / 1000000000), long(ns % 1000000000)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

bool copy_path(char (&out)[SweepPlan::kPathMax], const std::string &dir, const char *file) {
    const std::string path = dir + file;
    if (path.size() >= SweepPlan::kPathMax) return false;
    std::memcpy(out, path.c_str(), path.size() + 1);
    return true;
}

bool write_text(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const size_t size = std::strlen(text);
    ssize_t n;
    while ((n = write(fd, text, size)) < 0 && errno == EINTR) {}
    close(fd);
    return n == ssize_t(size);
}

// The start of the file at `path` in `buf`, NUL-terminated; false when unreadable.
bool read_text(const char *path, char *buf, size_t size) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    ssize_t n;
    while ((n = read(fd, buf, size - 1)) < 0 && errno == EINTR) {}
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return n >= 0;
}

// Calls visit(pid) for each process listed in the cgroup.procs at `path`;
// returns how many, 0 when the cgroup is gone, -1 when it cannot be read.
template <class Visit> int each_pid(const char *path, Visit visit) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? 0 : -1;
    char buf[4096];
    long current = -1;
    int count = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == ENODEV) break;  // removed while being read
        if (n < 0) count = -1;
        if (n <= 0) break;
        for (ssize_t i = 0; i < n; ++i) {
            if (buf[i] >= '0' && buf[i] <= '9') {
                current = (current < 0 ? 0 : current) * 10 + (buf[i] - '0');
                if (current > INT_MAX) current = INT_MAX;
            } else {
                if (current > 0 && count >= 0) visit(pid_t(current)), ++count;
                current = -1;
            }
        }
    }
    if (current > 0 && count >= 0) visit(pid_t(current)), ++count;
    close(fd);
    return count;
}

// The processes signalled so far, to count each once (a v1 process is
// listed in every hierarchy). Past its capacity each is counted again.
struct PidSet {
    pid_t items[1024];
    size_t size = 0;
    int count = 0;
    void add(pid_t pid) {
        for (size_t i = 0; i < size; ++i)
            if (items[i] == pid) return;
        if (size < sizeof items / sizeof items[0]) items[size++] = pid;
        ++count;
    }
};

// Freezes the cgroup, waiting a little for it to settle (a task in an
// uninterruptible sleep may keep it freezing; the signals go anyway).
// True when a thaw is owed.
bool freeze(const SweepPlan &plan, int64_t deadline) {
    if (!plan.freeze_file[0] || !write_text(plan.freeze_file, plan.v2 ? "1" : "FROZEN")) return false;
    const char *frozen = plan.v2 ? "frozen 1" : "FROZEN";
    const int64_t until = now_ns() + 500 * kMillisecond;
    for (char buf[256]; read_text(plan.frozen_file, buf, sizeof buf) && !std::strstr(buf, frozen);) {
        if (now_ns() > until || now_ns() > deadline) break;
        pause_ns(kMillisecond);
    }
    return true;
}

void thaw(const SweepPlan &plan) { write_text(plan.freeze_file, plan.v2 ? "0" : "THAWED"); }

void noop_handler(int) {}

} // namespace

Result<SweepPlan> make_sweep_plan(CgroupVersion version, const std::vector<std::string> &dirs,
                                  const std::string &freezer_dir) {
    SweepPlan plan;
    plan.v2 = version == CgroupVersion::v2;
    if (dirs.empty() || dirs.size() > SweepPlan::kMaxDirs) return fail("cgroups: bad number of directories");
    for (const auto &dir : dirs) {
        if (!copy_path(plan.dirs[plan.dir_count], dir, "") ||
            !copy_path(plan.procs[plan.dir_count], dir, "/cgroup.procs"))
            return fail("cgroups: path too long");
        ++plan.dir_count;
    }
    bool fits = true;
    if (plan.v2) {
        if (access((dirs[0] + "/cgroup.kill").c_str(), F_OK) == 0) fits = copy_path(plan.kill_file, dirs[0], "/cgroup.kill");
        if (access((dirs[0] + "/cgroup.freeze").c_str(), F_OK) == 0)
            fits = fits && copy_path(plan.freeze_file, dirs[0], "/cgroup.freeze") &&
                   copy_path(plan.frozen_file, dirs[0], "/cgroup.events");
    } else if (!freezer_dir.empty()) {
        fits = copy_path(plan.freeze_file, freezer_dir, "/freezer.state") &&
               copy_path(plan.frozen_file, freezer_dir, "/freezer.state");
    }
    if (!fits) return fail("cgroups: path too long");
    return plan;
}

SweepOutcome sweep_cgroup(const SweepPlan &plan, int64_t bound_ns) {
    PidSet seen;
    SweepOutcome outcome;
    const pid_t self = getpid();
    const int64_t deadline = now_ns() + bound_ns;
    for (;;) {
        auto note = [&](pid_t pid) {
            if (pid != self) seen.add(pid);
        };
        bool killed_by_file = false;
        if (plan.kill_file[0]) {
            for (size_t i = 0; i < plan.dir_count; ++i) each_pid(plan.procs[i], note);
            killed_by_file = write_text(plan.kill_file, "1");
        }
        if (!killed_by_file) {
            const bool thaw_owed = freeze(plan, deadline);
            for (size_t i = 0; i < plan.dir_count; ++i)
                each_pid(plan.procs[i], [&](pid_t pid) {
                    if (pid == self) return;
                    kill(pid, SIGKILL);
                    seen.add(pid);
                });
            if (thaw_owed) thaw(plan);
        }
        bool empty = true;
        for (size_t i = 0; i < plan.dir_count; ++i)
            if (each_pid(plan.procs[i], [](pid_t) {}) != 0) empty = false;
        outcome.killed = seen.count;
        outcome.empty = empty;
        if (empty || now_ns() > deadline) return outcome;
        pause_ns(2 * kMillisecond);
    }
}

int remove_cgroup_dirs(const SweepPlan &plan) {
    int first_error = 0;
    for (size_t i = 0; i < plan.dir_count; ++i)
        if (rmdir(plan.dirs[i]) != 0 && errno != ENOENT && first_error == 0) first_error = errno;
    return first_error;
}

void run_cgroup_keeper(const SweepPlan &plan, int read_fd, pid_t parent) {
    // Signals meant for the caller's process group or terminal must not end
    // the keeper before its work: its life is tied to the caller's alone.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; ++s)
        if (s != SIGKILL && s != SIGSTOP) sigaction(s, &action, nullptr);
    action.sa_handler = SIG_IGN;
    for (int s : {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU, SIGUSR2, SIGALRM})
        sigaction(s, &action, nullptr);
    // The parent-death signal interrupts the read (no SA_RESTART): a backstop
    // for a write end that leaked into a process living on. It also comes
    // when only the forking thread ends, hence the getppid() check.
    action.sa_handler = noop_handler;
    sigaction(SIGUSR1, &action, nullptr);
    setsid();
    if (chdir("/") != 0) {}  // never pin the caller's working directory or its mount
    if (read_fd > 0) close_range(0, unsigned(read_fd) - 1, 0);
    close_range(unsigned(read_fd) + 1, ~0U, 0);
    prctl(PR_SET_PDEATHSIG, SIGUSR1);
    while (getppid() == parent) {
        char byte;
        ssize_t n = read(read_fd, &byte, 1);
        if (n == 0 || (n < 0 && errno != EINTR)) break;
    }
    for (int round = 0; round < 3; ++round) {
        sweep_cgroup(plan, 2000 * kMillisecond);
        if (remove_cgroup_dirs(plan) == 0) break;
    }
    _exit(0);
}

} // namespace pyimport
