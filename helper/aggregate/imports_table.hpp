// The imports table: each requested module's import time (python -X
// importtime) per configuration, and how it grows with the gaggle size.
#pragma once
#include "key_columns.hpp"
#include "table.hpp"

namespace agg {

// One row per (configuration run with importtime=on, requested module), in
// the run's module order: n and median of the module's cumulative import time
// over succeeded interpreters, in seconds. Notes: per workload, mode, node
// count and module, the median at the smallest gaggle size against the
// largest; per workload, the modules most often among the slowest by self time.
Table imports_table(const Dataset &data, const KeyColumns &keys);

// The requested modules of a configuration, in the run's order.
std::vector<std::string> module_names(const ConfigKey &key);

} // namespace agg
