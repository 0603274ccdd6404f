// libFuzzer: pyimport::parse_bench_option on arbitrary bytes (the value of
// --pyimport-bench comes from any user, on srun's command line or through the
// job's environment). Each input is parsed under three sets of site limits.
// Invariants:
//  - an accepted request is within the limits (gaggle size 1..max_gaggle,
//    timeout 0 or 1..max_timeout_s), its module names and label are well
//    formed, and its canonical spelling parses back to the same request;
//  - a refused one gives one line of bounded length that is clean text
//    (pyimport::is_clean_text: valid UTF-8, no control characters), so a user
//    cannot forge log lines or send escape sequences to a terminal.
#include "bench_option.hpp"
#include "fuzz_support.hpp"
#include "parse_util.hpp"
#include "text_escape.hpp"

#include <cctype>
#include <cstdint>

namespace {

constexpr size_t kMaxMessage = 512;  // bytes: the messages echo at most ~220 bytes of input

std::string canonical(const pyimport::BenchRequest &r) {
    std::string s = std::string(pyimport::mode_name(r.mode)) + "," + std::to_string(r.gaggle_size);
    if (r.language != pyimport::Language::python) s += std::string(",lang=") + pyimport::language_name(r.language);
    if (!r.modules.empty()) {
        s += ",modules=";
        for (size_t i = 0; i < r.modules.size(); ++i) s += (i ? ":" : "") + r.modules[i];
    }
    if (r.timeout_s) s += ",timeout=" + std::to_string(r.timeout_s);
    if (!r.label.empty()) s += ",label=" + r.label;
    return s;
}

bool same(const pyimport::BenchRequest &a, const pyimport::BenchRequest &b) {
    return a.mode == b.mode && a.gaggle_size == b.gaggle_size && a.language == b.language && a.modules == b.modules &&
           a.timeout_s == b.timeout_s && a.label == b.label;
}

bool label_ok(const std::string &label) {
    if (label.size() > 64) return false;
    for (unsigned char c : label)
        if (!(std::isalnum(c) || c == '.' || c == '_' || c == '-')) return false;
    return true;
}

void one(std::string_view value, const pyimport::RequestLimits &limits) {
    auto request = pyimport::parse_bench_option(value, limits);
    std::string error = fuzz::error_of(request);
    if (!request) {
        FUZZ_CHECK(!error.empty(), value, "refused without a message");
        FUZZ_CHECK(error.size() <= kMaxMessage, value, "message of " + std::to_string(error.size()) + " bytes: " + fuzz::shown(error));
        FUZZ_CHECK(pyimport::is_clean_text(error), value, "message: \"" + fuzz::shown(error) + "\"");
        return;
    }
    const auto &r = *request;
    std::string what = "accepted as " + fuzz::shown(canonical(r));
    FUZZ_CHECK(r.mode == pyimport::Mode::conda || r.mode == pyimport::Mode::container, value, what);
    FUZZ_CHECK(r.gaggle_size >= 1 && r.gaggle_size <= limits.max_gaggle, value, what);
    FUZZ_CHECK(r.timeout_s == 0 || (r.timeout_s >= 1 && r.timeout_s <= limits.max_timeout_s), value, what);
    for (const auto &m : r.modules) {
        FUZZ_CHECK(pyimport::is_package_name(r.language, m), value, what);
        FUZZ_CHECK(pyimport::is_clean_text(m), value, what);
    }
    FUZZ_CHECK(label_ok(r.label), value, what);
    FUZZ_CHECK(!r.importtime || r.language == pyimport::Language::python, value, what + ": importtime outside Python");
    auto again = pyimport::parse_bench_option(canonical(r), limits);
    std::string again_error = fuzz::error_of(again);
    FUZZ_CHECK(again && same(*again, r), value, what + "; its canonical spelling: " + fuzz::shown(again_error));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string_view value(reinterpret_cast<const char *>(data), size);
    one(value, pyimport::RequestLimits{});  // the defaults: 64, 300 s
    one(value, pyimport::RequestLimits{1, 1});
    one(value, pyimport::RequestLimits{1024, 540});  // the settings' upper bounds
    return 0;
}
