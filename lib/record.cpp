#include "record.hpp"

#include <jansson.h>
#include <memory>

namespace pyimport {

namespace {

using JsonPtr = std::unique_ptr<json_t, decltype(&json_decref)>;

// ---- writing ------------------------------------------------------------

json_t *str(const std::string &s) { return json_stringn(s.data(), s.size()); }
json_t *str_or_null(const std::string &s) { return s.empty() ? json_null() : str(s); }

json_t *str_array(const std::vector<std::string> &items) {
    json_t *a = json_array();
    for (const auto &s : items) json_array_append_new(a, str(s));
    return a;
}

void set(json_t *obj, const char *key, json_t *value) { json_object_set_new(obj, key, value); }
void set_int(json_t *obj, const char *key, int64_t v) { set(obj, key, json_integer(v)); }

json_t *interpreter_json(const InterpreterFigures &f) {
    json_t *o = json_object();
    set_int(o, "index", f.index);
    set_int(o, "pid", f.pid);
    set_int(o, "start_skew_ns", f.start_skew_ns);
    set_int(o, "wall_ns", f.wall_ns);
    set_int(o, "user_ns", f.user_ns);
    set_int(o, "system_ns", f.system_ns);
    set_int(o, "max_rss_kib", f.max_rss_kib);
    set_int(o, "minor_faults", f.minor_faults);
    set_int(o, "major_faults", f.major_faults);
    set_int(o, "block_in", f.block_in);
    set_int(o, "block_out", f.block_out);
    set_int(o, "voluntary_switches", f.voluntary_switches);
    set_int(o, "involuntary_switches", f.involuntary_switches);
    set_int(o, "exit_code", f.exit_code);
    set_int(o, "signal", f.signal);
    set(o, "timed_out", json_boolean(f.timed_out));
    if (f.exec_errno) set_int(o, "exec_errno", f.exec_errno);
    if (!f.stderr_tail.empty()) set(o, "stderr_tail", str(f.stderr_tail));
    return o;
}

json_t *gaggle_json(const GaggleFigures &g) {
    json_t *o = json_object();
    int ok = 0, timed_out = 0;
    for (const auto &f : g.interpreters) {
        ok += f.succeeded();
        timed_out += f.timed_out;
    }
    set_int(o, "release_unix_ns", g.release_unix_ns);
    set_int(o, "last_exit_unix_ns", g.last_exit_unix_ns);
    set_int(o, "wall_ns", g.wall_ns);
    set_int(o, "succeeded", ok);
    set_int(o, "failed", int64_t(g.interpreters.size()) - ok);
    set_int(o, "timed_out", timed_out);
    return o;
}

// ---- reading ------------------------------------------------------------

// Pulls typed fields out of a parsed document; remembers the first problem.
class FieldReader {
  public:
    std::string error;

    json_t *object(json_t *parent, const char *key, const std::string &where) {
        json_t *v = field(parent, key, where);
        if (v && !json_is_object(v)) return mistyped(where, key, "an object");
        return v;
    }
    int64_t integer(json_t *parent, const char *key, const std::string &where) {
        json_t *v = field(parent, key, where);
        if (v && !json_is_integer(v)) return mistyped(where, key, "an integer"), 0;
        return v ? json_integer_value(v) : 0;
    }
    std::string string(json_t *parent, const char *key, const std::string &where, bool nullable = false) {
        json_t *v = field(parent, key, where);
        if (v && nullable && json_is_null(v)) return "";
        if (v && !json_is_string(v)) return mistyped(where, key, "a string"), "";
        return v ? std::string(json_string_value(v), json_string_length(v)) : "";
    }
    bool boolean(json_t *parent, const char *key, const std::string &where) {
        json_t *v = field(parent, key, where);
        if (v && !json_is_boolean(v)) return mistyped(where, key, "true or false"), false;
        return v && json_is_true(v);
    }
    std::vector<std::string> strings(json_t *parent, const char *key, const std::string &where) {
        std::vector<std::string> out;
        json_t *v = field(parent, key, where);
        if (v && !json_is_array(v)) return mistyped(where, key, "an array"), out;
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) {
            if (!json_is_string(item)) return mistyped(where, key, "an array of strings"), out;
            out.emplace_back(json_string_value(item), json_string_length(item));
        }
        return out;
    }

