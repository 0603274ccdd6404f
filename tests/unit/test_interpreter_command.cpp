// The interpreter's argv from the site's settings and the user's request, and
// the usability check done before anything is started.
#include "interpreter_command.hpp"
#include "unit_support.hpp"

#include <sys/stat.h>

using namespace pyimport;
using unit::expect_eq;
using unit::expect_message;

namespace {

const std::string kDefaultImports = "import numpy, scipy, pandas, sqlite3, Bio, matplotlib, seaborn";

BenchRequest request(Mode mode, std::vector<std::string> modules = {}) {
    BenchRequest r;
    r.mode = mode;
    r.gaggle_size = 2;
    r.modules = std::move(modules);
    return r;
}

SiteSettings conda_site(const std::string &conda, const std::string &python) {
    SiteSettings s;
    s.conda = conda;
    s.conda_python = python;
    return s;
}

SiteSettings container_site(Runtime runtime, const std::string &runtime_path, const std::string &image) {
    SiteSettings s;
    s.image = image;
    s.runtime = runtime;
    s.runtime_path = runtime_path;
    s.container_python = "/opt/py/bin/python3";
    return s;
}

// Where a command runs from: env_path, image, runtime, mount_driver, mount_at.
std::vector<std::string> placement(const InterpreterCommand &cmd) {
    return {cmd.env_path, cmd.image, cmd.runtime, cmd.mount_driver, cmd.mount_at};
}
const char *const kPlacement = "env_path, image, runtime, mount_driver, mount_at";

InterpreterCommand built(const SiteSettings &site, const BenchRequest &req) {
    auto cmd = build_interpreter_command(site, req);
    std::string error = unit::error_of(cmd);
    cr_assert(bool(cmd), "command not built: %s", error.c_str());
    return *cmd;
}

void not_built(const SiteSettings &site, const BenchRequest &req, const std::string &message) {
    auto result = build_interpreter_command(site, req);
    std::string error = unit::error_of(result);
    cr_assert(!bool(result), "command built, expected: %s", message.c_str());
    expect_eq(error, message, "error");
}

void usable(const InterpreterCommand &cmd) {
    auto result = check_command_usable(cmd);
    std::string error = unit::error_of(result);
    cr_assert(bool(result), "%s: %s", cmd.argv[0].c_str(), error.c_str());
}

void unusable(const InterpreterCommand &cmd, const std::string &message) {
    auto result = check_command_usable(cmd);
    std::string error = unit::error_of(result);
    cr_assert(!bool(result), "%s passed the check", cmd.argv[0].c_str());
    expect_eq(error, message, "error");
}

InterpreterCommand command(std::vector<std::string> argv, const std::string &image = "",
                           const std::string &runtime = "") {
    InterpreterCommand cmd;
    cmd.argv = std::move(argv);
    cmd.image = image;
    cmd.runtime = runtime;
    return cmd;
}

} // namespace

Test(interpreter_command, import_statement) {
    expect_eq(load_code(Language::python, {"numpy"}), "import numpy", "one module");
    expect_eq(load_code(Language::python, {"numpy", "os.path", "Bio"}), "import numpy, os.path, Bio", "three modules");
}

Test(interpreter_command, conda_mode_uses_the_site_modules_by_default) {
    InterpreterCommand cmd = built(conda_site("/opt/env", "/opt/env/bin/python3"), request(Mode::conda));
    expect_eq(cmd.argv, {"/opt/env/bin/python3", "-c", kDefaultImports}, "argv");
    expect_eq(cmd.modules, SiteSettings().modules, "modules");
    expect_eq(placement(cmd), {"/opt/env", "", "", "directory", ""}, kPlacement);
    cr_assert(cmd.host_paths, "conda mode runs from host paths");
}

Test(interpreter_command, requested_modules_replace_the_sites) {
    InterpreterCommand cmd =
        built(conda_site("/opt/env", "/opt/env/bin/python3"), request(Mode::conda, {"json", "xml.dom"}));
    expect_eq(cmd.argv, {"/opt/env/bin/python3", "-c", "import json, xml.dom"}, "argv");
    expect_eq(cmd.modules, {"json", "xml.dom"}, "modules");
}

Test(interpreter_command, conda_python_alone_is_enough) {
    InterpreterCommand cmd = built(conda_site("", "/usr/bin/python3"), request(Mode::conda, {"os"}));
    expect_eq(cmd.argv, {"/usr/bin/python3", "-c", "import os"}, "argv");
    expect_eq(cmd.env_path, "", "env_path");
}

