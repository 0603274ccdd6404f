// Naming the file system a path lives on, from /proc/self/mountinfo.
#include "fs_type.hpp"
#include "unit_support.hpp"

#include <sched.h>
#include <sys/mount.h>

using namespace pyimport;
using unit::expect_eq;

Test(fs_type, proc_and_sys) {
    expect_eq(fs_type_of("/proc"), "proc", "/proc");
    expect_eq(fs_type_of("/proc/self/status"), "proc", "a file in /proc");
    expect_eq(fs_type_of("/sys"), "sysfs", "/sys");
}

Test(fs_type, missing_path_is_empty) {
    expect_eq(fs_type_of("/nonexistent/path"), "", "missing path");
    expect_eq(fs_type_of(""), "", "empty path");
}

Test(fs_type, a_file_and_its_directory_agree) {
    unit::TempDir dir;
    unit::write_text(dir.file("f"), "");
    const std::string type = fs_type_of(dir.path());
    cr_assert(!type.empty(), "no type for %s", dir.path().c_str());
    expect_eq(fs_type_of(dir.file("f")), type, "file in the directory");
}

Test(fs_type, a_fresh_mount_is_seen) {
    if (!unit::running_as_root()) cr_skip_test("needs root to mount");
    unit::TempDir dir;
    const std::string type = unit::in_child([&]() -> std::string {
        // A private mount namespace: the tmpfs is gone with the child.
        if (unshare(CLONE_NEWNS) != 0 || mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
            return "skip";
        if (mount("pyimport-test", dir.path().c_str(), "tmpfs", 0, "size=64k") != 0) return "skip";
        return fs_type_of(dir.path()) + " " + fs_type_of(dir.path() + "/.");
    });
    if (type == "skip") cr_skip_test("cannot mount a tmpfs in a new mount namespace here");
    expect_eq(type, "tmpfs tmpfs", "types inside the tmpfs");
    cr_assert(fs_type_of(dir.path()) != "tmpfs" || fs_type_of("/tmp") == "tmpfs", "the mount leaked out");
}
