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
        r.gaggle.interpreters.push_back(f);
    }
    r.gaggle.wall_ns = longest + 1'000'000;
    r.gaggle.release_unix_ns = int64_t(s.release_s * 1e9);
    r.gaggle.last_exit_unix_ns = r.gaggle.release_unix_ns + r.gaggle.wall_ns;
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
