// MooseFS: MOUNT/.stats, mfsmount's per-mount counters.
#include "fs_counters_internal.hpp"

namespace pyimport {

using namespace fs_counters;

CounterMap parse_moosefs_stats(const std::string &text) {
    CounterMap counters;
    for_each_line(text, [&](std::string_view line) {
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos) return;
        std::string_view name = trim(line.substr(0, colon));
        auto value = counter_value(trim(line.substr(colon + 1)));  // "[31]" (a gauge) does not parse
        if (name.empty() || !value) return;
        if (starts_with(name, "fuse_ops.")) name.remove_prefix(9);
        counters[std::string(name)] = *value;
    });
    return counters;
}

Result<CounterMap> fs_counters::read_moosefs_counters(const MountEntry &m, std::string &instance) {
    instance = (m.mount_point == "/" ? "" : m.mount_point) + "/.stats";
    return read_counters(instance, parse_moosefs_stats, "MooseFS");
}

} // namespace pyimport
