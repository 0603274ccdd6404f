// The importtime parser and summary (lib/import_times.*): real output of this
// machine's /usr/bin/python3 (tests/unit/samples/importtime-*.txt), cut at
// every byte, with CRLF and without the final newline; garbage, huge numbers,
// bad names and hostile sizes written here. The live capture through a
// gaggle is in test_gaggle.cpp.
#include "import_times.hpp"
#include "unit_support.hpp"

#include <algorithm>

#include <unistd.h>

using namespace pyimport;
using unit::expect_eq;

namespace {

std::string line(int64_t self_us, int64_t cumulative_us, int depth, const std::string &name) {
    return "import time: " + std::to_string(self_us) + " | " + std::to_string(cumulative_us) + " | " +
           std::string(size_t(depth) * 2, ' ') + name + "\n";
}

std::string shown(const ImportTimeEntry &e) {
    return e.name + "@" + std::to_string(e.depth) + ":" + std::to_string(e.self_us) + "/" +
           std::to_string(e.cumulative_us);
}

std::vector<std::string> shown(const std::vector<ImportTimeEntry> &entries) {
    std::vector<std::string> out;
    for (const auto &e : entries) out.push_back(shown(e));
    return out;
}

std::vector<std::string> shown(const std::vector<SlowModule> &slowest) {
    std::vector<std::string> out;
    for (const auto &m : slowest)
        out.push_back(m.name + ":" + std::to_string(m.self_us) + "/" + std::to_string(m.cumulative_us));
    return out;
}

std::vector<std::string> names(const std::vector<ImportTimeEntry> &entries) {
    std::vector<std::string> out;
    for (const auto &e : entries) out.push_back(e.name);
    return out;
}

void expect_requested(const ImportTimeSummary &s, const std::vector<std::string> &requested,
                      const std::vector<int64_t> &expected) {
    cr_assert_eq(s.requested_cumulative_us.size(), requested.size());
    for (size_t i = 0; i < requested.size(); ++i)
        cr_expect_eq(s.requested_cumulative_us[i], expected[i], "%s: got %lld, expected %lld", requested[i].c_str(),
                     (long long)s.requested_cumulative_us[i], (long long)expected[i]);
}

// A literal with its NUL bytes.
template <size_t N> std::string bytes(const char (&text)[N]) { return std::string(text, N - 1); }

size_t count_lines_with(const std::string &text, const std::string &start) {
    size_t n = 0;
    for (size_t at = 0; at < text.size(); at = text.find('\n', at) + 1) {
        if (text.compare(at, start.size(), start) == 0) ++n;
        if (text.find('\n', at) == std::string::npos) break;
    }
    return n;
}

} // namespace

// ---- real samples ---------------------------------------------------------------------

Test(import_times, stdlib_sample_every_line_with_its_nesting) {
    const std::string text = unit::sample("importtime-stdlib.txt");
    const auto entries = parse_import_times(text);
    // Every line but the header.
    cr_assert_eq(entries.size(), count_lines_with(text, "import time: ") - 1, "%zu entries", entries.size());
    expect_eq(shown(entries.front()), "_io@1:198/198", "first entry");
    expect_eq(shown(entries.back()), "email.mime.text@0:205/41652", "last entry");
    // sqlite3 and what it imported, deepest first as Python finishes them.
    const auto all = shown(entries);
    auto at = std::find(all.begin(), all.end(), "_sqlite3@2:3688/3688");
    cr_assert(at != all.end() && all.end() - at > 2, "no _sqlite3 at depth 2: %s", unit::join(all).c_str());
    expect_eq(at[1], "sqlite3.dbapi2@1:703/6757", "after _sqlite3");
    expect_eq(at[2], "sqlite3@0:285/7041", "after sqlite3.dbapi2");
    int deepest = 0;
    for (const auto &e : entries) deepest = std::max(deepest, e.depth);
    cr_expect_eq(deepest, 9);
}

Test(import_times, stdlib_sample_summary) {
    const std::vector<std::string> requested = {"json", "sqlite3", "email.mime.text"};
    const auto s = summarize_import_times(unit::sample("importtime-stdlib.txt"), requested);
    expect_requested(s, requested, {12811, 7041, 41652});
    expect_eq(shown(s.slowest),
              {"email._header_value_parser:8282/9000", "enum:4268/4268", "site:4074/18385", "locale:3766/3941",
               "_sqlite3:3688/3688"},
              "slowest");
}

