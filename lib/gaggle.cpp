#include "gaggle.hpp"

#include "gaggle_accounting.hpp"
#include "gaggle_child.hpp"
#include "release_priority.hpp"
#include "sys_io.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace pyimport {

using detail::ChildSlot;
using detail::ReadyMessage;

namespace {

using detail::kMaxStderrHeadBytes;
using detail::kStderrTailBytes;

constexpr int kSetupTimeoutMs = 30000;   // children reaching the barrier
constexpr int kDrainFinishMs = 2000;     // the drain emptying the pipes after the last exit
constexpr size_t kDrainBufferBytes = 65536;
constexpr int64_t kNsPerSecond = 1000000000;
constexpr int64_t kMaxOvershootNs = 2 * kNsPerSecond;  // the release wait's slack for clock corrections
// The release wait's last stretch, slept precisely on the real-time clock
// without watching the stop fd (poll() timeouts are too coarse for it).
constexpr int64_t kStopWatchedUntilNs = 200 * 1000000;

int64_t timeval_ns(const timeval &tv) { return int64_t(tv.tv_sec) * 1000000000 + int64_t(tv.tv_usec) * 1000; }

int open_scratch_file(const std::string &dir) {
    int fd = open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)) return fd;
    std::string path = dir + "/pyimport-stdout.XXXXXX";  // file systems without O_TMPFILE
    fd = mkostemp(path.data(), O_CLOEXEC);
    if (fd >= 0) unlink(path.c_str());
    return fd;
}

std::string read_tail(int fd) {
    off_t size = lseek(fd, 0, SEEK_END);
    if (size <= 0) return "";
    off_t start = size > off_t(kStderrTailBytes) ? size - off_t(kStderrTailBytes) : 0;
    std::string text(size_t(size - start), '\0');
    ssize_t n = pread(fd, text.data(), text.size(), start);
    text.resize(n > 0 ? size_t(n) : 0);
    return text;
}

std::string ring_tail(const ChildSlot &slot) {
    const uint64_t total = slot.stderr_bytes;
    if (total <= kStderrTailBytes) return std::string(slot.stderr_ring, size_t(total));
    const size_t at = size_t(total % kStderrTailBytes);
    return std::string(slot.stderr_ring + at, kStderrTailBytes - at) + std::string(slot.stderr_ring, at);
}

