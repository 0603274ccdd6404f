#include "interpreter_env.hpp"

#include <algorithm>

namespace pyimport {

static std::string name_of(const std::string &entry) { return entry.substr(0, entry.find('=')); }

static void put(std::vector<std::string> &env, const std::string &entry) {
    const std::string name = name_of(entry);
    auto it = std::find_if(env.begin(), env.end(), [&](const std::string &e) { return name_of(e) == name; });
    if (it != env.end()) *it = entry;
    else env.push_back(entry);
}

// Whether the job's variable `name` is left out of the interpreters' environment.
static bool is_steering_variable(const std::string &name) {
    // Every PYTHON* variable: search path, home, start-up file, user base, and
    // switches (PYTHONPROFILEIMPORTTIME, PYTHONVERBOSE...) that change the timing.
    if (name.rfind("PYTHON", 0) == 0) return true;
    static const char *const kNames[] = {
        "R_LIBS", "R_LIBS_USER", "R_LIBS_SITE", "R_DEFAULT_PACKAGES", "R_PROFILE", "R_PROFILE_USER",
        "R_ENVIRON", "R_ENVIRON_USER", "PERL5LIB", "PERLLIB", "PERL5OPT", "PERL5DB",
        // Read by bash (R's launcher is a shell script; /bin/sh is bash on some systems) and by sh.
        "BASH_ENV", "ENV"};
    return std::any_of(std::begin(kNames), std::end(kNames), [&](const char *n) { return name == n; });
}

std::vector<std::string> interpreter_env(const std::vector<std::string> &job_env,
                                         const std::vector<std::string> &site_setenv) {
    std::vector<std::string> env;
    for (const auto &entry : job_env)
        if (entry.find('=') != std::string::npos && !is_steering_variable(name_of(entry))) put(env, entry);
    put(env, "PYTHONDONTWRITEBYTECODE=1");
    put(env, "MPLBACKEND=Agg");
    // Python 3.11+ then leaves the working directory off sys.path (what -P
    // does, which older interpreters would refuse); older ones ignore it.
    put(env, "PYTHONSAFEPATH=1");
    // No packages from the user's home: ~/.local for Python, ~/R for R (a
    // relative "NULL" names no directory in the gaggle's empty workdir).
    put(env, "PYTHONNOUSERSITE=1");
    put(env, "R_LIBS_USER=NULL");
    for (const auto &entry : site_setenv) put(env, entry);
    return env;
}

} // namespace pyimport
