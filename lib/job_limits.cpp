#include "job_limits.hpp"

#include <optional>

namespace pyimport {

namespace {

struct Name {
    const char *name;
    int resource;
};

constexpr Name kNames[] = {
    {"CPU", RLIMIT_CPU},     {"FSIZE", RLIMIT_FSIZE}, {"DATA", RLIMIT_DATA},     {"STACK", RLIMIT_STACK},
    {"CORE", RLIMIT_CORE},   {"RSS", RLIMIT_RSS},     {"NPROC", RLIMIT_NPROC},   {"NOFILE", RLIMIT_NOFILE},
    {"MEMLOCK", RLIMIT_MEMLOCK}, {"AS", RLIMIT_AS},
};

// [U]<decimal>, nothing else: no sign, no blank, no overflow.
std::optional<rlim_t> parse_value(const std::string &text) {
    size_t at = !text.empty() && text[0] == 'U' ? 1 : 0;
    if (at == text.size()) return std::nullopt;
    rlim_t value = 0;
    for (; at < text.size(); ++at) {
        const char c = text[at];
        if (c < '0' || c > '9') return std::nullopt;
        const rlim_t digit = rlim_t(c - '0');
        if (value > (rlim_t(-1) - digit) / 10) return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

} // namespace

std::vector<ResourceLimit> job_resource_limits(const std::vector<std::string> &job_env) {
    static const std::string prefix = "SLURM_RLIMIT_";
    std::vector<ResourceLimit> limits;
    bool seen[sizeof kNames / sizeof kNames[0]] = {};
    for (const std::string &entry : job_env) {
        if (entry.compare(0, prefix.size(), prefix) != 0) continue;
        const size_t eq = entry.find('=');
        if (eq == std::string::npos) continue;
        const std::string name = entry.substr(prefix.size(), eq - prefix.size());
        for (size_t i = 0; i < sizeof kNames / sizeof kNames[0]; ++i) {
            if (name != kNames[i].name) continue;
            if (seen[i]) break;
            seen[i] = true;
            if (auto value = parse_value(entry.substr(eq + 1))) limits.push_back({kNames[i].resource, *value});
            break;
        }
    }
    return limits;
}

} // namespace pyimport
