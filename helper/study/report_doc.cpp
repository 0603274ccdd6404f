#include "report_doc.hpp"

#include "../aggregate/render.hpp"
#include "text_escape.hpp"

#include <algorithm>

namespace study {

namespace {

Block block(Block::Kind kind) {
    Block b;
    b.kind = kind;
    return b;
}

} // namespace

void Document::heading(std::string text, int level) {
    Block b = block(Block::Kind::heading);
    b.level = level;
    b.text = std::move(text);
    blocks.push_back(std::move(b));
}
void Document::paragraph(std::string text) {
    blocks.push_back(block(Block::Kind::paragraph));
    blocks.back().text = std::move(text);
}
void Document::warning(std::string text) {
    blocks.push_back(block(Block::Kind::warning));
    blocks.back().text = std::move(text);
}
void Document::list(std::vector<std::string> items) {
    blocks.push_back(block(Block::Kind::list));
    blocks.back().items = std::move(items);
}
void Document::table(agg::Table table) {
    blocks.push_back(block(Block::Kind::table));
    blocks.back().table = std::move(table);
}
void Document::figure(Figure figure) {
    blocks.push_back(block(Block::Kind::figure));
    blocks.back().figure = std::move(figure);
}

namespace {

// Longer texts (a node list, a problem quoting a record) are cut with a note.
constexpr size_t kMaxTextBytes = 2000;

bool human(agg::Audience a) { return a != agg::Audience::machine; }

std::vector<size_t> visible(const agg::Table &t) {
    std::vector<size_t> out;
    for (size_t i = 0; i < t.columns.size(); ++i)
        if (human(t.columns[i].audience)) out.push_back(i);
    return out;
}

const std::string &cell_text(const std::vector<agg::Cell> &row, size_t col) {
    static const std::string none = "-";
    return col < row.size() ? row[col].text : none;
}


std::string html_table(const agg::Table &t) {
    auto cols = visible(t);
    std::string out = "<table>\n";
    if (!t.title.empty()) out += "<caption>" + html_text(t.title) + "</caption>\n";
    out += "<thead><tr>";
    for (size_t c : cols) out += "<th>" + html_text(t.columns[c].header) + "</th>";
    out += "</tr></thead>\n<tbody>\n";
    for (const auto &row : t.rows) {
        out += "<tr>";
        for (size_t c : cols) {
            bool number = c < row.size() && row[c].numeric;
            out += std::string(number ? "<td class=\"n\">" : "<td>") + html_text(cell_text(row, c)) + "</td>";
        }
        out += "</tr>\n";
    }
    out += "</tbody>\n</table>\n";
    for (const auto &n : t.notes) out += "<p class=\"note\">" + html_text(n) + "</p>\n";
    return out;
}

const char *kStyle = R"(body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em auto; max-width: 1400px;
  padding: 0 1em; color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; border-bottom: 2px solid #ccc; padding-bottom: .2em; }
h2 { font-size: 1.3em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.1em; }
table { border-collapse: collapse; margin: .8em 0; font-size: .9em; }
caption { text-align: left; font-weight: bold; padding: .3em 0; }
th, td { border: 1px solid #ccc; padding: .2em .6em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #fafafa; }
p.note { font-size: .85em; color: #555; margin: .2em 0; }
p.warning { background: #fff3cd; border: 1px solid #e0b000; padding: .5em .8em; font-weight: bold; }
figure { margin: 1em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: .9em; color: #444; }
ul { margin: .4em 0; }
)";

} // namespace

std::string markdown_text(const std::string &raw) { return agg::markdown_escape(raw); }

std::string html_text(const std::string &raw) {
    const std::string s = pyimport::escape_text(raw, kMaxTextBytes);
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string base64(const std::string &bytes) {
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        uint32_t v = uint32_t(uint8_t(bytes[i])) << 16 | uint32_t(uint8_t(bytes[i + 1])) << 8 | uint8_t(bytes[i + 2]);
        for (int shift : {18, 12, 6, 0}) out += digits[(v >> shift) & 63];
    }
    if (i < bytes.size()) {
        uint32_t v = uint32_t(uint8_t(bytes[i])) << 16;
        if (i + 1 < bytes.size()) v |= uint32_t(uint8_t(bytes[i + 1])) << 8;
        out += digits[(v >> 18) & 63];
        out += digits[(v >> 12) & 63];
        out += i + 1 < bytes.size() ? digits[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::string to_markdown(const Document &doc) {
    std::string out = "# " + markdown_text(doc.title) + "\n";
    for (const Block &b : doc.blocks) {
        out += "\n";
        switch (b.kind) {
        case Block::Kind::heading:
            out += std::string(size_t(std::clamp(b.level, 2, 6)), '#') + " " + markdown_text(b.text) + "\n";
            break;
        case Block::Kind::paragraph: out += markdown_text(b.text) + "\n"; break;
        case Block::Kind::warning: out += "**" + markdown_text(b.text) + "**\n"; break;
        case Block::Kind::list:
            for (const auto &item : b.items) out += "- " + markdown_text(item) + "\n";
            break;
        case Block::Kind::table: out += agg::markdown_table(b.table); break;
        case Block::Kind::aggregate_tables:
            if (b.data) out += agg::render(b.tables, agg::Format::markdown, *b.data);
            break;
        case Block::Kind::figure:
            // The file name is ours (figures/NAME.png); the caption is escaped like any text.
            out += "![" + markdown_text(b.figure.title) + "](" + b.figure.file + ")\n\n*" +
                   markdown_text(b.figure.caption) + "*\n";
            break;
        }
    }
    return out;
}

std::string to_html(const Document &doc) {
    std::string out =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
        "style-src 'unsafe-inline'\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
        html_text(doc.title) + "</title>\n<style>\n" + kStyle + "</style>\n</head>\n<body>\n<h1>" + html_text(doc.title) +
        "</h1>\n";
    for (const Block &b : doc.blocks) {
        switch (b.kind) {
        case Block::Kind::heading: {
            std::string h = "h" + std::to_string(std::clamp(b.level, 2, 6));
            out += "<" + h + ">" + html_text(b.text) + "</" + h + ">\n";
            break;
        }
        case Block::Kind::paragraph: out += "<p>" + html_text(b.text) + "</p>\n"; break;
        case Block::Kind::warning: out += "<p class=\"warning\">" + html_text(b.text) + "</p>\n"; break;
        case Block::Kind::list:
            out += "<ul>\n";
            for (const auto &item : b.items) out += "<li>" + html_text(item) + "</li>\n";
            out += "</ul>\n";
            break;
        case Block::Kind::table: out += html_table(b.table); break;
        case Block::Kind::aggregate_tables:
            if (b.data) out += "<p>" + html_text(agg::totals_line(b.data->totals, b.data->configs.size())) + "</p>\n";
            for (const auto &t : b.tables)
                if (human(t.audience)) out += html_table(t);
            break;
        case Block::Kind::figure:
            out += "<figure>\n<img alt=\"" + html_text(b.figure.title) + "\" src=\"data:image/png;base64," +
                   base64(b.figure.png) + "\">\n<figcaption>" + html_text(b.figure.caption) + "</figcaption>\n</figure>\n";
            break;
        }
    }
    return out + "</body>\n</html>\n";
}

} // namespace study
