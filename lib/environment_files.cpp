#include "environment_files.hpp"

#include "parse_util.hpp"
#include "sys_io.hpp"

namespace pyimport {

namespace {

// Both files are a few lines; anything larger is not pyimport-env-build's.
constexpr size_t kEnvFileCap = size_t(1) << 20;

// `root` may be empty (no conda= configured): then there is no tree to read,
// and "/.pyimport/..." of the machine's root must not be taken for it.
// A file that is missing, unreadable, not a regular file or over the cap has
// no lines.
std::vector<std::string> lines_of(const std::string &root, const char *file) {
    std::vector<std::string> lines;
    if (root.empty()) return lines;
    auto contents = read_regular_file(root + file, kEnvFileCap, true);
    if (!contents) return lines;
    for (auto &line : split(contents->text, '\n'))
        if (!line.empty() && line[0] != '#') lines.push_back(std::move(line));
    return lines;
}

} // namespace

std::string read_env_digest(const std::string &root) {
    auto lines = lines_of(root, kEnvDigestFile);
    return lines.empty() || lines[0].rfind("sha256:", 0) != 0 ? "" : lines[0];
}

std::vector<std::string> read_env_vars(const std::string &root) {
    std::vector<std::string> vars;
    for (auto &line : lines_of(root, kEnvVarsFile))
        if (line.find('=') != std::string::npos && line[0] != '=') vars.push_back(line);
    return vars;
}

} // namespace pyimport
