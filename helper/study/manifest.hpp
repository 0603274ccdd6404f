// DIR/manifest.json, format "pyimport-study-manifest" version 1
// (pyimport-study-manifest(5)): the plan, the allocation, and every step's
// srun argv, times, exit status, job and step id and record copies. Written
// whole after every step (a temporary and a rename), so an interrupted study
// always leaves a consistent one, and a second run resumes from it.
#pragma once
#include "result.hpp"
#include "plan.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace study {

inline constexpr const char *kManifestFormat = "pyimport-study-manifest";
inline constexpr int kManifestVersion = 1;
inline constexpr const char *kManifestName = "manifest.json";
inline constexpr const char *kRecordsDir = "records";

enum class StepState { pending, done, failed, interrupted };
const char *state_name(StepState state);

struct StepRun {
    PlannedStep planned;
    StepState state = StepState::pending;
    std::vector<std::string> argv;          // srun's
    std::string start_utc, end_utc;         // "" until it ran
    int exit_status = -1;                   // srun's exit status, 128+N for signal N; -1 never ran
    uint32_t job_id = 0;
    int64_t step_id = -1;                   // -1: unknown (no record found)
    std::vector<std::string> records;       // "records/NAME", relative to the study's directory
    std::string problem;                    // why the step failed, one line; "" when done
};

struct Manifest {
    Plan plan;
    Allocation allocation;                  // the latest one the study ran in
    std::string site_outdir;                // where the plugin wrote the records
    std::string slurm_version;
    std::vector<std::string> node_names;
    std::string started_utc, updated_utc, finished_utc;
    std::vector<StepRun> steps;             // plan.steps, with what happened to each
};

// A manifest for a plan that has not run yet.
Manifest fresh_manifest(const Plan &plan);

std::string manifest_to_json(const Manifest &manifest);
pyimport::Result<Manifest> manifest_from_json(const std::string &text);

// DIR/manifest.json: an empty optional when there is none, a failure when it
// cannot be read or is not a manifest.
pyimport::Result<std::optional<Manifest>> load_manifest(const std::string &dir);
// Atomically, replacing the earlier version. Fails with one line.
pyimport::Result<void> save_manifest(const std::string &dir, const Manifest &manifest);

// Succeeds when the explicitly given options agree with the manifest's plan,
// else fails with one line naming the first option that differs.
pyimport::Result<void> plan_difference(const Plan &existing, const PlanRequest &given);
// The request to rebuild the existing plan: given values, the manifest's for the rest.
PlanRequest resume_request(const Plan &existing, const PlanRequest &given);

// Done: srun exited 0 and a record of each of its nodes is in DIR/records.
bool step_is_done(const StepRun &step, const std::string &dir);
// The indices of the steps still to run, in order.
std::vector<size_t> steps_to_run(const Manifest &manifest, const std::string &dir);

// Cells all of whose steps ran and failed: one line each ("" when none).
std::vector<std::string> failed_cells(const Manifest &manifest);

// Now as "YYYY-MM-DDTHH:MM:SSZ".
std::string utc_now();

} // namespace study
