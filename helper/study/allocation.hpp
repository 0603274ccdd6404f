// Where the study runs: the allocation (SLURM_JOB_* variables), the site's
// settings (plugstack.conf's pyimport_bench line, found through scontrol),
// the Slurm version and the allocation's node names.
#pragma once
#include "result.hpp"
#include "plan.hpp"
#include "site_settings.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace study {

using EnvLookup = std::function<const char *(const char *name)>;

// From SLURM_JOB_ID, SLURM_JOB_NUM_NODES (or SLURM_NNODES) and
// SLURM_JOB_NODELIST; fails with one line when not inside an allocation.
pyimport::Result<Allocation> allocation_from_env(const EnvLookup &env);

// The PlugStackConfig value in `scontrol show config` output.
pyimport::Result<std::string> plugstack_path(const std::string &scontrol_config);

// The pyimport_bench line of a plugstack.conf, its words parsed with
// pyimport::parse_site_settings (comments, blank lines and other plugins skipped).
pyimport::Result<pyimport::SiteSettings> site_from_plugstack(const std::string &text);

// All of it: scontrol show config, the file, its line; outdir= must be set.
pyimport::Result<pyimport::SiteSettings> find_site_settings();

// "22.05.8" from `srun --version` ("slurm 22.05.8"); "" when unknown.
std::string slurm_version();

// The node names of a node list (`scontrol show hostnames`); empty when unknown.
std::vector<std::string> node_names(const std::string &nodelist);

} // namespace study
