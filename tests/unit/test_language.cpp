// The languages a gaggle runs, and the package names each accepts: a name is
// pasted into the interpreter's code, so only plain names may pass.
#include "language.hpp"
#include "parse_util.hpp"
#include "unit_support.hpp"

using namespace pyimport;
using unit::expect_eq;

Test(language, names_round_trip) {
    for (Language l : kLanguages) cr_assert(parse_language(language_name(l)) == l);
    for (const char *bad : {"", "Python", "R", "perl5", "python ", "ruby"}) cr_assert(!parse_language(bad), "%s", bad);
}

Test(language, r_package_names_follow_rs_own_rule) {
    for (const char *good : {"ggplot2", "data.table", "Matrix", "survival", "R6", "a.b.c"})
        cr_assert(is_package_name(Language::r, good), "%s refused", good);
    for (const char *bad : {"", "a", "2pkg", ".hidden", "data.", "data_table", "gg-plot", "a b", "x);system('id')",
                            "pkg;q()", "ggplot2\n", "é1"})
        cr_assert(!is_package_name(Language::r, bad), "%s accepted", bad);
}

Test(language, perl_module_names_are_identifiers_joined_by_double_colons) {
    for (const char *good : {"Moose", "DBI", "JSON::XS", "List::MoreUtils", "_private", "A::B::C9"})
        cr_assert(is_package_name(Language::perl, good), "%s refused", good);
    for (const char *bad : {"", "::A", "A::", "A:::B", "A:B", "9A", "A-B", "A'B", "A;system(1)", "A::B;", "A B",
                            "A\n"})
        cr_assert(!is_package_name(Language::perl, bad), "%s accepted", bad);
}

Test(language, python_names_are_dotted_identifiers) {
    cr_assert(is_package_name(Language::python, "os.path"));
    for (const char *bad : {"", "os..path", "a-b", "import os", "2to3"}) cr_assert(!is_package_name(Language::python, bad));
}

Test(language, no_name_is_longer_than_128_bytes) {
    cr_assert(is_package_name(Language::r, "a" + std::string(127, 'b')));
    cr_assert(!is_package_name(Language::r, "a" + std::string(128, 'b')));
    cr_assert(!is_package_name(Language::perl, "A" + std::string(128, 'b')));
}

Test(language, lists_in_the_option_keep_perls_double_colons) {
    expect_eq(*parse_package_list(Language::perl, "Moose:JSON::XS:List::MoreUtils", ':'),
              {"Moose", "JSON::XS", "List::MoreUtils"}, "perl with ':'");
    expect_eq(*parse_package_list(Language::perl, "Moose,JSON::XS", ','), {"Moose", "JSON::XS"}, "perl with ','");
    expect_eq(*parse_package_list(Language::r, "ggplot2:data.table", ':'), {"ggplot2", "data.table"}, "r");
    for (const char *bad : {"", "Moose:", ":Moose", "Moose::", "A:::B", "Moose::::DBI"})
        cr_assert(!parse_package_list(Language::perl, bad, ':'), "'%s' accepted", bad);
    std::string many = "a1";
    for (size_t i = 1; i < kMaxModules; ++i) many += ":a1";
    cr_assert(parse_package_list(Language::r, many, ':'));
    cr_assert(!parse_package_list(Language::r, many + ":a1", ':'), "65 names accepted");
}

Test(language, code_and_flags) {
    expect_eq(load_code(Language::r, {"ggplot2", "data.table"}), "library(ggplot2);library(data.table)", "r");
    expect_eq(load_code(Language::perl, {"Moose", "JSON::XS"}), "use Moose;use JSON::XS;", "perl");
    expect_eq(load_code(Language::python, {"a", "b.c"}), "import a, b.c", "python");
    expect_eq(code_flags(Language::r), {"--vanilla", "-e"}, "r flags");
    expect_eq(code_flags(Language::perl), {"-e"}, "perl flags");
    expect_eq(code_flags(Language::python), {"-c"}, "python flags");
    expect_eq(print_file_code(Language::r, "/.pyimport/digest"), "cat(readLines('/.pyimport/digest'), sep='\\n')", "r");
}
