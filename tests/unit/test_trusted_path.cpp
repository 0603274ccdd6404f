// Opening outdir= and workdir= so that no other user can steer the path:
// links and directories on the way must be root's or the caller's, shared
// writable directories must be sticky, the last must be writable.
#include "trusted_path.hpp"
#include "unit_support.hpp"

#include <fcntl.h>
#include <sys/stat.h>

using namespace pyimport;
using unit::expect_eq;
using unit::expect_message;
using unit::TempDir;

TestSuite(trusted_path, .timeout = 30);

namespace {

// Throw-away ids: ownership needs no passwd entry, and neither does setresuid.
constexpr uid_t kOther = 4242, kJobUser = 4243;

void make_dir(const std::string &path, mode_t mode, uid_t owner = 0) {
    cr_assert(mkdir(path.c_str(), 0700) == 0, "mkdir %s: %s", path.c_str(), std::strerror(errno));
    cr_assert(chmod(path.c_str(), mode) == 0 && chown(path.c_str(), owner, owner) == 0);
}

void make_link(const std::string &target, const std::string &path, uid_t owner) {
    cr_assert(symlink(target.c_str(), path.c_str()) == 0, "symlink %s: %s", path.c_str(), std::strerror(errno));
    cr_assert(lchown(path.c_str(), owner, owner) == 0, "lchown %s: %s", path.c_str(), std::strerror(errno));
}

// "" when `path` opens and is the directory `expected`; else the problem.
std::string opened(const std::string &path, const std::string &expected) {
    const auto opened = open_trusted_directory(path);
    if (!opened) return opened.error().empty() ? "failed without a message" : opened.error();
    const int fd = *opened;
    struct stat st {}, want {};
    const bool same = fstat(fd, &st) == 0 && stat(expected.c_str(), &want) == 0 && st.st_dev == want.st_dev &&
                      st.st_ino == want.st_ino;
    close(fd);
    return same ? "" : "opened another directory than " + expected;
}

std::string refused(const std::string &path) {
    const auto opened = open_trusted_directory(path);
    if (opened) close(*opened);
    return opened ? "" : opened.error();
}

// Runs `body` as kJobUser (real, effective and saved), as slurmstepd's job user.
template <class Body> std::string as_job_user(Body body) {
    return unit::in_child([&]() -> std::string {
        if (setgroups(0, nullptr) != 0 || setresgid(kJobUser, kJobUser, kJobUser) != 0 ||
            setresuid(kJobUser, kJobUser, kJobUser) != 0)
            return std::string("cannot switch ids: ") + std::strerror(errno);
        return body();
    });
}

void needs_root() {
    if (!unit::running_as_root()) cr_skip_test("needs root to own files as other users");
}

} // namespace

Test(trusted_path, a_plain_directory_opens) {
    TempDir dir;
    expect_eq(opened(dir.path(), dir.path()), "", "problem");
    expect_eq(opened(dir.path() + "/./", dir.path()), "", "problem with . and a trailing slash");
}

