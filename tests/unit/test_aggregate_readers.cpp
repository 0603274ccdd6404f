// The two record readers: record_from_json (jansson, the reference) and
// FastRecordReader (what pyimport-aggregate uses: a canonical-layout tier, a
// simdjson tier, then the reference). Round trips pass through both; every
// bad text gets the same one-line message from both; thousands of mutated
// records are judged alike, in and out of the canonical layout; and the tier
// that took a text is checked where it matters.
#include "../../helper/aggregate/file_batches.hpp"
#include "../../helper/aggregate/file_feed.hpp"
#include "../../helper/aggregate/load.hpp"
#include "aggregate_fixtures.hpp"
#include "record.hpp"

#include <cstddef>
#include <cstring>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <random>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

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

// A record the canonical tier reads whole: every optional part present, all
// text printable ASCII without escapes.
Record canonical_record() {
    Record r = full_record();
    r.run.argv.back() = "import numpy, os.path";
    r.gaggle.interpreters[1].stderr_tail = "ModuleNotFoundError: No module named numpy";
    r.gaggle.interpreters[0].start_skew_ns = 123456789;
    return r;
}

struct Verdict {
    bool ok;
    std::string text;  // the record written again, or the message
};

Verdict reference(const std::string &text) {
    std::string error;
    auto rec = record_from_json(text, error);
    return rec ? Verdict{true, record_to_json(*rec)} : Verdict{false, error};
}

Verdict fast(FastRecordReader &reader, const std::string &text) {
    Record rec;
    std::string error;
    return reader.parse(text, rec, error) ? Verdict{true, record_to_json(rec)} : Verdict{false, error};
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

std::string replaced_everywhere(std::string text, const std::string &from, const std::string &to) {
    for (size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) text.replace(at, from.size(), to);
    return text;
}

// The text compact, as json.dumps(separators=(",", ":")) would write it.
std::string one_line(std::string text) {
    for (const char *indent : {"\n   ", "\n  ", "\n ", "\n"}) text = replaced_everywhere(text, indent, "");
    return replaced_everywhere(text, "\": ", "\":");
}

} // namespace

Test(aggregate_readers, round_trip_through_both) {
    FastRecordReader reader;
    for (Record r : {full_record(), unit::make_record({})}) {
        const std::string text = record_to_json(r);
        Record back;
        std::string error;
        cr_assert(reader.parse(text, back, error), "fast reader refused: %s", error.c_str());
        expect_eq(record_to_json(back), text, "fast round trip");
        expect_eq(reference(text).text, text, "reference round trip");
    }
    cr_assert_eq(reader.referred(), 0u, "a good record went to the reference reader");
}

