// In slurmd, once at start: check the site's settings (plugstack.conf) and
// say loudly, in slurmd's log, what is wrong with them.
#pragma once
#include "site_settings.hpp"
#include "spank_api.hpp"

#include <optional>

namespace pyimport::spank {

// `site` failed means plugstack.conf is wrong, for the reason in site.error().
// Always returns 0: a wrong setting must not stop slurmd or the jobs that
// never ask for a gaggle (those that do fail in srun with the same line).
int slurmd_check_settings(const Result<SiteSettings> &site);

} // namespace pyimport::spank
