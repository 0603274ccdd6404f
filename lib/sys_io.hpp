// Small system-call helpers the library shares: clock readings, errno
// messages, whole-buffer writes and reads that survive EINTR and short counts.
#pragma once
#include "result.hpp"

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <sys/types.h>

namespace pyimport {

// Nanoseconds on `clock`. Async-signal-safe (gaggle children use it after fork).
inline int64_t clock_ns(clockid_t clock) {
    timespec ts;
    clock_gettime(clock, &ts);
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// "what: <strerror(errno)>", for one-line error messages.
std::string errno_text(const std::string &what);

// Writes all of `text` to `fd`; false on an error (errno set).
bool write_all(int fd, const std::string &text);

// Reads `fd` to its end (or the first error).
std::string read_all(int fd);

// 16 random characters of [a-z2-7] (80 bits from getrandom), for names no
// one else can guess and plant first. False (errno set) when the kernel gives none.
bool random_name_part(std::string &out);

// A file read whole, and who owns it.
struct FileContents {
    std::string text;
    uid_t owner = 0;
};

// Reads the regular file at `path`, at most `max_bytes` of it. It is opened
// without blocking and its type checked on the open descriptor, so a FIFO or
// a device (planted, or swapped in after a directory was listed) never hangs
// the caller or feeds it without end. With `follow_link` false, a symbolic
// link at `path` itself is refused. Fails with one line (without
// the path: "not a regular file", "too large (over N bytes)", "cannot read:
// <reason>", "symbolic link (not followed)").
Result<FileContents> read_regular_file(const std::string &path, size_t max_bytes, bool follow_link);

// The same for `relative` below the directory `dir_fd`, resolved without any
// symbolic link and never leaving that directory (openat2 RESOLVE_NO_SYMLINKS
// and RESOLVE_BENEATH): a directory on the way that another user swaps for a
// link between a listing and the read leads nowhere.
Result<FileContents> read_regular_file_beneath(int dir_fd, const std::string &relative, size_t max_bytes);

// Opens the directory `relative` below `dir_fd` (empty: `dir_fd` itself) the
// same way, for listing; -1 with errno set.
int open_directory_beneath(int dir_fd, const std::string &relative);

} // namespace pyimport
