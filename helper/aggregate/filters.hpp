// Which job steps the tables use: by job, mode, node count, gaggle size,
// module list, label and date range.
#pragma once
#include "model.hpp"

#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agg {

// "4", "1,4,16", "10-80": whole numbers (pyimport::parse_bounded_int) and
// inclusive ranges; empty set = any.
struct NumberSet {
    std::vector<std::pair<long long, long long>> ranges;
    bool any() const { return ranges.empty(); }
    bool contains(long long n) const;
};
std::optional<NumberSet> parse_number_set(std::string_view text, long long lo, long long hi);

// A point in time as Unix nanoseconds, UTC: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM",
// "YYYY-MM-DDTHH:MM:SS" (a space may stand for the T) or "@SECONDS".
// With end_of_period, a date without seconds means the end of that day or
// minute (for --until).
std::optional<int64_t> parse_time(std::string_view text, bool end_of_period);

struct Filters {
    NumberSet jobs, nodes, gaggles;
    std::optional<Mode> mode;
    std::optional<std::string> language;  // python, r or perl
    std::optional<std::string> label;    // "" matches runs without a label
    std::optional<std::string> modules;  // joined with ' ', like NodeRecord::modules
    int64_t since_ns = INT64_MIN, until_ns = INT64_MAX;

    bool matches(const ConfigKey &key, uint32_t job_id, int64_t start_ns) const;
};

} // namespace agg
