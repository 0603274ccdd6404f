// The record format v1: writer and reader round trip, and every way a text
// can fail to be a valid record, each with its one-line message.
#include "record.hpp"
#include "sys_io.hpp"
#include "unit_support.hpp"

#include <jansson.h>
#include <memory>

using namespace pyimport;
using unit::expect_eq;
using unit::expect_message;

namespace {

using JsonPtr = std::unique_ptr<json_t, decltype(&json_decref)>;

InterpreterFigures interpreter(int index, int64_t base) {
    InterpreterFigures f;
    f.index = index;
    f.pid = 4000 + index;
    f.start_skew_ns = base + 1;
    f.wall_ns = base + 2;
    f.user_ns = base + 3;
    f.system_ns = base + 4;
    f.max_rss_kib = base + 5;
    f.minor_faults = base + 6;
    f.major_faults = base + 7;
    f.block_in = base + 8;
    f.block_out = base + 9;
    f.voluntary_switches = base + 10;
    f.involuntary_switches = base + 11;
    return f;
}

// Every field set to a value other than its default.
Record full_record() {
    Record r;
    r.writer = {"pyimport_bench.so", "0.1.0", "host-a"};
    r.job.job_id = 4000000000u;  // above INT32_MAX
    r.job.step_id = 7;
    r.job.node = "node-3";
    r.job.node_index = 2;
    r.job.node_count = 3;
    r.job.uid = 1001;
    r.job.gid = 1002;
    r.job.user = "alice";
    r.job.cluster = "hpc1";
    r.run.mode = "container";
    r.run.gaggle_size = 3;
    r.run.argv = {"/usr/bin/ch-run", "/img", "--", "/usr/bin/python3", "-c", "import numpy, \"quoted\" \\"};
    r.run.modules = {"numpy", "os.path"};
    r.run.env_path = "/opt/env";
    r.run.image = "/img";
    r.run.runtime = "charliecloud";
    r.run.mount_driver = "squashfuse";
    r.run.env_digest = "sha256:0123abcd";
    r.run.fs_type = "fuse.mfsmount";
    r.run.timeout_s = 120;
    r.run.workdir = "/tmp";
    r.run.label = "run-1";
    r.gaggle.release_unix_ns = 1700000000123456789;
    r.gaggle.wall_ns = 9000000000;
    r.gaggle.last_exit_unix_ns = r.gaggle.release_unix_ns + r.gaggle.wall_ns;
    r.gaggle.sync = "on";
    r.gaggle.planned_release_unix_ns = r.gaggle.release_unix_ns - 120000;
    r.gaggle.ready_unix_ns = r.gaggle.release_unix_ns - 1500000000;
    r.clock = {1500, 200, 0x2001, 0, "tsc", "5518374c-9eba-4bac-af74-b3e338925d5b"};
    r.gaggle.cgroup = {"used", "max_processes unknown", 4200000000, 512 << 20, 8192, 2, -1, 1};
    r.run.importtime = true;
    r.gaggle.interpreters = {interpreter(0, 1000), interpreter(1, 2000), interpreter(2, 3000)};
    InterpreterFigures &imported = r.gaggle.interpreters[0];  // modules numpy, os.path
    imported.import_us = {812345, -1};
    imported.slowest_modules = {"numpy.core._multiarray_umath", "numpy"};
    imported.slowest_self_us = {120000, 40000};
    imported.slowest_cumulative_us = {300000, 812345};
    InterpreterFigures &failed = r.gaggle.interpreters[1];
    failed.exit_code = 127;
    failed.exec_errno = 2;
    failed.stderr_tail = "Traceback (most recent call last):  File \"<string>\" ... é ✓";
    InterpreterFigures &killed = r.gaggle.interpreters[2];
    killed.exit_code = -1;
    killed.signal = 9;
    killed.timed_out = true;
    r.fs_metadata_ops = {{"getattr", 12345}, {"lookup", 678}, {"open", 0}};
    return r;
}

Record parsed(const std::string &text) {
    auto rec = record_from_json(text);
    std::string error = unit::error_of(rec);
    cr_assert(bool(rec), "record rejected: %s", error.c_str());
    return *rec;
}

void rejected(const std::string &text, const std::string &message) {
    auto result = record_from_json(text);
    std::string error = unit::error_of(result);
    cr_assert(!bool(result), "accepted, expected: %s", message.c_str());
    expect_message(error, {message});
}

// ---- editing a written record through jansson -----------------------------

JsonPtr load(const std::string &text) {
    json_error_t err;
    JsonPtr root(json_loads(text.c_str(), 0, &err), json_decref);
    cr_assert(root != nullptr, "test record does not parse: %s", err.text);
    return root;
}

std::string dump(json_t *root) {
    char *text = json_dumps(root, JSON_PRESERVE_ORDER);
    std::string out(text);
    free(text);
    return out;
}

// "interpreters[1].wall_ns" -> interpreters, 1, wall_ns (the readers' own notation).
std::vector<std::string> split_path(const std::string &path) {
    std::vector<std::string> parts(1);
    for (char c : path) {
        if (c != '.' && c != '[' && c != ']') parts.back() += c;
        else if (!parts.back().empty()) parts.emplace_back();
    }
    if (parts.back().empty()) parts.pop_back();
    return parts;
}

// The object holding `path`'s last key.
json_t *parent_of(json_t *root, const std::string &path, std::string &last) {
    auto parts = split_path(path);
    last = parts.back();
    json_t *node = root;
    for (size_t i = 0; i + 1 < parts.size(); ++i)
        node = json_is_array(node) ? json_array_get(node, std::stoul(parts[i])) : json_object_get(node, parts[i].c_str());
    cr_assert(json_is_object(node), "no object holds %s", path.c_str());
    return node;
}

// A full record with the member at `path` replaced by `value` (removed when null).
std::string with(const std::string &path, json_t *value) {
    JsonPtr root = load(record_to_json(full_record()));
    std::string last;
    json_t *parent = parent_of(root.get(), path, last);
    if (value) json_object_set_new(parent, last.c_str(), value);
    else cr_assert(json_object_del(parent, last.c_str()) == 0, "the record has no %s", path.c_str());
    return dump(root.get());
}

std::string without(const std::string &path) { return with(path, nullptr); }

// A full record changed through the struct, written by the writer.
template <class Change> std::string written_with(Change change) {
    Record r = full_record();
    change(r);
    return record_to_json(r);
}

// ---- comparing records ----------------------------------------------------

// Names the first field (in struct order) that differs between two records; "" if none.
struct Difference {
    template <class T> void field(const std::string &name, const T &a, const T &b) {
        if (first.empty() && !(a == b)) first = name;
    }
    std::string first;
};

#define SAME(x) d.field("interpreters[" + std::to_string(a.index) + "]." #x, a.x, b.x)
std::string interpreter_difference(const InterpreterFigures &a, const InterpreterFigures &b) {
    Difference d;
    SAME(index), SAME(pid), SAME(start_skew_ns), SAME(wall_ns), SAME(user_ns), SAME(system_ns), SAME(max_rss_kib);
    SAME(minor_faults), SAME(major_faults), SAME(block_in), SAME(block_out), SAME(voluntary_switches);
    SAME(involuntary_switches), SAME(exit_code), SAME(signal), SAME(timed_out), SAME(exec_errno), SAME(stderr_tail);
    SAME(import_us), SAME(slowest_modules), SAME(slowest_self_us), SAME(slowest_cumulative_us);
    return d.first;
}
#undef SAME

#define SAME(x) d.field(#x, a.x, b.x)
std::string first_difference(const Record &a, const Record &b) {
    Difference d;
    SAME(version);
    SAME(writer.program), SAME(writer.version), SAME(writer.host);
    SAME(job.job_id), SAME(job.step_id), SAME(job.node), SAME(job.node_index), SAME(job.node_count);
    SAME(job.uid), SAME(job.gid), SAME(job.user), SAME(job.cluster);
    SAME(run.mode), SAME(run.gaggle_size), SAME(run.argv), SAME(run.modules), SAME(run.env_path), SAME(run.image);
    SAME(run.runtime), SAME(run.mount_driver), SAME(run.env_digest), SAME(run.fs_type), SAME(run.timeout_s);
    SAME(run.workdir), SAME(run.label);
    SAME(gaggle.release_unix_ns), SAME(gaggle.last_exit_unix_ns), SAME(gaggle.wall_ns);
    SAME(gaggle.sync), SAME(gaggle.sync_note), SAME(gaggle.planned_release_unix_ns), SAME(gaggle.ready_unix_ns);
    SAME(clock.maxerror_us), SAME(clock.esterror_us), SAME(clock.status), SAME(clock.time_state);
    SAME(clock.source), SAME(clock.boot_id);
    SAME(run.importtime), SAME(gaggle.cgroup.state), SAME(gaggle.cgroup.note), SAME(gaggle.cgroup.cpu_ns);
    SAME(gaggle.cgroup.memory_peak_bytes), SAME(gaggle.cgroup.io_bytes), SAME(gaggle.cgroup.io_operations);
    SAME(gaggle.cgroup.max_processes), SAME(gaggle.cgroup.leftovers_killed);
    SAME(gaggle.interpreters.size()), SAME(fs_metadata_ops);
    if (!d.first.empty()) return d.first;
    for (size_t i = 0; i < a.gaggle.interpreters.size() && d.first.empty(); ++i)
        d.first = interpreter_difference(a.gaggle.interpreters[i], b.gaggle.interpreters[i]);
    return d.first;
}
#undef SAME

void expect_same(const Record &actual, const Record &expected) {
    const std::string field = first_difference(actual, expected);
    cr_assert(field.empty(), "records differ in %s", field.c_str());
}

} // namespace

