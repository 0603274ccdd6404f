// Running the study's steps: one srun per step (fork and execvp, never a
// shell), its records collected, the manifest rewritten after each one.
// SIGINT, SIGTERM and SIGHUP are forwarded to the running srun (as SIGTERM,
// which ends the step), waited for, and end the study after the manifest is written.
#pragma once
#include "manifest.hpp"
#include "site_settings.hpp"

#include <string>
#include <vector>

namespace study {

// srun --nodes=K --ntasks=K --ntasks-per-node=1 --exclusive ... --pyimport-bench=MODE,N,label=L[,modules=a:b] true
std::vector<std::string> srun_argv(const Plan &plan, const PlannedStep &step);

// Installs the handlers (before the first step, so no signal is lost).
void install_signal_handlers();
// The signal that asked the study to stop; 0 when none.
int stop_signal();

struct RunOutcome {
    size_t ran = 0, failed = 0;
    bool write_failed = false;   // the manifest could not be written: stopped
    std::string write_error;
};

// Runs every step not yet done, in order, writing the manifest after each.
RunOutcome run_steps(Manifest &manifest, const std::string &dir, const pyimport::SiteSettings &site, bool quiet);

} // namespace study
