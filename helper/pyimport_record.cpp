// pyimport-record: checks records and prints what they say, one line each,
// through the same record module the plugin writes them with.
#include "benchmark_run.hpp"
#include "record.hpp"
#include "text_escape.hpp"

#include <cstdio>
#include <string>
#include <vector>

namespace {

const char *kUsage =
    "usage: pyimport-record [--any-owner] check|summary FILE...\n"
    "check: validate each record (format, version, fields, file owner); one line per bad file.\n"
    "summary: one line per record: job.step, node, mode,N, median and gaggle time, failures.\n"
    "--any-owner: accept records whatever their file's owner (by default a file must be owned\n"
    "by the record's job user or root: in a shared directory anyone can write a file).\n"
    "Exit status: 0 all files valid, 1 some file invalid, 2 bad usage.\n";

} // namespace

int main(int argc, char **argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    pyimport::RecordFileOptions options;
    if (!args.empty() && args[0] == "--any-owner") {
        options.any_owner = true;
        args.erase(args.begin());
    }
    if (args.size() == 1 && args[0] == "--help") return std::fputs(kUsage, stdout), 0;
    if (args.size() < 2 || (args[0] != "check" && args[0] != "summary")) return std::fputs(kUsage, stderr), 2;
    const bool summary = args[0] == "summary";
    int bad = 0;
    for (size_t i = 1; i < args.size(); ++i) {
        auto record = pyimport::read_record_file(args[i], options);
        if (!record) {
            std::fprintf(stderr, "pyimport-record: %s: %s\n", pyimport::escape_text(args[i], 400).c_str(),
                         pyimport::escape_text(record.error(), 400).c_str());
            ++bad;
        } else if (summary) {
            std::printf("%u.%u %s\n", record->job.job_id, record->job.step_id,
                        pyimport::record_summary_line(*record).c_str());
        }
    }
    return bad ? 1 : 0;
}
