// The totals table, the snapshot's dispatch to the reader of the mount's
// kind (lib/fs_counters_KIND.cpp), and the diff.
#include "fs_metadata_counters.hpp"

#include "fs_counters_internal.hpp"

#include <climits>
#include <string_view>

namespace pyimport {
namespace {

constexpr const char *kTotals[] = {"lookups", "getattrs", "opens", "metadata_total"};
constexpr const char kReset[] = "counters_reset";

// ---- which counters feed each total (documented in the header) ----------------

struct TotalInputs {
    const char *kind;
    const char *total;
    const char *counters[32];  // ends at the first nullptr
};

const TotalInputs kTotalInputs[] = {
    {"moosefs", "lookups", {"lookup.master.positive", "lookup.master.negative", "lookup.master.error"}},
    {"moosefs", "getattrs", {"getattr"}},
    {"moosefs", "opens", {"open"}},
    {"moosefs", "metadata_total",
     {"lookup.master.positive", "lookup.master.negative", "lookup.master.error", "getattr", "setattr", "access",
      "readlink.master", "opendir", "readdir", "open", "create", "mknod", "mkdir", "unlink", "rmdir", "symlink",
      "rename", "link", "statfs", "getxattr", "setxattr", "listxattr", "removexattr"}},
    {"nfs", "lookups", {"LOOKUP", "LOOKUPP"}},
    {"nfs", "getattrs", {"GETATTR"}},
    {"nfs", "opens", {"OPEN", "OPEN_NOATTR"}},
    {"nfs", "metadata_total",
     {"GETATTR", "SETATTR", "LOOKUP", "LOOKUPP", "ACCESS", "READLINK", "READDIR", "READDIRPLUS", "CREATE", "MKDIR",
      "SYMLINK", "MKNOD", "REMOVE", "RMDIR", "RENAME", "LINK", "OPEN", "OPEN_NOATTR", "CLOSE", "FSSTAT", "FSINFO",
      "PATHCONF", "STATFS", "GETACL", "SETACL", "GETXATTR", "SETXATTR", "LISTXATTRS", "REMOVEXATTR"}},
    {"lustre", "getattrs", {"getattr"}},
    {"lustre", "opens", {"open"}},
    {"lustre", "metadata_total",
     {"open", "close", "getattr", "setattr", "create", "link", "unlink", "symlink", "mkdir", "rmdir", "mknod",
      "rename", "statfs", "readdir", "getxattr", "setxattr", "listxattr", "removexattr"}},
};

const TotalInputs *find_total_inputs(std::string_view kind, std::string_view total) {
    for (const auto &t : kTotalInputs)
        if (kind == t.kind && total == t.total) return &t;
    return nullptr;
}

int64_t saturating_add(int64_t a, int64_t b) {
    int64_t sum = 0;
    return __builtin_add_overflow(a, b, &sum) ? INT64_MAX : sum;
}

} // namespace

std::vector<std::string> metadata_total_inputs(const std::string &kind, const std::string &total) {
    const TotalInputs *inputs = find_total_inputs(kind, total);
    if (!inputs) return {};
    std::vector<std::string> names;
    for (const char *counter : inputs->counters)
        if (counter) names.emplace_back(counter);
    return names;
}

std::string metadata_counter_kind(const MountEntry &mount) {
    const std::string &t = mount.fs_type;
    if (t == "nfs" || t == "nfs4") return "nfs";
    if (t == "lustre") return "lustre";
    if (t == "fuse" || t == "fuseblk" || fs_counters::starts_with(t, "fuse.")) {
        const std::string sub = t.size() > 5 ? t.substr(5) : "";
        if (sub == "mfs" || sub == "mfsmount" || sub == "moosefs" || fs_counters::starts_with(mount.source, "mfs#"))
            return "moosefs";
    }
    return "";
}

Result<std::optional<MetadataSnapshot>> snapshot_metadata_counters(const std::string &path,
                                                                   const MetadataCounterSources &sources) {
    auto mount = mount_holding(path, sources.mountinfo);
    if (!mount) return fail(mount.error());
    MetadataSnapshot snap;
    snap.kind = metadata_counter_kind(*mount);
    snap.mount_point = mount->mount_point;
    if (snap.kind != "moosefs" && snap.kind != "nfs" && snap.kind != "lustre")
        return std::optional<MetadataSnapshot>();  // no counters on this file system
    auto counters = snap.kind == "moosefs" ? fs_counters::read_moosefs_counters(*mount, snap.instance)
                    : snap.kind == "nfs"   ? fs_counters::read_nfs_counters(*mount, sources, snap.instance)
                                           : fs_counters::read_lustre_counters(*mount, sources, snap.instance);
    if (!counters) return fail(counters.error());
    snap.counters = std::move(*counters);
    return std::optional<MetadataSnapshot>(std::move(snap));
}

Result<std::optional<MetadataSnapshot>> snapshot_metadata_counters(const std::string &path) {
    return snapshot_metadata_counters(path, MetadataCounterSources());
}

CounterMap diff_metadata_counters(const MetadataSnapshot &before, const MetadataSnapshot &after) {
    const CounterMap reset = {{kReset, 1}};
    if (before.kind != after.kind || before.mount_point != after.mount_point || before.instance != after.instance)
        return reset;
    CounterMap out, deltas;
    for (const auto &[name, value] : after.counters) {
        auto old = before.counters.find(name);
        if (old == before.counters.end()) continue;
        if (value < old->second) return reset;
        const int64_t delta = value - old->second;
        deltas[name] = delta;
        if (delta != 0) out[after.kind + "." + name] = delta;
    }
    for (const char *total : kTotals) {
        const TotalInputs *inputs = find_total_inputs(after.kind, total);
        if (!inputs) continue;
        bool any = false;
        int64_t sum = 0;
        for (const char *counter : inputs->counters) {
            if (!counter) break;
            auto d = deltas.find(counter);
            if (d == deltas.end()) continue;
            any = true;
            sum = saturating_add(sum, d->second);
        }
        if (any) out[total] = sum;
    }
    return out;
}

} // namespace pyimport
