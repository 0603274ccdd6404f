// The per-node record, format "pyimport-bench-record" version 2: the one
// definition used by the plugin and pyimport-gaggle (writers) and by
// pyimport-aggregate (reader). Documented in pyimport-bench-record(5).
#pragma once
#include "result.hpp"

#include "clock_state.hpp"
#include "import_times.hpp"
#include "measurement.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace pyimport {

inline constexpr const char *kRecordFormat = "pyimport-bench-record";
// Version 2 added the common release (gaggle.sync ...) and the clock's
// state; readers take versions 1 and 2.
inline constexpr int kRecordVersion = 2;

struct WriterInfo {
    std::string program;  // "pyimport_bench.so" or "pyimport-gaggle"
    std::string version;
    std::string host;     // gethostname(); on a one-host test cluster the same for all nodes
};

struct JobIdentity {
    uint32_t job_id = 0;   // 0: not run under Slurm
    uint32_t step_id = 0;
    std::string node;      // SLURMD_NODENAME
    int node_index = 0;
    int node_count = 1;
    uint32_t uid = 0, gid = 0;
    std::string user;
    std::string cluster;
};

struct RunDescription {
    std::string mode;                  // "conda" or "container"
    std::string language = "python";   // (version 2) python, r or perl; version 1 records are Python's
    int gaggle_size = 0;
    std::vector<std::string> argv;
    std::vector<std::string> modules;
    std::string env_path;              // conda mode
    std::string image;                 // container mode
    std::string runtime;               // container mode
    std::string mount_driver;          // how the image was mounted, when known
    std::string env_digest;            // content digest of the environment, when known
    std::string fs_type;               // file system holding the environment or image
    int timeout_s = 0;
    std::string workdir;
    std::string label;
    bool importtime = false;           // python -X importtime (version 2): import times per interpreter
};

struct Record {
    int version = kRecordVersion;
    WriterInfo writer;
    JobIdentity job;
    RunDescription run;
    GaggleFigures gaggle;
    ClockState clock;                                // at the release (version 2; zero in version 1)
    std::map<std::string, int64_t> fs_metadata_ops;  // shared-FS counters diffed around the gaggle
};