// ---- round trips ------------------------------------------------------------

Test(record, full_record_round_trips) {
    const Record original = full_record();
    const std::string text = record_to_json(original);
    cr_assert(!text.empty() && text.back() == '\n', "the text does not end with a newline");
    Record back = parsed(text);
    expect_same(back, original);
    expect_eq(record_to_json(back), text, "written again");
}

Test(record, comparison_names_a_changed_field) {
    // The round trip is only as good as the comparison: it must notice a change anywhere.
    const Record original = full_record();
    const std::pair<const char *, void (*)(Record &)> changes[] = {
        {"writer.host", [](Record &r) { r.writer.host += "x"; }},
        {"job.gid", [](Record &r) { r.job.gid += 1; }},
        {"run.label", [](Record &r) { r.run.label.clear(); }},
        {"run.argv", [](Record &r) { r.run.argv.pop_back(); }},
        {"gaggle.last_exit_unix_ns", [](Record &r) { r.gaggle.last_exit_unix_ns += 1; }},
        {"fs_metadata_ops", [](Record &r) { r.fs_metadata_ops["open"] = 1; }},
        {"interpreters[2].involuntary_switches", [](Record &r) { r.gaggle.interpreters[2].involuntary_switches++; }},
        {"interpreters[1].stderr_tail", [](Record &r) { r.gaggle.interpreters[1].stderr_tail.clear(); }},
    };
    for (const auto &[field, change] : changes) {
        Record changed = original;
        change(changed);
        expect_eq(first_difference(changed, original), field, "first difference");
    }
    expect_eq(first_difference(original, full_record()), "", "no difference");
}

