#include "srun_validate.hpp"

#include "bench_option.hpp"
#include "interpreter_command.hpp"

namespace pyimport::spank {

int srun_validate_request(const std::optional<SiteSettings> &site, const std::string &site_error,
                          const char *option_value) {
    if (!site) {
        log_error("--pyimport-bench is unavailable: the site's configuration is wrong: " + site_error);
        return -1;
    }
    std::string error;
    auto request = parse_bench_option(option_value, {site->max_gaggle, site->timeout_s}, error);
    if (request && site->outdir.empty())
        error = "--pyimport-bench is unavailable: the site has not configured outdir= in plugstack.conf";
    if (request && error.empty() && build_interpreter_command(*site, *request, error)) return 0;
    log_error(error);
    return -1;
}

} // namespace pyimport::spank