// ---- the layout, defined once ------------------------------------------------
// Key names and field tables shared by the writer (record_to_json), the
// reference reader (record_from_json, jansson) and the fast reader
// (FastRecordReader, simdjson): a name or a field is changed here and only here.
namespace record_schema {

namespace key {
inline constexpr char format[] = "format", version[] = "version";
inline constexpr char writer[] = "writer", job[] = "job", run[] = "run", gaggle[] = "gaggle";
inline constexpr char interpreters[] = "interpreters", fs_metadata_ops[] = "fs_metadata_ops";
inline constexpr char clock[] = "clock", cgroup[] = "cgroup";  // version 2
// Written into "gaggle" for people reading the file; derived, so never read back.
inline constexpr char succeeded[] = "succeeded", failed[] = "failed", timed_out[] = "timed_out";
} // namespace key

enum class Kind { integer, text, nullable_text, flag, text_list, integer_list };  // nullable_text: null when empty
enum class Presence { required, when_set };  // when_set: written only when non-zero or non-empty

// One JSON member of a section struct S: its key, its JSON kind, and where it lives in S.
// A field exists from record version `since`; older records neither need nor
// read it (the member keeps its default).
template <class S> struct Field {
    const char *key = nullptr;
    Kind kind = Kind::integer;
    Presence presence = Presence::required;
    int since = 1;
    int64_t S::*i64 = nullptr;
    int S::*i32 = nullptr;
    uint32_t S::*u32 = nullptr;
    bool S::*flag = nullptr;
    std::string S::*text = nullptr;
    std::vector<std::string> S::*list = nullptr;
    std::vector<int64_t> S::*integers = nullptr;

    int64_t get_int(const S &s) const {
        return i64 ? s.*i64 : i32 ? int64_t(s.*i32) : u32 ? int64_t(s.*u32) : flag ? int64_t(s.*flag) : 0;
    }
    // False, and nothing stored, when `v` does not fit the member (an int or uint32_t).
    bool set_int(S &s, int64_t v) const {
        if (i32 && (v < INT32_MIN || v > INT32_MAX)) return false;
        if (u32 && (v < 0 || v > int64_t(UINT32_MAX))) return false;
        if (i64) s.*i64 = v;
        else if (i32) s.*i32 = int(v);
        else if (u32) s.*u32 = uint32_t(v);
        else if (flag) s.*flag = v != 0;
        return true;
    }
    bool is_set(const S &s) const {
        return kind == Kind::text           ? !(s.*text).empty()
               : kind == Kind::text_list    ? !(s.*list).empty()
               : kind == Kind::integer_list ? !(s.*integers).empty()
                                            : get_int(s) != 0;
    }
    bool in(int version) const { return version >= since; }
};

template <class S> constexpr Field<S> since(int version, Field<S> f) {
    f.since = version;
    return f;
}

template <class S, class M> constexpr Field<S> integer(const char *key, M S::*member, Presence p = Presence::required) {
    Field<S> f;
    f.key = key;
    f.presence = p;
    if constexpr (std::is_same_v<M, int64_t>) f.i64 = member;
    else if constexpr (std::is_same_v<M, int>) f.i32 = member;
    else f.u32 = member;
    return f;
}
template <class S> constexpr Field<S> flag(const char *key, bool S::*member) {
    Field<S> f;
    f.key = key;
    f.kind = Kind::flag;
    f.flag = member;
    return f;
}
template <class S> constexpr Field<S> text(const char *key, std::string S::*member, Kind kind = Kind::text,
                                           Presence p = Presence::required) {
    Field<S> f;
    f.key = key;
    f.kind = kind;
    f.presence = p;
    f.text = member;
    return f;
}
// A JSON array of texts or of integers.
template <class S, class T>
constexpr Field<S> list(const char *key, std::vector<T> S::*member, Presence p = Presence::required) {
    Field<S> f;
    f.key = key;
    f.presence = p;
    if constexpr (std::is_same_v<T, std::string>) f.kind = Kind::text_list, f.list = member;
    else f.kind = Kind::integer_list, f.integers = member;
    return f;
}

// In the order they are written; readers report the first problem in this order.
inline constexpr Field<WriterInfo> kWriterFields[] = {
    text("program", &WriterInfo::program), text("version", &WriterInfo::version), text("host", &WriterInfo::host)};
inline constexpr Field<JobIdentity> kJobFields[] = {
    integer("id", &JobIdentity::job_id),         integer("step", &JobIdentity::step_id),
    text("node", &JobIdentity::node),            integer("node_index", &JobIdentity::node_index),
    integer("node_count", &JobIdentity::node_count), integer("uid", &JobIdentity::uid),
    integer("gid", &JobIdentity::gid),           text("user", &JobIdentity::user),
    text("cluster", &JobIdentity::cluster, Kind::nullable_text)};
inline constexpr Field<RunDescription> kRunFields[] = {
    text("mode", &RunDescription::mode),
    since(2, text("language", &RunDescription::language)),
    integer("gaggle_size", &RunDescription::gaggle_size),
    list("argv", &RunDescription::argv),
    list("modules", &RunDescription::modules),
    text("env_path", &RunDescription::env_path, Kind::nullable_text),
    text("image", &RunDescription::image, Kind::nullable_text),
    text("runtime", &RunDescription::runtime, Kind::nullable_text),
    text("mount_driver", &RunDescription::mount_driver, Kind::nullable_text),
    text("env_digest", &RunDescription::env_digest, Kind::nullable_text),
    text("fs_type", &RunDescription::fs_type, Kind::nullable_text),
    integer("timeout_s", &RunDescription::timeout_s),
    text("workdir", &RunDescription::workdir),
    text("label", &RunDescription::label, Kind::nullable_text),
    since(2, flag("importtime", &RunDescription::importtime))};
// Followed in the file by the derived counts (key::succeeded, key::failed, key::timed_out).
inline constexpr Field<GaggleFigures> kGaggleFields[] = {
    since(2, text("sync", &GaggleFigures::sync)),
    since(2, text("sync_note", &GaggleFigures::sync_note, Kind::nullable_text)),
    since(2, integer("planned_release_unix_ns", &GaggleFigures::planned_release_unix_ns)),
    since(2, integer("ready_unix_ns", &GaggleFigures::ready_unix_ns)),
    integer("release_unix_ns", &GaggleFigures::release_unix_ns),
    integer("last_exit_unix_ns", &GaggleFigures::last_exit_unix_ns), integer("wall_ns", &GaggleFigures::wall_ns)};
inline constexpr Field<InterpreterFigures> kInterpreterFields[] = {
    integer("index", &InterpreterFigures::index),
    integer("pid", &InterpreterFigures::pid),
    integer("start_skew_ns", &InterpreterFigures::start_skew_ns),
    integer("wall_ns", &InterpreterFigures::wall_ns),
    integer("user_ns", &InterpreterFigures::user_ns),
    integer("system_ns", &InterpreterFigures::system_ns),
    integer("max_rss_kib", &InterpreterFigures::max_rss_kib),
    integer("minor_faults", &InterpreterFigures::minor_faults),
    integer("major_faults", &InterpreterFigures::major_faults),
    integer("block_in", &InterpreterFigures::block_in),
    integer("block_out", &InterpreterFigures::block_out),
    integer("voluntary_switches", &InterpreterFigures::voluntary_switches),
    integer("involuntary_switches", &InterpreterFigures::involuntary_switches),
    integer("exit_code", &InterpreterFigures::exit_code),
    integer("signal", &InterpreterFigures::signal),
    flag(key::timed_out, &InterpreterFigures::timed_out),
    integer("exec_errno", &InterpreterFigures::exec_errno, Presence::when_set),
    text("stderr_tail", &InterpreterFigures::stderr_tail, Kind::text, Presence::when_set),
    since(2, list("import_us", &InterpreterFigures::import_us, Presence::when_set)),
    since(2, list("slowest_modules", &InterpreterFigures::slowest_modules, Presence::when_set)),
    since(2, list("slowest_self_us", &InterpreterFigures::slowest_self_us, Presence::when_set)),
    since(2, list("slowest_cumulative_us", &InterpreterFigures::slowest_cumulative_us, Presence::when_set))};

// The whole section exists from version 2.
inline constexpr Field<ClockState> kClockFields[] = {
    integer("maxerror_us", &ClockState::maxerror_us), integer("esterror_us", &ClockState::esterror_us),
    integer("status", &ClockState::status),           integer("time_state", &ClockState::time_state),
    text("source", &ClockState::source, Kind::nullable_text),
    text("boot_id", &ClockState::boot_id, Kind::nullable_text)};
inline constexpr int kClockSince = 2;

// The gaggle's cgroup; the whole section exists from version 2.
inline constexpr Field<CgroupFigures> kCgroupFields[] = {
    text("state", &CgroupFigures::state),
    text("note", &CgroupFigures::note, Kind::nullable_text),
    integer("cpu_ns", &CgroupFigures::cpu_ns),
    integer("memory_peak_bytes", &CgroupFigures::memory_peak_bytes),
    integer("io_bytes", &CgroupFigures::io_bytes),
    integer("io_operations", &CgroupFigures::io_operations),
    integer("max_processes", &CgroupFigures::max_processes),
    integer("leftovers_killed", &CgroupFigures::leftovers_killed)};
inline constexpr int kCgroupSince = 2;

// Bounds a record must keep (consistency_problem): generous for any real run,
// tight enough that counts and time differences never overflow.
inline constexpr int kMaxGaggleSize = 65536;
inline constexpr int kMaxNodeCount = 1000000;
inline constexpr int64_t kMaxUnixNs = int64_t(1) << 62;       // the year 2116
inline constexpr int64_t kMaxWallNs = int64_t(1000000) * 1000000000;  // 11.6 days
inline constexpr int64_t kMaxClockErrorUs = int64_t(1) << 40;          // far above the kernel's 16 s cap
inline constexpr size_t kMaxNoteBytes = 400;  // gaggle.sync_note, cgroup.note
inline constexpr int64_t kMaxImportUs = kMaxImportTimeUs;
inline constexpr size_t kMaxSlowestModules = kSlowestModules;
inline constexpr int64_t kMaxCgroupFigure = int64_t(1) << 60;
inline constexpr int64_t kMaxProcesses = int64_t(1) << 22;  // Linux's largest pid_max: sums of them never overflow

// What a parsed record must satisfy beyond its fields' types; fails with the
// problem when it does not. Both readers apply it.
Result<void> consistency_problem(const Record &record);

} // namespace record_schema

