#include "fs_metadata_counters.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <string_view>
#include <unistd.h>

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

// ---- text helpers ---------------------------------------------------------------

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && is_space(line[i])) ++i;
        size_t start = i;
        while (i < line.size() && !is_space(line[i])) ++i;
        if (i > start) out.push_back(line.substr(start, i - start));
    }
    return out;
}

// Calls f(line) for every line of text (without the '\n').
template <class F> void for_each_line(std::string_view text, F f) {
    while (!text.empty()) {
        size_t end = text.find('\n');
        f(text.substr(0, end));
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
}

// A whole-field non-negative decimal counter.
std::optional<int64_t> counter_value(std::string_view s) {
    int64_t v = 0;
    if (s.empty() || s.front() < '0' || s.front() > '9') return std::nullopt;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
bool is_op_name_char(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// mountinfo and mountstats write ' ', '\t', '\n' and '\\' as \ooo.
std::string unescape_octal(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size()) {
            const char a = s[i + 1], b = s[i + 2], c = s[i + 3];
            if (a >= '0' && a <= '3' && b >= '0' && b <= '7' && c >= '0' && c <= '7') {
                out += char((a - '0') * 64 + (b - '0') * 8 + (c - '0'));
                i += 3;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

bool read_whole_file(const std::string &path, std::string &out, std::string &error) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = "cannot open " + path + ": " + std::strerror(errno);
        return false;
    }
    out.clear();
    char buf[65536];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0) {
            out.append(buf, size_t(n));
        } else if (n == 0) {
            break;
        } else if (errno != EINTR) {
            error = "cannot read " + path + ": " + std::strerror(errno);
            close(fd);
            return false;
        }
    }
    close(fd);
    return true;
}

std::optional<std::vector<std::string>> list_dir(const std::string &dir) {
    DIR *d = opendir(dir.c_str());
    if (!d) return std::nullopt;
    std::vector<std::string> names;
    while (dirent *e = readdir(d))
        if (e->d_name[0] != '.') names.emplace_back(e->d_name);
    closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

// Instance names "<fsname>-<hex>" of `fsname`.
std::vector<std::string> llite_matches(const std::vector<std::string> &instances, const std::string &fsname) {
    std::vector<std::string> matches;
    for (const auto &name : instances) {
        if (name.size() <= fsname.size() + 1 || !starts_with(name, fsname + "-")) continue;
        const std::string_view hex = std::string_view(name).substr(fsname.size() + 1);
        if (std::all_of(hex.begin(), hex.end(), is_lower_hex))
            matches.push_back(name);
    }
    return matches;
}

void set_error(std::string &error, const char *what) noexcept {
    try {
        error = what;
    } catch (...) {
        error.clear();
    }
}

// ---- the readers, one per kind ------------------------------------------------

// `path` parsed by `parse`; an error when it cannot be read or holds no counters.
std::optional<CounterMap> read_counters(const std::string &path, CounterMap (*parse)(const std::string &),
                                        const char *what, std::string &error) {
    std::string text;
    if (!read_whole_file(path, text, error)) return std::nullopt;
    CounterMap counters = parse(text);
    if (counters.empty()) {
        error = std::string("no ") + what + " counters in " + path;
        return std::nullopt;
    }
    return counters;
}

std::optional<CounterMap> read_moosefs(const MountEntry &m, std::string &instance, std::string &error) {
    instance = (m.mount_point == "/" ? "" : m.mount_point) + "/.stats";
    return read_counters(instance, parse_moosefs_stats, "MooseFS", error);
}

std::optional<CounterMap> read_nfs(const MountEntry &m, const MetadataCounterSources &sources, std::string &instance,
                                   std::string &error) {
    instance = sources.nfs_mountstats;
    std::string text;
    if (!read_whole_file(sources.nfs_mountstats, text, error)) return std::nullopt;
    auto counters = parse_nfs_mountstats(text, m.mount_point);
    if (!counters) error = "no NFS per-op statistics for " + m.mount_point + " in " + sources.nfs_mountstats;
    return counters;
}

std::optional<CounterMap> read_lustre(const MountEntry &m, const MetadataCounterSources &sources, std::string &instance,
                                      std::string &error) {
    const std::string fsname = lustre_fsname(m.source);
    if (fsname.empty()) {
        error = "cannot tell the Lustre file system name of " + m.mount_point + " from its source '" + m.source + "'";
        return std::nullopt;
    }
    std::string looked;
    for (const auto &root : sources.lustre_llite_roots) {
        looked += (looked.empty() ? "" : ", ") + root;
        auto names = list_dir(root);
        if (!names) continue;
        const auto matches = llite_matches(*names, fsname);
        if (matches.empty()) continue;
        std::string pick_error;
        auto picked = pick_llite_instance(matches, fsname, pick_error);
        if (!picked) {
            error = pick_error + " (" + root + ")";
            return std::nullopt;
        }
        instance = root + "/" + *picked + "/stats";
        if (access(instance.c_str(), F_OK) != 0) continue;  // 2.12+: /sys holds the instance, debugfs the stats
        return read_counters(instance, parse_lustre_llite_stats, "Lustre llite", error);
    }
    error = "no llite stats for Lustre file system '" + fsname + "' mounted on " + m.mount_point + " (looked in " +
            looked + ")";
    return std::nullopt;
}

std::optional<MetadataSnapshot> snapshot_unguarded(const std::string &path, const MetadataCounterSources &sources,
                                                   std::string &error) {
    error.clear();
    char *resolved = realpath(path.c_str(), nullptr);
    if (!resolved) {
        error = "cannot resolve " + path + ": " + std::strerror(errno);
        return std::nullopt;
    }
    const std::string real(resolved);
    std::free(resolved);
    std::string text;
    if (!read_whole_file(sources.mountinfo, text, error)) return std::nullopt;
    auto mount = find_mount(parse_mountinfo(text), real);
    if (!mount) {
        error = "no mount in " + sources.mountinfo + " holds " + real;
        return std::nullopt;
    }
    MetadataSnapshot snap;
    snap.kind = metadata_counter_kind(*mount);
    snap.mount_point = mount->mount_point;
    std::optional<CounterMap> counters;
    if (snap.kind == "moosefs") counters = read_moosefs(*mount, snap.instance, error);
    else if (snap.kind == "nfs") counters = read_nfs(*mount, sources, snap.instance, error);
    else if (snap.kind == "lustre") counters = read_lustre(*mount, sources, snap.instance, error);
    else return std::nullopt;  // no counters on this file system; error stays ""
    if (!counters) return std::nullopt;
    snap.counters = std::move(*counters);
    return snap;
}

int64_t saturating_add(int64_t a, int64_t b) {
    int64_t sum = 0;
    return __builtin_add_overflow(a, b, &sum) ? INT64_MAX : sum;
}

CounterMap diff_unguarded(const MetadataSnapshot &before, const MetadataSnapshot &after) {
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

} // namespace

// ---- public -------------------------------------------------------------------

std::vector<std::string> metadata_total_inputs(const std::string &kind, const std::string &total) {
    try {
        const TotalInputs *inputs = find_total_inputs(kind, total);
        if (!inputs) return {};
        std::vector<std::string> names;
        for (const char *counter : inputs->counters)
            if (counter) names.emplace_back(counter);
        return names;
    } catch (...) {
        return {};
    }
}

std::vector<MountEntry> parse_mountinfo(const std::string &text) {
    // ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER_OPTIONS
    std::vector<MountEntry> mounts;
    for_each_line(text, [&](std::string_view line) {
        const auto w = words(line);
        auto sep = std::find(w.begin(), w.end(), std::string_view("-"));
        if (sep == w.end() || sep - w.begin() < 6 || w.end() - sep < 3) return;
        mounts.push_back({unescape_octal(w[4]), unescape_octal(sep[1]), unescape_octal(sep[2])});
    });
    return mounts;
}

std::optional<MountEntry> find_mount(const std::vector<MountEntry> &mounts, const std::string &real_path) {
    const MountEntry *best = nullptr;
    for (const auto &m : mounts) {
        const std::string &mp = m.mount_point;
        const bool holds = mp == "/" ? starts_with(real_path, "/")
                                     : real_path == mp || (starts_with(real_path, mp) && real_path[mp.size()] == '/');
        if (holds && (!best || mp.size() >= best->mount_point.size())) best = &m;
    }
    if (!best) return std::nullopt;
    return *best;
}

std::string metadata_counter_kind(const MountEntry &mount) {
    const std::string &t = mount.fs_type;
    if (t == "nfs" || t == "nfs4") return "nfs";
    if (t == "lustre") return "lustre";
    if (t == "fuse" || t == "fuseblk" || starts_with(t, "fuse.")) {
        const std::string sub = t.size() > 5 ? t.substr(5) : "";
        if (sub == "mfs" || sub == "mfsmount" || sub == "moosefs" || starts_with(mount.source, "mfs#"))
            return "moosefs";
    }
    return "";
}

CounterMap parse_moosefs_stats(const std::string &text) {
    CounterMap counters;
    for_each_line(text, [&](std::string_view line) {
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos) return;
        std::string_view name = trim(line.substr(0, colon));
        auto value = counter_value(trim(line.substr(colon + 1)));  // "[31]" (a gauge) does not parse
        if (name.empty() || !value) return;
        if (starts_with(name, "fuse_ops.")) name.remove_prefix(9);
        counters[std::string(name)] = *value;
    });
    return counters;
}

std::optional<CounterMap> parse_nfs_mountstats(const std::string &text, const std::string &mount_point) {
    // device SOURCE mounted on MOUNT_POINT with fstype TYPE [statvers=1.1]
    //     ... per-op statistics
    //         OPNAME: OPS TRANSMISSIONS TIMEOUTS BYTES_SENT BYTES_RECV QUEUE RTT EXECUTE [ERRORS]
    std::optional<CounterMap> found;
    bool in_block = false, in_ops = false;
    CounterMap block;
    auto close_block = [&] {
        if (in_block && in_ops) found = block;
        else if (in_block) found.reset();  // the last block on the mount point is the one that counts
        in_block = in_ops = false;
    };
    for_each_line(text, [&](std::string_view line) {
        if (starts_with(line, "device ")) {
            close_block();
            const auto w = words(line);
            if (w.size() >= 8 && w[2] == "mounted" && w[3] == "on" && w[5] == "with" && w[6] == "fstype" &&
                (w[7] == "nfs" || w[7] == "nfs4") && unescape_octal(w[4]) == mount_point) {
                in_block = true;
                block.clear();
            }
            return;
        }
        if (!in_block) return;
        const std::string_view t = trim(line);
        if (t == "per-op statistics") {
            in_ops = true;
            return;
        }
        if (!in_ops) return;
        const auto w = words(t);
        if (w.size() < 2 || w[0].size() < 2 || w[0].back() != ':') return;
        const std::string_view op = w[0].substr(0, w[0].size() - 1);
        if (!std::all_of(op.begin(), op.end(), is_op_name_char)) return;
        if (auto count = counter_value(w[1])) block[std::string(op)] = *count;
    });
    close_block();
    return found;
}

CounterMap parse_lustre_llite_stats(const std::string &text) {
    CounterMap counters;
    for_each_line(text, [&](std::string_view line) {
        const auto w = words(line);
        if (w.size() < 3 || w[2] != "samples") return;
        if (auto count = counter_value(w[1])) counters[std::string(w[0])] = *count;
    });
    return counters;
}

std::string lustre_fsname(const std::string &source) {
    const size_t pos = source.rfind(":/");
    if (pos == std::string::npos) return "";
    const std::string rest = source.substr(pos + 2);
    return rest.substr(0, rest.find('/'));
}

std::optional<std::string> pick_llite_instance(const std::vector<std::string> &instances, const std::string &fsname,
                                               std::string &error) {
    const auto matches = llite_matches(instances, fsname);
    if (matches.size() == 1) return matches.front();
    if (matches.empty()) error = "no llite instance of Lustre file system '" + fsname + "'";
    else
        error = std::to_string(matches.size()) + " llite instances of Lustre file system '" + fsname +
                "' (mounted more than once): cannot tell which one is this mount";
    return std::nullopt;
}

std::optional<MetadataSnapshot> snapshot_metadata_counters(const std::string &path,
                                                           const MetadataCounterSources &sources, std::string &error) {
    try {
        return snapshot_unguarded(path, sources, error);
    } catch (const std::exception &e) {
        set_error(error, e.what());
    } catch (...) {
        set_error(error, "metadata counters: unexpected failure");
    }
    return std::nullopt;
}

std::optional<MetadataSnapshot> snapshot_metadata_counters(const std::string &path, std::string &error) {
    try {
        return snapshot_metadata_counters(path, MetadataCounterSources(), error);
    } catch (...) {
        set_error(error, "metadata counters: out of memory");
        return std::nullopt;
    }
}

CounterMap diff_metadata_counters(const MetadataSnapshot &before, const MetadataSnapshot &after) {
    try {
        return diff_unguarded(before, after);
    } catch (...) {
        return {};
    }
}

} // namespace pyimport
