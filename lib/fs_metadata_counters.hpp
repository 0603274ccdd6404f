// A shared file system's cumulative metadata-operation counters, read before
// and after a gaggle and diffed into Record::fs_metadata_ops, so a report can
// say why a run was slow (how often the environment hit the metadata server).
//
// Readers, by the kind of the mount holding the path:
//   "moosefs"  MOUNT/.stats (mfsmount's per-mount counters)
//   "nfs"      the mount's block in /proc/self/mountstats (RPC counts per op)
//   "lustre"   llite stats (/proc/fs/lustre/llite/<fsname>-<hex>/stats, or
//              the same under /sys/fs/lustre or /sys/kernel/debug/lustre)
// Any other file system (ext4, tmpfs, overlay, squashfs, ...) has no counters.
//
// The counters are per mount (MooseFS, Lustre) or per NFS superblock, not per
// process: whatever else uses the mount between the two snapshots is counted
// too. Reading MooseFS's .stats itself counts (about one open and one getattr
// per read; the "after" read lands in the difference).
//
// Implemented in lib/fs_metadata_counters.cpp (totals, snapshot, diff) and
// lib/fs_counters_{moosefs,nfs,lustre}.cpp (each kind's parser and reader);
// the mount lookup is lib/mountinfo.*.
//
// No Slurm. Failures are reported through Result (lib/result.hpp); only
// an exception of the standard library (std::bad_alloc) can leave a function
// declared here, and is caught by the caller's one guard: the plugin's C
// entry points (spank_plugin/core_entry_points.cpp) or a program's main().
#pragma once
#include "result.hpp"

#include "mountinfo.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pyimport {

using CounterMap = std::map<std::string, int64_t>;

struct MetadataSnapshot {
    std::string kind;         // "moosefs", "nfs" or "lustre"
    std::string mount_point;  // where the file system is mounted
    std::string instance;     // the counters' source: the .stats path, "mountstats", the llite stats path
    CounterMap counters;      // cumulative values, named as the parser of `kind` names them
};

// Where the readers look; the defaults are the live system's files. Tests
// point them at captured or made-up copies.
struct MetadataCounterSources {
    std::string mountinfo = "/proc/self/mountinfo";
    std::string nfs_mountstats = "/proc/self/mountstats";
    std::vector<std::string> lustre_llite_roots = {"/proc/fs/lustre/llite", "/sys/fs/lustre/llite",
                                                   "/sys/kernel/debug/lustre/llite"};
};

// The counters of the file system holding `path` (resolved with realpath; the
// mount is the longest mount point in mountinfo that is a path prefix of it).
// For an environment directory pass the directory; for an image pass the image
// file on the shared FS (the squashfs or squashfuse mount has no counters).
//   a snapshot   the file system exposes counters and they were read
//   nullopt      this file system exposes no counters (ext4, tmpfs, ...)
//   a failure    one line: the path cannot be resolved, mountinfo cannot
//                be read, or a reader failed on a file system that
//                should have counters (MooseFS, NFS, Lustre)
Result<std::optional<MetadataSnapshot>> snapshot_metadata_counters(const std::string &path);
Result<std::optional<MetadataSnapshot>> snapshot_metadata_counters(const std::string &path,
                                                                   const MetadataCounterSources &sources);

// after - before, for Record::fs_metadata_ops:
//   "<kind>.<counter>"  every counter present in both snapshots whose
//                       difference is not zero (e.g. "moosefs.lookup.master.positive",
//                       "nfs.LOOKUP", "lustre.getattr")
//   "lookups", "getattrs", "opens", "metadata_total"
//                       normalized totals, comparable across file systems:
//                       the sum of the differences of the counters listed in
//                       metadata_total_inputs(kind, total). A total is written
//                       (also when 0) when at least one of its counters is in
//                       both snapshots, and left out otherwise (e.g. "lookups"
//                       on Lustre, whose llite stats count no lookups; "opens"
//                       on NFSv3, which has no OPEN call).
//   "counters_reset": 1 and nothing else
//                       when the snapshots cannot be compared: a counter went
//                       backwards (the file system was remounted in between),
//                       or kind, mount point or instance differ. A remount
//                       zeroes every counter, and one that has climbed past its
//                       old value would give a plausible but wrong number, so
//                       no difference is reported at all.
CounterMap diff_metadata_counters(const MetadataSnapshot &before, const MetadataSnapshot &after);

