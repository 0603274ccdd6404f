#include "srun_validate.hpp"

#include "bench_option.hpp"
#include "interpreter_command.hpp"
#include "plugin_state.hpp"

namespace pyimport::spank {

int srun_validate_request(spank_t) {
    const PluginState &s = state();
    if (!s.option_given) return 0;
    if (!s.site) {
        log_error("--pyimport-bench is unavailable: the site's configuration is wrong: " + s.site_error);
        return -1;
    }
    std::string error;
    auto request = parse_bench_option(s.option_value, {s.site->max_gaggle, s.site->timeout_s}, error);
    if (request && s.site->outdir.empty())
        error = "--pyimport-bench is unavailable: the site has not configured outdir= in plugstack.conf";
    if (request && error.empty() && build_interpreter_command(*s.site, *request, error)) return 0;
    log_error(error);
    return -1;
}

} // namespace pyimport::spank
