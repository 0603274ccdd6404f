#include "run.hpp"

#include "atomic_file.hpp"
#include "group.hpp"
#include "load.hpp"
#include "study.hpp"
#include "text_escape.hpp"

#include <chrono>
#include <cstdlib>
#include <sys/resource.h>

namespace agg {

namespace {

double cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto s = [](const timeval &t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return s(ru.ru_utime) + s(ru.ru_stime);
}

// With PYIMPORT_AGGREGATE_TIMES set, each phase's wall and CPU time (all
// threads) go to stderr.
class PhaseClock {
  public:
    void lap(const char *phase) {
        if (!on_) return;
        auto now = std::chrono::steady_clock::now();
        double cpu = cpu_seconds();
        std::fprintf(stderr, "pyimport-aggregate: %s %.3f s (CPU %.3f s)\n", phase,
                     std::chrono::duration<double>(now - last_).count(), cpu - last_cpu_);
        last_ = now;
        last_cpu_ = cpu;
    }

  private:
    bool on_ = std::getenv("PYIMPORT_AGGREGATE_TIMES") != nullptr;
    std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
    double last_cpu_ = on_ ? cpu_seconds() : 0;
};

} // namespace

Dataset collect(const Options &options) {
    Dataset data;
    PhaseClock clock;
    // Per-interpreter samples cost a third of the memory: kept only for the tables that use them.
    const TableChoice &t = options.tables.which;
    const bool samples = t.interpreters || (t.compare && options.tables.compare_on == CompareOn::interpreter);
    // Import times: for the imports table and the import figure (only records run with importtime=on have them).
    const bool imports = t.imports != Show::no || !options.figures.dir.empty();
    RecordTree tree =
        load_record_tree(options.paths, {options.threads, samples, options.any_owner, imports}, data.problems);
    data.totals.files = tree.files.size();
    data.totals.ignored = tree.ignored;
    data.totals.bad_files = tree.bad_files;
    clock.lap("scan and read");
    std::vector<const NodeRecord *> nodes;
    nodes.reserve(tree.records.size());
    for (const NodeRecord &n : tree.records) nodes.push_back(&n);
    group_records(nodes, tree.files, options.filters, data);
    clock.lap("group");
    std::vector<ConfigData> study;
    for (const auto &dir : options.study_dirs)
        data.totals.study_rows += read_study(dir, options.filters, study, data.problems);
    if (!study.empty()) merge_configs(data, std::move(study));
    return data;
}

namespace {

// A problem names a file from a directory listing (anyone may name a file in
// the record directory, with a newline or an escape sequence in it) and says
// what is wrong, often quoting the record: both through the project's one rule
// (pyimport::escape_text) and bounded, so each problem is one line on stderr,
// which may be a terminal.
constexpr size_t kMaxSubjectBytes = 300, kMaxMessageBytes = 1000;
std::string problem_line(const std::string &subject, const std::string &message) {
    return "pyimport-aggregate: " + pyimport::escape_text(subject, kMaxSubjectBytes) + ": " +
           pyimport::escape_text(message, kMaxMessageBytes) + "\n";
}

pyimport::Result<void> write_output(const Options &o, const std::string &text, std::FILE *out) {
    if (o.output.empty()) {
        if (std::fwrite(text.data(), 1, text.size(), out) != text.size() || std::fflush(out) != 0)
            return pyimport::fail("cannot write to standard output");
        return pyimport::ok();
    }
    auto slash = o.output.rfind('/');
    std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : o.output.substr(0, slash);
    return pyimport::write_file_atomically(dir, o.output.substr(slash == std::string::npos ? 0 : slash + 1), text,
                                           pyimport::PendingFile::Existing::replace);
}

} // namespace

int run(const Options &options, std::FILE *out, std::FILE *err) {
    Dataset data = collect(options);
    if (!options.quiet)
        for (const auto &p : data.problems) std::fputs(problem_line(p.subject, p.message).c_str(), err);
    if (data.configs.empty()) {
        std::fprintf(err, "pyimport-aggregate: no data to tabulate (%s)\n",
                     totals_line(data.totals, 0).c_str());
        return kExitNoDataOrStrict;
    }
    PhaseClock clock;
    auto tables = build_tables(data, options.tables);
    clock.lap("tables");
    std::string text = render(tables, options.format, data);
    clock.lap("render");
    if (auto wrote = write_output(options, text, out); !wrote) {
        std::fputs(problem_line(options.output.empty() ? "-" : options.output, wrote.error()).c_str(), err);
        return kExitCannotWrite;
    }
    if (!options.figures.dir.empty()) {
        std::vector<std::string> written;
        if (auto drawn = write_figures(data, options.figures, written); !drawn) {
            std::fputs(problem_line("figures", drawn.error()).c_str(), err);  // gnuplot's own line may quote the script
            return kExitCannotWrite;
        }
        if (!options.quiet)
            for (const auto &path : written)
                std::fprintf(err, "pyimport-aggregate: wrote %s\n", pyimport::escape_text(path, kMaxSubjectBytes).c_str());
    }
    if (options.strict && !data.problems.empty()) {
        std::fprintf(err, "pyimport-aggregate: --strict: %zu problem(s) found\n", data.problems.size());
        return kExitNoDataOrStrict;
    }
    return kExitOk;
}

} // namespace agg
