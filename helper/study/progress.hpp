// Progress on stderr: one updating line on a terminal (steps done / total,
// the current cell, elapsed, estimated time left); one line per finished step
// otherwise, so batch logs stay readable; nothing with --quiet.
#pragma once
#include "plan.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace study {

class Progress {
  public:
    // `todo`: the steps this run will do; `done_before`: steps done earlier.
    Progress(std::vector<Cell> todo, size_t done_before, size_t total, bool terminal, bool quiet);
    void step_started(size_t i);                               // i: index into todo
    void step_ended(size_t i, const std::string &outcome);     // "done", "failed: ..."
    void finish();
    // Seconds still to go: the plan's estimate for what is left, scaled by how
    // measured steps compared with their estimates so far.
    double seconds_left(size_t next) const;

  private:
    void draw(const std::string &line, bool final_line);
    std::vector<Cell> todo_;
    size_t done_before_, total_;
    bool terminal_, quiet_;
    int64_t start_ns_, step_start_ns_ = 0;
    double measured_ = 0, estimated_done_ = 0;
    bool line_open_ = false;
};

// "1:05:03", "4:07".
std::string clock_text(double seconds);

} // namespace study
