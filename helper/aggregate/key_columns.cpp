#include "key_columns.hpp"

namespace agg {

std::vector<Workload> workloads(const Dataset &data) {
    std::vector<Workload> out;
    for (const auto &c : data.configs)
        if (out.empty() || out.back().language != c.key.language || out.back().modules != c.key.modules ||
            out.back().label != c.key.label || out.back().importtime != c.key.importtime)
            out.push_back({std::string(1, char('A' + out.size() % 26)) + (out.size() >= 26 ? std::to_string(out.size() / 26) : ""),
                           c.key.language, c.key.modules, c.key.label, c.key.importtime});
    return out;
}

bool importtime_varies(const Dataset &data) {
    bool on = false, off = false;
    for (const auto &c : data.configs) (c.key.importtime ? on : off) = true;
    return on && off;
}

bool languages_shown(const Dataset &data) {
    for (const auto &c : data.configs)
        if (c.key.language != "python") return true;
    return false;
}

KeyColumns::KeyColumns(const Dataset &data, bool with_mode) : with_mode_(with_mode) {
    auto list = workloads(data);
    for (const auto &w : list) tags_[{w.language, w.modules, w.label, w.importtime}] = w.tag;
    with_tag_ = list.size() > 1;
    with_importtime_ = importtime_varies(data);
    with_language_ = languages_shown(data);
}

void KeyColumns::columns(Table &t) const {
    if (with_tag_) t.columns.push_back({"workload", "workload", Audience::human});
    if (with_language_) t.columns.push_back({"language", "lang"});
    t.columns.push_back({"modules", "modules", Audience::machine});
    t.columns.push_back({"label", "label", Audience::machine});
    // People read it from the workload table, through the tag.
    if (with_importtime_) t.columns.push_back({"importtime", "importtime", Audience::machine});
    if (with_mode_) t.columns.push_back({"mode", "mode"});
    t.columns.push_back({"nodes", "nodes"});
    t.columns.push_back({"gaggle", "gaggle"});
    t.columns.push_back({"interpreters", "interpreters"});
}

std::vector<Cell> KeyColumns::cells(const ConfigKey &k) const {
    std::vector<Cell> row;
    if (with_tag_) row.push_back(Cell::of(tag(k)));
    if (with_language_) row.push_back(Cell::of(k.language));
    row.push_back(Cell::of(k.modules));
    row.push_back(Cell::of(k.label));
    if (with_importtime_) row.push_back(Cell::of(k.importtime ? "on" : "off"));
    if (with_mode_) row.push_back(Cell::of(pyimport::mode_name(k.mode)));
    row.push_back(Cell::count(k.nodes));
    row.push_back(Cell::count(k.gaggle));
    row.push_back(Cell::count(k.interpreters()));
    return row;
}

std::string KeyColumns::tag(const ConfigKey &k) const {
    return with_tag_ ? tags_.at({k.language, k.modules, k.label, k.importtime}) : std::string();
}

} // namespace agg
