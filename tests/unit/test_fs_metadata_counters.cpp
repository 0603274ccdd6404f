// Shared-FS metadata counters (lib/fs_metadata_counters.*): the parsers on the
// samples in tests/unit/samples/ (MooseFS captured live here; NFS and Lustre
// written from their documented formats), the diff and its totals, counters
// going backwards, the mount lookup, and whole snapshots through made-up
// /proc files. The live MooseFS check is tests/integration/22-moosefs-counters.sh.
#include "fs_metadata_counters.hpp"
#include "unit_support.hpp"

#include <algorithm>
#include <initializer_list>
#include <tuple>
#include <utility>
#include <sys/stat.h>

using namespace pyimport;
using unit::expect_eq;
using unit::expect_message;

namespace {

int64_t at(const CounterMap &m, const std::string &key) {
    auto it = m.find(key);
    cr_assert(it != m.end(), "no '%s'", key.c_str());
    return it->second;
}

void expect_counter(const CounterMap &m, const std::string &key, int64_t expected) {
    const int64_t got = at(m, key);
    cr_expect_eq(got, expected, "%s: got %lld, expected %lld", key.c_str(), (long long)got, (long long)expected);
}

void expect_counters(const CounterMap &m, std::initializer_list<std::pair<const char *, int64_t>> expected) {
    for (const auto &[key, value] : expected) expect_counter(m, key, value);
}

void expect_absent(const CounterMap &m, const std::string &key) {
    cr_expect(m.find(key) == m.end(), "'%s' should be absent, is %lld", key.c_str(),
              m.count(key) ? (long long)m.at(key) : 0LL);
}

MetadataSnapshot snap(const std::string &kind, CounterMap counters, const std::string &instance = "i") {
    return MetadataSnapshot{kind, "/mnt", instance, std::move(counters)};
}

// The same counters, all zero: the diff from it is the snapshot's own values.
MetadataSnapshot zeroed(const MetadataSnapshot &s) {
    MetadataSnapshot z = s;
    for (auto &kv : z.counters) kv.second = 0;
    return z;
}

// A directory `name` in `dir`; a file `name` in `dir` holding `text`: their paths.
std::string make_dir(const unit::TempDir &dir, const std::string &name) {
    cr_assert(mkdir(dir.file(name).c_str(), 0755) == 0, "mkdir %s: %s", name.c_str(), std::strerror(errno));
    return dir.file(name);
}
std::string make_file(const unit::TempDir &dir, const std::string &name, const std::string &text) {
    unit::write_text(dir.file(name), text);
    return dir.file(name);
}

// A mountinfo that puts `fs_type source` on `mount_point`, over an ext4 root.
std::string fake_mountinfo(const std::string &mount_point, const std::string &fs_type, const std::string &source) {
    return "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
           "90 27 0:90 / " + mount_point + " rw,relatime - " + fs_type + " " + source + " rw\n";
}

// A snapshot was taken (not: this file system has no counters, or a failure).
bool taken(const Result<std::optional<MetadataSnapshot>> &result) { return result && result->has_value(); }

} // namespace

// ---- mountinfo ----------------------------------------------------------------

Test(mountinfo, parses_entries_and_undoes_escapes) {
    const auto mounts = parse_mountinfo(unit::sample("mountinfo.txt"));
    cr_assert_eq(mounts.size(), 13u, "13 well-formed lines, got %zu (the two malformed ones skipped)", mounts.size());
    cr_expect(mounts[4].mount_point == "/tmp/mfs-counters/mnt");
    cr_expect(mounts[4].fs_type == "fuse");
    cr_expect(mounts[4].source == "mfs#192.0.2.2:19621", "\\043 undone: '%s'", mounts[4].source.c_str());
    cr_expect(mounts[8].fs_type == "fuse.mfsmount", "optional fields skipped: '%s'", mounts[8].fs_type.c_str());
    cr_expect(mounts[9].mount_point == "/mnt/proj data", "\\040 undone: '%s'", mounts[9].mount_point.c_str());
    cr_expect(mounts[10].source == "10.0.0.1@o2ib:10.0.0.2@o2ib:/scratch");
}

