// The tables pyimport-aggregate prints, built from a dataset.
#pragma once
#include "compare.hpp"
#include "key_columns.hpp"  // Workload, workloads()
#include "model.hpp"
#include "table.hpp"

#include <string>
#include <vector>

namespace agg {

// What the comparison's samples are.
enum class CompareOn { gaggle, interpreter, run };
const char *compare_on_name(CompareOn on);

// Whether a table that exists only for some records (import times, cgroups)
// is printed: never, when some record has its figures, or always (then with a
// note saying why it is empty).
enum class Show { no, if_present, yes };

struct TableChoice {
    bool overall = true, interpreters = true, gaggles = true, compare = true, runs = false;
    Show imports = Show::if_present, cgroup = Show::if_present;
};

struct TableOptions {
    TableChoice which;
    CompareOn compare_on = CompareOn::gaggle;
    ComparisonSettings settings;
};

// In this order: workloads (when more than one), overall, interpreters,
// gaggles, compare, imports, cgroup, runs; each only when chosen.
std::vector<Table> build_tables(const Dataset &data, const TableOptions &options);

// The comparison for each scale present in both modes (used by the table and the tests).
struct ScaleComparison {
    ConfigKey conda_key;  // the conda configuration of the pair
    Comparison result;
};
std::vector<ScaleComparison> compare_scales(const Dataset &data, CompareOn on, const ComparisonSettings &settings);

} // namespace agg
