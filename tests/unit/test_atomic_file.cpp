// Writing a whole file or nothing: temporary + fsync + rename, no symlink followed.
#include "atomic_file.hpp"
#include "unit_support.hpp"

#include <fcntl.h>
#include <sys/stat.h>

using namespace pyimport;
using unit::expect_eq;
using unit::expect_message;
using unit::TempDir;

namespace {

void written(const std::string &dir, const std::string &name, const std::string &content) {
    std::string error;
    cr_assert(write_file_atomically(dir, name, content, error), "write failed: %s", error.c_str());
}

std::string failed(const std::string &dir, const std::string &name) {
    std::string error;
    cr_assert(!write_file_atomically(dir, name, "content", error), "writing %s in %s succeeded", name.c_str(),
              dir.c_str());
    return error;
}

struct stat lstat_of(const std::string &path) {
    struct stat st {};
    cr_assert(lstat(path.c_str(), &st) == 0, "lstat %s: %s", path.c_str(), std::strerror(errno));
    return st;
}

// Exactly `names` are in the directory: no temporary is left.
void holds_only(const TempDir &dir, const std::vector<std::string> &names) { expect_eq(dir.entries(), names, "entries"); }

} // namespace

Test(atomic_file, writes_the_whole_content_with_mode_0644) {
    TempDir dir;
    std::string content = "{\"a\": 1}\n";
    for (int i = 0; i < 20000; ++i) content += "line " + std::to_string(i) + "\n";  // well over one write()
    written(dir.path(), "r.json", content);
    expect_eq(unit::read_text(dir.file("r.json")), content, "content");
    struct stat st = lstat_of(dir.file("r.json"));
    cr_assert(S_ISREG(st.st_mode));
    cr_assert_eq(st.st_mode & 07777, 0644u, "mode %o", st.st_mode & 07777);
    holds_only(dir, {"r.json"});
}

Test(atomic_file, mode_is_0644_whatever_the_umask) {
    TempDir dir;
    const mode_t old = umask(077);
    written(dir.path(), "r.json", "x");
    umask(old);
    cr_assert_eq(lstat_of(dir.file("r.json")).st_mode & 07777, 0644u, "mode %o under umask 077",
                 lstat_of(dir.file("r.json")).st_mode & 07777);
}

Test(atomic_file, empty_content) {
    TempDir dir;
    written(dir.path(), "empty.json", "");
    cr_assert_eq(lstat_of(dir.file("empty.json")).st_size, 0);
    holds_only(dir, {"empty.json"});
}

Test(atomic_file, replaces_an_existing_file) {
    TempDir dir;
    unit::write_text(dir.file("r.json"), "old content that is longer than the new one");
    written(dir.path(), "r.json", "new");
    expect_eq(unit::read_text(dir.file("r.json")), "new", "content");
    holds_only(dir, {"r.json"});
}

Test(atomic_file, symlink_at_the_target_is_replaced_not_followed) {
    TempDir dir, elsewhere;
    const std::string victim = elsewhere.file("victim");
    unit::write_text(victim, "precious");
    cr_assert(symlink(victim.c_str(), dir.file("r.json").c_str()) == 0);
    written(dir.path(), "r.json", "record");
    cr_assert(S_ISREG(lstat_of(dir.file("r.json")).st_mode), "the symlink is still there");
    expect_eq(unit::read_text(dir.file("r.json")), "record", "new file");
    expect_eq(unit::read_text(victim), "precious", "symlink's target");
    holds_only(dir, {"r.json"});
}

Test(atomic_file, symlink_at_the_temporary_name_is_not_followed) {
    TempDir dir, elsewhere;
    const std::string victim = elsewhere.file("victim");
    unit::write_text(victim, "precious");
    const std::string tmp = ".r.json.tmp." + std::to_string(getpid());
    cr_assert(symlink(victim.c_str(), dir.file(tmp).c_str()) == 0);
    expect_message(failed(dir.path(), "r.json"), {"cannot create " + dir.file(tmp) + ": File exists"});
    expect_eq(unit::read_text(victim), "precious", "symlink's target");
    holds_only(dir, {tmp});  // the planted link is not ours to remove; no r.json appeared
}

Test(atomic_file, invalid_names) {
    TempDir dir;
    for (const char *name : {"", "a/b", "../r.json", ".hidden", ".", ".."})
        expect_message(failed(dir.path(), name), {"invalid record file name '" + std::string(name) + "'"});
    holds_only(dir, {});
}

Test(atomic_file, missing_directory) {
    TempDir dir;
    const std::string missing = dir.file("no-such-dir");
    expect_message(failed(missing, "r.json"), {"cannot open output directory " + missing + ": No such file or directory"});
    holds_only(dir, {});
}

Test(atomic_file, file_as_directory) {
    TempDir dir;
    unit::write_text(dir.file("plain"), "");
    expect_message(failed(dir.file("plain"), "r.json"),
                   {"cannot open output directory " + dir.file("plain") + ": Not a directory"});
    holds_only(dir, {"plain"});
}

Test(atomic_file, failed_rename_leaves_no_temporary) {
    TempDir dir;
    cr_assert(mkdir(dir.file("r.json").c_str(), 0755) == 0);
    unit::write_text(dir.file("r.json") + "/inside", "");  // a non-empty directory cannot be replaced
    expect_message(failed(dir.path(), "r.json"), {"cannot rename to " + dir.file("r.json") + ": Is a directory"});
    holds_only(dir, {"r.json"});
    cr_assert(S_ISDIR(lstat_of(dir.file("r.json")).st_mode));
}

Test(atomic_file, unwritable_directory_as_another_user) {
    if (!unit::running_as_root()) cr_skip_test("needs root to switch to uid 65534");
    TempDir dir;
    chmod(dir.path().c_str(), 0755);  // root's; nobody may not create files in it
    const std::string error = unit::in_child([&] {
        std::string problem = unit::become_nobody();
        if (problem.empty() && write_file_atomically(dir.path(), "r.json", "x", problem)) problem = "written";
        return problem;
    });
    expect_message(error, {"cannot create " + dir.path() + "/.r.json.tmp.", ": Permission denied"});
    holds_only(dir, {});
}

Test(atomic_file, written_as_the_callers_ids) {
    if (!unit::running_as_root()) cr_skip_test("needs root to switch to uid 65534");
    TempDir dir;
    chmod(dir.path().c_str(), 0777);
    const std::string error = unit::in_child([&] {
        std::string problem = unit::become_nobody();
        if (problem.empty()) write_file_atomically(dir.path(), "r.json", "x", problem);
        return problem;
    });
    expect_eq(error, "", "error as nobody");
    struct stat st = lstat_of(dir.file("r.json"));
    cr_assert_eq(st.st_uid, unit::kNobody);
    cr_assert_eq(st.st_gid, unit::kNobody);
}