Test(record, empty_optional_texts_are_null_and_read_back_empty) {
    Record r = full_record();
    r.job.cluster = r.run.env_path = r.run.image = r.run.runtime = r.run.mount_driver = "";
    r.run.env_digest = r.run.fs_type = r.run.label = "";
    r.fs_metadata_ops.clear();
    JsonPtr root = load(record_to_json(r));
    cr_assert(json_is_null(json_object_get(json_object_get(root.get(), "job"), "cluster")));
    cr_assert(json_is_null(json_object_get(json_object_get(root.get(), "run"), "label")));
    cr_assert(json_object_get(root.get(), "fs_metadata_ops") == nullptr, "empty fs_metadata_ops written");
    expect_same(parsed(record_to_json(r)), r);
}

Test(record, header_and_derived_gaggle_counts) {
    JsonPtr root = load(record_to_json(full_record()));
    expect_eq(json_string_value(json_object_get(root.get(), "format")), "pyimport-bench-record", "format");
    cr_assert_eq(json_integer_value(json_object_get(root.get(), "version")), 2);
    json_t *gaggle = json_object_get(root.get(), "gaggle");
    cr_assert_eq(json_integer_value(json_object_get(gaggle, "succeeded")), 1);
    cr_assert_eq(json_integer_value(json_object_get(gaggle, "failed")), 2);
    cr_assert_eq(json_integer_value(json_object_get(gaggle, "timed_out")), 1);
}

