#include "record.hpp"

#include "language.hpp"
#include "parse_util.hpp"
#include "sys_io.hpp"
#include "text_escape.hpp"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <jansson.h>
#include <memory>
#include <optional>

namespace pyimport {

namespace {

using namespace record_schema;

using JsonPtr = std::unique_ptr<json_t, decltype(&json_decref)>;

// ---- writing ------------------------------------------------------------

// Record texts hold no control character and no invalid UTF-8, or the
// readers refuse the whole record: a stderr tail's line breaks, or a tail cut
// inside a character, are written as \xNN.
json_t *str(const std::string &s) {
    if (is_clean_text(s)) return json_stringn(s.data(), s.size());
    std::string text;
    text.reserve(s.size() + 16);
    for (size_t i = 0; i < s.size();) {
        const size_t n = clean_char_length(s, i);
        if (n) {
            text.append(s, i, n);
        } else {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(s[i]));
            text += hex;
        }
        i += n ? n : 1;
    }
    return json_stringn(text.data(), text.size());
}
json_t *str_or_null(const std::string &s) { return s.empty() ? json_null() : str(s); }

json_t *str_array(const std::vector<std::string> &items) {
    json_t *a = json_array();
    for (const auto &s : items) json_array_append_new(a, str(s));
    return a;
}

json_t *int_array(const std::vector<int64_t> &items) {
    json_t *a = json_array();
    for (int64_t v : items) json_array_append_new(a, json_integer(v));
    return a;
}

void set(json_t *obj, const char *key, json_t *value) { json_object_set_new(obj, key, value); }
void set_int(json_t *obj, const char *key, int64_t v) { set(obj, key, json_integer(v)); }

// Writes the fields of `s` that record `version` has into `obj` in table order.
template <class S, size_t N> void write_fields(json_t *obj, const S &s, const Field<S> (&fields)[N], int version) {
    for (const auto &f : fields) {
        if (!f.in(version) || (f.presence == Presence::when_set && !f.is_set(s))) continue;
        switch (f.kind) {
        case Kind::integer: set_int(obj, f.key, f.get_int(s)); break;
        case Kind::flag: set(obj, f.key, json_boolean(s.*f.flag)); break;
        case Kind::text: set(obj, f.key, str(s.*f.text)); break;
        case Kind::nullable_text: set(obj, f.key, str_or_null(s.*f.text)); break;
        case Kind::text_list: set(obj, f.key, str_array(s.*f.list)); break;
        case Kind::integer_list: set(obj, f.key, int_array(s.*f.integers)); break;
        }
    }
}

template <class S, size_t N> json_t *section_json(const S &s, const Field<S> (&fields)[N], int version) {
    json_t *o = json_object();
    write_fields(o, s, fields, version);
    return o;
}

json_t *gaggle_json(const GaggleFigures &g, int version) {
    json_t *o = section_json(g, kGaggleFields, version);
    int ok = 0, timed_out = 0;
    for (const auto &f : g.interpreters) {
        ok += f.succeeded();
        timed_out += f.timed_out;
    }
    set_int(o, key::succeeded, ok);
    set_int(o, key::failed, int64_t(g.interpreters.size()) - ok);
    set_int(o, key::timed_out, timed_out);
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
        return v ? clean(json_string_value(v), json_string_length(v), where, key) : "";
    }
    bool boolean(json_t *parent, const char *key, const std::string &where) {
        json_t *v = field(parent, key, where);
        if (v && !json_is_boolean(v)) return mistyped(where, key, "true or false"), false;
        return v && json_is_true(v);
    }
    std::vector<std::string> strings(json_t *parent, const char *key, const std::string &where) {
        return array<std::string>(parent, key, where, "an array of strings", [&](json_t *item) {
            return json_is_string(item) ? std::optional<std::string>(clean(json_string_value(item), json_string_length(item), where, key))
                                        : std::nullopt;
        });
    }
    std::vector<int64_t> integers(json_t *parent, const char *key, const std::string &where) {
        return array<int64_t>(parent, key, where, "an array of integers", [](json_t *item) {
            return json_is_integer(item) ? std::optional<int64_t>(json_integer_value(item)) : std::nullopt;
        });
    }

