// The canonical-layout tier of FastRecordReader (record_read_canonical.cpp).
#pragma once
#include "record.hpp"

#include <cstring>
#include <string_view>

namespace pyimport {

// Zero bytes the text must be followed by (the longest key plus its quotes fit).
inline constexpr size_t kCanonicalPadding = 32;

// Whether the `n` bytes at `a` and `b` are equal, eight at a time without a
// call into libc: keys are short, and this runs for every field of every record.
inline __attribute__((always_inline)) bool same_bytes(const char *a, const char *b, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, y;
        std::memcpy(&x, a + i, 8);
        std::memcpy(&y, b + i, 8);
        if (x != y) return false;
    }
    for (; i < n; ++i)
        if (a[i] != b[i]) return false;
    return true;
}

// Reads `text` (followed by kCanonicalPadding zero bytes) into `rec` when it
// is laid out exactly as record_to_json writes it and record_from_json would
// accept it; false otherwise, `rec` then holds partial values and the caller
// reads the text with a general tier.
bool read_canonical_record(const char *text, size_t size, Record &rec);

} // namespace pyimport
