// pyimport-aggregate's record reader: simdjson, walking the record module's
// field tables (record_schema), for the tens of thousands of files a site
// aggregates. It accepts exactly what the reference reader
// (pyimport::record_from_json, jansson) accepts and yields the same Record;
// any text it refuses or cannot judge goes to the reference reader, so a
// problem is always named by the reference's one line.
#pragma once
#include "record.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace agg {

class FastRecordReader {
  public:
    FastRecordReader();
    ~FastRecordReader();
    FastRecordReader(const FastRecordReader &) = delete;
    FastRecordReader &operator=(const FastRecordReader &) = delete;

    // Parses `text` into a record, or fails saying why.
    pyimport::Result<pyimport::Record> parse(std::string_view text);

    // How many texts this reader handed to the reference reader so far (a
    // well formed record never is: the tests check the fast path is taken).
    size_t referred() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace agg
