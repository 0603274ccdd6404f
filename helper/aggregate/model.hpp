// pyimport-aggregate's data model: what one node record contributes, job steps
// (runs), configurations, and the problems found on the way. Plain data.
#pragma once
#include "bench_option.hpp"  // pyimport::Mode

#include <cstddef>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

namespace agg {

using pyimport::Mode;

// One interpreter of a gaggle, in the units the tables print.
struct InterpreterSample {
    double wall_s = 0, user_s = 0, system_s = 0, max_rss_mib = 0;
    bool ok = true;  // exited 0, no signal, no timeout
};

// What the aggregator keeps of one record file.
struct NodeRecord {
    size_t file = 0;  // index into the list of files read
    uint32_t job_id = 0, step_id = 0;
    uint32_t uid = 0;  // the job user: a job step has one
    std::string cluster, node;
    int node_index = 0, node_count = 1;
    Mode mode = Mode::conda;
    int gaggle_size = 0;
    std::string modules;  // the module list, joined with ' ' (join_modules)
    std::string label;
    int64_t release_ns = 0, last_exit_ns = 0, wall_ns = 0;
    size_t interpreter_count = 0, failed_count = 0;  // always counted
    std::vector<InterpreterSample> interpreters;     // kept only when a table needs them
};

// What makes job steps repetitions of each other.
struct ConfigKey {
    Mode mode = Mode::conda;
    int nodes = 0, gaggle = 0;
    std::string modules, label;

    auto tie() const { return std::tie(modules, label, nodes, gaggle, mode); }
    bool operator<(const ConfigKey &o) const { return tie() < o.tie(); }
    bool operator==(const ConfigKey &o) const { return tie() == o.tie(); }
    int interpreters() const { return nodes * gaggle; }
};

// One job step (all its node records), or one file when job id is 0.
struct RunSummary {
    std::string id;          // "7.0", "cluster/7.0", or the file for job id 0
    std::string first_file;  // the first of its files, for messages
    int64_t start_ns = 0;    // first release
    int64_t end_ns = 0;      // last exit
    int nodes_found = 0;
    bool complete = true;    // a record for every node: only then is the overall time right
    size_t failed = 0;       // interpreters that did not succeed
    double overall_s() const { return double(end_ns - start_ns) / 1e9; }
};

struct ConfigData {
    ConfigKey key;
    std::vector<RunSummary> runs;  // complete ones make the overall table
    std::vector<double> gaggle_s;  // every node's gaggle, release to last exit
    std::vector<double> interpreter_s, user_s, system_s, rss_mib;  // succeeded interpreters only
    size_t interpreters = 0, failed = 0;

    size_t complete_runs() const {
        size_t n = 0;
        for (const auto &r : runs) n += r.complete;
        return n;
    }
    std::vector<double> overall_s() const {
        std::vector<double> v;
        for (const auto &r : runs)
            if (r.complete) v.push_back(r.overall_s());
        return v;
    }
};

// One line for the user: the file (or run) and what is wrong with it.
struct Problem {
    std::string subject;
    std::string message;
};

struct Totals {
    size_t files = 0;           // record files found
    size_t ignored = 0;         // other files in the tree (not *.json)
    size_t bad_files = 0;       // unreadable or not a valid record: skipped
    size_t duplicates = 0;      // a second record for the same node of a job step: skipped
    size_t inconsistent = 0;    // job steps whose node records disagree: skipped
    size_t other_users = 0;     // records of a job step written by another user: kept apart
    size_t incomplete = 0;      // job steps missing node records: left out of the overall table
    size_t mixed_modules = 0;   // configurations run with more than one module list
    size_t filtered_out = 0;    // job steps the filters left out
    size_t records = 0;         // node records used
    size_t runs = 0;            // job steps used
    size_t interpreters = 0;    // interpreter entries used
    size_t study_rows = 0;      // rows of the 2017 study's files used (--study)
};

struct Dataset {
    std::vector<ConfigData> configs;  // sorted by key
    std::vector<Problem> problems;    // in the order found
    Totals totals;
};

} // namespace agg
