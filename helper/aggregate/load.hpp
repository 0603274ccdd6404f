// Reading record files: list, sort, then read them on several threads into a
// vector indexed by file, so the outcome never depends on the threads.
#pragma once
#include "model.hpp"

#include <string>
#include <vector>

namespace agg {

struct LoadOptions {
    unsigned threads = 0;      // 0: one per CPU
    bool samples = true;       // keep per-interpreter samples (only some tables need them)
    bool any_owner = false;    // accept records whatever their file's owner
    bool imports = true;       // keep the import times of importtime=on records (the imports table, the figure)
};

// Record files and what was read of them.
struct RecordTree {
    std::vector<std::string> files;         // sorted, each once
    size_t ignored = 0;                     // regular files below a directory not named *.json
    std::vector<NodeRecord> records;        // the valid records, in file order
    size_t bad_files = 0;                   // files that gave a problem
};

// Finds the record files under `paths` (see scan_record_files) and reads
// them. Problems of the scan come first, then one per bad file, in file order.
RecordTree load_record_tree(const std::vector<std::string> &paths, const LoadOptions &options,
                            std::vector<Problem> &problems);

} // namespace agg
