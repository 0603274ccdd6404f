// The per-node record, format "pyimport-bench-record" version 1: the one
// definition used by the plugin and pyimport-gaggle (writers) and by
// pyimport-aggregate (reader). Documented in pyimport-bench-record(5).
#pragma once
#include "measurement.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pyimport {

inline constexpr const char *kRecordFormat = "pyimport-bench-record";
inline constexpr int kRecordVersion = 1;

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
};

struct Record {
    int version = kRecordVersion;
    WriterInfo writer;
    JobIdentity job;
    RunDescription run;
    GaggleFigures gaggle;
    std::map<std::string, int64_t> fs_metadata_ops;  // shared-FS counters diffed around the gaggle
};

// Serialises a record as JSON text (one document, newline at the end).
std::string record_to_json(const Record &record);

// Parses and validates JSON text. On error returns nullopt and sets `error` to
// one line saying what is wrong (truncated, not a record, future version, a
// missing or mistyped field).
std::optional<Record> record_from_json(const std::string &text, std::string &error);

// The file name a record gets in the output directory.
std::string record_file_name(const JobIdentity &job);

} // namespace pyimport
