#include "gaggle_cgroup.hpp"

#include "sys_io.hpp"
#include "text_escape.hpp"

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <libcgroup.h>
#include <linux/magic.h>
#include <optional>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace pyimport {

namespace {

constexpr int64_t kKillBoundNs = 2000000000;
const char kNoPermission[] = "cgroups: no permission (not root)";

// Effective uid and gid 0 for the life of this object, when the real or
// saved uid is 0 (slurmstepd's user_init: real uid 0, effective the user's).
// Changing ids clears the process's parent-death signal: one the caller had
// (the kernel runtime's mount holder dies with slurmstepd by it) is set
// again afterwards, and delivered at once should the parent have died meanwhile.
class RootPrivilege {
  public:
    RootPrivilege() : euid_(geteuid()), egid_(getegid()), parent_(getppid()) {
        if (euid_ == 0) {
            held_ = true;
            return;
        }
        prctl(PR_GET_PDEATHSIG, &death_signal_);
        if (seteuid(0) != 0) return;
        changed_ = held_ = true;
        if (setegid(0) != 0) {}  // only the new directories' group: they are root's either way
    }
    ~RootPrivilege() {
        // Going on with privileges the caller did not have is worse than
        // any failure here; from euid 0 these calls cannot fail.
        if (changed_ && (setegid(egid_) != 0 || seteuid(euid_) != 0)) std::abort();
        if (!changed_ || death_signal_ == 0) return;
        prctl(PR_SET_PDEATHSIG, death_signal_);
        if (getppid() != parent_) raise(death_signal_);
    }
    RootPrivilege(const RootPrivilege &) = delete;
    RootPrivilege &operator=(const RootPrivilege &) = delete;
    bool held() const { return held_; }

  private:
    uid_t euid_;
    gid_t egid_;
    pid_t parent_;
    int death_signal_ = 0;
    bool held_ = false;
    bool changed_ = false;
};

std::string lib_error(int code) {
    std::string text = cgroup_strerror(code);
    if (code == ECGOTHER) text += std::string(": ") + std::strerror(cgroup_get_last_errno());
    return text;
}

struct CgroupFree {
    void operator()(cgroup *c) const { cgroup_free(&c); }
};
using CgroupHandle = std::unique_ptr<cgroup, CgroupFree>;

// libcgroup's handle on one of our groups; with `controllers` for create,
// attach and delete, without for cgroup_get_cgroup (2.0.2 adds every
// controller it finds itself, and fails on one already there).
Result<CgroupHandle> handle_for(const CgroupGroup &group, bool controllers) {
    CgroupHandle handle(cgroup_new_cgroup(group.name.c_str()));
    if (!handle) return fail("cgroups: libcgroup cannot make a cgroup handle");
    if (controllers)
        for (const auto &c : group.controllers)
            if (!cgroup_add_controller(handle.get(), c.c_str()))
                return fail("cgroups: libcgroup cannot add controller " + c);
    return handle;
}

// The controllers libcgroup found mounted, with their hierarchy's version.
// libcgroup 2.0.2 keeps the version to itself (no public call), so statfs
// tells cgroup2 from cgroup on each mount.
std::vector<CgroupMount> mounted_controllers() {
    std::vector<CgroupMount> mounts;
    void *handle = nullptr;
    cgroup_mount_point point;
    for (int rc = cgroup_get_controller_begin(&handle, &point); rc == 0;
         rc = cgroup_get_controller_next(&handle, &point)) {
        struct statfs fs;
        if (statfs(point.path, &fs) != 0) continue;
        mounts.push_back({point.name, point.path,
                          fs.f_type == CGROUP2_SUPER_MAGIC ? CgroupVersion::v2 : CgroupVersion::v1});
    }
    if (handle) cgroup_get_controller_end(&handle);
    return mounts;
}

std::vector<std::string> words(const std::string &text) {
    std::vector<std::string> out;
    for (size_t start = 0; (start = text.find_first_not_of(" \n", start)) != std::string::npos;) {
        size_t end = text.find_first_of(" \n", start);
        out.push_back(text.substr(start, end - start));
        start = end;
    }
    return out;
}

// Whether any of the group's directories is still there.
bool group_exists(const CgroupGroup &group) {
    for (const auto &dir : group.dirs)
        if (access(dir.c_str(), F_OK) == 0) return true;
    return false;
}

std::string parent_of(const std::string &dir) { return dir.substr(0, dir.rfind('/')); }

// libcgroup reads the cgroup's files; the figures come from its values.
class ReadValues {
  public:
    explicit ReadValues(const CgroupPlan &plan) {
        for (const auto &group : plan.groups) {
            auto handle = handle_for(group, false);
            if (handle && cgroup_get_cgroup(handle->get()) == 0) handles_.push_back(std::move(*handle));
        }
    }
    std::optional<std::string> value(const char *controller, const char *file) const {
        for (const auto &handle : handles_) {
            cgroup_controller *c = cgroup_get_controller(handle.get(), controller);
            char *text = nullptr;
            if (!c || cgroup_get_value_string(c, file, &text) != 0 || !text) continue;
            std::string out(text);
            std::free(text);
            return out;
        }
        return std::nullopt;
    }

