// The interpreters' environment: the job's less its steering variables, plus the fixed measurement and
// safety settings, plus the site's setenv= entries, which win.
#include "interpreter_env.hpp"
#include "unit_support.hpp"

using namespace pyimport;
using unit::expect_eq;

Test(interpreter_env, fixed_entries_are_added_to_an_empty_environment) {
    expect_eq(interpreter_env({}, {}), {"PYTHONDONTWRITEBYTECODE=1", "MPLBACKEND=Agg", "PYTHONSAFEPATH=1", "PYTHONNOUSERSITE=1", "R_LIBS_USER=NULL"}, "env");
}

Test(interpreter_env, job_environment_is_kept_in_order) {
    expect_eq(interpreter_env({"PATH=/bin", "HOME=/home/u", "EMPTY="}, {}),
              {"PATH=/bin", "HOME=/home/u", "EMPTY=", "PYTHONDONTWRITEBYTECODE=1", "MPLBACKEND=Agg", "PYTHONSAFEPATH=1", "PYTHONNOUSERSITE=1", "R_LIBS_USER=NULL"}, "env");
}

Test(interpreter_env, fixed_entries_override_the_jobs_in_place) {
    expect_eq(interpreter_env({"MPLBACKEND=TkAgg", "PATH=/bin"}, {}),
              {"MPLBACKEND=Agg", "PATH=/bin", "PYTHONDONTWRITEBYTECODE=1", "PYTHONSAFEPATH=1", "PYTHONNOUSERSITE=1",
               "R_LIBS_USER=NULL"}, "env");
}

Test(interpreter_env, site_setenv_wins_over_job_and_fixed_entries) {
    expect_eq(interpreter_env({"PATH=/bin", "OMP_NUM_THREADS=8"}, {"OMP_NUM_THREADS=1", "MPLBACKEND=pdf", "NEW=x"}),
              {"PATH=/bin", "OMP_NUM_THREADS=1", "PYTHONDONTWRITEBYTECODE=1", "MPLBACKEND=pdf", "PYTHONSAFEPATH=1", "PYTHONNOUSERSITE=1", "R_LIBS_USER=NULL", "NEW=x"}, "env");
}

Test(interpreter_env, repeated_names_leave_one_entry_the_last_value) {
    expect_eq(interpreter_env({"A=job1", "A=job2"}, {"B=site1", "B=site2"}),
              {"A=job2", "PYTHONDONTWRITEBYTECODE=1", "MPLBACKEND=Agg", "PYTHONSAFEPATH=1", "PYTHONNOUSERSITE=1", "R_LIBS_USER=NULL", "B=site2"}, "env");
}

Test(interpreter_env, job_entries_without_equals_are_dropped) {
    expect_eq(interpreter_env({"garbage", "A=1", ""}, {}), {"A=1", "PYTHONDONTWRITEBYTECODE=1", "MPLBACKEND=Agg", "PYTHONSAFEPATH=1", "PYTHONNOUSERSITE=1", "R_LIBS_USER=NULL"},
              "env");
}

Test(interpreter_env, names_are_compared_whole) {
    expect_eq(interpreter_env({"PATH=/a", "PATHX=/b", "PAT=/c"}, {"PATH=/site"}),
              {"PATH=/site", "PATHX=/b", "PAT=/c", "PYTHONDONTWRITEBYTECODE=1", "MPLBACKEND=Agg", "PYTHONSAFEPATH=1", "PYTHONNOUSERSITE=1", "R_LIBS_USER=NULL"}, "env");
}

Test(interpreter_env, values_may_contain_equals) {
    expect_eq(interpreter_env({"OPTS=a=b=c"}, {"X==y"}),
              {"OPTS=a=b=c", "PYTHONDONTWRITEBYTECODE=1", "MPLBACKEND=Agg", "PYTHONSAFEPATH=1", "PYTHONNOUSERSITE=1", "R_LIBS_USER=NULL", "X==y"}, "env");
}

Test(interpreter_env, the_job_cannot_turn_safe_path_off) {
    expect_eq(interpreter_env({"PYTHONSAFEPATH=", "PATH=/bin"}, {}),
              {"PATH=/bin", "PYTHONDONTWRITEBYTECODE=1", "MPLBACKEND=Agg", "PYTHONSAFEPATH=1", "PYTHONNOUSERSITE=1",
               "R_LIBS_USER=NULL"},
              "env");
}

Test(interpreter_env, the_jobs_steering_variables_are_left_out) {
    expect_eq(interpreter_env({"PATH=/bin", "PYTHONPATH=/home/u/lib", "PYTHONHOME=/x", "PYTHONSTARTUP=/home/u/s.py",
                               "PYTHONUSERBASE=/home/u/.local", "PYTHONPROFILEIMPORTTIME=1", "PYTHONNOUSERSITE=",
                               "R_LIBS=/home/u/R", "R_LIBS_USER=/home/u/R", "R_LIBS_SITE=/x", "R_DEFAULT_PACKAGES=foo",
                               "R_PROFILE_USER=/home/u/.Rprofile", "R_ENVIRON_USER=/x", "PERL5LIB=/home/u/perl5",
                               "PERLLIB=/x", "PERL5OPT=-MEvil", "PERL5DB=x", "BASH_ENV=/home/u/.bashrc", "ENV=/home/u/.shrc",
                               "HOME=/home/u", "R_HOME_X=kept", "PERL5LIBX=kept", "XPYTHONPATH=kept"},
                              {}),
              {"PATH=/bin", "HOME=/home/u", "R_HOME_X=kept", "PERL5LIBX=kept", "XPYTHONPATH=kept",
               "PYTHONDONTWRITEBYTECODE=1", "MPLBACKEND=Agg", "PYTHONSAFEPATH=1", "PYTHONNOUSERSITE=1", "R_LIBS_USER=NULL"},
              "env");
}

Test(interpreter_env, the_site_may_set_steering_variables_again) {
    expect_eq(interpreter_env({"PYTHONPATH=/home/u/lib"}, {"PYTHONPATH=/site/lib", "PYTHONNOUSERSITE=", "PERL5OPT=-w"}),
              {"PYTHONDONTWRITEBYTECODE=1", "MPLBACKEND=Agg", "PYTHONSAFEPATH=1", "PYTHONNOUSERSITE=", "R_LIBS_USER=NULL",
               "PYTHONPATH=/site/lib", "PERL5OPT=-w"},
              "env");
}
