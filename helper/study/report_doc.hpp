// The study's report as a list of blocks, written out as Markdown or as one
// self-contained HTML page. Every text a block holds is plain text (from a
// record, the manifest or the facts as much as from us): each writer escapes
// all of it for its format, so no text can add markup, a link or a script.
#pragma once
#include "../aggregate/model.hpp"
#include "../aggregate/table.hpp"

#include <string>
#include <vector>

namespace study {

struct Figure {
    std::string file;     // relative to the report: figures/NAME.png
    std::string title;    // short: the image's alternative text
    std::string caption;  // what it shows, under it
    std::string png;      // the PNG's bytes, for the HTML page (inline as a data: URI)
};

struct Block {
    enum class Kind { heading, paragraph, warning, list, table, aggregate_tables, figure };
    Kind kind = Kind::paragraph;
    int level = 2;                         // heading
    std::string text;                      // heading, paragraph, warning
    std::vector<std::string> items;        // list
    agg::Table table;                      // table
    std::vector<agg::Table> tables;        // aggregate_tables: pyimport-aggregate's, with...
    const agg::Dataset *data = nullptr;    // ...the dataset they were built from
    Figure figure;                         // figure
};

struct Document {
    std::string title;
    std::vector<Block> blocks;

    void heading(std::string text, int level = 2);
    void paragraph(std::string text);
    void warning(std::string text);  // shown emphasised
    void list(std::vector<std::string> items);
    void table(agg::Table table);
    void figure(Figure figure);
};

// Markdown that renders where sites keep results (GitHub, GitLab, pandoc):
// pyimport-aggregate's tables through agg::render, the others alike.
std::string to_markdown(const Document &doc);

// One HTML page: inline CSS, figures as data: URIs, no external resource and
// no script; a Content-Security-Policy that would refuse any other way.
std::string to_html(const Document &doc);

// Escapes for the two formats (exposed for the tests): text goes through
// pyimport::escape_text first (no control byte, no invalid UTF-8, bounded).
std::string markdown_text(const std::string &text);
std::string html_text(const std::string &text);

std::string base64(const std::string &bytes);

} // namespace study