// Serialises a record as JSON text (one document, newline at the end), in
// the record's own version (a new Record is kRecordVersion).
std::string record_to_json(const Record &record);

// Parses and validates JSON text. Fails with one line saying what is wrong (truncated, not a record, future version, a
// missing or mistyped field, a text holding a control character or invalid
// UTF-8, a value outside what the readers' arithmetic allows).
Result<Record> record_from_json(std::string_view text);

// The file name a record gets in the output directory:
// pyimport-[CLUSTER-]JOB.STEP-NODE-UNIQUE.json. UNIQUE (random_name_part())
// makes the name unguessable, so no other user of a shared output directory
// can claim it first; readers go by the content, never by the name.
std::string record_file_name(const JobIdentity &job, std::string_view unique);

// The most a record file may hold: far above what 1,024 interpreters write,
// far below what would hurt a reader. One cap for every reader.
inline constexpr size_t kMaxRecordBytes = size_t(16) << 20;

// How a record file is to be read.
struct RecordFileOptions {
    // A symbolic link at the path itself is followed (a file the user named).
    bool follow_link = true;
    // Accept the record whatever the file's owner (copies a person made
    // themselves); by default it must be job.uid's or root's.
    bool any_owner = false;
    // When a directory descriptor: the path is relative to it and resolved
    // without any symbolic link (files found by listing a shared directory:
    // the plugin never writes links there, and another user may swap one in).
    int beneath = -1;
};

// Turns a text into a record: record_from_json, or a faster reader that
// accepts and refuses exactly the same texts with the same messages.
using RecordParser = std::function<Result<Record>(std::string_view text)>;

// Reads the record file at `path` with `parse` (one size cap, no
// FIFO or device ever waited on, see read_regular_file), then checks that the
// file's owner may speak for the record: a file another user wrote in a
// shared output directory is not the victim's record. Fails with one line
// that quotes nothing of the file's content unless it was a record.
Result<Record> read_record_file(const std::string &path, const RecordFileOptions &options, const RecordParser &parse);

// The same with the reference reader.
Result<Record> read_record_file(const std::string &path, const RecordFileOptions &options);

} // namespace pyimport