Test(record, exec_errno_and_stderr_tail_written_only_when_set) {
    JsonPtr root = load(record_to_json(full_record()));
    json_t *list = json_object_get(root.get(), "interpreters");
    json_t *ok = json_array_get(list, 0), *failed = json_array_get(list, 1);
    cr_assert(json_object_get(ok, "exec_errno") == nullptr && json_object_get(ok, "stderr_tail") == nullptr);
    cr_assert_eq(json_integer_value(json_object_get(failed, "exec_errno")), 2);
    cr_assert(json_is_string(json_object_get(failed, "stderr_tail")));
}

Test(record, unknown_fields_are_ignored) {
    Record back = parsed(with("run.future_field", json_string("x")).replace(0, 1, "{\"extra\": [1, 2],"));
    expect_same(back, full_record());
}

Test(record, texts_that_are_not_utf8_still_give_a_readable_record) {
    // A stderr tail is the last bytes of whatever the interpreter wrote: it may
    // start inside a character or hold NUL, line breaks, escape sequences and
    // binary bytes. The record must stay readable and hold only clean text:
    // each byte that is not is written as \xNN.
    using namespace std::string_literals;
    const std::string raw = "\xa9 cut \xc3"s + "\0nul \xff\xfe é\n"s;
    Record r = full_record();
    r.gaggle.interpreters[1].stderr_tail = raw;
    r.job.node = "n\xe9ud";  // Latin-1, not UTF-8
    Record back = parsed(record_to_json(r));
    expect_eq(back.gaggle.interpreters[1].stderr_tail, "\\xa9 cut \\xc3\\x00nul \\xff\\xfe é\\x0a", "stderr_tail");
    expect_eq(back.job.node, "n\\xe9ud", "job.node");
}

Test(record, file_name) {
    JobIdentity job;
    job.job_id = 123;
    job.step_id = 4;
    job.node = "node1";
    expect_eq(record_file_name(job, "abc"), "pyimport-123.4-node1-abc.json", "without cluster");
    job.cluster = "hpc";
    expect_eq(record_file_name(job, "abc"), "pyimport-hpc-123.4-node1-abc.json", "with cluster");
    job.node = "n\x1b]0;T\a/../x";  // pyimport-gaggle --node is anyone's text
    expect_eq(record_file_name(job, "abc"), "pyimport-hpc-123.4-n__0_T__.._x-abc.json", "plain characters only");
}

Test(record, name_token_is_random_and_plain) {
    std::string a, b;
    cr_assert(random_name_part(a) && random_name_part(b));
    cr_assert(a.size() == 16 && b.size() == 16 && a != b, "%s %s", a.c_str(), b.c_str());
    cr_assert(a.find_first_not_of("abcdefghijklmnopqrstuvwxyz234567") == std::string::npos, "%s", a.c_str());
}

// ---- texts that are not records ---------------------------------------------

Test(record, truncated_json) {
    const std::string text = record_to_json(full_record());
    rejected(text.substr(0, text.size() / 2), "invalid JSON (truncated or corrupt) at line ");
    rejected(text.substr(0, text.size() - 3), "invalid JSON (truncated or corrupt)");
    rejected("", "invalid JSON (truncated or corrupt) at line ");
}

Test(record, corrupt_json) {
    std::string text = record_to_json(full_record());
    text.replace(text.find("\"job\""), 5, "\"job\" \"");
    rejected(text, "invalid JSON (truncated or corrupt) at line ");
    rejected("{\"format\": \"pyimport-bench-record\", \"version\": 1,}", "invalid JSON (truncated or corrupt) at line 1");
    rejected(record_to_json(full_record()) + "{}", "invalid JSON (truncated or corrupt)");
}

