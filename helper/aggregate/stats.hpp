// Descriptive statistics for the tables.
#pragma once
#include <cstddef>
#include <vector>

namespace agg {

struct Summary {
    size_t n = 0;
    // NaN when n is 0; sd (sample standard deviation, n - 1) is NaN below 2.
    double median, mean, sd, min, p95, max;
};

// All of Summary for `values` (taken by value; linear time, by selection).
Summary summary_of(std::vector<double> values);

// The q-quantile of sorted values, interpolating linearly between order
// statistics (R's type 7, numpy's default); NaN when empty.
double quantile_sorted(const std::vector<double> &sorted, double q);

double median(std::vector<double> values);

} // namespace agg