Test(import_times, numpy_sample_summary) {
    const std::vector<std::string> requested = {"numpy", "numpy.core", "scipy"};
    const auto s = summarize_import_times(unit::sample("importtime-numpy.txt"), requested);
    // numpy.core is imported, but by numpy (depth 1); scipy never.
    expect_requested(s, requested, {143274, kNotImported, kNotImported});
    expect_eq(shown(s.slowest),
              {"_hashlib:12559/12559", "numpy.core._multiarray_umath:9469/11096",
               "numpy.linalg._umath_linalg:9346/9346", "numpy.ma.core:4951/9599",
               "numpy.lib.function_base:3860/4650"},
              "slowest");
}

Test(import_times, study_sample_summary) {
    // The 2017 study's imports from the test environment (92 KB, 1263 lines).
    const std::vector<std::string> requested = {"numpy", "scipy", "pandas", "sqlite3", "Bio", "matplotlib", "seaborn"};
    const auto s = summarize_import_times(unit::sample("importtime-study.txt"), requested);
    expect_requested(s, requested, {160696, 7568, 462148, 5383, 826, 106925, 772327});
    cr_assert_eq(s.slowest.size(), kSlowestModules);
    // Every line but the header and _sysconfigdata__x86_64-linux-gnu: a real
    // module, but no name the option or the record would take ('-').
    cr_assert_eq(parse_import_times(unit::sample("importtime-study.txt")).size(), 1261u);
}

Test(import_times, a_long_module_list_costs_one_lookup_per_line) {
    // 20,000 requested names against 1 MiB of matching lines: linear, not
    // names x lines (a user's stderr and module list are both the user's).
    std::vector<std::string> requested(20000, "a");
    std::string text = "import time: self [us] | cumulative | imported package\n";
    while (text.size() < (size_t(1) << 20)) text += "import time:         1 |          1 | a\n";
    const auto s = summarize_import_times(text, requested);
    cr_assert_eq(s.requested_cumulative_us.size(), requested.size());
    cr_assert(std::all_of(s.requested_cumulative_us.begin(), s.requested_cumulative_us.end(),
                          [](int64_t us) { return us == 1; }));
}

// User prints, one glued to the next importtime line (no newline), and the
// traceback of a failed import: Python still lists the failed module.
Test(import_times, traceback_sample_skips_what_is_not_importtime) {
    const std::string text = unit::sample("importtime-traceback.txt");
    const auto entries = parse_import_times(text);
    cr_assert(unit::contains(text, "user text\n") && unit::contains(text, "no newlineimport time:"));
    cr_assert(unit::contains(text, "Traceback (most recent call last):"));
    // The header and the glued line are the two "import time:" lines not taken.
    cr_expect_eq(entries.size(), count_lines_with(text, "import time: ") - 1, "%zu entries", entries.size());
    const auto all = names(entries);
    cr_expect(std::find(all.begin(), all.end(), "_csv") == all.end(), "the glued _csv line was taken");
    const std::vector<std::string> requested = {"json", "csv", "_csv", "no_such_module_xyz", "Traceback"};
    const auto s = summarize_import_times(text, requested);
    expect_requested(s, requested, {4193, 924, kNotImported, 78, kNotImported});
}

// ---- cut text -------------------------------------------------------------------------

Test(import_times, a_cut_never_invents_an_entry) {
    const std::string text = unit::sample("importtime-stdlib.txt");
    const auto full = shown(parse_import_times(text));
    for (size_t cut = 0; cut <= text.size(); ++cut) {
        // Cut at the end: a prefix of the entries (the cut line itself is dropped).
        const auto head = shown(parse_import_times(std::string_view(text).substr(0, cut)));
        cr_assert(head.size() <= full.size() && std::equal(head.begin(), head.end(), full.begin()),
                  "cut at the end at %zu: %s", cut, unit::join(head).c_str());
        // Cut at the start (a tail ring): a suffix of the entries.
        const auto tail = shown(parse_import_times(std::string_view(text).substr(cut)));
        cr_assert(tail.size() <= full.size() && std::equal(tail.rbegin(), tail.rend(), full.rbegin()),
                  "cut at the start at %zu: %s", cut, unit::join(tail).c_str());
    }
}

