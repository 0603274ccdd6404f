#include "load.hpp"

#include "file_batches.hpp"
#include "file_feed.hpp"
#include "record.hpp"
#include "scan.hpp"

#include <algorithm>
#include <numeric>
#include <thread>

namespace agg {

namespace {

// One reading thread's module lists, each joined once: the records of a
// directory tend to share one, and joining it for each cost more than a tenth
// of the time spent on a record.
class ModuleLists {
  public:
    std::shared_ptr<const std::string> joined(const std::vector<std::string> &modules) {
        if (!last_joined_ || modules != last_) {
            std::string text;
            for (const auto &m : modules) text.append(text.empty() ? "" : " ").append(m);
            last_ = modules;
            last_joined_ = std::make_shared<const std::string>(std::move(text));
        }
        return last_joined_;
    }

  private:
    std::vector<std::string> last_;
    std::shared_ptr<const std::string> last_joined_;
};

// What the aggregator keeps of a parsed record; the interpreters' samples only
// with `samples` (the overall table needs their counts alone).
NodeRecord node_from_record(const pyimport::Record &r, size_t file, bool samples, ModuleLists &module_lists) {
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
    n.modules = module_lists.joined(r.run.modules);
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

constexpr size_t kTake = 64;            // files a reading thread takes from the feed at a time
constexpr size_t kChunkRecords = 1024;  // records a thread stores in one allocation

unsigned thread_count(unsigned threads) {
    return threads ? threads : std::max(1u, std::thread::hardware_concurrency());
}

} // namespace

// Reads what a feed hands out on several threads, each into its own storage,
// then puts the records and problems in file order.
class TreeLoader {
  public:
    TreeLoader(unsigned threads, bool samples) : samples_(samples), chunks_(threads), errors_(threads) {}

    // Reading thread t: files from the feed until it is dry, a batch at a time.
    void read(FileFeed &feed, unsigned t) {
        pyimport::FastRecordReader reader;
        pyimport::Record record;
        FileBatches batches(pyimport::FastRecordReader::kPadding);
        std::vector<const std::string *> paths;
        std::string error;
        ModuleLists module_lists;
        for (size_t first; feed.take(kTake, paths, first);) {
            for (size_t b = 0; b < paths.size(); b += FileBatches::kBatch) {
                const size_t count = std::min(FileBatches::kBatch, paths.size() - b);
                const bool batched = batches.usable() && batches.read(paths.data() + b, count);
                for (size_t k = 0; k < count; ++k) {
                    const size_t i = first + b + k;
                    if (parse(reader, batched ? &batches : nullptr, k, *paths[b + k], record, error))
                        store(t, node_from_record(record, i, samples_, module_lists));  // file: the feed index for now
                    else
                        errors_[t].emplace_back(i, std::move(error));
                }
            }
        }
    }

    // File j of the tree is feed index order[j] (of `fed`); feed indices not
    // in `order` (a path found twice) are dropped.
    RecordTree finish(std::vector<std::string> files, size_t fed, const std::vector<size_t> &order,
                      std::vector<Problem> &problems) {
        constexpr size_t none = SIZE_MAX;
        std::vector<size_t> place(fed, none);
        for (size_t j = 0; j < order.size(); ++j) place[order[j]] = j;
        // In the order they were stored: walked in memory order here and in grouping.
        tree_.nodes.reserve(order.size());
        for (auto &chunks : chunks_)
            for (auto &chunk : chunks) {
                for (NodeRecord &n : chunk)
                    if ((n.file = place[n.file]) != none) tree_.nodes.push_back(&n);
                tree_.storage_.push_back(std::move(chunk));  // the records stay where they are
            }
        std::vector<std::pair<size_t, std::string *>> bad;
        for (auto &list : errors_)
            for (auto &[i, error] : list)
                if (place[i] != none) bad.emplace_back(place[i], &error);
        std::sort(bad.begin(), bad.end());
        for (auto &[j, error] : bad) problems.push_back({files[j], std::move(*error)});
        tree_.bad_files = bad.size();
        tree_.files = std::move(files);
        return std::move(tree_);
    }

  private:
    // File `path`, slot k of `batches` (null: not read in a batch).
    static bool parse(pyimport::FastRecordReader &reader, const FileBatches *batches, size_t k, const std::string &path,
                      pyimport::Record &record, std::string &error) {
        // Not read in a batch, or maybe longer than its slot: the plain way.
        if (!batches || batches->size(k) == FileBatches::kSlotBytes) return reader.read_file(path, record, error);
        if (batches->error(k)) return error = pyimport::FastRecordReader::cannot_read(batches->error(k)), false;
        return reader.parse_padded(batches->text(k), batches->size(k), record, error);
    }

    // Into thread t's last chunk. Chunks are filled, never grown: growing one
    // vector of records moved them and faulted its memory in again each time.
    void store(unsigned t, NodeRecord node) {
        auto &chunks = chunks_[t];
        if (chunks.empty() || chunks.back().size() == kChunkRecords) chunks.emplace_back().reserve(kChunkRecords);
        chunks.back().push_back(std::move(node));
    }

    bool samples_;
    RecordTree tree_;
    std::vector<std::vector<std::vector<NodeRecord>>> chunks_;       // each thread's records
    std::vector<std::vector<std::pair<size_t, std::string>>> errors_;  // each thread's, by feed index
};

RecordTree load_record_tree(const std::vector<std::string> &paths, unsigned threads, std::vector<Problem> &problems,
                            bool samples) {
    threads = thread_count(threads);
    FileFeed feed;
    TreeLoader loader(threads, samples);
    size_t ignored = 0;
    std::vector<size_t> order;
    scan_while_reading(
        feed, threads,
        [&] {
            ignored = scan_record_files(paths, problems, [&feed](std::string path) { feed.add(std::move(path)); });
            feed.close();
            order = feed.path_order();  // while the readers finish
        },
        [&](unsigned t) { loader.read(feed, t); });
    std::vector<std::string> found = feed.release();
    std::vector<std::string> files;
    files.reserve(order.size());
    for (size_t i : order) files.push_back(std::move(found[i]));
    RecordTree tree = loader.finish(std::move(files), found.size(), order, problems);
    tree.ignored = ignored;
    return tree;
}

RecordTree load_records(const std::vector<std::string> &files, unsigned threads, std::vector<Problem> &problems,
                        bool samples) {
    threads = unsigned(std::clamp<size_t>((files.size() + kTake - 1) / kTake, 1, thread_count(threads)));
    FileFeed feed;
    TreeLoader loader(threads, samples);
    scan_while_reading(
        feed, threads, [&] { for (const auto &f : files) feed.add(f); }, [&](unsigned t) { loader.read(feed, t); });
    std::vector<size_t> order(files.size());
    std::iota(order.begin(), order.end(), size_t(0));
    return loader.finish(files, files.size(), order, problems);
}

} // namespace agg
