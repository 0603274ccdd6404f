// The dispatcher, built as pyimport_bench.so: the SPANK entry points, loaded
// by every srun, slurmd and slurmstepd whether or not a job asks for a gaggle.
// So this file stays tiny: no C++ runtime, no exceptions, no allocation beyond
// the option's value. It registers the option, remembers its value, and
// dispatches on context into pyimport_bench_core.so (srun_*, slurmd_*,
// slurmstepd_* there), which it loads only when there is work.
// (Every srun pays for what this file links: bench case srun-overhead.)
extern "C" {
#include "core_api.h"
// SPANK_PLUGIN defines const objects, which C++ gives internal linkage:
// declared extern first, or Slurm cannot find them.
extern const char plugin_name[];
extern const char plugin_type[];
extern const unsigned int plugin_version;
extern const unsigned int spank_plugin_version;
SPANK_PLUGIN(pyimport_bench, 1)
}

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>

namespace {

char *option_value;  // NULL until --pyimport-bench is seen

// Called once in srun, twice in every slurmstepd: idempotent.
int on_option(int, const char *optarg, int) {
    free(option_value);
    option_value = strdup(optarg ? optarg : "");
    return option_value ? 0 : -1;
}

constexpr char kUsage[] = "Before the tasks start, run N Python interpreters at once on every node, "
                          "from the site's environment directory (MODE conda) or image (MODE container), "
                          "time them and write one record per node. Keys: modules=a:b, timeout=SECONDS, "
                          "label=TEXT, sync=off, importtime=on. See pyimport_bench(8).";
// The usage ends with the Slurm release this file was built for: the first
// thing to check when Slurm calls the plugin incompatible.
char usage[sizeof kUsage + 48];

struct spank_option bench_option = {
    const_cast<char *>("pyimport-bench"), const_cast<char *>("MODE,N[,key=value...]"), usage, 1, 0, on_option};

// The core lives beside this file: found through our own path, never PATH.
void *load_core() {
    static void *core;
    if (core) return core;
    Dl_info self;
    char path[PATH_MAX];
    if (!dladdr(reinterpret_cast<void *>(&on_option), &self) || !self.dli_fname ||
        strlen(self.dli_fname) + sizeof PYIMPORT_CORE_FILE >= sizeof path) {
        slurm_error("pyimport_bench: cannot find where pyimport_bench.so was loaded from");
        return nullptr;
    }
    strcpy(path, self.dli_fname);
    char *slash = strrchr(path, '/');
    strcpy(slash ? slash + 1 : path, PYIMPORT_CORE_FILE);
    core = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!core) slurm_error("pyimport_bench: cannot load %s: %s", path, dlerror());
    return core;
}

int call_core(const char *function, spank_t sp, int ac, char **av, int on_failure) {
    void *core = load_core();
    void *symbol = core ? dlsym(core, function) : nullptr;
    if (!symbol) {
        if (core) slurm_error("pyimport_bench: %s lacks %s: install matching versions", PYIMPORT_CORE_FILE, function);
        return on_failure;
    }
    return reinterpret_cast<pyimport_core_fn>(symbol)(sp, ac, av, option_value);
}

bool in(spank_context_t ctx) { return spank_context() == ctx; }

} // namespace

extern "C" {

int slurm_spank_init(spank_t sp, int ac, char **av) {
    if (in(S_CTX_SLURMD)) return call_core("pyimport_core_check_settings", sp, ac, av, 0);
    snprintf(usage, sizeof usage, "%s Built for Slurm %d.%02d.%d.", kUsage, SLURM_VERSION_MAJOR(SLURM_VERSION_NUMBER),
             SLURM_VERSION_MINOR(SLURM_VERSION_NUMBER), SLURM_VERSION_MICRO(SLURM_VERSION_NUMBER));
    if (in(S_CTX_LOCAL) || in(S_CTX_REMOTE) || in(S_CTX_ALLOCATOR))
        return spank_option_register(sp, &bench_option) == ESPANK_SUCCESS ? 0 : -1;
    return 0;
}

// srun, sbatch, salloc: the options are known, nothing is launched yet.
int slurm_spank_init_post_opt(spank_t sp, int ac, char **av) {
    if (!option_value || !(in(S_CTX_LOCAL) || in(S_CTX_ALLOCATOR))) return 0;
    return call_core("pyimport_core_validate_request", sp, ac, av, -1);
}

// srun, once the allocation is granted, just before the step is launched:
// the step's common release instant goes into its environment.
int slurm_spank_local_user_init(spank_t sp, int ac, char **av) {
    if (!option_value || !in(S_CTX_LOCAL)) return 0;
    call_core("pyimport_core_set_release_instant", sp, ac, av, 0);
    return 0;
}

// slurmstepd, once per node and step, before the tasks. Fails only when the
// job ended while its gaggle ran, so that srun says the step never ran.
int slurm_spank_user_init(spank_t sp, int ac, char **av) {
    if (!option_value || !in(S_CTX_REMOTE)) return 0;
    return call_core("pyimport_core_run_gaggle", sp, ac, av, 0) < 0 ? -1 : 0;
}

} // extern "C"