Test(record, duplicate_keys_are_corrupt) {
    std::string text = record_to_json(full_record());
    text.replace(text.find("\"version\""), 0, "\"version\": 1, ");
    rejected(text, "invalid JSON (truncated or corrupt)");
}

Test(record, foreign_json_is_not_a_record) {
    const std::string message = "not a pyimport-bench record (no \"format\": \"pyimport-bench-record\")";
    rejected("{\"name\": \"something else\", \"version\": 1}", message);
    rejected("[1, 2, 3]", message);
    rejected(with("format", json_string("pyimport-bench-summary")), message);
    rejected(with("format", json_integer(1)), message);
    rejected(without("format"), message);
}

Test(record, newer_version_is_refused) {
    rejected(with("version", json_integer(3)),
             "record version 3 is newer than this reader (2): upgrade pyimport-bench");
}

// ---- version 1 and version 2 ---------------------------------------------------

// The full record as version 1 wrote it: no common release, no clock.
std::string version_1_text() {
    JsonPtr root = load(record_to_json(full_record()));
    json_object_set_new(root.get(), "version", json_integer(1));
    json_object_del(root.get(), "clock");
    json_object_del(root.get(), "cgroup");
    json_object_del(json_object_get(root.get(), "run"), "importtime");
    json_t *list = json_object_get(root.get(), "interpreters");
    for (size_t i = 0; i < json_array_size(list); ++i)
        for (const char *key : {"import_us", "slowest_modules", "slowest_self_us", "slowest_cumulative_us"})
            json_object_del(json_array_get(list, i), key);
    json_t *gaggle = json_object_get(root.get(), "gaggle");
    for (const char *key : {"sync", "sync_note", "planned_release_unix_ns", "ready_unix_ns"}) json_object_del(gaggle, key);
    return dump(root.get());
}

Test(record, version_1_is_read_without_release_or_clock) {
    const Record rec = parsed(version_1_text());
    cr_assert_eq(rec.version, 1);
    expect_eq(rec.gaggle.sync, "", "gaggle.sync");
    cr_assert_eq(rec.gaggle.planned_release_unix_ns, 0);
    cr_assert_eq(rec.clock.maxerror_us, 0);
    expect_eq(rec.clock.boot_id, "", "clock.boot_id");
    expect_eq(rec.run.language, "python", "run.language of a version 1 record");
    cr_assert_eq(rec.gaggle.release_unix_ns, full_record().gaggle.release_unix_ns);
}

Test(record, version_1_ignores_fields_of_version_2) {
    // Not its own: whatever they hold, a version 1 reader never looked at them.
    JsonPtr root = load(version_1_text());
    json_object_set_new(root.get(), "clock", json_string("\x1b]0;x"));
    json_object_set_new(json_object_get(root.get(), "gaggle"), "sync", json_integer(7));
    const Record rec = parsed(dump(root.get()));
    expect_eq(rec.gaggle.sync, "", "gaggle.sync");
}

Test(record, a_version_1_record_is_written_back_as_version_1) {
    const std::string text = version_1_text();
    const Record rec = parsed(text);
    const std::string again = record_to_json(rec);
    cr_assert(unit::contains(again, "\"version\": 1,"), "%s", again.c_str());
    cr_assert(!unit::contains(again, "\"sync\"") && !unit::contains(again, "\"clock\""), "%s", again.c_str());
    expect_same(parsed(again), rec);
}

Test(record, version_2_needs_its_fields) {
    for (const char *path : {"run.language", "gaggle.sync", "gaggle.sync_note", "gaggle.planned_release_unix_ns",
                             "gaggle.ready_unix_ns", "clock", "clock.maxerror_us", "clock.boot_id"})
        rejected(without(path), "missing field " + std::string(path));
}

