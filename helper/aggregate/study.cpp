#include "study.hpp"

#include "parse_util.hpp"
#include "sys_io.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>

namespace agg {

namespace {

struct Row {
    ConfigKey key;
    double seconds = 0;
};

// "py_conda|1|10|10|3.830"; fails with what is wrong.
pyimport::Result<void> parse_row(const std::string &line, Row &row) {
    auto f = pyimport::split(line, '|');
    if (f.size() != 5) return pyimport::fail("expected 5 fields separated by '|'");
    auto mode = pyimport::parse_mode(f[0].rfind("py_", 0) == 0 ? f[0].substr(3) : f[0]);
    auto gaggle = pyimport::parse_bounded_int(f[1], 1, 1'000'000), nodes = pyimport::parse_bounded_int(f[2], 1, 1'000'000);
    auto total = pyimport::parse_bounded_int(f[3], 1, 1'000'000'000'000LL);
    if (!mode) return pyimport::fail("interpreter '" + f[0] + "' is not py_conda or py_container");
    if (!gaggle || !nodes || !total) return pyimport::fail("per_node, nodes and total_interpreters must be positive whole numbers");
    if (*total != *gaggle * *nodes) return pyimport::fail("total_interpreters is not per_node x nodes");
    char *end = nullptr;
    errno = 0;
    row.seconds = std::strtod(f[4].c_str(), &end);
    if (f[4].empty() || *end || errno || !(row.seconds > 0) || !std::isfinite(row.seconds))
        return pyimport::fail("seconds '" + f[4] + "' is not a positive number");
    row.key = {*mode, int(*nodes), int(*gaggle), study_modules(), kStudyLabel};
    return pyimport::ok();
}

// The study's two files hold under 400 KiB together; the cap only stops a
// file that is not theirs (or never ends) from being read whole.
constexpr size_t kStudyFileCap = size_t(64) << 20;

// Calls add(row) for each good row of dir/name; returns false if the file cannot be read.
template <class Add>
bool each_row(const std::string &path, std::vector<Problem> &problems, Add add) {
    auto file = pyimport::read_regular_file(path, kStudyFileCap, true);
    if (!file) return problems.push_back({path, file.error()}), false;
    size_t number = 0;
    for (auto &line : pyimport::split(file->text, '\n')) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        Row row;
        if (auto parsed = parse_row(line, row)) add(row, number);
        else problems.push_back({path + ":" + std::to_string(number), parsed.error() + ": row skipped"});
    }
    return true;
}

} // namespace

std::string study_modules() {
    return pyimport::join_modules({"numpy", "scipy", "pandas", "sqlite3", "Bio", "matplotlib", "seaborn", "bokeh"});
}

size_t read_study(const std::string &dir, const Filters &filters, std::vector<ConfigData> &out,
                  std::vector<Problem> &problems) {
    std::map<ConfigKey, ConfigData> configs;
    size_t used = 0;
    auto config = [&](const ConfigKey &key) -> ConfigData * {
        if (!filters.matches(key, 0, 0)) return nullptr;
        ConfigData &c = configs[key];
        c.key = key;
        ++used;
        return &c;
    };
    const std::string overall = dir + "/overall_time.bcp", individual = dir + "/individual_time.bcp";
    each_row(overall, problems, [&](const Row &row, size_t number) {
        if (ConfigData *c = config(row.key)) {
            RunSummary run;
            run.id = "study row " + std::to_string(number);
            run.first_file = overall;
            run.end_ns = int64_t(std::llround(row.seconds * 1e9));
            run.nodes_found = row.key.nodes;
            c->runs.push_back(run);
        }
    });
    each_row(individual, problems, [&](const Row &row, size_t) {
        if (ConfigData *c = config(row.key)) c->gaggle_s.push_back(row.seconds);
    });
    for (auto &entry : configs) out.push_back(std::move(entry.second));
    return used;
}

} // namespace agg
