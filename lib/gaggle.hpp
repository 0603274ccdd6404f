// The measurement engine: start N interpreters, hold them at one barrier,
// release them together, and time each one until it exits. No Slurm here.
#pragma once
#include "job_limits.hpp"
#include "measurement.hpp"

#include <optional>
#include "result.hpp"
#include <string>
#include <sys/types.h>
#include <vector>

namespace pyimport {

// Ids a child switches to, fully, before execve.
struct Credentials {
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;
};

struct GaggleSpec {
    std::vector<std::string> argv;     // argv[0]: absolute path, executed directly
    std::vector<std::string> env;      // NAME=VALUE, the whole environment
    int size = 1;
    int timeout_s = 300;               // per interpreter, from the release
    std::string workdir = "/tmp";
    std::string scratch_dir = "/tmp";  // for the (unlinked) stdout capture files
    std::optional<Credentials> become; // unset: keep the caller's ids
    std::vector<ResourceLimit> limits; // soft limits for the interpreters, capped at the hard ones
    bool capture_stdout = false;       // keep stdout in InterpreterFigures::stdout_text
};

// Runs one gaggle. Fails with a one-line error when it could not be set up
// (nothing is left running then); interpreter failures are figures.
Result<GaggleFigures> run_gaggle(const GaggleSpec &spec);

} // namespace pyimport