  private:
    json_t *field(json_t *parent, const char *key, const std::string &where) {
        if (!error.empty() || !parent) return nullptr;
        json_t *v = json_object_get(parent, key);
        if (!v) error = "missing field " + where + key;
        return v;
    }
    json_t *mistyped(const std::string &where, const char *key, const char *what) {
        if (error.empty()) error = "field " + where + key + " is not " + what;
        return nullptr;
    }
};

InterpreterFigures read_interpreter(FieldReader &r, json_t *o, const std::string &where) {
    InterpreterFigures f;
    f.index = int(r.integer(o, "index", where));
    f.pid = int(r.integer(o, "pid", where));
    f.start_skew_ns = r.integer(o, "start_skew_ns", where);
    f.wall_ns = r.integer(o, "wall_ns", where);
    f.user_ns = r.integer(o, "user_ns", where);
    f.system_ns = r.integer(o, "system_ns", where);
    f.max_rss_kib = r.integer(o, "max_rss_kib", where);
    f.minor_faults = r.integer(o, "minor_faults", where);
    f.major_faults = r.integer(o, "major_faults", where);
    f.block_in = r.integer(o, "block_in", where);
    f.block_out = r.integer(o, "block_out", where);
    f.voluntary_switches = r.integer(o, "voluntary_switches", where);
    f.involuntary_switches = r.integer(o, "involuntary_switches", where);
    f.exit_code = int(r.integer(o, "exit_code", where));
    f.signal = int(r.integer(o, "signal", where));
    f.timed_out = r.boolean(o, "timed_out", where);
    if (json_object_get(o, "exec_errno")) f.exec_errno = int(r.integer(o, "exec_errno", where));
    if (json_object_get(o, "stderr_tail")) f.stderr_tail = r.string(o, "stderr_tail", where);
    return f;
}

void read_body(FieldReader &r, json_t *root, Record &rec) {
    json_t *writer = r.object(root, "writer", "");
    rec.writer.program = r.string(writer, "program", "writer.");
    rec.writer.version = r.string(writer, "version", "writer.");
    rec.writer.host = r.string(writer, "host", "writer.");

    json_t *job = r.object(root, "job", "");
    rec.job.job_id = uint32_t(r.integer(job, "id", "job."));
    rec.job.step_id = uint32_t(r.integer(job, "step", "job."));
    rec.job.node = r.string(job, "node", "job.");
    rec.job.node_index = int(r.integer(job, "node_index", "job."));
    rec.job.node_count = int(r.integer(job, "node_count", "job."));
    rec.job.uid = uint32_t(r.integer(job, "uid", "job."));
    rec.job.gid = uint32_t(r.integer(job, "gid", "job."));
    rec.job.user = r.string(job, "user", "job.");
    rec.job.cluster = r.string(job, "cluster", "job.", true);

    json_t *run = r.object(root, "run", "");
    rec.run.mode = r.string(run, "mode", "run.");
    rec.run.gaggle_size = int(r.integer(run, "gaggle_size", "run."));
    rec.run.argv = r.strings(run, "argv", "run.");
    rec.run.modules = r.strings(run, "modules", "run.");
    rec.run.env_path = r.string(run, "env_path", "run.", true);
    rec.run.image = r.string(run, "image", "run.", true);
    rec.run.runtime = r.string(run, "runtime", "run.", true);
    rec.run.mount_driver = r.string(run, "mount_driver", "run.", true);
    rec.run.env_digest = r.string(run, "env_digest", "run.", true);
    rec.run.fs_type = r.string(run, "fs_type", "run.", true);
    rec.run.timeout_s = int(r.integer(run, "timeout_s", "run."));
    rec.run.workdir = r.string(run, "workdir", "run.");
    rec.run.label = r.string(run, "label", "run.", true);

    json_t *gaggle = r.object(root, "gaggle", "");
    rec.gaggle.release_unix_ns = r.integer(gaggle, "release_unix_ns", "gaggle.");
    rec.gaggle.last_exit_unix_ns = r.integer(gaggle, "last_exit_unix_ns", "gaggle.");
    rec.gaggle.wall_ns = r.integer(gaggle, "wall_ns", "gaggle.");

    json_t *list = json_object_get(root, "interpreters");
    if (r.error.empty() && !json_is_array(list)) r.error = "missing field interpreters (an array)";
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        if (!r.error.empty()) break;
        std::string where = "interpreters[" + std::to_string(i) + "].";
        if (!json_is_object(item)) r.error = "field " + where.substr(0, where.size() - 1) + " is not an object";
        else rec.gaggle.interpreters.push_back(read_interpreter(r, item, where));
    }
    json_t *ops = json_object_get(root, "fs_metadata_ops");
    const char *key;
    json_t *value;
    if (json_is_object(ops)) json_object_foreach(ops, key, value) {
        if (json_is_integer(value)) rec.fs_metadata_ops[key] = json_integer_value(value);
    }
}

