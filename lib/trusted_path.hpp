// Opening a site-configured directory (outdir=, workdir=) so that no other
// user can steer where it leads: in a directory shared by all users, a link
// or a swapped directory on the way would send the job user's writes (and,
// for a root job, root's) into a place another user chose.
#pragma once
#include "result.hpp"

#include <string>

namespace pyimport {

// Opens the directory at absolute `path` by walking its components from "/",
// one openat(O_NOFOLLOW) each, for the caller's effective ids (the job user's
// in slurmstepd):
// - a symbolic link on the way is followed only when root or the caller owns it;
// - every directory on the way, the last included, must be owned by root or the
//   caller, and when group or others may write it, it must be sticky (like /tmp);
// - the last directory must be writable and searchable by the caller.
// Returns an O_PATH descriptor (usable as the dirfd of *at calls), or fails
// with one line naming the offending component.
Result<int> open_trusted_directory(const std::string &path);

} // namespace pyimport
