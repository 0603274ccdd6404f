#include "record.hpp"

#include <cerrno>
#include <cstring>
#include <jansson.h>
#include <memory>
#include <stdexcept>
#include <sys/random.h>

namespace pyimport {

namespace {

using namespace record_schema;

using JsonPtr = std::unique_ptr<json_t, decltype(&json_decref)>;

// ---- writing ------------------------------------------------------------

// Length of the UTF-8 sequence at s[i] when it is one the readers accept
// (no NUL, no overlong form, no surrogate, at most U+10FFFF), else 0.
size_t text_char_length(const std::string &s, size_t i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x01 && c <= 0x7f) return 1;
    const size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    uint32_t code = c & (0x7f >> n);
    for (size_t k = 1; k < n; ++k) {
        const unsigned char cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xc0) != 0x80) return 0;
        code = (code << 6) | (cc & 0x3f);
    }
    if ((n == 3 && code < 0x800) || (n == 4 && code < 0x10000) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
        return 0;
    return n;
}

// Record texts are UTF-8 without NUL, or the readers refuse the whole record
// (and jansson drops a non-UTF-8 member silently). Other bytes, such as a
// stderr tail cut inside a character or binary output, are written as '?'.
json_t *str(const std::string &s) {
    std::string text;
    text.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        const size_t n = text_char_length(s, i);
        if (n) text.append(s, i, n);
        else text += '?';
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

void set(json_t *obj, const char *key, json_t *value) { json_object_set_new(obj, key, value); }
void set_int(json_t *obj, const char *key, int64_t v) { set(obj, key, json_integer(v)); }

// Writes `fields` of `s` into `obj` in table order.
template <class S, size_t N> void write_fields(json_t *obj, const S &s, const Field<S> (&fields)[N]) {
    for (const auto &f : fields) {
        if (f.presence == Presence::when_set && !f.is_set(s)) continue;
        switch (f.kind) {
        case Kind::integer: set_int(obj, f.key, f.get_int(s)); break;
        case Kind::flag: set(obj, f.key, json_boolean(s.*f.flag)); break;
        case Kind::text: set(obj, f.key, str(s.*f.text)); break;
        case Kind::nullable_text: set(obj, f.key, str_or_null(s.*f.text)); break;
        case Kind::text_list: set(obj, f.key, str_array(s.*f.list)); break;
        }
    }
}

template <class S, size_t N> json_t *section_json(const S &s, const Field<S> (&fields)[N]) {
    json_t *o = json_object();
    write_fields(o, s, fields);
    return o;
}

json_t *gaggle_json(const GaggleFigures &g) {
    json_t *o = section_json(g, kGaggleFields);
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

// Reads `fields` of `s` from `obj` in table order; `where` prefixes keys in messages.
template <class S, size_t N>
void read_fields(FieldReader &r, json_t *obj, S &s, const Field<S> (&fields)[N], const std::string &where) {
    for (const auto &f : fields) {
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
        }
    }
}

template <class S, size_t N>
void read_section(FieldReader &r, json_t *root, const char *name, S &s, const Field<S> (&fields)[N]) {
    read_fields(r, r.object(root, name, ""), s, fields, std::string(name) + ".");
}

void read_body(FieldReader &r, json_t *root, Record &rec) {
    read_section(r, root, key::writer, rec.writer, kWriterFields);
    read_section(r, root, key::job, rec.job, kJobFields);
    read_section(r, root, key::run, rec.run, kRunFields);
    read_section(r, root, key::gaggle, rec.gaggle, kGaggleFields);

    json_t *list = json_object_get(root, key::interpreters);
    if (r.error.empty() && !json_is_array(list))
        r.error = std::string("missing field ") + key::interpreters + " (an array)";
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        if (!r.error.empty()) break;
        std::string where = std::string(key::interpreters) + "[" + std::to_string(i) + "].";
        if (!json_is_object(item)) r.error = "field " + where.substr(0, where.size() - 1) + " is not an object";
        else read_fields(r, item, rec.gaggle.interpreters.emplace_back(), kInterpreterFields, where);
    }
    json_t *ops = json_object_get(root, key::fs_metadata_ops);
    const char *name;
    json_t *value;
    if (json_is_object(ops)) json_object_foreach(ops, name, value) {
        if (json_is_integer(value)) rec.fs_metadata_ops[name] = json_integer_value(value);
    }
}

} // namespace

namespace record_schema {

// Consistency a reader can rely on after parsing.
std::string consistency_problem(const Record &rec) {
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

} // namespace record_schema

std::string record_to_json(const Record &rec) {
    JsonPtr root(json_object(), json_decref);
    json_t *o = root.get();
    set(o, key::format, json_string(kRecordFormat));
    set_int(o, key::version, kRecordVersion);

    set(o, key::writer, section_json(rec.writer, kWriterFields));
    set(o, key::job, section_json(rec.job, kJobFields));
    set(o, key::run, section_json(rec.run, kRunFields));
    set(o, key::gaggle, gaggle_json(rec.gaggle));
    json_t *list = json_array();
    for (const auto &f : rec.gaggle.interpreters) json_array_append_new(list, section_json(f, kInterpreterFields));
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

std::optional<Record> record_from_json(const std::string &text, std::string &error) {
    json_error_t jerr;
    JsonPtr root(json_loadb(text.data(), text.size(), JSON_REJECT_DUPLICATES, &jerr), json_decref);
    if (!root) {
        error = "invalid JSON (truncated or corrupt) at line " + std::to_string(jerr.line) + ": " + jerr.text;
        return std::nullopt;
    }
    json_t *format = json_object_get(root.get(), key::format);
    if (!json_is_string(format) || std::string(json_string_value(format)) != kRecordFormat) {
        error = "not a pyimport-bench record (no \"format\": \"" + std::string(kRecordFormat) + "\")";
        return std::nullopt;
    }
    json_t *version = json_object_get(root.get(), key::version);
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
    if (reader.error.empty()) reader.error = record_schema::consistency_problem(rec);
    if (!reader.error.empty()) {
        error = reader.error;
        return std::nullopt;
    }
    return rec;
}

std::string record_file_name(const JobIdentity &job, std::string_view unique) {
    // The cluster name keeps records of clusters sharing one outdir apart.
    const std::string cluster = job.cluster.empty() ? "" : job.cluster + "-";
    return "pyimport-" + cluster + std::to_string(job.job_id) + "." + std::to_string(job.step_id) + "-" + job.node + "-" +
           std::string(unique) + ".json";
}

std::string record_name_token() {
    unsigned char bytes[16];
    for (size_t got = 0; got < sizeof bytes;) {
        ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error(std::string("getrandom: ") + std::strerror(errno));
        got += size_t(n);
    }
    static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    std::string token;
    for (unsigned char b : bytes) token += kAlphabet[b & 31];  // 5 bits of each byte: 80 bits
    return token;
}

} // namespace pyimport