    // Text that a table, a log or a gnuplot script could print: never a control character.
    std::string clean(const char *text, size_t size, const std::string &where, const char *key) {
        if (is_clean_text(std::string_view(text, size))) return std::string(text, size);
        if (error.empty()) error = "field " + where + key + " holds a control character or invalid UTF-8";
        return "";
    }

  private:
    // An array whose every item `item_of` turns into a T (nullopt: mistyped, `what` is the message).
    template <class T, class ItemOf>
    std::vector<T> array(json_t *parent, const char *key, const std::string &where, const char *what, ItemOf item_of) {
        std::vector<T> out;
        json_t *v = field(parent, key, where);
        if (v && !json_is_array(v)) return mistyped(where, key, "an array"), out;
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) {
            std::optional<T> value = item_of(item);
            if (!value) return mistyped(where, key, what), out;
            out.push_back(std::move(*value));
        }
        return out;
    }

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

// Reads the fields of `s` that record `version` has from `obj` in table
// order; `where` prefixes keys in messages.
template <class S, size_t N>
void read_fields(FieldReader &r, json_t *obj, S &s, const Field<S> (&fields)[N], const std::string &where, int version) {
    for (const auto &f : fields) {
        if (!f.in(version)) continue;
        if (f.presence == Presence::when_set && !json_object_get(obj, f.key)) continue;
        switch (f.kind) {
        case Kind::integer:
            if (!f.set_int(s, r.integer(obj, f.key, where)) && r.error.empty())
                r.error = "field " + where + f.key + " is out of range";
            break;
        case Kind::flag: s.*f.flag = r.boolean(obj, f.key, where); break;
        case Kind::text: s.*f.text = r.string(obj, f.key, where); break;
        case Kind::nullable_text: s.*f.text = r.string(obj, f.key, where, true); break;
        case Kind::text_list: s.*f.list = r.strings(obj, f.key, where); break;
        case Kind::integer_list: s.*f.integers = r.integers(obj, f.key, where); break;
        }
    }
}

template <class S, size_t N>
void read_section(FieldReader &r, json_t *root, const char *name, S &s, const Field<S> (&fields)[N], int version) {
    read_fields(r, r.object(root, name, ""), s, fields, std::string(name) + ".", version);
}

void read_body(FieldReader &r, json_t *root, Record &rec) {
    const int v = rec.version;
    read_section(r, root, key::writer, rec.writer, kWriterFields, v);
    read_section(r, root, key::job, rec.job, kJobFields, v);
    read_section(r, root, key::run, rec.run, kRunFields, v);
    read_section(r, root, key::gaggle, rec.gaggle, kGaggleFields, v);
    if (v >= kClockSince) read_section(r, root, key::clock, rec.clock, kClockFields, v);
    if (v >= kCgroupSince) read_section(r, root, key::cgroup, rec.gaggle.cgroup, kCgroupFields, v);

    json_t *list = json_object_get(root, key::interpreters);
    if (r.error.empty() && !json_is_array(list))
        r.error = std::string("missing field ") + key::interpreters + " (an array)";
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        if (!r.error.empty()) break;
        std::string where = std::string(key::interpreters) + "[" + std::to_string(i) + "].";
        if (!json_is_object(item)) r.error = "field " + where.substr(0, where.size() - 1) + " is not an object";
        else read_fields(r, item, rec.gaggle.interpreters.emplace_back(), kInterpreterFields, where, v);
    }
    json_t *ops = json_object_get(root, key::fs_metadata_ops);
    const char *name;
    json_t *value;
    if (json_is_object(ops)) json_object_foreach(ops, name, value) {
        if (!json_is_integer(value)) continue;
        if (r.error.empty() && !is_clean_text(name))
            r.error = std::string("a key of ") + key::fs_metadata_ops + " holds a control character or invalid UTF-8";
        rec.fs_metadata_ops[name] = json_integer_value(value);
    }
}

} // namespace

