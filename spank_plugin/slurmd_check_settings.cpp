#include "slurmd_check_settings.hpp"

namespace pyimport::spank {

int slurmd_check_settings(const Result<SiteSettings> &site) {
    if (!site) log_error(site.error());
    return 0;
}

} // namespace pyimport::spank
