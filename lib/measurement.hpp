// What the gaggle engine measures. Plain data: the record format stores it,
// the aggregator reads it back. All times are integer nanoseconds.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace pyimport {

struct InterpreterFigures {
    int index = 0;
    int pid = 0;
    int64_t start_skew_ns = 0;  // from the release to this interpreter's execve
    int64_t wall_ns = 0;        // from the release to its exit, as the parent saw it
    int64_t user_ns = 0, system_ns = 0;
    int64_t max_rss_kib = 0;
    int64_t minor_faults = 0, major_faults = 0;
    int64_t block_in = 0, block_out = 0;  // 512-byte blocks (getrusage)
    int64_t voluntary_switches = 0, involuntary_switches = 0;
    int exit_code = 0;          // -1 when ended by a signal
    int signal = 0;             // 0 when it exited
    bool timed_out = false;     // killed by the harness at the timeout
    int exec_errno = 0;         // execve failed with this errno (exit_code 127)
    std::string stderr_tail;    // last bytes of stderr, kept only for failures
    std::string stdout_text;    // only with GaggleSpec::capture_stdout; not part of the record

    bool succeeded() const { return exit_code == 0 && signal == 0 && !timed_out; }
};

struct GaggleFigures {
    int64_t release_unix_ns = 0;    // wall clock at the release (CLOCK_REALTIME)
    int64_t last_exit_unix_ns = 0;  // wall clock at the last exit
    int64_t wall_ns = 0;            // release to last exit (monotonic clock)
    std::vector<InterpreterFigures> interpreters;
};

} // namespace pyimport
