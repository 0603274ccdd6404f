#include "sys_io.hpp"

#include <cerrno>
#include <cstring>
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

} // namespace pyimport
