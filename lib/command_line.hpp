// The helper commands' command lines, parsed one way: --name VALUE,
// --name=VALUE, flags, short aliases, and words (arguments that are not
// options). Each handler succeeds or fails with what is wrong with its value.
#pragma once
#include "result.hpp"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace pyimport {

using ValueHandler = std::function<Result<void>(const std::string &value)>;

struct CommandLine {
    std::map<std::string, ValueHandler> values;   // "--format" -> handler
    std::map<std::string, bool *> flags;          // "--strict" -> set to true
    std::map<std::string, std::string> aliases;   // "-f" -> "--format"
    // A word (not an option; "-" and everything after "--" are words too);
    // unset: words are refused.
    ValueHandler word;
};

// Fails with one line: "unknown option '-x'", "--format needs a value",
// "--format 'yaml': needs text, markdown, csv or json", "unexpected argument 'x'".
Result<void> parse_command_line(const std::vector<std::string> &args, const CommandLine &spec);

} // namespace pyimport
