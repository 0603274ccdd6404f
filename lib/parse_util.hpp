// Small strict parsers shared by the option and settings parsers.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pyimport {

// A decimal whole number in [lo, hi], nothing else (no sign, spaces or
// suffix); at most 19 digits (Unix nanoseconds have 19).
std::optional<long long> parse_bounded_int(std::string_view text, long long lo, long long hi);

// Splits on every `sep`; empty fields are kept so callers can reject them.
std::vector<std::string> split(std::string_view text, char sep);

// A run's label: 1 to 64 of A-Z a-z 0-9 . _ -
bool is_label(std::string_view text);

// A Python module name: dotted identifiers ("Bio", "os.path").
bool is_module_name(std::string_view name);

// A module list as one text, names joined with ' ': how tables and filters name a workload.
std::string join_modules(const std::vector<std::string> &modules);

// The most modules one run imports: far more than a study needs, few enough
// that what each interpreter reports about them stays small.
inline constexpr size_t kMaxModules = 64;

// A module list "a,b,c" (separator given); nullopt if any entry is bad or
// empty, or there are more than kMaxModules.
std::optional<std::vector<std::string>> parse_module_list(std::string_view text, char sep);

} // namespace pyimport
