// A table as the renderers see it: columns, rows of cells, notes.
#pragma once
#include <cmath>
#include <string>
#include <vector>

namespace agg {

struct Cell {
    std::string text;  // as printed; "-" for no value
    double number = NAN;
    bool numeric = false;  // a number (JSON number, right-aligned); NaN: JSON null

    static Cell of(std::string s) { return {std::move(s), NAN, false}; }
    static Cell count(double n);             // whole number
    static Cell value(double v, int digits); // fixed decimals; NaN prints "-"
};

// Which formats show a column: all, the human ones (text, Markdown) or the
// machine ones (CSV, JSON).
enum class Audience { all, human, machine };

struct Column {
    std::string key;     // CSV header and JSON member name
    std::string header;  // text and Markdown header
    Audience audience = Audience::all;
};

struct Table {
    std::string id;     // workloads, overall, interpreters, gaggles, compare, runs
    std::string title;  // one line: what the numbers are, with units
    std::vector<Column> columns;
    std::vector<std::vector<Cell>> rows;
    std::vector<std::string> notes;  // lines printed after the table
    Audience audience = Audience::all;
};

} // namespace agg
