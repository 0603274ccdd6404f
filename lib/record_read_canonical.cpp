// The first tier of FastRecordReader: a record exactly as record_to_json lays
// it out (keys in the field tables' order, any JSON whitespace), read in one
// pass with no parse tree. Text that deviates in any way (another key order,
// unknown keys, escapes, non-ASCII text, reals, huge integers) is refused
// here and read by the general tiers, so this tier only has to be right on
// what it accepts: the same Record that record_from_json would make.
//
// Why: with one file per node per step, pyimport-aggregate spends most of its
// user time turning text into numbers; a general JSON parser first builds a
// tree of the whole document and the reader then walks it.
#include "record_read_canonical.hpp"

#include <cstring>
#include <iterator>
#include <utility>

namespace pyimport {

using namespace record_schema;

namespace {

// The parse is a chain of small steps per field; left as calls, they cost
// more than the work they do.
#define PYIMPORT_INLINE inline __attribute__((always_inline))

// The bytes record_to_json (JSON_INDENT(1)) writes before a member's value:
// ",\n" unless it is the first, one space per level of depth, "\"key\": ".
// Matched as one constant, they replace a dozen single-byte steps per field.
struct Lead {
    char bytes[kCanonicalPadding] = {};
    size_t size = 0;
};
constexpr Lead writer_lead(const char *key, int depth, bool first) {
    Lead l;
    auto put = [&l](char c) { l.bytes[l.size++] = c; };
    if (!first) put(',');
    put('\n');
    for (int i = 0; i < depth; ++i) put(' ');
    put('"');
    for (const char *k = key; *k; ++k) put(*k);
    put('"');
    put(':');
    put(' ');
    return l;
}

// A cursor over text followed by kCanonicalPadding zero bytes: a scan that
// reaches them stops at the first, as no token holds a NUL; nothing looks
// further ahead than a lead's length.
class Cursor {
  public:
    Cursor(const char *p, const char *end) : p_(p), end_(end) {}

    // (Loops run on a local copy of p_: a char load may alias the cursor
    // itself, so stepping p_ in place would store it back at every byte.)
    PYIMPORT_INLINE void ws() {
        const char *p = p_;
        while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') ++p;
        p_ = p;
    }
    // The character `c` after whitespace; false (nothing taken) when another is next.
    PYIMPORT_INLINE bool expect(char c) {
        ws();
        if (*p_ != c) return false;
        ++p_;
        return true;
    }
    PYIMPORT_INLINE bool peek(char c) {
        ws();
        return *p_ == c;
    }
    // `"key":` after whitespace; false (nothing taken) when another key is next.
    PYIMPORT_INLINE bool key(std::string_view k) {
        ws();
        if (p_[0] != '"' || !same_bytes(p_ + 1, k.data(), k.size()) || p_[k.size() + 1] != '"') return false;
        p_ += k.size() + 2;
        return expect(':');
    }

    // Exactly the bytes of `l` (see Lead); false (nothing taken) otherwise.
    // Compared as 8-byte words, the last one overlapping, with one branch:
    // `l` is a constant, so its words are immediates.
    PYIMPORT_INLINE bool lead(const Lead &l) {
        uint64_t diff = 0;
        for (size_t i = 0; i + 8 < l.size; i += 8) diff |= word_at(p_ + i) ^ word_at(l.bytes + i);
        diff |= word_at(p_ + l.size - 8) ^ word_at(l.bytes + l.size - 8);
        if (diff != 0) return false;
        p_ += l.size;
        return true;
    }

    // A JSON integer that fits int64_t, as jansson reads it ("-0" is 0).
    PYIMPORT_INLINE bool integer(int64_t &out) {
        ws();
        const char *p = p_;
        const bool negative = *p == '-';
        p += negative;
        const char *digits = p;
        uint64_t v = 0;
        // v wraps past 19 digits, which are refused below; a bound in the loop costs more.
        for (unsigned d; (d = unsigned(static_cast<unsigned char>(*p)) - '0') < 10; ++p) v = v * 10 + d;
        const size_t n = size_t(p - digits);
        if (n == 0 || n > 19 || (n > 1 && *digits == '0')) return false;
        if (*p == '.' || *p == 'e' || *p == 'E') return false;  // a real: not an integer
        if (v > uint64_t(INT64_MAX) + negative) return false;
        out = negative ? int64_t(0 - v) : int64_t(v);
        p_ = p;
        return true;
    }
    // A string of printable ASCII without escapes (anything else: another tier).
    PYIMPORT_INLINE bool text(std::string_view &out) {
        if (!expect('"')) return false;
        const char *p = p_;
        for (unsigned char c; (c = static_cast<unsigned char>(*p)) != '"'; ++p)
            if (c < 0x20 || c >= 0x80 || c == '\\') return false;
        out = std::string_view(p_, size_t(p - p_));
        p_ = p + 1;
        return true;
    }
    PYIMPORT_INLINE bool text(std::string &out) {
        std::string_view v;
        return text(v) && (out.assign(v.data(), v.size()), true);
    }
    PYIMPORT_INLINE bool literal(const char *word, size_t n) {
        ws();
        if (std::memcmp(p_, word, n) != 0) return false;
        p_ += n;
        return true;
    }
    PYIMPORT_INLINE bool boolean(bool &out) {
        if (literal("true", 4)) return out = true, true;
        if (literal("false", 5)) return out = false, true;
        return false;
    }
    PYIMPORT_INLINE bool null() { return literal("null", 4); }
    bool text_list(std::vector<std::string> &out) {
        if (!expect('[')) return false;
        size_t n = 0;
        if (!expect(']')) {
            do {
                if (n == out.size()) out.emplace_back();
                if (!text(out[n++])) return false;
            } while (expect(','));
            if (!expect(']')) return false;
        }
        out.resize(n);
        return true;
    }
    // Only whitespace is left.
    bool at_end() {
        ws();
        return p_ == end_;
    }