Test(interpreter_command, conda_mode_not_configured) {
    not_built(SiteSettings(), request(Mode::conda),
              "conda mode is not configured on this cluster (plugstack.conf has no conda=)");
    // Container settings do not make conda mode work.
    not_built(container_site(Runtime::apptainer, "/bin/true", "/img"), request(Mode::conda),
              "conda mode is not configured on this cluster (plugstack.conf has no conda=)");
}

Test(interpreter_command, charliecloud_preset) {
    InterpreterCommand cmd =
        built(container_site(Runtime::charliecloud, "/opt/ch/bin/ch-run", "/img/py"), request(Mode::container, {"os"}));
    expect_eq(cmd.argv, {"/opt/ch/bin/ch-run", "/img/py", "--", "/opt/py/bin/python3", "-c", "import os"}, "argv");
    // An image that is not a directory is mounted by ch-run through squashfuse.
    expect_eq(placement(cmd), {"", "/img/py", "charliecloud", "squashfuse", ""}, kPlacement);
    cr_assert(!cmd.host_paths, "a container does not run from host paths");
}

Test(interpreter_command, charliecloud_directory_image) {
    unit::TempDir image;
    InterpreterCommand cmd =
        built(container_site(Runtime::charliecloud, "/opt/ch-run", image.path()), request(Mode::container));
    expect_eq(cmd.mount_driver, "directory", "mount_driver of a directory image");
}

Test(interpreter_command, apptainer_and_singularity_presets) {
    for (Runtime runtime : {Runtime::apptainer, Runtime::singularity}) {
        InterpreterCommand cmd =
            built(container_site(runtime, "/opt/rt", "/img/py.sif"), request(Mode::container, {"os"}));
        expect_eq(cmd.argv, {"/opt/rt", "exec", "/img/py.sif", "/opt/py/bin/python3", "-c", "import os"}, "argv");
        expect_eq(placement(cmd), {"", "/img/py.sif", runtime_name(runtime), "runtime", ""}, kPlacement);
        cr_assert(!cmd.host_paths);
    }
}

Test(interpreter_command, container_mode_uses_the_site_modules_by_default) {
    InterpreterCommand cmd = built(container_site(Runtime::apptainer, "/opt/rt", "/i"), request(Mode::container));
    expect_eq(cmd.argv.back(), kDefaultImports, "code");
}

Test(interpreter_command, kernel_runtime_runs_the_conda_python_from_the_mounted_image) {
    SiteSettings site = container_site(Runtime::kernel, "", "/img/env.sqfs");
    site.conda = site.mount_at = "/opt/env";
    site.conda_python = "/opt/env/bin/python3";
    InterpreterCommand cmd = built(site, request(Mode::container, {"os"}));
    expect_eq(cmd.argv, {"/opt/env/bin/python3", "-c", "import os"}, "argv");
    expect_eq(placement(cmd), {"/opt/env", "/img/env.sqfs", "kernel", "kernel-squashfs", "/opt/env"}, kPlacement);
    cr_assert(cmd.host_paths, "the kernel runtime runs from host paths");
}

Test(interpreter_command, kernel_runtime_moves_the_python_to_mount_at) {
    SiteSettings site = container_site(Runtime::kernel, "", "/img/env.sqfs");
    site.conda = "/opt/env";
    site.mount_at = "/mnt/env";
    site.conda_python = "/opt/env/bin/python3";
    InterpreterCommand cmd = built(site, request(Mode::container, {"os"}));
    expect_eq(cmd.argv, {"/mnt/env/bin/python3", "-c", "import os"}, "argv");
    expect_eq(cmd.env_path, "/mnt/env", "env_path");
    // Only a path inside the conda directory moves; "/opt/envx" is not inside "/opt/env".
    site.conda_python = "/opt/envx/bin/python3";
    expect_eq(built(site, request(Mode::container)).argv[0], "/opt/envx/bin/python3", "python outside conda");
}

Test(interpreter_command, kernel_runtime_not_configured) {
    const std::string message = "the kernel runtime needs conda= (or mount_at= and conda_python=) in plugstack.conf";
    SiteSettings site = container_site(Runtime::kernel, "", "/img/env.sqfs");
    not_built(site, request(Mode::container), message);
    site.mount_at = "/mnt/env";
    not_built(site, request(Mode::container), message);  // no python
}

Test(interpreter_command, kernel_runtime_checks_the_image_not_the_python) {
    // The python exists only once the image is mounted: execve checks it then.
    InterpreterCommand cmd = command({"/mnt/env/bin/python3"}, "/bin/true", "kernel");
    cmd.mount_at = "/mnt/env";
    usable(cmd);
    cmd.image = "/nonexistent/env.sqfs";
    unusable(cmd, "image /nonexistent/env.sqfs is not readable: No such file or directory");
}