// The names of the counters (as in MetadataSnapshot::counters of `kind`)
// summed into a normalized total ("lookups", "getattrs", "opens",
// "metadata_total"); empty for an unknown kind or total, or a total the kind
// cannot give.
//   moosefs  lookups   lookup.master.positive, lookup.master.negative, lookup.master.error
//                      (lookups answered by the master; lookup.cached.* and
//                      lookup.internal never leave the client)
//            getattrs  getattr (every getattr the kernel sent to mfsmount)
//            opens     open
//            metadata_total  the lookups above, getattr, setattr, access,
//                      readlink.master, opendir, readdir, open, create, mknod,
//                      mkdir, unlink, rmdir, symlink, rename, link, statfs,
//                      getxattr, setxattr, listxattr, removexattr
//                      (not read, write, flush, fsync, release, releasedir,
//                      locks, nor the cached variants)
//   nfs      lookups   LOOKUP, LOOKUPP
//            getattrs  GETATTR
//            opens     OPEN, OPEN_NOATTR (NFSv4 only)
//            metadata_total  GETATTR, SETATTR, LOOKUP, LOOKUPP, ACCESS, READLINK,
//                      READDIR, READDIRPLUS, CREATE, MKDIR, SYMLINK, MKNOD, REMOVE,
//                      RMDIR, RENAME, LINK, OPEN, OPEN_NOATTR, CLOSE, FSSTAT,
//                      FSINFO, PATHCONF, STATFS, GETACL, SETACL, GETXATTR,
//                      SETXATTR, LISTXATTRS, REMOVEXATTR
//                      (RPCs sent; not READ, WRITE, COMMIT, locks, state,
//                      session or layout calls)
//   lustre   lookups   none: llite stats have no lookup counter
//            getattrs  getattr
//            opens     open
//            metadata_total  open, close, getattr, setattr, create, link, unlink,
//                      symlink, mkdir, rmdir, mknod, rename, statfs, readdir,
//                      getxattr, setxattr, listxattr, removexattr
//                      (client VFS calls; the client's lock cache answers some
//                      without an MDS RPC. Not inode_permission, getxattr_hits,
//                      I/O or locks)
std::vector<std::string> metadata_total_inputs(const std::string &kind, const std::string &total);

// ---- pure parsers, on text (unit-tested on captured samples) ------------------
// (mountinfo's, parse_mountinfo and find_mount, are in mountinfo.hpp.)

// "moosefs", "nfs", "lustre", or "" for a file system without counters.
// MooseFS: type fuse.mfs, fuse.mfsmount or fuse.moosefs, or any FUSE type
// with a source "mfs#..." (mfsmount on FUSE 2 shows type "fuse").
std::string metadata_counter_kind(const MountEntry &mount);

// MooseFS MOUNT/.stats: "name: value" lines. The "fuse_ops." prefix is
// dropped ("fuse_ops.lookup.master.positive" -> "lookup.master.positive"; the
// grand total "fuse_ops" stays). Bracketed values ("[31]") are gauges, not
// counters, and are skipped, as are lines that do not parse.
CounterMap parse_moosefs_stats(const std::string &text);

// /proc/self/mountstats: the per-op RPC counts ("LOOKUP", "GETATTR", ...; the
// first number of each per-op line) of the last NFS block mounted on
// `mount_point`. nullopt when there is no such block or it has no per-op
// statistics. Unknown lines are ignored.
std::optional<CounterMap> parse_nfs_mountstats(const std::string &text, const std::string &mount_point);

// Lustre llite stats: "name  COUNT samples [unit] ..." -> name: COUNT.
// snapshot_time, start_time, elapsed_time and lines that do not parse are skipped.
CounterMap parse_lustre_llite_stats(const std::string &text);

// The file system name of a Lustre mount source ("10.0.0.1@tcp:/scratch",
// "a@o2ib:b@o2ib:/scratch/sub" -> "scratch"); "" when there is none.
std::string lustre_fsname(const std::string &source);

// The llite instance ("<fsname>-<hex>") of `fsname` among `instances`
// (directory names under an llite root). Fails with one line when
// there is none, or more than one (the same file system mounted twice: the
// instance name does not say which mount it is).
Result<std::string> pick_llite_instance(const std::vector<std::string> &instances, const std::string &fsname);

} // namespace pyimport
