// The columns that say which configuration a table row is about, shared by
// every table with a row per configuration.
#pragma once
#include "model.hpp"
#include "table.hpp"

#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace agg {

inline constexpr int kSecondsDigits = 3;

// The workloads (language, module list, label and importtime) of the dataset in order, tagged A, B, ...
struct Workload {
    std::string tag, language, modules, label;
    bool importtime = false;
};
std::vector<Workload> workloads(const Dataset &data);

// Whether the dataset holds runs both with and without python -X importtime:
// only then do the tables say which a row is.
bool importtime_varies(const Dataset &data);

// Whether any configuration is not Python's: only then do the tables have a
// language column (a Python-only dataset's tables are as they were).
bool languages_shown(const Dataset &data);

class KeyColumns {
  public:
    KeyColumns(const Dataset &data, bool with_mode);
    void columns(Table &t) const;
    std::vector<Cell> cells(const ConfigKey &k) const;
    // The workload's tag when there are several ("" otherwise): for notes.
    std::string tag(const ConfigKey &k) const;

  private:
    bool with_mode_, with_tag_ = false, with_importtime_ = false, with_language_ = false;
    std::map<std::tuple<std::string, std::string, std::string, bool>, std::string> tags_;
};

} // namespace agg
