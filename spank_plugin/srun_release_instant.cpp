#include "srun_release_instant.hpp"

#include "bench_option.hpp"
#include "release_instant.hpp"
#include "sys_io.hpp"

#include <cstdlib>

namespace pyimport::spank {

int srun_set_release_instant(spank_t, const Result<SiteSettings> &site, const char *option_value) {
    // srun_validate_request has already refused a bad site or request.
    if (!site) return 0;
    auto request = parse_bench_option(option_value, request_limits(*site));
    if (!request || !request->sync) return 0;
    // Picked as late as srun can, so the margin covers the launch alone, never a wait in the queue.
    const std::string value = release_instant_value(clock_ns(CLOCK_REALTIME), site->sync_margin_ms);
    // spank_setenv is for remote contexts only; srun launches the step with its own environment.
    if (setenv(kReleaseAtVariable, value.c_str(), 1) != 0)
        log_error("cannot pass the release instant to the step: its nodes release when ready");
    return 0;
}

} // namespace pyimport::spank