Test(record, release_fields_must_fit_together) {
    rejected(written_with([](Record &r) { r.gaggle.sync = "maybe"; }), "gaggle.sync 'maybe' is not on, off or refused");
    rejected(written_with([](Record &r) { r.gaggle.sync = ""; }), "gaggle.sync '' is not on, off or refused");
    const std::string planned = "gaggle.planned_release_unix_ns is set exactly when gaggle.sync is on";
    rejected(written_with([](Record &r) { r.gaggle.sync = "off"; }), planned);
    rejected(written_with([](Record &r) { r.gaggle.planned_release_unix_ns = 0; }), planned);
    rejected(written_with([](Record &r) { r.gaggle.ready_unix_ns = r.gaggle.release_unix_ns + 1; }),
             "gaggle.ready_unix_ns is after gaggle.release_unix_ns or too far before it");
    rejected(written_with([](Record &r) { r.gaggle.ready_unix_ns = -1; }), "a gaggle instant is outside");
    rejected(written_with([](Record &r) { r.gaggle.planned_release_unix_ns = int64_t(1) << 62 | 1; }),
             "a gaggle instant is outside");
    rejected(written_with([](Record &r) { r.gaggle.planned_release_unix_ns = 1; }),
             "gaggle.planned_release_unix_ns is too far from gaggle.release_unix_ns");
    rejected(written_with([](Record &r) { r.gaggle.sync_note = std::string(401, 'x'); }),
             "gaggle.sync_note is longer than 400 bytes");
    parsed(written_with([](Record &r) {
        r.gaggle.sync = "refused";
        r.gaggle.planned_release_unix_ns = 0;
        r.gaggle.sync_note = "the release instant passed 40.0 s ago";
    }));
}

Test(record, cgroup_figures_fit_their_state) {
    rejected(written_with([](Record &r) { r.gaggle.cgroup.state = "maybe"; }),
             "cgroup.state 'maybe' is not used, unavailable or off");
    rejected(written_with([](Record &r) { r.gaggle.cgroup.state = "off"; }),
             "cgroup figures are -1 unless cgroup.state is used");
    rejected(written_with([](Record &r) { r.gaggle.cgroup.cpu_ns = -2; }), "a cgroup figure is outside -1..");
    rejected(written_with([](Record &r) { r.gaggle.cgroup.io_bytes = int64_t(1) << 61; }), "a cgroup figure is outside");
    rejected(written_with([](Record &r) { r.gaggle.cgroup.leftovers_killed = -1; }), "cgroup.leftovers_killed is outside");
    // Sums over many records stay far from overflow.
    rejected(written_with([](Record &r) { r.gaggle.cgroup.leftovers_killed = int64_t(1) << 60; }),
             "cgroup.leftovers_killed is outside 0..4194304");
    rejected(written_with([](Record &r) { r.gaggle.cgroup.max_processes = (int64_t(1) << 22) + 1; }),
             "cgroup.max_processes is above 4194304");
    rejected(written_with([](Record &r) { r.gaggle.cgroup.note = std::string(401, 'n'); }), "cgroup.note is longer than 400");
    const Record unavailable = parsed(written_with([](Record &r) {
        r.gaggle.cgroup = {"unavailable", "cgroups: no permission (not root)", -1, -1, -1, -1, -1, 0};
    }));
    expect_eq(unavailable.gaggle.cgroup.note, "cgroups: no permission (not root)", "note");
    rejected(without("cgroup.state"), "missing field cgroup.state");
    rejected(without("cgroup"), "missing field cgroup");
}

Test(record, import_times_fit_the_module_list) {
    rejected(written_with([](Record &r) { r.gaggle.interpreters[0].import_us = {1}; }),
             "an interpreter's import_us has 1 entries, run.modules 2");
    rejected(written_with([](Record &r) { r.gaggle.interpreters[0].import_us = {1, -2}; }),
             "an interpreter's import_us is outside -1..");
    rejected(written_with([](Record &r) { r.gaggle.interpreters[0].slowest_self_us.pop_back(); }),
             "slowest_modules, slowest_self_us and slowest_cumulative_us differ in length");
    rejected(written_with([](Record &r) {
                 auto &f = r.gaggle.interpreters[0];
                 for (int i = 0; i < 5; ++i) {
                     f.slowest_modules.push_back("m" + std::to_string(i));
                     f.slowest_self_us.push_back(1);
                     f.slowest_cumulative_us.push_back(1);
                 }
             }),
             "are longer than 5");
    rejected(written_with([](Record &r) { r.gaggle.interpreters[0].slowest_modules[0] = "os;rm"; }),
             "slowest_modules holds 'os;rm', which is not a module name");
    rejected(written_with([](Record &r) { r.gaggle.interpreters[0].slowest_modules[0] = std::string(257, 'm'); }),
             "which is not a module name of at most 256 bytes");
    rejected(written_with([](Record &r) { r.gaggle.interpreters[0].slowest_self_us[0] = 400000; }),
             "an interpreter's slowest times are not 0 <= self <= cumulative");
    rejected(with("interpreters[0].import_us", json_pack("[i, s]", 1, "2")),
             "field interpreters[0].import_us is not an array of integers");
    // Absent (importtime off): nothing to check, nothing read.
    const Record plain = parsed(written_with([](Record &r) { r.gaggle.interpreters[0] = interpreter(0, 1000); }));
    cr_assert(plain.gaggle.interpreters[0].import_us.empty());
}