// Consistency a reader can rely on after parsing.
std::string check_consistency(const Record &rec) {
    if (rec.run.mode != "conda" && rec.run.mode != "container") return "run.mode '" + rec.run.mode + "' is not conda or container";
    if (rec.run.gaggle_size < 1) return "run.gaggle_size is not positive";
    if (int(rec.gaggle.interpreters.size()) != rec.run.gaggle_size)
        return "interpreters has " + std::to_string(rec.gaggle.interpreters.size()) + " entries, run.gaggle_size says " +
               std::to_string(rec.run.gaggle_size);
    if (rec.job.node_count < 1 || rec.job.node_index < 0 || rec.job.node_index >= rec.job.node_count)
        return "job.node_index is outside 0..job.node_count-1";
    if (rec.gaggle.wall_ns < 0) return "gaggle.wall_ns is negative";
    for (const auto &f : rec.gaggle.interpreters)
        if (f.wall_ns < 0 || f.wall_ns > rec.gaggle.wall_ns) return "an interpreter's wall_ns is outside the gaggle's";
    return "";
}

} // namespace

std::string record_to_json(const Record &rec) {
    JsonPtr root(json_object(), json_decref);
    json_t *o = root.get();
    set(o, "format", json_string(kRecordFormat));
    set_int(o, "version", kRecordVersion);

    json_t *writer = json_object();
    set(writer, "program", str(rec.writer.program));
    set(writer, "version", str(rec.writer.version));
    set(writer, "host", str(rec.writer.host));
    set(o, "writer", writer);

    json_t *job = json_object();
    set_int(job, "id", rec.job.job_id);
    set_int(job, "step", rec.job.step_id);
    set(job, "node", str(rec.job.node));
    set_int(job, "node_index", rec.job.node_index);
    set_int(job, "node_count", rec.job.node_count);
    set_int(job, "uid", rec.job.uid);
    set_int(job, "gid", rec.job.gid);
    set(job, "user", str(rec.job.user));
    set(job, "cluster", str_or_null(rec.job.cluster));
    set(o, "job", job);

    json_t *run = json_object();
    set(run, "mode", str(rec.run.mode));
    set_int(run, "gaggle_size", rec.run.gaggle_size);
    set(run, "argv", str_array(rec.run.argv));
    set(run, "modules", str_array(rec.run.modules));
    set(run, "env_path", str_or_null(rec.run.env_path));
    set(run, "image", str_or_null(rec.run.image));
    set(run, "runtime", str_or_null(rec.run.runtime));
    set(run, "mount_driver", str_or_null(rec.run.mount_driver));
    set(run, "env_digest", str_or_null(rec.run.env_digest));
    set(run, "fs_type", str_or_null(rec.run.fs_type));
    set_int(run, "timeout_s", rec.run.timeout_s);
    set(run, "workdir", str(rec.run.workdir));
    set(run, "label", str_or_null(rec.run.label));
    set(o, "run", run);

    set(o, "gaggle", gaggle_json(rec.gaggle));
    json_t *list = json_array();
    for (const auto &f : rec.gaggle.interpreters) json_array_append_new(list, interpreter_json(f));
    set(o, "interpreters", list);
    if (!rec.fs_metadata_ops.empty()) {
        json_t *ops = json_object();
        for (const auto &[k, v] : rec.fs_metadata_ops) set_int(ops, k.c_str(), v);
        set(o, "fs_metadata_ops", ops);
    }
    char *text = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    std::string out = text ? std::string(text) + "\n" : std::string();
    free(text);
    return out;
}

std::optional<Record> record_from_json(const std::string &text, std::string &error) {
    json_error_t jerr;
    JsonPtr root(json_loadb(text.data(), text.size(), JSON_REJECT_DUPLICATES, &jerr), json_decref);
    if (!root) {
        error = "invalid JSON (truncated or corrupt) at line " + std::to_string(jerr.line) + ": " + jerr.text;
        return std::nullopt;
    }
    json_t *format = json_object_get(root.get(), "format");
    if (!json_is_string(format) || std::string(json_string_value(format)) != kRecordFormat) {
        error = "not a pyimport-bench record (no \"format\": \"" + std::string(kRecordFormat) + "\")";
        return std::nullopt;
    }
    json_t *version = json_object_get(root.get(), "version");
    if (!json_is_integer(version) || json_integer_value(version) < 1) {
        error = "record has no valid version";
        return std::nullopt;
    }
    if (json_integer_value(version) > kRecordVersion) {
        error = "record version " + std::to_string(json_integer_value(version)) + " is newer than this reader (" +
                std::to_string(kRecordVersion) + "): upgrade pyimport-bench";
        return std::nullopt;
    }
    Record rec;
    rec.version = int(json_integer_value(version));
    FieldReader reader;
    read_body(reader, root.get(), rec);
    if (reader.error.empty()) reader.error = check_consistency(rec);
    if (!reader.error.empty()) {
        error = reader.error;
        return std::nullopt;
    }
    return rec;
}

std::string record_file_name(const JobIdentity &job) {
    return "pyimport-" + std::to_string(job.job_id) + "." + std::to_string(job.step_id) + "-" + job.node + ".json";
}

} // namespace pyimport
