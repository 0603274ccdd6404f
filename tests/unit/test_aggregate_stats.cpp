// pyimport-aggregate's statistics against values computed by hand (and, where
// the arithmetic is long, against scipy 1.10 and R's statpsych, noted by each).
#include "../../helper/aggregate/compare.hpp"
#include "../../helper/aggregate/stats.hpp"
#include "unit_support.hpp"

#include <cmath>

using namespace agg;

namespace {
void near(double actual, double expected, double tolerance, const char *what) {
    cr_assert(std::fabs(actual - expected) <= tolerance, "%s: got %.12g, expected %.12g", what, actual, expected);
}
} // namespace

// ---- descriptive ------------------------------------------------------------

Test(aggregate_stats, summary_of_eight_values) {
    // 1 1 2 3 4 5 6 9: median (3+4)/2; mean 31/8; sd sqrt(52.875/7);
    // p95 at h = 7 * 0.95 = 6.65 between 6 and 9: 6 + 0.65 * 3 = 7.95.
    Summary s = summary_of({3, 1, 4, 1, 5, 9, 2, 6});
    cr_assert_eq(s.n, 8u);
    near(s.median, 3.5, 1e-12, "median");
    near(s.mean, 3.875, 1e-12, "mean");
    near(s.sd, std::sqrt(52.875 / 7), 1e-12, "sd");
    near(s.min, 1, 0, "min");
    near(s.max, 9, 0, "max");
    near(s.p95, 7.95, 1e-12, "p95");
}

Test(aggregate_stats, odd_count_median_and_single_value) {
    near(median({5, 1, 3}), 3, 0, "median of 3");
    Summary one = summary_of({2.5});
    near(one.median, 2.5, 0, "median");
    near(one.p95, 2.5, 0, "p95");
    cr_assert(std::isnan(one.sd), "sd of one value is not defined");
}

Test(aggregate_stats, empty_is_nan_not_zero) {
    Summary s = summary_of({});
    cr_assert_eq(s.n, 0u);
    cr_assert(std::isnan(s.median) && std::isnan(s.mean) && std::isnan(s.min) && std::isnan(s.max));
    cr_assert(std::isnan(median({})));
}

Test(aggregate_stats, quantiles_interpolate_between_order_statistics) {
    std::vector<double> v{10, 20, 30, 40, 50};
    near(quantile_sorted(v, 0), 10, 0, "q0");
    near(quantile_sorted(v, 1), 50, 0, "q1");
    near(quantile_sorted(v, 0.25), 20, 1e-12, "q.25");
    near(quantile_sorted(v, 0.1), 14, 1e-12, "q.1");  // h = 0.4: 10 + 0.4 * 10
}

// ---- distributions ------------------------------------------------------------

Test(aggregate_stats, normal_distribution) {
    near(normal_cdf(0), 0.5, 1e-15, "cdf(0)");
    near(normal_quantile(0.975), 1.959963984540054, 1e-12, "z(.975)");     // scipy norm.ppf
    near(normal_quantile(0.001), -3.090232306167813, 1e-11, "z(.001)");
    near(normal_quantile(1 - 1e-7), 5.199337582290661, 1e-9, "z(1-1e-7)");
    near(normal_cdf(normal_quantile(0.3)), 0.3, 1e-14, "round trip");
}

Test(aggregate_stats, binomial_half) {
    near(binomial_half_cdf(3, 10), 176.0 / 1024, 1e-15, "P(X<=3), n=10");  // (1+10+45+120)/1024
    near(binomial_half_cdf(40, 100), 0.02844396682049044, 1e-13, "P(X<=40), n=100");  // scipy binom.cdf
    near(binomial_half_cdf(-1, 5), 0, 0, "below 0");
    near(binomial_half_cdf(5, 5), 1, 0, "all");
}

// ---- Mann-Whitney U -------------------------------------------------------------

Test(aggregate_stats, mann_whitney_separated_samples_exact) {
    // Every y above every x: U = 0; of the C(6,3) = 20 orders one is this
    // extreme on each side, so p = 2/20.
    MannWhitney r = mann_whitney_u({1, 2, 3}, {4, 5, 6});
    cr_assert(r.exact);
    near(r.u, 0, 0, "U");
    near(r.p, 0.1, 1e-12, "p");
    near(mann_whitney_u({4, 5, 6}, {1, 2, 3}).u, 9, 0, "U of the other side");
}

Test(aggregate_stats, mann_whitney_overlapping_exact) {
    // Pairs with x above y: 1.1>0.5; 2.2>0.5; 3.3>0.5,2.5; 4.4>0.5,2.5: U = 6.
    MannWhitney r = mann_whitney_u({1.1, 2.2, 3.3, 4.4}, {0.5, 2.5, 5.5, 6.5, 7.5});
    cr_assert(r.exact);
    near(r.u, 6, 0, "U");
    near(r.p, 0.4126984126984127, 1e-12, "p");  // scipy method='exact'
}

