/* The floor for the load-cost benchmark: a SPANK plugin that does nothing,
 * so that srun and slurmstepd pay only for loading a plugin at all. Slurm
 * refuses a plugin that exports no callback, hence the one no-op. */
#include <slurm/spank.h>
SPANK_PLUGIN(empty_floor, 1)
int slurm_spank_init(spank_t sp, int ac, char **av) { (void)sp; (void)ac; (void)av; return 0; }
