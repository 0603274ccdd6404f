// Small strict parsers shared by the option and settings parsers.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pyimport {

// A decimal integer in [lo, hi], nothing else (no sign, spaces or suffix).
std::optional<long> parse_bounded_int(std::string_view text, long lo, long hi);

// Splits on every `sep`; empty fields are kept so callers can reject them.
std::vector<std::string> split(std::string_view text, char sep);

// A Python module name: dotted identifiers ("Bio", "os.path").
bool is_module_name(std::string_view name);

// A module list "a,b,c" (separator given); nullopt if any entry is bad or empty.
std::optional<std::vector<std::string>> parse_module_list(std::string_view text, char sep);

} // namespace pyimport
