// A gaggle's cgroup as the engine uses it: made before the interpreters are
// forked, joined by each of them at the barrier, emptied (daemons that left
// their process group included) and read after the last exit, removed. Where
// the node allows no cgroup the gaggle runs without one and the figures say
// why; nothing here ever stops a gaggle.
#pragma once
#include "gaggle_cgroup.hpp"
#include "measurement.hpp"

#include <optional>
#include <sys/types.h>
#include <vector>

namespace pyimport {

class GaggleAccounting {
  public:
    // wanted false: state "off". Otherwise tries to create the cgroup.
    explicit GaggleAccounting(bool wanted);

    // Before the release: every interpreter into the cgroup. One that cannot
    // join is named in the note; the others stay counted.
    void attach(const std::vector<pid_t> &pids);

    // After the last exit (or the timeout): kills what is left in the
    // cgroup, reads its totals and removes it.
    CgroupFigures finish();

  private:
    std::optional<GaggleCgroup> cgroup_;
    CgroupFigures figures_;
};

} // namespace pyimport
