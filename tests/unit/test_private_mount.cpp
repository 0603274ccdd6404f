// The kernel runtime's safety check and private mount (lib/private_mount).
#include "private_mount.hpp"
#include "unit_support.hpp"

#include <fstream>
#include <sys/stat.h>

using unit::TempDir;

namespace {

// A squashfs image of a one-file tree, made with Debian's mksquashfs.
std::string make_image(const TempDir &dir, const std::string &name = "env.sqfs") {
    const std::string tree = dir.file("tree"), image = dir.file(name);
    mkdir(tree.c_str(), 0755);
    unit::write_text(tree + "/hello", "from the image\n");
    const std::string cmd = "mksquashfs " + tree + " " + image + " -noappend -quiet >/dev/null 2>&1";
    cr_assert(std::system(cmd.c_str()) == 0, "mksquashfs failed");
    return image;
}

// True when a loop device is still bound to `image` (sysfs names its backing file).
bool loop_device_bound_to(const std::string &image) {
    for (int n = 0; n < 256; ++n) {
        std::ifstream in("/sys/block/loop" + std::to_string(n) + "/loop/backing_file");
        std::string backing;
        if (in && std::getline(in, backing) && backing == image) return true;
    }
    return false;
}

bool mounted_here(const std::string &target) {
    return unit::contains(unit::read_text("/proc/self/mountinfo"), " " + target + " ");
}

void skip_unless_root() {
    if (!unit::running_as_root()) cr_skip_test("needs root");
}

} // namespace

Test(site_owned_image, accepts_a_root_owned_image_in_root_owned_directories) {
    skip_unless_root();
    TempDir dir;
    const std::string image = make_image(dir);
    cr_assert_eq(unit::error_of(pyimport::check_image_is_site_owned(image)), "");
}

Test(site_owned_image, accepts_a_sticky_world_writable_directory_like_tmp) {
    skip_unless_root();
    TempDir dir;
    const std::string image = make_image(dir);
    chmod(dir.path().c_str(), 01777);
    cr_assert_eq(unit::error_of(pyimport::check_image_is_site_owned(image)), "");
}

Test(site_owned_image, refuses_a_group_writable_image) {
    skip_unless_root();
    TempDir dir;
    const std::string image = make_image(dir);
    chmod(image.c_str(), 0664);
    unit::expect_message(unit::error_of(pyimport::check_image_is_site_owned(image)),
                         {"image " + image, "must be owned by root and writable by root only"});
}

Test(site_owned_image, refuses_an_image_owned_by_a_user) {
    skip_unless_root();
    TempDir dir;
    const std::string image = make_image(dir);
    cr_assert(chown(image.c_str(), unit::kNobody, unit::kNobody) == 0);
    unit::expect_message(unit::error_of(pyimport::check_image_is_site_owned(image)), {"image " + image, "owned by root"});
}

Test(site_owned_image, refuses_an_image_below_a_user_writable_directory) {
    skip_unless_root();
    TempDir dir;
    const std::string open_dir = dir.file("open");
    mkdir(open_dir.c_str(), 0755);
    chmod(open_dir.c_str(), 0777);
    const std::string image = make_image(dir);
    const std::string moved = open_dir + "/env.sqfs";
    cr_assert(rename(image.c_str(), moved.c_str()) == 0);
    unit::expect_message(unit::error_of(pyimport::check_image_is_site_owned(moved)), {"image directory " + open_dir, "root only"});
}

Test(site_owned_image, refuses_a_missing_image_and_a_directory) {
    TempDir dir;
    unit::expect_message(unit::error_of(pyimport::check_image_is_site_owned(dir.file("none.sqfs"))),
                         {"image " + dir.file("none.sqfs"), "No such file"});
    unit::expect_message(unit::error_of(pyimport::check_image_is_site_owned(dir.path())), {"is not a regular file"});
}

Test(private_mount, the_image_is_visible_in_the_child_only_and_leaves_nothing_behind) {
    skip_unless_root();
    TempDir dir;
    const std::string image = make_image(dir), target = dir.file("mnt");
    mkdir(target.c_str(), 0755);
    const std::string seen = unit::in_child([&] {
        if (auto mounted = pyimport::mount_image_privately(image, target); !mounted) return "error: " + mounted.error();
        const bool read_only = access((target + "/hello").c_str(), W_OK) != 0 && errno == EROFS;
        return unit::read_text(target + "/hello") + (read_only ? "read-only" : "writable");
    });
    cr_assert_eq(seen, "from the image\nread-only");
    cr_assert(!mounted_here(target), "the mount leaked into the test's namespace");
    cr_assert(!loop_device_bound_to(image), "a loop device is still bound to the image");
}

Test(private_mount, a_file_that_is_not_squashfs_fails_and_frees_its_loop_device) {
    skip_unless_root();
    TempDir dir;
    const std::string image = dir.file("junk.sqfs"), target = dir.file("mnt");
    unit::write_text(image, std::string(8192, 'x'));
    mkdir(target.c_str(), 0755);
    const std::string error = unit::in_child([&] {
        auto mounted = pyimport::mount_image_privately(image, target);
        return mounted ? std::string("mounted") : mounted.error();
    });
    unit::expect_message(error, {"cannot mount " + image + " at " + target});
    cr_assert(!loop_device_bound_to(image), "a loop device is still bound to the image");
}
