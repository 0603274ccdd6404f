#include "import_times.hpp"

#include "parse_util.hpp"

#include <optional>
#include <unordered_map>

namespace pyimport {

namespace {

constexpr std::string_view kPrefix = "import time:";

// An entry whose name still points into the text: the summary copies only
// the few names it keeps.
struct LineView {
    std::string_view name;
    int depth;
    int64_t self_us;
    int64_t cumulative_us;
};

std::string_view trim_spaces(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

// "import time: %9ld | %10ld | %*s%s" (CPython's format), the indent being
// two spaces per level. The name cannot hold '|' or ' ', so a line with
// more fields, or text after the name, fails is_module_name.
std::optional<LineView> parse_line(std::string_view line) {
    if (line.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
    line.remove_prefix(kPrefix.size());
    const size_t bar1 = line.find('|');
    if (bar1 == std::string_view::npos) return std::nullopt;
    const size_t bar2 = line.find('|', bar1 + 1);
    if (bar2 == std::string_view::npos) return std::nullopt;
    const auto self_us = parse_bounded_int(trim_spaces(line.substr(0, bar1)), 0, kMaxImportTimeUs);
    const auto cumulative_us =
        parse_bounded_int(trim_spaces(line.substr(bar1 + 1, bar2 - bar1 - 1)), 0, kMaxImportTimeUs);
    if (!self_us || !cumulative_us || *self_us > *cumulative_us) return std::nullopt;
    std::string_view rest = line.substr(bar2 + 1);
    if (rest.empty() || rest.front() != ' ') return std::nullopt;
    rest.remove_prefix(1);
    size_t indent = 0;
    while (indent < rest.size() && rest[indent] == ' ') ++indent;
    if (indent % 2 != 0 || indent / 2 > size_t(kMaxImportDepth)) return std::nullopt;
    const std::string_view name = rest.substr(indent);
    if (name.size() > kMaxImportNameBytes || !is_module_name(name)) return std::nullopt;
    return LineView{name, int(indent / 2), *self_us, *cumulative_us};
}

// Calls `take(LineView)` for each importtime line; a last line without its
// '\n' was cut and is not looked at.
template <class Take> void for_each_entry(std::string_view text, Take take) {
    for (size_t start = 0; start < text.size();) {
        const size_t end = text.find('\n', start);
        if (end == std::string_view::npos) return;
        std::string_view line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (auto entry = parse_line(line)) take(*entry);
        start = end + 1;
    }
}

// Keeps the kSlowestModules largest self times, each name once, sorted
// slowest first; an equal time never displaces an earlier entry.
void keep_if_slow(std::vector<SlowModule> &slowest, const LineView &e) {
    size_t at = 0;
    while (at < slowest.size() && slowest[at].name != e.name) ++at;
    if (at < slowest.size()) {  // known name: only a larger time moves it
        if (e.self_us <= slowest[at].self_us) return;
        slowest.erase(slowest.begin() + long(at));
    } else if (slowest.size() == kSlowestModules && e.self_us <= slowest.back().self_us) {
        return;
    }
    size_t pos = 0;
    while (pos < slowest.size() && slowest[pos].self_us >= e.self_us) ++pos;
    slowest.insert(slowest.begin() + long(pos), SlowModule{std::string(e.name), e.self_us, e.cumulative_us});
    if (slowest.size() > kSlowestModules) slowest.pop_back();
}

} // namespace

std::vector<ImportTimeEntry> parse_import_times(std::string_view text) {
    std::vector<ImportTimeEntry> entries;
    for_each_entry(text, [&](const LineView &e) {
        entries.push_back(ImportTimeEntry{std::string(e.name), e.depth, e.self_us, e.cumulative_us});
    });
    return entries;
}

ImportTimeSummary summarize_import_times(std::string_view text, const std::vector<std::string> &requested) {
    ImportTimeSummary summary;
    summary.requested_cumulative_us.assign(requested.size(), kNotImported);
    summary.slowest.reserve(kSlowestModules + 1);
    // Each name's places in the request: one lookup per line, whatever the
    // number of modules (the interpreter's stderr is the user's to write).
    std::unordered_map<std::string_view, std::vector<size_t>> places;
    for (size_t i = 0; i < requested.size(); ++i) places[requested[i]].push_back(i);
    for_each_entry(text, [&](const LineView &e) {
        if (e.depth == 0)
            if (auto it = places.find(e.name); it != places.end()) {
                for (size_t i : it->second)
                    if (summary.requested_cumulative_us[i] == kNotImported) summary.requested_cumulative_us[i] = e.cumulative_us;
                places.erase(it);  // the first top-level entry counts
            }
        keep_if_slow(summary.slowest, e);
    });
    return summary;
}

} // namespace pyimport
