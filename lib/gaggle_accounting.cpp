#include "gaggle_accounting.hpp"

#include "record.hpp"

#include <string>

namespace pyimport {

namespace {

void add_note(CgroupFigures &f, const std::string &text) {
    f.note += (f.note.empty() ? "" : "; ") + text;
    if (f.note.size() > record_schema::kMaxNoteBytes) f.note.resize(record_schema::kMaxNoteBytes);
}

} // namespace

GaggleAccounting::GaggleAccounting(bool wanted) {
    if (!wanted) {
        figures_.state = "off";
        return;
    }
    auto made = GaggleCgroup::create();
    if (!made) {
        figures_.state = "unavailable";
        add_note(figures_, made.error());
        return;
    }
    cgroup_.emplace(std::move(*made));
    figures_.state = "used";
}

void GaggleAccounting::attach(const std::vector<pid_t> &pids) {
    if (!cgroup_) return;
    for (size_t i = 0; i < pids.size(); ++i)
        if (auto joined = cgroup_->attach(pids[i]); !joined)
            add_note(figures_, "interpreter " + std::to_string(i) + " is not in it: " + joined.error());
}

CgroupFigures GaggleAccounting::finish() {
    if (!cgroup_) return figures_;
    auto killed = cgroup_->kill_all();
    if (killed) figures_.leftovers_killed = *killed;
    else add_note(figures_, killed.error());
    const CgroupTotals totals = cgroup_->totals();
    figures_.cpu_ns = totals.cpu_ns.value_or(-1);
    figures_.memory_peak_bytes = totals.memory_peak_bytes.value_or(-1);
    figures_.io_bytes = totals.io_bytes.value_or(-1);
    figures_.io_operations = totals.io_operations.value_or(-1);
    figures_.max_processes = totals.max_processes.value_or(-1);
    if (!totals.unread.empty()) add_note(figures_, totals.unread);
    if (auto removed = cgroup_->remove(); !removed) add_note(figures_, removed.error());
    cgroup_.reset();
    return figures_;
}

} // namespace pyimport
