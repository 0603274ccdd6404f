// The pieces every figure's gnuplot script is made of: record text as a
// gnuplot string that can hold no command, numbers, inline data, the
// terminal and log axes.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace agg {

// A gnuplot single-quoted string, for any text (see gnuplot_util.cpp).
std::string quoted(const std::string &s);

// A number as gnuplot reads it (%.6g).
std::string num(double v);

// Inline data `$name` with one line per row.
void datablock(std::string &s, const std::string &name, const std::vector<std::vector<double>> &rows);

// The terminal line for png or svg, the study's size and font.
std::string terminal(const std::string &format);

// [lo, hi] widened by `margin` on a log axis (a sane range when either is not positive).
std::pair<double, double> log_range(double lo, double hi, double margin);

// Labelled tics of a log axis over [lo, hi]: gnuplot's decades suffice for a
// wide range; under two decades 2 and 5 between them are labelled too.
std::string log_tics(const char *axis, double lo, double hi, bool labelled = true);

} // namespace agg