Test(trusted_path, the_descriptor_serves_at_calls) {
    TempDir dir;
    const auto opened = open_trusted_directory(dir.path());
    const std::string error = unit::error_of(opened);
    cr_assert(bool(opened), "%s", error.c_str());
    const int fd = *opened;
    const int file = openat(fd, "f", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    cr_assert(file >= 0, "openat: %s", std::strerror(errno));
    close(file);
    close(fd);
    expect_eq(dir.entries(), {"f"}, "entries");
}

Test(trusted_path, a_sticky_world_writable_directory_is_fine) {
    TempDir dir;
    make_dir(dir.file("shared"), 01777);
    expect_eq(opened(dir.file("shared"), dir.file("shared")), "", "problem");
}

Test(trusted_path, a_world_writable_directory_without_sticky_bit_is_refused) {
    TempDir dir;
    make_dir(dir.file("open"), 0777);
    expect_message(refused(dir.file("open")),
                   {"'" + dir.file("open") + "' is writable by group or others and not sticky"});
}

Test(trusted_path, a_group_writable_directory_on_the_way_is_refused) {
    TempDir dir;
    make_dir(dir.file("group"), 0775);
    make_dir(dir.file("group/out"), 0755);
    expect_message(refused(dir.file("group/out")),
                   {"'" + dir.file("group") + "' is writable by group or others and not sticky"});
}

Test(trusted_path, a_directory_owned_by_another_user_is_refused) {
    needs_root();
    TempDir dir;
    make_dir(dir.file("theirs"), 0755, kOther);
    make_dir(dir.file("theirs/out"), 01777);
    expect_message(refused(dir.file("theirs/out")),
                   {"'" + dir.file("theirs") + "' is owned by uid 4242, neither root nor the job user"});
}

Test(trusted_path, a_symlink_planted_by_another_user_is_not_followed) {
    needs_root();
    TempDir dir;
    chmod(dir.path().c_str(), 0755);
    make_dir(dir.file("shared"), 01777);        // like /tmp
    make_dir(dir.file("theirs"), 0777, kOther); // where the other user wants the writes
    make_dir(dir.file("mine"), 0700, kJobUser);
    make_link(dir.file("theirs"), dir.file("shared/out"), kOther);
    const std::string link_problem = "symbolic link '" + dir.file("shared/out") + "' is owned by uid 4242, neither root nor the job user";
    expect_message(as_job_user([&] { return refused(dir.file("shared/out")); }), {link_problem});
    expect_message(refused(dir.file("shared/out")), {link_problem});  // nor for a root job
    expect_message(as_job_user([&] { return refused(dir.file("shared/out/sub")); }), {link_problem});

    // The job user's own link is followed, to a directory the walk accepts.
    make_link(dir.file("mine"), dir.file("shared/own"), kJobUser);
    expect_eq(as_job_user([&] { return opened(dir.file("shared/own"), dir.file("mine")); }), "", "own link");
}

Test(trusted_path, roots_links_are_followed_relative_and_absolute) {
    TempDir dir;
    make_dir(dir.file("a"), 0755);
    make_dir(dir.file("a/target"), 0755);
    make_dir(dir.file("b"), 0755);
    make_link("../a/target", dir.file("b/rel"), 0);
    make_link(dir.file("b/rel"), dir.file("abs"), 0);
    expect_eq(opened(dir.file("b/rel"), dir.file("a/target")), "", "relative link");
    expect_eq(opened(dir.file("abs"), dir.file("a/target")), "", "absolute link to a link");
    expect_eq(opened(dir.file("abs/.."), dir.file("a")), "", ".. after a link: the target's parent");
}

Test(trusted_path, link_loops_end) {
    TempDir dir;
    make_link(dir.file("y"), dir.file("x"), 0);
    make_link(dir.file("x"), dir.file("y"), 0);
    expect_message(refused(dir.file("x")), {"too many symbolic links at '"});
}

Test(trusted_path, a_missing_component_is_named) {
    TempDir dir;
    expect_message(refused(dir.file("missing/out")), {"cannot open '" + dir.file("missing") + "': No such file or directory"});
}

Test(trusted_path, a_file_on_the_way_is_named) {
    TempDir dir;
    unit::write_text(dir.file("plain"), "");
    expect_message(refused(dir.file("plain")), {"cannot open '" + dir.file("plain") + "': Not a directory"});
}

Test(trusted_path, the_last_directory_must_be_writable_by_the_caller) {
    needs_root();
    TempDir dir;
    chmod(dir.path().c_str(), 0755);  // root's: the job user may enter, not write
    expect_message(as_job_user([&] { return refused(dir.path()); }),
                   {"'" + dir.path() + "' is not writable by the job user: Permission denied"});
}

Test(trusted_path, the_job_users_own_directory_is_fine) {
    needs_root();
    TempDir dir;
    chmod(dir.path().c_str(), 0755);
    make_dir(dir.file("home"), 0700, kJobUser);
    expect_eq(as_job_user([&] { return opened(dir.file("home"), dir.file("home")); }), "", "problem");
}

Test(trusted_path, names_are_escaped_and_paths_must_be_absolute) {
    TempDir dir;
    expect_message(refused(dir.file("bad\nname")), {"cannot open '" + dir.path() + "/bad\\x0aname': No such file"});
    expect_message(refused("relative/dir"), {"'relative/dir' is not an absolute path"});
}
