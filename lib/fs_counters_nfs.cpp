// NFS: the mount's block in /proc/self/mountstats (RPC counts per op).
#include "fs_counters_internal.hpp"

#include <algorithm>

namespace pyimport {

using namespace fs_counters;

namespace {

bool is_op_name_char(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

} // namespace

std::optional<CounterMap> parse_nfs_mountstats(const std::string &text, const std::string &mount_point) {
    // device SOURCE mounted on MOUNT_POINT with fstype TYPE [statvers=1.1]
    //     ... per-op statistics
    //         OPNAME: OPS TRANSMISSIONS TIMEOUTS BYTES_SENT BYTES_RECV QUEUE RTT EXECUTE [ERRORS]
    std::optional<CounterMap> found;
    bool in_block = false, in_ops = false;
    CounterMap block;
    auto close_block = [&] {
        if (in_block && in_ops) found = block;
        else if (in_block) found.reset();  // the last block on the mount point is the one that counts
        in_block = in_ops = false;
    };
    for_each_line(text, [&](std::string_view line) {
        if (starts_with(line, "device ")) {
            close_block();
            const auto w = words(line);
            if (w.size() >= 8 && w[2] == "mounted" && w[3] == "on" && w[5] == "with" && w[6] == "fstype" &&
                (w[7] == "nfs" || w[7] == "nfs4") && unescape_octal(w[4]) == mount_point) {
                in_block = true;
                block.clear();
            }
            return;
        }
        if (!in_block) return;
        const std::string_view t = trim(line);
        if (t == "per-op statistics") {
            in_ops = true;
            return;
        }
        if (!in_ops) return;
        const auto w = words(t);
        if (w.size() < 2 || w[0].size() < 2 || w[0].back() != ':') return;
        const std::string_view op = w[0].substr(0, w[0].size() - 1);
        if (!std::all_of(op.begin(), op.end(), is_op_name_char)) return;
        if (auto count = counter_value(w[1])) block[std::string(op)] = *count;
    });
    close_block();
    return found;
}

Result<CounterMap> fs_counters::read_nfs_counters(const MountEntry &m, const MetadataCounterSources &sources,
                                                  std::string &instance) {
    instance = sources.nfs_mountstats;
    auto text = read_text_file(sources.nfs_mountstats);
    if (!text) return fail(text.error());
    auto counters = parse_nfs_mountstats(*text, m.mount_point);
    if (!counters) return fail("no NFS per-op statistics for " + m.mount_point + " in " + sources.nfs_mountstats);
    return std::move(*counters);
}

} // namespace pyimport
