// pyimport-study's manifest: round trip, resume (done, failed and missing
// steps), a changed plan refused, bad manifests named in one line.
#include "../../helper/study/manifest.hpp"
#include "../../helper/study/records.hpp"
#include "unit_support.hpp"

#include <sys/stat.h>

using namespace study;

namespace {

Plan small_plan(uint64_t seed = 42) {
    Plan p;
    p.nodes = {1, 2}, p.gaggles = {1, 2}, p.modes = {"conda", "container"}, p.repeat = 2, p.seed = seed;
    p.modules = {"json"}, p.label = "study";
    p.steps = block_order(p.nodes, p.gaggles, p.modes, p.repeat, p.seed);
    return p;
}

// Marks step i done with its records present in dir/records.
void mark_done(Manifest &m, size_t i, const std::string &dir) {
    StepRun &s = m.steps[i];
    s.state = StepState::done, s.exit_status = 0, s.job_id = 5, s.step_id = int64_t(i);
    s.argv = {"srun", "true"}, s.start_utc = "2026-12-01T10:00:00Z", s.end_utc = "2026-12-01T10:00:05Z";
    for (int n = 0; n < s.planned.cell.nodes; ++n) {
        const std::string name = "pyimport-lab-5." + std::to_string(i) + "-n" + std::to_string(n) + "-x.json";
        unit::write_text(dir + "/records/" + name, "{}");
        s.records.push_back("records/" + name);
    }
}

} // namespace

Test(study_manifest, round_trip) {
    Manifest m = fresh_manifest(small_plan());
    m.allocation = {5, 2, "n[1-2]"};
    m.node_names = {"n1", "n2"}, m.slurm_version = "22.05.8", m.site_outdir = "/shared/o";
    m.started_utc = "2026-12-01T10:00:00Z";
    m.steps[0].state = StepState::failed, m.steps[0].exit_status = 1, m.steps[0].problem = "srun exit 1";
    m.steps[1].state = StepState::done, m.steps[1].step_id = 3, m.steps[1].records = {"records/a.json"};
    const std::string text = manifest_to_json(m);
    cr_assert(unit::contains(text, "\"format\": \"pyimport-study-manifest\"") && unit::contains(text, "\"version\": 1"));
    auto back = manifest_from_json(text);
    std::string error = unit::error_of(back);
    cr_assert(back, "%s", error.c_str());
    unit::expect_eq(manifest_to_json(*back), text, "written again");
    cr_assert(back->plan.seed == 42 && back->steps.size() == 16 && back->steps[1].step_id == 3 && back->steps[2].step_id == -1);
}

Test(study_manifest, bad_manifests_are_named) {
    auto result = manifest_from_json("{");
    std::string error = unit::error_of(result);
    cr_assert(!bool(result));
    unit::expect_message(error, {"not JSON"});
    auto refused1 = manifest_from_json("{\"format\": \"other\", \"version\": 1}");
    error = unit::error_of(refused1);
    cr_assert(!bool(refused1));
    unit::expect_message(error, {"not a pyimport-study manifest"});
    auto refused2 = manifest_from_json("{\"format\": \"pyimport-study-manifest\", \"version\": 2}");
    error = unit::error_of(refused2);
    cr_assert(!bool(refused2));
    unit::expect_message(error, {"version 2 is not supported"});
    std::string text = manifest_to_json(fresh_manifest(small_plan()));
    std::string bad = text;
    bad.replace(bad.find("\"state\": \"pending\""), 18, "\"state\": \"sleepy\"");
    auto refused3 = manifest_from_json(bad);
    error = unit::error_of(refused3);
    cr_assert(!bool(refused3));
    unit::expect_message(error, {"steps[0].state"});
    bad = text;
    bad.replace(bad.find("\"records\": []"), 13, "\"records\": [\"../../etc/passwd\"]");
    auto refused4 = manifest_from_json(bad);
    error = unit::error_of(refused4);
    cr_assert(!bool(refused4));
    unit::expect_message(error, {"steps[0].records", "records/NAME"});
}

Test(study_manifest, resume_runs_exactly_the_failed_and_missing_steps) {
    unit::TempDir dir;
    mkdir(dir.file("records").c_str(), 0755);
    Manifest m = fresh_manifest(small_plan());
    for (size_t i : {0, 1, 2, 5, 6}) mark_done(m, i, dir.path());
    m.steps[3].state = StepState::failed, m.steps[3].exit_status = 1;           // srun failed
    m.steps[4].state = StepState::interrupted, m.steps[4].exit_status = 143;    // interrupted
    remove((dir.path() + "/" + m.steps[6].records.at(0)).c_str());              // a copy lost
    m.steps[5].records.pop_back();                                              // fewer records than nodes?
    if (m.steps[5].planned.cell.nodes == 1) m.steps[5].records.clear();
    auto result = save_manifest(dir.path(), m);
    std::string error = unit::error_of(result);
    cr_assert(bool(result), "%s", error.c_str());
    auto loaded = load_manifest(dir.path());
    error = unit::error_of(loaded);
    cr_assert(loaded && *loaded, "%s", error.c_str());
    const Manifest &back = **loaded;
    std::vector<size_t> expected = {3, 4, 5, 6};
    for (size_t i = 7; i < 16; ++i) expected.push_back(i);
    cr_assert(steps_to_run(back, dir.path()) == expected, "only failed, interrupted, incomplete and missing steps run");
    // A second save replaces the first.
    auto taken5 = save_manifest(dir.path(), back);
    error = unit::error_of(taken5);
    cr_assert(bool(taken5), "%s", error.c_str());
    unit::expect_eq(dir.entries(), {"manifest.json", "records"}, "directory");
}

