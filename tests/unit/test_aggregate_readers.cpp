// The two record readers: record_from_json (jansson, the reference) and
// agg::FastRecordReader (simdjson, what pyimport-aggregate uses). Round trips
// pass through both; every bad text gets the same one-line message from both;
// thousands of mutated records are judged alike. Then the files around them:
// one size cap, no FIFO waited on, no link followed in a listed directory, no
// record from a file its job user (or root) does not own, and the loader's
// outcome the same whatever the threads.
#include "../../helper/aggregate/fast_record_reader.hpp"
#include "../../helper/aggregate/load.hpp"
#include "../../helper/aggregate/scan.hpp"
#include "aggregate_fixtures.hpp"
#include "record.hpp"

#include <cstddef>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>

using agg::FastRecordReader;
using namespace pyimport;
using unit::expect_eq;

namespace {

// A record with every optional part present.
Record full_record() {
    unit::NodeSpec s;
    s.job = 4000000000u;
    s.step = 7;
    s.node_index = 2;
    s.node_count = 3;
    s.mode = "container";
    s.walls = {1.5, 2.5, 3.5};
    s.modules = {"numpy", "os.path"};
    s.label = "run-1";
    s.cluster = "hpc1";
    Record r = unit::make_record(s);
    r.run.image = "/img";
    r.run.runtime = "charliecloud";
    r.run.mount_driver = "squashfuse";
    r.run.env_digest = "sha256:0123abcd";
    r.run.fs_type = "fuse.mfsmount";
    r.run.argv.push_back("import numpy, \"quoted\"\t\\ é");
    r.gaggle.interpreters[1].exit_code = 127;
    r.gaggle.interpreters[1].exec_errno = 2;
    r.gaggle.interpreters[1].stderr_tail = "Traceback ... ✓\n";
    r.gaggle.interpreters[2].exit_code = -1;
    r.gaggle.interpreters[2].signal = 9;
    r.gaggle.interpreters[2].timed_out = true;
    r.fs_metadata_ops = {{"getattr", 12345}, {"lookup", 678}};
    return r;
}

struct Verdict {
    bool ok;
    std::string text;  // the record written again, or the message
};

Verdict reference(const std::string &text) {
    auto rec = record_from_json(text);
    std::string error = unit::error_of(rec);
    return rec ? Verdict{true, record_to_json(*rec)} : Verdict{false, error};
}

Verdict fast(FastRecordReader &reader, const std::string &text) {
    auto rec = reader.parse(text);
    return rec ? Verdict{true, record_to_json(*rec)} : Verdict{false, rec.error()};
}

void judged_alike(FastRecordReader &reader, const std::string &text, const char *what) {
    Verdict a = reference(text), b = fast(reader, text);
    cr_assert(a.ok == b.ok, "%s: reference %s, fast %s (%s / %s)", what, a.ok ? "accepts" : "refuses",
              b.ok ? "accepts" : "refuses", a.text.c_str(), b.text.c_str());
    expect_eq(b.text, a.text, what);
}

std::string replaced(std::string text, const std::string &from, const std::string &to) {
    size_t at = text.find(from);
    cr_assert(at != std::string::npos, "test text lacks %s", from.c_str());
    return text.replace(at, from.size(), to);
}

} // namespace

Test(aggregate_readers, round_trip_through_both) {
    FastRecordReader reader;
    for (Record r : {full_record(), unit::make_record({})}) {
        const std::string text = record_to_json(r);
        auto back = reader.parse(text);
        std::string error = unit::error_of(back);
        cr_assert(bool(back), "fast reader refused: %s", error.c_str());
        expect_eq(record_to_json(*back), text, "fast round trip");
        expect_eq(reference(text).text, text, "reference round trip");
    }
    cr_assert_eq(reader.referred(), 0u, "a good record went to the reference reader");
}