std::vector<char *> c_strings(const std::vector<std::string> &strings) {
    std::vector<char *> out;
    for (const auto &s : strings) out.push_back(const_cast<char *>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

// All resources of one gaggle; the destructor releases whatever was acquired,
// so every error path is a plain return.
struct Gaggle {
    const GaggleSpec &spec;
    std::vector<char *> argv, envp;
    int ready[2] = {-1, -1}, go[2] = {-1, -1};
    int control[2] = {-1, -1};   // a byte (or the hang-up) on it ends the drain
    int null_fd = -1;
    std::vector<int> stderr_read, stderr_write, stdout_fds;
    // The drain's, prepared before any fork.
    std::vector<pollfd> drain_polls;
    std::vector<int> drain_keep;
    std::vector<char> drain_buffer;
    pid_t drain_pid = -1;
    int drain_pidfd = -1;
    ChildSlot *slots = nullptr;
    size_t slots_bytes = 0;
    char *heads = nullptr;       // spec.stderr_head_bytes per child, shared with the drain
    size_t heads_bytes = 0;
    std::vector<pid_t> pids;
    std::vector<int> pidfds;     // one per child, readable once it has exited
    std::vector<pollfd> exits;   // what poll() watches: the pidfds of children still running
    std::vector<int> status;
    std::vector<rusage> usage;
    std::vector<int64_t> exit_ns;
    std::vector<bool> timed_out;
    bool stopped = false;        // spec.stop_fd became readable: everything was killed
    bool reaped_all = false;

    explicit Gaggle(const GaggleSpec &s) : spec(s) {}
    ~Gaggle() {
        if (!reaped_all) kill_and_reap_all();
        reap_drain();
        for (int fd : {ready[0], ready[1], go[0], go[1], control[0], control[1], null_fd, drain_pidfd})
            if (fd >= 0) close(fd);
        close_all(stderr_read);
        close_all(stderr_write);
        close_all(stdout_fds);
        close_all(pidfds);
        if (slots) munmap(slots, slots_bytes);
        if (heads) munmap(heads, heads_bytes);
    }

    static void close_all(std::vector<int> &fds) {
        for (int &fd : fds)
            if (fd >= 0) close(fd), fd = -1;
    }

    void kill_and_reap_all() {
        for (pid_t pid : pids) kill(-pid, SIGKILL);
        for (pid_t pid : pids)
            while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {}
    }

    // The drain is in our process group: never kill(-drain_pid).
    void reap_drain() {
        if (drain_pid <= 0) return;
        kill(drain_pid, SIGKILL);  // harmless once it has exited: it stays a zombie until reaped
        while (waitpid(drain_pid, nullptr, 0) < 0 && errno == EINTR) {}
        drain_pid = -1;
    }

    detail::TargetIds target_ids() const {
        if (!spec.become) return {false, 0, 0, nullptr, 0};
        const Credentials &c = *spec.become;
        return {true, c.uid, c.gid, c.groups.data(), c.groups.size()};
    }

    Result<void> prepare();
    Result<void> start_children();
    Result<void> start_drain();
    Result<void> await_barrier();
    int64_t release_and_wait();
    void finish_drain();
    GaggleFigures figures(int64_t release_mono, int64_t release_real);
};

Result<void> Gaggle::prepare() {
    argv = c_strings(spec.argv);
    envp = c_strings(spec.env);
    if (pipe2(ready, O_CLOEXEC) != 0 || pipe2(go, O_CLOEXEC) != 0 || pipe2(control, O_CLOEXEC) != 0)
        return fail(errno_text("pipe"));
    null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd < 0) return fail(errno_text("open /dev/null"));
    drain_polls.push_back(pollfd{control[0], POLLIN, 0});
    drain_keep = {ready[1], control[0]};
    for (int i = 0; i < spec.size; ++i) {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) return fail(errno_text("stderr pipe"));
        stderr_read.push_back(fds[0]);
        stderr_write.push_back(fds[1]);
        // Only the drain's end: the interpreter's stderr stays blocking.
        if (fcntl(fds[0], F_SETFL, O_NONBLOCK) != 0) return fail(errno_text("stderr pipe"));
        drain_polls.push_back(pollfd{fds[0], POLLIN, 0});
        drain_keep.push_back(fds[0]);
        if (!spec.capture_stdout) continue;
        const int fd = open_scratch_file(spec.scratch_dir);
        if (fd < 0) return fail(errno_text("stdout capture file in " + spec.scratch_dir));
        stdout_fds.push_back(fd);
    }
    std::sort(drain_keep.begin(), drain_keep.end());
    drain_buffer.resize(kDrainBufferBytes);
    slots_bytes = sizeof(ChildSlot) * size_t(spec.size);
    void *mem = mmap(nullptr, slots_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) return fail(errno_text("mmap"));
    slots = static_cast<ChildSlot *>(mem);
    if (spec.stderr_head_bytes > kMaxStderrHeadBytes)
        return fail("stderr head of " + std::to_string(spec.stderr_head_bytes) + " bytes asked for, at most " +
                    std::to_string(kMaxStderrHeadBytes) + " per interpreter");
    if (spec.stderr_head_bytes > 0) {
        // The drain cannot allocate; pages are only taken as stderr fills them.
        heads_bytes = spec.stderr_head_bytes * size_t(spec.size);
        mem = mmap(nullptr, heads_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (mem == MAP_FAILED) return fail(errno_text("mmap of the stderr heads"));
        heads = static_cast<char *>(mem);
    }
    pids.reserve(size_t(spec.size));
    pidfds.reserve(size_t(spec.size));
    exits.reserve(size_t(spec.size) + 1);  // + spec.stop_fd
    status.assign(size_t(spec.size), 0);
    usage.assign(size_t(spec.size), rusage{});
    exit_ns.assign(size_t(spec.size), 0);
    timed_out.assign(size_t(spec.size), false);
    return ok();
}

Result<void> Gaggle::start_children() {
    errno = 0;
    const int nice_value = getpriority(PRIO_PROCESS, 0);
    const detail::TargetIds ids = target_ids();
    for (int i = 0; i < spec.size; ++i) {
        detail::ChildPlan plan{i, argv.data(), envp.data(), spec.workdir.c_str(), ids,
                               spec.limits.data(), spec.limits.size(), getpid(), nice_value, ready[1], go[0],
                               {ready[0], go[1]}, null_fd, spec.capture_stdout ? stdout_fds[size_t(i)] : null_fd,
                               stderr_write[size_t(i)], &slots[i]};
        pid_t pid = fork();
        if (pid < 0) return fail(errno_text("fork"));
        if (pid == 0) detail::run_child(plan);
        setpgid(pid, pid);  // also done by the child: whichever runs first wins
        pids.push_back(pid);
        int pidfd = int(syscall(SYS_pidfd_open, pid, 0));
        if (pidfd < 0) return fail(errno_text("pidfd_open"));
        pidfds.push_back(pidfd);
        exits.push_back(pollfd{pidfd, POLLIN, 0});
    }
    if (auto drain = start_drain(); !drain) return drain;
    close(ready[1]);
    close(go[0]);
    close(control[0]);
    ready[1] = go[0] = control[0] = -1;
    // The drain holds the read ends, the interpreters the write ends. Should
    // the drain die, a writer gets SIGPIPE rather than block until the timeout.
    close_all(stderr_read);
    close_all(stderr_write);
    return ok();
}

Result<void> Gaggle::start_drain() {
    detail::DrainPlan plan{target_ids(), getpid(), ready[1], drain_polls.data(), drain_polls.size(),
                           drain_keep.data(), drain_keep.size(), slots, drain_buffer.data(), drain_buffer.size(),
                           heads, spec.stderr_head_bytes};
    const pid_t pid = fork();
    if (pid < 0) return fail(errno_text("fork"));
    if (pid == 0) detail::run_drain(plan);
    drain_pid = pid;
    drain_pidfd = int(syscall(SYS_pidfd_open, pid, 0));
    if (drain_pidfd < 0) return fail(errno_text("pidfd_open"));
    return ok();
}

Result<void> Gaggle::await_barrier() {
    for (int arrived = 0; arrived < spec.size + 1;) {  // and the drain
        pollfd p{ready[0], POLLIN, 0};
        int n = poll(&p, 1, kSetupTimeoutMs);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail("interpreters did not reach the start barrier within 30 s");
        ReadyMessage msg{};
        ssize_t got = read(ready[0], &msg, sizeof msg);
        if (got < 0 && errno == EINTR) continue;
        if (got != sizeof msg) return fail("an interpreter exited before the start barrier");
        if (msg.failed_step != detail::step_ready) {
            return fail((msg.index == detail::kDrainIndex ? std::string("the stderr drain")
                                                          : "interpreter " + std::to_string(msg.index)) +
                        " could not " + detail::child_step_name(msg.failed_step) + ": " + std::strerror(msg.error));
        }
        ++arrived;
    }
    return ok();
}

// The timed interval. From the release to the last exit the parent only
// blocks in poll(), stamps each exit and kills what that interpreter left in
// its group (so strays do not compete with the rest of the gaggle); no
// allocation, logging or file I/O happens here. Reaping comes after: until
// then each exited child is a zombie, which keeps its group id ours.
int64_t Gaggle::release_and_wait() {
    const int64_t release = clock_ns(CLOCK_MONOTONIC);
    const int64_t deadline = release + int64_t(spec.timeout_s) * 1000000000;
    const size_t children = pids.size();
    // The stop fd rides behind the children's pidfds (reserved before any fork).
    if (spec.stop_fd >= 0) exits.push_back(pollfd{spec.stop_fd, POLLIN, 0});
    close(go[1]);  // EOF on the go pipe: every child leaves its read() now
    go[1] = -1;
    bool killed = false;
    for (int running = spec.size; running > 0;) {
        int64_t left_ms = killed ? 1000 : (deadline - clock_ns(CLOCK_MONOTONIC)) / 1000000 + 1;
        int n = poll(exits.data(), exits.size(), int(std::max<int64_t>(left_ms, 0)));
        const int64_t now = clock_ns(CLOCK_MONOTONIC);
        if (n < 0 && errno == EINTR) continue;
        // poll itself failed: end the gaggle rather than spin; each child is
        // taken as exited below (its group killed, reaped after the loop).
        if (n < 0)
            for (size_t i = 0; i < children; ++i) exits[i].revents = POLLIN;
        const bool stop = exits.size() > children && exits[children].fd >= 0 && exits[children].revents;
        if (stop || (n == 0 && !killed && now >= deadline)) {
            for (size_t i = 0; i < children; ++i)
                if (exits[i].fd >= 0) {
                    kill(-pids[i], SIGKILL);  // the whole group the interpreter started
                    timed_out[i] = !stop;
                }
            if (stop) exits[children].fd = -1, stopped = true;
            killed = true;
            continue;
        }
        for (size_t i = 0; i < children; ++i) {
            if (exits[i].fd < 0 || !(exits[i].revents & POLLIN)) continue;
            exit_ns[i] = now;
            kill(-pids[i], SIGKILL);
            exits[i].fd = -1;  // poll() ignores it from now on
            --running;
        }
    }
    for (size_t i = 0; i < children; ++i)
        if (wait4(pids[i], &status[i], 0, &usage[i]) < 0) status[i] = -1;
    reaped_all = true;
    return release;
}

// After the timed interval: the drain takes what the interpreters left in the
// pipes and ends. Bounded: it runs with the job's ids and could be stopped.
void Gaggle::finish_drain() {
    // A byte rather than only the close: a process forked meanwhile by another
    // thread of slurmstepd may hold a copy of the write end until its execve.
    (void)!write(control[1], "", 1);
    close(control[1]);
    control[1] = -1;
    const int64_t deadline = clock_ns(CLOCK_MONOTONIC) + int64_t(kDrainFinishMs) * 1000000;
    for (pollfd p{drain_pidfd, POLLIN, 0};;) {
        const int64_t left_ms = (deadline - clock_ns(CLOCK_MONOTONIC)) / 1000000;
        if (left_ms <= 0 || poll(&p, 1, int(left_ms)) >= 0 || errno != EINTR) break;
    }
    reap_drain();
}

GaggleFigures Gaggle::figures(int64_t release_mono, int64_t release_real) {
    GaggleFigures out;
    out.release_unix_ns = release_real;
    int64_t last = release_mono;
    for (int i = 0; i < spec.size; ++i) {
        const size_t k = size_t(i);
        InterpreterFigures f;
        f.index = i;
        f.pid = pids[k];
        f.start_skew_ns = slots[i].exec_ns - release_mono;
        f.wall_ns = exit_ns[k] - release_mono;
        f.user_ns = timeval_ns(usage[k].ru_utime);
        f.system_ns = timeval_ns(usage[k].ru_stime);
        f.max_rss_kib = usage[k].ru_maxrss;
        f.minor_faults = usage[k].ru_minflt;
        f.major_faults = usage[k].ru_majflt;
        f.block_in = usage[k].ru_inblock;
        f.block_out = usage[k].ru_oublock;
        f.voluntary_switches = usage[k].ru_nvcsw;
        f.involuntary_switches = usage[k].ru_nivcsw;
        f.timed_out = timed_out[k];
        f.exec_errno = slots[i].exec_errno;
        if (WIFSIGNALED(status[k])) {
            f.exit_code = -1;
            f.signal = WTERMSIG(status[k]);
        } else {
            f.exit_code = WEXITSTATUS(status[k]);
        }
        if (!f.succeeded()) f.stderr_tail = ring_tail(slots[i]);
        if (spec.capture_stdout) f.stdout_text = read_tail(stdout_fds[k]);
        if (heads) {
            const size_t kept = size_t(std::min<uint64_t>(slots[i].stderr_bytes, spec.stderr_head_bytes));
            f.stderr_head.assign(heads + k * spec.stderr_head_bytes, kept);
        }
        last = std::max(last, exit_ns[k]);
        out.interpreters.push_back(std::move(f));
    }
    out.wall_ns = last - release_mono;
    out.last_exit_unix_ns = release_real + out.wall_ns;
    return out;
}

// True once stop_fd is readable (never for -1); waits at most timeout_ms.
bool stop_requested(int stop_fd, int timeout_ms) {
    if (stop_fd < 0) return false;
    pollfd p{stop_fd, POLLIN, 0};
    return poll(&p, 1, timeout_ms) > 0;
}

// Sleeps until CLOCK_REALTIME reaches `instant` (Unix ns); at once when it
// has. Absolute sleeps on the real-time clock follow the time daemon's
// corrections, so nodes wake at the same true instant; each sleep lasts at
// most a second and a monotonic deadline caps the whole, so a clock stepped
// backwards cannot stretch the wait past what the caller allowed. Until the
// last kStopWatchedUntilNs the wait is a poll on stop_fd instead, so a job
// that ends meanwhile is seen at once. False: stopped.
bool sleep_until_realtime(int64_t instant, int stop_fd) {
    int64_t left = instant - clock_ns(CLOCK_REALTIME);
    if (left <= 0) return !stop_requested(stop_fd, 0);
    const int64_t deadline = clock_ns(CLOCK_MONOTONIC) + left + kMaxOvershootNs;
    // Without a stop fd there is nothing to watch (and poll() would not wait).
    for (; stop_fd >= 0 && left > kStopWatchedUntilNs && clock_ns(CLOCK_MONOTONIC) < deadline;
         left = instant - clock_ns(CLOCK_REALTIME))
        if (stop_requested(stop_fd, int(std::min<int64_t>(left - kStopWatchedUntilNs, kNsPerSecond) / 1000000)))
            return false;
    // The default 50 us timer slack would be most of the nodes' spread.
    const int old_slack = prctl(PR_GET_TIMERSLACK);
    prctl(PR_SET_TIMERSLACK, 1UL);
    for (int64_t now = clock_ns(CLOCK_REALTIME); now < instant && clock_ns(CLOCK_MONOTONIC) < deadline;
         now = clock_ns(CLOCK_REALTIME)) {
        const int64_t until = std::min(instant, now + kNsPerSecond);
        const timespec at{time_t(until / kNsPerSecond), long(until % kNsPerSecond)};
        clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &at, nullptr);  // EINTR: the loop goes on
    }
    if (old_slack > 0) prctl(PR_SET_TIMERSLACK, static_cast<unsigned long>(old_slack));
    return true;
}

} // namespace

