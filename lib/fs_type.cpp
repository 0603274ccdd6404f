#include "fs_type.hpp"

#include "mountinfo.hpp"

namespace pyimport {

// The type /proc/self/mountinfo gives the mount holding the resolved path
// (with the FUSE subtype, e.g. "fuse.mfsmount").
std::string fs_type_of(const std::string &path) {
    auto mount = mount_holding(path, "/proc/self/mountinfo");
    return mount ? mount->fs_type : "";
}

} // namespace pyimport
