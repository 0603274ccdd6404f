// Finding the record files under the paths a user names.
#pragma once
#include "model.hpp"

#include <string>
#include <vector>

namespace agg {

struct ScanResult {
    std::vector<std::string> files;  // sorted, each once
    size_t ignored = 0;              // regular files below a directory not named *.json
};

// Each path is a record file (taken whatever its name) or a directory searched
// recursively for *.json. Names starting with '.' are skipped (the atomic
// writer's temporaries, hidden directories); symbolic links to directories are
// not followed. A missing path, an unreadable directory or one without any
// record file adds a problem.
ScanResult find_record_files(const std::vector<std::string> &paths, std::vector<Problem> &problems);

} // namespace agg
