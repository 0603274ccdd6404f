#include "parse_util.hpp"

#include <cctype>
#include <climits>

namespace pyimport {

std::optional<long long> parse_bounded_int(std::string_view text, long long lo, long long hi) {
    if (text.empty() || text.size() > 19) return std::nullopt;  // 19 digits fit an unsigned long long
    unsigned long long value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<unsigned long long>(c - '0');
    }
    if (value > static_cast<unsigned long long>(LLONG_MAX)) return std::nullopt;
    const long long v = static_cast<long long>(value);
    if (v < lo || v > hi) return std::nullopt;
    return v;
}

std::vector<std::string> split(std::string_view text, char sep) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (;;) {
        size_t pos = text.find(sep, start);
        parts.emplace_back(text.substr(start, pos - start));
        if (pos == std::string_view::npos) return parts;
        start = pos + 1;
    }
}

static bool is_identifier(std::string_view word) {
    if (word.empty() || std::isdigit(static_cast<unsigned char>(word[0]))) return false;
    for (char c : word)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    return true;
}

bool is_label(std::string_view text) {
    if (text.empty() || text.size() > 64) return false;
    for (char c : text)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) return false;
    return true;
}

bool is_module_name(std::string_view name) {
    for (const auto &part : split(name, '.'))
        if (!is_identifier(part)) return false;
    return true;
}

std::string join_modules(const std::vector<std::string> &modules) {
    std::string joined;
    for (const auto &m : modules) joined.append(joined.empty() ? "" : " ").append(m);
    return joined;
}

std::optional<std::vector<std::string>> parse_module_list(std::string_view text, char sep) {
    auto names = split(text, sep);
    if (names.size() > kMaxModules) return std::nullopt;
    for (const auto &name : names)
        if (!is_module_name(name)) return std::nullopt;
    return names;
}

} // namespace pyimport
