#include "interpreter_command.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pyimport {

std::string import_statement(const std::vector<std::string> &modules) {
    std::string code = "import ";
    for (size_t i = 0; i < modules.size(); ++i) code += (i ? ", " : "") + modules[i];
    return code;
}

static const char *runtime_binary(Runtime runtime) {
    switch (runtime) {
    case Runtime::charliecloud: return "ch-run";
    case Runtime::kernel: return "";
    case Runtime::apptainer: return "apptainer";
    case Runtime::singularity: return "singularity";
    }
    return "?";
}

std::string default_runtime_path(Runtime runtime) {
    // A fixed list, not slurmstepd's PATH: that is slurmd's and may point anywhere.
    for (const char *dir : {"/usr/local/bin/", "/usr/bin/", "/bin/"}) {
        std::string path = std::string(dir) + runtime_binary(runtime);
        if (access(path.c_str(), F_OK) == 0) return path;
    }
    return std::string("/usr/bin/") + runtime_binary(runtime);
}

// The image mounted over mount_at (by default the conda directory itself), so
// the interpreter, its argv and its environment are those of conda mode and
// only what serves the files differs.
static Result<InterpreterCommand> kernel_command(const SiteSettings &site, const std::string &code,
                                                 InterpreterCommand &cmd) {
    if (site.mount_at.empty() || site.conda_python.empty()) {
        return fail("the kernel runtime needs conda= (or mount_at= and conda_python=) in plugstack.conf");
    }
    std::string python = site.conda_python;
    if (!site.conda.empty() && python.compare(0, site.conda.size() + 1, site.conda + "/") == 0)
        python = site.mount_at + python.substr(site.conda.size());
    cmd.argv = {python, "-c", code};
    cmd.env_path = site.mount_at;
    cmd.mount_at = site.mount_at;
    cmd.mount_driver = "kernel-squashfs";
    return cmd;
}

// python3 -c CODE becomes python3 -X importtime -c CODE: the times go to
// stderr, where the gaggle keeps them for after the timed interval.
static Result<InterpreterCommand> with_import_times(Result<InterpreterCommand> cmd) {
    if (!cmd) return cmd;
    auto &argv = cmd->argv;
    argv.insert(argv.end() - 2, {"-X", "importtime"});
    return cmd;
}

static Result<InterpreterCommand> build_plain_command(const SiteSettings &site, const BenchRequest &request) {
    InterpreterCommand cmd;
    cmd.modules = request.modules.empty() ? site.modules : request.modules;
    const std::string code = import_statement(cmd.modules);
    if (request.mode == Mode::conda) {
        if (site.conda.empty() && site.conda_python.empty()) {
            return fail("conda mode is not configured on this cluster (plugstack.conf has no conda=)");
        }
        cmd.env_path = site.conda;
        cmd.argv = {site.conda_python, "-c", code};
        cmd.mount_driver = "directory";
        return cmd;
    }
    if (site.image.empty()) {
        return fail("container mode is not configured on this cluster (plugstack.conf has no image=)");
    }
    cmd.image = site.image;
    cmd.runtime = runtime_name(site.runtime);
    if (site.runtime == Runtime::kernel) return kernel_command(site, code, cmd);
    struct stat st;
    cmd.mount_driver = site.runtime != Runtime::charliecloud ? "runtime"
                       : stat(site.image.c_str(), &st) == 0 && S_ISDIR(st.st_mode) ? "directory"
                                                                                    : "squashfuse";
    cmd.host_paths = false;
    std::string runtime = site.runtime_path.empty() ? default_runtime_path(site.runtime) : site.runtime_path;
    if (site.runtime == Runtime::charliecloud)
        cmd.argv = {runtime, site.image, "--", site.container_python, "-c", code};
    else
        cmd.argv = {runtime, "exec", site.image, site.container_python, "-c", code};
    return cmd;
}

Result<InterpreterCommand> build_interpreter_command(const SiteSettings &site, const BenchRequest &request) {
    auto cmd = build_plain_command(site, request);
    return request.importtime ? with_import_times(std::move(cmd)) : cmd;
}

Result<void> check_command_usable(const InterpreterCommand &command) {
    const std::string &program = command.argv.at(0);
    if (command.mount_at.empty() && faccessat(AT_FDCWD, program.c_str(), X_OK, AT_EACCESS) != 0) {
        return fail((command.runtime.empty() ? "interpreter " : command.runtime + " runtime ") + program +
                " is not executable: " + std::strerror(errno));
    }
    if (!command.image.empty() && faccessat(AT_FDCWD, command.image.c_str(), R_OK, AT_EACCESS) != 0) {
        return fail("image " + command.image + " is not readable: " + std::strerror(errno));
    }
    return ok();
}

} // namespace pyimport
