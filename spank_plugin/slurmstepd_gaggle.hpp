// In slurmstepd, once per node per job step (user_init): run the gaggle
// before any task of the step starts, so the job's own tasks never compete
// with it, and write the node's record.
#pragma once
#include "site_settings.hpp"
#include "spank_api.hpp"

#include <optional>

namespace pyimport::spank {

// Always returns 0: a failing user_init drains the node under sbatch, and a
// benchmark problem must never do that. Problems are reported instead.
int slurmstepd_run_gaggle(spank_t sp, const Result<SiteSettings> &site, const char *option_value);

} // namespace pyimport::spank
