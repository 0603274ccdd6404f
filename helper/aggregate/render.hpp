// Writing tables as text (aligned, for a terminal), Markdown, CSV or JSON.
#pragma once
#include "model.hpp"
#include "table.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agg {

enum class Format { text, markdown, csv, json };
std::optional<Format> parse_format(std::string_view name);

// Seconds as the notes give them: "0.300 s".
std::string seconds_text(double seconds);

// Text made safe for a Markdown table cell or line where Markdown is
// rendered: control bytes escaped, table syntax, markup and HTML neutralised.
std::string markdown_escape(const std::string &text);

// One table as Markdown: the title in bold (when there is one), the columns
// for people, the notes after it; every text through markdown_escape.
std::string markdown_table(const Table &table);

// One line: how many files, records, job steps and interpreters were used and
// how many were bad or left out, and why.
std::string totals_line(const Totals &totals, size_t configurations);

// The whole output. CSV: one table is plain CSV; several are each preceded by
// a "# id: title" line and separated by an empty line. JSON: one document with
// totals, problems and tables (rows as objects keyed by column).
std::string render(const std::vector<Table> &tables, Format format, const Dataset &data);

} // namespace agg
