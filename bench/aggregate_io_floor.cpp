// The floor under pyimport-aggregate's reading: the same scan and the same
// batched reads (helper/aggregate's FileBatches, io_uring) on the same
// threads, with no parsing at all. What pyimport-aggregate takes beyond this
// is parsing, grouping and tabulating.
// usage: aggregate_io_floor DIR THREADS  (prints the seconds and the bytes read)
#include "file_batches.hpp"
#include "scan.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

int main(int argc, char **argv) {
    if (argc != 3) return std::fputs("usage: aggregate_io_floor DIR THREADS\n", stderr), 2;
    const auto start = std::chrono::steady_clock::now();
    std::vector<agg::Problem> problems;
    const auto files = agg::find_record_files({argv[1]}, problems).files;
    std::atomic<size_t> next{0}, bytes{0};
    bool batched = true;
    auto work = [&] {
        agg::FileBatches batches(64);
        batched = batched && batches.usable();
        for (size_t b; (b = next.fetch_add(agg::FileBatches::kBatch)) < files.size();) {
            const size_t count = std::min(agg::FileBatches::kBatch, files.size() - b);
            if (!batches.usable() || !batches.read(files, b, count)) std::exit(1);
            for (size_t k = 0; k < count; ++k) bytes += batches.size(k);
        }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < std::atoi(argv[2]); ++t) pool.emplace_back(work);
    work();
    for (auto &t : pool) t.join();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%.3f %zu\n", s, bytes.load());
    return batched ? 0 : 1;
}
