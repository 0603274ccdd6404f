// libFuzzer: pyimport::parse_site_settings on an argv split from the input at
// every '\n' or '\0' (plugstack.conf's words after the .so path).
// Invariants: accepted settings are within the documented bounds (paths
// absolute, max_gaggle 1..1024, timeout 1..540, a known runtime, valid
// module names, setenv entries NAME=VALUE) and derived defaults are filled in;
// a refusal gives a non-empty message of one line, clean text of bounded
// length (it reaches slurmd's log and srun's terminal).
#include "fuzz_support.hpp"
#include "parse_util.hpp"
#include "site_settings.hpp"
#include "text_escape.hpp"

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace {

bool absolute_or_unset(const std::string &path) { return path.empty() || path[0] == '/'; }
bool absolute(const std::string &path) { return !path.empty() && path[0] == '/'; }

bool setenv_ok(const std::string &entry) {
    auto eq = entry.find('=');
    if (eq == 0 || eq == std::string::npos) return false;
    for (size_t i = 0; i < eq; ++i) {
        unsigned char c = static_cast<unsigned char>(entry[i]);
        if (!(std::isalnum(c) || c == '_')) return false;
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string_view input(reinterpret_cast<const char *>(data), size);
    std::vector<std::string> args;
    size_t start = 0;
    for (size_t i = 0; i <= size; ++i)
        if (i == size || input[i] == '\n' || input[i] == '\0') {
            if (i < size || i > start) args.emplace_back(input.substr(start, i - start));
            start = i + 1;
        }
    auto settings = pyimport::parse_site_settings(args);
    std::string error = fuzz::error_of(settings);
    if (!settings) {
        FUZZ_CHECK(!error.empty(), input, "refused without a message");
        FUZZ_CHECK(error.find('\n') == std::string::npos, input, "message: \"" + fuzz::shown(error) + "\"");
        FUZZ_CHECK(error.size() <= 1024, input, "message of " + std::to_string(error.size()) + " bytes");
        FUZZ_CHECK(pyimport::is_clean_text(error), input, "message: \"" + fuzz::shown(error) + "\"");
        return 0;
    }
    const auto &s = *settings;
    for (const std::string *path : {&s.outdir, &s.conda, &s.conda_python, &s.image, &s.runtime_path, &s.mount_at})
        FUZZ_CHECK(absolute_or_unset(*path), input, "path " + fuzz::shown(*path));
    FUZZ_CHECK(absolute(s.container_python) && absolute(s.workdir), input, "container_python or workdir");
    FUZZ_CHECK(s.max_gaggle >= 1 && s.max_gaggle <= 1024, input, "max_gaggle " + std::to_string(s.max_gaggle));
    FUZZ_CHECK(s.timeout_s >= 1 && s.timeout_s <= 540, input, "timeout " + std::to_string(s.timeout_s));
    FUZZ_CHECK(int64_t(s.timeout_s) * 1000 + s.sync_max_wait_ms <= pyimport::kMaxGaggleMs, input,
               "timeout plus release wait past srun's launch limit");
    FUZZ_CHECK(s.cancel_check_ms == 0 || (s.cancel_check_ms >= 100 && s.cancel_check_ms <= 600000), input,
               "cancel_check_ms " + std::to_string(s.cancel_check_ms));
    FUZZ_CHECK(std::string(pyimport::runtime_name(s.runtime)) != "?", input, "runtime");
    FUZZ_CHECK(!s.modules.empty(), input, "no modules");
    for (const auto &m : s.modules) FUZZ_CHECK(pyimport::is_module_name(m), input, "module " + fuzz::shown(m));
    for (const auto &m : s.r_packages) FUZZ_CHECK(pyimport::is_package_name(pyimport::Language::r, m), input, "r package " + fuzz::shown(m));
    for (const auto &m : s.perl_modules)
        FUZZ_CHECK(pyimport::is_package_name(pyimport::Language::perl, m), input, "perl module " + fuzz::shown(m));
    for (const std::string *path : {&s.conda_r, &s.container_r, &s.conda_perl, &s.container_perl})
        FUZZ_CHECK(absolute_or_unset(*path), input, "path " + fuzz::shown(*path));
    for (const auto &e : s.setenv) FUZZ_CHECK(setenv_ok(e), input, "setenv " + fuzz::shown(e));
    FUZZ_CHECK(s.conda.empty() || !s.conda_python.empty(), input, "conda without conda_python");
    FUZZ_CHECK(!s.mount_at.empty() || s.conda.empty(), input, "mount_at not defaulted to conda");
    return 0;
}
