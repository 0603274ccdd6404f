// /proc/self/mountinfo: which mount holds a path, and what it is. The one
// parser behind fs_type_of (the record's fs_type) and the metadata counters
// (which file system's counters to read). No Slurm.
#pragma once
#include "result.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pyimport {

struct MountEntry {
    std::string mount_point;  // octal escapes (\040 ...) undone
    std::string fs_type;      // "ext4", "nfs4", "lustre", "fuse", "fuse.mfs", ...
    std::string source;       // "mfs#10.0.0.1:9421", "server:/export", "10.0.0.1@tcp:/fsname"
};

// /proc/self/mountinfo; lines that do not parse are skipped.
std::vector<MountEntry> parse_mountinfo(const std::string &text);

// The mount holding the resolved absolute path `real_path`: the longest mount
// point that equals it or is a directory prefix of it; among mounts on the same
// point the last listed (the one on top). nullopt when none matches.
std::optional<MountEntry> find_mount(const std::vector<MountEntry> &mounts, const std::string &real_path);

// mountinfo and mountstats write ' ', '\t', '\n' and '\\' as \ooo: undone.
std::string unescape_octal(std::string_view s);

// The mount holding `path`, resolved with realpath, among those of the
// mountinfo file `mountinfo_path`. Fails with one line naming the
// path or the file: the path cannot be resolved, the file cannot be read, or
// no mount in it holds the path.
Result<MountEntry> mount_holding(const std::string &path, const std::string &mountinfo_path);

} // namespace pyimport
