// The helpers' one command-line parser.
#include "command_line.hpp"
#include "unit_support.hpp"

using namespace pyimport;
using unit::expect_eq;

Test(command_line, values_flags_aliases_and_words) {
    std::string format, output;
    bool strict = false;
    std::vector<std::string> words;
    CommandLine spec;
    spec.values = {{"--format", [&](const std::string &v) -> Result<void> {
                        if (v != "csv") return fail("needs csv");
                        return format = v, ok();
                    }},
                   {"--output", [&](const std::string &v) { return output = v, ok(); }}};
    spec.aliases = {{"-o", "--output"}};
    spec.flags = {{"--strict", &strict}};
    spec.word = [&](const std::string &w) { return words.push_back(w), ok(); };
    expect_eq(unit::error_of(parse_command_line({"--format=csv", "-o", "out.md", "--strict", "a", "-", "--", "--b"}, spec)), "", "parsed");
    expect_eq(format, "csv", "--format=");
    expect_eq(output, "out.md", "alias");
    cr_assert(strict);
    expect_eq(words, {"a", "-", "--b"}, "words");
    expect_eq(unit::error_of(parse_command_line({"--format", "yaml"}, spec)), "--format 'yaml': needs csv", "bad value");
    expect_eq(unit::error_of(parse_command_line({"--format"}, spec)), "--format needs a value", "missing value");
    expect_eq(unit::error_of(parse_command_line({"-x\x1b[2J"}, spec)), "unknown option '-x\\x1b[2J'", "unknown, escaped");
    spec.word = nullptr;
    expect_eq(unit::error_of(parse_command_line({"stray"}, spec)), "unexpected argument 'stray'", "no words");
}
