#include "srun_validate.hpp"

#include "bench_option.hpp"
#include "interpreter_command.hpp"

namespace pyimport::spank {

int srun_validate_request(const Result<SiteSettings> &site, const char *option_value) {
    if (!site) {
        log_error("--pyimport-bench is unavailable: the site's configuration is wrong: " + site.error());
        return -1;
    }
    auto request = parse_bench_option(option_value, request_limits(*site));
    if (!request) {
        log_error(request.error());
        return -1;
    }
    if (site->outdir.empty()) {
        log_error("--pyimport-bench is unavailable: the site has not configured outdir= in plugstack.conf");
        return -1;
    }
    auto command = build_interpreter_command(*site, *request);
    if (command) return 0;
    log_error(command.error());
    return -1;
}

} // namespace pyimport::spank
