// pyimport_bench_core.so's C entry points (see core_api.h). Each parses the
// site's settings and forwards into pyimport::spank; no C++ exception ever
// reaches the entry .so or Slurm.
#include "core_api.h"
#include "slurmd_check_settings.hpp"
#include "slurmstepd_gaggle.hpp"
#include "spank_api.hpp"
#include "srun_release_instant.hpp"
#include "srun_validate.hpp"

#include <exception>
#include <vector>

namespace {

using pyimport::SiteSettings;

template <typename F> int guarded(const char *what, int on_exception, F &&body) noexcept {
    try {
        return body();
    } catch (const std::exception &e) {
        pyimport::spank::log_error(std::string(what) + ": " + e.what());
    } catch (...) {
        pyimport::spank::log_error(std::string(what) + ": unknown error");
    }
    return on_exception;
}

pyimport::Result<SiteSettings> settings(int argc, char **argv) {
    return pyimport::parse_site_settings(std::vector<std::string>(argv, argv + argc));
}

} // namespace

extern "C" {

int pyimport_core_check_settings(spank_t, int argc, char **argv, const char *) {
    return guarded("checking plugstack.conf", 0, [&] {
        return pyimport::spank::slurmd_check_settings(settings(argc, argv));
    });
}

int pyimport_core_validate_request(spank_t, int argc, char **argv, const char *option_value) {
    return guarded("checking --pyimport-bench", -1, [&] {
        return pyimport::spank::srun_validate_request(settings(argc, argv), option_value);
    });
}

int pyimport_core_set_release_instant(spank_t sp, int argc, char **argv, const char *option_value) {
    return guarded("choosing the release instant", 0, [&] {
        return pyimport::spank::srun_set_release_instant(sp, settings(argc, argv), option_value);
    });
}

int pyimport_core_run_gaggle(spank_t sp, int argc, char **argv, const char *option_value) {
    return guarded("gaggle", 0, [&] {
        return pyimport::spank::slurmstepd_run_gaggle(sp, settings(argc, argv), option_value);
    });
}

} // extern "C"
