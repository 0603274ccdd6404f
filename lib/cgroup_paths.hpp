// Where a gaggle's cgroup goes: which hierarchy (v2 or the v1 controllers),
// which parent, which name. Pure: the caller supplies /proc/self/cgroup's
// text and the mounted controllers, so every case is testable on samples.
#pragma once
#include "result.hpp"

#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace pyimport {

enum class CgroupVersion { v1, v2 };

// One controller as libcgroup sees it mounted.
struct CgroupMount {
    std::string controller;  // "memory", "cpuacct", ...
    std::string mount_path;  // "/sys/fs/cgroup/memory", "/sys/fs/cgroup"
    CgroupVersion version = CgroupVersion::v1;
};

// One line of /proc/<pid>/cgroup: "4:memory:/process_api/x", "0::/a/b".
struct ProcCgroupLine {
    int hierarchy = 0;
    std::vector<std::string> controllers;  // empty for the v2 line (and for "name=" ones: the name)
    std::string path;                      // always starts with '/'
};

// The well-formed lines of /proc/<pid>/cgroup; malformed ones are skipped.
// Fails when none is well-formed.
Result<std::vector<ProcCgroupLine>> parse_proc_cgroup(std::string_view text);

// "pyimport_gaggle_<pid>_<unique>": the pid says whose it is when one is
// left behind; the unique part makes a name no one can plant beforehand.
std::string gaggle_cgroup_leaf(pid_t pid, const std::string &unique);

// The cgroup of one gaggle in one directory name (libcgroup's name: relative
// to each controller's mount) across the hierarchies that share that name.
struct CgroupGroup {
    std::string name;                      // "process_api/x/pyimport_gaggle_1_abc"
    std::vector<std::string> controllers;  // one per hierarchy
    std::vector<std::string> dirs;         // mount_path + "/" + name, one per hierarchy
};

struct CgroupPlan {
    CgroupVersion version = CgroupVersion::v1;
    std::vector<CgroupGroup> groups;
    std::string freezer_dir;  // v1: the directory in the freezer hierarchy, "" without one
    std::string parent_dir;   // v2: the directory the cgroup is made in (for its subtree_control)
};

// Chooses the hierarchy and the parent: v2 when one of cpu, memory, io, pids
// is mounted as v2 (a pure v2 host, or a hybrid whose unified mount carries
// them), else the v1 controllers cpuacct, memory, blkio, pids, freezer that
// are mounted. `leaf` is the new cgroup's own name. Fails with one line when
// no wanted controller is mounted or /proc/self/cgroup lacks its line.
Result<CgroupPlan> plan_gaggle_cgroup(std::string_view proc_self_cgroup, const std::vector<CgroupMount> &mounts,
                                      const std::string &leaf);

// The plan with only the v2 controllers in `enabled` kept (what the parent's
// cgroup.subtree_control offers its children); unchanged for v1.
CgroupPlan keep_enabled_v2_controllers(CgroupPlan plan, const std::vector<std::string> &enabled);

} // namespace pyimport
