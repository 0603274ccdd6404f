#include "text_escape.hpp"

#include <cstdint>

namespace pyimport {

size_t clean_char_length(std::string_view s, size_t i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) return 1;
    const size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    uint32_t code = c & (0x7f >> n);
    for (size_t k = 1; k < n; ++k) {
        const unsigned char cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xc0) != 0x80) return 0;
        code = (code << 6) | (cc & 0x3f);
    }
    if ((n == 3 && code < 0x800) || (n == 4 && code < 0x10000) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
        return 0;
    if (code >= 0x80 && code <= 0x9f) return 0;  // C1 controls: some terminals take U+009B as an escape
    // Line and paragraph separators, and the marks and overrides that reorder
    // what a reader sees (a cell or log line that displays as something else).
    if (code == 0x2028 || code == 0x2029 || code == 0x061c || code == 0x200e || code == 0x200f ||
        (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069))
        return 0;
    return n;
}

bool is_clean_text(std::string_view text) {
    for (size_t i = 0; i < text.size();) {
        const size_t n = clean_char_length(text, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

std::string escape_text(std::string_view text, size_t max_bytes) {
    static const char kHex[] = "0123456789abcdef";
    std::string out;
    size_t i = 0;
    while (i < text.size() && out.size() < max_bytes) {
        const size_t n = clean_char_length(text, i);
        if (n == 1 && text[i] == '\\') {
            out += "\\\\";
        } else if (n) {
            out.append(text, i, n);
        } else {
            const unsigned char c = static_cast<unsigned char>(text[i]);
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
        i += n ? n : 1;
    }
    if (i < text.size()) out += "...(" + std::to_string(text.size()) + " bytes)";
    return out;
}

std::string quote_text(std::string_view text, size_t max_bytes) { return "'" + escape_text(text, max_bytes) + "'"; }

} // namespace pyimport
