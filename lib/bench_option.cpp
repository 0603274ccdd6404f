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

// Indexed by Language.
static const char *const kModulesExample[] = {"numpy:scipy", "ggplot2:data.table", "Moose:JSON::XS"};

// One "key=value" extra; `context` goes between what is wrong and what is allowed.
static Result<void> apply_extra(const std::string &field, const RequestLimits &limits, const std::string &context,
                                BenchRequest &request, std::string &modules_text, bool &has_modules) {
    auto problem = [&context](const std::string &what, const std::string &allowed) {
        return fail(what + context + ": " + allowed);
    };
    auto eq = field.find('=');
    std::string key = field.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : field.substr(eq + 1);
    if (key == "modules") {
        modules_text = value;  // checked once the language is known (lang= may come after)
        has_modules = true;
    } else if (key == "lang") {
        auto language = parse_language(value);
        if (!language) return problem("invalid lang " + quoted(value), "use lang=python, lang=r or lang=perl");
        request.language = *language;
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
        return problem("unknown key " + quoted(key), "allowed are lang=, modules=, timeout=, label=, sync=, importtime=");
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
    std::string modules_text;
    bool has_modules = false, asked_importtime = false;
    for (size_t i = 2; i < fields.size(); ++i) {
        if (fields[i].rfind("importtime=", 0) == 0) asked_importtime = fields[i] == "importtime=on";  // the last one counts
        if (auto applied = apply_extra(fields[i], limits, context, request, modules_text, has_modules); !applied)
            return fail(applied.error());
    }
    if (has_modules) {
        auto modules = parse_package_list(request.language, modules_text, ':');
        if (!modules)
            return fail("invalid modules " + quoted(modules_text) + context + ": use up to " + std::to_string(kMaxModules) +
                        " " + package_kind(request.language) + " separated by ':' (e.g. modules=" +
                        kModulesExample[int(request.language)] + ")");
        request.modules = *modules;
    }
    if (request.language != Language::python) {
        if (asked_importtime)
            return fail("importtime=on" + context + ": it is Python's -X importtime, not for lang=" +
                        language_name(request.language));
        request.importtime = false;  // importtime=force concerns Python's imports
    }
    return request;
}

} // namespace pyimport
