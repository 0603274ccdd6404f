// Killing everything in a gaggle's cgroup and removing its directories, with
// system calls only: the same code runs in the keeper, a child forked from a
// possibly multi-threaded slurmstepd, where nothing may allocate or take a
// lock (libcgroup does both, so it has no place there). kill_all() runs it
// too, so the path taken after a fault is the one every normal run tests.
#pragma once
#include "cgroup_paths.hpp"
#include "result.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace pyimport {

// Every path the sweep needs, prepared before any fork.
struct SweepPlan {
    static constexpr size_t kMaxDirs = 8;
    static constexpr size_t kPathMax = 512;
    bool v2 = false;
    size_t dir_count = 0;
    char dirs[kMaxDirs][kPathMax] = {};   // the cgroup's directories, one per hierarchy
    char procs[kMaxDirs][kPathMax] = {};  // cgroup.procs in each
    char kill_file[kPathMax] = {};        // v2 cgroup.kill (kernel 5.14+), "" without one
    char freeze_file[kPathMax] = {};      // v1 freezer.state or v2 cgroup.freeze, "" without one
    char frozen_file[kPathMax] = {};      // where "frozen" is read: freezer.state or cgroup.events
};

// The plan for the cgroup directories `dirs` (which exist: cgroup.kill and
// cgroup.freeze are looked for in them). `freezer_dir`: the v1 freezer
// hierarchy's directory, "" without one. Fails when a path is too long.
Result<SweepPlan> make_sweep_plan(CgroupVersion version, const std::vector<std::string> &dirs,
                                  const std::string &freezer_dir);

struct SweepOutcome {
    int killed = 0;      // distinct processes signalled (or killed through cgroup.kill)
    bool empty = false;  // no process left in any of the directories
};

// Kills every process in the cgroup, a daemon that left its session
// included, and waits until the cgroup is empty, at most `bound_ns`. v2 with
// cgroup.kill: one write. Otherwise: freeze (so nothing forks between the
// listing and the signal), SIGKILL every process listed, thaw (a frozen v1
// task dies only once thawed), until empty. Async-signal-safe.
SweepOutcome sweep_cgroup(const SweepPlan &plan, int64_t bound_ns);

// rmdir of each directory, a missing one counted as removed; 0 or the first
// errno. Async-signal-safe.
int remove_cgroup_dirs(const SweepPlan &plan);

// The keeper's whole life, in a child just forked (as root): waits until
// `read_fd` reaches its end (every writer closed it: the caller ended or
// died) or `parent` is gone, then sweeps and removes the cgroup and exits.
// Only system calls.
[[noreturn]] void run_cgroup_keeper(const SweepPlan &plan, int read_fd, pid_t parent);

} // namespace pyimport
