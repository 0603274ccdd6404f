// The job's resource limits, as Slurm hands them to a step: for each limit it
// propagates (PropagateResourceLimits, --propagate) the job's environment holds
// SLURM_RLIMIT_<NAME>=<soft limit>, the value prefixed with 'U' when the user
// asked for it. The interpreters must run under these, as the job's tasks do.
#pragma once
#include <string>
#include <sys/resource.h>
#include <vector>

namespace pyimport {

struct ResourceLimit {
    int resource = 0;  // RLIMIT_*
    rlim_t soft = 0;   // RLIM_INFINITY when unlimited
};

// One entry per well-formed SLURM_RLIMIT_* variable (the first of duplicates,
// as Slurm reads them). The environment is the user's: a malformed value is
// skipped, never an error.
std::vector<ResourceLimit> job_resource_limits(const std::vector<std::string> &job_env);

} // namespace pyimport
