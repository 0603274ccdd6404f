#include "sys_io.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pyimport {

std::string errno_text(const std::string &what) { return what + ": " + std::strerror(errno); }

bool write_all(int fd, const std::string &text) {
    for (size_t done = 0; done < text.size();) {
        ssize_t n = write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += size_t(n);
    }
    return true;
}

std::string read_all(int fd) {
    std::string text;
    char buf[65536];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        text.append(buf, size_t(n));
    }
    return text;
}

bool random_name_part(std::string &out) {
    unsigned char bytes[16];
    for (size_t got = 0; got < sizeof bytes;) {
        ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        got += size_t(n);
    }
    static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    out.clear();
    for (unsigned char b : bytes) out += kAlphabet[b & 31];  // 5 bits of each byte
    return true;
}

namespace {

int open_beneath(int dir_fd, const std::string &relative, uint64_t flags) {
    open_how how{};
    how.flags = flags | O_CLOEXEC | O_NOCTTY;
    how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    return int(syscall(SYS_openat2, dir_fd, relative.empty() ? "." : relative.c_str(), &how, sizeof how));
}

std::string cannot_read() { return std::string("cannot read: ") + std::strerror(errno); }

// The rest of read_regular_file once `fd` is open (closed here).
Result<FileContents> read_opened(int fd, size_t max_bytes) {
    struct stat st;
    const auto done = [fd](auto result) -> Result<FileContents> {
        close(fd);
        return result;
    };
    if (fstat(fd, &st) != 0) return done(fail(cannot_read()));
    if (!S_ISREG(st.st_mode)) return done(fail(S_ISDIR(st.st_mode) ? "cannot read: Is a directory" : "not a regular file"));
    if (size_t(st.st_size) > max_bytes) return done(fail("too large (over " + std::to_string(max_bytes) + " bytes)"));
    // st_size is a hint only (0 for /proc files; a file may grow): read to the end, capped.
    FileContents out;
    out.owner = st.st_uid;
    out.text.resize(st.st_size > 0 ? size_t(st.st_size) + 1 : size_t(4096));
    size_t size = 0;
    for (;;) {
        if (size == out.text.size()) out.text.resize(std::min(out.text.size() * 2, max_bytes + 1));
        ssize_t n = read(fd, &out.text[size], out.text.size() - size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return done(fail(cannot_read()));
        if (n == 0) break;
        size += size_t(n);
        if (size > max_bytes) return done(fail("too large (over " + std::to_string(max_bytes) + " bytes)"));
    }
    out.text.resize(size);
    return done(std::move(out));
}

} // namespace

Result<FileContents> read_regular_file(const std::string &path, size_t max_bytes, bool follow_link) {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (follow_link ? 0 : O_NOFOLLOW));
    if (fd < 0) return fail(!follow_link && errno == ELOOP ? "symbolic link (not followed)" : cannot_read());
    return read_opened(fd, max_bytes);
}

Result<FileContents> read_regular_file_beneath(int dir_fd, const std::string &relative, size_t max_bytes) {
    const int fd = open_beneath(dir_fd, relative, O_RDONLY | O_NONBLOCK);
    if (fd < 0) return fail(errno == ELOOP ? "symbolic link (not followed)" : cannot_read());
    return read_opened(fd, max_bytes);
}

int open_directory_beneath(int dir_fd, const std::string &relative) {
    return open_beneath(dir_fd, relative, O_RDONLY | O_DIRECTORY);
}

} // namespace pyimport
