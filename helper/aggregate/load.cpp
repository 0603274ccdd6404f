#include "load.hpp"

#include "fast_record_reader.hpp"
#include "parse_util.hpp"
#include "scan.hpp"

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>

namespace agg {

namespace {

// What the aggregator keeps of a parsed record; the interpreters' samples only
// with `samples` (the overall table needs their counts alone).
NodeRecord node_from_record(const pyimport::Record &r, size_t file, bool samples) {
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
    n.modules = pyimport::join_modules(r.run.modules);
    n.label = r.run.label;
    n.release_ns = r.gaggle.release_unix_ns;
    n.last_exit_ns = r.gaggle.last_exit_unix_ns;
    n.wall_ns = r.gaggle.wall_ns;
    n.interpreter_count = r.gaggle.interpreters.size();
    for (const auto &f : r.gaggle.interpreters) n.failed_count += !f.succeeded();
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
                if (record) outcomes[i].record = node_from_record(*record, i, options.samples);
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