Test(record, clock_fields_are_bounded_and_plain) {
    const std::string bound = "clock.maxerror_us or clock.esterror_us is outside";
    rejected(written_with([](Record &r) { r.clock.maxerror_us = -1; }), bound);
    rejected(written_with([](Record &r) { r.clock.esterror_us = int64_t(1) << 41; }), bound);
    const std::string word = "clock.source or clock.boot_id is not 1 to 64 of A-Z a-z 0-9 . _ -";
    rejected(written_with([](Record &r) { r.clock.source = "tsc hpet"; }), word);
    rejected(written_with([](Record &r) { r.clock.boot_id = std::string(65, 'a'); }), word);
    const Record empty = parsed(written_with([](Record &r) { r.clock.source.clear(); }));
    expect_eq(empty.clock.source, "", "clock.source");
}

Test(record, invalid_version) {
    for (json_t *bad : {json_integer(0), json_integer(-1), json_string("1"), json_real(1.0), json_null()})
        rejected(with("version", bad), "record has no valid version");
    rejected(without("version"), "record has no valid version");
}

Test(record, missing_fields_are_named) {
    for (const char *path : {"writer", "writer.host", "job", "job.node", "job.id", "job.cluster", "run", "run.argv",
                             "run.label", "run.timeout_s", "gaggle", "gaggle.wall_ns", "interpreters[1].wall_ns",
                             "interpreters[0].timed_out", "interpreters[2].index"})
        rejected(without(path), "missing field " + std::string(path));
    rejected(without("interpreters"), "missing field interpreters (an array)");
}

Test(record, mistyped_fields_are_named) {
    rejected(with("writer", json_array()), "field writer is not an object");
    rejected(with("job.node_index", json_string("0")), "field job.node_index is not an integer");
    rejected(with("job.id", json_real(1.5)), "field job.id is not an integer");
    rejected(with("job.node", json_null()), "field job.node is not a string");
    rejected(with("job.cluster", json_integer(3)), "field job.cluster is not a string");
    rejected(with("run.argv", json_string("/bin/true")), "field run.argv is not an array");
    rejected(with("run.modules", json_pack("[s, i]", "numpy", 1)), "field run.modules is not an array of strings");
    rejected(with("interpreters[0].timed_out", json_integer(0)), "field interpreters[0].timed_out is not true or false");
    rejected(with("interpreters[1].stderr_tail", json_integer(0)), "field interpreters[1].stderr_tail is not a string");
    rejected(with("interpreters[1].exec_errno", json_string("ENOENT")),
             "field interpreters[1].exec_errno is not an integer");
    rejected(with("interpreters", json_object()), "missing field interpreters (an array)");
}

Test(record, numbers_must_fit_their_fields) {
    // Not cut down to 32 bits: 2^32 + 2 would pass as node_index 2, -1 as uid 4294967295.
    rejected(with("job.node_index", json_integer(4294967298)), "field job.node_index is out of range");
    rejected(with("job.uid", json_integer(-1)), "field job.uid is out of range");
    rejected(with("job.id", json_integer(4294967296)), "field job.id is out of range");
    rejected(with("interpreters[0].exit_code", json_integer(-2147483649)), "field interpreters[0].exit_code is out of range");
    Record edge = parsed(with("job.uid", json_integer(4294967295)));
    cr_assert_eq(edge.job.uid, 4294967295u);
}