Test(mountinfo, longest_prefix_wins) {
    const auto mounts = parse_mountinfo(unit::sample("mountinfo.txt"));
    // PATH -> "MOUNT_POINT TYPE" of the mount holding it
    const std::pair<const char *, const char *> cases[] = {
        {"/tmp/mfs-counters/mnt/env/bin/python3", "/tmp/mfs-counters/mnt fuse"},
        {"/tmp/mfs-counters/mnt", "/tmp/mfs-counters/mnt fuse"},                      // the mount point itself
        {"/tmp/mfs-counters/mnt/img/usr/lib", "/tmp/mfs-counters/mnt/img squashfs"},  // an image on the shared FS
        {"/tmp/mfs-counters/mntx/f", "/ ext4"},                                       // a name prefix only
        {"/sw/envs/conda/lib", "/sw/envs/conda fuse.mfsmount"},                       // nested
        {"/sw/envs/other", "/sw nfs4"},                                               // the mount on top of /sw
        {"/swap", "/ ext4"},
        {"/mnt/proj data/x", "/mnt/proj data nfs4"},
        {"/", "/ ext4"},
    };
    for (const auto &[path, expected] : cases) {
        auto m = find_mount(mounts, path);
        cr_assert(m.has_value(), "no mount for %s", path);
        expect_eq(m->mount_point + " " + m->fs_type, expected, path);
    }
    cr_expect(!find_mount(mounts, "relative/path").has_value(), "a relative path is in no mount");
    cr_expect(!find_mount({}, "/x").has_value(), "no mounts");
}

Test(mountinfo, kinds) {
    // TYPE, SOURCE -> kind
    const std::tuple<const char *, const char *, const char *> cases[] = {
        {"fuse", "mfs#192.0.2.2:19621", "moosefs"},  // mfsmount on FUSE 2, as seen here
        {"fuse.mfs", "mfs#master:9421", "moosefs"},
        {"fuse.mfsmount", "master:9421", "moosefs"},
        {"fuse.moosefs", "x", "moosefs"},
        {"fuse.sshfs", "alice@login:/home", ""},
        {"fuse", "squashfuse", ""},
        {"nfs", "srv:/x", "nfs"},
        {"nfs4", "srv:/x", "nfs"},
        {"lustre", "10.0.0.1@tcp:/scratch", "lustre"},
        {"ext4", "/dev/vda", ""},
        {"tmpfs", "tmpfs", ""},
        {"overlay", "overlay", ""},
        {"squashfs", "/dev/loop0", ""},
        {"xfs", "/dev/sdb", ""},
        {"proc", "proc", ""},
    };
    for (const auto &[type, source, expected] : cases)
        expect_eq(metadata_counter_kind({"/m", type, source}), expected, type);
}

// ---- parsers ------------------------------------------------------------------

Test(parsers, moosefs_stats_live_sample) {
    const CounterMap c = parse_moosefs_stats(unit::sample("moosefs-stats-after.txt"));
    cr_expect_eq(c.size(), 54u, "57 counter lines minus 3 gauges, got %zu", c.size());
    expect_counters(c, {
        {"fuse_ops", 576},
        {"lookup", 218},
        {"lookup.master", 156},
        {"lookup.master.positive", 113},
        {"lookup.master.negative", 43},
        {"lookup.master.error", 0},
        {"lookup.cached.readdir", 60},
        {"getattr", 25},
        {"getattr-cached", 0},
        {"readlink.master", 1},
        {"readdir.with_attrs+", 2},
        {"open", 34},
        {"symlink_cache.search_hits", 1},
        {"master.bytes_received", 19096},
    });
    expect_absent(c, "master.usec_ping");        // "[175]": a gauge
    expect_absent(c, "master.usec_timediff");
    expect_absent(c, "symlink_cache.#links");    // "[1]"
    expect_absent(c, "fuse_ops.open");           // the prefix is dropped
    expect_absent(c, "# MooseFS 3.0.117 (Debian 12 moosefs-client, FUSE 7.31) MOUNT/.stats, captured live with");
}

Test(parsers, moosefs_stats_tolerates_junk) {
    const CounterMap c = parse_moosefs_stats("fuse_ops.open: 5\r\nnonsense\nx: -3\ny: 12abc\nz: 99999999999999999999\n"
                                             "  fuse_ops.read :  7  \nw:\n: 4\nlast: 1");
    cr_expect_eq(c.size(), 3u, "got %zu", c.size());
    expect_counters(c, {
        {"open", 5},
        {"read", 7},
        {"last", 1},
    });
    cr_expect(parse_moosefs_stats("").empty());
}

