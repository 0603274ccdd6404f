// In slurmstepd, while a gaggle runs: asks slurmctld every cancel_check_ms,
// through Slurm's squeue, whether the job still runs. Slurm holds back scancel, a time limit or a
// preemption of a step until its tasks have started (slurmstepd's request
// handler waits for them), and they start only after the gaggle: without
// this, a cancelled job's gaggle runs to its timeout and its node stops
// answering slurmctld meanwhile.
#pragma once
#include <cstdint>
#include <memory>

namespace pyimport::spank {

class JobEndWatch {
public:
    // Starts asking at once; interval_ms 0 asks never (fd() is then -1).
    JobEndWatch(uint32_t job_id, int interval_ms);
    // Stops asking. An RPC in flight ends on its own (bounded by Slurm's
    // MessageTimeout); it is never waited for here.
    ~JobEndWatch();
    JobEndWatch(const JobEndWatch &) = delete;
    JobEndWatch &operator=(const JobEndWatch &) = delete;

    int fd() const;          // readable once the job has ended (GaggleSpec::stop_fd)
    bool ended() const;      // it has (seen by this watch, never read from a message)
    int unanswered() const;  // questions slurmctld did not answer so far

    struct Shared;

private:
    std::shared_ptr<Shared> shared_;
};

} // namespace pyimport::spank
