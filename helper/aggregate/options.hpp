// pyimport-aggregate's command line.
#pragma once
#include "result.hpp"
#include "filters.hpp"
#include "plot.hpp"
#include "render.hpp"
#include "tables.hpp"

#include <string>
#include <vector>

namespace agg {

// Exit statuses scripts can rely on.
enum Exit { kExitOk = 0, kExitNoDataOrStrict = 1, kExitUsage = 2, kExitCannotWrite = 3 };

struct Options {
    std::vector<std::string> paths;       // record directories or files
    std::vector<std::string> study_dirs;  // --study
    Format format = Format::text;
    std::string output;                   // empty: standard output
    TableOptions tables;
    Filters filters;
    FigureOptions figures;                // figures.dir empty: no figures
    bool strict = false, quiet = false, help = false, version = false;
    bool any_owner = false;               // accept records whatever their file's owner
    unsigned threads = 0;                 // 0: one per CPU
};

extern const char *const kUsage;

// Parses argv into `o`. Fails with one line saying what is wrong.
pyimport::Result<void> parse_options(const std::vector<std::string> &args, Options &o);

} // namespace agg
