// Bad input through the whole command (agg::run): each bad file or job step
// gets one line naming it and the problem, is skipped, and the totals count
// it; --strict turns any of them into exit 1; nothing crashes.
#include "../../helper/aggregate/run.hpp"
#include "aggregate_fixtures.hpp"

#include <cstdio>

using namespace agg;
using unit::contains;
using unit::NodeSpec;

namespace {

struct Outcome {
    int status;
    std::string out, err;
};

Outcome run_on(const std::vector<std::string> &args) {
    Options o;
    std::string usage = unit::error_of(parse_options(args, o));
    cr_assert(usage.empty(), "usage: %s", usage.c_str());
    char *out_text = nullptr, *err_text = nullptr;
    size_t out_size = 0, err_size = 0;
    std::FILE *out = open_memstream(&out_text, &out_size), *err = open_memstream(&err_text, &err_size);
    int status = run(o, out, err);
    std::fclose(out);
    std::fclose(err);
    Outcome r{status, out_text, err_text};
    free(out_text);
    free(err_text);
    return r;
}

// Every line of stderr starts with the program name and is one problem.
std::vector<std::string> lines(const std::string &text) {
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
        out.push_back(text.substr(start, end - start));
    return out;
}

bool has_line(const Outcome &r, const std::string &file, const std::string &problem) {
    for (const auto &l : lines(r.err))
        if (contains(l, "pyimport-aggregate: " + file + ": ") && contains(l, problem)) return true;
    return false;
}

// A tree with two good job steps and whatever `bad` adds.
template <class Bad> Outcome with_bad(Bad bad, bool strict = false) {
    unit::TempDir dir;
    NodeSpec s;
    unit::write_run(dir, s, 2);
    s.job = 2;
    unit::write_run(dir, s, 2);
    std::string file = bad(dir);
    std::vector<std::string> args{dir.path()};
    if (strict) args.insert(args.begin(), "--strict");
    Outcome r = run_on(args);
    cr_assert(file.empty() || contains(r.err, file), "no line names %s:\n%s", file.c_str(), r.err.c_str());
    return r;
}

std::string good_text() { return pyimport::record_to_json(unit::make_record({})); }

} // namespace

namespace {

// Two good job steps and one bad file `name` holding `text`: skipped (exit 0),
// one line naming it and saying `problem`, counted in the totals.
void bad_file(const std::string &name, const std::string &text, const std::string &problem) {
    std::string path;
    Outcome r = with_bad([&](const unit::TempDir &d) {
        path = d.file(name);
        unit::write_text(path, text);
        return path;
    });
    cr_assert_eq(r.status, kExitOk, "bad files are skipped by default");
    cr_assert(has_line(r, path, problem), "%s", r.err.c_str());
    cr_assert(contains(r.out, "5 record files: 4 used"), "%s", r.out.c_str());
    cr_assert(contains(r.out, "1 bad file skipped"), "%s", r.out.c_str());
}

std::string edited(std::string text, const std::string &from, const std::string &to) {
    return text.replace(text.find(from), from.size(), to);
}

} // namespace

Test(aggregate_bad_data, truncated_record) {
    bad_file("truncated.json", good_text().substr(0, 300), "invalid JSON (truncated or corrupt) at line");
}

Test(aggregate_bad_data, corrupt_record) {
    bad_file("corrupt.json", edited(good_text(), ":", ";"), "invalid JSON (truncated or corrupt)");
}

Test(aggregate_bad_data, binary_garbage) {
    std::string junk;
    for (int i = 0; i < 5000; ++i) junk += char((i * 7919) % 256);
    bad_file("junk.json", junk, "invalid JSON");
}

Test(aggregate_bad_data, foreign_json) {
    bad_file("package.json", "{\"name\": \"left-pad\", \"version\": \"1.3.0\"}\n", "not a pyimport-bench record");
}

Test(aggregate_bad_data, future_version) {
    bad_file("future.json", edited(good_text(), "\"version\": 2", "\"version\": 7"),
             "record version 7 is newer than this reader (2): upgrade pyimport-bench");
}

