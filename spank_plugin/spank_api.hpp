// spank.h for C++ (the header declares the callbacks outside its own
// extern "C" block, so the whole include is wrapped), and the plugin's
// prefixed logging.
#pragma once
extern "C" {
#include <slurm/spank.h>
}
#include <string>

namespace pyimport::spank {

// Every message of the plugin carries its name, in srun and in the node logs.
inline void log_error(const std::string &text) { slurm_error("pyimport_bench: %s", text.c_str()); }
inline void log_info(const std::string &text) { slurm_info("pyimport_bench: %s", text.c_str()); }

} // namespace pyimport::spank
