// Finding the record files under the paths a user names.
#pragma once
#include "model.hpp"

#include <functional>
#include <string>
#include <vector>

namespace agg {

// Each path is a record file (taken whatever its name) or a directory searched
// recursively for *.json. Names starting with '.' are skipped (the atomic
// writer's temporaries, hidden directories); symbolic links to directories are
// not followed. Each file is handed to `found` as it is found (in no
// particular order, and a file twice if two paths reach it); a missing path,
// an unreadable directory or one without any record file adds a problem.
// Returns how many regular files below a directory were not named *.json.
size_t scan_record_files(const std::vector<std::string> &paths, std::vector<Problem> &problems,
                         const std::function<void(std::string)> &found);

} // namespace agg
