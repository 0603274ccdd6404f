// A cgroup of its own for one gaggle (libcgroup; v2, or the v1 controllers
// cpuacct, memory, blkio, pids, freezer): totals that include every
// descendant of the interpreters, and a kill that reaches a process that
// daemonised or left its process group. A keeper process removes it all
// when the caller dies (slurmstepd SIGKILLed mid-gaggle).
//
// In slurmstepd's user_init the real uid is 0 and the effective uid the
// job user's: each call raises the effective uid and gid to 0 around its
// cgroup operations and restores them before it returns. Run by a normal
// user, create() fails with "cgroups: no permission (not root)" and the
// gaggle runs without a cgroup.
//
// Use: create(); fork the interpreters; attach(pid) each before the release
// (outside the timed interval); after the gaggle (or at its timeout)
// kill_all(), totals(), remove(). The destructor kills and removes what is
// still there.
#pragma once
#include "cgroup_paths.hpp"
#include "cgroup_sweep.hpp"
#include "cgroup_totals.hpp"
#include "result.hpp"

#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

namespace pyimport {

class GaggleCgroup {
  public:
    // Creates the cgroup beside or below the caller's own (see
    // plan_gaggle_cgroup) and starts its keeper. One-line failure: the
    // gaggle then runs without a cgroup, and the record says why.
    static Result<GaggleCgroup> create();

    GaggleCgroup(GaggleCgroup &&other) noexcept;
    GaggleCgroup &operator=(GaggleCgroup &&other) noexcept;
    GaggleCgroup(const GaggleCgroup &) = delete;
    GaggleCgroup &operator=(const GaggleCgroup &) = delete;
    ~GaggleCgroup();

    // Moves `pid` into the cgroup. For a freshly forked, single-threaded
    // child (v1 moves the one thread named).
    Result<void> attach(pid_t pid);

    // What the cgroup counted; read after the gaggle, before remove().
    CgroupTotals totals() const;

    // Kills every process in the cgroup and waits (at most 2 s) until it is
    // empty; how many processes were killed (0 when all had ended).
    Result<int> kill_all();

    // Removes the cgroup (which must be empty: kill_all first) and reaps the
    // keeper. Done once; later calls do nothing.
    Result<void> remove();

    CgroupVersion version() const { return plan_.version; }
    // The cgroup's directories, one per hierarchy (for messages and tests).
    std::vector<std::string> directories() const;
    pid_t keeper_pid() const { return keeper_; }

  private:
    GaggleCgroup() = default;
    Result<void> start_keeper();
    void release_keeper();
    void clean_up();

    CgroupPlan plan_;
    std::unique_ptr<SweepPlan> sweep_;
    pid_t keeper_ = -1;
    int keeper_fd_ = -1;  // the write end of the keeper's pipe
    bool removed_ = true;
};

} // namespace pyimport