// The full record as version 1 wrote it, with `extra` members added to its top and gaggle objects.
std::string version_1(const std::string &extra_top = "", const std::string &extra_gaggle = "") {
    std::string text = record_to_json(full_record());
    text = replaced(text, "\"version\": 2", "\"version\": 1" + extra_top);
    for (const char *section : {",\n \"clock\"", ",\n \"cgroup\""}) {
        const size_t at = text.find(section);
        cr_assert(at != std::string::npos, "the record has no %s section", section);
        text.erase(at, text.find('}', at) + 1 - at);
    }
    text = replaced(text, ",\n  \"importtime\": false", "");
    for (const char *key : {"\"sync\": \"off\",", "\"sync_note\": null,"}) text = replaced(text, key, "");
    const size_t planned = text.find("\"planned_release_unix_ns\"");
    text.erase(planned, text.find("\"release_unix_ns\"") - planned);
    return replaced(text, "\"release_unix_ns\"", extra_gaggle + "\"release_unix_ns\"");
}

Test(aggregate_readers, version_1_is_read_alike_and_its_unknown_fields_ignored) {
    FastRecordReader reader;
    const std::vector<std::pair<const char *, std::string>> cases = {
        {"version 1", version_1()},
        {"version 1 with a foreign clock", version_1(", \"clock\": \"\\u001b]0;x\"")},
        {"version 1 with a foreign sync", version_1("", "\"sync\": 7, \"planned_release_unix_ns\": \"x\", ")},
    };
    for (const auto &[what, text] : cases) {
        const Verdict a = reference(text);
        cr_assert(a.ok, "%s refused: %s", what, a.text.c_str());
        judged_alike(reader, text, what);
    }
    cr_assert_eq(reader.referred(), 0u, "a version 1 record went to the reference reader");
    auto rec = reader.parse(version_1());
    cr_assert(bool(rec) && rec->version == 1 && rec->gaggle.sync.empty() && rec->clock.boot_id.empty());
    // Version 2 needs what version 1 did not have.
    const std::string v2_without_clock = replaced(version_1(), "\"version\": 1", "\"version\": 2");
    judged_alike(reader, v2_without_clock, "version 2 without its fields");
    cr_assert(!reference(v2_without_clock).ok);
}

Test(aggregate_readers, reader_reuse_leaves_nothing_behind) {
    // The reader keeps its buffers and the Record's strings between files: a
    // record without the optional parts must not inherit them.
    FastRecordReader reader;
    auto first = reader.parse(record_to_json(full_record()));
    cr_assert(bool(first));
    const std::string plain = record_to_json(unit::make_record({}));
    auto second = reader.parse(plain);
    std::string error = unit::error_of(second);
    cr_assert(bool(second), "%s", error.c_str());
    const Record &rec = *second;
    expect_eq(record_to_json(rec), plain, "second record");
    cr_assert(rec.fs_metadata_ops.empty() && rec.gaggle.interpreters.size() == 2);
    cr_assert_eq(rec.gaggle.interpreters[1].exec_errno, 0);
}

