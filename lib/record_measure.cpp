#include "record_measure.hpp"

#include "environment_files.hpp"
#include "fs_metadata_counters.hpp"
#include "import_times.hpp"
#include "private_mount.hpp"
#include "sys_io.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace pyimport {

namespace {

// Runtimes show the image's own files only through themselves: the digest is
// read by the image's own interpreter (images need not have cat), as the job
// user, like the gaggle.
std::string digest_inside_runtime(const InterpreterCommand &command, const GaggleSpec &spec) {
    GaggleSpec probe = spec;
    probe.size = 1;
    probe.timeout_s = 20;  // after the gaggle, inside srun's 600 s launch limit (kMaxGaggleMs leaves 30 s)
    probe.capture_stdout = true;
    probe.argv.assign(command.argv.begin(), command.argv.end() - 1);  // the import statement goes
    probe.argv.push_back(print_file_code(command.language, kEnvDigestFile));
    auto figures = run_gaggle(probe);
    if (!figures || !figures->interpreters[0].succeeded()) return "";
    std::string text = figures->interpreters[0].stdout_text;
    text = text.substr(0, text.find('\n'));
    return text.rfind("sha256:", 0) == 0 ? text : "";
}

std::string env_digest_of(const InterpreterCommand &command, const GaggleSpec &spec) {
    if (command.host_paths) return read_env_digest(command.env_path);  // conda, or the kernel mount
    if (command.mount_driver == "directory") return read_env_digest(command.image);
    return digest_inside_runtime(command, spec);
}

// importtime=on: each interpreter's stderr head, parsed now that the timed
// interval is over, becomes its import times; the text itself is dropped.
void keep_import_times(GaggleFigures &gaggle, const std::vector<std::string> &modules) {
    for (auto &f : gaggle.interpreters) {
        const ImportTimeSummary summary = summarize_import_times(f.stderr_head, modules);
        f.import_us = summary.requested_cumulative_us;
        for (const auto &slow : summary.slowest) {
            f.slowest_modules.push_back(slow.name);
            f.slowest_self_us.push_back(slow.self_us);
            f.slowest_cumulative_us.push_back(slow.cumulative_us);
        }
        f.stderr_head.clear();
        f.stderr_head.shrink_to_fit();
    }
}

// The holder: a process that exists for this gaggle only, so its private
// mount namespace (and the mount, and the loop device) vanish with it.
[[noreturn]] void run_holder(int out, pid_t parent, Record record, const InterpreterCommand &command,
                            const GaggleSpec &spec) {
    // A forked copy of the caller: nothing may unwind past here into the
    // caller's frames (slurmstepd's), so this process ends here whatever happens.
    try {
        Result<void> measured = mount_image_privately(command.image, command.mount_at);
        // Only now: the euid changes in the mount clear a parent-death signal.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(1);  // the parent died before that
        if (measured) measured = measure_into(record, command, spec);
        write_all(out, measured ? "R" + record_to_json(record) : "E" + measured.error());
    } catch (const std::exception &e) {
        write_all(out, std::string("E") + e.what());
    } catch (...) {
        write_all(out, "Eunexpected failure in the mount namespace");
    }
    _exit(0);
}

} // namespace

Result<void> measure_into(Record &record, const InterpreterCommand &command, const GaggleSpec &spec) {
    // The shared file system's counters around the gaggle, outside its timed
    // interval; a file system without counters (or unreadable ones) adds none.
    const std::string served_from = command.image.empty() ? command.env_path : command.image;
    auto counters = [&served_from]() -> std::optional<MetadataSnapshot> {
        auto snapshot = snapshot_metadata_counters(served_from);
        if (!snapshot) return std::nullopt;
        return std::move(*snapshot);
    };
    auto before = counters();
    record.clock = read_clock_state();
    auto figures = run_gaggle(spec);
    if (!figures) return fail(figures.error());
    auto after = before ? counters() : std::nullopt;
    // How the release was planned is the caller's; what happened, the engine's.
    figures->sync = std::move(record.gaggle.sync);
    figures->sync_note = std::move(record.gaggle.sync_note);
    if (record.run.importtime) keep_import_times(*figures, command.modules);
    record.gaggle = std::move(*figures);
    if (before && after) record.fs_metadata_ops = diff_metadata_counters(*before, *after);
    record.run.env_digest = env_digest_of(command, spec);
    return ok();
}

Result<void> measure_in_private_mount(Record &record, const InterpreterCommand &command, const GaggleSpec &spec) {
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) return fail(errno_text("pipe"));
    const pid_t parent = getpid();
    pid_t holder = fork();
    if (holder == 0) {
        close(pipefd[0]);
        run_holder(pipefd[1], parent, record, command, spec);
    }
    close(pipefd[1]);
    std::string reply = holder > 0 ? read_all(pipefd[0]) : "";
    close(pipefd[0]);
    int status = 0;
    while (holder > 0 && waitpid(holder, &status, 0) < 0 && errno == EINTR) {}
    if (holder < 0) return fail(errno_text("fork"));
    if (reply.empty()) return fail("the process holding the image mount died");
    if (reply[0] == 'E') return fail(reply.substr(1));
    auto parsed = record_from_json(reply.substr(1));
    if (!parsed) return fail("the record from the mount namespace is unreadable: " + parsed.error());
    record = std::move(*parsed);
    return ok();
}

} // namespace pyimport
