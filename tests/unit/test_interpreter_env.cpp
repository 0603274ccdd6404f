// The interpreters' environment: the job's, plus the fixed measurement and
// safety settings, plus the site's setenv= entries, which win.
#include "interpreter_env.hpp"
#include "unit_support.hpp"

using namespace pyimport;
using unit::expect_eq;

Test(interpreter_env, fixed_entries_are_added_to_an_empty_environment) {
    expect_eq(interpreter_env({}, {}), {"PYTHONDONTWRITEBYTECODE=1", "MPLBACKEND=Agg", "PYTHONSAFEPATH=1"}, "env");
}

Test(interpreter_env, job_environment_is_kept_in_order) {
    expect_eq(interpreter_env({"PATH=/bin", "HOME=/home/u", "EMPTY="}, {}),
              {"PATH=/bin", "HOME=/home/u", "EMPTY=", "PYTHONDONTWRITEBYTECODE=1", "MPLBACKEND=Agg", "PYTHONSAFEPATH=1"}, "env");
}

Test(interpreter_env, fixed_entries_override_the_jobs_in_place) {
    expect_eq(interpreter_env({"MPLBACKEND=TkAgg", "PATH=/bin", "PYTHONDONTWRITEBYTECODE="}, {}),
              {"MPLBACKEND=Agg", "PATH=/bin", "PYTHONDONTWRITEBYTECODE=1", "PYTHONSAFEPATH=1"}, "env");
}

Test(interpreter_env, site_setenv_wins_over_job_and_fixed_entries) {
    expect_eq(interpreter_env({"PATH=/bin", "OMP_NUM_THREADS=8"}, {"OMP_NUM_THREADS=1", "MPLBACKEND=pdf", "NEW=x"}),
              {"PATH=/bin", "OMP_NUM_THREADS=1", "PYTHONDONTWRITEBYTECODE=1", "MPLBACKEND=pdf", "PYTHONSAFEPATH=1", "NEW=x"}, "env");
}

Test(interpreter_env, repeated_names_leave_one_entry_the_last_value) {
    expect_eq(interpreter_env({"A=job1", "A=job2"}, {"B=site1", "B=site2"}),
              {"A=job2", "PYTHONDONTWRITEBYTECODE=1", "MPLBACKEND=Agg", "PYTHONSAFEPATH=1", "B=site2"}, "env");
}

Test(interpreter_env, job_entries_without_equals_are_dropped) {
    expect_eq(interpreter_env({"garbage", "A=1", ""}, {}), {"A=1", "PYTHONDONTWRITEBYTECODE=1", "MPLBACKEND=Agg", "PYTHONSAFEPATH=1"},
              "env");
}

Test(interpreter_env, names_are_compared_whole) {
    expect_eq(interpreter_env({"PATH=/a", "PATHX=/b", "PAT=/c"}, {"PATH=/site"}),
              {"PATH=/site", "PATHX=/b", "PAT=/c", "PYTHONDONTWRITEBYTECODE=1", "MPLBACKEND=Agg", "PYTHONSAFEPATH=1"}, "env");
}

Test(interpreter_env, values_may_contain_equals) {
    expect_eq(interpreter_env({"OPTS=a=b=c"}, {"X==y"}),
              {"OPTS=a=b=c", "PYTHONDONTWRITEBYTECODE=1", "MPLBACKEND=Agg", "PYTHONSAFEPATH=1", "X==y"}, "env");
}

Test(interpreter_env, the_job_cannot_turn_safe_path_off) {
    expect_eq(interpreter_env({"PYTHONSAFEPATH=", "PATH=/bin"}, {}),
              {"PYTHONSAFEPATH=1", "PATH=/bin", "PYTHONDONTWRITEBYTECODE=1", "MPLBACKEND=Agg"}, "env");
}
