#include "render.hpp"

#include "text_escape.hpp"

#include <algorithm>
#include <cstdio>
#include <jansson.h>
#include <memory>

namespace agg {

std::string seconds_text(double seconds) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f s", seconds);
    return text;
}

std::optional<Format> parse_format(std::string_view name) {
    if (name == "text") return Format::text;
    if (name == "markdown" || name == "md") return Format::markdown;
    if (name == "csv") return Format::csv;
    if (name == "json") return Format::json;
    return std::nullopt;
}

std::string totals_line(const Totals &t, size_t configurations) {
    auto n = [](size_t v, const char *one, const char *many) { return std::to_string(v) + " " + (v == 1 ? one : many); };
    std::string s = n(t.files, "record file", "record files") + ": " + std::to_string(t.records) + " used (" +
                    n(t.runs, "job step", "job steps") + ", " + n(configurations, "configuration", "configurations") +
                    ", " + n(t.interpreters, "interpreter", "interpreters") + "); " +
                    n(t.bad_files, "bad file", "bad files") + " skipped";
    if (t.duplicates) s += "; " + n(t.duplicates, "duplicate record", "duplicate records") + " skipped";
    if (t.inconsistent) s += "; " + n(t.inconsistent, "inconsistent job step", "inconsistent job steps") + " skipped";
    if (t.other_users)
        s += "; " + n(t.other_users, "job step", "job steps") + " with records of another user kept apart";
    if (t.incomplete) s += "; " + n(t.incomplete, "incomplete job step", "incomplete job steps") + " (per-gaggle tables only)";
    if (t.mixed_modules) s += "; " + n(t.mixed_modules, "configuration", "configurations") + " with mixed module lists";
    if (t.filtered_out) s += "; " + n(t.filtered_out, "job step", "job steps") + " filtered out";
    if (t.study_rows) s += "; " + n(t.study_rows, "row", "rows") + " of the 2017 study";
    if (t.ignored) s += "; " + n(t.ignored, "other file", "other files") + " ignored";
    return s;
}