Test(aggregate_bad_data, inconsistent_record) {
    bad_file("count.json", edited(good_text(), "\"gaggle_size\": 2", "\"gaggle_size\": 5"),
             "interpreters has 2 entries, run.gaggle_size says 5");
}

Test(aggregate_bad_data, mixed_module_lists) {
    Outcome r = with_bad([&](const unit::TempDir &d) {
        NodeSpec s;
        s.job = 3;
        s.modules = {"numpy"};
        unit::write_run(d, s, 2);
        return std::string();
    });
    cr_assert_eq(r.status, kExitOk);
    cr_assert(contains(r.err, "was run with 2 module lists"), "%s", r.err.c_str());
    cr_assert(contains(r.out, "1 configuration with mixed module lists"), "%s", r.out.c_str());
    cr_assert(contains(r.out, "workload"), "two workloads get a workload column:\n%s", r.out.c_str());
}

Test(aggregate_bad_data, strict_fails_but_still_writes) {
    Outcome r = with_bad(
        [&](const unit::TempDir &d) {
            unit::write_text(d.file("bad.json"), "{");
            return d.file("bad.json");
        },
        true);
    cr_assert_eq(r.status, kExitNoDataOrStrict);
    cr_assert(contains(r.err, "--strict: 1 problem(s) found"), "%s", r.err.c_str());
    cr_assert(contains(r.out, "Overall time"), "the tables are still written");
    Outcome clean = with_bad([](const unit::TempDir &) { return std::string(); }, true);
    cr_assert_eq(clean.status, kExitOk, "%s", clean.err.c_str());
}

Test(aggregate_bad_data, temporaries_and_other_files_are_not_records) {
    Outcome r = with_bad([&](const unit::TempDir &d) {
        unit::write_text(d.file(".pyimport-9.0-n1.json.tmp"), "{");  // the atomic writer's temporary
        unit::write_text(d.file(".hidden.json"), "{");
        unit::write_text(d.file("notes.txt"), "hello");
        return std::string();
    });
    cr_assert(r.err.empty(), "%s", r.err.c_str());
    cr_assert(contains(r.out, "4 record files: 4 used"), "%s", r.out.c_str());
    cr_assert(contains(r.out, "1 other file ignored"), "%s", r.out.c_str());
}

Test(aggregate_bad_data, empty_directory) {
    unit::TempDir dir;
    Outcome r = run_on({dir.path()});
    cr_assert_eq(r.status, kExitNoDataOrStrict);
    cr_assert(has_line(r, dir.path(), "no record files (*.json) found in this directory"), "%s", r.err.c_str());
    cr_assert(contains(r.err, "no data to tabulate"), "%s", r.err.c_str());
    cr_assert(r.out.empty());
}

Test(aggregate_bad_data, only_bad_files) {
    unit::TempDir dir;
    unit::write_text(dir.file("a.json"), "");
    unit::write_text(dir.file("b.json"), "[]");
    Outcome r = run_on({dir.path()});
    cr_assert_eq(r.status, kExitNoDataOrStrict);
    cr_assert(has_line(r, dir.file("a.json"), "invalid JSON") && has_line(r, dir.file("b.json"), "not a pyimport"),
              "%s", r.err.c_str());
    cr_assert(contains(r.err, "2 record files: 0 used"), "%s", r.err.c_str());
}

Test(aggregate_bad_data, missing_path) {
    Outcome r = run_on({"/nonexistent/pyimport"});
    cr_assert_eq(r.status, kExitNoDataOrStrict);
    cr_assert(has_line(r, "/nonexistent/pyimport", "cannot open: No such file or directory"), "%s", r.err.c_str());
}

Test(aggregate_bad_data, quiet_still_counts) {
    unit::TempDir dir;
    unit::write_run(dir, NodeSpec{}, 1);
    unit::write_text(dir.file("bad.json"), "{");
    Outcome r = run_on({"--quiet", dir.path()});
    cr_assert(r.err.empty(), "%s", r.err.c_str());
    cr_assert(contains(r.out, "1 bad file skipped"), "%s", r.out.c_str());
}

