// The study's report: from the records its steps wrote (and what its
// manifest says of each step) to report.md, report.html (self-contained,
// figures inline) and figures/ in the study's directory.
#pragma once
#include "result.hpp"
#include <cstdint>
#include <string>
#include <vector>

namespace study {

// One step as the manifest has it, in the order run.
struct StepOutcome {
    std::string mode;        // "conda" or "container"
    int nodes = 0, gaggle = 0, repeat = 0;
    int exit_status = 0;     // srun's; -1 when it never ran
    bool records_complete = false;  // a record for each of its nodes
    std::vector<std::string> records;  // the step's record files
};

// What the records alone cannot say.
struct ReportFacts {
    std::string label, modules;      // the study's label and module list (joined with ' ')
    std::string language = "python"; // the study's --lang
    std::string slurm_version;       // e.g. "22.05.8" ("" when unknown)
    std::string started_utc, finished_utc;  // "YYYY-MM-DDTHH:MM:SSZ"
    std::vector<std::string> nodes;  // the allocation's node names
    uint64_t seed = 0;               // the order's seed
};

struct ReportInput {
    std::vector<StepOutcome> steps;
    ReportFacts facts;
    std::string reference_dir;  // the 2017 study's overall_time.bcp and individual_time.bcp; "" for none
};

// Writes DIR/report.md, DIR/report.html and DIR/figures/ (each file through a
// temporary and a rename). Fails with one line.
pyimport::Result<void> write_report(const ReportInput &input, const std::string &dir);

} // namespace study
