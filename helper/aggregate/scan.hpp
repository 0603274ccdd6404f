// Finding the record files under the paths a user names.
#pragma once
#include "model.hpp"

#include <string>
#include <vector>

namespace agg {

struct FoundFile {
    std::string path;      // as shown to the user
    int root = -1;         // the listed directory's descriptor (ScanResult::roots); -1: named by the user
    std::string relative;  // below `root`, when listed
};

// Directories other users may write are listed and read through descriptors,
// never through a path a link could redirect: each named directory is opened
// once (here a link is followed: the user named it), everything below it is
// reached with openat2 and no symbolic link at all.
class ScanResult {
  public:
    ScanResult() = default;
    ~ScanResult();
    ScanResult(const ScanResult &) = delete;
    ScanResult &operator=(const ScanResult &) = delete;

    std::vector<FoundFile> files;  // sorted by path, each once
    size_t ignored = 0;            // regular files below a directory not named *.json
    std::vector<int> roots;        // open directory descriptors, closed with the result
};

// Each path is a record file (taken whatever its name) or a directory searched
// recursively for *.json. Names starting with '.' are skipped (the atomic
// writer's temporaries, hidden directories); symbolic links below a named
// directory are not followed, and one named *.json is listed so that the
// reader reports it. A missing path, an unreadable directory or one without
// any record file adds a problem.
void scan_record_files(const std::vector<std::string> &paths, ScanResult &result, std::vector<Problem> &problems);

} // namespace agg