Test(parsers, nfs_mountstats_v4_mount_on_top) {
    auto c = parse_nfs_mountstats(unit::sample("nfs-mountstats.txt"), "/sw");
    cr_assert(c.has_value(), "no block for /sw");
    cr_expect_eq(c->size(), 69u, "the NFSv4.2 block's 69 ops, got %zu", c->size());
    expect_counters(*c, {
        {"LOOKUP", 9241},  // the NFSv3 block under it has 5
        {"LOOKUPP", 2},
        {"GETATTR", 5123},
        {"OPEN", 812},
        {"OPEN_NOATTR", 3},
        {"CLOSE", 815},
        {"ACCESS", 640},
        {"READLINK", 118},
        {"READ", 1530},
        {"SEQUENCE", 40},
        {"READ_PLUS", 0},
    });
    expect_absent(*c, "READDIRPLUS");  // NFSv3 only
}

Test(parsers, nfs_mountstats_v3_and_escaped_mount_point) {
    const std::string text = unit::sample("nfs-mountstats.txt");
    auto home = parse_nfs_mountstats(text, "/home");
    cr_assert(home.has_value());
    cr_expect_eq(home->size(), 22u, "NFSv3 has 22 procedures, got %zu", home->size());
    expect_counters(*home, {
        {"LOOKUP", 3400},
        {"GETATTR", 1200},
        {"READDIRPLUS", 25},
        {"COMMIT", 12},
    });
    expect_absent(*home, "OPEN");
    auto proj = parse_nfs_mountstats(text, "/mnt/proj data");
    cr_assert(proj.has_value(), "mount point written with \\040");
    expect_counter(*proj, "LOOKUP", 77);
    cr_expect(!parse_nfs_mountstats(text, "/").has_value(), "ext4 root: no NFS block");
    cr_expect(!parse_nfs_mountstats(text, "/run").has_value(), "tmpfs");
    cr_expect(!parse_nfs_mountstats(text, "/nowhere").has_value());
    cr_expect(!parse_nfs_mountstats(text, "/mnt/proj").has_value(), "a prefix of a mount point is not it");
}

Test(parsers, nfs_mountstats_block_without_per_op_statistics) {
    const std::string text = "device s:/a mounted on /a with fstype nfs4 statvers=1.1\n"
                             "\tper-op statistics\n\t      LOOKUP: 10 10 0 0 0 0 0 0 0\n"
                             "device s:/b mounted on /a with fstype nfs4 statvers=1.1\n"
                             "\tage:\t3\n\t      LOOKUP: 99 99 0 0 0 0 0 0 0\n"
                             "device s:/c mounted on /c with fstype nfs4 statvers=1.1\n"
                             "\tper-op statistics\n\t      LOOKUP: 4 4 0 0 0 0 0 0 0\n\tlookup: 9 9\n"
                             "\t  GETATTR: x 1\n\t  ACCESS:\n\t      OPEN: 6 6 0 0 0 0 0 0 0\n";
    cr_expect(!parse_nfs_mountstats(text, "/a").has_value(),
              "the block on top has no per-op statistics: the one under it does not count instead");
    auto c = parse_nfs_mountstats(text, "/c");
    cr_assert(c.has_value());
    cr_expect_eq(c->size(), 2u, "lower-case, unparsable and empty op lines skipped, got %zu", c->size());
    expect_counter(*c, "LOOKUP", 4);
    expect_counter(*c, "OPEN", 6);
}

Test(parsers, lustre_llite_stats) {
    const CounterMap c = parse_lustre_llite_stats(unit::sample("lustre-llite-stats.txt"));
    cr_expect_eq(c.size(), 21u, "got %zu", c.size());
    expect_counters(c, {
        {"open", 815},
        {"close", 815},
        {"getattr", 5123},
        {"inode_permission", 24001},
        {"read_bytes", 1532},
        {"getxattr_hits", 600},
    });
    expect_absent(c, "snapshot_time");
    expect_absent(c, "elapsed_time");
    const CounterMap old = parse_lustre_llite_stats(unit::sample("lustre-llite-stats-old.txt"));
    cr_expect_eq(old.size(), 14u, "got %zu", old.size());
    expect_counters(old, {
        {"getattr", 131},
        {"open", 28},
        {"osc_read", 13},
    });
    cr_expect(parse_lustre_llite_stats("open 5 sample [reqs]\nclose x samples\n").empty());
}

