#include "plan.hpp"

#include "bench_option.hpp"
#include "language.hpp"
#include "parse_util.hpp"
#include "sys_io.hpp"
#include "text_escape.hpp"

#include <algorithm>
#include <random>
#include <set>
#include <sys/random.h>

namespace study {

const std::vector<int> kDefaultGaggles = {1, 2, 4, 8, 16};

bool Cell::operator<(const Cell &o) const {
    if (nodes != o.nodes) return nodes < o.nodes;
    if (gaggle != o.gaggle) return gaggle < o.gaggle;
    return mode < o.mode;
}

std::vector<int> default_node_counts(int count) {
    std::vector<int> out;
    for (long p = 1; p <= count; p *= 2) out.push_back(int(p));
    if (count > 0 && out.back() != count) out.push_back(count);
    return out;
}

uint64_t fresh_seed() {
    uint64_t seed = 0;
    if (getrandom(&seed, sizeof seed, 0) != sizeof seed) seed = uint64_t(pyimport::clock_ns(CLOCK_REALTIME));
    return seed & kMaxSeed;
}

namespace {

// A uniform draw from [0, n) with no modulo bias, from the generator's raw output only.
uint64_t draw_below(std::mt19937_64 &rng, uint64_t n) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;  // draws at or above it are rejected
    uint64_t v;
    do v = rng();
    while (v >= limit);
    return v % n;
}

// Fisher-Yates, written out: std::shuffle's use of the generator is not standardised.
template <class T> void shuffle_with(std::vector<T> &items, std::mt19937_64 &rng) {
    for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[size_t(draw_below(rng, i))]);
}

std::string duplicate_in(const std::vector<int> &values) {
    std::set<int> seen;
    for (int v : values)
        if (!seen.insert(v).second) return std::to_string(v);
    return "";
}

} // namespace

std::vector<PlannedStep> block_order(const std::vector<int> &nodes, const std::vector<int> &gaggles,
                                     const std::vector<std::string> &modes, int repeat, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<PlannedStep> steps;
    for (int r = 1; r <= repeat; ++r) {
        std::vector<std::pair<int, int>> pairs;
        for (int n : nodes)
            for (int g : gaggles) pairs.emplace_back(n, g);
        shuffle_with(pairs, rng);
        for (const auto &[n, g] : pairs) {
            std::vector<std::string> order = modes;
            shuffle_with(order, rng);
            for (const auto &m : order) steps.push_back({{n, g, m}, r});
        }
    }
    return steps;
}

double estimate_step_seconds(const Cell &cell) { return 2.0 + 3.5 * cell.gaggle; }

double estimate_plan_seconds(const Plan &plan) {
    double total = 0;
    for (const auto &s : plan.steps) total += estimate_step_seconds(s.cell);
    return total;
}

std::string join_ints(const std::vector<int> &values, const char *sep) {
    std::string out;
    for (size_t i = 0; i < values.size(); ++i) out += (i ? sep : "") + std::to_string(values[i]);
    return out;
}

std::string join_words(const std::vector<std::string> &values, const char *sep) {
    std::string out;
    for (size_t i = 0; i < values.size(); ++i) out += (i ? sep : "") + values[i];
    return out;
}

std::string cell_text(const Cell &cell) {
    return cell.mode + " nodes=" + std::to_string(cell.nodes) + " gaggle=" + std::to_string(cell.gaggle);
}

pyimport::Result<Plan> make_plan(const PlanRequest &request, const Allocation &alloc,
                                 const pyimport::SiteSettings *site) {
    Plan plan;
    const int max_gaggle = site ? site->max_gaggle : 64;
    plan.nodes = request.nodes.empty() ? default_node_counts(alloc.node_count) : request.nodes;
    if (plan.nodes.empty()) return pyimport::fail("the allocation has no nodes (SLURM_JOB_NUM_NODES)");
    for (int n : plan.nodes)
        if (n < 1 || n > alloc.node_count)
            return pyimport::fail("--nodes value " + std::to_string(n) + " is larger than the allocation (" +
                           std::to_string(alloc.node_count) + " nodes): use 1 to " + std::to_string(alloc.node_count));
    if (auto d = duplicate_in(plan.nodes); !d.empty()) return pyimport::fail("--nodes lists " + d + " twice");

    if (request.gaggles.empty()) {
        for (int g : kDefaultGaggles)
            if (g <= max_gaggle) plan.gaggles.push_back(g);  // the defaults stop at the site's limit
    } else {
        plan.gaggles = request.gaggles;
    }
    for (int g : plan.gaggles)
        if (g < 1 || g > max_gaggle)
            return pyimport::fail("--gaggle value " + std::to_string(g) + " is over the site's max_gaggle: use 1 to " +
                           std::to_string(max_gaggle));
    if (auto d = duplicate_in(plan.gaggles); !d.empty()) return pyimport::fail("--gaggle lists " + d + " twice");

    plan.modes = request.modes.empty() ? std::vector<std::string>{"conda", "container"} : request.modes;
    std::set<std::string> seen_modes;
    for (const auto &m : plan.modes) {
        if (!pyimport::parse_mode(m))
            return pyimport::fail("--modes value " + pyimport::quote_text(m) + " is not a mode: use conda, container or conda,container");
        if (!seen_modes.insert(m).second) return pyimport::fail("--modes lists " + m + " twice");
        if (site && m == "conda" && site->conda.empty())
            return pyimport::fail("conda mode is not configured on this site (plugstack.conf has no conda=): use --modes container");
        if (site && m == "container" && site->image.empty())
            return pyimport::fail("container mode is not configured on this site (plugstack.conf has no image=): use --modes conda");
    }
    plan.repeat = request.repeat > 0 ? request.repeat : kDefaultRepeat;
    plan.seed = request.seed ? *request.seed : fresh_seed();
    if (plan.seed > kMaxSeed) return pyimport::fail("--seed is above 2^63-1");
    if (request.language) plan.language = *request.language;
    const auto language = pyimport::parse_language(plan.language);
    if (!language)
        return pyimport::fail("--lang " + pyimport::quote_text(plan.language) + " is not a language: use python, r or perl");
    if (site && *language != pyimport::Language::python) {  // Python's modes are checked above
        const pyimport::LanguageSettings lang = pyimport::language_settings(*site, *language);
        for (const auto &m : plan.modes)
            if ((m == "conda" ? lang.conda_interpreter : lang.container_interpreter).empty() &&
                !(m == "container" && site->runtime == pyimport::Runtime::kernel && !lang.conda_interpreter.empty()))
                return pyimport::fail("lang=" + plan.language + " is not offered in " + m +
                                      " mode on this site (plugstack.conf has no " +
                                      (m == "conda" ? lang.conda_key : lang.container_key) + ")");
    }
    if (request.modules) plan.modules = *request.modules;
    for (const auto &m : plan.modules)
        if (!pyimport::is_package_name(*language, m))
            return pyimport::fail("--modules holds " + pyimport::quote_text(m) + ", which is not one of the " +
                                  pyimport::package_kind(*language) + " (--lang " + plan.language + ")");
    if (request.label) plan.label = *request.label;
    if (!pyimport::is_label(plan.label))
        return pyimport::fail("--label " + pyimport::quote_text(plan.label) + " is not a label: use 1 to 64 of A-Z a-z 0-9 . _ -");
    plan.steps = block_order(plan.nodes, plan.gaggles, plan.modes, plan.repeat, plan.seed);
    return plan;
}

} // namespace study
