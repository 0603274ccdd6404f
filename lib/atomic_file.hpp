// Writes a whole file or nothing: a hidden temporary beside the target,
// fsync, rename. Never follows a symlink at the temporary or the target name.
#pragma once
#include <string>

namespace pyimport {

// Writes `content` to dir/name with mode 0644, as the caller's effective ids.
// Returns false with a one-line `error`; then no temporary is left behind.
bool write_file_atomically(const std::string &dir, const std::string &name, const std::string &content,
                           std::string &error);

} // namespace pyimport
