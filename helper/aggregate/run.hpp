// One whole pyimport-aggregate run, minus the command line: read, group,
// tabulate, write, draw. main() only parses arguments and calls this.
#pragma once
#include "options.hpp"

#include <cstdio>

namespace agg {

// Problems go to `err` one per line ("pyimport-aggregate: FILE: problem");
// the tables go to options.output or `out`. Returns the exit status (Exit).
int run(const Options &options, std::FILE *out, std::FILE *err);

// The dataset alone (reading, grouping, the study's rows), for tests.
Dataset collect(const Options &options);

} // namespace agg
