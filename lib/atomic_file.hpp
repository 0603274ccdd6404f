// Writes a whole file or nothing: a hidden temporary beside the target,
// fsync, then a move to the final name that never replaces an existing file.
// Never follows a symlink at the temporary or the target name.
#pragma once
#include "result.hpp"

#include <string>
#include <sys/types.h>

namespace pyimport {

// A file claimed before its content exists: open() creates the hidden
// temporary (exclusively, with a random name) and keeps the directory and the
// file open, so a directory that cannot take the file fails early and the
// path cannot be swapped before commit(). Removed unless committed.
class PendingFile {
  public:
    PendingFile() = default;
    ~PendingFile();
    PendingFile(const PendingFile &) = delete;
    PendingFile &operator=(const PendingFile &) = delete;

    // Takes over `dirfd` (a directory, O_PATH is enough; closed on failure
    // too); `dir` names it in messages. `name` must be a plain, not hidden,
    // file name. Fails with one line.
    Result<void> open(int dirfd, const std::string &dir, const std::string &name);

    // What commit() does when the name exists: records never replace a file
    // (in a shared directory it may be someone else's); a report the user
    // asked for by name replaces its earlier version.
    enum class Existing { refuse, replace };

    // Writes `content` with `mode` (whatever the umask), syncs it and gives it
    // its name. The temporary is gone afterwards, either way. Fails with one
    // line.
    Result<void> commit(const std::string &content, mode_t mode, Existing existing = Existing::refuse);

    // dir/name.
    std::string path() const { return dir_ + "/" + name_; }

  private:
    void discard();

    int dirfd_ = -1;
    int fd_ = -1;
    std::string dir_, name_, tmp_;
};

// Writes `content` to dir/name with mode 0644, as the caller's effective ids;
// an existing dir/name is an error unless `existing` is replace. Fails with
// one line; then no temporary is left behind.
Result<void> write_file_atomically(const std::string &dir, const std::string &name, const std::string &content,
                                   PendingFile::Existing existing = PendingFile::Existing::refuse);

} // namespace pyimport
