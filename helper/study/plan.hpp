// The study's plan: the grid of cells (nodes, gaggle size, mode), repeated,
// checked against the allocation and the site, and put in a randomised block
// order that a seed replays.
#pragma once
#include "result.hpp"
#include "site_settings.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace study {

// What the user asked for; an empty list or 0 means "the default".
struct PlanRequest {
    std::vector<int> nodes, gaggles;
    std::vector<std::string> modes;   // "conda", "container"
    int repeat = 0;
    std::optional<uint64_t> seed;
    std::optional<std::vector<std::string>> modules;  // nullopt: the site's default list
    std::optional<std::string> label;
    std::optional<std::string> language;  // python (default), r or perl
};

// The allocation the study runs in (from SLURM_JOB_*).
struct Allocation {
    uint32_t job_id = 0;
    int node_count = 0;
    std::string nodelist;            // SLURM_JOB_NODELIST, e.g. "n[1-4]"
};

// One step of the study: one srun.
struct Cell {
    int nodes = 0, gaggle = 0;
    std::string mode;
    bool operator==(const Cell &o) const { return nodes == o.nodes && gaggle == o.gaggle && mode == o.mode; }
    bool operator<(const Cell &o) const;
};
struct PlannedStep {
    Cell cell;
    int repeat = 0;   // 1-based; also the block it belongs to
};

// A plan fully resolved: every value explicit.
struct Plan {
    std::vector<int> nodes, gaggles;
    std::vector<std::string> modes;
    int repeat = 3;
    uint64_t seed = 0;               // below 2^63 (a JSON integer)
    std::vector<std::string> modules;  // empty: the site's default list (the language's package names)
    std::string label = "study";
    std::string language = "python";   // lang= of every step
    std::vector<PlannedStep> steps;  // in the order they run
};

inline constexpr int kDefaultRepeat = 3;
inline constexpr int kMaxRepeat = 1000;
inline constexpr uint64_t kMaxSeed = (uint64_t(1) << 63) - 1;
extern const std::vector<int> kDefaultGaggles;  // the 2017 study's: 1, 2, 4, 8, 16

// Powers of two up to `count`, and `count` itself: 1 -> 1; 3 -> 1,2,3; 8 -> 1,2,4,8.
std::vector<int> default_node_counts(int count);

// A fresh seed (getrandom), below 2^63.
uint64_t fresh_seed();

// Fills in defaults, checks every value against the allocation and the site
// and orders the steps. Fails with one line naming the value and what is
// allowed. `site` is null when the site is not known (no check of modes and
// sizes against it).
pyimport::Result<Plan> make_plan(const PlanRequest &request, const Allocation &alloc,
                                 const pyimport::SiteSettings *site);

// The block order: for each repetition (a block) every (nodes, gaggle) pair
// once, the pairs shuffled, the modes of a pair back to back in a random
// order. Only std::mt19937_64's output is used (its sequence is standardised),
// so a seed gives the same order everywhere.
std::vector<PlannedStep> block_order(const std::vector<int> &nodes, const std::vector<int> &gaggles,
                                     const std::vector<std::string> &modes, int repeat, uint64_t seed);

// A guess of a step's seconds before anything has been measured: 2 s for
// srun plus 3.5 s per interpreter of the gaggle (the default modules on
// 2 cores, README's measurements; interpreters of one node share its CPUs).
double estimate_step_seconds(const Cell &cell);
double estimate_plan_seconds(const Plan &plan);

// "1,2,4" and friends, for messages and the manifest.
std::string join_ints(const std::vector<int> &values, const char *sep = ",");
std::string join_words(const std::vector<std::string> &values, const char *sep = ",");
std::string cell_text(const Cell &cell);  // "conda nodes=2 gaggle=4"

} // namespace study
