#include "process.hpp"

#include "sys_io.hpp"
#include "text_escape.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace study {

std::string status_text(int st) {
    if (WIFEXITED(st)) return "exit " + std::to_string(WEXITSTATUS(st));
    if (WIFSIGNALED(st)) return "signal " + std::to_string(WTERMSIG(st)) + " (" + strsignal(WTERMSIG(st)) + ")";
    return "status " + std::to_string(st);
}

pyimport::Result<std::string> capture_output(const std::vector<std::string> &argv) {
    const std::string name = pyimport::escape_text(argv.at(0), 80);
    std::vector<char *> args;
    for (const auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return pyimport::fail(pyimport::errno_text("pipe"));
    const pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]), close(fds[1]);
        return pyimport::fail(pyimport::errno_text("fork"));
    }
    if (pid == 0) {
        const int null = open("/dev/null", O_RDWR);
        if (null < 0 || dup2(null, 0) < 0 || dup2(fds[1], 1) < 0 || dup2(null, 2) < 0) _exit(126);
        signal(SIGPIPE, SIG_DFL);
        execvp(args[0], args.data());
        _exit(127);
    }
    close(fds[1]);
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) != 0;) {
        if (n < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (out.size() < (size_t(1) << 20)) out.append(buf, size_t(n));
    }
    close(fds[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return pyimport::fail(pyimport::errno_text("waitpid"));
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127) return pyimport::fail(name + " could not be run (not found?)");
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) return pyimport::fail(name + " failed: " + status_text(st));
    return out;
}

} // namespace study