  private:
    const char *p_;
    const char *end_;
};

template <class S> PYIMPORT_INLINE bool value(Cursor &c, const Field<S> &f, S &s) {
    switch (f.kind) {
    case Kind::integer: {
        int64_t v;
        if (!c.integer(v)) return false;
        if (f.i64) return s.*f.i64 = v, true;  // most fields: no range to check
        return f.set_int(s, v);
    }
    case Kind::flag: return c.boolean(s.*f.flag);
    case Kind::text: return c.text(s.*f.text);
    case Kind::nullable_text:
        if (c.null()) return (s.*f.text).clear(), true;
        return c.text(s.*f.text);
    case Kind::text_list: return c.text_list(s.*f.list);
    }
    return false;
}

// Member I of a section in table order: required, or when_set and then
// present only when a ',' is followed by its key (reset when absent). The
// field is a constant, so its key is compared as one and its kind's branch is
// the only one compiled. Every table starts with a required member, so member
// 0 is the first in its object. Depth: the section's nesting in the writer's
// layout, whose exact spacing is tried before any other.
template <auto &Fields, size_t I, int Depth, class S> PYIMPORT_INLINE bool member(Cursor &c, S &s) {
    static_assert(Fields[0].presence == Presence::required, "member 0 is always the first");
    constexpr Field<S> f = Fields[I];
    constexpr std::string_view key(f.key);
    constexpr bool first = I == 0;
    static constexpr Lead lead = writer_lead(f.key, Depth, first);
    static_assert(lead.size >= 8 && lead.size <= kCanonicalPadding, "a lead is read as words, ahead into the padding");
    bool present = true;
    if constexpr (f.presence == Presence::required) {
        if (!c.lead(lead) && ((!first && !c.expect(',')) || !c.key(key))) return false;
    } else {
        Cursor probe = c;
        present = probe.lead(lead) || (probe.expect(',') && probe.key(key));
        if (present) c = probe;
    }
    if (present) return value(c, f, s);
    if constexpr (f.text != nullptr) (s.*f.text).clear();
    else f.set_int(s, 0);
    return true;
}

// The members of one section (after its '{', before its '}').
template <auto &Fields, int Depth, class S, size_t... I> bool members(Cursor &c, S &s, std::index_sequence<I...>) {
    return (member<Fields, I, Depth>(c, s) && ...);
}
template <auto &Fields, int Depth, class S> bool members(Cursor &c, S &s) {
    return members<Fields, Depth>(c, s, std::make_index_sequence<std::size(Fields)>());
}

template <auto &Fields, class S> bool section(Cursor &c, const char *name, S &s) {
    return c.expect(',') && c.key(name) && c.expect('{') && members<Fields, 2>(c, s) && c.expect('}');
}

// "gaggle": its fields, then the counts derived for readers of the file
// (checked to be integers, not read: record_from_json ignores them).
bool gaggle(Cursor &c, GaggleFigures &g) {
    if (!c.expect(',') || !c.key(key::gaggle) || !c.expect('{') || !members<kGaggleFields, 2>(c, g)) return false;
    int64_t ignored;
    for (const char *derived : {key::succeeded, key::failed, key::timed_out})
        if (!c.expect(',') || !c.key(derived) || !c.integer(ignored)) return false;
    return c.expect('}');
}

bool interpreters(Cursor &c, std::vector<InterpreterFigures> &out) {
    if (!c.expect(',') || !c.key(key::interpreters) || !c.expect('[')) return false;
    size_t n = 0;
    if (!c.expect(']')) {
        do {
            if (n == out.size()) out.emplace_back();
            if (!c.expect('{') || !members<kInterpreterFields, 3>(c, out[n++]) || !c.expect('}')) return false;
        } while (c.expect(','));
        if (!c.expect(']')) return false;
    }
    out.resize(n);
    return true;
}

// Optional; as the writer puts them: keys in ascending byte order (so none
// repeats, which jansson would refuse), integer values.
bool fs_metadata_ops(Cursor &c, std::map<std::string, int64_t> &out) {
    out.clear();
    if (!c.peek(',')) return true;
    if (!c.expect(',') || !c.key(key::fs_metadata_ops) || !c.expect('{')) return false;
    if (c.expect('}')) return true;
    std::string name;
    do {
        int64_t v;
        if (!c.text(name) || !c.expect(':') || !c.integer(v)) return false;
        if (!out.empty() && !(out.rbegin()->first < name)) return false;
        out.emplace_hint(out.end(), name, v);
    } while (c.expect(','));
    return c.expect('}');
}

#undef PYIMPORT_INLINE

} // namespace

bool read_canonical_record(const char *text, size_t size, Record &rec) {
    Cursor c(text, text + size);
    std::string_view format;
    int64_t version;
    if (!c.expect('{') || !c.key(key::format) || !c.text(format) || format != kRecordFormat) return false;
    if (!c.expect(',') || !c.key(key::version) || !c.integer(version) || version < 1 || version > kRecordVersion)
        return false;
    rec.version = int(version);
    return section<kWriterFields>(c, key::writer, rec.writer) && section<kJobFields>(c, key::job, rec.job) &&
           section<kRunFields>(c, key::run, rec.run) && gaggle(c, rec.gaggle) &&
           interpreters(c, rec.gaggle.interpreters) && fs_metadata_ops(c, rec.fs_metadata_ops) && c.expect('}') &&
           c.at_end() && consistency_problem(rec).empty();
}

} // namespace pyimport
