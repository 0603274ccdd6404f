#include "slurmstepd_job_end_watch.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <initializer_list>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <string>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

namespace pyimport::spank {

// Owned by the watch and by its thread: the thread may outlive the watch by
// one question.
struct JobEndWatch::Shared {
    uint32_t job_id = 0;
    int interval_ms = 0;
    int ended_fd = -1;  // written once the job has ended
    int quit_fd = -1;   // written when the watch goes
    std::atomic<int> unanswered{0};
    ~Shared() {
        for (int fd : {ended_fd, quit_fd})
            if (fd >= 0) close(fd);
    }
};

namespace {

enum class JobState { running, ended, unknown };

constexpr int kAnswerTimeoutMs = 10000;  // Slurm's default MessageTimeout
constexpr size_t kMaxAnswer = 256;

// Slurm's own squeue, root's, from the usual places (not slurmstepd's PATH).
const char *squeue_path() {
    for (const char *path : {"/usr/bin/squeue", "/usr/local/bin/squeue", "/bin/squeue"}) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0 && !(st.st_mode & 022)) return path;
    }
    return nullptr;
}

// States past which a job never runs again (squeue --format=%T).
bool is_end_state(const std::string &state) {
    for (const char *end : {"COMPLETING", "COMPLETED", "CANCELLED", "FAILED", "TIMEOUT", "NODE_FAIL", "PREEMPTED",
                            "BOOT_FAIL", "DEADLINE", "OUT_OF_MEMORY", "SPECIAL_EXIT", "REVOKED"})
        if (state == end) return true;
    return false;
}

int64_t monotonic_ms() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// Runs squeue in a process of its own: in slurmstepd the plugin's own RPC
// would wait for user_init to end (Slurm 24.11's slurmstepd holds its
// authentication lock while it runs with the job user's ids), and a child
// made by posix_spawn inherits no lock. squeue runs with slurmstepd's ids of
// the moment (the job user's effective uid, or root's inside a RootPrivilege
// window), slurmd's SLURM_CONF, fixed argv, no descriptor but its pipe, and
// nothing of the job's.
// A job squeue shows with no end state, or does not know at all: running or
// ended; anything else (no squeue, no answer within 10 s): unknown.
JobState ask_slurmctld(uint32_t job_id) {
    const char *squeue = squeue_path();
    if (!squeue) return JobState::unknown;
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) return JobState::unknown;
    const std::string jobs = "--jobs=" + std::to_string(job_id);
    // %A: each array task's and heterogeneous component's own id (--jobs=ID
    // lists all of an array or a heterogeneous job); only this job's line counts.
    const char *argv[] = {squeue, "--noheader", "--states=all", "--format=%A %T", jobs.c_str(), nullptr};
    const char *conf = std::getenv("SLURM_CONF");  // slurmd's own, as slurmstepd inherited it
    const std::string conf_env = conf ? std::string("SLURM_CONF=") + conf : "";
    const char *envp[] = {"PATH=/usr/bin:/bin", "LC_ALL=C", conf ? conf_env.c_str() : nullptr, nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, out[1], 2);  // the reason of a failure, read below
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);   // none of slurmstepd's descriptors
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD}) sigaddset(&defaults, sig);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = -1;
    const int spawned = posix_spawn(&pid, squeue, &actions, &attr, const_cast<char *const *>(argv),
                                    const_cast<char *const *>(envp));
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    close(out[1]);
    if (spawned != 0) {
        close(out[0]);
        return JobState::unknown;
    }
    std::string answer;
    char buf[kMaxAnswer];
    bool timed_out = false;
    for (const int64_t deadline = monotonic_ms() + kAnswerTimeoutMs; answer.size() < kMaxAnswer;) {
        pollfd p{out[0], POLLIN, 0};
        const int64_t left = deadline - monotonic_ms();
        const int n = left > 0 ? poll(&p, 1, int(left)) : 0;
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            timed_out = true;
            break;
        }
        const ssize_t got = read(out[0], buf, sizeof buf);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        answer.append(buf, size_t(got));
    }
    close(out[0]);
    if (timed_out) kill(pid, SIGKILL);
    int status = 0;
    pid_t reaped;
    while ((reaped = waitpid(pid, &status, 0)) < 0 && errno == EINTR) {}
    // reaped < 0: slurmstepd's own wait took it (once user_init has returned).
    if (timed_out || reaped != pid || !WIFEXITED(status)) return JobState::unknown;
    // A job slurmctld no longer knows has ended; any other failure (slurmctld
    // unreachable, say) tells nothing.
    if (WEXITSTATUS(status) != 0)
        return answer.find("Invalid job id") != std::string::npos ? JobState::ended : JobState::unknown;
    const std::string prefix = std::to_string(job_id) + " ";
    for (size_t at = 0; at < answer.size();) {
        const size_t end = std::min(answer.find('\n', at), answer.size());
        const std::string line = answer.substr(at, end - at);
        if (line.compare(0, prefix.size(), prefix) == 0)
            return is_end_state(line.substr(prefix.size())) ? JobState::ended : JobState::running;
        at = end + 1;
    }
    return JobState::unknown;
}

