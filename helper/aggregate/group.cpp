#include "group.hpp"

#include "result.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <string_view>

namespace agg {

namespace {

ConfigKey key_of(const NodeRecord &n) {
    return {n.mode, n.node_count, n.gaggle_size, n.modules, n.label, n.importtime, n.language};
}

std::string run_id(const NodeRecord &n, const std::string &file) {
    if (n.job_id == 0) return file;
    return (n.cluster.empty() ? "" : n.cluster + "/") + std::to_string(n.job_id) + "." + std::to_string(n.step_id);
}

// Records of one job step sort together (job id 0: one file each), then by
// node index. Sorted on integers: each cluster name stands as its rank among
// the names present, so no comparison reaches a string.
std::vector<const NodeRecord *> in_run_order(const std::vector<const NodeRecord *> &nodes) {
    std::map<std::string_view, uint32_t> cluster_rank;
    for (const NodeRecord *n : nodes) cluster_rank.emplace(n->cluster, 0);
    uint32_t rank = 0;
    for (auto &entry : cluster_rank) entry.second = rank++;
    struct Key {
        bool no_job;
        uint32_t job_id, step_id, cluster, uid;
        size_t run_file;  // job id 0: the file is the run
        int node_index;
        size_t file;
        const NodeRecord *node;
        auto tie() const { return std::tie(no_job, job_id, step_id, cluster, uid, run_file, node_index, file); }
    };
    std::vector<Key> keys;
    keys.reserve(nodes.size());
    for (const NodeRecord *n : nodes)
        keys.push_back({n->job_id == 0, n->job_id, n->step_id, cluster_rank.find(n->cluster)->second, n->uid,
                        n->job_id ? 0 : n->file, n->node_index, n->file, n});
    std::sort(keys.begin(), keys.end(), [](const Key &a, const Key &b) { return a.tie() < b.tie(); });
    std::vector<const NodeRecord *> order;
    order.reserve(keys.size());
    for (const Key &k : keys) order.push_back(k.node);
    return order;
}

bool same_step(const NodeRecord &a, const NodeRecord &b) {
    return a.job_id != 0 && a.job_id == b.job_id && a.step_id == b.step_id && a.cluster == b.cluster;
}

// A job step has one user. Records that name another user's job step (each
// file is owned by the uid it names) are someone else's: a run of their own,
// never merged with the real one, where they could outvote or spoil it.
bool same_run(const NodeRecord &a, const NodeRecord &b) { return same_step(a, b) && a.uid == b.uid; }

// Two records of one job step agree, or fail with the first field on which they disagree.
pyimport::Result<void> agree(const NodeRecord &a, const NodeRecord &b) {
    if (a.mode == b.mode && a.gaggle_size == b.gaggle_size && a.node_count == b.node_count &&
        a.language == b.language && a.modules == b.modules && a.label == b.label && a.importtime == b.importtime)
        return pyimport::ok();
    auto differ = [](const char *field, const std::string &x, const std::string &y) {
        return x == y ? std::string() : std::string(field) + " (" + x + " here, " + y + " there)";
    };
    std::string d = differ("run.mode", pyimport::mode_name(b.mode), pyimport::mode_name(a.mode));
    if (d.empty()) d = differ("run.gaggle_size", std::to_string(b.gaggle_size), std::to_string(a.gaggle_size));
    if (d.empty()) d = differ("job.node_count", std::to_string(b.node_count), std::to_string(a.node_count));
    if (d.empty()) d = differ("run.language", b.language, a.language);
    if (d.empty()) d = differ("run.modules", "[" + b.modules + "]", "[" + a.modules + "]");
    if (d.empty()) d = differ("run.label", b.label, a.label);
    auto on_off = [](bool on) { return std::string(on ? "on" : "off"); };
    if (d.empty()) d = differ("run.importtime", on_off(b.importtime), on_off(a.importtime));
    return pyimport::fail(d);
}

// "1, 3, ..." for a job step's records sorted by node index (at most five shown).
std::string missing_indices(const std::vector<const NodeRecord *> &run) {
    std::string out;
    size_t j = 0;
    int shown = 0;
    for (int index = 0; index < run.front()->node_count && shown < 6; ++index) {
        while (j < run.size() && run[j]->node_index < index) ++j;
        if (j < run.size() && run[j]->node_index == index) continue;
        out += (shown ? ", " : "") + (shown == 5 ? std::string("...") : std::to_string(index));
        ++shown;
    }
    return out;
}

// The common release of a job step: whether every node took the same
// instant, how far apart the nodes really released, how late any was, and
// how far the nodes' clocks may disagree. Sets start_ns to the instant when
// there was one for all.
void describe_release(const std::vector<const NodeRecord *> &run, RunSummary &summary) {
    int64_t first = INT64_MAX, last = INT64_MIN, max_error_us = 0;
    bool one_clock = true, every_clock_known = true;
    summary.synchronised = true;
    for (const NodeRecord *n : run) {
        first = std::min(first, n->release_ns);
        last = std::max(last, n->release_ns);
        summary.synchronised &= n->sync == "on" && n->planned_ns == run.front()->planned_ns;
        if (n->sync == "on" && n->ready_ns > n->planned_ns) {
            ++summary.late_nodes;
            summary.latest_ns = std::max(summary.latest_ns, n->release_ns - n->planned_ns);
        }
        one_clock &= !n->boot_id.empty() && n->boot_id == run.front()->boot_id;
        every_clock_known &= !n->sync.empty();
        max_error_us = std::max(max_error_us, n->clock_maxerror_us);
    }
    summary.release_spread_ns = last - first;
    if (summary.synchronised) summary.start_ns = run.front()->planned_ns;
    if (!every_clock_known) return;
    summary.clock_error_ns = one_clock ? 0 : 2 * max_error_us * 1000;
    if (!one_clock)
        for (const NodeRecord *n : run) summary.unsynchronised_clocks += n->clock_unsynchronised;
}

class Grouper {
  public:
    Grouper(const std::vector<std::string> &files, const Filters &filters, Dataset &data)
        : files_(files), filters_(filters), data_(data) {}

