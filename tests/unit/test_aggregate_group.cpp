// From record files to job steps and configurations: what belongs together,
// the overall time, repetitions, filters, and every way records can fail to
// fit together (each one problem line naming a file).
#include "../../helper/aggregate/run.hpp"
#include "aggregate_fixtures.hpp"

#include <cmath>

using namespace agg;
using unit::NodeSpec;

namespace {

Dataset collect_dir(const unit::TempDir &dir, Filters filters = {}) {
    Options o;
    o.paths = {dir.path()};
    o.filters = filters;
    o.threads = 2;
    return collect(o);
}

const ConfigData &config(const Dataset &d, Mode mode, int nodes, int gaggle) {
    for (const auto &c : d.configs)
        if (c.key.mode == mode && c.key.nodes == nodes && c.key.gaggle == gaggle) return c;
    cr_assert_fail("no configuration %s %dx%d", pyimport::mode_name(mode), nodes, gaggle);
    return d.configs.front();
}

void near(double actual, double expected, const char *what) {
    cr_assert(std::fabs(actual - expected) < 1e-6, "%s: got %.9f, expected %.9f", what, actual, expected);
}

} // namespace

Test(aggregate_group, overall_time_spans_all_nodes_of_a_job_step) {
    unit::TempDir dir;
    NodeSpec s;
    s.walls = {1.0, 2.0};  // gaggle 2.001 s
    unit::write_run(dir, s, 3, 0.5);  // releases at +0, +0.5, +1.0: last exit at 1.0 + 2.001
    Dataset d = collect_dir(dir);
    cr_assert(d.problems.empty(), "%s", unit::problem_list(d.problems).c_str());
    const ConfigData &c = config(d, Mode::conda, 3, 2);
    cr_assert_eq(c.runs.size(), 1u);
    near(c.runs[0].overall_s(), 3.001, "overall");
    cr_assert_eq(c.gaggle_s.size(), 3u);
    near(c.gaggle_s[0], 2.001, "gaggle");
    cr_assert_eq(c.interpreter_s.size(), 6u);
    cr_assert_eq(d.totals.records, 3u);
    cr_assert_eq(d.totals.runs, 1u);
    cr_assert_eq(d.totals.interpreters, 6u);
}

Test(aggregate_group, repetitions_and_configurations) {
    unit::TempDir dir;
    NodeSpec s;
    for (uint32_t job = 1; job <= 3; ++job) {  // the same configuration three times
        s.job = job;
        unit::write_run(dir, s, 2);
    }
    s.job = 10;
    s.mode = "container";
    unit::write_run(dir, s, 2);
    s.job = 11;  // another scale
    unit::write_run(dir, s, 4);
    s.job = 12;  // a label makes its own configuration
    s.label = "warm";
    unit::write_run(dir, s, 4);
    Dataset d = collect_dir(dir);
    cr_assert(d.problems.empty(), "%s", unit::problem_list(d.problems).c_str());
    cr_assert_eq(d.configs.size(), 4u);
    cr_assert_eq(config(d, Mode::conda, 2, 2).runs.size(), 3u);
    cr_assert_eq(config(d, Mode::container, 2, 2).runs.size(), 1u);
    cr_assert_eq(d.totals.runs, 6u);
}

Test(aggregate_group, steps_and_clusters_are_separate_runs) {
    unit::TempDir dir;
    NodeSpec s;
    unit::write_run(dir, s, 2);
    s.step = 1;
    unit::write_run(dir, s, 2);
    s.cluster = "other";
    unit::write_run(dir, s, 2);
    Dataset d = collect_dir(dir);
    cr_assert(d.problems.empty(), "%s", unit::problem_list(d.problems).c_str());
    cr_assert_eq(config(d, Mode::conda, 2, 2).runs.size(), 3u);
}

Test(aggregate_group, job_id_zero_is_one_run_per_file) {
    unit::TempDir dir;
    NodeSpec s;
    s.job = 0;
    s.node_count = 2;  // pyimport-gaggle --node-count 2 without a job id
    s.node_index = 0;
    unit::write_record(dir, s);
    s.node_index = 1;
    unit::write_record(dir, s);
    Dataset d = collect_dir(dir);
    cr_assert(d.problems.empty(), "%s", unit::problem_list(d.problems).c_str());
    const ConfigData &c = config(d, Mode::conda, 2, 2);
    cr_assert_eq(c.runs.size(), 2u);
    cr_assert(c.runs[0].complete && c.runs[1].complete);
    near(c.runs[0].overall_s(), 2.001, "one file's gaggle");
}

