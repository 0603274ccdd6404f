// Fills a record's measured parts in the process that runs the gaggle: the
// gaggle's figures, the shared file system's metadata operations during it,
// then the environment's digest, read after the gaggle so that it cannot warm
// the caches the gaggle is measuring.
#pragma once
#include "result.hpp"

#include "gaggle.hpp"
#include "interpreter_command.hpp"
#include "record.hpp"

#include <string>

namespace pyimport {

// Fails with one line when the gaggle could not run.
Result<void> measure_into(Record &record, const InterpreterCommand &command, const GaggleSpec &spec);

// The same, in a child process that first mounts the image privately (the
// kernel runtime); the record comes back to the caller as JSON.
Result<void> measure_in_private_mount(Record &record, const InterpreterCommand &command, const GaggleSpec &spec);

} // namespace pyimport
