#include "language.hpp"

#include "parse_util.hpp"

#include <cctype>

namespace pyimport {

const char *language_name(Language language) {
    switch (language) {
    case Language::python: return "python";
    case Language::r: return "r";
    case Language::perl: return "perl";
    }
    return "?";
}

std::optional<Language> parse_language(std::string_view text) {
    for (Language language : kLanguages)
        if (text == language_name(language)) return language;
    return std::nullopt;
}

const char *package_kind(Language language) {
    switch (language) {
    case Language::python: return "Python module names";
    case Language::r: return "R package names";
    case Language::perl: return "Perl module names";
    }
    return "?";
}

namespace {

constexpr size_t kMaxPackageName = 128;

bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ascii_alnum(char c) { return is_ascii_alpha(c) || (c >= '0' && c <= '9'); }

// R's own rule for package names ("Writing R Extensions", 1.1.1).
bool is_r_package_name(std::string_view name) {
    if (name.size() < 2 || !is_ascii_alpha(name.front()) || name.back() == '.') return false;
    for (char c : name)
        if (!is_ascii_alnum(c) && c != '.') return false;
    return true;
}

bool is_perl_identifier(std::string_view part) {
    if (part.empty() || !(is_ascii_alpha(part[0]) || part[0] == '_')) return false;
    for (char c : part)
        if (!is_ascii_alnum(c) && c != '_') return false;
    return true;
}

bool is_perl_module_name(std::string_view name) {
    for (size_t start = 0;;) {
        const size_t sep = name.find("::", start);
        if (!is_perl_identifier(name.substr(start, sep == std::string_view::npos ? sep : sep - start))) return false;
        if (sep == std::string_view::npos) return true;
        start = sep + 2;
    }
}

// Splits at `sep`; for Perl with sep ':' a "::" belongs to the name.
std::vector<std::string> split_names(Language language, std::string_view text, char sep) {
    if (!(language == Language::perl && sep == ':')) return split(text, sep);
    std::vector<std::string> names{""};
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != ':') {
            names.back() += text[i];
        } else if (i + 1 < text.size() && text[i + 1] == ':') {
            names.back() += "::";
            ++i;
        } else {
            names.emplace_back();
        }
    }
    return names;
}

} // namespace

bool is_package_name(Language language, std::string_view name) {
    if (name.size() > kMaxPackageName) return false;
    switch (language) {
    case Language::python: return is_module_name(name);
    case Language::r: return is_r_package_name(name);
    case Language::perl: return is_perl_module_name(name);
    }
    return false;
}

std::optional<std::vector<std::string>> parse_package_list(Language language, std::string_view text, char sep) {
    auto names = split_names(language, text, sep);
    if (names.size() > kMaxModules) return std::nullopt;
    for (const auto &name : names)
        if (!is_package_name(language, name)) return std::nullopt;
    return names;
}

std::string load_code(Language language, const std::vector<std::string> &packages) {
    std::string code;
    switch (language) {
    case Language::python:
        code = "import ";
        for (size_t i = 0; i < packages.size(); ++i) code += (i ? ", " : "") + packages[i];
        break;
    case Language::r:
        for (size_t i = 0; i < packages.size(); ++i) code += (i ? ";library(" : "library(") + packages[i] + ")";
        break;
    case Language::perl:
        for (const auto &p : packages) code += "use " + p + ";";
        break;
    }
    return code;
}

std::vector<std::string> code_flags(Language language) {
    switch (language) {
    case Language::python: return {"-c"};
    case Language::r: return {"--vanilla", "-e"};
    case Language::perl: return {"-e"};
    }
    return {};
}

std::string print_file_code(Language language, const std::string &path) {
    switch (language) {
    case Language::python: return "import sys; sys.stdout.write(open('" + path + "').read())";
    case Language::r: return "cat(readLines('" + path + "'), sep='\\n')";
    case Language::perl: return "open(my $f, '<', '" + path + "') or exit 1; print <$f>;";
    }
    return "";
}

} // namespace pyimport