    // One job step's records (sorted by node index, duplicates still in);
    // `other_user_of`: the first record of the same job step written by
    // another user, when there is one.
    void add_run(std::vector<const NodeRecord *> run, const NodeRecord *other_user_of) {
        const NodeRecord &first = *run.front();
        std::string id = run_id(first, files_[first.file]);
        if (other_user_of) {
            const std::string real = id;
            id += " (uid " + std::to_string(first.uid) + ")";
            problem(first, "job step " + real + " also has records of uid " + std::to_string(other_user_of->uid) + " (" +
                               files_[other_user_of->file] + "); a job step has one user: these of uid " +
                               std::to_string(first.uid) + " are kept apart as " + id);
            ++data_.totals.other_users;
        }
        std::vector<const NodeRecord *> unique;
        for (const NodeRecord *n : run) {
            if (!unique.empty() && unique.back()->node_index == n->node_index) {
                problem(*n, "second record for node index " + std::to_string(n->node_index) + " of job step " + id +
                                " (the first is " + files_[unique.back()->file] + "): skipped");
                ++data_.totals.duplicates;
                continue;
            }
            unique.push_back(n);
        }
        for (const NodeRecord *n : unique) {
            auto agreed = agree(first, *n);
            if (agreed) continue;
            problem(*n, "disagrees with " + files_[first.file] + " on " + agreed.error() + ": job step " + id +
                            " skipped");
            ++data_.totals.inconsistent;
            return;
        }
        RunSummary summary;
        summary.id = id;
        summary.first_file = files_[first.file];
        summary.start_ns = INT64_MAX;
        summary.end_ns = INT64_MIN;
        for (const NodeRecord *n : unique) {
            summary.start_ns = std::min(summary.start_ns, n->release_ns);
            summary.end_ns = std::max(summary.end_ns, n->last_exit_ns);
            summary.failed += n->failed_count;
        }
        summary.nodes_found = int(unique.size());
        describe_release(unique, summary);
        ConfigKey key = key_of(first);
        if (!filters_.matches(key, first.job_id, summary.start_ns)) {
            ++data_.totals.filtered_out;
            return;
        }
        // Job id 0: one file is the whole run whatever node_count says.
        summary.complete = first.job_id == 0 || summary.nodes_found == first.node_count;
        if (!summary.complete) {
            problem(first, "job step " + id + " has records for " + std::to_string(summary.nodes_found) + " of " +
                               std::to_string(first.node_count) + " nodes (missing node index " +
                               missing_indices(unique) + "): left out of the overall table");
            ++data_.totals.incomplete;
        }
        ConfigData &config = configs_[key];
        config.key = key;
        for (const NodeRecord *n : unique) {
            config.gaggle_s.push_back(double(n->wall_ns) / 1e9);
            config.interpreters += n->interpreter_count;
            config.failed += n->failed_count;
            for (const auto &i : n->interpreters) {  // empty when no table needs them
                if (!i.ok) continue;
                config.interpreter_s.push_back(i.wall_s);
                config.user_s.push_back(i.user_s);
                config.system_s.push_back(i.system_s);
                config.rss_mib.push_back(i.max_rss_mib);
            }
            for (const auto &i : n->imports) config.imports.add(i);  // empty unless importtime=on
            config.cgroup.add(n->cgroup, n->interpreters_cpu_s);
            data_.totals.interpreters += n->interpreter_count;
        }
        config.runs.push_back(std::move(summary));
        data_.totals.records += unique.size();
        ++data_.totals.runs;
    }

