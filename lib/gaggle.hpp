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
    // Release at this CLOCK_REALTIME instant (Unix ns) rather than as soon as
    // every interpreter is at the barrier; when the barrier is reached later,
    // at once. 0: as soon as ready. The caller bounds it (release_instant.hpp).
    int64_t release_at_unix_ns = 0;
    // Put the interpreters (and all they start) into a cgroup of their own
    // for whole-gaggle totals and a kill that reaches every descendant;
    // where the node allows none, the gaggle runs without and says why.
    bool use_cgroup = false;
    // Keep the first N bytes of each interpreter's stderr too, in
    // InterpreterFigures::stderr_head (the -X importtime output, parsed after
    // the gaggle). At most 1 MiB, else the setup fails; 0: none.
    size_t stderr_head_bytes = 0;
    // Readable: stop at once (the job ended: Slurm defers its own signals
    // until the tasks run, after the gaggle). Watched while the gaggle waits
    // for its release and while it runs; every interpreter is then killed and
    // run_gaggle fails with kGaggleStopped. -1: none.
    int stop_fd = -1;
};

inline constexpr char kGaggleStopped[] = "stopped: cancelled while the gaggle ran";

// Runs one gaggle. Fails with a one-line error when it could not be set up
// (nothing is left running then); interpreter failures are figures.
Result<GaggleFigures> run_gaggle(const GaggleSpec &spec);

} // namespace pyimport