Test(aggregate_group, failed_interpreters_are_counted_not_timed) {
    unit::TempDir dir;
    pyimport::Record r = unit::make_record({});
    r.gaggle.interpreters[1].exit_code = 1;
    unit::write_text(dir.file("a.json"), pyimport::record_to_json(r));
    Dataset d = collect_dir(dir);
    const ConfigData &c = config(d, Mode::conda, 1, 2);
    cr_assert_eq(c.failed, 1u);
    cr_assert_eq(c.interpreters, 2u);
    cr_assert_eq(c.interpreter_s.size(), 1u, "a failed interpreter's time is not an import time");
    cr_assert_eq(c.runs[0].failed, 1u);
}

Test(aggregate_group, duplicate_record_is_skipped_and_named) {
    unit::TempDir dir;
    NodeSpec s;
    unit::write_run(dir, s, 2);
    pyimport::Record again = unit::make_record(s);  // node index 0 of job 1 again
    again.job.node_count = 2;
    unit::write_text(dir.file("zz-copy.json"), pyimport::record_to_json(again));
    Dataset d = collect_dir(dir);
    cr_assert_eq(d.totals.duplicates, 1u);
    cr_assert(unit::has_problem(d.problems, "zz-copy.json", "second record for node index 0 of job step 1.0"),
              "%s", unit::problem_list(d.problems).c_str());
    cr_assert_eq(config(d, Mode::conda, 2, 2).gaggle_s.size(), 2u);
}

Test(aggregate_group, disagreeing_records_skip_the_job_step) {
    unit::TempDir dir;
    const std::string odd = unit::write_disagreeing_step(dir, NodeSpec{}, [](NodeSpec &n) { n.modules = {"numpy"}; });
    Dataset d = collect_dir(dir);
    cr_assert(d.configs.empty());
    cr_assert_eq(d.totals.inconsistent, 1u);
    cr_assert(unit::has_problem(d.problems, odd, "on run.modules ([numpy] here, [json] there): job step 1.0 skipped"),
              "%s", unit::problem_list(d.problems).c_str());
}

Test(aggregate_group, incomplete_job_step_stays_out_of_the_overall_table) {
    unit::TempDir dir;
    NodeSpec s;
    s.node_count = 4;
    for (int i : {0, 2}) {
        s.node_index = i;
        unit::write_record(dir, s);
    }
    Dataset d = collect_dir(dir);
    cr_assert_eq(d.totals.incomplete, 1u);
    cr_assert(unit::has_problem(d.problems, "pyimport", "has records for 2 of 4 nodes (missing node index 1, 3)"),
              "%s", unit::problem_list(d.problems).c_str());
    const ConfigData &c = config(d, Mode::conda, 4, 2);
    cr_assert(!c.runs[0].complete);
    cr_assert(c.overall_s().empty(), "no overall time from half a job step");
    cr_assert_eq(c.gaggle_s.size(), 2u, "its gaggles still count");
}

Test(aggregate_group, mixed_module_lists_are_kept_apart_and_named) {
    unit::TempDir dir;
    NodeSpec s;
    unit::write_run(dir, s, 2);
    s.job = 2;
    s.modules = {"numpy", "scipy"};
    unit::write_run(dir, s, 2);
    Dataset d = collect_dir(dir);
    cr_assert_eq(d.configs.size(), 2u);
    cr_assert_eq(d.totals.mixed_modules, 1u);
    cr_assert(unit::has_problem(d.problems, "pyimport", "conda, 2 nodes x 2 was run with 2 module lists ([json] in 1 "
                                                         "job step(s), e.g. "),
              "%s", unit::problem_list(d.problems).c_str());
}