Test(aggregate_readers, bad_texts_get_the_same_message) {
    FastRecordReader reader;
    const std::string good = record_to_json(full_record());
    const std::vector<std::pair<const char *, std::string>> cases = {
        {"empty", ""},
        {"truncated", good.substr(0, good.size() / 2)},
        {"truncated at the end", good.substr(0, good.size() - 3)},
        {"corrupt", replaced(good, "\"job\"", "\"job\" \"")},
        {"trailing garbage", good + "{}"},
        {"duplicate key", replaced(good, "\"version\"", "\"version\": 1, \"version\"")},
        {"duplicate key inside", replaced(good, "\"host\"", "\"host\": \"a\", \"host\"")},
        {"duplicate unknown key", replaced(good, "\"host\"", "\"x\": 1, \"x\": 2, \"host\"")},
        {"foreign", "{\"name\": \"something else\", \"version\": 1}"},
        {"array", "[1, 2, 3]"},
        {"future version", replaced(good, "\"version\": 2", "\"version\": 3")},
        {"version 0", replaced(good, "\"version\": 2", "\"version\": 0")},
        {"version as text", replaced(good, "\"version\": 2", "\"version\": \"2\"")},
        {"missing field", replaced(good, "\"user\"", "\"usr\"")},
        {"mistyped field", replaced(good, "\"step\": 7", "\"step\": \"7\"")},
        {"real for integer", replaced(good, "\"step\": 7", "\"step\": 7.0")},
        {"integer too big", replaced(good, "\"step\": 7", "\"step\": 18446744073709551615")},
        {"NUL in text", replaced(good, "\"hpc1\"", "\"hp\\u0000c1\"")},
        {"lone surrogate", replaced(good, "\"hpc1\"", "\"hp\\ud800c1\"")},
        {"lone low surrogate", replaced(good, "\"hpc1\"", "\"hp\\udc00c1\"")},
        {"control character", replaced(good, "\"hpc1\"", "\"hp\tc1\"")},
        {"escaped newline in a label", replaced(good, "\"run-1\"", "\"run-1\\nset output\"")},
        {"escaped ESC in a module", replaced(good, "\"os.path\"", "\"os\\u001b[2J\"")},
        {"C1 control in the node name", replaced(good, "\"hpc1\"", "\"hp\\u009bc1\"")},
        {"DEL in a text", replaced(good, "\"hpc1\"", "\"hp\x7f" "c1\"")},
        {"control character in an fs_metadata_ops key", replaced(good, "\"getattr\"", "\"get\\nattr\"")},
        {"release time negative", replaced(good, "\"release_unix_ns\": ", "\"release_unix_ns\": -9223372036854775808, \"x\": ")},
        {"node count huge", replaced(good, "\"node_count\": 3", "\"node_count\": 2147483647")},
        {"not UTF-8", replaced(good, "\"hpc1\"", "\"hp\xff" "c1\"")},
        {"wrong count", replaced(good, "\"gaggle_size\": 3", "\"gaggle_size\": 4")},
        {"unknown mode", replaced(good, "\"container\"", "\"docker\"")},
        {"entry not an object", replaced(good, "\"interpreters\": [", "\"interpreters\": [5, ")},
        {"interpreters an object", replaced(good, "\"interpreters\": [", "\"interpreters\": {\"a\": [")},
        {"unknown member holding a big number", replaced(good, "\"host\"", "\"x\": [1e999], \"host\"")},
        {"null list", replaced(good, "\"modules\": [", "\"modules\": null, \"m\": [")},
    };
    for (const auto &[what, text] : cases) {
        size_t before = reader.referred();
        judged_alike(reader, text, what);
        cr_assert_eq(reader.referred(), before + 1, "%s: not named by the reference reader", what);
    }
}

Test(aggregate_readers, what_the_reference_accepts_the_fast_reader_accepts) {
    FastRecordReader reader;
    const std::string good = record_to_json(full_record());
    judged_alike(reader, replaced(good, "\"host\"", "\"future\": {\"a\": [1, 2.5, null, true]}, \"host\""), "unknown member");
    judged_alike(reader, replaced(good, "\"fs_metadata_ops\": {", "\"fs_metadata_ops\": {\"x\": \"text\", "), "fs op not a number");
    judged_alike(reader, replaced(good, "\"fs_metadata_ops\": {", "\"fs_metadata_ops\": 5, \"y\": {"), "fs ops not an object");
    judged_alike(reader, replaced(good, "\"hpc1\"", "\"hp\\u00e9c1\""), "escaped character");
    judged_alike(reader, replaced(good, "\"job\": {", "\"job\": {\"\": 0, "), "empty key");
    judged_alike(reader, replaced(good, "\"step\": 7", "\"step\": -0"), "negative zero");
    cr_assert_eq(reader.referred(), 0u, "a readable record went to the reference reader");
}

// Random edits of a written record: deletions, insertions of JSON-ish tokens,
// truncations, repeated and missing lines, changed numbers. Returns how many
// the reference accepted.
int mutations_judged_alike(FastRecordReader &reader, const std::string &base, unsigned seed, int count) {
    std::mt19937 rng(seed);
    const char *tokens[] = {"\"", ",", "{", "}", "[", "]", "0", "-", "1", ".", "e", " ", "\\", "null", "true",
                            "\\u0000", "\\ud800", "\xff", "\x01", "18446744073709551615", "-0", "1e400", "1.0", ":",
                            "\t", "\r\n", "9223372036854775807", "9223372036854775808", "E", "07"};
    int accepted = 0;
    for (int i = 0; i < count; ++i) {
        std::string t = base;
        size_t at = rng() % t.size();
        switch (rng() % 6) {
        case 0: t.erase(at, 1 + rng() % 3); break;
        case 1: t.insert(at, tokens[rng() % std::size(tokens)]); break;
        case 2: t.replace(at, 1, tokens[rng() % std::size(tokens)]); break;
        case 3: t.resize(at); break;
        case 4: {  // a line twice
            size_t start = t.rfind('\n', at), end = t.find('\n', at);
            start = start == std::string::npos ? 0 : start;
            t.insert(start, t.substr(start, (end == std::string::npos ? t.size() : end) - start));
            break;
        }
        default: {  // a line dropped
            size_t start = t.rfind('\n', at), end = t.find('\n', at);
            if (start != std::string::npos && end != std::string::npos) t.erase(start, end - start);
        }
        }
        judged_alike(reader, t, ("mutation " + std::to_string(i)).c_str());
        accepted += reference(t).ok;
    }
    return accepted;
}

