// The canonical-layout tier of FastRecordReader (record_read_canonical.cpp).
#pragma once
#include "record.hpp"

#include <cstring>
#include <string_view>

namespace pyimport {

// Zero bytes the text must be followed by: the longest lead the tier matches
// (separator, indent, quoted key, ": ") is read ahead in one go.
inline constexpr size_t kCanonicalPadding = 32;

// The 8 bytes at `p`, as one word (any alignment).
inline __attribute__((always_inline)) uint64_t word_at(const char *p) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
}

// Whether the `n` bytes at `a` and `b` are equal, eight at a time without a
// call into libc: keys are short, and this runs for every field of every record.
inline __attribute__((always_inline)) bool same_bytes(const char *a, const char *b, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        if (word_at(a + i) != word_at(b + i)) return false;
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
