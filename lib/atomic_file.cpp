#include "atomic_file.hpp"

#include "sys_io.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pyimport {

namespace {

std::string failure(const std::string &what, const std::string &path) { return errno_text(what + " " + path); }

} // namespace

bool write_file_atomically(const std::string &dir, const std::string &name, const std::string &content,
                           std::string &error) {
    if (name.empty() || name.find('/') != std::string::npos || name[0] == '.') {
        error = "invalid record file name '" + name + "'";
        return false;
    }
    int dirfd = open(dir.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    if (dirfd < 0) {
        error = failure("cannot open output directory", dir);
        return false;
    }
    // Hidden, so readers scanning for *.json never see a partial file.
    const std::string tmp = "." + name + ".tmp." + std::to_string(getpid());
    const std::string target = dir + "/" + name;
    int fd = openat(dirfd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    bool ok = fd >= 0;
    if (!ok) error = failure("cannot create", dir + "/" + tmp);
    // The mode is 0644 whatever the umask: readers of the records are other users.
    if (ok && !(ok = fchmod(fd, 0644) == 0)) error = failure("cannot set mode 0644 on", target);
    if (ok && !(ok = write_all(fd, content))) error = failure("cannot write", target);
    if (ok && !(ok = fsync(fd) == 0)) error = failure("cannot sync", target);
    if (fd >= 0 && close(fd) != 0 && ok) {
        ok = false;
        error = failure("cannot close", target);
    }
    // rename() replaces a symlink at the target name; it never follows it.
    if (ok && !(ok = renameat(dirfd, tmp.c_str(), dirfd, name.c_str()) == 0)) error = failure("cannot rename to", target);
    if (!ok && fd >= 0) unlinkat(dirfd, tmp.c_str(), 0);
    if (ok) fsync(dirfd);  // make the rename durable; a failure here loses nothing already visible
    close(dirfd);
    return ok;
}

} // namespace pyimport
