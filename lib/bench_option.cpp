#include "bench_option.hpp"

#include "parse_util.hpp"
#include "text_escape.hpp"

#include <cctype>

namespace pyimport {

const char *mode_name(Mode mode) { return mode == Mode::conda ? "conda" : "container"; }

std::optional<Mode> parse_mode(std::string_view text) {
    if (text == "conda") return Mode::conda;
    if (text == "container") return Mode::container;
    return std::nullopt;
}

// The value comes from a user (srun's command line or the job's environment)
// and is echoed into srun's terminal and slurmd's log: every echo goes through
// the one escaping rule and is bounded, so a message stays one line of a few
// hundred bytes whatever the value holds.
constexpr size_t kMaxEchoedField = 100;    // one rejected field, quoted
constexpr size_t kMaxEchoedContext = 120;  // the whole option after " in --pyimport-bench="

static std::string quoted(std::string_view field) { return quote_text(field, kMaxEchoedField); }

// One "key=value" extra; `context` goes between what is wrong and what is allowed.
static Result<void> apply_extra(const std::string &field, const RequestLimits &limits, const std::string &context,
                                BenchRequest &request) {
    auto problem = [&context](const std::string &what, const std::string &allowed) {
        return fail(what + context + ": " + allowed);
    };
    auto eq = field.find('=');
    std::string key = field.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : field.substr(eq + 1);
    if (key == "modules") {
        auto modules = parse_module_list(value, ':');
        if (!modules) return problem("invalid modules " + quoted(value), "use up to 64 Python module names separated by ':' (e.g. modules=numpy:scipy)");
        request.modules = *modules;
    } else if (key == "timeout") {
        auto t = parse_bounded_int(value, 1, limits.max_timeout_s);
        if (!t) return problem("invalid timeout " + quoted(value), "use whole seconds from 1 to " + std::to_string(limits.max_timeout_s));
        request.timeout_s = static_cast<int>(*t);
    } else if (key == "importtime") {
        if (value != "on" && value != "off")
            return problem("invalid importtime " + quoted(value), "use importtime=on or importtime=off");
        request.importtime = value == "on";
        if (request.importtime && limits.importtime == ImportTimePolicy::forbid)
            return problem("importtime=on", "this site does not allow it (importtime=forbid in plugstack.conf)");
        if (!request.importtime && limits.importtime == ImportTimePolicy::force)
            return problem("importtime=off", "this site measures import times for every request (importtime=force)");
    } else if (key == "sync") {
        if (value != "on" && value != "off") return problem("invalid sync " + quoted(value), "use sync=on or sync=off");
        request.sync = value == "on";
    } else if (key == "label") {
        if (!is_label(value)) return problem("invalid label " + quoted(value), "use 1 to 64 of A-Z a-z 0-9 . _ -");
        request.label = value;
    } else {
        return problem("unknown key " + quoted(key), "allowed are modules=, timeout=, label=, sync=, importtime=");
    }
    return ok();
}

Result<BenchRequest> parse_bench_option(std::string_view value, const RequestLimits &limits) {
    const std::string context = " in --pyimport-bench=" + escape_text(value, kMaxEchoedContext);
    auto fields = split(value, ',');
    BenchRequest request;
    auto mode = parse_mode(fields[0]);
    if (!mode) {
        return fail("invalid mode " + quoted(fields[0]) + context + ": use conda or container (MODE,N)");
    }
    request.mode = *mode;
    if (fields.size() < 2) {
        return fail("missing gaggle size" + context + ": use MODE,N with N from 1 to " + std::to_string(limits.max_gaggle));
    }
    auto size = parse_bounded_int(fields[1], 1, limits.max_gaggle);
    if (!size) {
        return fail("invalid gaggle size " + quoted(fields[1]) + context + ": use a whole number from 1 to " +
                std::to_string(limits.max_gaggle));
    }
    request.gaggle_size = static_cast<int>(*size);
    request.importtime = limits.importtime == ImportTimePolicy::force;
    for (size_t i = 2; i < fields.size(); ++i) {
        if (auto applied = apply_extra(fields[i], limits, context, request); !applied) return fail(applied.error());
    }
    return request;
}

} // namespace pyimport
