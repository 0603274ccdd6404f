#include "stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace agg {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

double quantile_sorted(const std::vector<double> &sorted, double q) {
    if (sorted.empty()) return kNaN;
    double h = double(sorted.size() - 1) * q;
    size_t lo = size_t(std::floor(h));
    size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (h - double(lo)) * (sorted[hi] - sorted[lo]);
}

namespace {

// The q-quantile as quantile_sorted would give it, in linear time: the two
// order statistics around h = (n - 1) q by selection (reorders `values`).
double quantile_unsorted(std::vector<double> &values, double q) {
    if (values.empty()) return kNaN;
    double h = double(values.size() - 1) * q;
    size_t lo = size_t(std::floor(h));
    std::nth_element(values.begin(), values.begin() + long(lo), values.end());
    double a = values[lo];
    if (lo + 1 >= values.size()) return a;
    double b = *std::min_element(values.begin() + long(lo) + 1, values.end());
    return a + (h - double(lo)) * (b - a);
}

} // namespace

double median(std::vector<double> values) { return quantile_unsorted(values, 0.5); }

Summary summary_of(std::vector<double> values) {
    Summary s;
    s.n = values.size();
    s.median = s.mean = s.sd = s.min = s.p95 = s.max = kNaN;
    if (values.empty()) return s;
    double sum = 0;
    s.min = s.max = values.front();
    for (double v : values) {
        sum += v;
        s.min = std::min(s.min, v);
        s.max = std::max(s.max, v);
    }
    s.mean = sum / double(s.n);
    if (s.n > 1) {
        double squares = 0;
        for (double v : values) squares += (v - s.mean) * (v - s.mean);
        s.sd = std::sqrt(squares / double(s.n - 1));
    }
    s.p95 = quantile_unsorted(values, 0.95);
    s.median = quantile_unsorted(values, 0.5);
    return s;
}

} // namespace agg