Test(parsers, lustre_fsname_and_instance) {
    expect_eq(lustre_fsname("10.0.0.1@tcp:/scratch"), "scratch", "one NID");
    expect_eq(lustre_fsname("10.0.0.1@o2ib:10.0.0.2@o2ib:/scratch"), "scratch", "failover NIDs");
    expect_eq(lustre_fsname("10.0.0.1@tcp:/proj/envs"), "proj", "a subdirectory mount");
    expect_eq(lustre_fsname("/dev/sda1"), "", "not a Lustre source");
    auto one = pick_llite_instance({"proj-ffff9c3a11112222", "scratch-ffff9c3a6e1f8800", "scratch2-ffff88"}, "scratch");
    std::string error = unit::error_of(one);
    cr_assert(bool(one), "%s", error.c_str());
    expect_eq(*one, "scratch-ffff9c3a6e1f8800", "the instance");
    auto twice = pick_llite_instance({"scratch-ffff1", "scratch-ffff2"}, "scratch");
    error = unit::error_of(twice);
    cr_expect(!twice);
    expect_message(error, {"2 llite instances"});
    error.clear();
    auto none = pick_llite_instance({"scratch-xyz", "scratch-", "scratch"}, "scratch");
    error = unit::error_of(none);
    cr_expect(!none);
    expect_message(error, {"no llite instance"});
}

// ---- diff and totals -------------------------------------------------------------

Test(diff, hand_computed) {
    const auto before = snap("moosefs", {{"lookup.master.positive", 100}, {"lookup.master.negative", 40},
                                         {"getattr", 7}, {"open", 3}, {"read", 50}, {"access", 1}, {"only_before", 9}});
    const auto after = snap("moosefs", {{"lookup.master.positive", 150}, {"lookup.master.negative", 45},
                                        {"getattr", 7}, {"open", 10}, {"read", 80}, {"access", 3}, {"only_after", 2}});
    const CounterMap d = diff_metadata_counters(before, after);
    expect_counters(d, {
        {"moosefs.lookup.master.positive", 50},
        {"moosefs.lookup.master.negative", 5},
        {"moosefs.open", 7},
        {"moosefs.read", 30},
        {"moosefs.access", 2},
    });
    expect_absent(d, "moosefs.getattr");      // unchanged
    expect_absent(d, "moosefs.only_before");  // not in both
    expect_absent(d, "moosefs.only_after");
    expect_counters(d, {
        {"lookups", 55},  // 50 + 5 (lookup.master.error absent)
        {"getattrs", 0},  // a total is written also when 0
        {"opens", 7},
        {"metadata_total", 64},  // 50 + 5 + 0 (getattr) + 7 (open) + 2 (access); read is data
    });
    expect_absent(d, "counters_reset");
    cr_expect_eq(d.size(), 9u, "got %zu", d.size());
}

Test(diff, moosefs_live_samples) {
    MetadataSnapshot before{"moosefs", "/tmp/mfs-counters/mnt", "/tmp/mfs-counters/mnt/.stats",
                            parse_moosefs_stats(unit::sample("moosefs-stats-before.txt"))};
    MetadataSnapshot after = before;
    after.counters = parse_moosefs_stats(unit::sample("moosefs-stats-after.txt"));
    const CounterMap d = diff_metadata_counters(before, after);
    // By hand from the two files: 20 stat(1) of tree/a/f1..f20, each a lookup at the master, plus
    // "tree" and "a" (directory entries cached 1 s); the "after" read of .stats: one open, reads.
    expect_counters(d, {
        {"moosefs.lookup.master.positive", 22},
        {"moosefs.lookup.master", 22},
        {"moosefs.lookup", 22},
        {"moosefs.fuse_ops", 29},
        {"moosefs.getattr", 2},
        {"moosefs.open", 1},
        {"moosefs.release", 1},
        {"moosefs.read", 2},
        {"moosefs.flush", 1},
        {"moosefs.master.bytes_sent", 719},
        {"moosefs.master.bytes_received", 1776},
        {"moosefs.master.packets_sent", 23},
        {"moosefs.master.packets_received", 23},
        {"lookups", 22},
        {"getattrs", 2},
        {"opens", 1},
        {"metadata_total", 25},
    });
    cr_expect_eq(d.size(), 17u, "13 changed counters and 4 totals, got %zu", d.size());
}

