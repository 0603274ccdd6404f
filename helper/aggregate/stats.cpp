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

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return quantile_sorted(values, 0.5);
}

Summary summarize(std::vector<double> values) {
    Summary s;
    s.n = values.size();
    s.median = s.mean = s.sd = s.min = s.p95 = s.max = kNaN;
    if (values.empty()) return s;
    std::sort(values.begin(), values.end());
    double sum = 0;
    for (double v : values) sum += v;
    s.mean = sum / double(s.n);
    if (s.n > 1) {
        double squares = 0;
        for (double v : values) squares += (v - s.mean) * (v - s.mean);
        s.sd = std::sqrt(squares / double(s.n - 1));
    }
    s.min = values.front();
    s.max = values.back();
    s.median = quantile_sorted(values, 0.5);
    s.p95 = quantile_sorted(values, 0.95);
    return s;
}

} // namespace agg
