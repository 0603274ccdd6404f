// State one process of the plugin keeps between callbacks (srun, slurmd or
// slurmstepd each load their own copy): the option's value and the site's
// settings. Option callbacks get no spank_t, hence file-static state.
#pragma once
#include "site_settings.hpp"
#include "spank_api.hpp"

#include <optional>
#include <string>

namespace pyimport::spank {

struct PluginState {
    bool option_given = false;
    std::string option_value;
    std::optional<SiteSettings> site;  // unset when plugstack.conf is wrong
    std::string site_error;            // why it is unset
};

PluginState &state();

// init in every context: parse plugstack.conf, register --pyimport-bench.
int init(spank_t sp, int argc, char **argv);

} // namespace pyimport::spank
