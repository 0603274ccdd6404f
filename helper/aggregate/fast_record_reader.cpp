// The simdjson reader walks the same field tables as the reference reader
// (record_schema) and applies the same consistency check. It accepts a
// document only when jansson would parse it the same way (no duplicate keys,
// only clean text, integers within int64); on anything else it hands the text
// to record_from_json, so a problem is always named by the reference reader's
// one line, and a document it cannot judge is still read correctly.
#include "fast_record_reader.hpp"

#include "text_escape.hpp"

#include <simdjson.h>

#include <array>
#include <cmath>

namespace agg {

using namespace pyimport;
using namespace pyimport::record_schema;

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

bool plain_value(element e);

// Keys not in a table: no NUL, no repeats among themselves, plain values.
class UnknownKeys {
  public:
    bool accept(std::string_view key, element value) {
        if (has_nul(key)) return false;
        for (auto k : keys_)
            if (k == key) return false;
        keys_.push_back(key);
        return plain_value(value);
    }

  private:
    std::vector<std::string_view> keys_;
};

// What jansson would parse to the same value; objects checked for repeated keys.
bool plain_value(element e) {
    switch (e.type()) {
    case element_type::OBJECT: {
        UnknownKeys keys;
        for (auto member : object(e))
            if (!keys.accept(member.key, member.value)) return false;
        return true;
    }
    case element_type::ARRAY:
        for (auto item : array(e))
            if (!plain_value(item)) return false;
        return true;
    case element_type::STRING: return !has_nul(std::string_view(e));
    case element_type::UINT64: return false;  // jansson: "too big integer"
    case element_type::DOUBLE: return std::isfinite(double(e));
    default: return true;
    }
}

bool read_text(element v, std::string &out, bool nullable) {
    if (nullable && v.type() == element_type::NULL_VALUE) {
        out.clear();
        return true;
    }
    if (v.type() != element_type::STRING) return false;
    std::string_view s(v);
    if (!is_clean_text(s)) return false;
    out.assign(s.data(), s.size());
    return true;
}

template <class S> bool store(const Field<S> &f, S &s, element v) {
    switch (f.kind) {
    case Kind::integer:
        if (v.type() != element_type::INT64) return false;
        return f.set_int(s, int64_t(v));
    case Kind::flag:
        if (v.type() != element_type::BOOL) return false;
        s.*f.flag = bool(v);
        return true;
    case Kind::text: return read_text(v, s.*f.text, false);
    case Kind::nullable_text: return read_text(v, s.*f.text, true);
    case Kind::text_list: {
        if (v.type() != element_type::ARRAY) return false;
        auto &list = s.*f.list;
        list.clear();
        for (auto item : array(v))
            if (!read_text(item, list.emplace_back(), false)) return false;
        return true;
    }
    case Kind::integer_list: {
        if (v.type() != element_type::ARRAY) return false;
        auto &list = s.*f.integers;
        list.clear();
        for (auto item : array(v)) {
            if (item.type() != element_type::INT64) return false;
            list.push_back(int64_t(item));
        }
        return true;
    }
    }
    return false;
}

// The keys of a table as string_views, measured once.
template <class S, size_t N> const std::array<std::string_view, N> &keys_of(const Field<S> (&fields)[N]) {
    static const auto keys = [&] {
        std::array<std::string_view, N> k;
        for (size_t i = 0; i < N; ++i) k[i] = fields[i].key;
        return k;
    }();
    return keys;
}

// Index of `key` in `fields`, trying `hint` (the writer's order) first; N when unknown.
template <class S, size_t N> size_t find_field(const Field<S> (&fields)[N], std::string_view key, size_t hint) {
    const auto &keys = keys_of(fields);
    if (hint < N && key == keys[hint]) return hint;
    for (size_t i = 0; i < N; ++i)
        if (key == keys[i]) return i;
    return N;
}

// Reads one section object of a record of `version` into `s`; every required
// field once, optional ones reset when absent; a field newer than the record
// is an unknown key, as for the reference reader. Strings keep their capacity
// from the last record.
template <class S, size_t N> bool read_fields(element e, S &s, const Field<S> (&fields)[N], int version) {
    static_assert(N <= 64, "seen is a 64-bit mask");
    if (e.type() != element_type::OBJECT) return false;
    uint64_t seen = 0;
    size_t next = 0;
    UnknownKeys unknown;
    for (auto member : object(e)) {
        size_t i = find_field(fields, member.key, next);
        if (i < N && !fields[i].in(version)) i = N;
        if (i == N) {
            if (!unknown.accept(member.key, member.value)) return false;
            continue;
        }
        if (seen & (uint64_t(1) << i)) return false;
        seen |= uint64_t(1) << i;
        next = i + 1;
        if (!store(fields[i], s, member.value)) return false;
    }
    static const S defaults{};  // what the reference reader leaves in a field the record lacks
    for (size_t i = 0; i < N; ++i) {
        if (seen & (uint64_t(1) << i)) continue;
        if (fields[i].presence == Presence::required && fields[i].in(version)) return false;
        if (fields[i].text) s.*fields[i].text = defaults.*fields[i].text;
        else if (fields[i].list) (s.*fields[i].list).clear();
        else if (fields[i].integers) (s.*fields[i].integers).clear();
        else fields[i].set_int(s, fields[i].get_int(defaults));
    }
    return true;
}

bool read_interpreters(element e, std::vector<InterpreterFigures> &out, int version) {
    if (e.type() != element_type::ARRAY) return false;
    size_t n = 0;
    for (auto item : array(e)) {
        if (n == out.size()) out.emplace_back();
        if (!read_fields(item, out[n++], kInterpreterFields, version)) return false;
    }
    out.resize(n);
    return true;
}

bool read_fs_ops(element e, std::map<std::string, int64_t> &out) {
    out.clear();
    if (!plain_value(e)) return false;
    if (e.type() != element_type::OBJECT) return true;  // the reference reader ignores it too
    for (auto member : object(e)) {
        if (member.value.type() != element_type::INT64) continue;
        if (!is_clean_text(member.key)) return false;
        out[std::string(member.key)] = int64_t(member.value);
    }
    return true;
}

// The record's version, read first: it says which fields the sections have.
int version_of(element root) {
    element v;
    if (object(root).at_key(key::version).get(v) || v.type() != element_type::INT64) return 0;
    const int64_t version = int64_t(v);
    return version >= 1 && version <= kRecordVersion ? int(version) : 0;
}

// The whole document; false on anything the reference reader should judge.
bool read_record(element root, Record &rec) {
    if (root.type() != element_type::OBJECT) return false;
    static constexpr std::string_view kTop[] = {key::format, key::version,      key::writer, key::job,
                                                key::run,    key::gaggle,       key::interpreters,
                                                key::clock,  key::cgroup,       key::fs_metadata_ops};
    // clock and cgroup from version 2 on; fs_metadata_ops optional
    constexpr size_t kClock = 7, kCgroup = 8, kOptional = 9;
    const int version = version_of(root);
    if (!version) return false;
    rec.version = version;
    rec.clock = ClockState{};
    rec.gaggle.cgroup = CgroupFigures{};
    bool seen[std::size(kTop)] = {};
    UnknownKeys unknown;
    rec.fs_metadata_ops.clear();
    for (auto member : object(root)) {
        size_t i = 0;
        while (i < std::size(kTop) && member.key != kTop[i]) ++i;
        if ((i == kClock && version < kClockSince) || (i == kCgroup && version < kCgroupSince)) i = std::size(kTop);
        if (i == std::size(kTop)) {
            if (!unknown.accept(member.key, member.value)) return false;
            continue;
        }
        if (seen[i]) return false;
        seen[i] = true;
        element v = member.value;
        bool ok = false;
        switch (i) {
        case 0: ok = v.type() == element_type::STRING && std::string_view(v) == kRecordFormat; break;
        case 1: ok = true; break;  // version_of has read it
        case 2: ok = read_fields(v, rec.writer, kWriterFields, version); break;
        case 3: ok = read_fields(v, rec.job, kJobFields, version); break;
        case 4: ok = read_fields(v, rec.run, kRunFields, version); break;
        case 5: ok = read_fields(v, rec.gaggle, kGaggleFields, version); break;
        case 6: ok = read_interpreters(v, rec.gaggle.interpreters, version); break;
        case 7: ok = read_fields(v, rec.clock, kClockFields, version); break;
        case 8: ok = read_fields(v, rec.gaggle.cgroup, kCgroupFields, version); break;
        case 9: ok = read_fs_ops(v, rec.fs_metadata_ops); break;
        }
        if (!ok) return false;
    }
    for (size_t i = 0; i < kOptional; ++i)
        if (!seen[i] && (i != kClock || version >= kClockSince) && (i != kCgroup || version >= kCgroupSince)) return false;
    return bool(consistency_problem(rec));
}

} // namespace

struct FastRecordReader::Impl {
    simdjson::dom::parser parser;
    size_t referred = 0;
};

FastRecordReader::FastRecordReader() : impl_(new Impl) {}
FastRecordReader::~FastRecordReader() = default;
size_t FastRecordReader::referred() const { return impl_->referred; }

pyimport::Result<Record> FastRecordReader::parse(std::string_view text) {
    element root;
    Record out;
    if (!impl_->parser.parse(text.data(), text.size(), true).get(root) && read_record(root, out)) return out;
    // The reference reader names the problem, or reads what this one could not judge.
    ++impl_->referred;
    return record_from_json(text);
}

} // namespace agg