  private:
    std::vector<CgroupHandle> handles_;
};

} // namespace

Result<GaggleCgroup> GaggleCgroup::create() {
    if (int rc = cgroup_init(); rc != 0) return fail("cgroups: libcgroup: " + lib_error(rc));
    auto proc = read_regular_file("/proc/self/cgroup", 1 << 16, true);
    if (!proc) return fail("cgroups: /proc/self/cgroup: " + proc.error());
    std::string unique;
    if (!random_name_part(unique)) return fail(errno_text("cgroups: no random name"));
    auto plan = plan_gaggle_cgroup(proc->text, mounted_controllers(), gaggle_cgroup_leaf(getpid(), unique));
    if (!plan) return fail(plan.error());

    RootPrivilege root;
    if (!root.held()) return fail(kNoPermission);
    if (plan->version == CgroupVersion::v2) {
        // Only controllers the parent hands down can be had; enabling more
        // would change the parent's (under Slurm, the step's) configuration.
        auto enabled = read_regular_file(plan->parent_dir + "/cgroup.subtree_control", 4096, false);
        *plan = keep_enabled_v2_controllers(std::move(*plan), enabled ? words(enabled->text) : std::vector<std::string>{});
        if (plan->groups.at(0).controllers.empty())
            return fail("cgroups: no controller enabled for the children of " + quote_text(plan->parent_dir));
    }
    for (const auto &group : plan->groups)
        for (const auto &dir : group.dirs) {
            // libcgroup would make missing parents too: a directory left in a
            // hierarchy nobody removes.
            struct stat st;
            if (stat(parent_of(dir).c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
                return fail("cgroups: no cgroup directory " + quote_text(parent_of(dir)));
        }

    GaggleCgroup made;
    made.plan_ = std::move(*plan);
    made.removed_ = false;  // from here on the destructor removes what was made
    std::vector<std::string> dirs;
    for (const auto &group : made.plan_.groups) {
        auto handle = handle_for(group, true);
        if (!handle) return fail(handle.error());
        if (int rc = cgroup_create_cgroup(handle->get(), 1); rc != 0)
            return fail("cgroups: cannot create " + quote_text(group.dirs.at(0)) + ": " + lib_error(rc));
        dirs.insert(dirs.end(), group.dirs.begin(), group.dirs.end());
    }
    auto sweep = make_sweep_plan(made.plan_.version, dirs, made.plan_.freezer_dir);
    if (!sweep) return fail(sweep.error());
    made.sweep_ = std::make_unique<SweepPlan>(*sweep);
    if (auto started = made.start_keeper(); !started) return fail(started.error());
    return made;
}

// Started as root (the caller holds RootPrivilege), so the keeper stays root.
Result<void> GaggleCgroup::start_keeper() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return fail(errno_text("cgroups: keeper pipe"));
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return fail(errno_text("cgroups: keeper fork"));
    }
    if (pid == 0) run_cgroup_keeper(*sweep_, fds[0], parent);
    close(fds[0]);
    keeper_ = pid;
    keeper_fd_ = fds[1];
    return ok();
}

GaggleCgroup::GaggleCgroup(GaggleCgroup &&other) noexcept
    : plan_(std::move(other.plan_)), sweep_(std::move(other.sweep_)), keeper_(other.keeper_),
      keeper_fd_(other.keeper_fd_), removed_(other.removed_) {
    other.keeper_ = -1;
    other.keeper_fd_ = -1;
    other.removed_ = true;
}

GaggleCgroup &GaggleCgroup::operator=(GaggleCgroup &&other) noexcept {
    if (this != &other) {
        clean_up();
        plan_ = std::move(other.plan_);
        sweep_ = std::move(other.sweep_);
        keeper_ = other.keeper_;
        keeper_fd_ = other.keeper_fd_;
        removed_ = other.removed_;
        other.keeper_ = -1;
        other.keeper_fd_ = -1;
        other.removed_ = true;
    }
    return *this;
}

GaggleCgroup::~GaggleCgroup() { clean_up(); }

void GaggleCgroup::clean_up() {
    if (!removed_) {
        (void)kill_all();
        (void)remove();
    }
    // When removal failed the keeper, seeing its pipe closed, tries again.
    release_keeper();
}

void GaggleCgroup::release_keeper() {
    if (keeper_fd_ >= 0) close(keeper_fd_);
    keeper_fd_ = -1;
    if (keeper_ > 0)
        while (waitpid(keeper_, nullptr, 0) < 0 && errno == EINTR) {}
    keeper_ = -1;
}

std::vector<std::string> GaggleCgroup::directories() const {
    std::vector<std::string> dirs;
    for (const auto &group : plan_.groups) dirs.insert(dirs.end(), group.dirs.begin(), group.dirs.end());
    return dirs;
}

