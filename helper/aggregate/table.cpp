#include "table.hpp"

#include <cstdio>

namespace agg {

Cell Cell::count(double n) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", n);
    return {buf, n, true};
}

Cell Cell::value(double v, int digits) {
    if (std::isnan(v)) return {"-", v, true};
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return {buf, v, true};
}

} // namespace agg
