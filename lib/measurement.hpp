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
    // importtime=on (record version 2): the cumulative import time of each
    // requested module, in microseconds, in the order of the run's module
    // list (-1: not imported), and the slowest modules by self time.
    std::vector<int64_t> import_us;
    std::vector<std::string> slowest_modules;
    std::vector<int64_t> slowest_self_us, slowest_cumulative_us;
    std::string stdout_text;    // only with GaggleSpec::capture_stdout; not part of the record
    std::string stderr_head;    // first bytes of stderr, only with GaggleSpec::stderr_head_bytes; not part of the record

    bool succeeded() const { return exit_code == 0 && signal == 0 && !timed_out; }
};

// The gaggle's own cgroup (record version 2): totals over every process of
// the gaggle, descendants included; -1 for a figure that could not be read.
struct CgroupFigures {
    std::string state;  // "used", "unavailable" (note says why) or "off" (the site's cgroup=off)
    std::string note;   // why unavailable, or which figures could not be read
    int64_t cpu_ns = -1, memory_peak_bytes = -1, io_bytes = -1, io_operations = -1, max_processes = -1;
    int64_t leftovers_killed = 0;  // still in it after the last interpreter's exit (daemons), then killed
};

struct GaggleFigures {
    // The common release (record version 2): sync is "on", "off" or
    // "refused" (see release_instant.hpp), empty in version 1 records.
    std::string sync;
    std::string sync_note;               // why an instant was refused
    int64_t planned_release_unix_ns = 0; // the step's common instant; 0 when none
    int64_t ready_unix_ns = 0;           // every interpreter at the barrier: later than planned means late
    int64_t release_unix_ns = 0;    // wall clock at the release (CLOCK_REALTIME)
    int64_t last_exit_unix_ns = 0;  // wall clock at the last exit
    int64_t wall_ns = 0;            // release to last exit (monotonic clock)
    CgroupFigures cgroup;
    std::vector<InterpreterFigures> interpreters;
};

} // namespace pyimport