Test(import_times, a_last_line_cut_in_its_name_is_skipped) {
    const std::string text = unit::sample("importtime-stdlib.txt");
    const std::string cut = text.substr(0, text.size() - std::string("text\n").size());  // "... | email.mime."
    const std::vector<std::string> requested = {"email.mime", "email.mime.text", "sqlite3"};
    expect_requested(summarize_import_times(cut, requested), requested, {kNotImported, kNotImported, 7041});
    cr_expect_eq(parse_import_times(cut).size(), parse_import_times(text).size() - 1);
}

Test(import_times, a_first_line_cut_is_skipped) {
    const std::string good = line(10, 20, 0, "json");
    for (size_t cut = 1; cut < good.size(); ++cut) {
        const std::string text = good.substr(cut) + line(1, 2, 0, "csv");
        expect_eq(shown(parse_import_times(text)), {"csv@0:1/2"}, ("cut at " + std::to_string(cut)).c_str());
    }
}

Test(import_times, crlf_line_ends_and_the_missing_final_newline) {
    const std::string text = unit::sample("importtime-stdlib.txt");
    std::string crlf;
    for (char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    const auto full = shown(parse_import_times(text));
    expect_eq(shown(parse_import_times(crlf)), full, "CRLF");
    // Python ends every line with '\n': without it the last line counts as cut.
    const std::string unterminated = text.substr(0, text.size() - 1);
    const auto cut = shown(parse_import_times(unterminated));
    expect_eq(cut, std::vector<std::string>(full.begin(), full.end() - 1), "no final newline");
    expect_eq(shown(parse_import_times(crlf.substr(0, crlf.size() - 1))), cut, "CRLF, final newline missing");
    expect_eq(shown(parse_import_times("import time: 1 | 2 | json")), {}, "one line, no newline");
    expect_eq(shown(parse_import_times("")), {}, "empty");
    expect_eq(shown(parse_import_times("\n\n\r\n")), {}, "empty lines");
}

// ---- hostile text ---------------------------------------------------------------------

Test(import_times, garbage_lines_are_skipped) {
    const std::vector<std::string> garbage = {
        "import time: self [us] | cumulative | imported package\n",  // the header
        "import time: abc | 1 | x\n",
        "import time: 1 | 2 | \n",           // no name
        "import time: 1 | 2 |x\n",           // no space before the name
        "import time:1|2|x\n",
        "import time: 1 | 2 |  x\n",         // odd indent
        "import time: 1 | 2 | \tx\n",        // a tab
        "import time: -1 | 2 | x\n",         // negative
        "import time: +1 | 2 | x\n",         // sign
        "import time: 1 | 2 | 3 | x\n",      // a field too many
        "import time: 1 | 2\n",              // a field too few
        "import time: | | x\n",              // empty numbers
        "import time: 1 2 | 3 | x\n",        // two numbers in one field
        "import time: 5 | 2 | x\n",          // self above cumulative
        "import time: 1 | 2 | x y\n",        // text after the name
        "import time: 1 | 2 | x \n",         // a trailing space
        "Import time: 1 | 2 | x\n",
        " import time: 1 | 2 | x\n",
        "\x1b[31mimport time: 1 | 2 | x\n",
        "  File \"<string>\", line 1, in <module>\n",
        bytes("import time: 1\0 | 2 | x\n"),
        bytes("import time: 1 | 2 | x\0\n"),
        bytes("\xff\xfe\x00\x01 | 1 | 2 |\n"),
        "\r\n",
        "|||||\n",
    };
    std::string text = line(5, 6, 0, "good_one");
    for (const auto &g : garbage) text += g;
    text += line(7, 7, 3, "good.two");
    for (const auto &g : garbage) text += g;
    text += line(1, 1, 0, "good3");
    expect_eq(shown(parse_import_times(text)), {"good_one@0:5/6", "good.two@3:7/7", "good3@0:1/1"}, "entries");
    for (size_t i = 0; i < garbage.size(); ++i)
        expect_eq(shown(parse_import_times(garbage[i])), {}, ("garbage line " + std::to_string(i)).c_str());
}

Test(import_times, huge_numbers_are_bounded) {
    const std::string text = line(kMaxImportTimeUs, kMaxImportTimeUs, 0, "at_the_bound") +
                             line(1, kMaxImportTimeUs + 1, 0, "cumulative_over") +
                             line(kMaxImportTimeUs + 1, kMaxImportTimeUs + 1, 0, "self_over") +
                             "import time: 99999999999999999999999999999 | 1 | overflow\n"
                             "import time: 1 | 18446744073709551617 | wraps_to_one\n"
                             "import time: 000000000000000000001 | 2 | many_zeros\n" +  // 21 digits: refused
                             line(0, 0, 0, "zero") + "import time:        007 |        0008 | leading_zeros\n";
    expect_eq(shown(parse_import_times(text)),
              {"at_the_bound@0:1000000000000/1000000000000", "zero@0:0/0", "leading_zeros@0:7/8"}, "entries");
    const std::vector<std::string> requested = {"at_the_bound", "cumulative_over", "overflow"};
    expect_requested(summarize_import_times(text, requested), requested,
                     {kMaxImportTimeUs, kNotImported, kNotImported});
}

Test(import_times, names_must_be_module_names) {
    const std::string longest(kMaxImportNameBytes, 'a');
    std::string text;
    for (const char *bad : {"1abc", "a..b", ".a", "a.", "a-b", "a/b", "a:b", "\xc3\xbcnicode", "a\x01", "os.path|x",
                            "a*b", "a,b"})
        text += line(1, 1, 0, bad);
    text += line(1, 1, 0, longest + "a");
    text += line(2, 2, 0, longest) + line(3, 3, 1, "_private.Mod_2.x9");
    expect_eq(names(parse_import_times(text)), {longest, "_private.Mod_2.x9"}, "names");
}

Test(import_times, depth_is_bounded) {
    const std::string text = line(1, 1, kMaxImportDepth, "deepest") + line(1, 1, kMaxImportDepth + 1, "too_deep") +
                             "import time: 1 | 1 | " + std::string(1 << 20, ' ') + "x\n";
    expect_eq(shown(parse_import_times(text)), {"deepest@1000:1/1"}, "entries");
}

// ---- the summary ----------------------------------------------------------------------

Test(import_times, slowest_ties_duplicates_and_fewer_than_k) {
    // Equal times keep their order; a name seen twice (a subprocess of the
    // interpreter writes to the same stderr) is kept once, with its largest time.
    const std::string text = line(10, 10, 1, "a") + line(30, 30, 1, "b") + line(10, 10, 1, "c") +
                             line(40, 45, 0, "a") + line(10, 10, 2, "d") + line(10, 10, 2, "e") +
                             line(30, 31, 0, "b") + line(5, 5, 0, "f") + line(35, 35, 0, "json") +
                             line(1, 99, 0, "json");
    const auto s = summarize_import_times(text, {"json", "a", "c"});
    expect_requested(s, {"json", "a", "c"}, {35, 45, kNotImported});
    expect_eq(shown(s.slowest), {"a:40/45", "json:35/35", "b:30/30", "c:10/10", "d:10/10"}, "slowest");

    const auto few = summarize_import_times(line(1, 2, 0, "x") + line(3, 4, 1, "y"), {});
    expect_eq(shown(few.slowest), {"y:3/4", "x:1/2"}, "fewer than kSlowestModules");
    cr_expect(few.requested_cumulative_us.empty());

    const auto none = summarize_import_times("Traceback (most recent call last):\n", {"numpy", "numpy"});
    expect_requested(none, {"numpy", "numpy"}, {kNotImported, kNotImported});
    cr_expect(none.slowest.empty());
}

Test(import_times, the_summary_is_bounded_whatever_the_text) {
    // 200000 distinct modules, ever slower, then ever faster.
    std::string text;
    for (int i = 0; i < 100000; ++i) text += line(i, i, 0, "m" + std::to_string(i));
    for (int i = 100000; i > 0; --i) text += line(i, i, 1, "n" + std::to_string(i));
    const auto s = summarize_import_times(text, {"m99999", "n1"});
    expect_requested(s, {"m99999", "n1"}, {99999, kNotImported});
    expect_eq(shown(s.slowest), {"n100000:100000/100000", "m99999:99999/99999", "n99999:99999/99999",
                                 "m99998:99998/99998", "n99998:99998/99998"},
              "slowest");
    cr_expect_eq(kSlowestModules, size_t(5));
}
