// What each interpreter of a gaggle runs, built from the site's settings and
// the user's request. No shell is involved: argv goes straight to execve.
#pragma once
#include "bench_option.hpp"
#include "result.hpp"
#include "site_settings.hpp"

#include <optional>
#include <string>
#include <vector>

namespace pyimport {

struct InterpreterCommand {
    std::vector<std::string> argv;     // argv[0] is an absolute path
    Language language = Language::python;
    std::vector<std::string> modules;  // what the interpreter loads (the language's package names)
    std::string env_path;              // conda mode: the environment directory
    std::string image;                 // container mode: the image file
    std::string runtime;               // container mode: charliecloud, kernel, apptainer, singularity
    std::string mount_driver;          // what serves the files: directory, kernel-squashfs, squashfuse, runtime
    std::string mount_at;              // kernel runtime: where the image is mounted before the gaggle
    bool host_paths = true;            // runs from host paths, so the site's setenv= applies
};

// Default binary of a runtime (first of the usual system locations that exists).
std::string default_runtime_path(Runtime runtime);

Result<InterpreterCommand> build_interpreter_command(const SiteSettings &site, const BenchRequest &request);

// Checks, with the caller's effective ids, that the command's program and
// (container mode) image are usable; fails with one line if not. For the
// kernel runtime the program lives in the image and is checked by execve.
Result<void> check_command_usable(const InterpreterCommand &command);

} // namespace pyimport
