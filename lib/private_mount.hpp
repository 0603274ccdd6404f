// The kernel runtime: the site's image loop-mounted read-only, nosuid, nodev
// in a private mount namespace of the calling process, which its children
// (the gaggle) share. What setuid Singularity/Apptainer do, without them. The
// mount and the loop device vanish with the namespace's last process.
#pragma once
#include "result.hpp"

#include <string>

namespace pyimport {

// The image must be a root-owned regular file that no one else may write,
// in a directory no one else may write: the kernel parses it as root, so a
// user must not be able to put a crafted image there. Fails with the problem.
Result<void> check_image_is_site_owned(const std::string &image);

// Enters a new mount namespace and mounts `image` at `target` there. Needs
// real or saved uid 0 (as in slurmstepd's user_init); the effective uid is
// restored afterwards. Call it in a process that exists for this gaggle only.
Result<void> mount_image_privately(const std::string &image, const std::string &target);

} // namespace pyimport
