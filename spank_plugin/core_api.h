/* The C interface between pyimport_bench.so (the entry Slurm loads into every
 * srun, slurmd and slurmstepd) and pyimport_bench_core.so (the real work,
 * loaded only when a job asks for a gaggle, or by slurmd to check the site's
 * settings). Each function gets the plugstack.conf arguments and the option's
 * value (NULL when not given) and returns a SPANK callback result. */
#pragma once
#include <slurm/spank.h>

#include "slurm_version_check.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PYIMPORT_CORE_FILE "pyimport_bench_core.so"

typedef int (*pyimport_core_fn)(spank_t sp, int argc, char **argv, const char *option_value);

/* slurmd at start: log a wrong plugstack.conf loudly, never fail. */
int pyimport_core_check_settings(spank_t sp, int argc, char **argv, const char *option_value);
/* srun, sbatch, salloc: -1 with one clear line for a bad request. */
int pyimport_core_validate_request(spank_t sp, int argc, char **argv, const char *option_value);
/* srun, after the allocation, before the launch: the step's release instant; always 0. */
int pyimport_core_set_release_instant(spank_t sp, int argc, char **argv, const char *option_value);
/* slurmstepd user_init: run the gaggle, write the record; always 0. */
int pyimport_core_run_gaggle(spank_t sp, int argc, char **argv, const char *option_value);

#ifdef __cplusplus
}
#endif
