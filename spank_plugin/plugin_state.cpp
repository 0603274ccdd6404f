#include "plugin_state.hpp"

#include <vector>

namespace pyimport::spank {

PluginState &state() {
    static PluginState s;
    return s;
}

namespace {

// Runs once in srun and twice in every slurmstepd (launch message, then
// environment): storing the value is idempotent.
int on_option(int, const char *optarg, int) {
    state().option_given = true;
    state().option_value = optarg ? optarg : "";
    return 0;
}

struct spank_option bench_option = {
    const_cast<char *>("pyimport-bench"),
    const_cast<char *>("MODE,N[,key=value...]"),
    const_cast<char *>("Before the tasks start, run N Python interpreters at once on every node, "
                       "from the site's environment directory (MODE conda) or image (MODE container), "
                       "time them and write one record per node. Keys: modules=a:b, timeout=SECONDS, "
                       "label=TEXT. See pyimport_bench(8)."),
    1, 0, on_option};

} // namespace

int init(spank_t sp, int argc, char **argv) {
    PluginState &s = state();
    s.site = parse_site_settings(std::vector<std::string>(argv, argv + argc), s.site_error);
    const spank_context_t ctx = spank_context();
    // Said loudly where an administrator looks (slurmd's log at start), but a
    // wrong setting must not stop slurmd or jobs that never ask for a gaggle.
    if (!s.site && ctx == S_CTX_SLURMD) log_error(s.site_error);
    if (ctx == S_CTX_LOCAL || ctx == S_CTX_REMOTE || ctx == S_CTX_ALLOCATOR) {
        if (spank_option_register(sp, &bench_option) != ESPANK_SUCCESS) {
            log_error("cannot register --pyimport-bench");
            return -1;
        }
    }
    return 0;
}

} // namespace pyimport::spank
