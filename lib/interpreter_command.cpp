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

std::optional<InterpreterCommand> build_interpreter_command(const SiteSettings &site, const BenchRequest &request,
                                                            std::string &error) {
    InterpreterCommand cmd;
    cmd.modules = request.modules.empty() ? site.modules : request.modules;
    const std::string code = import_statement(cmd.modules);
    if (request.mode == Mode::conda) {
        if (site.conda.empty() && site.conda_python.empty()) {
            error = "conda mode is not configured on this cluster (plugstack.conf has no conda=)";
            return std::nullopt;
        }
        cmd.env_path = site.conda;
        cmd.argv = {site.conda_python, "-c", code};
        return cmd;
    }
    if (site.image.empty()) {
        error = "container mode is not configured on this cluster (plugstack.conf has no image=)";
        return std::nullopt;
    }
    cmd.image = site.image;
    cmd.runtime = runtime_name(site.runtime);
    std::string runtime = site.runtime_path.empty() ? default_runtime_path(site.runtime) : site.runtime_path;
    if (site.runtime == Runtime::charliecloud)
        cmd.argv = {runtime, site.image, "--", site.container_python, "-c", code};
    else
        cmd.argv = {runtime, "exec", site.image, site.container_python, "-c", code};
    return cmd;
}

bool check_command_usable(const InterpreterCommand &command, std::string &error) {
    const std::string &program = command.argv.at(0);
    if (faccessat(AT_FDCWD, program.c_str(), X_OK, AT_EACCESS) != 0) {
        error = (command.runtime.empty() ? "interpreter " : command.runtime + " runtime ") + program +
                " is not executable: " + std::strerror(errno);
        return false;
    }
    if (!command.image.empty() && faccessat(AT_FDCWD, command.image.c_str(), R_OK, AT_EACCESS) != 0) {
        error = "image " + command.image + " is not readable: " + std::strerror(errno);
        return false;
    }
    return true;
}

} // namespace pyimport
