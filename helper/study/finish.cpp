#include "finish.hpp"

#include "parse_util.hpp"

#include <climits>
#include <unistd.h>

namespace study {

std::string reference_dir() {
    char exe[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return "";
    std::string bin(exe, size_t(n));
    bin.erase(bin.rfind('/'));
    const std::string parent = bin.substr(0, bin.rfind('/'));
    for (const std::string &dir : {parent + "/share/pyimport-bench/study-2017", parent + "/data/study-2017"})
        if (access((dir + "/overall_time.bcp").c_str(), R_OK) == 0) return dir;
    return "";
}

ReportInput report_input(const Manifest &m, const std::string &dir) {
    ReportInput in;
    for (const auto &s : m.steps) {
        StepOutcome o;
        o.mode = s.planned.cell.mode;
        o.nodes = s.planned.cell.nodes, o.gaggle = s.planned.cell.gaggle, o.repeat = s.planned.repeat;
        o.exit_status = s.exit_status;
        o.records_complete = s.records.size() == size_t(s.planned.cell.nodes);
        for (const auto &r : s.records) o.records.push_back(dir + "/" + r);
        in.steps.push_back(o);
    }
    in.facts.label = m.plan.label;
    in.facts.language = m.plan.language;
    in.facts.modules = pyimport::join_modules(m.plan.modules);
    in.facts.slurm_version = m.slurm_version;
    in.facts.started_utc = m.started_utc;
    in.facts.finished_utc = m.finished_utc;
    in.facts.nodes = m.node_names;
    in.facts.seed = m.plan.seed;
    in.reference_dir = reference_dir();
    return in;
}

} // namespace study
