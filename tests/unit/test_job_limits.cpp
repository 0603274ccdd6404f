// The job's resource limits read from SLURM_RLIMIT_* in the job's environment:
// Slurm's format exactly, and anything else skipped without complaint.
#include "job_limits.hpp"
#include "unit_support.hpp"

using namespace pyimport;

TestSuite(job_limits);

namespace {

constexpr rlim_t kInfinity = 18446744073709551615ULL;

std::vector<std::pair<int, rlim_t>> limits_of(const std::vector<std::string> &env) {
    std::vector<std::pair<int, rlim_t>> out;
    for (const ResourceLimit &l : job_resource_limits(env)) out.emplace_back(l.resource, l.soft);
    return out;
}

void expect_limits(const std::vector<std::string> &env, const std::vector<std::pair<int, rlim_t>> &expected) {
    const auto got = limits_of(env);
    std::string text;
    for (const auto &[resource, soft] : got) text += std::to_string(resource) + "=" + std::to_string(soft) + " ";
    cr_assert(got == expected, "limits of [%s]: got %zu entries: %s", unit::join(env).c_str(), got.size(),
              text.c_str());
}

} // namespace

Test(job_limits, every_name_slurm_propagates) {
    expect_limits({"SLURM_RLIMIT_CPU=1", "SLURM_RLIMIT_FSIZE=2", "SLURM_RLIMIT_DATA=3", "SLURM_RLIMIT_STACK=4",
                   "SLURM_RLIMIT_CORE=5", "SLURM_RLIMIT_RSS=6", "SLURM_RLIMIT_NPROC=7", "SLURM_RLIMIT_NOFILE=8",
                   "SLURM_RLIMIT_MEMLOCK=9", "SLURM_RLIMIT_AS=10"},
                  {{RLIMIT_CPU, 1}, {RLIMIT_FSIZE, 2}, {RLIMIT_DATA, 3}, {RLIMIT_STACK, 4}, {RLIMIT_CORE, 5},
                   {RLIMIT_RSS, 6}, {RLIMIT_NPROC, 7}, {RLIMIT_NOFILE, 8}, {RLIMIT_MEMLOCK, 9}, {RLIMIT_AS, 10}});
}

Test(job_limits, user_requested_propagation_and_unlimited) {
    // 'U': the user asked for it (srun --propagate); unlimited is RLIM_INFINITY in decimal.
    expect_limits({"SLURM_RLIMIT_CORE=U0", "SLURM_RLIMIT_STACK=18446744073709551615",
                   "SLURM_RLIMIT_AS=U18446744073709551615", "SLURM_RLIMIT_NOFILE=0064"},
                  {{RLIMIT_CORE, 0}, {RLIMIT_STACK, kInfinity}, {RLIMIT_AS, kInfinity}, {RLIMIT_NOFILE, 64}});
    cr_assert_eq(kInfinity, RLIM_INFINITY);
}

Test(job_limits, malformed_values_are_skipped) {
    for (const char *value : {"", "U", "UU1", "1U", "-1", "+1", " 1", "1 ", "1\n", "0x10", "1e3", "1.5", "unlimited",
                              "infinity", "18446744073709551616", "99999999999999999999999", "u1"}) {
        expect_limits({std::string("SLURM_RLIMIT_CORE=") + value, "SLURM_RLIMIT_NOFILE=64"}, {{RLIMIT_NOFILE, 64}});
    }
}

Test(job_limits, other_variables_are_not_limits) {
    expect_limits({"PATH=/bin", "SLURM_RLIMIT_FOO=1", "SLURM_RLIMIT_=1", "SLURM_RLIMIT_core=1", "SLURM_RLIMIT_CORE",
                   "XSLURM_RLIMIT_CORE=1", "SLURM_RLIMIT_RLIMIT_CORE=1", "SLURM_RLIMIT_CORES=1", "SLURM_RLIMITS_CORE=1",
                   "SLURM_RLIMIT_CPU=7"},
                  {{RLIMIT_CPU, 7}});
    expect_limits({}, {});
}

Test(job_limits, first_of_duplicates_wins_as_in_slurm) {
    expect_limits({"SLURM_RLIMIT_CORE=1", "SLURM_RLIMIT_CORE=2"}, {{RLIMIT_CORE, 1}});
    // A malformed first one makes Slurm ignore the limit: so do we.
    expect_limits({"SLURM_RLIMIT_CORE=x", "SLURM_RLIMIT_CORE=2"}, {});
}
