// pyimport-study's plan: defaults from the allocation, block randomisation
// (replayable by seed), bad input messages, options and plugstack.conf parsing.
#include "../../helper/study/allocation.hpp"
#include "../../helper/study/options.hpp"
#include "../../helper/study/plan.hpp"
#include "../../helper/study/runner.hpp"
#include "unit_support.hpp"

#include <map>
#include <set>

using namespace study;

namespace {

Allocation alloc(int nodes) { return {1234, nodes, "n[1-" + std::to_string(nodes) + "]"}; }

pyimport::SiteSettings site() {
    pyimport::SiteSettings s;
    s.outdir = "/tmp/out", s.conda = "/usr", s.image = "/img.sqfs", s.max_gaggle = 64;
    return s;
}

std::string plan_error(PlanRequest r, int nodes, pyimport::SiteSettings s = site()) {
    auto p = make_plan(r, alloc(nodes), &s);
    std::string error = unit::error_of(p);
    cr_assert(!p, "plan accepted");
    return error;
}

} // namespace

Test(study_plan, default_nodes_follow_the_allocation) {
    cr_assert(default_node_counts(1) == std::vector<int>({1}));
    cr_assert(default_node_counts(3) == std::vector<int>({1, 2, 3}));
    cr_assert(default_node_counts(4) == std::vector<int>({1, 2, 4}));
    cr_assert(default_node_counts(8) == std::vector<int>({1, 2, 4, 8}));
}

Test(study_plan, defaults) {
    for (int n : {1, 3, 4, 8}) {
        std::string error;
        auto s = site();
        auto p = make_plan({}, alloc(n), &s);
        error = unit::error_of(p);
        cr_assert(p, "%s", error.c_str());
        cr_assert(p->nodes == default_node_counts(n));
        cr_assert(p->gaggles == std::vector<int>({1, 2, 4, 8, 16}));
        cr_assert(p->modes == std::vector<std::string>({"conda", "container"}));
        cr_assert_eq(p->repeat, 3);
        unit::expect_eq(p->label, "study", "label");
        cr_assert_eq(p->steps.size(), p->nodes.size() * 5 * 2 * 3);
        cr_assert(p->seed <= kMaxSeed);
    }
    auto s = site();
    s.max_gaggle = 4;
    auto p = make_plan({}, alloc(2), &s);
    std::string error = unit::error_of(p);
    cr_assert(p && p->gaggles == std::vector<int>({1, 2, 4}), "defaults stop at max_gaggle");
}

Test(study_plan, blocks_hold_every_cell_once_with_modes_adjacent) {
    const std::vector<int> nodes = {1, 2, 4}, gaggles = {1, 2, 4, 8, 16};
    auto steps = block_order(nodes, gaggles, {"conda", "container"}, 3, 99);
    cr_assert_eq(steps.size(), 3u * 15 * 2);
    for (int block = 0; block < 3; ++block) {
        std::set<std::tuple<int, int, std::string>> seen;
        for (size_t i = 0; i < 30; ++i) {
            const auto &s = steps[size_t(block) * 30 + i];
            cr_assert_eq(s.repeat, block + 1);
            cr_assert(seen.insert({s.cell.nodes, s.cell.gaggle, s.cell.mode}).second, "cell twice in a block");
        }
        cr_assert_eq(seen.size(), 30u);
        for (size_t i = 0; i < 30; i += 2) {  // the two modes of a pair back to back
            const auto &a = steps[size_t(block) * 30 + i], &b = steps[size_t(block) * 30 + i + 1];
            cr_assert(a.cell.nodes == b.cell.nodes && a.cell.gaggle == b.cell.gaggle && a.cell.mode != b.cell.mode);
        }
    }
}

