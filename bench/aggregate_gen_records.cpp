// Writes synthetic node records for the aggregate-speed benchmark, through the
// record module (record_to_json), so they are exactly what the plugin writes.
// usage: aggregate_gen_records DIR RECORDS GAGGLE_SIZE
// Both modes, node counts 10..320 and 620 (1,250 nodes per mode and sweep),
// job steps cut to fill RECORDS exactly; times grow with scale like the study's.
#include "record.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

int main(int argc, char **argv) {
    if (argc != 4) return std::fputs("usage: aggregate_gen_records DIR RECORDS GAGGLE_SIZE\n", stderr), 2;
    const std::string dir = argv[1];
    const long records = std::atol(argv[2]);
    const int gaggle = std::atoi(argv[3]);
    const int node_counts[] = {10, 20, 40, 80, 160, 320, 620};
    std::mt19937_64 rng(2017);
    std::lognormal_distribution<double> noise(0.0, 0.15);
    std::uniform_int_distribution<int64_t> skew(0, 200'000'000);

    pyimport::Record r;
    r.writer = {"pyimport_bench.so", "0.1.0", "bench"};
    r.job.uid = r.job.gid = 1000;
    r.job.user = "bench";
    r.job.cluster = "bench";
    r.run.modules = {"numpy", "scipy", "pandas", "sqlite3", "Bio", "matplotlib", "seaborn"};
    r.run.argv = {"/usr/bin/python3", "-c", "import numpy, scipy, pandas, sqlite3, Bio, matplotlib, seaborn"};
    r.run.gaggle_size = gaggle;
    r.run.timeout_s = 600;
    r.run.workdir = "/tmp";
    r.run.fs_type = "fuse.mfs";
    int64_t clock = 1'800'000'000'000'000'000;
    long written = 0;
    uint32_t job = 1000;
    for (int sweep = 0; written < records; ++sweep)
        for (const char *mode : {"conda", "container"})
            for (int nodes : node_counts) {
                if (written >= records) break;
                nodes = int(std::min<long>(nodes, records - written));
                bool conda = std::string(mode) == "conda";
                r.run.mode = mode;
                r.run.env_path = conda ? "/shared/env" : "";
                r.run.image = conda ? "" : "/shared/env.sqfs";
                r.run.runtime = conda ? "" : "charliecloud";
                double scale = nodes * gaggle;
                double base_s = conda ? 4.0 + scale * 0.02 : 3.0 + scale * 0.002;
                r.job.job_id = ++job;
                r.job.node_count = nodes;
                for (int n = 0; n < nodes; ++n) {
                    r.job.node_index = n;
                    r.job.node = "n" + std::to_string(n + 1);
                    r.gaggle.release_unix_ns = clock + skew(rng);
                    r.gaggle.interpreters.assign(size_t(gaggle), {});
                    int64_t longest = 0;
                    for (int i = 0; i < gaggle; ++i) {
                        auto &f = r.gaggle.interpreters[size_t(i)];
                        f.index = i;
                        f.pid = 10000 + i;
                        f.start_skew_ns = 20'000 + i * 3'000;
                        f.wall_ns = int64_t(base_s * noise(rng) * 1e9);
                        f.user_ns = f.wall_ns / 3;
                        f.system_ns = f.wall_ns / 9;
                        f.max_rss_kib = 150'000 + i;
                        f.minor_faults = 40'000;
                        f.voluntary_switches = 900;
                        f.involuntary_switches = 300;
                        longest = std::max(longest, f.wall_ns);
                    }
                    r.gaggle.wall_ns = longest + 50'000;
                    r.gaggle.last_exit_unix_ns = r.gaggle.release_unix_ns + r.gaggle.wall_ns;
                    std::string path = dir + "/" + pyimport::record_file_name(r.job, "b");
                    std::FILE *out = std::fopen(path.c_str(), "w");
                    std::string text = pyimport::record_to_json(r);
                    if (!out || std::fwrite(text.data(), 1, text.size(), out) != text.size() || std::fclose(out) != 0)
                        return std::perror(path.c_str()), 1;
                    ++written;
                }
                clock += 600'000'000'000;
            }
    return 0;
}