Test(aggregate_bad_data, study_rows) {
    unit::TempDir dir;
    unit::write_text(dir.file("overall_time.bcp"), "py_conda|1|10|10|3.830\npy_docker|1|10|10|1\npy_conda|2|10|21|4\n"
                                                   "py_container|1|10|10|x\n");
    unit::write_text(dir.file("individual_time.bcp"), "py_conda|1|10|10|3.46\n");
    Outcome r = run_on({"--study", dir.path()});
    cr_assert_eq(r.status, kExitOk, "%s", r.err.c_str());
    cr_assert(has_line(r, dir.file("overall_time.bcp") + ":2", "is not py_conda or py_container"), "%s", r.err.c_str());
    cr_assert(has_line(r, dir.file("overall_time.bcp") + ":3", "total_interpreters is not per_node x nodes"), "%s",
              r.err.c_str());
    cr_assert(has_line(r, dir.file("overall_time.bcp") + ":4", "is not a positive number"), "%s", r.err.c_str());
    cr_assert(contains(r.out, "2 rows of the 2017 study"), "%s", r.out.c_str());
}

// Reading is spread over threads; what comes out (tables, totals, the problem
// lines and their order) is the same whatever their number. Over 4 x 64 files,
// so that four threads really share the work, with bad files of every kind
// scattered among the good ones.
Test(aggregate_bad_data, threads_do_not_change_the_output) {
    unit::TempDir dir;
    NodeSpec s;
    for (uint32_t job = 1; job <= 40; ++job) {
        s.job = job;
        s.mode = job % 2 ? "conda" : "container";
        s.walls = {1.0 + job * 0.01, 2.0 + job * 0.03};
        s.release_s += 60;
        unit::write_run(dir, s, 8);
    }
    s.job = 41;  // a configuration of job 40's with other modules
    s.modules = {"numpy"};
    unit::write_run(dir, s, 8);
    s.job = 42;  // incomplete
    unit::write_run(dir, s, 4);
    cr_assert(std::remove(dir.file("pyimport-42.0-n2-t.json").c_str()) == 0);
    s.job = 43;  // node index 1 disagrees on the label
    unit::write_run(dir, s, 2);
    s.node_index = 1;
    s.node_count = 2;
    s.label = "other";
    unit::write_record(dir, s);
    s = NodeSpec{};
    s.job = 7;  // a second record for node index 2 of job step 7, under another name
    s.node_index = 2;
    s.node_count = 8;
    unit::write_text(dir.file("pyimport-7.0-n3-copy.json"), pyimport::record_to_json(unit::make_record(s)));
    const std::string good = good_text();
    unit::write_text(dir.file("pyimport-10.0-n1x.json"), good.substr(0, 200));
    unit::write_text(dir.file("pyimport-15.0-n4x.json"), "[]");
    unit::write_text(dir.file("pyimport-2.0-n9.json"), edited(good, "\"version\": 2", "\"version\": 9"));
    unit::write_text(dir.file("pyimport-25.0-n1x.json"), "");
    unit::write_text(dir.file("pyimport-33.0-n7x.json"), edited(good, "\"gaggle_size\": 2", "\"gaggle_size\": 3"));
    unit::write_text(dir.file("pyimport-39.0-n9.json"), edited(good, ":", ";"));

    Outcome one = run_on({"--threads", "1", dir.path()});
    cr_assert_eq(one.status, kExitOk, "%s", one.err.c_str());
    cr_assert_eq(lines(one.err).size(), 10u, "six bad files, a duplicate, a disagreement, an incomplete step, mixed "
                                             "modules:\n%s", one.err.c_str());
    cr_assert(contains(one.out, "6 bad files skipped"), "%s", one.out.c_str());
    for (const char *threads : {"2", "3", "4", "16"}) {
        Outcome many = run_on({"--threads", threads, dir.path()});
        cr_assert_eq(many.status, one.status);
        unit::expect_eq(many.err, one.err, (std::string("problems with --threads ") + threads).c_str());
        unit::expect_eq(many.out, one.out, (std::string("tables with --threads ") + threads).c_str());
    }
}
