// The user's request: the value of --pyimport-bench=MODE,N[,key=value...].
#pragma once
#include "language.hpp"
#include "result.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pyimport {

enum class Mode { conda, container };
const char *mode_name(Mode mode);
std::optional<Mode> parse_mode(std::string_view text);

struct BenchRequest {
    Mode mode = Mode::conda;
    int gaggle_size = 0;
    Language language = Language::python;
    std::vector<std::string> modules; // the language's package names; empty: the site's default list
    int timeout_s = 0;                // 0: the site's timeout
    std::string label;                // free tag carried into the record
    bool sync = true;                 // release at the step's common instant (sync=off: when ready)
    bool importtime = false;          // python -X importtime: per-module import times in the record (Python only)
};

// Whether users may ask for importtime=on; force turns it on for every request.
enum class ImportTimePolicy { allow, forbid, force };

// What the site allows (from plugstack.conf).
struct RequestLimits {
    int max_gaggle = 64;
    int max_timeout_s = 300;
    ImportTimePolicy importtime = ImportTimePolicy::allow;
};

// Parses the option value. Fails with one line naming the bad value and what
// is allowed.
Result<BenchRequest> parse_bench_option(std::string_view value, const RequestLimits &limits);

} // namespace pyimport
