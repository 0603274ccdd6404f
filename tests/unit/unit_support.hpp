// Small helpers shared by the Criterion unit tests in this directory: text
// checks with readable failure messages, throw-away directories, files, and
// running a piece of a test in a forked child (other ids, other namespaces).
#pragma once
#include <criterion/criterion.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <ftw.h>
#include <grp.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace unit {

inline bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

inline std::string join(const std::vector<std::string> &items, const char *sep = " | ") {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
    return out;
}

// "A=1\0B=2\0" -> {"A=1", "B=2"} (the layout of /proc/<pid>/environ).
inline std::vector<std::string> split_nul(const std::string &text) {
    std::vector<std::string> items;
    for (size_t start = 0, end; start < text.size(); start = end + 1) {
        end = text.find('\0', start);
        if (end == std::string::npos) end = text.size();
        items.push_back(text.substr(start, end - start));
    }
    return items;
}

inline void expect_eq(const std::string &actual, const std::string &expected, const char *what) {
    cr_assert(actual == expected, "%s: got '%s', expected '%s'", what, actual.c_str(), expected.c_str());
}

inline void expect_eq(const std::vector<std::string> &actual, const std::vector<std::string> &expected,
                      const char *what) {
    cr_assert(actual == expected, "%s: got [%s], expected [%s]", what, join(actual).c_str(), join(expected).c_str());
}

// A one-line message that contains every one of `parts`.
inline void expect_message(const std::string &message, const std::vector<std::string> &parts) {
    cr_assert(!message.empty(), "expected a message, got none");
    cr_assert(message.find('\n') == std::string::npos, "message is not one line: '%s'", message.c_str());
    for (const auto &part : parts)
        cr_assert(contains(message, part), "message '%s' lacks '%s'", message.c_str(), part.c_str());
}

inline std::string read_text(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

inline void write_text(const std::string &path, const std::string &content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    cr_assert(out.good(), "cannot write %s", path.c_str());
}

// A fresh directory under /tmp, removed with everything in it at the end.
class TempDir {
  public:
    TempDir() {
        char templ[] = "/tmp/pyimport-unit.XXXXXX";
        cr_assert(mkdtemp(templ) != nullptr, "mkdtemp: %s", std::strerror(errno));
        path_ = templ;
    }
    ~TempDir() {
        nftw(path_.c_str(), [](const char *p, const struct stat *, int, FTW *) { return remove(p); }, 16,
             FTW_DEPTH | FTW_PHYS);
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;

    const std::string &path() const { return path_; }
    std::string file(const std::string &name) const { return path_ + "/" + name; }

    // Names in the directory (not . and ..), sorted.
    std::vector<std::string> entries() const {
        std::vector<std::string> names;
        if (DIR *d = opendir(path_.c_str())) {
            while (dirent *e = readdir(d))
                if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.push_back(e->d_name);
            closedir(d);
        }
        std::sort(names.begin(), names.end());
        return names;
    }

  private:
    std::string path_;
};

constexpr uid_t kNobody = 65534;

// The error of a pyimport::Result, "" when it succeeded.
template <class R> std::string error_of(const R &result) { return result ? std::string() : result.error(); }

inline bool running_as_root() { return geteuid() == 0; }

// Drops to uid and gid 65534 with no supplementary groups; "" when done.
inline std::string become_nobody() {
    if (setgroups(0, nullptr) != 0 || setgid(kNobody) != 0 || setuid(kNobody) != 0)
        return std::string("cannot become nobody: ") + std::strerror(errno);
    return "";
}

// The text of tests/unit/samples/NAME, found from this header's place (the
// build compiles tests/unit/test_*.cpp from the top directory) or from the
// test binary's (BUILD/tests/unit/test_*).
inline std::string sample(const std::string &name) {
    std::string here = __FILE__;
    here = here.substr(0, here.rfind('/') + 1);
    std::vector<std::string> dirs = {here + "samples/"};
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        std::string dir(exe, size_t(n));
        dir = dir.substr(0, dir.rfind('/'));
        dirs.push_back(dir + "/../../../tests/unit/samples/");
    }
    for (const auto &d : dirs)
        if (access((d + name).c_str(), R_OK) == 0) return read_text(d + name);
    cr_assert_fail("sample %s not found (looked in %s and the binary's ../../../tests/unit/samples)", name.c_str(),
                   dirs[0].c_str());
    return "";
}

// Runs `body` (returning a string) in a forked child and hands its string
// back. No Criterion assertion may run in the child: it reports by text.
template <class Body> std::string in_child(Body body) {
    int fds[2];
    cr_assert(pipe(fds) == 0, "pipe: %s", std::strerror(errno));
    pid_t pid = fork();
    cr_assert(pid >= 0, "fork: %s", std::strerror(errno));
    if (pid == 0) {
        close(fds[0]);
        const std::string text = body();
        (void)!write(fds[1], text.data(), text.size());
        _exit(0);
    }
    close(fds[1]);
    std::string text;
    char buf[512];
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) != 0;)
        if (n > 0) text.append(buf, size_t(n));
        else if (errno != EINTR) break;
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child did not finish cleanly (status %d)", status);
    return text;
}

} // namespace unit
