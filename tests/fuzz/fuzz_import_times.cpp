// libFuzzer: pyimport::parse_import_times and summarize_import_times on
// arbitrary bytes (an interpreter's stderr is any user's text).
// Invariants:
//  - every entry is within the bounds: a module name (is_module_name) of at
//    most kMaxImportNameBytes, depth 0..kMaxImportDepth, 0 <= self <= cumulative
//    <= kMaxImportTimeUs; no more entries than '\n' in the input;
//  - the entries written back in CPython's format parse to themselves;
//  - the summary agrees with the entries: each requested time is that of the
//    first depth-0 entry of that name (else kNotImported), and the slowest are
//    what a plain sort of the entries gives (each name once, its largest self
//    time, ties in order of appearance, at most kSlowestModules).
#include "fuzz_support.hpp"
#include "import_times.hpp"
#include "parse_util.hpp"

#include <algorithm>
#include <cstdint>
#include <map>

namespace {

using pyimport::ImportTimeEntry;

std::string render(const std::vector<ImportTimeEntry> &entries) {
    std::string text = "import time: self [us] | cumulative | imported package\n";
    for (const auto &e : entries)
        text += "import time: " + std::to_string(e.self_us) + " | " + std::to_string(e.cumulative_us) + " | " +
                std::string(size_t(e.depth) * 2, ' ') + e.name + "\n";
    return text;
}

bool same(const std::vector<ImportTimeEntry> &a, const std::vector<ImportTimeEntry> &b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i].name != b[i].name || a[i].depth != b[i].depth || a[i].self_us != b[i].self_us ||
            a[i].cumulative_us != b[i].cumulative_us)
            return false;
    return true;
}

// The slowest, the slow way: the largest self time of each name (its first
// entry among equals), then a stable sort.
std::vector<pyimport::SlowModule> slowest_by_sorting(const std::vector<ImportTimeEntry> &entries) {
    std::vector<pyimport::SlowModule> best;
    std::map<std::string, size_t> at;
    std::vector<size_t> order;  // index in `entries` of each name's kept entry
    for (size_t i = 0; i < entries.size(); ++i) {
        const auto &e = entries[i];
        auto it = at.find(e.name);
        if (it == at.end()) {
            at.emplace(e.name, best.size());
            best.push_back({e.name, e.self_us, e.cumulative_us});
            order.push_back(i);
        } else if (e.self_us > best[it->second].self_us) {
            best[it->second] = {e.name, e.self_us, e.cumulative_us};
            order[it->second] = i;
        }
    }
    std::vector<size_t> idx(best.size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
        if (best[a].self_us != best[b].self_us) return best[a].self_us > best[b].self_us;
        return order[a] < order[b];
    });
    std::vector<pyimport::SlowModule> out;
    for (size_t i = 0; i < idx.size() && i < pyimport::kSlowestModules; ++i) out.push_back(best[idx[i]]);
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    const auto entries = pyimport::parse_import_times(text);
    FUZZ_CHECK(entries.size() <= size_t(std::count(text.begin(), text.end(), '\n')), text, "too many entries");
    for (const auto &e : entries) {
        const std::string what = "entry " + fuzz::shown(e.name) + " depth " + std::to_string(e.depth) + " " +
                                 std::to_string(e.self_us) + "/" + std::to_string(e.cumulative_us);
        FUZZ_CHECK(pyimport::is_module_name(e.name) && e.name.size() <= pyimport::kMaxImportNameBytes, text, what);
        FUZZ_CHECK(e.depth >= 0 && e.depth <= pyimport::kMaxImportDepth, text, what);
        FUZZ_CHECK(e.self_us >= 0 && e.self_us <= e.cumulative_us && e.cumulative_us <= pyimport::kMaxImportTimeUs,
                   text, what);
    }
    FUZZ_CHECK(same(pyimport::parse_import_times(render(entries)), entries), text, "written back, parsed otherwise");

    // Names that are in the text, and some that may not be.
    std::vector<std::string> requested = {"json", "numpy", "a", "os.path"};
    for (const auto &e : entries)
        if (requested.size() < 8) requested.push_back(e.name);
    const auto summary = pyimport::summarize_import_times(text, requested);
    FUZZ_CHECK(summary.requested_cumulative_us.size() == requested.size(), text, "requested count");
    for (size_t i = 0; i < requested.size(); ++i) {
        int64_t expected = pyimport::kNotImported;
        for (const auto &e : entries)
            if (e.depth == 0 && e.name == requested[i]) {
                expected = e.cumulative_us;
                break;
            }
        FUZZ_CHECK(summary.requested_cumulative_us[i] == expected, text,
                   requested[i] + ": " + std::to_string(summary.requested_cumulative_us[i]) + ", expected " +
                       std::to_string(expected));
    }
    const auto reference = slowest_by_sorting(entries);
    bool equal = reference.size() == summary.slowest.size();
    for (size_t i = 0; equal && i < reference.size(); ++i)
        equal = reference[i].name == summary.slowest[i].name && reference[i].self_us == summary.slowest[i].self_us &&
                reference[i].cumulative_us == summary.slowest[i].cumulative_us;
    FUZZ_CHECK(equal, text, "slowest differ from a plain sort");
    return 0;
}