Test(aggregate_group, filters) {
    unit::TempDir dir;
    NodeSpec s;
    s.release_s = 1'800'000'000;  // 2027-01-15T08:00:00Z
    unit::write_run(dir, s, 1);
    s.job = 2;
    s.mode = "container";
    s.release_s += 86400 * 2;
    unit::write_run(dir, s, 2);
    s.job = 3;
    s.walls = {1, 1, 1, 1};
    s.label = "x";
    unit::write_run(dir, s, 2);
    auto kept = [&](Filters f) { return collect_dir(dir, f).totals.runs; };
    Filters f;
    cr_assert_eq(kept(f), 3u);
    f.mode = Mode::container;
    cr_assert_eq(kept(f), 2u);
    f = {};
    f.jobs = *parse_number_set("1,3", 0, 10);
    cr_assert_eq(kept(f), 2u);
    f = {};
    f.nodes = *parse_number_set("2-8", 0, 100);
    cr_assert_eq(kept(f), 2u);
    f = {};
    f.gaggles = *parse_number_set("4", 0, 100);
    cr_assert_eq(kept(f), 1u);
    f = {};
    f.label = "";
    cr_assert_eq(kept(f), 2u);
    f = {};
    f.modules = "numpy";
    cr_assert_eq(kept(f), 0u);
    f = {};
    f.until_ns = *parse_time("2027-01-15", true);
    cr_assert_eq(kept(f), 1u);
    f = {};
    f.since_ns = *parse_time("2027-01-16", false);
    Dataset d = collect_dir(dir, f);
    cr_assert_eq(d.totals.runs, 2u);
    cr_assert_eq(d.totals.filtered_out, 1u);
}

