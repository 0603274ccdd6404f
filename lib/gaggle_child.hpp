// The part of a gaggle that runs in each forked child, between fork and
// execve. The parent may be multi-threaded (slurmstepd), so everything here is
// async-signal-safe: no allocation, no locks, no stdio.
#pragma once
#include <cstdint>
#include <sys/types.h>

namespace pyimport::detail {

// One per child, in memory shared with the parent (MAP_SHARED).
struct ChildSlot {
    int64_t exec_ns;   // CLOCK_MONOTONIC just before execve
    int exec_errno;    // set when execve failed
};

// What a child sends on the ready pipe: setup went through (error 0) or not.
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

// Everything prepared by the parent before fork.
struct ChildPlan {
    int index;
    char *const *argv;
    char *const *envp;
    const char *workdir;
    bool switch_ids;
    uid_t uid;
    gid_t gid;
    const gid_t *groups;
    size_t group_count;
    pid_t parent;
    int nice_value;     // inherited nice, restored after the release
    int ready_fd;   // write end
    int go_fd;      // read end: EOF is the release
    int parent_fds[2];  // the parent's pipe ends: closed at once, or the release never comes
    int null_fd;    // /dev/null for stdin
    int stdout_fd;  // /dev/null, or a capture file
    int stderr_fd;  // capture file for stderr
    ChildSlot *slot;
};

[[noreturn]] void run_child(const ChildPlan &plan);

} // namespace pyimport::detail