Test(study_manifest, no_manifest_is_not_an_error) {
    unit::TempDir dir;
    std::string error = "x";
    auto refused6 = load_manifest(dir.path());
    error = unit::error_of(refused6);
    cr_assert(!(refused6 && *refused6));
    unit::expect_eq(error, "", "error");
    unit::write_text(dir.file("manifest.json"), "garbage");
    auto refused7 = load_manifest(dir.path());
    error = unit::error_of(refused7);
    cr_assert(!(refused7 && *refused7));
    unit::expect_message(error, {"manifest.json", "not JSON"});
}

Test(study_manifest, language_is_kept_and_an_older_manifest_is_pythons) {
    Plan plan = small_plan();
    plan.language = "perl";
    const std::string text = manifest_to_json(fresh_manifest(plan));
    cr_assert(unit::contains(text, "\"language\": \"perl\""), "%s", text.c_str());
    auto back = manifest_from_json(text);
    cr_assert(bool(back) && back->plan.language == "perl");
    std::string older = text;
    older.replace(older.find("\"language\": \"perl\""), 18, "\"x_language\": \"pe\"");
    auto read_older = manifest_from_json(older);
    std::string error = unit::error_of(read_older);
    cr_assert(bool(read_older), "%s", error.c_str());
    unit::expect_eq(read_older->plan.language, "python", "language of a manifest without one");
    std::string bad = text;
    bad.replace(bad.find("\"language\": \"perl\""), 18, "\"language\": \"ruby\"");
    auto refused = manifest_from_json(bad);
    cr_assert(!bool(refused));
    unit::expect_message(unit::error_of(refused), {"plan.language", "python, r or perl"});
}

Test(study_manifest, a_changed_plan_is_refused) {
    Plan p = small_plan();
    PlanRequest same;
    same.nodes = {1, 2}, same.gaggles = {1, 2}, same.repeat = 2, same.seed = 42;
    unit::expect_eq(unit::error_of(plan_difference(p, same)), "", "same options");
    unit::expect_eq(unit::error_of(plan_difference(p, PlanRequest{})), "", "no options: the manifest's");
    PlanRequest r = same;
    r.gaggles = {1, 2, 4};
    unit::expect_message(unit::error_of(plan_difference(p, r)), {"planned with --gaggle 1,2, not 1,2,4"});
    r = same, r.seed = 43;
    unit::expect_message(unit::error_of(plan_difference(p, r)), {"--seed 42, not 43"});
    r = same, r.label = "other";
    unit::expect_message(unit::error_of(plan_difference(p, r)), {"--label study, not other"});
    r = same, r.modules = std::vector<std::string>{"os"};
    unit::expect_message(unit::error_of(plan_difference(p, r)), {"--modules json, not os"});
    r = same, r.language = "r";
    unit::expect_message(unit::error_of(plan_difference(p, r)), {"--lang python, not r"});
    PlanRequest resumed = resume_request(p, PlanRequest{});
    cr_assert(resumed.nodes == p.nodes && resumed.seed && *resumed.seed == 42 && resumed.label == std::string("study"));
}

Test(study_manifest, failed_cells_are_reported) {
    Manifest m = fresh_manifest(small_plan());
    for (auto &s : m.steps)
        if (s.planned.cell == Cell{2, 2, "conda"}) s.state = StepState::failed, s.problem = "srun exit 1";
    m.steps[0].state = StepState::failed;  // one failure of another cell is not all of it
    auto lines = failed_cells(m);
    cr_assert_eq(lines.size(), 1u + (m.steps[0].planned.cell == Cell{2, 2, "conda"} ? 0 : 0));
    unit::expect_message(lines.at(0), {"cell conda nodes=2 gaggle=2: all 2 steps failed", "srun exit 1"});
}

Test(study_records, step_id_from_the_file_name) {
    cr_assert_eq(step_id_in_name("pyimport-12.3-n1-abcdefgh.json", 12), 3);
    cr_assert_eq(step_id_in_name("pyimport-lab-12.0-n1-abcdefgh.json", 12), 0);
    cr_assert_eq(step_id_in_name("pyimport-my-cluster-12.7-n1-x.json", 12), 7);
    cr_assert_eq(step_id_in_name("pyimport-112.3-n1-x.json", 12), -1);
    cr_assert_eq(step_id_in_name("pyimport-12.3-n1-x.json.tmp", 12), -1);
    cr_assert_eq(step_id_in_name(".pyimport-12.3-n1-x.json", 12), -1);
}

Test(study_records, a_rerun_step_removes_only_its_own_earlier_copies) {
    unit::TempDir dir;
    mkdir(dir.file("records").c_str(), 0755);
    for (const char *name : {"records/pyimport-12.3-n1-a.json", "records/pyimport-12.3-n2-b.json",
                             "records/pyimport-12.4-n1-c.json", "outside.json"})
        unit::write_text(dir.file(name), "{}\n");
    remove_copies(dir.path(), {"records/pyimport-12.3-n1-a.json", "records/pyimport-12.3-n2-b.json",
                               "records/../outside.json", "records/", "records/..", "manifest.json",
                               "records/pyimport-gone.json"});
    unit::expect_eq(dir.entries(), {"outside.json", "records"}, "the study's directory");
    struct stat st;
    cr_assert(stat(dir.file("records/pyimport-12.4-n1-c.json").c_str(), &st) == 0, "another step's copy is kept");
    cr_assert(stat(dir.file("records/pyimport-12.3-n1-a.json").c_str(), &st) != 0, "the step's own copy is gone");
}
