// Internal to lib/mountinfo.cpp, lib/fs_metadata_counters.cpp and
// lib/fs_counters_*.cpp: the text helpers their parsers share, the one way
// they read a /proc-style file, and the per-kind readers the snapshot
// dispatches to. Not an API: nothing else includes it.
#pragma once
#include "fs_metadata_counters.hpp"
#include "sys_io.hpp"

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pyimport::fs_counters {

// ---- text helpers ---------------------------------------------------------------

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

inline std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

inline std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && is_space(line[i])) ++i;
        size_t start = i;
        while (i < line.size() && !is_space(line[i])) ++i;
        if (i > start) out.push_back(line.substr(start, i - start));
    }
    return out;
}

// Calls f(line) for every line of text (without the '\n').
template <class F> void for_each_line(std::string_view text, F f) {
    while (!text.empty()) {
        size_t end = text.find('\n');
        f(text.substr(0, end));
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
}

// A whole-field non-negative decimal counter.
inline std::optional<int64_t> counter_value(std::string_view s) {
    int64_t v = 0;
    if (s.empty() || s.front() < '0' || s.front() > '9') return std::nullopt;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

inline bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// ---- reading ----------------------------------------------------------------------

// The cap on any file the readers take whole (mountinfo, mountstats, MooseFS
// .stats, llite stats). These are kernel or mfsmount files, not a user's, and
// /proc's report st_size 0, so the size is only known once read. The largest
// is mountstats: several KiB per NFS mount (per-op lines, transport and event
// counters), and a node with thousands of NFS or automounted mounts reaches a
// few tens of MiB; mountinfo is about 150 bytes per mount. 64 MiB passes all
// of these and still stops a file that never ends.
inline constexpr size_t kCountersFileCap = size_t(64) << 20;

// The whole text of `path`; fails with "cannot read PATH: <reason>".
inline Result<std::string> read_text_file(const std::string &path) {
    auto file = read_regular_file(path, kCountersFileCap, true);
    if (!file) {
        std::string why = file.error();
        constexpr std::string_view prefix = "cannot read: ";
        if (starts_with(why, prefix)) why.erase(0, prefix.size());
        return fail("cannot read " + path + ": " + why);
    }
    return std::move(file->text);
}

// `path` parsed by `parse`; an error when it cannot be read or holds no counters.
inline Result<CounterMap> read_counters(const std::string &path, CounterMap (*parse)(const std::string &),
                                        const char *what) {
    auto text = read_text_file(path);
    if (!text) return fail(text.error());
    CounterMap counters = parse(*text);
    if (counters.empty()) return fail(std::string("no ") + what + " counters in " + path);
    return counters;
}

// ---- the readers, one per kind (lib/fs_counters_KIND.cpp) ---------------------------
// The counters of mount `m`, and in `instance` where they were read; fails
// with one line when they cannot be read.

Result<CounterMap> read_moosefs_counters(const MountEntry &m, std::string &instance);
Result<CounterMap> read_nfs_counters(const MountEntry &m, const MetadataCounterSources &sources,
                                     std::string &instance);
Result<CounterMap> read_lustre_counters(const MountEntry &m, const MetadataCounterSources &sources,
                                        std::string &instance);

} // namespace pyimport::fs_counters