Test(aggregate_stats, mann_whitney_ties_use_the_normal_approximation) {
    // Midranks for the ties; U = 9 (scipy: asymptotic with continuity correction).
    MannWhitney r = mann_whitney_u({1, 2, 2, 3, 4, 5}, {2, 3, 3, 6, 7, 8, 9});
    cr_assert(!r.exact);
    near(r.u, 9, 1e-12, "U");
    near(r.p, 0.09667054340670089, 1e-12, "p");
}

Test(aggregate_stats, mann_whitney_large_samples) {
    const std::vector<double> a{1.10924,  1.279521, 1.104211, 0.676416, 1.312071, 1.143293, 0.851219, 1.190455,
                                1.115577, 1.09225,  1.008563, 1.178231, 0.801768, 0.952302, 0.865337, 1.196803,
                                1.011988, 0.916002, 0.790909, 0.925744, 1.002446, 0.920645, 1.474353, 1.352585,
                                0.443371, 0.567393, 0.948919, 0.881036, 1.066191, 1.067369};
    const std::vector<double> b{2.305625, 0.874935, 1.09059,  2.254282, 1.482917, 1.490213, 1.046863, 0.744962,
                                1.284333, 1.262008, 0.84518,  0.995044, 1.195288, 0.91996,  1.18592,  1.256896,
                                1.234512, 1.049289, 1.459545, 1.59576,  1.344812, 0.955549, 1.521194, 1.050817,
                                1.590023, 0.885559, 1.606954, 1.214073, 0.839772, 1.111633};
    MannWhitney r = mann_whitney_u(a, b);  // 60 values: beyond the exact limit
    cr_assert(!r.exact);
    near(r.u, 273, 0, "U");
    near(r.p, 0.009068760993273545, 1e-12, "p");  // scipy asymptotic, continuity correction
}

Test(aggregate_stats, mann_whitney_degenerate) {
    MannWhitney same = mann_whitney_u({2, 2, 2}, {2, 2});
    near(same.p, 1, 0, "all tied");
    MannWhitney empty = mann_whitney_u({}, {1, 2});
    near(empty.p, 1, 0, "empty sample");
}

// ---- the ratio of medians -------------------------------------------------------

Test(aggregate_stats, ratio_of_medians_interval) {
    // The example of R statpsych's ci.ratio.median2 (Bonett & Price):
    // 43 / 37 = 1.162162, 95% interval 0.927667 .. 1.455933.
    std::vector<double> y1{36, 44, 47, 42, 49, 39, 46, 31, 33, 48};
    std::vector<double> y2{32, 39, 26, 35, 43, 27, 40, 37, 34, 29, 49, 42, 40};
    RatioInterval r = median_ratio_interval(y1, y2, 0.95);
    cr_assert(r.valid);
    near(r.ratio, 43.0 / 37.0, 1e-12, "ratio");
    near(r.low, 0.927667, 5e-7, "low");
    near(r.high, 1.455933, 5e-7, "high");
}

Test(aggregate_stats, ratio_needs_positive_values) {
    cr_assert(!median_ratio_interval({0, 1, 2}, {1, 2, 3}, 0.95).valid);
    cr_assert(!median_ratio_interval({}, {1, 2, 3}, 0.95).valid);
}

// ---- the verdict ------------------------------------------------------------------

Test(aggregate_stats, verdict_container_faster) {
    Comparison c = compare_modes({10, 11, 12, 13, 14, 15}, {5, 5.5, 6, 6.5, 7, 7.5}, {}, "gaggles");
    cr_assert(c.judged);
    near(c.ratio.ratio, 6.25 / 12.5, 1e-12, "container / conda");
    unit::expect_message(c.verdict, {"container faster, 2.00x", "p = 0.002"});  // exact: 2/C(12,6) = 2/924
}

Test(aggregate_stats, verdict_conda_faster_and_no_difference) {
    unit::expect_message(compare_modes({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}, {}, "gaggles").verdict, {"conda faster"});
    unit::expect_message(compare_modes({1, 3, 5, 7, 9}, {2, 4, 6, 8, 10}, {}, "gaggles").verdict,
                         {"no significant difference"});
}

Test(aggregate_stats, no_verdict_on_thin_data) {
    Comparison c = compare_modes({1, 2, 3}, {4, 5, 6, 7, 8}, {}, "runs");
    cr_assert(!c.judged);
    unit::expect_message(c.verdict, {"no verdict", "too few runs", "3 conda", "5 container", "at least 5"});
    ComparisonSettings looser;
    looser.min_samples = 3;
    cr_assert(compare_modes({1, 2, 3}, {4, 5, 6, 7, 8}, looser, "runs").judged);
}
