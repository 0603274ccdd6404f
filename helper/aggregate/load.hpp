// Reading record files in parallel through the record module's fast reader.
#pragma once
#include "model.hpp"

#include <string>
#include <vector>

namespace agg {

// Record files and what was read of them.
struct RecordTree {
    std::vector<std::string> files;        // sorted, each once (load_records: as given)
    size_t ignored = 0;                    // regular files below a directory not named *.json
    std::vector<const NodeRecord *> nodes;  // the valid records, in no particular order
    size_t bad_files = 0;                  // files that gave a problem

    // Moved, never copied: `nodes` point into storage_, whose chunks a move keeps in place.
    RecordTree() = default;
    RecordTree(RecordTree &&) = default;
    RecordTree &operator=(RecordTree &&) = default;

  private:
    friend class TreeLoader;
    std::vector<std::vector<NodeRecord>> storage_;  // chunks of records, never grown once addressed
};

// Finds the record files under `paths` (see scan_record_files) and reads them
// with `threads` threads (0: one per CPU) while the scan goes on. Problems of
// the scan come first, then one per bad file, in file order.
RecordTree load_record_tree(const std::vector<std::string> &paths, unsigned threads,
                            std::vector<Problem> &problems, bool samples = true);

// Reads `files` (in that order) with `threads` threads (0: one per CPU); each
// bad file adds one problem naming it, in file order.
RecordTree load_records(const std::vector<std::string> &files, unsigned threads, std::vector<Problem> &problems,
                        bool samples = true);

} // namespace agg