Test(record, interpreter_entries_must_be_objects) {
    JsonPtr root = load(record_to_json(full_record()));
    json_array_set_new(json_object_get(root.get(), "interpreters"), 1, json_integer(5));
    rejected(dump(root.get()), "field interpreters[1] is not an object");
}

// ---- fields that parse but do not fit together ------------------------------

Test(record, interpreter_count_must_match_gaggle_size) {
    rejected(written_with([](Record &r) { r.run.gaggle_size = 4; }), "interpreters has 3 entries, run.gaggle_size says 4");
    rejected(written_with([](Record &r) { r.gaggle.interpreters.pop_back(); }),
             "interpreters has 2 entries, run.gaggle_size says 3");
}

Test(record, gaggle_size_must_be_positive) {
    rejected(written_with([](Record &r) {
                 r.run.gaggle_size = 0;
                 r.gaggle.interpreters.clear();
             }),
             "run.gaggle_size is not positive");
}

Test(record, r_and_perl_records_round_trip_with_their_own_package_names) {
    for (const auto &[language, modules] : std::vector<std::pair<std::string, std::vector<std::string>>>{
             {"r", {"ggplot2", "data.table"}}, {"perl", {"Moose", "JSON::XS"}}}) {
        Record rec = full_record();
        rec.run.language = language;
        rec.run.modules = modules;
        rec.run.importtime = false;
        for (auto &f : rec.gaggle.interpreters) f.import_us.clear(), f.slowest_modules.clear(),
                                                f.slowest_self_us.clear(), f.slowest_cumulative_us.clear();
        const std::string text = record_to_json(rec);
        cr_assert(unit::contains(text, "\"language\": \"" + language + "\""), "%s", text.c_str());
        expect_same(parsed(text), rec);
    }
}

Test(record, language_and_its_names_must_fit) {
    rejected(written_with([](Record &r) { r.run.language = "ruby"; }), "run.language 'ruby' is not python, r or perl");
    rejected(written_with([](Record &r) { r.run.language = ""; }), "run.language '' is not python, r or perl");
    // full_record's Python modules are not R package names (numpy_x has an underscore).
    rejected(written_with([](Record &r) {
                 r.run.language = "r";
                 r.run.importtime = false;
                 r.run.modules = {"numpy_x"};
                 for (auto &f : r.gaggle.interpreters) f.import_us.clear();
             }),
             "run.modules holds 'numpy_x', which is not one of the R package names");
    rejected(written_with([](Record &r) {
                 r.run.language = "perl";
                 r.run.modules = {"DBI"};
                 r.run.importtime = true;
                 for (auto &f : r.gaggle.interpreters) f.import_us.assign(1, 5);
             }),
             "run.importtime is Python's only");
}

Test(record, mode_must_be_known) {
    rejected(written_with([](Record &r) { r.run.mode = "docker"; }), "run.mode 'docker' is not conda or container");
}

Test(record, node_index_must_be_in_range) {
    const std::string message = "job.node_index is outside 0..job.node_count-1";
    rejected(written_with([](Record &r) { r.job.node_index = 3; }), message);   // == node_count
    rejected(written_with([](Record &r) { r.job.node_index = -1; }), message);
    rejected(written_with([](Record &r) { r.job.node_count = 0; r.job.node_index = 0; }), message);
    parsed(written_with([](Record &r) { r.job.node_index = 0; }));  // both ends are fine
}

Test(record, wall_times_must_be_consistent) {
    rejected(written_with([](Record &r) { r.gaggle.wall_ns = -1; }), "gaggle.wall_ns is negative");
    const std::string outside = "an interpreter's wall_ns is outside the gaggle's";
    rejected(written_with([](Record &r) { r.gaggle.interpreters[0].wall_ns = -5; }), outside);
    rejected(written_with([](Record &r) { r.gaggle.interpreters[2].wall_ns = r.gaggle.wall_ns + 1; }), outside);
    parsed(written_with([](Record &r) { r.gaggle.interpreters[2].wall_ns = r.gaggle.wall_ns; }));
}
