// One release instant for every node of a job step. srun picks it (now plus a
// margin) and hands it to the step through the job's environment; each node
// parks its gaggle at the barrier and sleeps to it on the real-time clock, so
// "N nodes x n interpreters at once" is what gets measured. The value arrives
// through an environment the user can change: a node takes it only when it is
// a plain number within the site's bounds, and never waits longer than the
// site allows because of it.
#pragma once
#include "result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pyimport {

// The job environment variable carrying the instant, in Unix nanoseconds.
// srun hands SLURM_* variables to the step even under --export=NONE or a list.
inline constexpr const char *kReleaseAtVariable = "SLURM_PYIMPORT_BENCH_RELEASE_AT";

// How a node's release came about, as the record says it ("sync").
enum class SyncState {
    on,       // released at the common instant (or at once, late, when it was ready after it)
    off,      // the user asked for sync=off: released when ready, as in the 2017 study
    refused,  // no usable instant reached the node: released when ready; the note says why
};
const char *sync_state_name(SyncState state);

struct ReleasePlan {
    SyncState state = SyncState::off;
    int64_t at_unix_ns = 0;  // the instant to sleep to; 0 unless state is on
    std::string note;        // why an instant was refused: one escaped, bounded line
};

// srun's choice: the variable's value for an instant `margin_ms` after `now_unix_ns`.
std::string release_instant_value(int64_t now_unix_ns, int margin_ms);

// A node's reading of the variable (nullopt when absent). A value that is not
// a whole number of nanoseconds, or lies more than `max_wait_ns` before or
// after `now_unix_ns`, is refused: the node releases when ready. Never fails.
ReleasePlan plan_release(const std::optional<std::string> &value, bool sync_requested, int64_t now_unix_ns,
                         int64_t max_wait_ns);

// pyimport-gaggle --release-at: Unix seconds with up to 9 decimals
// ("1764633600.25"), or "+SECONDS" from now ("+2.5"). Fails with one line
// naming the value when it is malformed or lies more than `max_wait_ns` before
// or after now.
Result<int64_t> parse_release_at(std::string_view text, int64_t now_unix_ns, int64_t max_wait_ns);

} // namespace pyimport
