// Records and record trees for the pyimport-aggregate unit tests, written
// through the record module like the plugin writes them.
#pragma once
#include "../../helper/aggregate/model.hpp"
#include "record.hpp"
#include "unit_support.hpp"

#include <string>
#include <vector>

namespace unit {

// One node's record: `walls` are the interpreters' wall times in seconds;
// the gaggle ends 1 ms after the slowest.
struct NodeSpec {
    uint32_t job = 1, step = 0;
    int node_index = 0, node_count = 1;
    const char *mode = "conda";
    std::vector<double> walls = {1.0, 2.0};
    std::vector<std::string> modules = {"json"};
    std::string label;
    std::string cluster;
    double release_s = 1'800'000'000.0;  // Unix seconds
    // The common release: 0 for none (sync off); else the instant, in Unix
    // seconds, and when the node was ready (0: 1 ms before the instant).
    double planned_s = 0, ready_s = 0;
    std::string boot_id = "boot-1";
    int64_t maxerror_us = 16000000;
    int clock_status = 0x40;  // STA_UNSYNC, as on a machine without a time daemon
    // importtime=on: each interpreter's import_us (one list per wall, each
    // one entry per module; empty: none) and the same slowest modules for all.
    bool importtime = false;
    std::vector<std::vector<int64_t>> import_us;
    std::vector<std::string> slowest;
    // The gaggle's cgroup: figures -1 (unknown) unless given; state "used" needs them.
    std::string cgroup_state = "off", cgroup_note;
    int64_t cgroup_cpu_ns = -1, memory_peak_bytes = -1, io_bytes = -1, io_operations = -1, max_processes = -1;
    int64_t leftovers_killed = 0;
};

inline pyimport::Record make_record(const NodeSpec &s) {
    pyimport::Record r;
    r.writer = {"pyimport-gaggle", "0.1.0", "test"};
    r.job.job_id = s.job;
    r.job.step_id = s.step;
    r.job.node = "n" + std::to_string(s.node_index + 1);
    r.job.node_index = s.node_index;
    r.job.node_count = s.node_count;
    r.job.user = "test";
    r.job.cluster = s.cluster;
    r.run.mode = s.mode;
    r.run.gaggle_size = int(s.walls.size());
    r.run.argv = {"/usr/bin/python3", "-c", "import json"};
    r.run.modules = s.modules;
    r.run.timeout_s = 600;
    r.run.workdir = "/tmp";
    r.run.label = s.label;
    int64_t longest = 0;
    for (size_t i = 0; i < s.walls.size(); ++i) {
        pyimport::InterpreterFigures f;
        f.index = int(i);
        f.pid = 100 + int(i);
        f.wall_ns = int64_t(s.walls[i] * 1e9 + 0.5);
        f.user_ns = f.wall_ns / 2;
        f.system_ns = f.wall_ns / 4;
        f.max_rss_kib = 10240;
        longest = std::max(longest, f.wall_ns);
        if (i < s.import_us.size()) f.import_us = s.import_us[i];
        if (s.importtime) {
            f.slowest_modules = s.slowest;
            f.slowest_self_us.assign(s.slowest.size(), 1000);
            f.slowest_cumulative_us.assign(s.slowest.size(), 2000);
        }
        r.gaggle.interpreters.push_back(f);
    }
    r.gaggle.wall_ns = longest + 1'000'000;
    r.gaggle.release_unix_ns = int64_t(s.release_s * 1e9);
    r.gaggle.last_exit_unix_ns = r.gaggle.release_unix_ns + r.gaggle.wall_ns;
    r.gaggle.sync = s.planned_s ? "on" : "off";
    r.gaggle.planned_release_unix_ns = int64_t(s.planned_s * 1e9);
    r.gaggle.ready_unix_ns = s.ready_s ? int64_t(s.ready_s * 1e9)
                             : s.planned_s ? std::min(r.gaggle.planned_release_unix_ns - 1'000'000, r.gaggle.release_unix_ns)
                                           : r.gaggle.release_unix_ns;
    r.clock.maxerror_us = r.clock.esterror_us = s.maxerror_us;
    r.clock.status = s.clock_status;
    r.clock.source = "tsc";
    r.clock.boot_id = s.boot_id;
    r.run.importtime = s.importtime;
    r.gaggle.cgroup.state = s.cgroup_state;
    r.gaggle.cgroup.note = s.cgroup_note;
    r.gaggle.cgroup.cpu_ns = s.cgroup_cpu_ns;
    r.gaggle.cgroup.memory_peak_bytes = s.memory_peak_bytes;
    r.gaggle.cgroup.io_bytes = s.io_bytes;
    r.gaggle.cgroup.io_operations = s.io_operations;
    r.gaggle.cgroup.max_processes = s.max_processes;
    r.gaggle.cgroup.leftovers_killed = s.leftovers_killed;
    return r;
}

// Writes the record into dir under the name the plugin would give it; returns the path.
inline std::string write_record(const TempDir &dir, const NodeSpec &s) {
    pyimport::Record r = make_record(s);
    std::string path = dir.file(pyimport::record_file_name(r.job, "t"));
    write_text(path, pyimport::record_to_json(r));
    return path;
}

// A job step of `nodes` records released `skew_s` apart.
inline void write_run(const TempDir &dir, NodeSpec s, int nodes, double skew_s = 0.1) {
    s.node_count = nodes;
    for (int i = 0; i < nodes; ++i) {
        s.node_index = i;
        write_record(dir, s);
        s.release_s += skew_s;
    }
}

// A job step of two records, node index 1's changed by `change`; returns
// node index 1's file.
template <class Change> std::string write_disagreeing_step(const TempDir &dir, NodeSpec s, Change change) {
    s.node_count = 2;
    write_record(dir, s);
    s.node_index = 1;
    change(s);
    return write_record(dir, s);
}

inline bool has_problem(const std::vector<agg::Problem> &problems, const std::string &subject, const std::string &part) {
    for (const auto &p : problems)
        if (contains(p.subject, subject) && contains(p.message, part)) return true;
    return false;
}

inline std::string problem_list(const std::vector<agg::Problem> &problems) {
    std::string out;
    for (const auto &p : problems) out += p.subject + ": " + p.message + "\n";
    return out;
}

} // namespace unit
