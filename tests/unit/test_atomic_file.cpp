// Writing a whole file or nothing: temporary + fsync + rename, no symlink
// followed, no existing file replaced; the temporary claimed before the content.
#include "atomic_file.hpp"
#include "unit_support.hpp"

#include <cstddef>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

using namespace pyimport;
using unit::expect_eq;
using unit::expect_message;
using unit::TempDir;

namespace {

void written(const std::string &dir, const std::string &name, const std::string &content) {
    auto result = write_file_atomically(dir, name, content);
    std::string error = unit::error_of(result);
    cr_assert(bool(result), "write failed: %s", error.c_str());
}

std::string failed(const std::string &dir, const std::string &name) {
    auto result = write_file_atomically(dir, name, "content");
    std::string error = unit::error_of(result);
    cr_assert(!bool(result), "writing %s in %s succeeded", name.c_str(), dir.c_str());
    return error;
}

struct stat lstat_of(const std::string &path) {
    struct stat st {};
    cr_assert(lstat(path.c_str(), &st) == 0, "lstat %s: %s", path.c_str(), std::strerror(errno));
    return st;
}

// Exactly `names` are in the directory: no temporary is left.
void holds_only(const TempDir &dir, const std::vector<std::string> &names) { expect_eq(dir.entries(), names, "entries"); }

int dir_fd(const std::string &dir) {
    const int fd = open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    cr_assert(fd >= 0, "open %s: %s", dir.c_str(), std::strerror(errno));
    return fd;
}

void claimed(PendingFile &file, const std::string &dir, const std::string &name) {
    auto result = file.open(dir_fd(dir), dir, name);
    std::string error = unit::error_of(result);
    cr_assert(bool(result), "open failed: %s", error.c_str());
}

void committed(PendingFile &file, const std::string &content, mode_t mode) {
    auto result = file.commit(content, mode);
    std::string error = unit::error_of(result);
    cr_assert(bool(result), "commit failed: %s", error.c_str());
}

// Makes renameat2 fail with EINVAL in this process, as on file systems that
// refuse RENAME_NOREPLACE; "" when in place.
std::string refuse_renameat2() {
    sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_renameat2, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EINVAL),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog prog{sizeof code / sizeof code[0], code};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
        return std::string("cannot install the seccomp filter: ") + std::strerror(errno);
    return "";
}

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

Test(atomic_file, never_replaces_an_existing_file) {
    TempDir dir;
    unit::write_text(dir.file("r.json"), "planted first");
    expect_message(failed(dir.path(), "r.json"), {"cannot rename to " + dir.file("r.json") + ": File exists"});
    expect_eq(unit::read_text(dir.file("r.json")), "planted first", "content");
    holds_only(dir, {"r.json"});
}

Test(atomic_file, symlink_at_the_target_is_neither_replaced_nor_followed) {
    TempDir dir, elsewhere;
    const std::string victim = elsewhere.file("victim");
    unit::write_text(victim, "precious");
    cr_assert(symlink(victim.c_str(), dir.file("r.json").c_str()) == 0);
    expect_message(failed(dir.path(), "r.json"), {"cannot rename to " + dir.file("r.json") + ": File exists"});
    cr_assert(S_ISLNK(lstat_of(dir.file("r.json")).st_mode), "the symlink is gone");
    expect_eq(unit::read_text(victim), "precious", "symlink's target");
    holds_only(dir, {"r.json"});
}

Test(atomic_file, without_rename_noreplace_a_link_does_the_same) {
    TempDir dir;
    unit::write_text(dir.file("taken.json"), "planted first");
    const std::string result = unit::in_child([&] {
        std::string problem = refuse_renameat2();
        if (!problem.empty()) return problem;
        if (auto first = write_file_atomically(dir.path(), "r.json", "fallback"); !first)
            return "first: " + first.error();
        auto taken = write_file_atomically(dir.path(), "taken.json", "x");
        if (taken) return std::string("taken.json replaced");
        return taken.error();
    });
    expect_message(result, {"cannot rename to " + dir.file("taken.json") + ": File exists"});
    expect_eq(unit::read_text(dir.file("r.json")), "fallback", "written through link + unlink");
    expect_eq(unit::read_text(dir.file("taken.json")), "planted first", "existing file");
    holds_only(dir, {"r.json", "taken.json"});
}

