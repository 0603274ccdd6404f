#include "compare.hpp"

#include "stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace agg {

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

double normal_quantile(double p) {
    // Acklam's rational approximation, then one Halley step against erfc.
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                               1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                               6.680131188771972e+01,  -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                               -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
    if (!(p > 0 && p < 1)) return p == 0 ? -HUGE_VAL : p == 1 ? HUGE_VAL : NAN;
    double x;
    if (p < 0.02425 || p > 1 - 0.02425) {
        double q = std::sqrt(-2 * std::log(p < 0.5 ? p : 1 - p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        if (p > 0.5) x = -x;
    } else {
        double q = p - 0.5, r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
    double e = normal_cdf(x) - p;
    double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
    return x - u / (1 + x * u / 2);
}

double binomial_half_cdf(long k, long n) {
    if (k < 0) return 0;
    if (k >= n) return 1;
    // Sum the terms from k down in log space; they shrink fast away from n/2.
    const double log_half_n = double(n) * std::log(0.5), lgn = std::lgamma(double(n) + 1);
    double sum = 0;
    for (long i = k; i >= 0; --i) {
        double term = std::exp(lgn - std::lgamma(double(i) + 1) - std::lgamma(double(n - i) + 1) + log_half_n);
        sum += term;
        if (term < sum * 1e-17) break;
    }
    return std::min(sum, 1.0);
}

namespace {

// Number of arrangements of m x's and n y's for each U (x above y count), no ties.
std::vector<double> u_distribution(size_t m, size_t n) {
    // f[j][u] for the first i x's and j y's; rolled over i.
    std::vector<std::vector<double>> prev(n + 1), cur(n + 1);
    for (size_t j = 0; j <= n; ++j) prev[j] = {1.0};  // i = 0: one way, U = 0
    for (size_t i = 1; i <= m; ++i) {
        cur[0] = {1.0};
        for (size_t j = 1; j <= n; ++j) {
            // The largest value is an x (adds j to U) or a y.
            cur[j].assign(i * j + 1, 0.0);
            for (size_t u = 0; u < prev[j].size(); ++u) cur[j][u + j] += prev[j][u];
            for (size_t u = 0; u < cur[j - 1].size(); ++u) cur[j][u] += cur[j - 1][u];
        }
        std::swap(prev, cur);
    }
    return prev[n];
}

} // namespace

MannWhitney mann_whitney_u(const std::vector<double> &x, const std::vector<double> &y) {
    MannWhitney r;
    const size_t n1 = x.size(), n2 = y.size(), n = n1 + n2;
    if (n1 == 0 || n2 == 0) return r;
    std::vector<std::pair<double, bool>> all;  // value, from x
    all.reserve(n);
    for (double v : x) all.emplace_back(v, true);
    for (double v : y) all.emplace_back(v, false);
    std::sort(all.begin(), all.end());
    double rank_sum_x = 0, tie_term = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && all[j].first == all[i].first) ++j;
        double t = double(j - i), mid_rank = (double(i) + double(j) + 1) / 2;
        for (size_t k = i; k < j; ++k)
            if (all[k].second) rank_sum_x += mid_rank;
        tie_term += t * t * t - t;
        i = j;
    }
    const double nn1 = double(n1), nn2 = double(n2);
    r.u = rank_sum_x - nn1 * (nn1 + 1) / 2;
    const double u_small = std::min(r.u, nn1 * nn2 - r.u);
    if (tie_term == 0 && n <= MannWhitney::kExactLimit) {
        auto counts = u_distribution(n1, n2);
        double total = 0, tail = 0;
        for (size_t u = 0; u < counts.size(); ++u) {
            total += counts[u];
            if (double(u) <= u_small) tail += counts[u];
        }
        r.exact = true;
        r.p = std::min(1.0, 2 * tail / total);
        return r;
    }
    const double mean = nn1 * nn2 / 2;
    const double nd = double(n);
    const double var = nn1 * nn2 / 12 * ((nd + 1) - tie_term / (nd * (nd - 1)));
    if (var <= 0) return r;  // every value the same: p = 1
    const double z = (std::fabs(r.u - mean) - 0.5) / std::sqrt(var);
    r.p = std::min(1.0, 2 * normal_cdf(-std::max(z, 0.0)));
    return r;
}

namespace {

// Standard error of the log median of sorted positive values (Price & Bonett).
double log_median_se(const std::vector<double> &sorted) {
    const long n = long(sorted.size());
    long a = std::max(1L, long(std::nearbyint(double(n) / 2 - std::sqrt(double(n)))));
    double z0 = normal_quantile(1 - binomial_half_cdf(a - 1, n));
    return (std::log(sorted[size_t(n - a)]) - std::log(sorted[size_t(a - 1)])) / (2 * z0);
}

std::string fixed(double v, int digits) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

std::string p_text(double p) { return p < 0.001 ? "p < 0.001" : "p = " + fixed(p, 3); }

} // namespace

RatioInterval median_ratio_interval(std::vector<double> y1, std::vector<double> y2, double confidence) {
    RatioInterval r;
    if (y1.empty() || y2.empty()) return r;
    std::sort(y1.begin(), y1.end());
    std::sort(y2.begin(), y2.end());
    if (y1.front() <= 0 || y2.front() <= 0) return r;
    const double m1 = quantile_sorted(y1, 0.5), m2 = quantile_sorted(y2, 0.5);
    const double z = normal_quantile(1 - (1 - confidence) / 2);
    const double se = std::hypot(log_median_se(y1), log_median_se(y2));
    const double diff = std::log(m1) - std::log(m2);
    r.ratio = m1 / m2;
    r.low = std::exp(diff - z * se);
    r.high = std::exp(diff + z * se);
    r.valid = std::isfinite(r.low) && std::isfinite(r.high);
    return r;
}

Comparison compare_modes(const std::vector<double> &conda, const std::vector<double> &container,
                         const ComparisonSettings &settings, const char *unit_name) {
    Comparison c;
    c.n_conda = conda.size();
    c.n_container = container.size();
    c.median_conda = median(conda);
    c.median_container = median(container);
    c.ratio = median_ratio_interval(container, conda, settings.confidence);
    c.test = mann_whitney_u(container, conda);
    if (c.n_conda < settings.min_samples || c.n_container < settings.min_samples) {
        c.verdict = "no verdict: too few " + std::string(unit_name) + " (" + std::to_string(c.n_conda) + " conda, " +
                    std::to_string(c.n_container) + " container; at least " + std::to_string(settings.min_samples) +
                    " each)";
        return c;
    }
    if (!c.ratio.valid) {
        c.verdict = "no verdict: times not all positive";
        return c;
    }
    c.judged = true;
    const std::string how = " (" + p_text(c.test.p) + ")";
    if (c.test.p >= settings.alpha) c.verdict = "no significant difference" + how;
    else if (c.ratio.ratio == 1) c.verdict = "same median, different spread" + how;
    else if (c.ratio.ratio < 1) c.verdict = "container faster, " + fixed(1 / c.ratio.ratio, 2) + "x" + how;
    else c.verdict = "conda faster, " + fixed(c.ratio.ratio, 2) + "x" + how;
    return c;
}

} // namespace agg
