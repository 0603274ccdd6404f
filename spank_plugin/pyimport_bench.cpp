// The SPANK entry points. Each one only forwards, by context, into
// pyimport::spank and makes sure no C++ exception reaches Slurm's C code.
#include "plugin_state.hpp"
#include "slurmstepd_gaggle.hpp"
#include "srun_validate.hpp"

#include <exception>

extern "C" {
// SPANK_PLUGIN defines const objects, which C++ gives internal linkage:
// declared extern first, or Slurm cannot find them.
extern const char plugin_name[];
extern const char plugin_type[];
extern const unsigned int plugin_version;
extern const unsigned int spank_plugin_version;
SPANK_PLUGIN(pyimport_bench, 1)
}

namespace {

template <typename F> int guarded(const char *callback, int on_exception, F &&body) noexcept {
    try {
        return body();
    } catch (const std::exception &e) {
        pyimport::spank::log_error(std::string(callback) + ": " + e.what());
    } catch (...) {
        pyimport::spank::log_error(std::string(callback) + ": unknown error");
    }
    return on_exception;
}

bool in(spank_context_t ctx) { return spank_context() == ctx; }

} // namespace

extern "C" {

int slurm_spank_init(spank_t sp, int ac, char **av) {
    return guarded("init", -1, [&] { return pyimport::spank::init(sp, ac, av); });
}

// srun, sbatch, salloc: the options are known here, nothing is launched yet.
int slurm_spank_init_post_opt(spank_t sp, int, char **) {
    return guarded("init_post_opt", -1, [&] {
        return in(S_CTX_LOCAL) || in(S_CTX_ALLOCATOR) ? pyimport::spank::srun_validate_request(sp) : 0;
    });
}

// slurmstepd, once per node and step, before the tasks: never fails (see there).
int slurm_spank_user_init(spank_t sp, int, char **) {
    return guarded("user_init", 0, [&] { return in(S_CTX_REMOTE) ? pyimport::spank::slurmstepd_run_gaggle(sp) : 0; });
}

} // extern "C"