void watch(const std::shared_ptr<JobEndWatch::Shared> &shared) {
    // The nodes of a step release together: a random first wait keeps them
    // from asking slurmctld all at once.
    uint32_t random = 0;
    if (getrandom(&random, sizeof random, GRND_NONBLOCK) != sizeof random) random = uint32_t(getpid());
    int wait_ms = int(random % uint32_t(shared->interval_ms)) + 1;
    for (;;) {
        pollfd quit{shared->quit_fd, POLLIN, 0};
        const int n = poll(&quit, 1, wait_ms);
        if (n > 0 || (n < 0 && errno != EINTR)) return;
        const JobState state = ask_slurmctld(shared->job_id);
        if (state == JobState::ended) {
            const uint64_t one = 1;
            (void)!write(shared->ended_fd, &one, sizeof one);
            return;
        }
        if (state == JobState::unknown) ++shared->unanswered;
        wait_ms = shared->interval_ms;
    }
}

void *watch_thread(void *arg) {
    const std::unique_ptr<std::shared_ptr<JobEndWatch::Shared>> shared(
        static_cast<std::shared_ptr<JobEndWatch::Shared> *>(arg));
    watch(*shared);
    return nullptr;
}

} // namespace

JobEndWatch::JobEndWatch(uint32_t job_id, int interval_ms) {
    if (interval_ms <= 0) return;
    auto shared = std::make_shared<Shared>();
    shared->job_id = job_id;
    shared->interval_ms = interval_ms;
    shared->ended_fd = eventfd(0, EFD_CLOEXEC);
    shared->quit_fd = eventfd(0, EFD_CLOEXEC);
    if (shared->ended_fd < 0 || shared->quit_fd < 0) return;
    // pthread rather than std::thread: a thread that cannot be had means no
    // watch, not an exception.
    auto *for_thread = new std::shared_ptr<Shared>(shared);
    pthread_t thread;
    if (pthread_create(&thread, nullptr, watch_thread, for_thread) != 0) {
        delete for_thread;
        return;
    }
    pthread_detach(thread);
    shared_ = std::move(shared);
}

JobEndWatch::~JobEndWatch() {
    if (!shared_) return;
    const uint64_t one = 1;
    (void)!write(shared_->quit_fd, &one, sizeof one);
}

int JobEndWatch::fd() const { return shared_ ? shared_->ended_fd : -1; }

bool JobEndWatch::ended() const {
    if (!shared_) return false;
    pollfd p{shared_->ended_fd, POLLIN, 0};
    return poll(&p, 1, 0) > 0;
}

int JobEndWatch::unanswered() const { return shared_ ? shared_->unanswered.load() : 0; }

} // namespace pyimport::spank
