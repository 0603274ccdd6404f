// Lustre: llite stats (/proc/fs/lustre/llite/<fsname>-<hex>/stats, or the
// same under /sys/fs/lustre or /sys/kernel/debug/lustre).
#include "fs_counters_internal.hpp"

#include <algorithm>
#include <dirent.h>
#include <memory>
#include <unistd.h>

namespace pyimport {

using namespace fs_counters;

namespace {

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

std::optional<std::vector<std::string>> list_dir(const std::string &dir) {
    const std::unique_ptr<DIR, int (*)(DIR *)> d(opendir(dir.c_str()), closedir);
    if (!d) return std::nullopt;
    std::vector<std::string> names;
    while (dirent *e = readdir(d.get()))
        if (e->d_name[0] != '.') names.emplace_back(e->d_name);
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

} // namespace

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

Result<std::string> pick_llite_instance(const std::vector<std::string> &instances, const std::string &fsname) {
    const auto matches = llite_matches(instances, fsname);
    if (matches.size() == 1) return matches.front();
    if (matches.empty()) return fail("no llite instance of Lustre file system '" + fsname + "'");
    return fail(std::to_string(matches.size()) + " llite instances of Lustre file system '" + fsname +
                "' (mounted more than once): cannot tell which one is this mount");
}

Result<CounterMap> fs_counters::read_lustre_counters(const MountEntry &m, const MetadataCounterSources &sources,
                                                     std::string &instance) {
    const std::string fsname = lustre_fsname(m.source);
    if (fsname.empty())
        return fail("cannot tell the Lustre file system name of " + m.mount_point + " from its source '" + m.source +
                    "'");
    std::string looked;
    for (const auto &root : sources.lustre_llite_roots) {
        looked += (looked.empty() ? "" : ", ") + root;
        auto names = list_dir(root);
        if (!names) continue;
        const auto matches = llite_matches(*names, fsname);
        if (matches.empty()) continue;
        auto picked = pick_llite_instance(matches, fsname);
        if (!picked) return fail(picked.error() + " (" + root + ")");
        instance = root + "/" + *picked + "/stats";
        if (access(instance.c_str(), F_OK) != 0) continue;  // 2.12+: /sys holds the instance, debugfs the stats
        return read_counters(instance, parse_lustre_llite_stats, "Lustre llite");
    }
    return fail("no llite stats for Lustre file system '" + fsname + "' mounted on " + m.mount_point + " (looked in " +
                looked + ")");
}

} // namespace pyimport
