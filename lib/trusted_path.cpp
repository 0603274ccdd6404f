#include "trusted_path.hpp"

#include "text_escape.hpp"

#include <cerrno>
#include <climits>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace pyimport {

namespace {

constexpr int kMaxLinks = 40;  // as the kernel's own walk

std::deque<std::string> components(const std::string &path) {
    std::deque<std::string> parts;
    for (size_t start = 0; start <= path.size();) {
        size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        if (end > start) parts.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

bool trusted_owner(uid_t owner) { return owner == 0 || owner == geteuid(); }

std::string owner_problem(const char *what, const std::string &shown, uid_t owner) {
    return std::string(what) + quote_text(shown) + " is owned by uid " + std::to_string(owner) +
           ", neither root nor the job user";
}

Result<void> directory_problem(const struct stat &st, const std::string &shown) {
    if (!S_ISDIR(st.st_mode)) return fail(quote_text(shown) + " is not a directory");
    if (!trusted_owner(st.st_uid)) return fail(owner_problem("", shown, st.st_uid));
    // Others may create entries in a sticky directory but never rename or
    // remove root's or the job user's.
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))
        return fail(quote_text(shown) + " is writable by group or others and not sticky");
    return ok();
}

// The directories walked so far as O_PATH descriptors: "/" and below it
// one per name, so ".." (pop) goes back the way the walk came.
class Walk {
  public:
    explicit Walk(int root) : fds_{root} {}
    ~Walk() {
        for (int fd : fds_) close(fd);
    }
    Walk(const Walk &) = delete;
    Walk &operator=(const Walk &) = delete;

    int top() const { return fds_.back(); }
    std::string shown(const std::string &next = "") const {
        std::string text;
        for (const auto &name : names_) text += "/" + name;
        if (!next.empty()) text += "/" + next;
        return text.empty() ? "/" : text;
    }
    void push(int fd, const std::string &name) {
        fds_.push_back(fd);
        names_.push_back(name);
    }
    void pop() {  // the parent of "/" is "/"
        if (names_.empty()) return;
        close(fds_.back());
        fds_.pop_back();
        names_.pop_back();
    }
    void to_root() {
        while (!names_.empty()) pop();
    }
    int release_top() {
        const int fd = fds_.back();
        fds_.pop_back();
        return fd;
    }

  private:
    std::vector<int> fds_;
    std::vector<std::string> names_;
};

Result<void> follow_link(Walk &walk, const std::string &name, const struct stat &st, int &links,
                        std::deque<std::string> &pending) {
    const std::string shown = walk.shown(name);
    if (!trusted_owner(st.st_uid)) return fail(owner_problem("symbolic link ", shown, st.st_uid));
    if (++links > kMaxLinks) return fail("too many symbolic links at " + quote_text(shown));
    char target[PATH_MAX];
    const ssize_t n = readlinkat(walk.top(), name.c_str(), target, sizeof target);
    if (n <= 0 || size_t(n) >= sizeof target)
        return fail("cannot read symbolic link " + quote_text(shown) + ": " + std::strerror(n < 0 ? errno : ENAMETOOLONG));
    const std::string text(target, size_t(n));
    if (text[0] == '/') walk.to_root();
    auto more = components(text);
    pending.insert(pending.begin(), more.begin(), more.end());
    return ok();
}

Result<void> walk_to(Walk &walk, const std::string &path) {
    std::deque<std::string> pending = components(path);
    int links = 0;
    while (!pending.empty()) {
        const std::string name = pending.front();
        pending.pop_front();
        if (name == ".") continue;
        if (name == "..") {
            walk.pop();
            continue;
        }
        struct stat st;
        if (fstatat(walk.top(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
            return fail("cannot open " + quote_text(walk.shown(name)) + ": " + std::strerror(errno));
        if (S_ISLNK(st.st_mode)) {
            if (auto followed = follow_link(walk, name, st, links, pending); !followed) return followed;
            continue;
        }
        // O_NOFOLLOW: whatever was swapped in since fstatat is refused, not followed.
        const int fd = openat(walk.top(), name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) return fail("cannot open " + quote_text(walk.shown(name)) + ": " + std::strerror(errno));
        walk.push(fd, name);
        if (fstat(fd, &st) != 0) return fail("cannot stat " + quote_text(walk.shown()) + ": " + std::strerror(errno));
        if (auto problem = directory_problem(st, walk.shown()); !problem) return problem;
    }
    return ok();
}

} // namespace

Result<int> open_trusted_directory(const std::string &path) {
    if (path.empty() || path[0] != '/') return fail(quote_text(path) + " is not an absolute path");
    const int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) return fail(std::string("cannot open '/': ") + std::strerror(errno));
    Walk walk(root);
    struct stat st;
    if (fstat(root, &st) != 0) return fail(std::string("cannot stat '/': ") + std::strerror(errno));
    if (auto problem = directory_problem(st, "/"); !problem) return fail(problem.error());
    if (auto walked = walk_to(walk, path); !walked) return fail(walked.error());
    if (faccessat(walk.top(), "", W_OK | X_OK, AT_EACCESS | AT_EMPTY_PATH) != 0)
        return fail(quote_text(walk.shown()) + " is not writable by the job user: " + std::strerror(errno));
    return walk.release_top();
}

} // namespace pyimport
