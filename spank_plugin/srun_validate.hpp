// In srun, sbatch and salloc: check the request before anything is launched,
// so a typo fails there, with one line, and never reaches (or drains) a node.
#pragma once
#include "site_settings.hpp"
#include "spank_api.hpp"

#include <optional>

namespace pyimport::spank {

// `site` failed means plugstack.conf is wrong, for the reason in site.error().
int srun_validate_request(const Result<SiteSettings> &site, const char *option_value);

} // namespace pyimport::spank
