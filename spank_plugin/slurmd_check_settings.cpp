#include "slurmd_check_settings.hpp"

namespace pyimport::spank {

int slurmd_check_settings(const std::optional<SiteSettings> &site, const std::string &site_error) {
    if (!site) log_error(site_error);
    return 0;
}

} // namespace pyimport::spank
