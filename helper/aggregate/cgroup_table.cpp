#include "cgroup_table.hpp"

#include "stats.hpp"
#include "text_escape.hpp"

namespace agg {

namespace {

// The note quotes a record (any user may write one): bounded, one line.
constexpr size_t kMaxNoteBytes = 300;

} // namespace

Table cgroup_table(const Dataset &data, const KeyColumns &keys) {
    Table t{"cgroup",
            "Per gaggle, its own cgroup (every process, descendants included) against the interpreters: medians of "
            "CPU seconds, memory peak, block I/O, most processes at once; leftover processes killed, in total",
            {}, {}, {}};
    keys.columns(t);
    t.columns.insert(t.columns.end(), {{"gaggles", "gaggles"},
                                        {"cgroup_cpu_s", "cgroup CPU s"},
                                        {"interpreters_cpu_s", "interpreters CPU s"},
                                        {"helpers_cpu_s", "helpers CPU s"},
                                        {"memory_peak_mib", "memory peak MiB"},
                                        {"io_mib", "I/O MiB"},
                                        {"io_operations", "I/O ops"},
                                        {"max_processes", "max processes"},
                                        {"leftovers_killed", "leftovers killed"}});
    size_t unavailable = 0, off = 0, partial = 0;
    std::string first_note;
    for (const auto &c : data.configs) {
        const CgroupTotals &g = c.cgroup;
        if (g.unavailable && !unavailable) first_note = g.first_note;
        unavailable += g.unavailable, off += g.off, partial += g.partial;
        if (!g.used) continue;
        auto row = keys.cells(c.key);
        row.push_back(Cell::count(double(g.used)));
        row.push_back(Cell::value(median(g.cpu_s), kSecondsDigits));
        row.push_back(Cell::value(median(g.interpreters_cpu_s), kSecondsDigits));
        row.push_back(Cell::value(median(g.helpers_cpu_s), kSecondsDigits));
        row.push_back(Cell::value(median(g.memory_peak_mib), 1));
        row.push_back(Cell::value(median(g.io_mib), 1));
        row.push_back(Cell::value(median(g.io_operations), 0));
        row.push_back(Cell::value(median(g.max_processes), 0));
        row.push_back(Cell::count(double(g.leftovers_killed)));
        t.rows.push_back(std::move(row));
    }
    if (!t.rows.empty())
        t.notes.push_back("gaggles: those with a cgroup of their own; interpreters CPU: the sum of the interpreters' "
                          "user + system time; helpers CPU: cgroup CPU minus that, per gaggle: what else ran in the "
                          "cgroup (a container runtime's helpers such as a FUSE server, processes the interpreters "
                          "started); leftovers killed: processes still in the cgroup after the last interpreter "
                          "exited (daemons), then killed");
    else
        t.notes.push_back("no gaggle ran in a cgroup of its own");
    if (unavailable)
        t.notes.push_back("cgroup unavailable for " + std::to_string(unavailable) +
                          " gaggle(s), so their figures are missing; the first says: " +
                          pyimport::escape_text(first_note, kMaxNoteBytes));
    if (partial)
        t.notes.push_back(std::to_string(partial) + " gaggle(s) with a figure their cgroup could not give: left out "
                                                    "of that figure's median");
    if (off) t.notes.push_back(std::to_string(off) + " gaggle(s) ran with cgroup=off (the site's setting)");
    return t;
}

} // namespace agg