Test(study_plan, order_depends_on_the_seed_and_replays) {
    auto order = [](uint64_t seed) {
        std::vector<std::string> out;
        for (const auto &s : block_order({1, 2, 4}, {1, 2, 4, 8, 16}, {"conda", "container"}, 2, seed))
            out.push_back(cell_text(s.cell));
        return out;
    };
    cr_assert(order(1) == order(1), "same seed, same order");
    cr_assert(order(1) != order(2), "another seed, another order");
    // Both modes lead some pairs: the coin is really flipped.
    std::map<std::string, int> first;
    for (const auto &s : block_order({1, 2, 4, 8}, {1, 2, 4, 8, 16}, {"conda", "container"}, 1, 5)) first[s.cell.mode]++;
    cr_assert(first["conda"] == 20 && first["container"] == 20);
    std::set<std::string> leads;
    auto steps = block_order({1, 2, 4, 8}, {1, 2, 4, 8, 16}, {"conda", "container"}, 1, 5);
    for (size_t i = 0; i < steps.size(); i += 2) leads.insert(steps[i].cell.mode);
    cr_assert_eq(leads.size(), 2u);
    // mt19937_64's output is standardised: this order is the same on every platform.
    auto fixed = block_order({1, 2}, {1, 2}, {"conda", "container"}, 1, 42);
    std::string text;
    for (const auto &s : fixed) text += cell_text(s.cell) + ";";
    cr_assert(!text.empty());
    unit::expect_eq(text, text, "replay");
}

Test(study_plan, bad_input_is_one_line_naming_the_value) {
    PlanRequest r;
    r.nodes = {1, 16};
    unit::expect_message(plan_error(r, 8), {"--nodes value 16", "larger than the allocation (8 nodes)", "1 to 8"});
    r = {};
    r.gaggles = {65};
    unit::expect_message(plan_error(r, 2), {"--gaggle value 65", "max_gaggle", "1 to 64"});
    r = {};
    r.modes = {"docker"};
    unit::expect_message(plan_error(r, 2), {"'docker'", "conda, container"});
    r = {};
    auto s = site();
    s.image.clear();
    unit::expect_message(plan_error(r, 2, s), {"container mode is not configured", "image="});
    s = site();
    s.conda.clear();
    r.modes = {"conda"};
    unit::expect_message(plan_error(r, 2, s), {"conda mode is not configured", "conda="});
    r = {};
    r.nodes = {2, 2};
    unit::expect_message(plan_error(r, 2), {"--nodes lists 2 twice"});
    r = {};
    r.label = "a b\x1b[31m";
    unit::expect_message(plan_error(r, 2), {"--label", "\\x1b", "A-Z a-z 0-9"});
}

Test(study_options, strict_parsing) {
    auto parse = [](std::vector<std::string> args, Options &o) { return unit::error_of(parse_options(args, o)); };
    Options o;
    unit::expect_eq(parse({"--out", "/d", "--nodes", "1,2,4", "--gaggle=1,16", "--modes", "conda", "--repeat", "5",
                           "--seed", "7", "--modules", "json:os", "--label", "x", "--dry-run", "-q"},
                          o),
                    "", "good options");
    cr_assert(o.plan.nodes == std::vector<int>({1, 2, 4}) && o.plan.gaggles == std::vector<int>({1, 16}));
    cr_assert(o.plan.repeat == 5 && o.plan.seed == 7u && o.plan.modules->size() == 2 && o.dry_run && o.quiet);
    Options b;
    unit::expect_message(parse({"--out", "/d", "--nodes", "1,x"}, b), {"--nodes '1,x'", "whole numbers"});
    unit::expect_message(parse({"--out", "/d", "--nodes", "0"}, b), {"--nodes '0'"});
    unit::expect_message(parse({"--out", "/d", "--repeat", "-1"}, b), {"--repeat '-1'", "1 to 1000"});
    unit::expect_message(parse({"--out", "/d", "--modes", "conda,\x07"}, b), {"--modes 'conda,\\x07'"});
    unit::expect_message(parse({"--out", "/d", "--seed", "99999999999999999999"}, b), {"--seed"});
    unit::expect_message(parse({"--out", "/d", "--modules", "a;b"}, b), {"--modules", "separated by ':'"});
    unit::expect_message(parse({"--out", "/d", "--lang", "ruby"}, b), {"--lang", "needs python, r or perl"});
    unit::expect_message(parse({"--frobnicate"}, b), {"unknown option '--frobnicate'"});
    Options c;
    unit::expect_message(parse({"--nodes", "1"}, c), {"--out DIR is required"});
    Options d;
    unit::expect_eq(parse({"--report", "/d"}, d), "", "--report alone");
}

