#include "cgroup_paths.hpp"

#include "text_escape.hpp"

#include <algorithm>
#include <cctype>

namespace pyimport {

namespace {

const std::vector<std::string> kWantedV2 = {"cpu", "memory", "io", "pids"};
const std::vector<std::string> kWantedV1 = {"cpuacct", "memory", "blkio", "pids", "freezer"};

bool contains(const std::vector<std::string> &items, const std::string &item) {
    return std::find(items.begin(), items.end(), item) != items.end();
}

std::vector<std::string> split(std::string_view text, char sep) {
    std::vector<std::string> parts;
    for (size_t start = 0;;) {
        size_t end = text.find(sep, start);
        parts.emplace_back(text.substr(start, end == std::string_view::npos ? end : end - start));
        if (end == std::string_view::npos) return parts;
        start = end + 1;
    }
}

// A path the kernel would print: absolute, no empty, "." or ".." part, no
// control character (a cgroup name may hold any other byte).
bool plausible_path(std::string_view path) {
    if (path.empty() || path[0] != '/') return false;
    if (path == "/") return true;
    for (const auto &part : split(path.substr(1), '/'))
        if (part.empty() || part == "." || part == "..") return false;
    return std::none_of(path.begin(), path.end(), [](char c) { return std::iscntrl(static_cast<unsigned char>(c)); });
}

// libcgroup names a cgroup relative to each mount, without the leading '/'.
std::string child_name(const std::string &parent, const std::string &leaf) {
    return parent == "/" ? leaf : parent.substr(1) + "/" + leaf;
}

std::string dir_of(const std::string &mount_path, const std::string &name) {
    return (mount_path == "/" ? "" : mount_path) + "/" + name;
}

Result<CgroupPlan> plan_v2(const std::vector<ProcCgroupLine> &lines, const std::vector<CgroupMount> &mounts,
                           const std::string &leaf) {
    auto line = std::find_if(lines.begin(), lines.end(),
                             [](const ProcCgroupLine &l) { return l.hierarchy == 0 && l.controllers.empty(); });
    if (line == lines.end()) return fail("cgroups: /proc/self/cgroup has no cgroup v2 line");
    // A v2 cgroup with processes cannot have children with controllers (the
    // "no internal processes" rule), and the caller's own cgroup has the
    // caller in it (under Slurm: job_X/step_Y/slurm_processes). So the
    // gaggle's cgroup goes beside it, under the same parent (step_Y), which
    // already hands the controllers down. The root is exempt from the rule.
    std::string parent = line->path;
    if (parent != "/") parent = parent.substr(0, std::max<size_t>(parent.rfind('/'), 1));
    CgroupPlan plan;
    plan.version = CgroupVersion::v2;
    CgroupGroup group;
    group.name = child_name(parent, leaf);
    for (const auto &wanted : kWantedV2)
        for (const auto &m : mounts)
            if (m.version == CgroupVersion::v2 && m.controller == wanted) {
                group.controllers.push_back(m.controller);
                if (group.dirs.empty()) {
                    group.dirs.push_back(dir_of(m.mount_path, group.name));
                    plan.parent_dir = parent == "/" ? m.mount_path : m.mount_path + parent;
                }
                break;
            }
    plan.groups.push_back(std::move(group));
    return plan;
}

Result<CgroupPlan> plan_v1(const std::vector<ProcCgroupLine> &lines, const std::vector<CgroupMount> &mounts,
                           const std::string &leaf) {
    CgroupPlan plan;
    plan.version = CgroupVersion::v1;
    std::vector<std::string> used_mounts;  // co-mounted controllers (cpu,cpuacct) share one directory
    std::string missing;
    for (const auto &wanted : kWantedV1) {
        auto mount = std::find_if(mounts.begin(), mounts.end(), [&](const CgroupMount &m) {
            return m.version == CgroupVersion::v1 && m.controller == wanted;
        });
        if (mount == mounts.end() || contains(used_mounts, mount->mount_path)) continue;
        auto line = std::find_if(lines.begin(), lines.end(),
                                 [&](const ProcCgroupLine &l) { return contains(l.controllers, wanted); });
        if (line == lines.end()) {
            missing += (missing.empty() ? "" : ", ") + wanted;
            continue;
        }
        used_mounts.push_back(mount->mount_path);
        // On v1 a cgroup may hold processes and children both: a child of
        // the caller's own cgroup (under Slurm, the step's) is fine.
        const std::string name = child_name(line->path, leaf);
        auto group = std::find_if(plan.groups.begin(), plan.groups.end(),
                                  [&](const CgroupGroup &g) { return g.name == name; });
        if (group == plan.groups.end()) group = plan.groups.insert(plan.groups.end(), CgroupGroup{name, {}, {}});
        group->controllers.push_back(wanted);
        group->dirs.push_back(dir_of(mount->mount_path, name));
        if (wanted == "freezer") plan.freezer_dir = group->dirs.back();
    }
    if (plan.groups.empty())
        return fail(missing.empty() ? "cgroups: no controller mounted (cpuacct, memory, blkio, pids, freezer)"
                                    : "cgroups: /proc/self/cgroup has no line for " + missing);
    return plan;
}

} // namespace

Result<std::vector<ProcCgroupLine>> parse_proc_cgroup(std::string_view text) {
    std::vector<ProcCgroupLine> lines;
    for (const auto &raw : split(text, '\n')) {
        size_t first = raw.find(':');
        size_t second = first == std::string::npos ? first : raw.find(':', first + 1);
        if (second == std::string::npos || first == 0 || first > 9) continue;
        const std::string number = raw.substr(0, first);
        if (!std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
        ProcCgroupLine line;
        line.hierarchy = std::stoi(number);
        const std::string list = raw.substr(first + 1, second - first - 1);
        if (!list.empty()) line.controllers = split(list, ',');
        line.path = raw.substr(second + 1);
        if ((line.hierarchy == 0) != line.controllers.empty() || !plausible_path(line.path)) continue;
        lines.push_back(std::move(line));
    }
    if (lines.empty()) return fail("cgroups: /proc/self/cgroup has no usable line");
    return lines;
}

std::string gaggle_cgroup_leaf(pid_t pid, const std::string &unique) {
    return "pyimport_gaggle_" + std::to_string(pid) + "_" + unique;
}

Result<CgroupPlan> plan_gaggle_cgroup(std::string_view proc_self_cgroup, const std::vector<CgroupMount> &mounts,
                                      const std::string &leaf) {
    if (leaf.empty() || leaf.find('/') != std::string::npos || leaf == "." || leaf == "..")
        return fail("cgroups: bad cgroup name " + quote_text(leaf));
    auto lines = parse_proc_cgroup(proc_self_cgroup);
    if (!lines) return fail(lines.error());
    const bool v2 = std::any_of(mounts.begin(), mounts.end(), [](const CgroupMount &m) {
        return m.version == CgroupVersion::v2 && contains(kWantedV2, m.controller);
    });
    return v2 ? plan_v2(*lines, mounts, leaf) : plan_v1(*lines, mounts, leaf);
}

CgroupPlan keep_enabled_v2_controllers(CgroupPlan plan, const std::vector<std::string> &enabled) {
    if (plan.version != CgroupVersion::v2) return plan;
    for (auto &group : plan.groups)
        group.controllers.erase(std::remove_if(group.controllers.begin(), group.controllers.end(),
                                               [&](const std::string &c) { return !contains(enabled, c); }),
                                group.controllers.end());
    return plan;
}

} // namespace pyimport