Test(interpreter_command, container_mode_not_configured) {
    not_built(conda_site("/opt/env", "/opt/env/bin/python3"), request(Mode::container),
              "container mode is not configured on this cluster (plugstack.conf has no image=)");
}

Test(interpreter_command, default_runtime_path_is_a_usual_location) {
    const std::pair<Runtime, std::string> binaries[] = {
        {Runtime::charliecloud, "ch-run"}, {Runtime::apptainer, "apptainer"}, {Runtime::singularity, "singularity"}};
    for (const auto &[runtime, binary] : binaries) {
        const std::string path = default_runtime_path(runtime);
        bool usual = false;
        for (const char *dir : {"/usr/local/bin/", "/usr/bin/", "/bin/"}) usual = usual || path == dir + binary;
        cr_assert(usual, "default path of %s is %s", binary.c_str(), path.c_str());
        // An installed runtime is found; a missing one falls back to /usr/bin.
        cr_assert(access(path.c_str(), F_OK) == 0 || path == "/usr/bin/" + binary, "%s: neither found nor /usr/bin",
                  path.c_str());
    }
}

Test(interpreter_command, default_runtime_path_used_without_runtime_path) {
    InterpreterCommand cmd = built(container_site(Runtime::singularity, "", "/i"), request(Mode::container));
    expect_eq(cmd.argv[0], default_runtime_path(Runtime::singularity), "argv[0]");
}

Test(interpreter_command, usable_interpreter_and_runtime) {
    unit::TempDir dir;
    unit::write_text(dir.file("image"), "not really an image");
    usable(command({"/bin/true"}));
    usable(command({"/bin/true"}, dir.file("image"), "apptainer"));
}

Test(interpreter_command, missing_interpreter) {
    unusable(command({"/nonexistent/bin/python3"}),
             "interpreter /nonexistent/bin/python3 is not executable: No such file or directory");
}

Test(interpreter_command, interpreter_without_execute_permission) {
    unit::TempDir dir;
    const std::string python = dir.file("python3");
    unit::write_text(python, "#!/bin/sh\n");
    chmod(python.c_str(), 0644);  // not executable even for root
    unusable(command({python}), "interpreter " + python + " is not executable: Permission denied");
}

Test(interpreter_command, missing_runtime_names_the_runtime) {
    unusable(command({"/nonexistent/ch-run"}, "/bin/true", "charliecloud"),
             "charliecloud runtime /nonexistent/ch-run is not executable: No such file or directory");
}

Test(interpreter_command, missing_image) {
    unusable(command({"/bin/true"}, "/nonexistent/image.sif", "apptainer"),
             "image /nonexistent/image.sif is not readable: No such file or directory");
}

Test(interpreter_command, checked_with_the_callers_effective_ids) {
    if (!unit::running_as_root()) cr_skip_test("needs root to create a file nobody cannot read");
    unit::TempDir dir;
    const std::string image = dir.file("image");
    unit::write_text(image, "");
    chmod(image.c_str(), 0600);
    chmod(dir.path().c_str(), 0755);
    InterpreterCommand cmd = command({"/bin/true"}, image, "apptainer");
    usable(cmd);  // root can read it
    // As in slurmstepd's user_init: real uid 0, effective uid the user's.
    std::string error = unit::in_child([&] {
        if (setgroups(0, nullptr) != 0 || setegid(unit::kNobody) != 0 || seteuid(unit::kNobody) != 0)
            return std::string("cannot switch the effective ids");
        auto usable = check_command_usable(cmd);
        if (usable) return std::string("usable with effective uid 65534");
        return usable.error();
    });
    expect_eq(error, "image " + image + " is not readable: Permission denied", "error with effective uid 65534");
}

Test(interpreter_command, importtime_goes_before_the_code_in_every_form) {
    BenchRequest conda = request(Mode::conda, {"json"});
    conda.importtime = true;
    expect_eq(built(conda_site("/opt/env", "/opt/env/bin/python3"), conda).argv,
              {"/opt/env/bin/python3", "-X", "importtime", "-c", "import json"}, "conda");
    BenchRequest container = request(Mode::container, {"json"});
    container.importtime = true;
    expect_eq(built(container_site(Runtime::charliecloud, "/usr/bin/ch-run", "/img.sqfs"), container).argv,
              {"/usr/bin/ch-run", "/img.sqfs", "--", "/opt/py/bin/python3", "-X", "importtime", "-c", "import json"},
              "charliecloud");
    expect_eq(built(container_site(Runtime::apptainer, "/usr/bin/apptainer", "/img.sif"), container).argv,
              {"/usr/bin/apptainer", "exec", "/img.sif", "/opt/py/bin/python3", "-X", "importtime", "-c", "import json"},
              "apptainer");
    container.importtime = false;
    expect_eq(built(container_site(Runtime::apptainer, "/usr/bin/apptainer", "/img.sif"), container).argv,
              {"/usr/bin/apptainer", "exec", "/img.sif", "/opt/py/bin/python3", "-c", "import json"}, "without");
}