Result<void> GaggleCgroup::attach(pid_t pid) {
    if (removed_) return fail("cgroups: the cgroup is removed");
    RootPrivilege root;
    if (!root.held()) return fail(kNoPermission);
    for (const auto &group : plan_.groups) {
        auto handle = handle_for(group, true);
        if (!handle) return fail(handle.error());
        if (int rc = cgroup_attach_task_pid(handle->get(), pid); rc != 0)
            return fail("cgroups: cannot move process " + std::to_string(pid) + " into " +
                        quote_text(group.dirs.at(0)) + ": " + lib_error(rc));
    }
    return ok();
}

CgroupTotals GaggleCgroup::totals() const {
    CgroupTotals totals;
    if (removed_) {
        totals.unread = "all (the cgroup is removed)";
        return totals;
    }
    RootPrivilege root;  // some files are root's alone; the figures are read as far as possible
    const ReadValues values(plan_);
    std::string unread;
    auto note = [&](const char *what, const char *file) {
        unread += std::string(unread.empty() ? "" : "; ") + what + " (no " + file + ")";
    };
    auto number = [&](const char *controller, const char *file) -> std::optional<int64_t> {
        auto text = values.value(controller, file);
        return text ? parse_cgroup_number(*text) : std::nullopt;
    };
    auto keyed = [&](const char *controller, const char *file, const char *key) -> std::optional<int64_t> {
        auto text = values.value(controller, file);
        return text ? parse_cgroup_keyed(*text, key) : std::nullopt;
    };
    if (plan_.version == CgroupVersion::v1) {
        if (!(totals.cpu_ns = number("cpuacct", "cpuacct.usage"))) note("CPU time", "cpuacct.usage");
        if (!(totals.memory_peak_bytes = number("memory", "memory.max_usage_in_bytes")))
            note("memory peak", "memory.max_usage_in_bytes");
        totals.io_bytes = keyed("blkio", "blkio.throttle.io_service_bytes_recursive", "Total");
        if (!totals.io_bytes) totals.io_bytes = keyed("blkio", "blkio.throttle.io_service_bytes", "Total");
        if (!totals.io_bytes) note("I/O bytes", "blkio.throttle.io_service_bytes");
        totals.io_operations = keyed("blkio", "blkio.throttle.io_serviced_recursive", "Total");
        if (!totals.io_operations) totals.io_operations = keyed("blkio", "blkio.throttle.io_serviced", "Total");
        if (!totals.io_operations) note("I/O operations", "blkio.throttle.io_serviced");
    } else {
        if (auto usec = keyed("cpu", "cpu.stat", "usage_usec"); usec && *usec <= INT64_MAX / 1000)
            totals.cpu_ns = *usec * 1000;
        else
            note("CPU time", "cpu.stat usage_usec");
        if (!(totals.memory_peak_bytes = number("memory", "memory.peak"))) note("memory peak", "memory.peak");
        auto io = values.value("io", "io.stat");
        auto sums = io ? parse_io_stat(*io) : std::nullopt;
        if (sums) {
            totals.io_bytes = sums->bytes;
            totals.io_operations = sums->operations;
        } else {
            note("I/O", "io.stat");
        }
    }
    if (!(totals.max_processes = number("pids", "pids.peak"))) note("most processes at once: unknown", "pids.peak");
    totals.unread = unread;
    return totals;
}

Result<int> GaggleCgroup::kill_all() {
    if (removed_ || !sweep_) return 0;
    RootPrivilege root;
    if (!root.held()) return fail(kNoPermission);
    const SweepOutcome outcome = sweep_cgroup(*sweep_, kKillBoundNs);
    if (!outcome.empty)
        return fail("cgroups: processes still in " + quote_text(sweep_->dirs[0]) + " after 2 s of SIGKILL");
    return outcome.killed;
}

Result<void> GaggleCgroup::remove() {
    if (removed_) return ok();
    {
        RootPrivilege root;
        if (!root.held()) return fail(kNoPermission);
        std::string error;
        for (const auto &group : plan_.groups) {
            if (!group_exists(group)) continue;  // never made (create failed) or already gone
            auto handle = handle_for(group, true);
            // EMPTY_ONLY: never move a straggler into the parent (the step's
            // cgroup); it must be killed, not kept.
            int rc = handle ? cgroup_delete_cgroup_ext(handle->get(), CGFLAG_DELETE_EMPTY_ONLY) : ECGFAIL;
            if (rc != 0 && group_exists(group) && error.empty())
                error = "cgroups: cannot remove " + quote_text(group.dirs.at(0)) + ": " +
                        (handle ? lib_error(rc) : handle.error());
        }
        if (!error.empty()) return fail(error);
    }
    removed_ = true;
    release_keeper();  // it finds the cgroup gone and exits
    return ok();
}

} // namespace pyimport
