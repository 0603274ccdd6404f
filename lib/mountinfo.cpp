#include "mountinfo.hpp"

#include "fs_counters_internal.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace pyimport {

using fs_counters::starts_with;

std::vector<MountEntry> parse_mountinfo(const std::string &text) {
    // ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER_OPTIONS
    std::vector<MountEntry> mounts;
    fs_counters::for_each_line(text, [&](std::string_view line) {
        const auto w = fs_counters::words(line);
        auto sep = std::find(w.begin(), w.end(), std::string_view("-"));
        if (sep == w.end() || sep - w.begin() < 6 || w.end() - sep < 3) return;
        mounts.push_back({unescape_octal(w[4]), unescape_octal(sep[1]), unescape_octal(sep[2])});
    });
    return mounts;
}

std::optional<MountEntry> find_mount(const std::vector<MountEntry> &mounts, const std::string &real_path) {
    const MountEntry *best = nullptr;
    for (const auto &m : mounts) {
        const std::string &mp = m.mount_point;
        const bool holds = mp == "/" ? starts_with(real_path, "/")
                                     : real_path == mp || (starts_with(real_path, mp) && real_path[mp.size()] == '/');
        if (holds && (!best || mp.size() >= best->mount_point.size())) best = &m;
    }
    if (!best) return std::nullopt;
    return *best;
}

std::string unescape_octal(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size()) {
            const char a = s[i + 1], b = s[i + 2], c = s[i + 3];
            if (a >= '0' && a <= '3' && b >= '0' && b <= '7' && c >= '0' && c <= '7') {
                out += char((a - '0') * 64 + (b - '0') * 8 + (c - '0'));
                i += 3;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

Result<MountEntry> mount_holding(const std::string &path, const std::string &mountinfo_path) {
    const std::unique_ptr<char, void (*)(void *)> resolved(realpath(path.c_str(), nullptr), std::free);
    if (!resolved) return fail("cannot resolve " + path + ": " + std::strerror(errno));
    const std::string real(resolved.get());
    auto text = fs_counters::read_text_file(mountinfo_path);
    if (!text) return fail(text.error());
    auto mount = find_mount(parse_mountinfo(*text), real);
    if (!mount) return fail("no mount in " + mountinfo_path + " holds " + real);
    return std::move(*mount);
}

} // namespace pyimport
