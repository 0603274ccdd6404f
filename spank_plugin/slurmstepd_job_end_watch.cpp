#include "slurmstepd_job_end_watch.hpp"

extern "C" {
#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>
}

#include <atomic>
#include <cerrno>
#include <initializer_list>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <pthread.h>
#include <unistd.h>

namespace pyimport::spank {

// Owned by the watch and by its thread: the thread may outlive the watch by
// one RPC.
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

// Slurm's own API, resolved in the process that loaded the plugin (slurmstepd
// links libslurmfull): one light RPC, as the job user.
JobState ask_slurmctld(uint32_t job_id) {
    job_info_msg_t *info = nullptr;
    if (slurm_load_job(&info, job_id, SHOW_LOCAL) != SLURM_SUCCESS)
        return errno == ESLURM_INVALID_JOB_ID ? JobState::ended : JobState::unknown;
    JobState state = JobState::unknown;
    if (info && info->record_count >= 1) {
        const uint32_t s = info->job_array[0].job_state;
        // Past SUSPENDED every base state is an end (complete, cancelled,
        // failed, timeout, node fail, preempted, ...); COMPLETING is set as
        // soon as slurmctld has told the nodes to kill the job.
        state = ((s & JOB_STATE_BASE) > JOB_SUSPENDED || (s & JOB_COMPLETING)) ? JobState::ended : JobState::running;
    }
    slurm_free_job_info_msg(info);
    return state;
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
    const std::unique_ptr<std::shared_ptr<JobEndWatch::Shared>> shared(static_cast<std::shared_ptr<JobEndWatch::Shared> *>(arg));
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

int JobEndWatch::unanswered() const { return shared_ ? shared_->unanswered.load() : 0; }

} // namespace pyimport::spank
