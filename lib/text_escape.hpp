// Text that came from a user, a record file or a job's environment, made
// safe for one line of a log, a terminal or a message: one rule for every
// place that echoes such text, so none can forge a line or send a terminal
// an escape sequence.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace pyimport {

// Length of the UTF-8 sequence at text[i] when it is valid (shortest form,
// no surrogate, at most U+10FFFF) and not a control character (C0, DEL, C1),
// a line or paragraph separator, or a bidirectional mark or override; 0
// otherwise.
size_t clean_char_length(std::string_view text, size_t i);

// Whether all of `text` is valid UTF-8 without control characters: what a
// record's text fields may hold.
bool is_clean_text(std::string_view text);

// `text` for one line: clean characters kept, a backslash doubled, every
// other byte as \xNN. Cut to about `max_bytes` of output with "...(N bytes)"
// appended when it is longer, so a huge value cannot flood a log.
std::string escape_text(std::string_view text, size_t max_bytes = 200);

// escape_text in single quotes: how messages name a value they reject.
std::string quote_text(std::string_view text, size_t max_bytes = 200);

} // namespace pyimport
