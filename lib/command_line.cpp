#include "command_line.hpp"

#include "text_escape.hpp"

namespace pyimport {

Result<void> parse_command_line(const std::vector<std::string> &args, const CommandLine &spec) {
    constexpr size_t kShown = 80;  // of a value echoed in a message
    bool only_words = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string &a = args[i];
        if (only_words || a.empty() || a[0] != '-' || a == "-") {
            if (!spec.word) return fail("unexpected argument " + quote_text(a, kShown));
            if (auto taken = spec.word(a); !taken) return taken;
            continue;
        }
        if (a == "--") {
            only_words = true;
            continue;
        }
        if (auto f = spec.flags.find(a); f != spec.flags.end()) {
            *f->second = true;
            continue;
        }
        std::string name = a, value;
        bool has_value = false;
        if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos)
            name = a.substr(0, eq), value = a.substr(eq + 1), has_value = true;
        if (auto alias = spec.aliases.find(name); alias != spec.aliases.end()) name = alias->second;
        auto h = spec.values.find(name);
        if (h == spec.values.end()) return fail("unknown option " + quote_text(a, kShown));
        if (!has_value) {
            if (i + 1 >= args.size()) return fail(name + " needs a value");
            value = args[++i];
        }
        if (auto taken = h->second(value); !taken)
            return fail(name + " " + quote_text(value, kShown) + ": " + taken.error());
    }
    return ok();
}

} // namespace pyimport
