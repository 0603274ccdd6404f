#include "interpreter_command.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pyimport {

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
static Result<InterpreterCommand> kernel_command(const SiteSettings &site, const LanguageSettings &lang,
                                                 std::vector<std::string> code_argv, InterpreterCommand &cmd) {
    if (site.mount_at.empty() || (site.conda.empty() && site.conda_python.empty()))
        return fail("the kernel runtime needs conda= (or mount_at= and conda_python=) in plugstack.conf");
    if (lang.conda_interpreter.empty())
        return fail(std::string("lang=") + language_name(lang.language) +
                    " is not offered with the kernel runtime on this cluster (plugstack.conf has no " + lang.conda_key +
                    ")");
    std::string interpreter = lang.conda_interpreter;
    if (!site.conda.empty() && interpreter.compare(0, site.conda.size() + 1, site.conda + "/") == 0)
        interpreter = site.mount_at + interpreter.substr(site.conda.size());
    code_argv.insert(code_argv.begin(), interpreter);
    cmd.argv = std::move(code_argv);
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
    cmd.language = request.language;
    const LanguageSettings lang = language_settings(site, request.language);
    const std::string lang_name = language_name(request.language);
    cmd.modules = request.modules.empty() ? lang.packages : request.modules;
    std::vector<std::string> code_argv = code_flags(request.language);  // interpreter FLAGS... CODE
    code_argv.push_back(load_code(request.language, cmd.modules));
    if (request.mode == Mode::conda) {
        if (site.conda.empty() && site.conda_python.empty()) {
            return fail("conda mode is not configured on this cluster (plugstack.conf has no conda=)");
        }
        if (lang.conda_interpreter.empty()) {
            return fail("lang=" + lang_name + " is not offered in conda mode on this cluster (plugstack.conf has no " +
                        lang.conda_key + ")");
        }
        cmd.env_path = site.conda;
        cmd.argv = code_argv;
        cmd.argv.insert(cmd.argv.begin(), lang.conda_interpreter);
        cmd.mount_driver = "directory";
        return cmd;
    }
    if (site.image.empty()) {
        return fail("container mode is not configured on this cluster (plugstack.conf has no image=)");
    }
    cmd.image = site.image;
    cmd.runtime = runtime_name(site.runtime);
    if (site.runtime == Runtime::kernel) return kernel_command(site, lang, std::move(code_argv), cmd);
    if (lang.container_interpreter.empty()) {
        return fail("lang=" + lang_name + " is not offered in container mode on this cluster (plugstack.conf has no " +
                    lang.container_key + ")");
    }
    struct stat st;
    cmd.mount_driver = site.runtime != Runtime::charliecloud ? "runtime"
                       : stat(site.image.c_str(), &st) == 0 && S_ISDIR(st.st_mode) ? "directory"
                                                                                    : "squashfuse";
    cmd.host_paths = false;
    std::string runtime = site.runtime_path.empty() ? default_runtime_path(site.runtime) : site.runtime_path;
    if (site.runtime == Runtime::charliecloud)
        cmd.argv = {runtime, site.image, "--", lang.container_interpreter};
    else
        cmd.argv = {runtime, "exec", site.image, lang.container_interpreter};
    cmd.argv.insert(cmd.argv.end(), code_argv.begin(), code_argv.end());
    return cmd;
}

Result<InterpreterCommand> build_interpreter_command(const SiteSettings &site, const BenchRequest &request) {
    auto cmd = build_plain_command(site, request);
    return request.importtime && request.language == Language::python ? with_import_times(std::move(cmd)) : cmd;
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
