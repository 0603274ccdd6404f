// Shared by the libFuzzer harnesses: how a broken invariant is reported.
// A harness that finds one prints what it saw and aborts, so libFuzzer keeps
// the input (artifact_prefix) and `make fuzz` fails.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace fuzz {

// The error of a pyimport::Result, "" when it succeeded.
template <class R> std::string error_of(const R &result) { return result ? std::string() : result.error(); }

// The text with every byte outside printable ASCII as \xNN: for reports only.
inline std::string shown(std::string_view text, size_t max = 600) {
    std::string out;
    for (size_t i = 0; i < text.size() && out.size() < max; ++i) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out += char(c);
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    if (out.size() >= max) out += "...(" + std::to_string(text.size()) + " bytes)";
    return out;
}

[[noreturn]] inline void broken(const char *invariant, std::string_view input, const std::string &detail) {
    std::fprintf(stderr, "\nINVARIANT BROKEN: %s\n  input: \"%s\"\n  %s\n", invariant, shown(input).c_str(),
                 detail.c_str());
    std::abort();
}

#define FUZZ_CHECK(cond, input, detail)                                                                    \
    do {                                                                                                   \
        if (!(cond)) ::fuzz::broken(#cond, input, detail);                                                 \
    } while (0)

} // namespace fuzz