// --- R and Perl ----------------------------------------------------------------

namespace {

BenchRequest lang_request(Mode mode, Language language, std::vector<std::string> modules = {}) {
    BenchRequest r = request(mode, std::move(modules));
    r.language = language;
    return r;
}

SiteSettings all_languages_site(Runtime runtime) {
    SiteSettings s = container_site(runtime, "/usr/bin/ch-run", "/img/env.sqfs");
    s.conda = "/opt/env";
    s.conda_python = "/opt/env/usr/bin/python3";
    s.mount_at = "/opt/env";
    s.conda_r = "/opt/env/usr/bin/Rscript";
    s.container_r = "/usr/bin/Rscript";
    s.conda_perl = "/opt/env/usr/bin/perl";
    s.container_perl = "/usr/bin/perl";
    return s;
}

} // namespace

Test(interpreter_command, r_in_both_forms_loads_the_site_packages_without_a_shell) {
    const SiteSettings site = all_languages_site(Runtime::charliecloud);
    const std::string code = "library(ggplot2);library(data.table);library(dplyr);library(Matrix);library(survival)";
    InterpreterCommand conda = built(site, lang_request(Mode::conda, Language::r));
    expect_eq(conda.argv, {"/opt/env/usr/bin/Rscript", "--vanilla", "-e", code}, "conda argv");
    expect_eq(conda.modules, {"ggplot2", "data.table", "dplyr", "Matrix", "survival"}, "modules");
    cr_assert(conda.language == Language::r);
    InterpreterCommand container = built(site, lang_request(Mode::container, Language::r, {"data.table"}));
    expect_eq(container.argv, {"/usr/bin/ch-run", "/img/env.sqfs", "--", "/usr/bin/Rscript", "--vanilla", "-e",
                               "library(data.table)"},
              "container argv");
}

Test(interpreter_command, perl_in_both_forms_and_with_the_kernel_runtime) {
    SiteSettings site = all_languages_site(Runtime::apptainer);
    const std::string code = "use Moose;use DBI;use JSON::XS;use DateTime;use List::MoreUtils;";
    expect_eq(built(site, lang_request(Mode::conda, Language::perl)).argv, {"/opt/env/usr/bin/perl", "-e", code},
              "conda argv");
    expect_eq(built(site, lang_request(Mode::container, Language::perl, {"JSON::XS"})).argv,
              {"/usr/bin/ch-run", "exec", "/img/env.sqfs", "/usr/bin/perl", "-e", "use JSON::XS;"}, "apptainer argv");
    site.runtime = Runtime::kernel;
    site.mount_at = "/mnt/env";
    const InterpreterCommand kernel = built(site, lang_request(Mode::container, Language::perl, {"DBI"}));
    expect_eq(kernel.argv, {"/mnt/env/usr/bin/perl", "-e", "use DBI;"}, "kernel argv: the interpreter under mount_at");
}

Test(interpreter_command, a_language_the_site_did_not_configure_is_refused_in_one_line) {
    SiteSettings site = all_languages_site(Runtime::charliecloud);
    site.conda_r.clear();
    not_built(site, lang_request(Mode::conda, Language::r),
              "lang=r is not offered in conda mode on this cluster (plugstack.conf has no conda_r=)");
    site.container_perl.clear();
    not_built(site, lang_request(Mode::container, Language::perl),
              "lang=perl is not offered in container mode on this cluster (plugstack.conf has no container_perl=)");
    site.runtime = Runtime::kernel;
    not_built(site, lang_request(Mode::container, Language::r),
              "lang=r is not offered with the kernel runtime on this cluster (plugstack.conf has no conda_r=)");
    // Python stays configured by conda= alone.
    expect_eq(built(site, request(Mode::conda, {"json"})).argv, {"/opt/env/usr/bin/python3", "-c", "import json"},
              "python argv");
}

Test(interpreter_command, importtime_applies_to_python_only) {
    const SiteSettings site = all_languages_site(Runtime::charliecloud);
    BenchRequest r = lang_request(Mode::conda, Language::perl, {"DBI"});
    r.importtime = true;
    expect_eq(built(site, r).argv, {"/opt/env/usr/bin/perl", "-e", "use DBI;"}, "perl argv");
}
