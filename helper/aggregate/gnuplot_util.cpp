#include "gnuplot_util.hpp"

#include "text_escape.hpp"

#include <cmath>
#include <cstdio>

namespace agg {

namespace {
// A gnuplot single-quoted string, for any text (module lists and labels come
// from record files anyone may write, and gnuplot often runs as root). Inside
// single quotes gnuplot substitutes nothing (no backquote command, no @macro,
// no backslash escape) and '' is a quote; what could still end the string or
// the command, a newline or any other control byte, and invalid UTF-8 go
// through the project's one rule (as \xNN), cut at kMaxQuotedBytes.
constexpr size_t kMaxQuotedBytes = 400;
}  // namespace

std::string quoted(const std::string &s) {
    std::string out = "'";
    for (char c : pyimport::escape_text(s, kMaxQuotedBytes)) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

void datablock(std::string &s, const std::string &name, const std::vector<std::vector<double>> &rows) {
    s += "$" + name + " << EOD\n";
    for (const auto &row : rows) {
        for (size_t i = 0; i < row.size(); ++i) s += (i ? " " : "") + num(row[i]);
        s += "\n";
    }
    s += "EOD\n";
}

std::string terminal(const std::string &format) {
    const char *size = "size 1300,650";
    if (format == "svg") return std::string("set terminal svg ") + size + " dynamic enhanced font 'Sans,14' background '#FFFFFF'\n";
    return std::string("set terminal pngcairo ") + size + " enhanced font 'Sans,14' background '#FFFFFF'\n";
}

std::pair<double, double> log_range(double lo, double hi, double margin) {
    if (!(lo > 0)) lo = hi > 0 ? hi / 10 : 0.1;
    if (!(hi > 0)) hi = lo * 10;
    return {lo / margin, hi * margin};
}

std::string log_tics(const char *axis, double lo, double hi, bool labelled) {
    if (std::log10(hi / lo) >= 2) return "";
    std::string s = std::string("set ") + axis + "tics (";
    bool first = true;
    for (int d = int(std::floor(std::log10(lo))); d <= int(std::ceil(std::log10(hi))); ++d)
        for (double m : {1.0, 2.0, 5.0}) {
            double v = m * std::pow(10.0, d);
            if (v < lo || v > hi) continue;
            s += (first ? "" : ", ") + quoted(labelled ? num(v) : "") + " " + num(v);
            first = false;
        }
    return s + ")\n";
}

} // namespace agg
