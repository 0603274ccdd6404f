// A gaggle's totals as its cgroup counted them (every descendant included),
// and the pure parsers of the cgroup files they come from.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pyimport {

// Each figure is empty when it could not be read; `unread` then says which
// and why, in one line ("" when all were read).
struct CgroupTotals {
    std::optional<int64_t> cpu_ns;             // cpuacct.usage / cpu.stat usage_usec
    std::optional<int64_t> memory_peak_bytes;  // memory.max_usage_in_bytes / memory.peak
    std::optional<int64_t> io_bytes;           // blkio.throttle.io_service_bytes / io.stat
    std::optional<int64_t> io_operations;      // blkio.throttle.io_serviced / io.stat
    std::optional<int64_t> max_processes;      // pids.peak (kernels before 6.1 have none: unknown)
    std::string unread;
};

// "123\n" -> 123; empty for anything else (negative, too large, trailing text).
std::optional<int64_t> parse_cgroup_number(std::string_view text);

// The value of the line "`key` N" ("usage_usec 42" in cpu.stat, "Total 42"
// in blkio.throttle.*); empty when no such line or N is not a number.
std::optional<int64_t> parse_cgroup_keyed(std::string_view text, std::string_view key);

// io.stat ("8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" per
// device) summed over devices: bytes read+written+discarded, and operations.
struct IoSums {
    int64_t bytes = 0;
    int64_t operations = 0;
};
std::optional<IoSums> parse_io_stat(std::string_view text);

} // namespace pyimport
