// From node records to job steps (runs) and configurations, with the checks
// that keep a wrong number out of the tables.
#pragma once
#include "filters.hpp"
#include "model.hpp"

#include <string>
#include <vector>

namespace agg {

// Groups `nodes` (from load_record_tree's records; `files` names them) into job steps: one
// per (cluster, job id, step id), or one per file when the job id is 0 (not
// run under Slurm). A second record for the same node is skipped; a job step
// whose records disagree on mode, gaggle size, node count, modules, label or
// importtime is skipped; one missing records is kept for the per-gaggle tables but left
// out of the overall table. Each adds one problem line. Job steps the
// filters reject are counted in totals.filtered_out. Configurations of one
// mode, size and label run with different module lists are kept apart and
// reported. Appends to dataset.problems and fills dataset.configs/totals.
void group_records(const std::vector<const NodeRecord *> &nodes, const std::vector<std::string> &files,
                   const Filters &filters, Dataset &dataset);

// Adds `more` (e.g. from the 2017 study's files) to the configurations, keeping them sorted.
void merge_configs(Dataset &dataset, std::vector<ConfigData> more);

// "conda, 2 nodes x 4" and the module list / label when given: for messages.
std::string describe(const ConfigKey &key, bool with_workload = false);

} // namespace agg