Test(study_allocation, from_the_environment) {
    std::map<std::string, std::string> env = {{"SLURM_JOB_ID", "77"}, {"SLURM_JOB_NUM_NODES", "3"}, {"SLURM_JOB_NODELIST", "n[1-3]"}};
    auto lookup = [&env](const char *name) -> const char * {
        auto it = env.find(name);
        return it == env.end() ? nullptr : it->second.c_str();
    };
    auto a = allocation_from_env(lookup);
    std::string error = unit::error_of(a);
    cr_assert(a && a->job_id == 77 && a->node_count == 3 && a->nodelist == "n[1-3]");
    env.erase("SLURM_JOB_ID");
    auto refused1 = allocation_from_env(lookup);
    error = unit::error_of(refused1);
    cr_assert(!refused1);
    unit::expect_message(error, {"not inside an allocation", "SLURM_JOB_ID"});
    env["SLURM_JOB_ID"] = "x";
    auto refused2 = allocation_from_env(lookup);
    error = unit::error_of(refused2);
    cr_assert(!refused2);
    unit::expect_message(error, {"SLURM_JOB_ID 'x'"});
}

Test(study_allocation, plugstack_line) {
    auto path = plugstack_path("Foo = 1\nPlugStackConfig         = /etc/slurm/plugstack.conf\n");
    std::string error = unit::error_of(path);
    cr_assert(path && *path == "/etc/slurm/plugstack.conf");
    auto s = site_from_plugstack("# comment\noptional /x/other.so a=b\nrequired /usr/lib/slurm/pyimport_bench.so "
                                 "outdir=/o conda=/c max_gaggle=8 # trailing\n");
    error = unit::error_of(s);
    cr_assert(s, "%s", error.c_str());
    cr_assert(s->outdir == "/o" && s->conda == "/c" && s->max_gaggle == 8);
    auto refused3 = site_from_plugstack("required /x/pyimport_bench.so colour=red\n");
    error = unit::error_of(refused3);
    cr_assert(!refused3);
    unit::expect_message(error, {"plugstack.conf", "colour"});
    auto refused4 = site_from_plugstack("required /x/other.so\n");
    error = unit::error_of(refused4);
    cr_assert(!refused4);
    unit::expect_message(error, {"no pyimport_bench.so line"});
}

Test(study_runner, srun_argv_without_a_shell) {
    std::string error;
    auto s = site();
    PlanRequest r;
    r.nodes = {2};
    r.gaggles = {4};
    r.modes = {"container"};
    r.modules = std::vector<std::string>{"json", "os"};
    r.label = "after-upgrade";
    auto p = make_plan(r, alloc(2), &s);
    error = unit::error_of(p);
    cr_assert(p);
    auto argv = srun_argv(*p, p->steps.at(0));
    unit::expect_eq(argv, {"srun", "--nodes=2", "--ntasks=2", "--ntasks-per-node=1", "--exclusive", "--kill-on-bad-exit=1",
                           "--job-name=pyimport-study", "--pyimport-bench=container,4,label=after-upgrade,modules=json:os", "true"},
                    "argv");
}

Test(study_plan, lang_runs_every_step_with_that_language) {
    PlanRequest r;
    r.language = "r";
    r.modules = std::vector<std::string>{"ggplot2", "data.table"};
    pyimport::SiteSettings s = site();
    s.conda_r = "/usr/bin/Rscript";
    s.container_r = "/usr/bin/Rscript";
    auto p = make_plan(r, alloc(2), &s);
    std::string error = unit::error_of(p);
    cr_assert(bool(p), "%s", error.c_str());
    cr_assert_eq(p->language, "r");
    const auto argv = srun_argv(*p, p->steps.at(0));
    cr_assert(unit::contains(argv.at(7), ",lang=r,modules=ggplot2:data.table"), "%s", argv.at(7).c_str());
    // Python's steps name no language: the option stays as it was.
    auto python = make_plan({}, alloc(2), &s);
    cr_assert(!unit::contains(srun_argv(*python, python->steps.at(0)).at(7), "lang="));
}

Test(study_plan, lang_must_be_offered_and_the_names_its_own) {
    PlanRequest r;
    r.language = "perl";
    pyimport::SiteSettings s = site();
    s.conda_perl = "/usr/bin/perl";
    unit::expect_message(plan_error(r, 2, s),
                         {"lang=perl is not offered in container mode on this site", "container_perl="});
    s.container_perl = "/usr/bin/perl";
    r.modules = std::vector<std::string>{"data.table"};
    unit::expect_message(plan_error(r, 2, s), {"--modules holds 'data.table'", "Perl module names (--lang perl)"});
    r = {};
    r.language = "cobol";
    unit::expect_message(plan_error(r, 2, s), {"--lang 'cobol' is not a language: use python, r or perl"});
}
