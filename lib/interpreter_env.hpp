// The environment the interpreters get: the job's own, plus what keeps the
// measurement clean (no bytecode written to the shared file system, no
// display) and safe (no module imported from the working directory), plus
// the site's setenv= entries, which win.
#pragma once
#include <string>
#include <vector>

namespace pyimport {

std::vector<std::string> interpreter_env(const std::vector<std::string> &job_env,
                                         const std::vector<std::string> &site_setenv);

} // namespace pyimport
