// A step's records: found in the site's outdir (files
// pyimport-[CLUSTER-]JOB.STEP-*.json whose content matches the step), read
// with pyimport::read_record_file, and copied into the study's records/.
#pragma once
#include "manifest.hpp"

#include <set>
#include <string>
#include <vector>

namespace study {

// The step id a record file name carries for job `job_id`; -1 when the name
// is not pyimport-[CLUSTER-]JOB.STEP-*.json of that job.
long long step_id_in_name(const std::string &name, uint32_t job_id);

struct FoundRecords {
    int64_t step_id = -1;                // the newest step of the job matching the cell; -1 none
    std::vector<std::string> copies;     // "records/NAME", in name order
    bool all_succeeded = true;           // every interpreter in them exited 0 in time
    std::vector<std::string> problems;   // files that could not be read or copied
};

// Looks in `outdir` for the records of job `job_id`'s newest step (not one of
// `claimed`, steps the manifest already holds) that ran `planned` with
// `plan`'s label, and copies them into study_dir/records.
FoundRecords collect_records(const std::string &outdir, uint32_t job_id, const std::set<int64_t> &claimed,
                             const Plan &plan, const PlannedStep &planned, const std::string &study_dir);

// Removes a step's earlier copies ("records/NAME") before the step runs again,
// so that records/ holds only what the manifest lists: an interrupted step can
// have copied the records its nodes wrote before srun was stopped.
void remove_copies(const std::string &study_dir, const std::vector<std::string> &copies);

} // namespace study
