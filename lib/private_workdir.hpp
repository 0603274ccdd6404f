// The working directory of one gaggle: fresh, private to the job user, and
// removed afterwards with whatever the interpreters left in it. With `python
// -c` the working directory comes first on sys.path, so a shared one (/tmp)
// would let other users' modules run inside the gaggle.
#pragma once
#include "result.hpp"

#include <string>

namespace pyimport {

class PrivateWorkdir {
  public:
    PrivateWorkdir() = default;
    // Removes the directory and everything in it, never following a symbolic
    // link, with the caller's effective ids (the job user's in slurmstepd).
    ~PrivateWorkdir();
    PrivateWorkdir(const PrivateWorkdir &) = delete;
    PrivateWorkdir &operator=(const PrivateWorkdir &) = delete;

    // Creates base/pyimport-XXXXXXXXXXXXXXXX, mode 0700, owned by the caller's
    // effective ids. `base` must pass open_trusted_directory. Fails with one
    // line (naming the offending component, not `base`).
    Result<void> create(const std::string &base);

    // The directory's path; empty before create() succeeded.
    const std::string &path() const { return path_; }

  private:
    int basefd_ = -1;  // O_PATH: where the directory's name is
    int fd_ = -1;      // the directory itself, whatever happens to its name
    std::string name_, path_;
};

} // namespace pyimport
