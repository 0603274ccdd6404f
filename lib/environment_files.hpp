// What pyimport-env-build leaves in an environment's tree, under .pyimport/:
// the content digest both forms (directory and image) carry, and the
// variables that run the tree's interpreter like a conda environment.
#pragma once
#include <string>
#include <vector>

namespace pyimport {

inline constexpr const char *kEnvDigestFile = "/.pyimport/digest";
inline constexpr const char *kEnvVarsFile = "/.pyimport/env";

// The digest ("sha256:...") of the tree at `root`; "" when it has none.
std::string read_env_digest(const std::string &root);

// NAME=VALUE lines of the tree's env file; empty when it has none.
std::vector<std::string> read_env_vars(const std::string &root);

} // namespace pyimport
