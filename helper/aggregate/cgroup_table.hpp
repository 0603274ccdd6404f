// The cgroup table: per configuration, what each gaggle's own cgroup
// counted (every process of the gaggle, descendants included) against what
// the interpreters themselves used.
#pragma once
#include "key_columns.hpp"
#include "table.hpp"

namespace agg {

// One row per configuration with at least one gaggle in a cgroup (state
// used): medians per gaggle of the cgroup's CPU time, the interpreters' own
// user + system time, their difference (helpers), memory peak, block I/O and
// most processes at once; the total of leftover processes killed. Notes say
// how many gaggles ran without a cgroup, and why (the first record's note).
Table cgroup_table(const Dataset &data, const KeyColumns &keys);

} // namespace agg
