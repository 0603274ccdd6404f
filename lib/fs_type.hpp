// Names the file system a path lives on, for the record ("ext4", "nfs",
// "fuse.mfs", "lustre", ...): results differ by file system, so records say.
#pragma once
#include <string>

namespace pyimport {

// "" when the path cannot be examined.
std::string fs_type_of(const std::string &path);

} // namespace pyimport
