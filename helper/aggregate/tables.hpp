// The tables pyimport-aggregate prints, built from a dataset.
#pragma once
#include "compare.hpp"
#include "model.hpp"
#include "table.hpp"

#include <string>
#include <vector>

namespace agg {

// What the comparison's samples are.
enum class CompareOn { gaggle, interpreter, run };
const char *compare_on_name(CompareOn on);

struct TableChoice {
    bool overall = true, interpreters = true, gaggles = true, compare = true, runs = false;
};

struct TableOptions {
    TableChoice which;
    CompareOn compare_on = CompareOn::gaggle;
    ComparisonSettings settings;
};

// The workloads (module list + label) of the dataset in order, tagged A, B, ...
struct Workload {
    std::string tag, modules, label;
};
std::vector<Workload> workloads(const Dataset &data);

// In this order: workloads (when more than one), overall, interpreters,
// gaggles, compare, runs; each only when chosen.
std::vector<Table> build_tables(const Dataset &data, const TableOptions &options);

// The comparison for each scale present in both modes (used by the table and the tests).
struct ScaleComparison {
    ConfigKey conda_key;  // the conda configuration of the pair
    Comparison result;
};
std::vector<ScaleComparison> compare_scales(const Dataset &data, CompareOn on, const ComparisonSettings &settings);

} // namespace agg
