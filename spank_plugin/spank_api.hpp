// spank.h for C++ (the header declares the callbacks outside its own
// extern "C" block, so the whole include is wrapped), and the plugin's
// prefixed logging.
#pragma once
extern "C" {
#include <slurm/spank.h>
}
#include "text_escape.hpp"

#include <cstddef>
#include <string>

namespace pyimport::spank {

// A message may carry text from a user, the job's environment or
// plugstack.conf, and it lands in srun's terminal and in slurmd's log as one
// line. The places that build messages escape what they echo (quote_text);
// this is the last line of defence: a message that still holds a control
// byte or invalid UTF-8, or is longer than this, is escaped and cut as a whole.
constexpr size_t kMaxLogMessage = 900;
inline std::string log_safe(const std::string &text) {
    return text.size() <= kMaxLogMessage && is_clean_text(text) ? text : escape_text(text, kMaxLogMessage);
}

// Every message of the plugin carries its name, in srun and in the node logs.
inline void log_error(const std::string &text) { slurm_error("pyimport_bench: %s", log_safe(text).c_str()); }
inline void log_info(const std::string &text) { slurm_info("pyimport_bench: %s", log_safe(text).c_str()); }

} // namespace pyimport::spank
