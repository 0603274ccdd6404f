// The floor under pyimport-aggregate's reading: the same scan, handing files
// to the same threads while it goes on, and the same batched reads (helper/
// aggregate's FileFeed and FileBatches, io_uring), with no parsing and no
// sorting at all. What pyimport-aggregate takes beyond this is parsing,
// putting the files in order, grouping and tabulating.
// usage: aggregate_io_floor DIR THREADS  (prints the seconds and the bytes read)
#include "file_batches.hpp"
#include "file_feed.hpp"
#include "scan.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>

int main(int argc, char **argv) {
    if (argc != 3) return std::fputs("usage: aggregate_io_floor DIR THREADS\n", stderr), 2;
    const auto start = std::chrono::steady_clock::now();
    std::vector<agg::Problem> problems;
    agg::FileFeed feed;
    std::atomic<size_t> bytes{0};
    std::atomic<bool> batched{true};
    agg::scan_while_reading(
        feed, unsigned(std::atoi(argv[2])),
        [&] { agg::scan_record_files({argv[1]}, problems, [&feed](std::string path) { feed.add(std::move(path)); }); },
        [&](unsigned) {
            agg::FileBatches batches(64);
            std::vector<const std::string *> paths;
            for (size_t first; feed.take(64, paths, first);)
                for (size_t b = 0; b < paths.size(); b += agg::FileBatches::kBatch) {
                    const size_t count = std::min(agg::FileBatches::kBatch, paths.size() - b);
                    if (!batches.usable() || !batches.read(paths.data() + b, count)) {
                        batched = false;
                        continue;
                    }
                    for (size_t k = 0; k < count; ++k) bytes += batches.size(k);
                }
        });
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%.3f %zu\n", s, bytes.load());
    return batched ? 0 : 1;
}
