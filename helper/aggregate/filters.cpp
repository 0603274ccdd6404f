#include "filters.hpp"

#include "parse_util.hpp"

#include <ctime>

namespace agg {

using pyimport::parse_bounded_int;

bool NumberSet::contains(long long n) const {
    if (any()) return true;
    for (auto [lo, hi] : ranges)
        if (n >= lo && n <= hi) return true;
    return false;
}

std::optional<NumberSet> parse_number_set(std::string_view text, long long lo, long long hi) {
    NumberSet set;
    for (const auto &item : pyimport::split(text, ',')) {
        auto dash = item.find('-');
        auto a = parse_bounded_int(std::string_view(item).substr(0, dash), lo, hi);
        auto b = dash == std::string::npos ? a : parse_bounded_int(std::string_view(item).substr(dash + 1), lo, hi);
        if (!a || !b || *b < *a) return std::nullopt;
        set.ranges.emplace_back(*a, *b);
    }
    return set;
}

std::optional<int64_t> parse_time(std::string_view text, bool end_of_period) {
    if (!text.empty() && text[0] == '@') {
        auto s = parse_bounded_int(text.substr(1), 0, 9'000'000'000LL);
        if (!s) return std::nullopt;
        return *s * 1'000'000'000LL;
    }
    // Fixed positions: YYYY-MM-DD[(T| )HH:MM[:SS]]
    auto field = [&](size_t pos, size_t len, long long lo, long long hi) {
        return pos + len <= text.size() ? parse_bounded_int(text.substr(pos, len), lo, hi) : std::nullopt;
    };
    if (text.size() != 10 && text.size() != 16 && text.size() != 19) return std::nullopt;
    if (text[4] != '-' || text[7] != '-') return std::nullopt;
    if (text.size() > 10 && ((text[10] != 'T' && text[10] != ' ') || text[13] != ':')) return std::nullopt;
    if (text.size() == 19 && text[16] != ':') return std::nullopt;
    auto year = field(0, 4, 1970, 2200), month = field(5, 2, 1, 12), day = field(8, 2, 1, 31);
    std::optional<long long> hour = 0LL, minute = 0LL, second = 0LL;
    if (text.size() > 10) hour = field(11, 2, 0, 23), minute = field(14, 2, 0, 59);
    if (text.size() > 16) second = field(17, 2, 0, 60);
    if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
    std::tm tm{};
    tm.tm_year = int(*year - 1900);
    tm.tm_mon = int(*month - 1);
    tm.tm_mday = int(*day);
    tm.tm_hour = int(*hour);
    tm.tm_min = int(*minute);
    tm.tm_sec = int(*second);
    int64_t s = timegm(&tm);
    if (tm.tm_mday != int(*day)) return std::nullopt;  // 31 February and the like
    if (end_of_period && text.size() < 19) s += text.size() == 10 ? 86400 - 1 : 60 - 1;
    return s * 1'000'000'000LL + (end_of_period && text.size() < 19 ? 999'999'999 : 0);
}

bool Filters::matches(const ConfigKey &key, uint32_t job_id, int64_t start_ns) const {
    return jobs.contains(job_id) && nodes.contains(key.nodes) && gaggles.contains(key.gaggle) &&
           (!mode || *mode == key.mode) && (!language || *language == key.language) && (!label || *label == key.label) && (!modules || *modules == key.modules) &&
           start_ns >= since_ns && start_ns <= until_ns;
}

} // namespace agg
