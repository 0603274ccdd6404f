// The one escaping rule for text echoed into logs, terminals and messages.
#include "text_escape.hpp"
#include "unit_support.hpp"

using namespace pyimport;
using unit::expect_eq;

Test(text_escape, keeps_printable_ascii_and_utf8) {
    expect_eq(escape_text("numpy:scipy, é ü 漢 😀"), "numpy:scipy, é ü 漢 😀", "clean text");
    cr_assert(is_clean_text("label-1.x é"));
}

Test(text_escape, escapes_controls_backslash_and_bad_utf8) {
    expect_eq(escape_text("a\nb\rc\x1b[31md\x7f"), "a\\x0ab\\x0dc\\x1b[31md\\x7f", "C0 and DEL");
    expect_eq(escape_text("back\\slash"), "back\\\\slash", "backslash doubled");
    expect_eq(escape_text("\xc2\x9b" "x"), "\\xc2\\x9bx", "C1 control (CSI) as bytes");
    expect_eq(escape_text("\xff\xc3"), "\\xff\\xc3", "invalid UTF-8");
    expect_eq(escape_text("\xed\xa0\x80"), "\\xed\\xa0\\x80", "a surrogate");
    expect_eq(escape_text("\xc0\xaf"), "\\xc0\\xaf", "an overlong form");
    expect_eq(escape_text(std::string("a\0b", 3)), "a\\x00b", "NUL");
    for (const char *bad : {"a\nb", "\x1b", "\xc2\x85", "\xff", "tab\there"}) cr_assert(!is_clean_text(bad), "%s", bad);
    // Text that displays as something else: a right-to-left override, a line separator.
    expect_eq(escape_text("a\u202e=cmd\u2028b"), "a\\xe2\\x80\\xae=cmd\\xe2\\x80\\xa8b", "bidi override and separator");
    cr_assert(!is_clean_text("\u2067x") && !is_clean_text("\u200f") && is_clean_text("\u2010"));
}

Test(text_escape, bounds_the_length) {
    const std::string huge(100000, 'x');
    const std::string out = escape_text(huge, 50);
    cr_assert(out.size() < 80, "%zu bytes", out.size());
    cr_assert(unit::contains(out, "...(100000 bytes)"), "%s", out.c_str());
    const std::string nl(1000, '\n');
    cr_assert(escape_text(nl, 40).size() < 70);
    expect_eq(quote_text("ok"), "'ok'", "quoted");
}
