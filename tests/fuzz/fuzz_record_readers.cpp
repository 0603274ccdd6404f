// libFuzzer, differential: the reference record reader
// (pyimport::record_from_json, jansson) against pyimport-aggregate's fast
// reader on the same bytes. Invariants:
//  - both accept or both refuse;
//  - when both accept, the two records serialise (pyimport::record_to_json) to
//    the same JSON, and that JSON reads back to itself (writer and reader agree);
//  - when both refuse, the messages are identical.
// One fast reader serves every input, as in pyimport-aggregate's threads, so
// state left over from a previous input shows.

// The fast reader under test: when it moves, change these two lines only.
#include "fast_record_reader.hpp"
using FastReader = agg::FastRecordReader;

#include "fuzz_support.hpp"
#include "record.hpp"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static FastReader fast;
    std::string text(reinterpret_cast<const char *>(data), size);

    auto ref = pyimport::record_from_json(text);
    auto fast_read = fast.parse(text);
    const std::string ref_error = fuzz::error_of(ref), fast_error = fuzz::error_of(fast_read);
    const bool fast_ok = bool(fast_read);

    if (bool(ref) != fast_ok)
        fuzz::broken(ref ? "the reference accepts, the fast reader refuses"
                         : "the reference refuses, the fast reader accepts",
                     text, "reference: \"" + fuzz::shown(ref_error) + "\"; fast: \"" + fuzz::shown(fast_error) + "\"");
    if (!ref) {
        FUZZ_CHECK(!ref_error.empty(), text, "refused without a message");
        FUZZ_CHECK(ref_error == fast_error, text,
                   "reference: \"" + fuzz::shown(ref_error) + "\"; fast: \"" + fuzz::shown(fast_error) + "\"");
        return 0;
    }
    std::string ref_json = pyimport::record_to_json(*ref), fast_json = pyimport::record_to_json(*fast_read);
    FUZZ_CHECK(ref_json == fast_json, text,
               "reference reads: " + fuzz::shown(ref_json, 4000) + "\n  fast reads: " + fuzz::shown(fast_json, 4000));
    auto again = pyimport::record_from_json(ref_json);
    std::string again_error = fuzz::error_of(again);
    FUZZ_CHECK(again && pyimport::record_to_json(*again) == ref_json, text,
               "written as " + fuzz::shown(ref_json, 4000) + "\n  read back: " + fuzz::shown(again_error));
    return 0;
}
