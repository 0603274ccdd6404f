// The interpreted languages a gaggle can run, and what a package name of each
// may hold. A name is pasted into the interpreter's code (import, library(),
// use), so only names that are plain identifiers in that language pass:
// nothing a user types is ever run as code.
#pragma once
#include "result.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pyimport {

enum class Language { python, r, perl };
inline constexpr Language kLanguages[] = {Language::python, Language::r, Language::perl};

const char *language_name(Language language);  // "python", "r", "perl"
std::optional<Language> parse_language(std::string_view text);

// Python: dotted identifiers (numpy, os.path). R: letters, digits and dots,
// starting with a letter, not ending in a dot, 2 or more characters
// (data.table). Perl: identifiers joined by "::" (JSON::XS).
bool is_package_name(Language language, std::string_view name);

// What is_package_name allows, for messages: "Python module names", ...
const char *package_kind(Language language);

// Up to kMaxModules names separated by `sep` (',' in plugstack.conf, ':' in
// the option; for Perl a "::" inside a name is part of it, a single ':'
// separates). Nothing when a name is not one of the language's or the list is
// empty or too long.
std::optional<std::vector<std::string>> parse_package_list(Language language, std::string_view text, char sep);

// The code that loads `packages`, and the interpreter's argv before it:
//   python3 -c 'import a, b'
//   Rscript --vanilla -e 'library(a);library(b)'
//   perl -e 'use A;use B::C;'
std::string load_code(Language language, const std::vector<std::string> &packages);
std::vector<std::string> code_flags(Language language);

// The code that copies the file at `path` (a fixed path of the project's,
// never a user's text) to standard output.
std::string print_file_code(Language language, const std::string &path);

} // namespace pyimport