Test(atomic_file, the_temporary_is_claimed_at_open_with_a_random_hidden_name) {
    TempDir dir;
    PendingFile first, second;
    claimed(first, dir.path(), "r.json");
    claimed(second, dir.path(), "r.json");
    const std::vector<std::string> names = dir.entries();
    cr_assert_eq(names.size(), 2u, "entries: %s", unit::join(names).c_str());
    for (const auto &name : names) {
        cr_assert(name.rfind(".r.json.tmp.", 0) == 0 && name.size() == 12 + 16, "temporary name %s", name.c_str());
        struct stat st = lstat_of(dir.file(name));
        cr_assert(S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0600, "%s: mode %o", name.c_str(), st.st_mode);
    }
    cr_assert(names[0] != names[1]);
    committed(first, "first", 0644);
    auto result = second.commit("second", 0644);
    std::string error = unit::error_of(result);
    cr_assert(!bool(result), "the second commit replaced the first");
    expect_message(error, {"cannot rename to " + dir.file("r.json") + ": File exists"});
    expect_eq(unit::read_text(dir.file("r.json")), "first", "content");
    holds_only(dir, {"r.json"});
}

Test(atomic_file, an_uncommitted_temporary_is_removed) {
    TempDir dir;
    {
        PendingFile file;
        claimed(file, dir.path(), "r.json");
        cr_assert_eq(dir.entries().size(), 1u);
    }
    holds_only(dir, {});
}

Test(atomic_file, commit_goes_to_the_directory_held_since_open) {
    TempDir dir, elsewhere;
    const std::string out = dir.file("out");
    cr_assert(mkdir(out.c_str(), 0755) == 0);
    PendingFile file;
    claimed(file, out, "r.json");
    // Between the claim and the write the path is made to lead elsewhere.
    cr_assert(rename(out.c_str(), dir.file("moved").c_str()) == 0);
    cr_assert(symlink(elsewhere.path().c_str(), out.c_str()) == 0);
    committed(file, "record", 0644);
    expect_eq(unit::read_text(dir.file("moved/r.json")), "record", "in the held directory");
    holds_only(elsewhere, {});
}

Test(atomic_file, commit_sets_the_mode_asked_for) {
    TempDir dir;
    for (mode_t mode : {0600, 0640, 0644}) {
        const std::string name = "r" + std::to_string(mode) + ".json";
        PendingFile file;
        claimed(file, dir.path(), name);
        committed(file, "x", mode);
        cr_assert_eq(lstat_of(dir.file(name)).st_mode & 07777, mode, "mode %o", lstat_of(dir.file(name)).st_mode & 07777);
    }
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
    unit::write_text(dir.file("r.json") + "/inside", "");
    expect_message(failed(dir.path(), "r.json"), {"cannot rename to " + dir.file("r.json") + ": File exists"});
    holds_only(dir, {"r.json"});
    cr_assert(S_ISDIR(lstat_of(dir.file("r.json")).st_mode));
}

Test(atomic_file, unwritable_directory_as_another_user) {
    if (!unit::running_as_root()) cr_skip_test("needs root to switch to uid 65534");
    TempDir dir;
    chmod(dir.path().c_str(), 0755);  // root's; nobody may not create files in it
    const std::string error = unit::in_child([&] {
        std::string problem = unit::become_nobody();
        if (problem.empty()) {
            auto wrote = write_file_atomically(dir.path(), "r.json", "x");
            problem = wrote ? "written" : wrote.error();
        }
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
        if (problem.empty()) problem = unit::error_of(write_file_atomically(dir.path(), "r.json", "x"));
        return problem;
    });
    expect_eq(error, "", "error as nobody");
    struct stat st = lstat_of(dir.file("r.json"));
    cr_assert_eq(st.st_uid, unit::kNobody);
    cr_assert_eq(st.st_gid, unit::kNobody);
}

Test(atomic_file, a_report_asked_for_by_name_replaces_its_earlier_version) {
    unit::TempDir dir;
    auto result = pyimport::write_file_atomically(dir.path(), "report.md", "one");
    std::string error = unit::error_of(result);
    cr_assert(bool(result));
    cr_assert(!pyimport::write_file_atomically(dir.path(), "report.md", "two"), "a record-style write replaced it");
    auto replaced = pyimport::write_file_atomically(dir.path(), "report.md", "three", pyimport::PendingFile::Existing::replace);
    error = unit::error_of(replaced);
    cr_assert(bool(replaced), "%s", error.c_str());
    unit::expect_eq(unit::read_text(dir.file("report.md")), "three", "replaced");
    unit::expect_eq(dir.entries(), {"report.md"}, "no temporary left");
}
