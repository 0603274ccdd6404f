#include "clock_state.hpp"

#include "sys_io.hpp"

#include <sys/timex.h>

namespace pyimport {

namespace {

// The first line of a small kernel file, when it is a clock word.
std::string kernel_word(const char *path) {
    auto file = read_regular_file(path, 4096, true);  // sysfs says 4096 whatever it holds
    if (!file) return "";
    std::string word = file->text.substr(0, file->text.find('\n'));
    return is_clock_word(word) ? word : "";
}

} // namespace

ClockState read_clock_state() {
    ClockState clock;
    timex tx{};  // modes 0: read only
    const int state = adjtimex(&tx);
    if (state >= 0) {
        clock.maxerror_us = tx.maxerror;
        clock.esterror_us = tx.esterror;
        clock.status = tx.status;
        clock.time_state = state;
    } else {
        clock.status = STA_UNSYNC;  // nothing known: nothing promised
    }
    clock.source = kernel_word("/sys/devices/system/clocksource/clocksource0/current_clocksource");
    clock.boot_id = kernel_word("/proc/sys/kernel/random/boot_id");
    return clock;
}

bool clock_unsynchronised(const ClockState &clock) { return (clock.status & STA_UNSYNC) != 0; }

bool is_clock_word(std::string_view text) {
    if (text.empty() || text.size() > 64) return false;
    for (char c : text)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-'))
            return false;
    return true;
}

} // namespace pyimport