Test(aggregate_group, filter_syntax) {
    auto set = parse_number_set("1,4,10-20", 0, 100);
    cr_assert(set && set->contains(1) && set->contains(15) && !set->contains(5) && !set->contains(21));
    for (const char *bad : {"", "1,", "a", "5-3", "-1", "1-", "200"})
        cr_assert(!parse_number_set(bad, 0, 100), "accepted '%s'", bad);
    cr_assert_eq(*parse_time("1970-01-02", false), 86400LL * 1'000'000'000);
    cr_assert_eq(*parse_time("1970-01-01T00:01", false), 60LL * 1'000'000'000);
    cr_assert_eq(*parse_time("1970-01-01 00:00:05", false), 5LL * 1'000'000'000);
    cr_assert_eq(*parse_time("1970-01-01", true), 86400LL * 1'000'000'000 - 1);
    cr_assert_eq(*parse_time("@1800000000", false), 1'800'000'000LL * 1'000'000'000);
    for (const char *bad : {"", "2027-02-30", "2027-13-01", "2027-1-1", "27-01-01", "2027-01-01T25:00", "@x", "@-1"})
        cr_assert(!parse_time(bad, false), "accepted '%s'", bad);
}

Test(aggregate_group, the_overall_table_alone_keeps_no_interpreter_samples_and_counts_alike) {
    // Only the tables that use per-interpreter samples pay for them; the counts
    // the overall table and the totals print must not change.
    unit::TempDir dir;
    NodeSpec s;
    s.walls = {1.0, 2.0, 3.0};
    unit::write_run(dir, s, 2, 0.5);
    s.job = 2;
    unit::write_run(dir, s, 2, 0.5);
    pyimport::Record failing = unit::make_record(s);
    failing.job.job_id = 3;
    failing.gaggle.interpreters[1].exit_code = 1;
    unit::write_text(dir.file("failing.json"), pyimport::record_to_json(failing));

    Options all, overall;
    all.paths = overall.paths = {dir.path()};
    overall.tables.which = {true, false, false, false, false};
    Dataset a = collect(all), o = collect(overall);
    cr_assert_eq(a.configs.size(), o.configs.size());
    for (size_t i = 0; i < a.configs.size(); ++i) {
        const ConfigData &x = a.configs[i], &y = o.configs[i];
        cr_assert(x.key == y.key);
        cr_assert_eq(x.interpreters, y.interpreters);
        cr_assert_eq(x.failed, y.failed);
        cr_assert(x.overall_s() == y.overall_s());
        cr_assert(x.gaggle_s == y.gaggle_s);
        cr_assert_eq(x.runs.size(), y.runs.size());
        for (size_t r = 0; r < x.runs.size(); ++r) cr_assert_eq(x.runs[r].failed, y.runs[r].failed);
        cr_assert(!x.interpreter_s.empty() && y.interpreter_s.empty() && y.rss_mib.empty());
    }
    cr_assert_eq(a.totals.interpreters, 15u);
    cr_assert_eq(o.totals.interpreters, 15u);
    cr_assert_eq(a.configs.size(), 2u);  // the failing record is a 1-node job step of its own
    cr_assert_eq(o.configs[0].failed + o.configs[1].failed, 1u);
}

Test(aggregate_group, records_another_user_wrote_for_a_job_step_are_kept_apart) {
    // The victim (uid 1001) ran job step 6.0 on 2 nodes. Another user (uid
    // 1002) adds records naming that step, under names that sort first: one
    // claims node index 1 with times 1000 times longer (it would outvote the
    // real one as a "duplicate"), one claims node index 0 with another label
    // (it would make the real step look inconsistent and drop it).
    cr_assert(unit::running_as_root(), "this test changes file owners: run it as root");
    unit::TempDir dir;
    NodeSpec s;
    s.job = 6;
    s.label = "victim";
    s.node_count = 2;
    for (int i = 0; i < 2; ++i) {
        s.node_index = i;
        pyimport::Record r = unit::make_record(s);
        r.job.uid = 1001;
        const std::string path = dir.file("pyimport-6.0-n" + std::to_string(i + 1) + "-real.json");
        unit::write_text(path, pyimport::record_to_json(r));
        cr_assert(chown(path.c_str(), 1001, 1001) == 0);
    }
    for (int i : {1, 0}) {
        s.node_index = i;
        s.walls = {1000.0, 2000.0};
        s.label = i == 1 ? "victim" : "x";
        pyimport::Record r = unit::make_record(s);
        r.job.uid = 1002;
        const std::string path = dir.file("pyimport-6.0-a" + std::to_string(i) + "-forged.json");
        unit::write_text(path, pyimport::record_to_json(r));
        cr_assert(chown(path.c_str(), 1002, 1002) == 0);
    }
    Dataset d = collect_dir(dir);
    ConfigKey victim{Mode::conda, 2, 2, "json", "victim"};
    const ConfigData *real = nullptr;
    for (const auto &c : d.configs)
        if (c.key == victim) real = &c;
    cr_assert(real, "the victim's configuration is gone:\n%s", unit::problem_list(d.problems).c_str());
    cr_assert_eq(real->complete_runs(), 1u, "the victim's job step is not whole:\n%s", unit::problem_list(d.problems).c_str());
    near(real->overall_s()[0], 2.001, "the victim's overall time");
    cr_assert(unit::has_problem(d.problems, "forged", "job step 6.0 also has records of uid 1001"), "%s",
              unit::problem_list(d.problems).c_str());
    cr_assert_eq(d.totals.other_users, 1u);
    cr_assert_eq(d.totals.duplicates, 0u, "a forged record outvoted a real one");
}

// ---- the common release ---------------------------------------------------------

namespace {

// A job step of `nodes` records, all planned for `planned_s`, node i released
// at planned + release_after_s[i] (and ready 1 ms before the instant unless late_s[i] > 0).
void write_synchronised_run(const unit::TempDir &dir, NodeSpec s, const std::vector<double> &release_after_s,
                            const std::vector<double> &late_s = {}) {
    s.node_count = int(release_after_s.size());
    s.planned_s = s.release_s;
    for (int i = 0; i < s.node_count; ++i) {
        NodeSpec n = s;
        n.node_index = i;
        n.release_s = s.planned_s + release_after_s[size_t(i)];
        const double late = size_t(i) < late_s.size() ? late_s[size_t(i)] : 0;
        if (late > 0) n.ready_s = n.release_s;  // ready after the instant: released at once
        unit::write_record(dir, n);
    }
}

const RunSummary &only_run(const Dataset &d) {
    cr_assert_eq(d.configs.size(), 1u);
    cr_assert_eq(d.configs[0].runs.size(), 1u);
    return d.configs[0].runs[0];
}

} // namespace

Test(aggregate_group, a_synchronised_step_is_timed_from_its_common_instant) {
    unit::TempDir dir;
    NodeSpec s;
    s.walls = {1.0, 2.0};  // gaggle 2.001 s
    write_synchronised_run(dir, s, {0.000120, 0.000080, 0.000300});
    const Dataset d = collect_dir(dir);
    const RunSummary &r = only_run(d);
    cr_assert(r.synchronised);
    near(r.overall_s(), 0.000300 + 2.001, "overall from the instant");
    near(double(r.release_spread_ns) / 1e9, 0.000220, "release spread");
    cr_assert_eq(r.late_nodes, 0);
    cr_assert_eq(r.clock_error_ns, 0, "one boot id is one clock: %lld", static_cast<long long>(r.clock_error_ns));
    cr_assert_eq(r.unsynchronised_clocks, 0, "one clock cannot disagree with itself");
}

Test(aggregate_group, late_nodes_are_counted_and_the_latest_named) {
    unit::TempDir dir;
    NodeSpec s;
    write_synchronised_run(dir, s, {0.0001, 0.35, 0.0002, 0.05}, {0, 0.35, 0, 0.05});
    const Dataset d = collect_dir(dir);
    const RunSummary &r = only_run(d);
    cr_assert(r.synchronised, "late nodes still took the common instant");
    cr_assert_eq(r.late_nodes, 2);
    near(double(r.latest_ns) / 1e9, 0.35, "latest");
    near(double(r.release_spread_ns) / 1e9, 0.3499, "spread");
}

Test(aggregate_group, steps_without_one_instant_are_timed_from_the_first_release) {
    unit::TempDir dir;
    NodeSpec s;
    s.walls = {1.0, 2.0};
    unit::write_run(dir, s, 3, 0.5);  // sync off: releases at +0, +0.5, +1.0
    s.job = 2;
    write_synchronised_run(dir, s, {0.1, 0.2});
    s.job = 3;  // two nodes that took different instants
    s.node_count = 2;
    s.planned_s = s.release_s;
    unit::write_record(dir, s);
    s.node_index = 1;
    s.planned_s += 1;
    s.release_s += 1;
    unit::write_record(dir, s);
    Dataset d = collect_dir(dir);
    const RunSummary &off = config(d, Mode::conda, 3, 2).runs.at(0);
    cr_assert(!off.synchronised);
    near(off.overall_s(), 3.001, "sync off");
    near(double(off.release_spread_ns) / 1e9, 1.0, "sync off spread");
    const auto &two = config(d, Mode::conda, 2, 2).runs;
    cr_assert_eq(two.size(), 2u);
    cr_assert(two[0].synchronised && !two[1].synchronised);
    near(two[0].overall_s(), 0.2 + 2.001, "synchronised");
    near(two[1].overall_s(), 1.0 + 2.001, "two instants: from the first release");
}

Test(aggregate_group, clocks_of_several_machines_bound_the_error) {
    unit::TempDir dir;
    NodeSpec s;
    s.node_count = 2;
    s.planned_s = s.release_s;
    s.boot_id = "machine-a";
    s.maxerror_us = 1500;
    s.clock_status = 0x2001;  // PLL on, synchronised
    unit::write_record(dir, s);
    s.node_index = 1;
    s.boot_id = "machine-b";
    s.maxerror_us = 40000;
    s.clock_status = 0x40;  // STA_UNSYNC
    unit::write_record(dir, s);
    const Dataset d = collect_dir(dir);
    const RunSummary &r = only_run(d);
    cr_assert_eq(r.clock_error_ns, 2 * 40000 * 1000LL, "twice the worst maxerror");
    cr_assert_eq(r.unsynchronised_clocks, 1);
}

Test(aggregate_group, version_1_records_say_nothing_of_clocks) {
    unit::TempDir dir;
    NodeSpec s;
    s.node_count = 2;
    std::vector<std::string> paths = {unit::write_record(dir, s)};
    s.node_index = 1;
    paths.push_back(unit::write_record(dir, s));
    for (const auto &path : paths) {
        auto rec = pyimport::record_from_json(unit::read_text(path));
        cr_assert(bool(rec));
        rec->version = 1;  // written without the fields version 2 added
        const std::string text = pyimport::record_to_json(*rec);
        cr_assert(!unit::contains(text, "\"sync\"") && !unit::contains(text, "\"clock\""), "%s", text.c_str());
        unit::write_text(path, text);
    }
    Dataset d = collect_dir(dir);
    cr_assert(d.problems.empty(), "%s", unit::problem_list(d.problems).c_str());
    const RunSummary &r = only_run(d);
    cr_assert(!r.synchronised);
    cr_assert_eq(r.clock_error_ns, -1);
}