Test(aggregate_readers, reader_reuse_leaves_nothing_behind) {
    // The reader keeps its buffers and the Record's strings between files: a
    // record without the optional parts must not inherit them.
    FastRecordReader reader;
    Record rec;
    std::string error;
    cr_assert(reader.parse(record_to_json(full_record()), rec, error));
    const std::string plain = record_to_json(unit::make_record({}));
    cr_assert(reader.parse(plain, rec, error), "%s", error.c_str());
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
        {"future version", replaced(good, "\"version\": 1", "\"version\": 2")},
        {"version 0", replaced(good, "\"version\": 1", "\"version\": 0")},
        {"version as text", replaced(good, "\"version\": 1", "\"version\": \"1\"")},
        {"missing field", replaced(good, "\"user\"", "\"usr\"")},
        {"mistyped field", replaced(good, "\"step\": 7", "\"step\": \"7\"")},
        {"real for integer", replaced(good, "\"step\": 7", "\"step\": 7.0")},
        {"integer too big", replaced(good, "\"step\": 7", "\"step\": 18446744073709551615")},
        {"NUL in text", replaced(good, "\"hpc1\"", "\"hp\\u0000c1\"")},
        {"lone surrogate", replaced(good, "\"hpc1\"", "\"hp\\ud800c1\"")},
        {"lone low surrogate", replaced(good, "\"hpc1\"", "\"hp\\udc00c1\"")},
        {"control character", replaced(good, "\"hpc1\"", "\"hp\tc1\"")},
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

Test(aggregate_readers, mutated_canonical_records_are_judged_alike) {
    // The same in the canonical layout, so that the first tier judges them:
    // it must refuse what it cannot read exactly as the reference does.
    FastRecordReader reader;
    const std::string base = record_to_json(canonical_record());
    int accepted = mutations_judged_alike(reader, base, 5, 4000);
    cr_assert(accepted > 100 && accepted < 3900, "mutations should both pass and fail (%d accepted)", accepted);
    size_t canonical = 4000 - reader.general();
    cr_assert(canonical > 400, "the canonical tier judged only %zu of 4000 mutations", canonical);
}

Test(aggregate_readers, the_canonical_tier_reads_what_the_writer_writes) {
    FastRecordReader reader;
    for (Record r : {canonical_record(), unit::make_record({})}) {
        const std::string text = record_to_json(r);
        expect_eq(fast(reader, text).text, text, "canonical round trip");
    }
    cr_assert_eq(reader.general(), 0u, "a record as written went past the canonical tier");
    // Escapes and non-ASCII text are left to the general tier, which reads them alike.
    judged_alike(reader, record_to_json(full_record()), "escapes and UTF-8");
    cr_assert_eq(reader.general(), 1u);
    cr_assert_eq(reader.referred(), 0u);
}

Test(aggregate_readers, the_canonical_tier_refuses_what_it_cannot_read_exactly) {
    FastRecordReader reader;
    const std::string good = record_to_json(canonical_record());
    enum Tier { canonical, general, reference_reader };
    const struct {
        const char *what;
        std::string text;
        Tier tier;
    } cases[] = {
        {"largest int64", replaced(good, "\"start_skew_ns\": 123456789", "\"start_skew_ns\": 9223372036854775807"), canonical},
        {"smallest int64", replaced(good, "\"start_skew_ns\": 123456789", "\"start_skew_ns\": -9223372036854775808"), canonical},
        {"int64 plus one", replaced(good, "\"start_skew_ns\": 123456789", "\"start_skew_ns\": 9223372036854775808"), reference_reader},
        {"int64 minus one", replaced(good, "\"start_skew_ns\": 123456789", "\"start_skew_ns\": -9223372036854775809"), reference_reader},
        {"twenty digits", replaced(good, "\"start_skew_ns\": 123456789", "\"start_skew_ns\": 12345678901234567890"), reference_reader},
        {"negative zero", replaced(good, "\"start_skew_ns\": 123456789", "\"start_skew_ns\": -0"), canonical},
        {"leading zero", replaced(good, "\"start_skew_ns\": 123456789", "\"start_skew_ns\": 0123"), reference_reader},
        {"lone minus", replaced(good, "\"start_skew_ns\": 123456789", "\"start_skew_ns\": -"), reference_reader},
        {"real", replaced(good, "\"start_skew_ns\": 123456789", "\"start_skew_ns\": 123456789.0"), reference_reader},
        {"exponent", replaced(good, "\"start_skew_ns\": 123456789", "\"start_skew_ns\": 1E3"), reference_reader},
        {"int32 overflow", replaced(good, "\"pid\": 100", "\"pid\": 2147483648"), reference_reader},
        {"tabs and CRLF", replaced(replaced(good, "\n \"job\"", "\r\n\t\"job\""), "\"node\": ", "\"node\"\t:\t"), canonical},
        {"no whitespace", replaced(replaced(good, "\n ", ""), "\"format\": ", "\"format\":"), canonical},
        {"one line", one_line(good), canonical},
        {"indented otherwise", replaced_everywhere(good, "\n ", "\n  "), canonical},
        {"two spaces before a value", replaced(good, "\"pid\": 100", "\"pid\":  100"), canonical},
        {"another key, laid out alike", replaced(good, "\"pid\": 100", "\"pix\": 100"), reference_reader},
        {"key cut short", replaced(good, "\"pid\": 100", "\"pi\": 100"), reference_reader},
        {"trailing whitespace", good + " \n\t", canonical},
        {"trailing garbage", good + "x", reference_reader},
        {"trailing NUL", good + std::string(1, '\0'), reference_reader},
        {"members swapped", replaced(good, "\"program\": \"pyimport-gaggle\",\n  \"version\": \"0.1.0\"",
                                     "\"version\": \"0.1.0\",\n  \"program\": \"pyimport-gaggle\""), general},
        {"unknown member", replaced(good, "\"host\"", "\"extra\": [1, {}], \"host\""), general},
        {"derived count missing", replaced(good, "\"failed\": 2,", ""), general},
        {"escaped text", replaced(good, "\"n3\"", "\"n\\u0031\""), general},
        {"escaped key", replaced(good, "\"node\":", "\"nod\\u0065\":"), general},
        {"non-ASCII text", replaced(good, "\"n3\"", "\"n\xc3\xa9\""), general},
        {"DEL in text", replaced(good, "\"n3\"", "\"n\x7f\""), canonical},
        {"control character", replaced(good, "\"n3\"", "\"n\x01\""), reference_reader},
        {"fs ops unsorted", replaced(good, "\"getattr\": 12345,\n  \"lookup\": 678", "\"lookup\": 678, \"getattr\": 12345"), general},
        {"fs ops repeated", replaced(good, "\"getattr\": 12345,\n  \"lookup\": 678", "\"getattr\": 1, \"getattr\": 2"), reference_reader},
        {"fs op not an integer", replaced(good, "\"lookup\": 678", "\"lookup\": \"678\""), general},
        {"optional member null", replaced(good, "\"exec_errno\": 2", "\"exec_errno\": null"), reference_reader},
        {"version 2", replaced(good, "\"version\": 1", "\"version\": 2"), reference_reader},
        {"not a record", replaced(good, "pyimport-bench-record", "pyimport-bench-recorx"), reference_reader},
    };
    for (const auto &c : cases) {
        size_t general_before = reader.general(), referred_before = reader.referred();
        judged_alike(reader, c.text, c.what);
        Tier took = reader.referred() > referred_before ? reference_reader
                    : reader.general() > general_before ? general
                                                        : canonical;
        cr_assert_eq(took, c.tier, "%s: read by tier %d, expected %d", c.what, int(took), int(c.tier));
    }
}

Test(aggregate_readers, files) {
    unit::TempDir dir;
    FastRecordReader reader;
    Record rec;
    std::string error;
    cr_assert(!reader.read_file(dir.file("missing.json"), rec, error));
    unit::expect_message(error, {"cannot read: No such file or directory"});
    cr_assert(!reader.read_file(dir.path(), rec, error));
    unit::expect_message(error, {"cannot read: Is a directory"});
    unit::write_text(dir.file("empty.json"), "");
    cr_assert(!reader.read_file(dir.file("empty.json"), rec, error));
    expect_eq(error, reference("").text, "empty file");
    // Bigger than the reader's first buffer: it grows.
    Record big = full_record();
    big.gaggle.interpreters[1].stderr_tail = std::string(200'000, 'x');
    unit::write_text(dir.file("big.json"), record_to_json(big));
    cr_assert(reader.read_file(dir.file("big.json"), rec, error), "%s", error.c_str());
    expect_eq(record_to_json(rec), record_to_json(big), "big record");
}

Test(aggregate_readers, oversized_file) {
    unit::TempDir dir;
    int fd = open(dir.file("huge.json").c_str(), O_CREAT | O_WRONLY, 0644);
    cr_assert(fd >= 0 && ftruncate(fd, off_t(FastRecordReader::kMaxRecordBytes) + 10) == 0);
    close(fd);
    FastRecordReader reader;
    Record rec;
    std::string error;
    cr_assert(!reader.read_file(dir.file("huge.json"), rec, error));
    unit::expect_message(error, {"too large to be a record"});
}

Test(aggregate_readers, load_records_in_parallel_names_each_file) {
    unit::TempDir dir;
    std::vector<std::string> files;
    for (int i = 0; i < 300; ++i) {
        unit::NodeSpec s;
        s.job = uint32_t(1 + i);
        files.push_back(unit::write_record(dir, s));
    }
    unit::write_text(dir.file("zz-bad.json"), "{");
    files.insert(files.begin() + 150, dir.file("zz-bad.json"));
    std::vector<agg::Problem> problems;
    const auto tree = agg::load_records(files, 4, problems);
    cr_assert_eq(tree.nodes.size(), 300u);
    cr_assert_eq(tree.bad_files, 1u);
    cr_assert_eq(problems.size(), 1u);
    expect_eq(problems[0].subject, dir.file("zz-bad.json"), "bad file named");
    std::vector<bool> seen(files.size());
    for (const agg::NodeRecord *n : tree.nodes) {
        const size_t expected = n->job_id <= 150 ? n->job_id - 1 : n->job_id;  // zz-bad.json sits at 150
        cr_assert_eq(n->file, expected, "job %u read from file %zu", n->job_id, n->file);
        cr_assert(!seen[n->file], "file %zu twice", n->file);
        seen[n->file] = true;
    }
}

Test(aggregate_readers, the_feeds_path_order_is_a_sort_of_the_paths) {
    // Paths alike for a long prefix and then over few letters, of all
    // lengths around the 16 bytes compared as integers, many twice.
    std::mt19937 rng(4);
    std::vector<std::string> paths;
    for (int i = 0; i < 3000; ++i) {
        std::string p = "/shared/pyimport/";
        for (size_t n = rng() % 28; n > 0; --n) p += "ab/.0-"[rng() % 6];
        paths.push_back(p);
    }
    agg::FileFeed feed;
    for (const auto &p : paths) feed.add(p);
    feed.close();
    std::vector<std::string> ordered;
    for (size_t i : feed.path_order()) ordered.push_back(feed.at(i));
    std::sort(paths.begin(), paths.end());
    paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
    cr_assert(ordered == paths, "%zu paths in order, %zu expected", ordered.size(), paths.size());
}

Test(aggregate_readers, load_record_tree_lists_each_file_once_in_path_order) {
    // Read while the scan still lists them, and the scan's order is the
    // directory's: the tree must still list every file once, sorted, and
    // report problems in that order, whatever the threads did.
    unit::TempDir dir;
    for (const char *sub : {"/a", "/a/b", "/pyimport-cluster-00000000"}) cr_assert(mkdir((dir.path() + sub).c_str(), 0755) == 0);
    const std::string good = record_to_json(canonical_record());
    const std::vector<std::string> names = {
        "a.json", "a-b.json", "a0.json", "ab.json", "z.json", "a/x.json", "a/b/y.json",
        // alike for their first 16 bytes after the shared prefix, or shorter than that
        "pyimport-cluster-0000000000000001.json", "pyimport-cluster-0000000000000002.json",
        "pyimport-cluster-00000000.json", "pyimport-cluster-00000000/n.json", "pyimport-cluster-0.json",
        // alike for 8 bytes, then not
        "pyimport-b.json", "pyimport-a.json"};
    std::vector<std::string> expected;
    for (size_t i = 0; i < names.size(); ++i) {
        unit::write_text(dir.file(names[i]), i % 3 ? good : "{");  // every third is bad
        expected.push_back(dir.file(names[i]));
    }
    std::sort(expected.begin(), expected.end());
    // Overlapping paths: the directory, one below it and a file in it, twice over.
    const std::vector<std::string> paths = {dir.file("missing"), dir.path(), dir.file("a"), dir.file("a.json"), dir.path()};
    std::vector<std::string> outcome_one;
    for (unsigned threads : {1u, 3u}) {
        std::vector<agg::Problem> problems;
        const auto tree = agg::load_record_tree(paths, threads, problems);
        cr_assert_eq(tree.files.size(), expected.size());
        for (size_t i = 0; i < expected.size(); ++i) expect_eq(tree.files[i], expected[i], "file order");
        cr_assert_eq(tree.nodes.size() + tree.bad_files, expected.size());
        for (const agg::NodeRecord *n : tree.nodes) cr_assert(n->file < tree.files.size());
        cr_assert_eq(tree.bad_files, (names.size() + 2) / 3);
        cr_assert_eq(problems.size(), 1 + tree.bad_files);
        expect_eq(problems[0].subject, dir.file("missing"), "the scan's problem first");
        for (size_t i = 2; i < problems.size(); ++i) cr_assert(problems[i - 1].subject < problems[i].subject, "bad files in order");
        std::vector<std::string> outcome;
        for (const auto &p : problems) outcome.push_back(p.subject + ": " + p.message);
        if (threads == 1) outcome_one = outcome;
        else cr_assert(outcome == outcome_one, "the problems differ with %u threads", threads);
    }
}

namespace {

// load_records over `files`, as "node index:file" (in file order) and "file: message" lines.
std::vector<std::string> load_outcome(const std::vector<std::string> &files) {
    std::vector<agg::Problem> problems;
    const auto tree = agg::load_records(files, 2, problems);
    std::vector<const agg::NodeRecord *> nodes = tree.nodes;
    std::sort(nodes.begin(), nodes.end(), [](auto *a, auto *b) { return a->file < b->file; });
    std::vector<std::string> out;
    for (const agg::NodeRecord *n : nodes)
        out.push_back(std::to_string(n->node_index) + ":" + files[n->file] + " " + std::to_string(n->interpreters.size()));
    for (const auto &p : problems) out.push_back(p.subject + ": " + p.message);
    return out;
}

} // namespace

Test(aggregate_readers, io_uring_and_plain_reads_agree_on_every_kind_of_file) {
    unit::TempDir dir;
    cr_assert(agg::FileBatches(FastRecordReader::kPadding).usable(),
              "io_uring is not usable here: the batched path would go untested");
    std::vector<std::string> files;
    for (int i = 0; i < 100; ++i) {  // several batches, and a last one not full
        unit::NodeSpec s;
        s.job = 7;
        s.node_index = i;
        s.node_count = 100;
        files.push_back(unit::write_record(dir, s));
    }
    Record big = full_record();  // over one slot: read again the plain way
    big.gaggle.interpreters[1].stderr_tail = std::string(agg::FileBatches::kSlotBytes, 'x');
    unit::write_text(dir.file("big.json"), record_to_json(big));
    // Exactly one slot long: the reader cannot tell it from a longer one.
    std::string exact = record_to_json(canonical_record());
    exact += std::string(agg::FileBatches::kSlotBytes - exact.size(), ' ');
    unit::write_text(dir.file("exact.json"), exact);
    unit::write_text(dir.file("empty.json"), "");
    unit::write_text(dir.file("short.json"), "{\"format\"");
    for (const char *name : {"big.json", "missing.json", "exact.json", "empty.json", "short.json"})
        files.insert(files.begin() + 40, dir.file(name));
    files.insert(files.begin() + 70, dir.path());  // a directory
    std::sort(files.begin(), files.end());

    unsetenv("PYIMPORT_AGGREGATE_IO");
    const auto batched = load_outcome(files);
    setenv("PYIMPORT_AGGREGATE_IO", "plain", 1);
    cr_assert(!agg::FileBatches(FastRecordReader::kPadding).usable());
    const auto plain = load_outcome(files);
    cr_assert_eq(batched.size(), 102u + 4u, "%zu outcomes", batched.size());
    for (size_t i = 0; i < plain.size(); ++i) expect_eq(batched.at(i), plain[i], "outcome");
    auto has = [&](const std::string &line) { return std::find(plain.begin(), plain.end(), line) != plain.end(); };
    cr_assert(has(dir.file("missing.json") + ": cannot read: No such file or directory"));
    cr_assert(has(dir.path() + ": cannot read: Is a directory"));
    cr_assert(has("2:" + dir.file("big.json") + " 3"), "the big record was read");
    cr_assert(has("2:" + dir.file("exact.json") + " 3"), "the record of exactly one slot was read");
}

Test(aggregate_readers, io_uring_failing_midway_falls_back_to_plain_reads) {
    // A seccomp filter makes io_uring_enter fail with EPERM while setting a
    // ring up still works: the batched reader fails on its first batch, gives
    // io_uring up, and every file is still read, the plain way.
    unit::TempDir dir;
    std::vector<std::string> files;
    for (int i = 0; i < 40; ++i) {
        unit::NodeSpec s;
        s.node_index = i;
        s.node_count = 40;
        files.push_back(unit::write_record(dir, s));
    }
    files.push_back(dir.file("missing.json"));
    std::sort(files.begin(), files.end());
    const auto before = load_outcome(files);

    sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_enter, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog program = {static_cast<unsigned short>(std::size(filter)), filter};
    cr_assert(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0,
              "cannot install the seccomp filter: %s", std::strerror(errno));
    agg::FileBatches batches(FastRecordReader::kPadding);
    cr_assert(batches.usable(), "a ring can still be set up");
    const std::string *first[] = {&files[0], &files[1], &files[2], &files[3]};
    cr_assert(!batches.read(first, 4), "the batch fails");
    cr_assert(!batches.usable(), "and io_uring is given up");

    const auto after = load_outcome(files);
    cr_assert_eq(after.size(), 41u);
    for (size_t i = 0; i < after.size(); ++i) expect_eq(after[i], before[i], "outcome");
}
