#include "load.hpp"

#include "fast_record_reader.hpp"
#include "parse_util.hpp"
#include "scan.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <optional>
#include <thread>

namespace agg {

namespace {

// A cgroup figure in the unit the tables print; -1 (could not be read) as NaN.
double figure(int64_t v, double unit) { return v < 0 ? NAN : double(v) / unit; }

CgroupSample cgroup_of(const pyimport::CgroupFigures &c) {
    CgroupSample s;
    s.state = c.state;
    if (c.state == "unavailable") s.note = c.note;
    s.cpu_s = figure(c.cpu_ns, 1e9);
    s.memory_peak_mib = figure(c.memory_peak_bytes, 1024.0 * 1024.0);
    s.io_mib = figure(c.io_bytes, 1024.0 * 1024.0);
    s.io_operations = figure(c.io_operations, 1);
    s.max_processes = figure(c.max_processes, 1);
    s.leftovers_killed = c.leftovers_killed;
    return s;
}

// Each succeeded interpreter's import times, in seconds (NaN: not imported).
std::vector<ImportSample> imports_of(const pyimport::Record &r) {
    std::vector<ImportSample> out;
    for (const auto &f : r.gaggle.interpreters) {
        if (!f.succeeded() || f.import_us.empty()) continue;
        ImportSample s;
        s.module_s.reserve(f.import_us.size());
        for (int64_t us : f.import_us) s.module_s.push_back(us < 0 ? NAN : double(us) / 1e6);
        s.slowest = f.slowest_modules;
        out.push_back(std::move(s));
    }
    return out;
}

// What the aggregator keeps of a parsed record; the interpreters' samples only
// with `samples` (the overall table needs their counts alone), their import
// times only with `imports`.
NodeRecord node_from_record(const pyimport::Record &r, size_t file, bool samples, bool imports) {
    NodeRecord n;
    n.file = file;
    n.job_id = r.job.job_id;
    n.step_id = r.job.step_id;
    n.uid = r.job.uid;
    n.cluster = r.job.cluster;
    n.node = r.job.node;
    n.node_index = r.job.node_index;
    n.node_count = r.job.node_count;
    n.mode = pyimport::parse_mode(r.run.mode).value_or(Mode::conda);  // the reader accepts no other
    n.gaggle_size = r.run.gaggle_size;
    n.language = r.run.language;
    n.modules = pyimport::join_modules(r.run.modules);
    n.label = r.run.label;
    n.release_ns = r.gaggle.release_unix_ns;
    n.last_exit_ns = r.gaggle.last_exit_unix_ns;
    n.wall_ns = r.gaggle.wall_ns;
    n.sync = r.gaggle.sync;
    n.planned_ns = r.gaggle.planned_release_unix_ns;
    n.ready_ns = r.gaggle.ready_unix_ns;
    n.clock_maxerror_us = r.clock.maxerror_us;
    n.clock_unsynchronised = r.version >= 2 && pyimport::clock_unsynchronised(r.clock);
    n.boot_id = r.clock.boot_id;
    n.interpreter_count = r.gaggle.interpreters.size();
    for (const auto &f : r.gaggle.interpreters) {
        n.failed_count += !f.succeeded();
        n.interpreters_cpu_s += double(f.user_ns + f.system_ns) / 1e9;
    }
    n.importtime = r.run.importtime;
    n.cgroup = cgroup_of(r.gaggle.cgroup);
    if (imports && r.run.importtime) n.imports = imports_of(r);
    if (!samples) return n;
    n.interpreters.reserve(r.gaggle.interpreters.size());
    for (const auto &f : r.gaggle.interpreters)
        n.interpreters.push_back({double(f.wall_ns) / 1e9, double(f.user_ns) / 1e9, double(f.system_ns) / 1e9,
                                  double(f.max_rss_kib) / 1024.0, f.succeeded()});
    return n;
}

// One file's outcome: its record, or what is wrong with it.
struct Outcome {
    std::optional<NodeRecord> record;
    std::string error;
};

} // namespace

RecordTree load_record_tree(const std::vector<std::string> &paths, const LoadOptions &options,
                            std::vector<Problem> &problems) {
    ScanResult scan;
    scan_record_files(paths, scan, problems);
    std::vector<Outcome> outcomes(scan.files.size());
    // Each thread takes the next few files; every outcome lands at its file's index.
    constexpr size_t kTake = 16;
    std::atomic<size_t> next{0};
    auto read_files = [&] {
        FastRecordReader reader;
        auto parse = [&reader](std::string_view text) { return reader.parse(text); };
        for (size_t first; (first = next.fetch_add(kTake)) < scan.files.size();) {
            for (size_t i = first; i < std::min(first + kTake, scan.files.size()); ++i) {
                const FoundFile &file = scan.files[i];
                pyimport::RecordFileOptions how;
                how.any_owner = options.any_owner;
                how.beneath = file.root >= 0 ? scan.roots[size_t(file.root)] : -1;
                auto record = pyimport::read_record_file(file.root >= 0 ? file.relative : file.path, how, parse);
                if (record) outcomes[i].record = node_from_record(*record, i, options.samples, options.imports);
                else outcomes[i].error = record.error();
            }
        }
    };
    unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    threads = unsigned(std::min<size_t>(threads, (scan.files.size() + kTake - 1) / kTake));
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(read_files);
    read_files();
    for (auto &t : pool) t.join();

    RecordTree tree;
    tree.ignored = scan.ignored;
    tree.records.reserve(outcomes.size());
    for (size_t i = 0; i < outcomes.size(); ++i) {
        if (outcomes[i].record) {
            tree.records.push_back(std::move(*outcomes[i].record));
        } else {
            problems.push_back({scan.files[i].path, std::move(outcomes[i].error)});
            ++tree.bad_files;
        }
    }
    tree.files.reserve(scan.files.size());
    for (auto &f : scan.files) tree.files.push_back(std::move(f.path));
    return tree;
}

} // namespace agg
