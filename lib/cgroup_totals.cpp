#include "cgroup_totals.hpp"

#include <charconv>
#include <limits>

namespace pyimport {

namespace {

std::optional<int64_t> number(std::string_view text) {
    int64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 0 || text.empty()) return std::nullopt;
    return value;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n')) text.remove_suffix(1);
    return text;
}

// Calls visit(line) for each line of `text`; stops when it returns false.
template <class Visit> void each_line(std::string_view text, Visit visit) {
    while (!text.empty()) {
        size_t end = text.find('\n');
        if (!visit(text.substr(0, end))) return;
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    }
}

bool add(int64_t &sum, int64_t value) {
    if (value > std::numeric_limits<int64_t>::max() - sum) return false;
    sum += value;
    return true;
}

} // namespace

std::optional<int64_t> parse_cgroup_number(std::string_view text) { return number(trim(text)); }

std::optional<int64_t> parse_cgroup_keyed(std::string_view text, std::string_view key) {
    std::optional<int64_t> found;
    each_line(text, [&](std::string_view line) {
        line = trim(line);
        if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ' ') {
            found = number(trim(line.substr(key.size())));
            return false;
        }
        return true;
    });
    return found;
}

std::optional<IoSums> parse_io_stat(std::string_view text) {
    IoSums sums;
    bool good = true;
    each_line(text, [&](std::string_view line) {
        line = trim(line);
        if (line.empty()) return true;
        size_t space = line.find(' ');
        if (space == std::string_view::npos) return good = false;  // a device with no counters
        for (std::string_view rest = line.substr(space + 1); !rest.empty() && good;) {
            size_t end = rest.find(' ');
            std::string_view field = rest.substr(0, end);
            rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
            size_t eq = field.find('=');
            if (eq == std::string_view::npos) continue;
            std::string_view key = field.substr(0, eq);
            auto value = number(field.substr(eq + 1));
            const bool is_bytes = key == "rbytes" || key == "wbytes" || key == "dbytes";
            const bool is_ops = key == "rios" || key == "wios" || key == "dios";
            if (!is_bytes && !is_ops) continue;  // newer kernels add other keys
            if (!value || !add(is_bytes ? sums.bytes : sums.operations, *value)) good = false;
        }
        return good;
    });
    if (!good) return std::nullopt;
    return sums;
}

} // namespace pyimport
