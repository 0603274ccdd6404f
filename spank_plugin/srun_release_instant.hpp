// In srun, once the allocation is there and just before the step is launched:
// pick the step's common release instant and put it into the environment the
// step's nodes receive.
#pragma once
#include "site_settings.hpp"
#include "spank_api.hpp"

namespace pyimport::spank {

// Always 0: without an instant the nodes release when ready and say why.
int srun_set_release_instant(spank_t sp, const Result<SiteSettings> &site, const char *option_value);

} // namespace pyimport::spank
