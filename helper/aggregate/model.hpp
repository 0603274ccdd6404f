// pyimport-aggregate's data model: what one node record contributes, job steps
// (runs), configurations, and the problems found on the way. Plain data.
#pragma once
#include "bench_option.hpp"  // pyimport::Mode

#include <cstddef>
#include <cmath>
#include <cstdint>
#include <map>
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

// One succeeded interpreter of an importtime=on run (python -X importtime).
struct ImportSample {
    std::vector<double> module_s;      // each requested module's cumulative import time, s; NaN: not imported
    std::vector<std::string> slowest;  // its slowest modules by self time
};

// The gaggle's own cgroup, as the record gives it. NaN: a figure it could not read.
struct CgroupSample {
    std::string state;  // "used", "unavailable", "off"; empty in version 1 records
    std::string note;   // why unavailable (kept only then)
    double cpu_s = NAN, memory_peak_mib = NAN, io_mib = NAN, io_operations = NAN, max_processes = NAN;
    int64_t leftovers_killed = 0;
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
    std::string language = "python";  // run.language
    std::string modules;  // the module list, joined with ' ' (join_modules)
    std::string label;
    int64_t release_ns = 0, last_exit_ns = 0, wall_ns = 0;
    // The common release and the clock (record version 2; sync empty in version 1).
    std::string sync;
    int64_t planned_ns = 0, ready_ns = 0;
    int64_t clock_maxerror_us = 0;
    bool clock_unsynchronised = false;
    std::string boot_id;
    size_t interpreter_count = 0, failed_count = 0;  // always counted
    std::vector<InterpreterSample> interpreters;     // kept only when a table needs them
    bool importtime = false;                         // run with python -X importtime
    std::vector<ImportSample> imports;               // succeeded interpreters; only when the imports table may show
    // Per node (cheap, always kept): the cgroup's totals and what the
    // interpreters themselves used (user + system of all of them), to compare.
    CgroupSample cgroup;
    double interpreters_cpu_s = 0;
};

// What makes job steps repetitions of each other.
struct ConfigKey {
    Mode mode = Mode::conda;
    int nodes = 0, gaggle = 0;
    std::string modules, label;
    // python -X importtime changes what is measured: on and off are never repetitions.
    bool importtime = false;
    std::string language = "python";  // python, r or perl: each compared on its own

    auto tie() const { return std::tie(language, modules, label, importtime, nodes, gaggle, mode); }
    bool operator<(const ConfigKey &o) const { return tie() < o.tie(); }
    bool operator==(const ConfigKey &o) const { return tie() == o.tie(); }
    int interpreters() const { return nodes * gaggle; }
};

// One job step (all its node records), or one file when job id is 0.
struct RunSummary {
    std::string id;          // "7.0", "cluster/7.0", or the file for job id 0
    std::string first_file;  // the first of its files, for messages
    int64_t start_ns = 0;    // the common release instant when synchronised, else the first release
    int64_t end_ns = 0;      // last exit
    int nodes_found = 0;
    // Every node released at one planned instant (sync=on, none refused).
    bool synchronised = false;
    int64_t release_spread_ns = 0;  // the last node's release minus the first's
    int late_nodes = 0;             // nodes ready only after the instant (released at once)
    int64_t latest_ns = 0;          // how long after the instant the latest of them released
    // How far two nodes' clocks may disagree: 0 on one clock (one boot id),
    // else twice the largest maxerror; -1 when a record (version 1) does not say.
    int64_t clock_error_ns = -1;
    int unsynchronised_clocks = 0;  // nodes whose kernel says no daemon keeps the clock (one clock: not counted)
    bool complete = true;    // a record for every node: only then is the overall time right
    size_t failed = 0;       // interpreters that did not succeed
    double overall_s() const { return double(end_ns - start_ns) / 1e9; }
};

// Import times of one configuration's succeeded interpreters (importtime=on).
struct ImportFigures {
    std::vector<std::vector<double>> module_s;  // per requested module, in the run's order: seconds
    std::map<std::string, size_t> slowest;      // how often each module was among an interpreter's slowest
    size_t interpreters = 0;                    // interpreters that gave import times

    void add(const ImportSample &s);
    void merge(const ImportFigures &o);
};

// The gaggles' cgroups of one configuration.
struct CgroupTotals {
    // Per gaggle with a cgroup (state used), each figure it could read.
    std::vector<double> cpu_s, interpreters_cpu_s, helpers_cpu_s, memory_peak_mib, io_mib, io_operations,
        max_processes;
    size_t used = 0, unavailable = 0, off = 0, partial = 0;  // gaggles by state; partial: used, a figure missing
    int64_t leftovers_killed = 0;                            // over all gaggles
    std::string first_note;                                  // of the first unavailable gaggle

    void add(const CgroupSample &s, double interpreters_cpu_s);
    void merge(const CgroupTotals &o);
};

struct ConfigData {
    ConfigKey key;
    std::vector<RunSummary> runs;  // complete ones make the overall table
    std::vector<double> gaggle_s;  // every node's gaggle, release to last exit
    std::vector<double> interpreter_s, user_s, system_s, rss_mib;  // succeeded interpreters only
    size_t interpreters = 0, failed = 0;
    ImportFigures imports;
    CgroupTotals cgroup;

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
