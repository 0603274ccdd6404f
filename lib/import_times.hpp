// Per-module import times from the stderr of `python3 -X importtime`. Pure
// functions on captured text: nothing here can fail, a line that is not a
// well-formed importtime line is skipped. The text may come from any user's
// interpreter, so every bound below holds whatever it contains.
//
// CPython writes one line per module as it finishes importing it:
//   import time: self [us] | cumulative | imported package
//   import time:       194 |       3833 | json
//   import time:        51 |         51 |   json.scanner
// "  " per nesting level before the name; depth 0 are the imports of the
// program itself (and of site at startup). A module already imported is not
// listed again.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pyimport {

// A bigger time (11.6 days) is no real import: the line is skipped, so a
// hostile line cannot overflow a sum or a later conversion to nanoseconds.
constexpr int64_t kMaxImportTimeUs = 1000000000000;
// Module names up to this length; a longer one skips its line (bounds what a
// summary keeps and echoes).
constexpr size_t kMaxImportNameBytes = 256;
// Deeper lines are skipped (real import chains are a few dozen deep).
constexpr int kMaxImportDepth = 1000;
// How many modules a summary names by self time: enough to see what dominates,
// small enough for every interpreter of a record.
constexpr size_t kSlowestModules = 5;
// requested_cumulative_us of a requested module not found at depth 0.
constexpr int64_t kNotImported = -1;

struct ImportTimeEntry {
    std::string name;  // passes is_module_name, at most kMaxImportNameBytes
    int depth = 0;     // 0: imported by the program itself
    int64_t self_us = 0;
    int64_t cumulative_us = 0;  // self_us plus what it imported; never below self_us
};

// Every importtime line of `text`, in order. Lines end at '\n' ("\r\n" too).
// Skipped: the header, anything else that is not "import time: SELF | CUM |
// NAME" exactly (user output, tracebacks, a line glued to a print without a
// newline), numbers over kMaxImportTimeUs, self above cumulative, an odd
// indent, a name that fails is_module_name, and the last line when it lacks
// its '\n': CPython ends every line with one, so that line was cut (the
// capture's limit, a killed interpreter). Linear in text.size().
std::vector<ImportTimeEntry> parse_import_times(std::string_view text);

struct SlowModule {
    std::string name;
    int64_t self_us = 0;
    int64_t cumulative_us = 0;
};

// One interpreter's import times, bounded by construction: one number per
// requested module and at most kSlowestModules names.
struct ImportTimeSummary {
    // Parallel to `requested`: the cumulative time of the depth-0 entry with
    // exactly that name (its first one: an interpreter's subprocesses started
    // with -X importtime write to the same stderr), else kNotImported. A
    // module imported at startup (by site) is not at depth 0 for the program;
    // a failed import is listed and timed like any other (CPython 3.11).
    std::vector<int64_t> requested_cumulative_us;
    // The modules with the largest self time, at any depth, slowest first;
    // each name once (its largest self time), ties in order of appearance.
    std::vector<SlowModule> slowest;
};

// Parses `text` as parse_import_times does, in O(text.size() * kSlowestModules + requested.size()).
ImportTimeSummary summarize_import_times(std::string_view text, const std::vector<std::string> &requested);

} // namespace pyimport
