#include "runner.hpp"

#include "process.hpp"
#include "progress.hpp"
#include "records.hpp"
#include "sys_io.hpp"
#include "text_escape.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

namespace study {

namespace {

volatile sig_atomic_t g_signal = 0;
volatile sig_atomic_t g_child = 0;   // the running srun's pid; 0 when none

void on_signal(int sig) {
    if (g_signal == 0) g_signal = sig;
    const pid_t child = pid_t(g_child);
    if (child > 0) kill(child, SIGTERM);
}

// Waits for srun; after a stop signal, gives it 30 s to end its step, then kills it.
int wait_for_srun(pid_t pid) {
    int st = 0;
    int64_t kill_at = 0;
    for (;;) {
        const pid_t r = waitpid(pid, &st, g_signal ? WNOHANG : 0);
        if (r == pid) return st;
        if (r < 0 && errno != EINTR) return -1;
        if (g_signal) {
            const int64_t now = pyimport::clock_ns(CLOCK_MONOTONIC);
            if (kill_at == 0) kill_at = now + int64_t(30) * 1000000000;
            else if (now >= kill_at) kill(pid, SIGKILL);
            struct timespec nap = {0, 50 * 1000 * 1000};
            nanosleep(&nap, nullptr);
        }
    }
}

// Starts srun in its own process group (a terminal's Ctrl-C reaches only the
// study, which forwards it), stdin from /dev/null; -1 with errno on failure.
pid_t start_srun(const std::vector<std::string> &argv) {
    std::vector<char *> args;
    for (const auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);  // no handler runs in the child before exec
    const pid_t pid = fork();
    if (pid == 0) {
        signal(SIGINT, SIG_DFL), signal(SIGTERM, SIG_DFL), signal(SIGHUP, SIG_DFL);
        sigprocmask(SIG_SETMASK, &old, nullptr);
        setpgid(0, 0);
        const int null = open("/dev/null", O_RDONLY);
        if (null < 0 || dup2(null, 0) < 0) _exit(126);
        execvp(args[0], args.data());
        _exit(127);
    }
    if (pid > 0) g_child = pid;
    sigprocmask(SIG_SETMASK, &old, nullptr);
    if (pid > 0 && g_signal) kill(pid, SIGTERM);  // a signal between fork and g_child
    return pid;
}

} // namespace

void install_signal_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: waitpid returns EINTR
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
}

int stop_signal() { return int(g_signal); }

std::vector<std::string> srun_argv(const Plan &plan, const PlannedStep &step) {
    const std::string k = std::to_string(step.cell.nodes);
    std::string bench = step.cell.mode + "," + std::to_string(step.cell.gaggle) + ",label=" + plan.label;
    if (plan.language != "python") bench += ",lang=" + plan.language;
    if (!plan.modules.empty()) bench += ",modules=" + join_words(plan.modules, ":");
    return {"srun", "--nodes=" + k, "--ntasks=" + k, "--ntasks-per-node=1", "--exclusive", "--kill-on-bad-exit=1",
            "--job-name=pyimport-study", "--pyimport-bench=" + bench, "true"};
}

RunOutcome run_steps(Manifest &m, const std::string &dir, const pyimport::SiteSettings &site, bool quiet) {
    RunOutcome out;
    const std::vector<size_t> todo = steps_to_run(m, dir);
    std::vector<Cell> cells;
    for (size_t i : todo) cells.push_back(m.steps[i].planned.cell);
    Progress progress(cells, m.steps.size() - todo.size(), m.steps.size(), isatty(2) == 1, quiet);
    for (size_t t = 0; t < todo.size() && !g_signal; ++t) {
        StepRun &s = m.steps[todo[t]];
        std::set<int64_t> claimed;
        for (const auto &other : m.steps)
            if (other.job_id == m.allocation.job_id && other.step_id >= 0) claimed.insert(other.step_id);
        remove_copies(dir, s.records);
        s = StepRun{s.planned, StepState::pending, srun_argv(m.plan, s.planned), utc_now(), "", -1, m.allocation.job_id, -1, {}, ""};
        progress.step_started(t);
        const pid_t pid = start_srun(s.argv);
        int st = pid > 0 ? wait_for_srun(pid) : -1;
        g_child = 0;
        s.end_utc = utc_now();
        ++out.ran;
        if (pid < 0 || st < 0) {
            s.problem = pyimport::errno_text("cannot run srun");
        } else if (WIFEXITED(st)) {
            s.exit_status = WEXITSTATUS(st);
            if (s.exit_status == 127) s.problem = "srun could not be run (not found?)";
            else if (s.exit_status != 0) s.problem = "srun " + status_text(st);
        } else {
            s.exit_status = 128 + WTERMSIG(st);
            s.problem = "srun " + status_text(st);
        }
        FoundRecords found = collect_records(site.outdir, m.allocation.job_id, claimed, m.plan, s.planned, dir);
        s.step_id = found.step_id;
        s.records = found.copies;
        if (s.problem.empty()) {
            if (!found.problems.empty()) s.problem = found.problems.front();
            else if (s.records.size() != size_t(s.planned.cell.nodes))
                s.problem = std::to_string(s.records.size()) + " of " + std::to_string(s.planned.cell.nodes) +
                            " records found in " + pyimport::quote_text(site.outdir);
            else if (!found.all_succeeded) s.problem = "some interpreters failed (see the records)";
        }
        s.state = s.problem.empty() ? StepState::done : g_signal ? StepState::interrupted : StepState::failed;
        if (s.state == StepState::interrupted) s.problem = "interrupted (" + std::string(strsignal(int(g_signal))) + "); " + s.problem;
        if (s.state == StepState::failed) ++out.failed;
        m.updated_utc = utc_now();
        if (auto saved = save_manifest(dir, m); !saved) {
            out.write_error = saved.error();
            out.write_failed = true;
            progress.finish();
            return out;
        }
        progress.step_ended(t, s.state == StepState::done ? "done" : std::string(state_name(s.state)) + ": " + pyimport::escape_text(s.problem, 160));
    }
    progress.finish();
    return out;
}

} // namespace study