namespace record_schema {

// Version 2's common release and clock, within what the aggregator's
// arithmetic (spreads, lateness, error bounds) takes without overflow.
static Result<void> release_problem(const Record &rec) {
    const GaggleFigures &g = rec.gaggle;
    if (g.sync != "on" && g.sync != "off" && g.sync != "refused")
        return fail("gaggle.sync '" + g.sync.substr(0, 40) + "' is not on, off or refused");
    if (g.sync_note.size() > kMaxNoteBytes)
        return fail("gaggle.sync_note is longer than " + std::to_string(kMaxNoteBytes) + " bytes");
    if ((g.sync == "on") != (g.planned_release_unix_ns != 0))
        return fail("gaggle.planned_release_unix_ns is set exactly when gaggle.sync is on");
    for (int64_t t : {g.planned_release_unix_ns, g.ready_unix_ns})
        if (t < 0 || t > kMaxUnixNs) return fail("a gaggle instant is outside 0.." + std::to_string(kMaxUnixNs));
    if (g.ready_unix_ns > g.release_unix_ns || g.release_unix_ns - g.ready_unix_ns > kMaxWallNs)
        return fail("gaggle.ready_unix_ns is after gaggle.release_unix_ns or too far before it");
    if (g.planned_release_unix_ns && (g.planned_release_unix_ns > g.release_unix_ns + kMaxWallNs ||
                                      g.release_unix_ns - g.planned_release_unix_ns > kMaxWallNs))
        return fail("gaggle.planned_release_unix_ns is too far from gaggle.release_unix_ns");
    const ClockState &c = rec.clock;
    if (c.maxerror_us < 0 || c.maxerror_us > kMaxClockErrorUs || c.esterror_us < 0 || c.esterror_us > kMaxClockErrorUs)
        return fail("clock.maxerror_us or clock.esterror_us is outside 0.." + std::to_string(kMaxClockErrorUs));
    for (const std::string *word : {&c.source, &c.boot_id})
        if (!word->empty() && !is_clock_word(*word))
            return fail("clock.source or clock.boot_id is not 1 to 64 of A-Z a-z 0-9 . _ -");
    return ok();
}

// Version 2's cgroup totals: known (0..2^60) or -1, and only from a cgroup that was used.
static Result<void> cgroup_problem(const CgroupFigures &c) {
    if (c.state != "used" && c.state != "unavailable" && c.state != "off")
        return fail("cgroup.state '" + c.state.substr(0, 40) + "' is not used, unavailable or off");
    if (c.note.size() > kMaxNoteBytes)
        return fail("cgroup.note is longer than " + std::to_string(kMaxNoteBytes) + " bytes");
    if (c.max_processes > kMaxProcesses) return fail("cgroup.max_processes is above " + std::to_string(kMaxProcesses));
    for (int64_t figure : {c.cpu_ns, c.memory_peak_bytes, c.io_bytes, c.io_operations, c.max_processes}) {
        if (figure < -1 || figure > kMaxCgroupFigure)
            return fail("a cgroup figure is outside -1.." + std::to_string(kMaxCgroupFigure));
        if (c.state != "used" && figure != -1) return fail("cgroup figures are -1 unless cgroup.state is used");
    }
    if (c.leftovers_killed < 0 || c.leftovers_killed > kMaxProcesses)
        return fail("cgroup.leftovers_killed is outside 0.." + std::to_string(kMaxProcesses));
    return ok();
}

// An interpreter's import times (importtime=on): one per requested module,
// and at most kMaxSlowestModules slowest ones, named like modules.
static Result<void> import_problem(const InterpreterFigures &f, const RunDescription &run) {
    if (!f.import_us.empty() && f.import_us.size() != run.modules.size())
        return fail("an interpreter's import_us has " + std::to_string(f.import_us.size()) + " entries, run.modules " +
                    std::to_string(run.modules.size()));
    for (int64_t us : f.import_us)
        if (us < -1 || us > kMaxImportUs) return fail("an interpreter's import_us is outside -1.." + std::to_string(kMaxImportUs));
    const size_t slowest = f.slowest_modules.size();
    if (slowest > kMaxSlowestModules || f.slowest_self_us.size() != slowest || f.slowest_cumulative_us.size() != slowest)
        return fail("an interpreter's slowest_modules, slowest_self_us and slowest_cumulative_us differ in length or "
                    "are longer than " + std::to_string(kMaxSlowestModules));
    for (size_t i = 0; i < slowest; ++i) {
        if (!is_module_name(f.slowest_modules[i]) || f.slowest_modules[i].size() > kMaxImportNameBytes)
            return fail("slowest_modules holds '" + f.slowest_modules[i].substr(0, 40) +
                        "', which is not a module name of at most " + std::to_string(kMaxImportNameBytes) + " bytes");
        if (f.slowest_self_us[i] < 0 || f.slowest_self_us[i] > f.slowest_cumulative_us[i] ||
            f.slowest_cumulative_us[i] > kMaxImportUs)
            return fail("an interpreter's slowest times are not 0 <= self <= cumulative <= " + std::to_string(kMaxImportUs));
    }
    return ok();
}

// Consistency a reader can rely on after parsing.
Result<void> consistency_problem(const Record &rec) {
    if (rec.run.mode != "conda" && rec.run.mode != "container")
        return fail("run.mode '" + rec.run.mode.substr(0, 40) + "' is not conda or container");
    // Bounds that keep the readers' arithmetic (interpreter counts, time
    // differences) far from overflow; real records are far inside them.
    if (rec.run.gaggle_size < 1) return fail("run.gaggle_size is not positive");
    if (rec.run.gaggle_size > kMaxGaggleSize) return fail("run.gaggle_size is above " + std::to_string(kMaxGaggleSize));
    // What a user typed into the option, checked as the option checks it: a
    // hand-made record cannot carry other text into tables and figures.
    const auto language = parse_language(rec.run.language);
    if (!language) return fail("run.language '" + rec.run.language.substr(0, 40) + "' is not python, r or perl");
    for (const auto &m : rec.run.modules)
        if (!is_package_name(*language, m))
            return fail("run.modules holds '" + m.substr(0, 40) + "', which is not one of the " + package_kind(*language));
    if (rec.run.importtime && *language != Language::python) return fail("run.importtime is Python's only");
    if (!rec.run.label.empty() && !is_label(rec.run.label))
        return fail("run.label is not 1 to 64 of A-Z a-z 0-9 . _ -");
    if (rec.job.node_count > kMaxNodeCount) return fail("job.node_count is above " + std::to_string(kMaxNodeCount));
    if (rec.gaggle.release_unix_ns < 0 || rec.gaggle.release_unix_ns > kMaxUnixNs)
        return fail("gaggle.release_unix_ns is outside 0.." + std::to_string(kMaxUnixNs));
    if (rec.gaggle.wall_ns > kMaxWallNs) return fail("gaggle.wall_ns is above " + std::to_string(kMaxWallNs));
    if (rec.gaggle.last_exit_unix_ns < rec.gaggle.release_unix_ns ||
        rec.gaggle.last_exit_unix_ns - rec.gaggle.release_unix_ns > kMaxWallNs)
        return fail("gaggle.last_exit_unix_ns is before gaggle.release_unix_ns or too far after it");
    if (int(rec.gaggle.interpreters.size()) != rec.run.gaggle_size)
        return fail("interpreters has " + std::to_string(rec.gaggle.interpreters.size()) + " entries, run.gaggle_size says " +
               std::to_string(rec.run.gaggle_size));
    if (rec.job.node_count < 1 || rec.job.node_index < 0 || rec.job.node_index >= rec.job.node_count)
        return fail("job.node_index is outside 0..job.node_count-1");
    if (rec.gaggle.wall_ns < 0) return fail("gaggle.wall_ns is negative");
    for (const auto &f : rec.gaggle.interpreters)
        if (f.wall_ns < 0 || f.wall_ns > rec.gaggle.wall_ns) return fail("an interpreter's wall_ns is outside the gaggle's");
    if (rec.version < 2) return ok();
    if (auto release = release_problem(rec); !release) return release;
    if (auto cgroup = cgroup_problem(rec.gaggle.cgroup); !cgroup) return cgroup;
    for (const auto &f : rec.gaggle.interpreters)
        if (auto imports = import_problem(f, rec.run); !imports) return imports;
    return ok();
}

} // namespace record_schema

