// pyimport-record: checks records and prints what they say, one line each,
// through the same record module the plugin writes them with.
#include "benchmark_run.hpp"
#include "record.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace {

const char *kUsage =
    "usage: pyimport-record check|summary FILE...\n"
    "check: validate each record (format, version, fields); one line per bad file.\n"
    "summary: one line per record: job.step, node, mode,N, median and gaggle time, failures.\n"
    "Exit status: 0 all files valid, 1 some file invalid, 2 bad usage.\n";

std::optional<pyimport::Record> load(const char *path, std::string &error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot read";
        return std::nullopt;
    }
    std::stringstream text;
    text << in.rdbuf();
    return pyimport::record_from_json(text.str(), error);
}

} // namespace

int main(int argc, char **argv) {
    if (argc < 3 || (std::string(argv[1]) != "check" && std::string(argv[1]) != "summary")) {
        std::fputs(kUsage, argc > 1 && std::string(argv[1]) == "--help" ? stdout : stderr);
        return argc > 1 && std::string(argv[1]) == "--help" ? 0 : 2;
    }
    const bool summary = std::string(argv[1]) == "summary";
    int bad = 0;
    for (int i = 2; i < argc; ++i) {
        std::string error;
        auto record = load(argv[i], error);
        if (!record) {
            std::fprintf(stderr, "pyimport-record: %s: %s\n", argv[i], error.c_str());
            ++bad;
        } else if (summary) {
            std::printf("%u.%u %s\n", record->job.job_id, record->job.step_id,
                        pyimport::summarize(*record).c_str());
        }
    }
    return bad ? 1 : 0;
}
