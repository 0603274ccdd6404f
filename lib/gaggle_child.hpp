// The parts of a gaggle that run in forked processes: each child between fork
// and execve, and the stderr drain. The parent may be multi-threaded
// (slurmstepd), so everything here is async-signal-safe: no allocation, no
// locks, no stdio.
#pragma once
#include "job_limits.hpp"

#include <cstddef>
#include <cstdint>
#include <poll.h>
#include <sys/types.h>

namespace pyimport::detail {

constexpr size_t kStderrTailBytes = 1024;
// The most GaggleSpec::stderr_head_bytes may ask for, per interpreter: the
// importtime output of numpy, scipy and pandas together is 100-300 KB.
constexpr size_t kMaxStderrHeadBytes = size_t(1) << 20;

// One per child, in memory shared with the parent (MAP_SHARED).
struct ChildSlot {
    int64_t exec_ns;   // CLOCK_MONOTONIC just before execve
    int exec_errno;    // set when execve failed
    // Written by the drain only, read by the parent once the drain has ended:
    // a ring holding the last kStderrTailBytes of stderr_bytes read so far.
    uint64_t stderr_bytes;
    char stderr_ring[kStderrTailBytes];
};

// What a child (or the drain, index kDrainIndex) sends on the ready pipe:
// setup went through (error 0) or not.
constexpr int32_t kDrainIndex = -1;
struct ReadyMessage {
    int32_t index;
    int32_t failed_step;  // a ChildStep, 0 when ready
    int32_t error;        // errno of the failed step
};

enum ChildStep : int32_t {
    step_ready = 0, step_signals, step_stdio, step_privilege, step_groups, step_gid, step_uid,
    step_verify_ids, step_parent_death, step_workdir, step_close_fds,
};
const char *child_step_name(int32_t step);

// The job's ids, taken for good (real, effective, saved) when switch_ids is set.
struct TargetIds {
    bool switch_ids;
    uid_t uid;
    gid_t gid;
    const gid_t *groups;
    size_t group_count;
};

// Everything prepared by the parent before fork.
struct ChildPlan {
    int index;
    char *const *argv;
    char *const *envp;
    const char *workdir;
    TargetIds ids;
    const ResourceLimit *limits;  // soft limits, capped at the hard ones
    size_t limit_count;
    pid_t parent;
    int nice_value;     // inherited nice, restored after the release
    int ready_fd;   // write end
    int go_fd;      // read end: EOF is the release
    int parent_fds[2];  // the parent's pipe ends: closed at once, or the release never comes
    int null_fd;    // /dev/null for stdin
    int stdout_fd;  // /dev/null, or a capture file
    int stderr_fd;  // write end of its stderr pipe
    ChildSlot *slot;
};

[[noreturn]] void run_child(const ChildPlan &plan);

// The stderr drain: one process, forked after the children, that reads every
// child's stderr pipe as data comes, so no interpreter ever blocks on it, and
// keeps only the tail of each in its ChildSlot (and, when asked, the head:
// the first head_bytes in heads + i * head_bytes). It ends on the parent's word
// on the control pipe (not at EOF: a daemon may hold a pipe open forever),
// after one last non-blocking read of each pipe.
struct DrainPlan {
    TargetIds ids;
    pid_t parent;
    int ready_fd;     // write end: reports like a child, then closed
    pollfd *polls;    // [0]: control pipe read end, [1 + i]: child i's stderr (non-blocking)
    size_t poll_count;
    const int *keep_fds;  // sorted; every other descriptor above 2 is closed
    size_t keep_count;
    ChildSlot *slots;
    char *buffer;
    size_t buffer_size;
    char *heads;        // shared with the parent; null when head_bytes is 0
    size_t head_bytes;  // per child; child i has stored min(stderr_bytes, head_bytes)
};

[[noreturn]] void run_drain(const DrainPlan &plan);

} // namespace pyimport::detail
