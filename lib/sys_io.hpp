// Small system-call helpers the library shares: clock readings, errno
// messages, whole-buffer writes and reads that survive EINTR and short counts.
#pragma once
#include <cstdint>
#include <ctime>
#include <string>

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

} // namespace pyimport
