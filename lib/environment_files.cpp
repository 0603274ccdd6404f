#include "environment_files.hpp"

#include <fstream>

namespace pyimport {

namespace {

// `root` may be empty (no conda= configured): then there is no tree to read,
// and "/.pyimport/..." of the machine's root must not be taken for it.
std::vector<std::string> lines_of(const std::string &root, const char *file) {
    std::vector<std::string> lines;
    if (root.empty()) return lines;
    const std::string path = root + file;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line[0] != '#') lines.push_back(line);
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
