// The parent's own priority from the sleep to the release instant until the
// gaggle's last exit: real-time, one above the parked children's, where the
// thread may have it. Waking at the instant it then preempts every ordinary
// process (on a busy node, or the other "nodes" of a test cluster on one
// host), so nodes release within microseconds of the instant rather than
// whenever the scheduler gets round to them; it only ever waits, so it takes
// nothing from the interpreters. Per thread: slurmstepd's other threads keep
// their own.
#pragma once
#include <sched.h>

namespace pyimport {

class ReleasePriority {
  public:
    // Raises the calling thread's priority when it may: root, or a thread
    // whose effective ids were dropped but that keeps CAP_SYS_NICE permitted
    // (slurmstepd's user_init), which is made effective for the one call.
    ReleasePriority();
    ~ReleasePriority();  // the thread's own policy and priority again
    ReleasePriority(const ReleasePriority &) = delete;
    ReleasePriority &operator=(const ReleasePriority &) = delete;

    bool raised() const { return raised_; }

  private:
    bool raised_ = false;
    int policy_ = SCHED_OTHER;
    sched_param param_{};
};

} // namespace pyimport