Test(diff, nfs_totals_from_the_sample) {
    const std::string text = unit::sample("nfs-mountstats.txt");
    const auto v4 = snap("nfs", *parse_nfs_mountstats(text, "/sw"), "/proc/self/mountstats");
    const CounterMap d = diff_metadata_counters(zeroed(v4), v4);
    expect_counters(d, {
        {"lookups", 9243},  // LOOKUP 9241 + LOOKUPP 2
        {"getattrs", 5123},
        {"opens", 815},  // OPEN 812 + OPEN_NOATTR 3
    });
    // GETATTR 5123 + LOOKUP 9241 + LOOKUPP 2 + ACCESS 640 + READLINK 118 + READDIR 57 + OPEN 812
    // + OPEN_NOATTR 3 + CLOSE 815 + FSINFO 2 + PATHCONF 1 + STATFS 4 (not READ, SEQUENCE, LOOKUP_ROOT, ...)
    expect_counters(d, {
        {"metadata_total", 16818},
        {"nfs.LOOKUP", 9241},
        {"nfs.SEQUENCE", 40},
    });
    expect_absent(d, "nfs.WRITE");  // 0

    const auto v3 = snap("nfs", *parse_nfs_mountstats(text, "/home"), "/proc/self/mountstats");
    const CounterMap d3 = diff_metadata_counters(zeroed(v3), v3);
    expect_counter(d3, "lookups", 3400);
    expect_counter(d3, "getattrs", 1200);
    expect_absent(d3, "opens");  // NFSv3 has no OPEN call
    // GETATTR 1200 + SETATTR 9 + LOOKUP 3400 + ACCESS 410 + READLINK 7 + READDIRPLUS 25 + CREATE 6
    // + MKDIR 2 + REMOVE 4 + RENAME 1 + FSSTAT 3 + FSINFO 2 + PATHCONF 1
    expect_counter(d3, "metadata_total", 5070);
}

Test(diff, lustre_totals_from_the_samples) {
    const auto now = snap("lustre", parse_lustre_llite_stats(unit::sample("lustre-llite-stats.txt")));
    const CounterMap d = diff_metadata_counters(zeroed(now), now);
    expect_absent(d, "lookups");  // llite stats count no lookups
    expect_counter(d, "getattrs", 5123);
    expect_counter(d, "opens", 815);
    // open 815 + close 815 + getattr 5123 + setattr 2 + create 1 + unlink 1 + statfs 4 + readdir 57
    // + getxattr 640 (not inode_permission, getxattr_hits, read, mmap, ...)
    expect_counter(d, "metadata_total", 7458);
    expect_counter(d, "lustre.inode_permission", 24001);

    const auto old = snap("lustre", parse_lustre_llite_stats(unit::sample("lustre-llite-stats-old.txt")));
    const CounterMap d2 = diff_metadata_counters(zeroed(old), old);
    // open 28 + close 28 + setattr 1 + getattr 131 + getxattr 3 + statfs 1
    expect_counter(d2, "metadata_total", 192);
}

Test(diff, counters_going_backwards_report_a_reset) {
    // A remount between the snapshots: every counter restarted; some already climbed past the old value.
    const auto before = snap("moosefs", {{"lookup.master.positive", 100}, {"getattr", 5}, {"open", 30}});
    const auto after = snap("moosefs", {{"lookup.master.positive", 20}, {"getattr", 9}, {"open", 31}});
    const CounterMap d = diff_metadata_counters(before, after);
    cr_expect_eq(d.size(), 1u, "only the flag, got %zu entries", d.size());
    expect_counter(d, "counters_reset", 1);
    for (const auto &kv : d) cr_expect(kv.second >= 0, "%s is negative", kv.first.c_str());

    // Equal counters are no reset.
    const CounterMap same = diff_metadata_counters(before, before);
    expect_absent(same, "counters_reset");
    expect_counter(same, "lookups", 0);
}

