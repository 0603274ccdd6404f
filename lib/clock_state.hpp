// What the kernel says about this node's real-time clock when a gaggle is
// released: enough for pyimport-aggregate to bound how far apart two nodes'
// clocks may be when it subtracts one node's time from another's.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace pyimport {

struct ClockState {
    // adjtimex(2) with no change requested.
    int64_t maxerror_us = 0;  // the kernel's bound on this clock's error; grows 500 us/s undisciplined
    int64_t esterror_us = 0;  // the time daemon's estimate of it
    int status = 0;           // STA_* bits (STA_UNSYNC: no daemon has updated it for 16 s, or chrony without rtcsync)
    int time_state = 0;       // the call's return: TIME_OK, TIME_ERROR (5) ...
    std::string source;       // the clocksource driving it (tsc, hpet, kvm-clock ...)
    // One value per running kernel: nodes with the same boot id read one clock,
    // so their times agree exactly whatever the bounds say.
    std::string boot_id;
};

// Reads the clock's state; fields the kernel does not give stay empty or 0.
ClockState read_clock_state();

// The kernel's bits say no time daemon keeps this clock synchronised.
bool clock_unsynchronised(const ClockState &clock);

// A clocksource name or boot id as the record keeps it: 1 to 64 of
// A-Z a-z 0-9 . _ - (anything else is dropped as unreadable).
bool is_clock_word(std::string_view text);

} // namespace pyimport