namespace {

bool for_audience(Audience a, Format f) {
    bool human = f == Format::text || f == Format::markdown;
    return a == Audience::all || (a == Audience::human) == human;
}

bool shown(const Column &c, Format f) { return for_audience(c.audience, f); }

std::vector<size_t> visible(const Table &t, Format f) {
    std::vector<size_t> out;
    for (size_t i = 0; i < t.columns.size(); ++i)
        if (shown(t.columns[i], f)) out.push_back(i);
    return out;
}

// Display width of UTF-8 text (code points; good enough for names and numbers).
size_t width(const std::string &s) {
    return size_t(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

void pad(std::string &out, const std::string &s, size_t w, bool right) {
    size_t fill = w > width(s) ? w - width(s) : 0;
    if (right) out.append(fill, ' ');
    out += s;
    if (!right) out.append(fill, ' ');
}

bool numeric_column(const Table &t, size_t col) {
    return std::all_of(t.rows.begin(), t.rows.end(), [&](const auto &row) { return row[col].numeric; });
}

// Cells carry text from record files (module lists, labels, cluster, node and
// file names), which anyone may write. The record readers reject control
// characters, and each format makes the text harmless on its own as well:
// a terminal, a Markdown renderer and a spreadsheet each interpret something.
constexpr size_t kMaxCellBytes = 1000;

// For a terminal: the project's one rule (no control byte, no invalid UTF-8,
// a backslash doubled), so no cell can move the cursor or forge a line.
std::string terminal_text(const std::string &s) { return pyimport::escape_text(s, kMaxCellBytes); }

std::string text_table(const Table &t) {
    auto cols = visible(t, Format::text);
    auto cell_text = [&](const std::vector<Cell> &row, size_t c) { return terminal_text(row[c].text); };
    std::vector<size_t> w;
    for (size_t c : cols) {
        size_t m = width(terminal_text(t.columns[c].header));
        for (const auto &row : t.rows) m = std::max(m, width(cell_text(row, c)));
        w.push_back(m);
    }
    std::string out = terminal_text(t.title) + "\n";
    auto line = [&](auto cell_of) {
        std::string l;
        for (size_t i = 0; i < cols.size(); ++i) {
            if (i) l += "  ";
            auto [text, right] = cell_of(cols[i]);
            pad(l, text, i + 1 == cols.size() && !right ? 0 : w[i], right);
        }
        out += l + "\n";
    };
    line([&](size_t c) { return std::make_pair(terminal_text(t.columns[c].header), numeric_column(t, c)); });
    for (const auto &row : t.rows) line([&](size_t c) { return std::make_pair(cell_text(row, c), row[c].numeric); });
    for (const auto &n : t.notes) out += "  " + terminal_text(n) + "\n";
    return out;
}


// For a spreadsheet opening the CSV: a text cell starting with = + - @ (or a
// TAB or CR, which some strip before looking) would be read as a formula, so it
// gets a leading single quote (OWASP's CSV injection advice). Numbers, negative
// ones too, are written by us and stay numbers; "-" alone (no value) is no
// formula. Text with a control byte or invalid UTF-8 (which no valid record
// holds) is written by the terminal rule, so a CSV printed on a terminal is as
// safe as the text format; clean text is kept byte for byte.
std::string csv_field(const Cell &cell) {
    std::string s = cell.numeric && cell.text == "-" ? "" : cell.text;
    if (cell.numeric && !std::isnan(cell.number)) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.9g", cell.number);  // full precision, no "<0.0001"
        s = buf;
    }
    if (!cell.numeric) {
        const bool formula = !s.empty() && s != "-" && std::string_view("=+-@\t\r").find(s[0]) != std::string_view::npos;
        if (!pyimport::is_clean_text(s)) s = terminal_text(s);
        if (formula) s.insert(0, 1, '\'');
    }
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string csv_table(const Table &t) {
    auto cols = visible(t, Format::csv);
    std::string out;
    for (size_t i = 0; i < cols.size(); ++i) out += (i ? "," : "") + csv_field(Cell::of(t.columns[cols[i]].key));
    out += "\n";
    for (const auto &row : t.rows) {
        for (size_t i = 0; i < cols.size(); ++i) out += (i ? "," : "") + csv_field(row[cols[i]]);
        out += "\n";
    }
    return out;
}

using Json = std::unique_ptr<json_t, decltype(&json_decref)>;

json_t *json_text(const std::string &s) { return json_stringn(s.data(), s.size()); }

json_t *json_cell(const Cell &cell) {
    if (!cell.numeric) return json_text(cell.text);
    if (std::isnan(cell.number)) return json_null();
    if (cell.number == std::floor(cell.number) && std::fabs(cell.number) < 9e15) return json_integer(json_int_t(cell.number));
    return json_real(cell.number);
}

std::string json_document(const std::vector<Table> &tables, const Dataset &data) {
    Json root(json_object(), json_decref);
    json_object_set_new(root.get(), "format", json_string("pyimport-aggregate"));
    json_object_set_new(root.get(), "version", json_integer(1));
    const Totals &t = data.totals;
    json_t *totals = json_object();
    const std::pair<const char *, size_t> counts[] = {
        {"record_files", t.files},       {"records_used", t.records},       {"job_steps", t.runs},
        {"configurations", data.configs.size()}, {"interpreters", t.interpreters}, {"bad_files", t.bad_files},
        {"duplicate_records", t.duplicates}, {"inconsistent_job_steps", t.inconsistent}, {"other_user_job_steps", t.other_users},
        {"incomplete_job_steps", t.incomplete}, {"mixed_module_lists", t.mixed_modules},
        {"filtered_out_job_steps", t.filtered_out}, {"ignored_files", t.ignored}, {"study_rows", t.study_rows}};
    for (const auto &[name, value] : counts) json_object_set_new(totals, name, json_integer(json_int_t(value)));
    json_object_set_new(root.get(), "totals", totals);
    json_t *problems = json_array();
    for (const auto &p : data.problems) {
        json_t *o = json_object();
        json_object_set_new(o, "file", json_text(p.subject));
        json_object_set_new(o, "problem", json_text(p.message));
        json_array_append_new(problems, o);
    }
    json_object_set_new(root.get(), "problems", problems);
    json_t *list = json_object();
    for (const auto &table : tables) {
        auto cols = visible(table, Format::json);
        json_t *o = json_object(), *columns = json_array(), *rows = json_array(), *notes = json_array();
        json_object_set_new(o, "title", json_text(table.title));
        for (size_t c : cols) json_array_append_new(columns, json_text(table.columns[c].key));
        for (const auto &row : table.rows) {
            json_t *r = json_object();
            for (size_t c : cols) json_object_set_new(r, table.columns[c].key.c_str(), json_cell(row[c]));
            json_array_append_new(rows, r);
        }
        for (const auto &n : table.notes) json_array_append_new(notes, json_text(n));
        json_object_set_new(o, "columns", columns);
        json_object_set_new(o, "rows", rows);
        json_object_set_new(o, "notes", notes);
        json_object_set_new(list, table.id.c_str(), o);
    }
    json_object_set_new(root.get(), "tables", list);
    char *text = json_dumps(root.get(), JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    std::string out = text ? std::string(text) + "\n" : std::string();
    free(text);
    return out;
}

} // namespace

// For Markdown where it is rendered (GitHub, GitLab, pandoc): first the
// terminal rule (control bytes and invalid UTF-8 as \xNN, so no newline can
// end a row), then every character that could end a cell, start markup or
// open HTML: & < > as entities, the other ASCII punctuation Markdown gives a
// meaning to backslash-escaped (CommonMark allows that for any of them). What
// a renderer shows is exactly what the text format prints.
std::string markdown_escape(const std::string &raw) {
    const std::string s = pyimport::escape_text(raw, kMaxCellBytes);
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '|': case '\\': case '`': case '*': case '_': case '[': case ']': case '~': case '#': case '!':
        case '$':
            out += '\\';
            out += c;
            break;
        default: out += c;
        }
    }
    return out.empty() ? " " : out;
}

std::string markdown_table(const Table &t) {
    auto cols = visible(t, Format::markdown);
    std::string out = t.title.empty() ? "|" : "**" + markdown_escape(t.title) + "**\n\n|";
    for (size_t c : cols) out += " " + markdown_escape(t.columns[c].header) + " |";
    out += "\n|";
    for (size_t c : cols) out += numeric_column(t, c) ? " ---: |" : " --- |";
    out += "\n";
    for (const auto &row : t.rows) {
        out += "|";
        for (size_t c : cols) out += " " + markdown_escape(row[c].text) + " |";
        out += "\n";
    }
    if (!t.notes.empty()) out += "\n";
    for (const auto &n : t.notes) out += markdown_escape(n) + "  \n";
    return out;
}


std::string render(const std::vector<Table> &all, Format format, const Dataset &data) {
    std::vector<Table> tables;
    for (const auto &t : all)
        if (for_audience(t.audience, format)) tables.push_back(t);
    const std::string totals = totals_line(data.totals, data.configs.size());
    std::string out;
    switch (format) {
    case Format::json: return json_document(tables, data);
    case Format::text:
        out = totals + "\n";
        for (const auto &t : tables) out += "\n" + text_table(t);
        return out;
    case Format::markdown:
        out = totals + "\n";
        for (const auto &t : tables) out += "\n" + markdown_table(t);
        return out;
    case Format::csv:
        if (tables.size() == 1) return csv_table(tables.front());
        out = "# " + totals + "\n";
        for (const auto &t : tables) out += "\n# " + t.id + ": " + t.title + "\n" + csv_table(t);
        return out;
    }
    return out;
}

} // namespace agg