std::string record_to_json(const Record &rec) {
    JsonPtr root(json_object(), json_decref);
    json_t *o = root.get();
    // A record keeps the version it was read as: one read from a version 1
    // file is written as version 1, so reading and writing never invents
    // fields it did not have.
    const int v = rec.version;
    set(o, key::format, json_string(kRecordFormat));
    set_int(o, key::version, v);

    set(o, key::writer, section_json(rec.writer, kWriterFields, v));
    set(o, key::job, section_json(rec.job, kJobFields, v));
    set(o, key::run, section_json(rec.run, kRunFields, v));
    set(o, key::gaggle, gaggle_json(rec.gaggle, v));
    if (v >= kClockSince) set(o, key::clock, section_json(rec.clock, kClockFields, v));
    if (v >= kCgroupSince) set(o, key::cgroup, section_json(rec.gaggle.cgroup, kCgroupFields, v));
    json_t *list = json_array();
    for (const auto &f : rec.gaggle.interpreters) json_array_append_new(list, section_json(f, kInterpreterFields, v));
    set(o, key::interpreters, list);
    if (!rec.fs_metadata_ops.empty()) {
        json_t *ops = json_object();
        for (const auto &[k, v] : rec.fs_metadata_ops) set_int(ops, k.c_str(), v);
        set(o, key::fs_metadata_ops, ops);
    }
    char *text = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    std::string out = text ? std::string(text) + "\n" : std::string();
    free(text);
    return out;
}

