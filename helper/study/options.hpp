// pyimport-study's command line, parsed strictly: every bad value is one line
// naming the option, the value (quoted, escaped, bounded) and what is allowed.
#pragma once
#include "result.hpp"
#include "plan.hpp"

#include <string>
#include <vector>

namespace study {

extern const char *const kUsage;

struct Options {
    PlanRequest plan;           // empty fields: defaults (or, on resume, the manifest's values)
    std::string out;            // --out DIR
    std::string report_dir;     // --report DIR: only write the report
    bool dry_run = false, quiet = false, print_sbatch = false, help = false, version = false;
};

// Fails with one line unless every argument was understood.
pyimport::Result<void> parse_options(const std::vector<std::string> &args, Options &options);

// Exit statuses, documented in pyimport-study(1).
inline constexpr int kExitDone = 0, kExitStepsFailed = 1, kExitUsage = 2, kExitWrite = 3;

} // namespace study
