#include "private_workdir.hpp"

#include "sys_io.hpp"
#include "trusted_path.hpp"

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pyimport {

namespace {

// Deeper trees are left in place rather than risk the caller's stack
// (slurmstepd's) or its descriptors on whatever an interpreter built.
constexpr int kMaxDepth = 64;

// Removes everything in the directory `fd` (taken over). Subdirectories are
// opened with O_NOFOLLOW, links are unlinked themselves, and a subdirectory an
// interpreter made unwritable is given back to its owner first.
void remove_contents(int fd, int depth) {
    DIR *dir = fdopendir(fd);
    if (!dir) {
        close(fd);
        return;
    }
    while (const dirent *e = readdir(dir)) {
        const char *name = e->d_name;
        if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0) continue;
        if (unlinkat(dirfd(dir), name, 0) == 0 || errno != EISDIR || depth >= kMaxDepth) continue;
        (void)!fchmodat(dirfd(dir), name, 0700, AT_SYMLINK_NOFOLLOW);
        const int sub = openat(dirfd(dir), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0) continue;
        remove_contents(sub, depth + 1);
        unlinkat(dirfd(dir), name, AT_REMOVEDIR);
    }
    closedir(dir);
}

} // namespace

Result<void> PrivateWorkdir::create(const std::string &base) {
    auto basefd = open_trusted_directory(base);
    if (!basefd) return fail(basefd.error());
    basefd_ = *basefd;
    for (int attempt = 0; fd_ < 0; ++attempt) {
        std::string suffix;
        if (!random_name_part(suffix)) return fail(errno_text("getrandom"));
        name_ = "pyimport-" + suffix;
        if (mkdirat(basefd_, name_.c_str(), 0700) != 0) {
            if (errno == EEXIST && attempt < 10) continue;
            name_.clear();
            return fail(errno_text("cannot create a directory in it"));
        }
        fd_ = openat(basefd_, name_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd_ < 0) return fail(errno_text("cannot open the directory created in it"));
    }
    if (fchmod(fd_, 0700) != 0) return fail(errno_text("cannot set mode 0700 on the directory created in it"));
    std::string dir = base;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    path_ = (dir == "/" ? "" : dir) + "/" + name_;
    return ok();
}

PrivateWorkdir::~PrivateWorkdir() {
    if (fd_ >= 0) {
        fchmod(fd_, 0700);  // an interpreter may have taken the owner's rights away
        // Twice: entries created while the first pass read the directory.
        for (int pass = 0; pass < 2; ++pass) {
            const int copy = dup(fd_);
            if (copy >= 0) {
                lseek(copy, 0, SEEK_SET);
                remove_contents(copy, 1);
            }
            if (unlinkat(basefd_, name_.c_str(), AT_REMOVEDIR) == 0 || errno != ENOTEMPTY) break;
        }
        close(fd_);
    } else if (!name_.empty()) {
        unlinkat(basefd_, name_.c_str(), AT_REMOVEDIR);
    }
    if (basefd_ >= 0) close(basefd_);
}

} // namespace pyimport
