#include "progress.hpp"

#include "sys_io.hpp"

#include <cstdio>

namespace study {

std::string clock_text(double seconds) {
    long s = seconds < 0 ? 0 : long(seconds + 0.5);
    char buf[40];
    if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

Progress::Progress(std::vector<Cell> todo, size_t done_before, size_t total, bool terminal, bool quiet)
    : todo_(std::move(todo)), done_before_(done_before), total_(total), terminal_(terminal), quiet_(quiet),
      start_ns_(pyimport::clock_ns(CLOCK_MONOTONIC)) {}

double Progress::seconds_left(size_t next) const {
    double left = 0;
    for (size_t i = next; i < todo_.size(); ++i) left += estimate_step_seconds(todo_[i]);
    return estimated_done_ > 0 ? left * (measured_ / estimated_done_) : left;
}

void Progress::draw(const std::string &line, bool final_line) {
    if (quiet_) return;
    if (terminal_) {
        std::fprintf(stderr, "\r%s\033[K%s", line.c_str(), final_line ? "\n" : "");
        line_open_ = !final_line;
    } else if (final_line) {
        std::fprintf(stderr, "%s\n", line.c_str());
    }
    std::fflush(stderr);
}

void Progress::step_started(size_t i) {
    step_start_ns_ = pyimport::clock_ns(CLOCK_MONOTONIC);
    const double elapsed = double(step_start_ns_ - start_ns_) / 1e9;
    draw("pyimport-study: " + std::to_string(done_before_ + i) + "/" + std::to_string(total_) + " done; running " +
             cell_text(todo_[i]) + "; elapsed " + clock_text(elapsed) + ", about " + clock_text(seconds_left(i)) +
             " left",
         false);
}

void Progress::step_ended(size_t i, const std::string &outcome) {
    const int64_t now = pyimport::clock_ns(CLOCK_MONOTONIC);
    const double took = double(now - step_start_ns_) / 1e9;
    measured_ += took;
    estimated_done_ += estimate_step_seconds(todo_[i]);
    if (terminal_) {
        if (outcome != "done") draw("pyimport-study: step " + cell_text(todo_[i]) + ": " + outcome, true);
        return;
    }
    char took_text[32];
    std::snprintf(took_text, sizeof took_text, "%.1f s", took);
    draw("pyimport-study: step " + std::to_string(done_before_ + i + 1) + "/" + std::to_string(total_) + " " +
             cell_text(todo_[i]) + ": " + outcome + " in " + took_text + " (elapsed " +
             clock_text(double(now - start_ns_) / 1e9) + ", about " + clock_text(seconds_left(i + 1)) + " left)",
         true);
}

void Progress::finish() {
    if (line_open_ && !quiet_) std::fputs("\r\033[K", stderr), std::fflush(stderr);
    line_open_ = false;
}

} // namespace study