Result<Record> record_from_json(std::string_view text) {
    json_error_t jerr;
    JsonPtr root(json_loadb(text.data(), text.size(), JSON_REJECT_DUPLICATES, &jerr), json_decref);
    if (!root) {
        // jansson's text ends in " near '<the bytes it stopped at>'": the file
        // may be anything a link pointed at, so none of its bytes are quoted.
        std::string what = jerr.text;
        what = what.substr(0, what.find(" near "));
        return fail("invalid JSON (truncated or corrupt) at line " + std::to_string(jerr.line) + ", column " +
                std::to_string(jerr.column) + ": " + what.substr(0, 80));
    }
    json_t *format = json_object_get(root.get(), key::format);
    if (!json_is_string(format) || std::string(json_string_value(format)) != kRecordFormat) {
        return fail("not a pyimport-bench record (no \"format\": \"" + std::string(kRecordFormat) + "\")");
    }
    json_t *version = json_object_get(root.get(), key::version);
    if (!json_is_integer(version) || json_integer_value(version) < 1) {
        return fail("record has no valid version");
    }
    if (json_integer_value(version) > kRecordVersion) {
        return fail("record version " + std::to_string(json_integer_value(version)) + " is newer than this reader (" +
                std::to_string(kRecordVersion) + "): upgrade pyimport-bench");
    }
    Record rec;
    rec.version = int(json_integer_value(version));
    FieldReader reader;
    read_body(reader, root.get(), rec);
    if (!reader.error.empty()) return fail(reader.error);
    if (auto consistent = record_schema::consistency_problem(rec); !consistent) return fail(consistent.error());
    return rec;
}

Result<Record> read_record_file(const std::string &path, const RecordFileOptions &options, const RecordParser &parse) {
    auto file = options.beneath >= 0 ? read_regular_file_beneath(options.beneath, path, kMaxRecordBytes)
                                     : read_regular_file(path, kMaxRecordBytes, options.follow_link);
    if (!file) {
        const std::string &why = file.error();
        return fail(why.rfind("too large", 0) == 0 ? why + ": not a record" : why);
    }
    auto record = parse(file->text);
    if (!record) return record;
    if (options.any_owner || file->owner == 0 || file->owner == record->job.uid) return record;
    return fail("the file's owner (uid " + std::to_string(file->owner) + ") is not the record's job.uid (" +
                std::to_string(record->job.uid) +
                ") or root: not trusted as that job's record (--any-owner accepts copies)");
}

Result<Record> read_record_file(const std::string &path, const RecordFileOptions &options) {
    return read_record_file(path, options, [](std::string_view text) { return record_from_json(text); });
}

std::string record_file_name(const JobIdentity &job, std::string_view unique) {
    // Names stay plain in a shared directory whatever a node or cluster is
    // called (pyimport-gaggle --node is the caller's text): other bytes become '_'.
    auto plain = [](std::string text) {
        for (char &c : text)
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) c = '_';
        return text;
    };
    // The cluster name keeps records of clusters sharing one outdir apart.
    const std::string cluster = job.cluster.empty() ? "" : plain(job.cluster) + "-";
    return "pyimport-" + cluster + std::to_string(job.job_id) + "." + std::to_string(job.step_id) + "-" + plain(job.node) +
           "-" + std::string(unique) + ".json";
}


} // namespace pyimport
