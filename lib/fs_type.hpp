// Names the file system a path lives on, for the record ("ext4", "nfs",
// "fuse.mfs", "lustre", ...): results differ by file system, so records say.
#pragma once
#include <string>

namespace pyimport {

// The type of the mount holding `path` (resolved with realpath; the longest
// mount point in /proc/self/mountinfo that holds it, see lib/mountinfo.hpp).
// "" when the path cannot be examined.
std::string fs_type_of(const std::string &path);

} // namespace pyimport