Result<GaggleFigures> run_gaggle(const GaggleSpec &spec) {
    if (spec.size < 1 || spec.argv.empty() || spec.argv[0].empty() || spec.argv[0][0] != '/')
        return fail("gaggle needs a size of at least 1 and an absolute program path");
    // Before the gaggle, so that on every way out the children are killed
    // and reaped first, then the cgroup emptied and removed.
    GaggleAccounting accounting(spec.use_cgroup);
    Gaggle gaggle(spec);
    if (auto r = gaggle.prepare(); !r) return fail(r.error());
    if (auto r = gaggle.start_children(); !r) return fail(r.error());
    if (auto r = gaggle.await_barrier(); !r) return fail(r.error());
    accounting.attach(gaggle.pids);
    const int64_t ready_real = clock_ns(CLOCK_REALTIME);
    int64_t release_real = 0, release_mono = 0;
    bool stopped = false;
    {
        const ReleasePriority priority;
        stopped = !sleep_until_realtime(spec.release_at_unix_ns, spec.stop_fd);
        if (!stopped) {
            release_real = clock_ns(CLOCK_REALTIME);
            release_mono = gaggle.release_and_wait();
            stopped = gaggle.stopped;
        }
    }
    // Daemons an interpreter left behind (setsid and fork) are still there.
    const CgroupFigures cgroup = accounting.finish();
    if (stopped) return fail(kGaggleStopped);  // the rest is killed and reaped on the way out
    gaggle.finish_drain();
    GaggleFigures figures = gaggle.figures(release_mono, release_real);
    figures.cgroup = cgroup;
    figures.planned_release_unix_ns = spec.release_at_unix_ns;
    figures.ready_unix_ns = ready_real;
    return figures;
}

} // namespace pyimport