Test(diff, snapshots_of_different_mounts_do_not_compare) {
    const auto a = snap("lustre", {{"open", 1}}, "/proc/fs/lustre/llite/scratch-ffff1/stats");
    const auto remounted = snap("lustre", {{"open", 5}}, "/proc/fs/lustre/llite/scratch-ffff2/stats");
    expect_counter(diff_metadata_counters(a, remounted), "counters_reset", 1);
    expect_counter(diff_metadata_counters(a, snap("nfs", {{"open", 5}})), "counters_reset", 1);
    auto moved = a;
    moved.mount_point = "/elsewhere";
    expect_counter(diff_metadata_counters(a, moved), "counters_reset", 1);
    cr_expect(diff_metadata_counters(MetadataSnapshot{}, MetadataSnapshot{}).empty(), "empty snapshots: nothing");
}

Test(diff, total_inputs_are_documented_lists) {
    cr_expect(metadata_total_inputs("lustre", "lookups").empty());
    cr_expect(metadata_total_inputs("ext4", "lookups").empty());
    cr_expect(metadata_total_inputs("nfs", "bogus").empty());
    const auto opens = metadata_total_inputs("nfs", "opens");
    cr_expect(opens == std::vector<std::string>({"OPEN", "OPEN_NOATTR"}));
    const auto lookups = metadata_total_inputs("moosefs", "lookups");
    cr_expect_eq(lookups.size(), 3u);
    // Every lookup, getattr and open input also counts in metadata_total.
    for (const char *kind : {"moosefs", "nfs", "lustre"}) {
        const auto all = metadata_total_inputs(kind, "metadata_total");
        cr_expect(!all.empty(), "%s", kind);
        for (const char *total : {"lookups", "getattrs", "opens"})
            for (const auto &name : metadata_total_inputs(kind, total))
                cr_expect(std::find(all.begin(), all.end(), name) != all.end(), "%s %s: %s not in metadata_total",
                          kind, total, name.c_str());
    }
}

// ---- whole snapshots ------------------------------------------------------------

Test(snapshot, local_disk_has_no_counters) {
    unit::TempDir dir;
    std::string error = "stale";
    auto probe = parse_mountinfo(unit::read_text("/proc/self/mountinfo"));
    auto m = find_mount(probe, dir.path());
    cr_assert(m.has_value());
    if (!metadata_counter_kind(*m).empty()) cr_skip_test("/tmp is on %s here", m->fs_type.c_str());
    auto local = snapshot_metadata_counters(dir.path());
    error = unit::error_of(local);
    cr_expect(!taken(local), "%s is on %s", dir.path().c_str(), m->fs_type.c_str());
    cr_expect(error.empty(), "no counters is not an error: '%s'", error.c_str());
    error = "stale";
    auto proc = snapshot_metadata_counters("/proc/self/status");
    error = unit::error_of(proc);
    cr_expect(!taken(proc));
    cr_expect(error.empty(), "'%s'", error.c_str());
}

Test(snapshot, missing_path_is_an_error) {
    auto missing = snapshot_metadata_counters("/nonexistent/pyimport/env");
    std::string error = unit::error_of(missing);
    cr_expect(!taken(missing));
    expect_message(error, {"/nonexistent/pyimport/env"});
    MetadataCounterSources sources;
    sources.mountinfo = "/nonexistent/mountinfo";
    error.clear();
    auto unreadable = snapshot_metadata_counters("/tmp", sources);
    error = unit::error_of(unreadable);
    cr_expect(!taken(unreadable));
    expect_message(error, {"/nonexistent/mountinfo"});
}

