/* The oldest Slurm whose spank.h this plugin is written for. Slurm refuses a
 * SPANK plugin built for another release ("Incompatible plugin version"), so
 * the build must use the headers of the Slurm the site runs: a spank.h older
 * than this one stops the build here, with the reason, rather than somewhere
 * inside the plugin's code. */
#pragma once
#include <slurm/slurm_version.h>

#define PYIMPORT_OLDEST_SLURM_MAJOR 22
#define PYIMPORT_OLDEST_SLURM_MINOR 5

#if !defined(SLURM_VERSION_NUMBER) || \
    SLURM_VERSION_NUMBER < SLURM_VERSION_NUM(PYIMPORT_OLDEST_SLURM_MAJOR, PYIMPORT_OLDEST_SLURM_MINOR, 0)
#error "pyimport-bench needs the spank.h of Slurm 22.05 or newer: install the development headers (libslurm-dev, slurm-devel) of the Slurm you run"
#endif
