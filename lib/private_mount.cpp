#include "private_mount.hpp"

#include "sys_io.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/loop.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pyimport {

namespace {

bool owned_by_root_not_shared_writable(const struct stat &st) {
    return st.st_uid == 0 && !(st.st_mode & (S_IWGRP | S_IWOTH));
}

// A free loop device bound read-only to the image; it detaches itself when
// the mount goes (autoclear). Returns its fd (and its path in `device`).
Result<int> attach_loop_device(int image_fd, std::string &device) {
    int control = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
    if (control < 0) return fail(errno_text("cannot open /dev/loop-control"));
    for (int attempt = 0; attempt < 10; ++attempt) {  // another process may take the same free device
        int n = ioctl(control, LOOP_CTL_GET_FREE);
        if (n < 0) break;
        std::string path = "/dev/loop" + std::to_string(n);
        int loop = open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (loop < 0) continue;
        loop_config config{};
        config.fd = unsigned(image_fd);
        config.info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR;
        if (ioctl(loop, LOOP_CONFIGURE, &config) == 0) {
            device = path;
            close(control);
            return loop;
        }
        close(loop);
        if (errno != EBUSY) break;
    }
    auto failure = fail(errno_text("cannot attach a loop device"));
    close(control);
    return failure;
}

} // namespace

Result<void> check_image_is_site_owned(const std::string &image) {
    struct stat st;
    if (lstat(image.c_str(), &st) != 0) return fail(errno_text("image " + image));
    if (!S_ISREG(st.st_mode)) return fail("image " + image + " is not a regular file (the kernel runtime needs a squashfs file)");
    if (!owned_by_root_not_shared_writable(st)) return fail("image " + image + " must be owned by root and writable by root only");
    // Every directory above it too, or a user could swap a directory on the way;
    // a sticky directory (like /tmp) is fine: others cannot rename root's entries.
    for (std::string dir = image; dir.size() > 1;) {
        dir = dir.substr(0, std::max<size_t>(dir.rfind('/'), 1));
        if (lstat(dir.c_str(), &st) != 0) return fail(errno_text("directory " + dir));
        if (st.st_uid != 0 || ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)))
            return fail("image directory " + dir + " must be owned by root and writable by root only");
    }
    return ok();
}

Result<void> mount_image_privately(const std::string &image, const std::string &target) {
    const uid_t euid = geteuid();
    if (euid != 0 && seteuid(0) != 0) return fail(errno_text("cannot regain root to mount the image"));
    bool ok = false;
    int image_fd = -1, loop = -1;
    std::string device, error;
    if (unshare(CLONE_NEWNS) != 0) error = errno_text("cannot create a mount namespace");
    // Nothing mounted here may propagate back to the host's namespace.
    else if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) error = errno_text("cannot make mounts private");
    else if ((image_fd = open(image.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) error = errno_text("cannot open image " + image);
    else if (auto attached = attach_loop_device(image_fd, device); !attached) error = attached.error();
    else {
        loop = *attached;
        if (mount(device.c_str(), target.c_str(), "squashfs", MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr) == 0) ok = true;
        else error = errno_text("cannot mount " + image + " at " + target);
    }
    if (loop >= 0) close(loop);  // the mount holds the device now; autoclear frees it after
    if (image_fd >= 0) close(image_fd);
    if (euid != 0 && seteuid(euid) != 0 && ok) {
        ok = false;
        error = errno_text("cannot drop root after mounting");
    }
    if (!ok) return fail(error);
    return pyimport::ok();
}

} // namespace pyimport
