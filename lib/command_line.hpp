// The helper commands' command lines, parsed one way: --name VALUE,
// --name=VALUE, flags, short aliases, and words (arguments that are not
// options). Each handler says "" or what is wrong with its value.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace pyimport {

using ValueHandler = std::function<std::string(const std::string &value)>;

struct CommandLine {
    std::map<std::string, ValueHandler> values;   // "--format" -> handler
    std::map<std::string, bool *> flags;          // "--strict" -> set to true
    std::map<std::string, std::string> aliases;   // "-f" -> "--format"
    // A word (not an option; "-" and everything after "--" are words too);
    // unset: words are refused.
    ValueHandler word;
};

// "" or one line: "unknown option '-x'", "--format needs a value",
// "--format 'yaml': needs text, markdown, csv or json", "unexpected argument 'x'".
std::string parse_command_line(const std::vector<std::string> &args, const CommandLine &spec);

} // namespace pyimport
