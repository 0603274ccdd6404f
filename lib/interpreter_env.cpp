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

std::vector<std::string> interpreter_env(const std::vector<std::string> &job_env,
                                         const std::vector<std::string> &site_setenv) {
    std::vector<std::string> env;
    for (const auto &entry : job_env)
        if (entry.find('=') != std::string::npos) put(env, entry);
    put(env, "PYTHONDONTWRITEBYTECODE=1");
    put(env, "MPLBACKEND=Agg");
    // Python 3.11+ then leaves the working directory off sys.path (what -P
    // does, which older interpreters would refuse); older ones ignore it.
    put(env, "PYTHONSAFEPATH=1");
    for (const auto &entry : site_setenv) put(env, entry);
    return env;
}

} // namespace pyimport
