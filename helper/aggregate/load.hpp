// Reading record files in parallel through the record module's fast reader.
#pragma once
#include "model.hpp"
#include "record.hpp"

#include <string>
#include <vector>

namespace agg {

// What the aggregator keeps of a parsed record; the interpreters' samples only
// with `samples` (the overall table needs their counts alone).
NodeRecord node_from_record(const pyimport::Record &record, size_t file, bool samples = true);

// Reads `files` with `threads` threads (0: one per CPU). Returns the valid
// records in file order; each bad file adds one problem naming it.
std::vector<NodeRecord> load_records(const std::vector<std::string> &files, unsigned threads,
                                     std::vector<Problem> &problems, bool samples = true);

} // namespace agg
