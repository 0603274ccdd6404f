// Adding one gaggle's or interpreter's import times and cgroup figures to
// its configuration, and merging configurations.
#include "model.hpp"

namespace agg {

namespace {

void append(std::vector<double> &to, const std::vector<double> &from) { to.insert(to.end(), from.begin(), from.end()); }

// A figure the cgroup gave; NaN (could not be read) stays out of the medians.
bool add_known(std::vector<double> &to, double v) {
    if (std::isnan(v)) return false;
    to.push_back(v);
    return true;
}

} // namespace

void ImportFigures::add(const ImportSample &s) {
    if (module_s.size() < s.module_s.size()) module_s.resize(s.module_s.size());
    for (size_t i = 0; i < s.module_s.size(); ++i)
        if (!std::isnan(s.module_s[i])) module_s[i].push_back(s.module_s[i]);
    for (const auto &m : s.slowest) ++slowest[m];
    ++interpreters;
}

void ImportFigures::merge(const ImportFigures &o) {
    if (module_s.size() < o.module_s.size()) module_s.resize(o.module_s.size());
    for (size_t i = 0; i < o.module_s.size(); ++i) append(module_s[i], o.module_s[i]);
    for (const auto &[m, n] : o.slowest) slowest[m] += n;
    interpreters += o.interpreters;
}

void CgroupTotals::add(const CgroupSample &s, double own_cpu_s) {
    leftovers_killed += s.leftovers_killed;
    if (s.state == "unavailable") {
        if (!unavailable++) first_note = s.note;
        return;
    }
    if (s.state == "off") ++off;
    if (s.state != "used") return;
    ++used;
    bool all = add_known(cpu_s, s.cpu_s);
    interpreters_cpu_s.push_back(own_cpu_s);
    // What else ran in the cgroup: only where the cgroup's CPU time is known.
    if (!std::isnan(s.cpu_s)) helpers_cpu_s.push_back(s.cpu_s - own_cpu_s);
    all &= add_known(memory_peak_mib, s.memory_peak_mib);
    all &= add_known(io_mib, s.io_mib);
    all &= add_known(io_operations, s.io_operations);
    all &= add_known(max_processes, s.max_processes);
    partial += !all;
}

void CgroupTotals::merge(const CgroupTotals &o) {
    for (auto [to, from] : {std::pair{&cpu_s, &o.cpu_s}, {&interpreters_cpu_s, &o.interpreters_cpu_s},
                            {&helpers_cpu_s, &o.helpers_cpu_s}, {&memory_peak_mib, &o.memory_peak_mib},
                            {&io_mib, &o.io_mib}, {&io_operations, &o.io_operations},
                            {&max_processes, &o.max_processes}})
        append(*to, *from);
    if (!unavailable && o.unavailable) first_note = o.first_note;
    used += o.used, unavailable += o.unavailable, off += o.off, partial += o.partial;
    leftovers_killed += o.leftovers_killed;
}

} // namespace agg
