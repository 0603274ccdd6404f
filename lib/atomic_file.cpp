#include "atomic_file.hpp"

#include "sys_io.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif

namespace pyimport {

namespace {

std::string failure(const std::string &what, const std::string &path) { return errno_text(what + " " + path); }

// Moves dir/from to dir/to unless `to` exists. Through the system call, which
// every glibc can issue; file systems that refuse the flag (EINVAL) get a hard
// link and an unlink instead, which fail the same way on an existing name.
bool move_without_replacing(int dirfd, const std::string &from, const std::string &to) {
    if (syscall(SYS_renameat2, dirfd, from.c_str(), dirfd, to.c_str(), RENAME_NOREPLACE) == 0) return true;
    if (errno != EINVAL && errno != ENOSYS) return false;
    if (linkat(dirfd, from.c_str(), dirfd, to.c_str(), 0) != 0) return false;
    unlinkat(dirfd, from.c_str(), 0);
    return true;
}

} // namespace

PendingFile::~PendingFile() { discard(); }

void PendingFile::discard() {
    if (fd_ >= 0) {
        close(fd_);
        unlinkat(dirfd_, tmp_.c_str(), 0);
        fd_ = -1;
    }
    if (dirfd_ >= 0) close(dirfd_);
    dirfd_ = -1;
}

Result<void> PendingFile::open(int dirfd, const std::string &dir, const std::string &name) {
    discard();
    dirfd_ = dirfd;
    dir_ = dir;
    name_ = name;
    if (name.empty() || name.find('/') != std::string::npos || name[0] == '.') {
        discard();
        return fail("invalid record file name '" + name + "'");
    }
    std::string suffix;
    if (!random_name_part(suffix)) {
        auto failure = fail(errno_text("getrandom"));
        discard();
        return failure;
    }
    // Hidden, so readers scanning for *.json never see a partial file.
    tmp_ = "." + name + ".tmp." + suffix;
    fd_ = openat(dirfd_, tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd_ < 0) {
        auto failed = fail(failure("cannot create", dir + "/" + tmp_));
        discard();
        return failed;
    }
    return ok();
}

Result<void> PendingFile::commit(const std::string &content, mode_t mode, Existing existing) {
    if (fd_ < 0) return fail("no file to write for " + path());
    std::string error;
    const std::string target = path();
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", unsigned(mode));
    bool ok = true;
    // The mode is set explicitly: the umask must not decide who reads the file.
    if (!(ok = fchmod(fd_, mode) == 0)) error = failure("cannot set mode " + std::string(octal) + " on", target);
    if (ok && !(ok = write_all(fd_, content))) error = failure("cannot write", target);
    if (ok && !(ok = fsync(fd_) == 0)) error = failure("cannot sync", target);
    if (close(fd_) != 0 && ok) {
        ok = false;
        error = failure("cannot close", target);
    }
    fd_ = -1;
    // renameat() replaces a symlink at the name; it never follows it.
    auto move = [&] {
        return existing == Existing::replace ? renameat(dirfd_, tmp_.c_str(), dirfd_, name_.c_str()) == 0
                                             : move_without_replacing(dirfd_, tmp_, name_);
    };
    if (ok && !(ok = move())) error = failure("cannot rename to", target);
    if (!ok) unlinkat(dirfd_, tmp_.c_str(), 0);
    // Make the rename durable (an O_PATH descriptor cannot be synced); a
    // failure here loses nothing already visible.
    const int sync_fd = ok ? openat(dirfd_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (sync_fd >= 0) {
        fsync(sync_fd);
        close(sync_fd);
    }
    discard();
    if (!ok) return fail(error);
    return pyimport::ok();
}

Result<void> write_file_atomically(const std::string &dir, const std::string &name, const std::string &content,
                                   PendingFile::Existing existing) {
    const int dirfd = ::open(dir.c_str(), O_DIRECTORY | O_PATH | O_CLOEXEC);
    if (dirfd < 0) return fail(failure("cannot open output directory", dir));
    PendingFile file;
    if (auto opened = file.open(dirfd, dir, name); !opened) return opened;
    return file.commit(content, 0644, existing);
}

} // namespace pyimport
