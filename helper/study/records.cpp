#include "records.hpp"

#include "atomic_file.hpp"
#include "parse_util.hpp"
#include "record.hpp"
#include "sys_io.hpp"
#include "text_escape.hpp"

#include <algorithm>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <unistd.h>

namespace study {

long long step_id_in_name(const std::string &name, uint32_t job_id) {
    const std::string prefix = "pyimport-", job = std::to_string(job_id) + ".";
    if (name.rfind(prefix, 0) != 0 || name.size() < 5 || name.compare(name.size() - 5, 5, ".json") != 0) return -1;
    size_t at = prefix.size();
    if (name.compare(at, job.size(), job) != 0) {  // a cluster name first: pyimport-CLUSTER-JOB.STEP-...
        at = name.find("-" + job, at);
        if (at == std::string::npos) return -1;
        ++at;
    }
    at += job.size();
    const size_t dash = name.find('-', at);
    if (dash == std::string::npos) return -1;
    auto step = pyimport::parse_bounded_int(std::string_view(name).substr(at, dash - at), 0, 4294967295LL);
    return step ? *step : -1;
}

namespace {

struct Candidate {
    std::string name, text;
    pyimport::Record record;
};

bool matches(const pyimport::Record &r, uint32_t job_id, long long step, const Plan &plan, const PlannedStep &p) {
    return r.job.job_id == job_id && r.job.step_id == step && r.run.mode == p.cell.mode &&
           r.run.gaggle_size == p.cell.gaggle && r.job.node_count == p.cell.nodes && r.run.label == plan.label &&
           r.run.language == plan.language && (plan.modules.empty() || r.run.modules == plan.modules);
}

} // namespace

FoundRecords collect_records(const std::string &outdir, uint32_t job_id, const std::set<int64_t> &claimed,
                             const Plan &plan, const PlannedStep &planned, const std::string &study_dir) {
    FoundRecords found;
    const int dirfd = open(outdir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) {
        found.problems.push_back(pyimport::errno_text("cannot open the site's outdir " + pyimport::quote_text(outdir)));
        return found;
    }
    std::map<long long, std::vector<std::string>> by_step;
    if (DIR *d = fdopendir(dup(dirfd))) {
        while (dirent *e = readdir(d)) {
            const std::string name = e->d_name;
            const long long step = step_id_in_name(name, job_id);
            if (step >= 0 && !claimed.count(step)) by_step[step].push_back(name);
        }
        closedir(d);
    }
    // Newest first: the step just run has the highest id of those not yet claimed.
    for (auto it = by_step.rbegin(); it != by_step.rend() && found.step_id < 0; ++it) {
        std::vector<Candidate> candidates;
        std::sort(it->second.begin(), it->second.end());
        for (const auto &name : it->second) {
            Candidate c;
            c.name = name;
            pyimport::RecordFileOptions options;
            options.follow_link = false;
            options.beneath = dirfd;
            auto keep_text = [&c](std::string_view text) {
                auto r = pyimport::record_from_json(text);
                if (r) c.text.assign(text);
                return r;
            };
            auto record = pyimport::read_record_file(name, options, keep_text);
            if (!record) {
                found.problems.push_back(pyimport::escape_text(name) + ": " + record.error());
                continue;
            }
            c.record = std::move(*record);
            if (matches(c.record, job_id, it->first, plan, planned)) candidates.push_back(std::move(c));
        }
        if (candidates.empty()) continue;
        found.step_id = it->first;
        const std::string records_dir = study_dir + "/" + kRecordsDir;
        for (const auto &c : candidates) {
            auto copied = pyimport::write_file_atomically(records_dir, c.name, c.text,
                                                          pyimport::PendingFile::Existing::replace);
            if (!copied) {
                found.problems.push_back("cannot copy " + pyimport::escape_text(c.name) + ": " + copied.error());
                continue;
            }
            found.copies.push_back(std::string(kRecordsDir) + "/" + c.name);
            for (const auto &f : c.record.gaggle.interpreters)
                if (!f.succeeded()) found.all_succeeded = false;
        }
    }
    close(dirfd);
    return found;
}

void remove_copies(const std::string &study_dir, const std::vector<std::string> &copies) {
    const std::string prefix = std::string(kRecordsDir) + "/";
    const int dirfd = open((study_dir + "/" + kRecordsDir).c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dirfd < 0) return;
    for (const auto &copy : copies) {
        // The manifest is checked to name records/NAME; NAME is still kept to one
        // file of records/ here, as the manifest is the user's to edit.
        const std::string name = copy.substr(copy.rfind(prefix, 0) == 0 ? prefix.size() : copy.size());
        if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") continue;
        // A copy that cannot be removed stays unlisted; the report reads only listed copies.
        unlinkat(dirfd, name.c_str(), 0);
    }
    close(dirfd);
}

} // namespace study