Test(aggregate_readers, mutated_records_are_judged_alike) {
    FastRecordReader reader;
    int accepted = mutations_judged_alike(reader, record_to_json(full_record()), 4, 3000);
    cr_assert(accepted > 100 && accepted < 2900, "mutations should both pass and fail (%d accepted)", accepted);
}

// ---- files ------------------------------------------------------------------

namespace {

pyimport::Result<Record> read_fast(const std::string &path, pyimport::RecordFileOptions options) {
    FastRecordReader reader;
    return read_record_file(path, options, [&](std::string_view t) { return reader.parse(t); });
}

// Both readers on one file: the same verdict and message.
std::string file_verdict(const std::string &path, pyimport::RecordFileOptions options = {}) {
    auto fast = read_fast(path, options);
    const bool fast_ok = bool(fast);
    const std::string fast_error = unit::error_of(fast);
    auto ref = read_record_file(path, options);
    const std::string ref_error = unit::error_of(ref);
    cr_assert_eq(fast_ok, bool(ref), "%s: readers disagree (%s / %s)", path.c_str(), fast_error.c_str(),
                 ref_error.c_str());
    expect_eq(fast_error, ref_error, "message");
    return fast_ok ? "ok" : fast_error;
}

} // namespace

Test(aggregate_readers, files) {
    unit::TempDir dir;
    unit::expect_message(file_verdict(dir.file("missing.json")), {"cannot read: No such file or directory"});
    unit::expect_message(file_verdict(dir.path()), {"cannot read: Is a directory"});
    unit::write_text(dir.file("empty.json"), "");
    expect_eq(file_verdict(dir.file("empty.json")), reference("").text, "empty file");
    Record big = full_record();
    big.gaggle.interpreters[1].stderr_tail = std::string(200'000, 'x');
    unit::write_text(dir.file("big.json"), record_to_json(big));
    expect_eq(file_verdict(dir.file("big.json")), "ok", "a big record");
}

Test(aggregate_readers, oversized_file) {
    unit::TempDir dir;
    int fd = open(dir.file("huge.json").c_str(), O_CREAT | O_WRONLY, 0644);
    cr_assert(fd >= 0 && ftruncate(fd, off_t(pyimport::kMaxRecordBytes) + 10) == 0);
    close(fd);
    unit::expect_message(file_verdict(dir.file("huge.json")), {"too large (over 16777216 bytes): not a record"});
    // A device that never ends is no regular file: refused before any byte is read.
    unit::expect_message(file_verdict("/dev/zero"), {"not a regular file"});
}

Test(aggregate_readers, a_fifo_is_never_waited_on) {
    unit::TempDir dir;
    cr_assert(mkfifo(dir.file("fifo.json").c_str(), 0644) == 0);
    // Named directly (the open would block without O_NONBLOCK) and found by a listing.
    unit::expect_message(file_verdict(dir.file("fifo.json")), {"not a regular file"});
    unit::write_record(dir, {});
    std::vector<agg::Problem> problems;
    const auto tree = agg::load_record_tree({dir.path(), dir.file("fifo.json")}, {}, problems);
    cr_assert_eq(tree.records.size(), 1u);
    cr_assert_eq(problems.size(), 1u);
    unit::expect_message(problems[0].message, {"not a regular file"});
}

Test(aggregate_readers, no_content_of_a_file_that_is_not_a_record_is_quoted) {
    unit::TempDir dir;
    unit::write_text(dir.file("secret.json"), "root:$6$SECRETHASH:19000:0:99999:7:::\n");
    const std::string message = file_verdict(dir.file("secret.json"));
    unit::expect_message(message, {"invalid JSON (truncated or corrupt) at line 1"});
    cr_assert(!unit::contains(message, "root") && !unit::contains(message, "SECRET"), "%s", message.c_str());
    unit::write_text(dir.file("near.json"), "{\"format\": \"pyimport-bench-record\", \"version\": 1, SECRET}");
    cr_assert(!unit::contains(file_verdict(dir.file("near.json")), "SECRET"));
}

Test(aggregate_readers, a_link_in_a_listed_directory_is_not_followed) {
    unit::TempDir dir, elsewhere;
    const std::string target = unit::write_record(elsewhere, {});
    cr_assert(symlink(target.c_str(), dir.file("planted.json").c_str()) == 0);
    unit::write_record(dir, {});
    std::vector<agg::Problem> problems;
    auto tree = agg::load_record_tree({dir.path()}, {}, problems);
    cr_assert_eq(tree.records.size(), 1u);
    cr_assert_eq(tree.bad_files, 1u);
    cr_assert_eq(problems.size(), 1u);
    expect_eq(problems[0].subject, dir.file("planted.json"), "the link is named");
    unit::expect_message(problems[0].message, {"symbolic link (not followed)"});
    // Named on the command line, a link is the user's own choice and is followed.
    problems.clear();
    tree = agg::load_record_tree({dir.file("planted.json")}, {}, problems);
    cr_assert_eq(tree.records.size(), 1u, "%s", problems.empty() ? "" : problems[0].message.c_str());
}

Test(aggregate_readers, a_record_whose_file_another_user_owns_is_not_trusted) {
    cr_assert(unit::running_as_root(), "this test changes file owners: run it as root");
    unit::TempDir dir;
    unit::NodeSpec s;
    s.job = 42;
    Record r = unit::make_record(s);
    r.job.uid = 1001;  // the victim
    unit::write_text(dir.file("forged.json"), record_to_json(r));
    cr_assert(chown(dir.file("forged.json").c_str(), unit::kNobody, unit::kNobody) == 0);
    const std::string message = file_verdict(dir.file("forged.json"));
    unit::expect_message(message, {"the file's owner (uid 65534) is not the record's job.uid (1001) or root: not trusted"});
    expect_eq(file_verdict(dir.file("forged.json"), {true, true}), "ok", "--any-owner accepts it");
    cr_assert(chown(dir.file("forged.json").c_str(), 1001, 1001) == 0);
    expect_eq(file_verdict(dir.file("forged.json")), "ok", "owned by the job user");
    cr_assert(chown(dir.file("forged.json").c_str(), 0, 0) == 0);
    expect_eq(file_verdict(dir.file("forged.json")), "ok", "owned by root");
    // pyimport-aggregate skips it by default, reads it with --any-owner.
    cr_assert(chown(dir.file("forged.json").c_str(), unit::kNobody, unit::kNobody) == 0);
    std::vector<agg::Problem> problems;
    cr_assert_eq(agg::load_record_tree({dir.path()}, {}, problems).records.size(), 0u);
    cr_assert_eq(agg::load_record_tree({dir.path()}, {0, true, true}, problems).records.size(), 1u);
}

Test(aggregate_readers, bounds_keep_the_arithmetic_from_overflowing) {
    const std::string good = record_to_json(full_record());
    FastRecordReader reader;
    const std::pair<std::string, std::string> cases[] = {
        {replaced(good, "\"node_count\": 3", "\"node_count\": 1000001"), "job.node_count is above 1000000"},
        {replaced(good, "\"release_unix_ns\": ", "\"release_unix_ns\": -1, \"x\": "), "gaggle.release_unix_ns is outside"},
        {replaced(good, "\"last_exit_unix_ns\": ", "\"last_exit_unix_ns\": 9223372036854775807, \"x\": "),
         "gaggle.last_exit_unix_ns is before gaggle.release_unix_ns or too far after it"},
        {replaced(good, "\"gaggle_size\": 3", "\"gaggle_size\": 65537"), "run.gaggle_size is above 65536"},
    };
    for (const auto &[text, part] : cases) {
        judged_alike(reader, text, part.c_str());
        unit::expect_message(reference(text).text, {part});
    }
}

Test(aggregate_readers, texts_with_control_characters_are_refused_by_both) {
    FastRecordReader reader;
    Record r = full_record();
    r.run.label = "x\nset output '/etc/passwd'";
    // The writer never writes one: it escapes what is not clean text.
    const std::string written = record_to_json(r);
    cr_assert(unit::contains(written, "x\\\\x0aset output"), "%s", written.c_str());
    // A file made by hand that holds one is refused, naming the field only.
    const std::string planted = replaced(written, "x\\\\x0aset", "x\\nset");
    judged_alike(reader, planted, "planted newline");
    unit::expect_message(reference(planted).text, {"field run.label holds a control character or invalid UTF-8"});
}

Test(aggregate_readers, the_loader_reads_each_file_once_in_path_order_whatever_the_threads) {
    unit::TempDir dir;
    for (const char *sub : {"/a", "/a/b"}) cr_assert(mkdir((dir.path() + sub).c_str(), 0755) == 0);
    const std::string good = record_to_json(full_record());
    const std::vector<std::string> names = {"a.json", "a-b.json", "a0.json", "ab.json", "z.json", "a/x.json",
                                            "a/b/y.json", "pyimport-b.json", "pyimport-a.json"};
    std::vector<std::string> expected;
    for (size_t i = 0; i < names.size(); ++i) {
        unit::write_text(dir.file(names[i]), i % 3 ? good : "{");  // every third is bad
        expected.push_back(dir.file(names[i]));
    }
    std::sort(expected.begin(), expected.end());
    // Overlapping paths: the directory, one below it and a file in it, twice over.
    const std::vector<std::string> paths = {dir.file("missing"), dir.path(), dir.file("a"), dir.file("a.json"), dir.path()};
    std::vector<std::string> outcome_one;
    for (unsigned threads : {1u, 3u, 16u}) {
        std::vector<agg::Problem> problems;
        const auto tree = agg::load_record_tree(paths, {threads, true, false}, problems);
        cr_assert(tree.files == expected, "%zu files", tree.files.size());
        cr_assert_eq(tree.records.size() + tree.bad_files, expected.size());
        for (size_t i = 1; i < tree.records.size(); ++i) cr_assert(tree.records[i - 1].file < tree.records[i].file);
        cr_assert_eq(tree.bad_files, (names.size() + 2) / 3);
        expect_eq(problems[0].subject, dir.file("missing"), "the scan's problem first");
        std::vector<std::string> outcome;
        for (const auto &p : problems) outcome.push_back(p.subject + ": " + p.message);
        for (const auto &n : tree.records) outcome.push_back(tree.files[n.file]);
        if (threads == 1) outcome_one = outcome;
        else cr_assert(outcome == outcome_one, "the outcome differs with %u threads", threads);
    }
}

Test(aggregate_readers, a_directory_swapped_for_a_link_after_the_listing_leads_nowhere) {
    // Another user lists sub/ in a shared directory, then swaps sub for a link
    // to a directory of root's between the listing and the read: the read
    // must not reach root's file (it would pass the owner check as root's).
    unit::TempDir shared, secret;
    cr_assert(mkdir(shared.file("sub").c_str(), 0755) == 0 && mkdir(secret.file("sub").c_str(), 0700) == 0);
    unit::NodeSpec s;
    s.label = "public";
    const std::string mine = record_to_json(unit::make_record(s));
    unit::write_text(shared.file("sub/r.json"), mine);
    s.label = "ROOT-PRIVATE";
    unit::write_text(secret.file("sub/r.json"), record_to_json(unit::make_record(s)));

    agg::ScanResult scan;
    std::vector<agg::Problem> problems;
    agg::scan_record_files({shared.path()}, scan, problems);
    cr_assert_eq(scan.files.size(), 1u);
    cr_assert(rename(shared.file("sub").c_str(), shared.file("old").c_str()) == 0);
    cr_assert(symlink(secret.file("sub").c_str(), shared.file("sub").c_str()) == 0);

    const agg::FoundFile &f = scan.files[0];
    pyimport::RecordFileOptions how;
    how.beneath = scan.roots[size_t(f.root)];
    auto rec = read_record_file(f.relative, how);
    std::string error = unit::error_of(rec);
    cr_assert(!rec, "read through the swapped link: label %s", rec ? rec->run.label.c_str() : "");
    unit::expect_message(error, {"symbolic link (not followed)"});
    // And the whole loader, listing after the swap, does not walk into it.
    problems.clear();
    const auto tree = agg::load_record_tree({shared.path()}, {}, problems);
    for (const auto &n : tree.records) cr_assert(n.label != "ROOT-PRIVATE", "root's record was read");
}