Test(snapshot, moosefs_through_made_up_proc) {
    unit::TempDir dir;
    const std::string mnt = make_dir(dir, "mnt");
    make_dir(dir, "mnt/env");
    make_file(dir, "mnt/.stats", unit::sample("moosefs-stats-before.txt"));
    MetadataCounterSources sources;
    sources.mountinfo = make_file(dir, "mountinfo", fake_mountinfo(mnt, "fuse", "mfs\\043192.0.2.2:19621"));
    auto result = snapshot_metadata_counters(mnt + "/env/../env", sources);
    std::string error = unit::error_of(result);
    cr_assert(taken(result), "%s", error.c_str());
    const auto &s = *result;
    cr_expect(error.empty());
    expect_eq(s->kind, "moosefs", "kind");
    expect_eq(s->mount_point, mnt, "mount point");
    expect_eq(s->instance, mnt + "/.stats", "instance");
    expect_counter(s->counters, "lookup.master.positive", 91);

    make_file(dir, "mnt/.stats", "nothing here\n");
    auto failed1 = snapshot_metadata_counters(mnt, sources);
    error = unit::error_of(failed1);
    cr_expect(!taken(failed1));
    expect_message(error, {"no MooseFS counters"});
    unlink(dir.file("mnt/.stats").c_str());
    error.clear();
    auto failed2 = snapshot_metadata_counters(mnt, sources);
    error = unit::error_of(failed2);
    cr_expect(!taken(failed2));
    expect_message(error, {".stats"});
}

Test(snapshot, nfs_through_made_up_proc) {
    unit::TempDir dir;
    const std::string mnt = make_dir(dir, "sw");
    std::string stats = unit::sample("nfs-mountstats.txt");
    // The sample's /sw block, moved to this test's mount point.
    const std::string from = "mounted on /sw with fstype nfs4", to = "mounted on " + mnt + " with fstype nfs4";
    stats.replace(stats.find(from), from.size(), to);
    MetadataCounterSources sources;
    sources.mountinfo = make_file(dir, "mountinfo", fake_mountinfo(mnt, "nfs4", "nfs2:/sw"));
    sources.nfs_mountstats = make_file(dir, "mountstats", stats);
    auto result = snapshot_metadata_counters(mnt, sources);
    std::string error = unit::error_of(result);
    cr_assert(taken(result), "%s", error.c_str());
    const auto &s = *result;
    expect_eq(s->kind, "nfs", "kind");
    expect_counter(s->counters, "LOOKUP", 9241);

    sources.nfs_mountstats = make_file(dir, "mountstats", "device nfs2:/sw mounted on /sw with fstype nfs4 statvers=1.1\n");
    auto failed3 = snapshot_metadata_counters(mnt, sources);
    error = unit::error_of(failed3);
    cr_expect(!taken(failed3));
    expect_message(error, {"no NFS per-op statistics"});
}

Test(snapshot, lustre_through_made_up_roots) {
    unit::TempDir dir;
    const std::string mnt = make_dir(dir, "scratch");
    make_dir(dir, "proc");      // Lustre < 2.12 would have the instance here: empty
    make_dir(dir, "sys");       // 2.12+: the instance without stats ...
    make_dir(dir, "sys/scratch-ffff9c3a6e1f8800");
    make_dir(dir, "debug");     // ... and its stats in debugfs
    make_dir(dir, "debug/scratch-ffff9c3a6e1f8800");
    make_dir(dir, "debug/proj-ffff9c3a11112222");
    make_file(dir, "debug/scratch-ffff9c3a6e1f8800/stats", unit::sample("lustre-llite-stats.txt"));
    MetadataCounterSources sources;
    sources.mountinfo = make_file(dir, "mountinfo", fake_mountinfo(mnt, "lustre", "10.0.0.1@o2ib:/scratch"));
    sources.lustre_llite_roots = {dir.file("missing"), dir.file("proc"), dir.file("sys"), dir.file("debug")};
    auto result = snapshot_metadata_counters(mnt, sources);
    std::string error = unit::error_of(result);
    cr_assert(taken(result), "%s", error.c_str());
    const auto &s = *result;
    expect_eq(s->kind, "lustre", "kind");
    expect_eq(s->instance, dir.file("debug/scratch-ffff9c3a6e1f8800/stats"), "instance");
    expect_counter(s->counters, "getattr", 5123);

    make_dir(dir, "debug/scratch-ffff9c3a00000000");  // mounted twice
    auto failed4 = snapshot_metadata_counters(mnt, sources);
    error = unit::error_of(failed4);
    cr_expect(!taken(failed4));
    expect_message(error, {"2 llite instances"});

    sources.lustre_llite_roots = {dir.file("proc")};
    auto failed5 = snapshot_metadata_counters(mnt, sources);
    error = unit::error_of(failed5);
    cr_expect(!taken(failed5));
    expect_message(error, {"no llite stats"});
}
