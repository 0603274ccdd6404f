// Running other programs without a shell: fork and execvp of an argv.
#pragma once
#include "result.hpp"
#include <optional>
#include <string>
#include <vector>

namespace study {

// Runs argv (stdin /dev/null, stderr discarded) and returns its standard
// output (at most 1 MiB) when it exits 0; fails with one line otherwise.
pyimport::Result<std::string> capture_output(const std::vector<std::string> &argv);

// "exit 1", "signal 9 (Killed)": a wait status in words.
std::string status_text(int wait_status);

} // namespace study
