#include "release_instant.hpp"

#include "parse_util.hpp"
#include "record.hpp"
#include "text_escape.hpp"

namespace pyimport {

namespace {

constexpr size_t kMaxEchoed = 40;  // a refused value is quoted this far at most
constexpr int64_t kNsPerSecond = 1000000000;

std::string seconds_text(int64_t ns) {
    const std::string whole = std::to_string(ns / kNsPerSecond);
    const int64_t tenths = (ns % kNsPerSecond) / 100000000;
    return whole + "." + std::to_string(tenths) + " s";
}

// Where `at` lies against now, or the reason it is refused.
Result<void> within_wait(int64_t at, int64_t now, int64_t max_wait_ns, const std::string &name) {
    if (at > now + max_wait_ns)
        return fail(name + " is " + seconds_text(at - now) + " ahead, more than the " + seconds_text(max_wait_ns) +
                    " a node may wait");
    if (at < now - max_wait_ns)
        return fail(name + " passed " + seconds_text(now - at) + " ago, more than the " + seconds_text(max_wait_ns) +
                    " a node may be late");
    return ok();
}

// "S" or "S.F": whole seconds (at most 11 digits) and up to 9 decimals, as nanoseconds.
std::optional<int64_t> parse_seconds(std::string_view text) {
    const size_t dot = text.find('.');
    const std::string_view whole = text.substr(0, dot);
    const std::string_view fraction = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
    if (whole.size() > 11 || fraction.size() > 9 || (dot != std::string_view::npos && fraction.empty())) return std::nullopt;
    auto seconds = parse_bounded_int(whole, 0, 99999999999);
    if (!seconds) return std::nullopt;
    // Past the records' last instant: one beyond it, which the caller refuses.
    if (*seconds > record_schema::kMaxUnixNs / kNsPerSecond) return record_schema::kMaxUnixNs + 1;
    int64_t ns = 0;
    if (!fraction.empty()) {
        const auto digits = parse_bounded_int(fraction, 0, 999999999);
        if (!digits) return std::nullopt;
        ns = *digits;
        for (size_t i = fraction.size(); i < 9; ++i) ns *= 10;
    }
    return *seconds * kNsPerSecond + ns;
}

} // namespace

const char *sync_state_name(SyncState state) {
    switch (state) {
    case SyncState::on: return "on";
    case SyncState::off: return "off";
    case SyncState::refused: return "refused";
    }
    return "?";
}

std::string release_instant_value(int64_t now_unix_ns, int margin_ms) {
    return std::to_string(now_unix_ns + int64_t(margin_ms) * 1000000);
}

ReleasePlan plan_release(const std::optional<std::string> &value, bool sync_requested, int64_t now_unix_ns,
                         int64_t max_wait_ns) {
    ReleasePlan plan;
    if (!sync_requested) return plan;
    plan.state = SyncState::refused;
    if (!value) {
        plan.note = std::string("no release instant reached this node (") + kReleaseAtVariable +
                    " is not in the job's environment)";
        return plan;
    }
    const auto at = parse_bounded_int(*value, 1, record_schema::kMaxUnixNs);
    if (!at) {
        plan.note = std::string(kReleaseAtVariable) + "=" + quote_text(*value, kMaxEchoed) +
                    " is not a whole number of nanoseconds since 1970";
        return plan;
    }
    if (auto near = within_wait(*at, now_unix_ns, max_wait_ns, "the release instant"); !near) {
        plan.note = near.error();
        return plan;
    }
    plan.state = SyncState::on;
    plan.at_unix_ns = *at;
    return plan;
}

Result<int64_t> parse_release_at(std::string_view text, int64_t now_unix_ns, int64_t max_wait_ns) {
    const bool relative = !text.empty() && text[0] == '+';
    const auto ns = parse_seconds(relative ? text.substr(1) : text);
    const std::string what = "--release-at " + quote_text(text, kMaxEchoed);
    if (!ns) return fail(what + ": use Unix seconds with up to 9 decimals (1764633600.25) or +SECONDS from now (+2.5)");
    const int64_t at = relative ? now_unix_ns + *ns : *ns;
    if (at < 1 || at > record_schema::kMaxUnixNs) return fail(what + ": outside the years 1970 to 2116");
    if (auto near = within_wait(at, now_unix_ns, max_wait_ns, what); !near) return fail(near.error());
    return at;
}

} // namespace pyimport
