// The comparison the study is about: container against conda at one scale.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace agg {

// Standard normal distribution.
double normal_cdf(double z);
double normal_quantile(double p);  // inverse of normal_cdf, p in (0, 1)
// P(X <= k) for X ~ Binomial(n, 1/2).
double binomial_half_cdf(long k, long n);

struct MannWhitney {
    double u = 0;       // U of the first sample: pairs (x, y) with x > y, ties counting 1/2
    double p = 1;       // two-sided
    bool exact = false; // exact distribution (no ties, n1 + n2 <= kExactLimit), else normal
                        // approximation with tie and continuity correction
    static constexpr size_t kExactLimit = 50;
};
MannWhitney mann_whitney_u(const std::vector<double> &x, const std::vector<double> &y);

// median(y1) / median(y2) with the distribution-free confidence interval of
// Price & Bonett (2002) (the log-median standard errors from order statistics).
// Needs positive values; valid false when a sample is empty or not positive.
struct RatioInterval {
    double ratio = 0, low = 0, high = 0;
    bool valid = false;
};
RatioInterval median_ratio_interval(std::vector<double> y1, std::vector<double> y2, double confidence);

struct ComparisonSettings {
    size_t min_samples = 5;   // per mode; fewer: no verdict
    double alpha = 0.05;      // significance level of the test
    double confidence = 0.95; // of the ratio's interval
};

struct Comparison {
    size_t n_conda = 0, n_container = 0;
    double median_conda = 0, median_container = 0;
    RatioInterval ratio;      // container / conda
    MannWhitney test;
    bool judged = false;      // enough samples for a verdict
    std::string verdict;      // one line
};
Comparison compare_modes(const std::vector<double> &conda, const std::vector<double> &container,
                         const ComparisonSettings &settings, const char *unit_name);

} // namespace agg