    void finish() {
        report_mixed_modules();
        for (auto &entry : configs_) data_.configs.push_back(std::move(entry.second));
    }

  private:
    void problem(const NodeRecord &n, std::string message) { data_.problems.push_back({files_[n.file], std::move(message)}); }

    // Same language, mode, size, label and importtime, several module lists:
    // kept apart, said once. (Languages differ in their lists by nature.)
    void report_mixed_modules() {
        std::map<std::tuple<std::string, Mode, int, int, std::string, bool>, std::vector<const ConfigData *>> by_scale;
        for (const auto &[key, config] : configs_)
            by_scale[{key.language, key.mode, key.nodes, key.gaggle, key.label, key.importtime}].push_back(&config);
        for (const auto &[scale, configs] : by_scale) {
            if (configs.size() < 2) continue;
            std::string lists;
            for (const ConfigData *c : configs)
                lists += (lists.empty() ? "" : ", ") + ("[" + c->key.modules + "] in " + std::to_string(c->runs.size()) +
                                                        " job step(s), e.g. " + c->runs.front().first_file);
            data_.problems.push_back({configs.back()->runs.front().first_file,
                                      describe(configs.front()->key) + " was run with " +
                                          std::to_string(configs.size()) + " module lists (" + lists +
                                          "): kept apart as separate configurations"});
            ++data_.totals.mixed_modules;
        }
    }

    const std::vector<std::string> &files_;
    const Filters &filters_;
    Dataset &data_;
    std::map<ConfigKey, ConfigData> configs_;
};

} // namespace

std::string describe(const ConfigKey &key, bool with_workload) {
    std::string s = std::string(pyimport::mode_name(key.mode)) + ", " + std::to_string(key.nodes) +
                    (key.nodes == 1 ? " node x " : " nodes x ") + std::to_string(key.gaggle);
    if (key.language != "python") s += ", lang " + key.language;
    if (!key.label.empty()) s += ", label " + key.label;
    if (key.importtime) s += ", importtime";
    if (with_workload) s += ", modules [" + key.modules + "]";
    return s;
}

void group_records(const std::vector<const NodeRecord *> &nodes, const std::vector<std::string> &files,
                   const Filters &filters, Dataset &dataset) {
    const std::vector<const NodeRecord *> order = in_run_order(nodes);
    Grouper grouper(files, filters, dataset);
    const NodeRecord *step_first = nullptr;  // the first record of the current job step
    for (size_t begin = 0; begin < order.size();) {
        size_t end = begin + 1;
        while (end < order.size() && same_run(*order[begin], *order[end])) ++end;
        const bool other_user = step_first && same_step(*step_first, *order[begin]);
        if (!other_user) step_first = order[begin];
        grouper.add_run(std::vector<const NodeRecord *>(order.begin() + long(begin), order.begin() + long(end)),
                        other_user ? step_first : nullptr);
        begin = end;
    }
    grouper.finish();
}

void merge_configs(Dataset &dataset, std::vector<ConfigData> more) {
    std::map<ConfigKey, ConfigData> all;
    for (auto *list : {&dataset.configs, &more})
        for (auto &c : *list) {
            ConfigData &into = all[c.key];
            into.key = c.key;
            auto append = [](std::vector<double> &to, const std::vector<double> &from) {
                to.insert(to.end(), from.begin(), from.end());
            };
            into.runs.insert(into.runs.end(), c.runs.begin(), c.runs.end());
            append(into.gaggle_s, c.gaggle_s);
            append(into.interpreter_s, c.interpreter_s);
            append(into.user_s, c.user_s);
            append(into.system_s, c.system_s);
            append(into.rss_mib, c.rss_mib);
            into.interpreters += c.interpreters;
            into.failed += c.failed;
            into.imports.merge(c.imports);
            into.cgroup.merge(c.cgroup);
        }
    dataset.configs.clear();
    for (auto &entry : all) dataset.configs.push_back(std::move(entry.second));
}

} // namespace agg
