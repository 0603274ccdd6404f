// One benchmark on one node: build the interpreter command, run the gaggle,
// and write the record. Shared by the SPANK plugin (in slurmstepd) and
// pyimport-gaggle (on a workstation).
#pragma once
#include "result.hpp"

#include "bench_option.hpp"
#include "gaggle.hpp"
#include "record.hpp"
#include "release_instant.hpp"
#include "site_settings.hpp"

#include <optional>
#include <string>
#include <vector>

namespace pyimport {

struct BenchmarkContext {
    SiteSettings site;
    BenchRequest request;
    JobIdentity job;
    WriterInfo writer;
    std::vector<std::string> job_env;
    std::optional<Credentials> become;
    ReleasePlan release;  // when the gaggle leaves its barrier
    int stop_fd = -1;     // GaggleSpec::stop_fd: readable once the run is cancelled
};

struct BenchmarkOutcome {
    Record record;
    std::string record_path;  // empty when the site has no outdir
};

// Fails with one line when nothing could be measured or the record could
// not be written (no partial record is left then).
Result<BenchmarkOutcome> run_benchmark(const BenchmarkContext &ctx);

// gethostname(), for WriterInfo::host.
std::string this_host_name();

// A one-line summary for logs: counts, median and gaggle time.
std::string record_summary_line(const Record &record);

} // namespace pyimport
