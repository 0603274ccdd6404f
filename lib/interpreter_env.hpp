// The environment the interpreters get: the job's own, less the variables
// through which a user's shell would steer where an interpreter finds its
// code or run code of theirs at start-up (PYTHONPATH, R_LIBS, PERL5OPT,
// BASH_ENV...: the record must measure the site's environment, in either
// form), plus what keeps the measurement clean (no bytecode written to the
// shared file system, no display, no user site or library) and safe (no
// module imported from the working directory), plus the site's setenv=
// entries, which win.
#pragma once
#include <string>
#include <vector>

namespace pyimport {

std::vector<std::string> interpreter_env(const std::vector<std::string> &job_env,
                                         const std::vector<std::string> &site_setenv);

} // namespace pyimport
