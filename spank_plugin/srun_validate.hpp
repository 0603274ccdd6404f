// In srun, sbatch and salloc: check the request before anything is launched,
// so a typo fails there, with one line, and never reaches (or drains) a node.
#pragma once
#include "spank_api.hpp"

namespace pyimport::spank {

int srun_validate_request(spank_t sp);

} // namespace pyimport::spank
