#include "load.hpp"

#include "file_batches.hpp"

#include <atomic>
#include <optional>
#include <thread>

namespace agg {

NodeRecord node_from_record(const pyimport::Record &r, size_t file, bool samples) {
    NodeRecord n;
    n.file = file;
    n.job_id = r.job.job_id;
    n.step_id = r.job.step_id;
    n.cluster = r.job.cluster;
    n.node = r.job.node;
    n.node_index = r.job.node_index;
    n.node_count = r.job.node_count;
    n.mode = pyimport::parse_mode(r.run.mode).value_or(Mode::conda);  // the reader accepts no other
    n.gaggle_size = r.run.gaggle_size;
    for (const auto &m : r.run.modules) n.modules += (n.modules.empty() ? "" : " ") + m;
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

std::vector<NodeRecord> load_records(const std::vector<std::string> &files, unsigned threads,
                                     std::vector<Problem> &problems, bool samples) {
    std::vector<std::optional<NodeRecord>> nodes(files.size());
    std::vector<std::string> errors(files.size());
    std::atomic<size_t> next{0};
    constexpr size_t kChunk = 64;
    auto work = [&] {
        pyimport::FastRecordReader reader;
        pyimport::Record record;
        FileBatches batches(pyimport::FastRecordReader::kPadding);
        for (size_t begin; (begin = next.fetch_add(kChunk)) < files.size();) {
            const size_t end = std::min(begin + kChunk, files.size());
            for (size_t b = begin; b < end; b += FileBatches::kBatch) {
                const size_t count = std::min(FileBatches::kBatch, end - b);
                const bool batched = batches.usable() && batches.read(files, b, count);
                for (size_t k = 0, i = b; k < count; ++k, ++i) {
                    bool ok = false;
                    // Not read in a batch, or maybe longer than its slot: the plain way.
                    if (!batched || batches.size(k) == FileBatches::kSlotBytes)
                        ok = reader.read_file(files[i], record, errors[i]);
                    else if (batches.error(k))
                        errors[i] = pyimport::FastRecordReader::cannot_read(batches.error(k));
                    else
                        ok = reader.parse_padded(batches.text(k), batches.size(k), record, errors[i]);
                    if (ok) nodes[i] = node_from_record(record, i, samples);
                }
            }
        }
    };
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    threads = unsigned(std::min<size_t>(threads, (files.size() + kChunk - 1) / kChunk));
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (auto &t : pool) t.join();

    std::vector<NodeRecord> out;
    out.reserve(files.size());
    for (size_t i = 0; i < files.size(); ++i) {
        if (nodes[i]) out.push_back(std::move(*nodes[i]));
        else problems.push_back({files[i], errors[i]});
    }
    return out;
}

} // namespace agg
