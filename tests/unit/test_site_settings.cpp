// plugstack.conf arguments (key=value words): every key, every rejection.
#include "site_settings.hpp"
#include "unit_support.hpp"

using namespace pyimport;
using unit::expect_eq;
using unit::expect_message;

namespace {

using Args = std::vector<std::string>;

SiteSettings accepted(const Args &args) {
    auto settings = parse_site_settings(args);
    std::string error = unit::error_of(settings);
    cr_assert(bool(settings), "[%s] rejected: %s", unit::join(args).c_str(), error.c_str());
    return *settings;
}

void rejected(const Args &args, const std::vector<std::string> &parts) {
    auto settings = parse_site_settings(args);
    std::string error = unit::error_of(settings);
    cr_assert(!bool(settings), "[%s] was accepted", unit::join(args).c_str());
    expect_message(error, parts);
}

// "plugstack.conf: invalid value 'V' for K: <allowed>"
void rejected_value(const std::string &key, const std::string &value, const std::string &allowed) {
    rejected({key + "=" + value}, {"plugstack.conf: invalid value '" + value + "' for " + key + ": " + allowed});
}

const char *const kPathKeys[] = {"outdir",   "conda",           "conda_python", "image",
                                 "runtime_path", "mount_at", "container_python", "workdir"};

// The path settings, in the order of kPathKeys.
std::vector<std::string> paths(const SiteSettings &s) {
    return {s.outdir, s.conda, s.conda_python, s.image, s.runtime_path, s.mount_at, s.container_python, s.workdir};
}

} // namespace

Test(site_settings, defaults_without_arguments) {
    SiteSettings s = accepted({});
    expect_eq(paths(s), {"", "", "", "", "", "", "/usr/bin/python3", "/tmp"}, "paths");
    cr_assert(s.runtime == Runtime::charliecloud);
    expect_eq(s.modules, {"numpy", "scipy", "pandas", "sqlite3", "Bio", "matplotlib", "seaborn"}, "modules");
    cr_assert_eq(s.max_gaggle, 64);
    cr_assert_eq(s.timeout_s, 300);
    cr_assert(s.setenv.empty());
    cr_assert_eq(s.record_mode, 0644u);
}

Test(site_settings, every_key) {
    SiteSettings s = accepted({"outdir=/srv/records", "conda=/opt/env", "conda_python=/opt/env/bin/python3.12",
                               "image=/img/py.sqfs", "runtime=apptainer", "runtime_path=/opt/apptainer/bin/apptainer",
                               "mount_at=/mnt/env", "container_python=/usr/local/bin/python3", "modules=numpy,os.path",
                               "max_gaggle=8", "timeout=60", "workdir=/var/tmp", "setenv=OMP_NUM_THREADS=1",
                               "record_mode=0600"});
    expect_eq(paths(s),
              {"/srv/records", "/opt/env", "/opt/env/bin/python3.12", "/img/py.sqfs", "/opt/apptainer/bin/apptainer",
               "/mnt/env", "/usr/local/bin/python3", "/var/tmp"},
              "paths");
    cr_assert(s.runtime == Runtime::apptainer);
    expect_eq(s.modules, {"numpy", "os.path"}, "modules");
    cr_assert_eq(s.max_gaggle, 8);
    cr_assert_eq(s.timeout_s, 60);
    expect_eq(s.setenv, {"OMP_NUM_THREADS=1"}, "setenv");
    cr_assert_eq(s.record_mode, 0600u);
}

Test(site_settings, record_mode_is_one_of_three) {
    cr_assert_eq(accepted({"record_mode=0600"}).record_mode, 0600u);
    cr_assert_eq(accepted({"record_mode=0640"}).record_mode, 0640u);
    cr_assert_eq(accepted({"record_mode=0644"}).record_mode, 0644u);
    for (const char *bad : {"", "644", "0666", "0777", "0604", "0o640", "0640 ", "u=rw", "00644", "0x1a4"})
        rejected_value("record_mode", bad, "use 0600, 0640 or 0644");
}

Test(site_settings, conda_python_defaults_to_the_environments_python3) {
    expect_eq(accepted({"conda=/opt/env"}).conda_python, "/opt/env/bin/python3", "default");
    // An explicit conda_python wins, before or after conda=.
    expect_eq(accepted({"conda_python=/x/python", "conda=/opt/env"}).conda_python, "/x/python", "given first");
    expect_eq(accepted({"conda=/opt/env", "conda_python=/x/python"}).conda_python, "/x/python", "given last");
}

Test(site_settings, mount_at_defaults_to_conda) {
    expect_eq(accepted({"conda=/opt/env"}).mount_at, "/opt/env", "default");
    expect_eq(accepted({"mount_at=/mnt/env", "conda=/opt/env"}).mount_at, "/mnt/env", "given first");
    expect_eq(accepted({"conda=/opt/env", "mount_at=/mnt/env"}).mount_at, "/mnt/env", "given last");
}

Test(site_settings, runtimes) {
    cr_assert(accepted({"runtime=charliecloud"}).runtime == Runtime::charliecloud);
    cr_assert(accepted({"runtime=kernel"}).runtime == Runtime::kernel);
    cr_assert(accepted({"runtime=apptainer"}).runtime == Runtime::apptainer);
    cr_assert(accepted({"runtime=singularity"}).runtime == Runtime::singularity);
    for (const char *bad : {"", "docker", "Apptainer", "ch-run", "apptainer "})
        rejected_value("runtime", bad, "use charliecloud, kernel, apptainer or singularity");
}

Test(site_settings, runtime_names) {
    expect_eq(runtime_name(Runtime::charliecloud), "charliecloud", "charliecloud");
    expect_eq(runtime_name(Runtime::kernel), "kernel", "kernel");
    expect_eq(runtime_name(Runtime::apptainer), "apptainer", "apptainer");
    expect_eq(runtime_name(Runtime::singularity), "singularity", "singularity");
}

Test(site_settings, paths_must_be_absolute) {
    for (const char *key : kPathKeys) {
        for (const char *bad : {"", "relative/dir", "./x", "~/x", " /x"}) rejected_value(key, bad, "use an absolute path");
        accepted({std::string(key) + "=/"});
    }
}

Test(site_settings, max_gaggle_bounds) {
    cr_assert_eq(accepted({"max_gaggle=1"}).max_gaggle, 1);
    cr_assert_eq(accepted({"max_gaggle=1024"}).max_gaggle, 1024);
    for (const char *bad : {"0", "1025", "", "8x", "-8", "+8", " 8", "8.0", "99999999999"})
        rejected_value("max_gaggle", bad, "use a whole number from 1 to 1024");
}

Test(site_settings, timeout_bounds) {
    cr_assert_eq(accepted({"timeout=1"}).timeout_s, 1);
    cr_assert_eq(accepted({"timeout=540"}).timeout_s, 540);
    for (const char *bad : {"0", "541", "86400", "", "60s", "-1", "1e3"})
        rejected_value("timeout", bad, "use a whole number from 1 to 540");
}

// srun gives up on a step whose tasks have not started after 600 s.
Test(site_settings, a_gaggle_ends_before_srun_gives_up_on_the_step) {
    cr_assert_eq(accepted({"timeout=540", "sync_max_wait_ms=30000"}).timeout_s, 540);
    cr_assert_eq(accepted({"timeout=300", "sync_max_wait_ms=270000"}).sync_max_wait_ms, 270000);
    rejected({"timeout=540", "sync_max_wait_ms=30001"},
             {"plugstack.conf: timeout=540 with sync_max_wait_ms=30001 lets a gaggle run past 570 s",
              "srun abandons a step whose tasks have not started after 600 s: lower either"});
    rejected({"sync_max_wait_ms=600000"}, {"timeout=300 with sync_max_wait_ms=600000"});
}

Test(site_settings, cancel_check) {
    cr_assert_eq(accepted({}).cancel_check_ms, 1000);
    cr_assert_eq(accepted({"cancel_check_ms=0"}).cancel_check_ms, 0);
    cr_assert_eq(accepted({"cancel_check_ms=100"}).cancel_check_ms, 100);
    cr_assert_eq(accepted({"cancel_check_ms=600000"}).cancel_check_ms, 600000);
    rejected({"cancel_check_ms=99"}, {"plugstack.conf: cancel_check_ms=99 would ask slurmctld too often",
                                      "use 0 (never) or 100 to 600000"});
    for (const char *bad : {"-1", "600001", "1s", ""})
        rejected_value("cancel_check_ms", bad, "use a whole number from 0 to 600000");
}

Test(site_settings, a_large_step_asks_slurmctld_less_often_per_node) {
    const SiteSettings every_second = accepted({});
    cr_assert_eq(job_end_check_interval_ms(every_second, 1), 1000);
    cr_assert_eq(job_end_check_interval_ms(every_second, 50), 1000);       // 50 a second in all
    cr_assert_eq(job_end_check_interval_ms(every_second, 320), 6400);      // the study's largest step
    cr_assert_eq(job_end_check_interval_ms(every_second, 2000), 40000);
    cr_assert_eq(job_end_check_interval_ms(every_second, 999999), 600000); // never past the setting's bound
    cr_assert_eq(job_end_check_interval_ms(every_second, 0), 1000);
    cr_assert_eq(job_end_check_interval_ms(accepted({"cancel_check_ms=30000"}), 320), 30000);
    cr_assert_eq(job_end_check_interval_ms(accepted({"cancel_check_ms=0"}), 320), 0, "off stays off");
}

Test(site_settings, modules) {
    expect_eq(accepted({"modules=Bio"}).modules, {"Bio"}, "one module");
    expect_eq(accepted({"modules=a.b.c,_d,e2"}).modules, {"a.b.c", "_d", "e2"}, "three modules");
    for (const char *bad : {"", "numpy,", ",numpy", "numpy,,scipy", "numpy:scipy", "2to3", "a-b", "os..path"})
        rejected_value("modules", bad, "use up to 64 Python module names separated by ','");
}

Test(site_settings, setenv_accumulates_in_order) {
    SiteSettings s = accepted({"setenv=A=1", "setenv=B_2=x=y", "setenv=EMPTY=", "setenv=A=again"});
    expect_eq(s.setenv, {"A=1", "B_2=x=y", "EMPTY=", "A=again"}, "setenv");
}

Test(site_settings, setenv_rejections) {
    for (const char *bad : {"", "NAME", "=1", "A-B=1", "A B=1", "A.B=1", "$A=1"})
        rejected_value("setenv", bad, "use setenv=NAME=VALUE");
}

Test(site_settings, unknown_keys_list_the_allowed_ones) {
    const std::string keys =
        "(keys: cancel_check_ms, cgroup, conda, conda_perl, conda_python, conda_r, container_perl, container_python, "
        "container_r, image, importtime, max_gaggle, modules, mount_at, outdir, perl_modules, r_packages, record_mode, "
        "runtime, runtime_path, setenv, sync_margin_ms, sync_max_wait_ms, timeout, workdir)";
    rejected({"colour=red"}, {"plugstack.conf: unknown key 'colour'", keys});
    rejected({"OUTDIR=/x"}, {"unknown key 'OUTDIR'", keys});
    rejected({"=x"}, {"unknown key ''", keys});
    rejected({"outdir"}, {"plugstack.conf argument 'outdir' is not key=value", keys});
    rejected({""}, {"plugstack.conf argument '' is not key=value"});
}

Test(site_settings, first_bad_argument_stops_the_parse) {
    rejected({"outdir=/ok", "timeout=0", "colour=red"}, {"invalid value '0' for timeout"});
    rejected({"colour=red", "timeout=0"}, {"unknown key 'colour'"});
}

Test(site_settings, release_importtime_and_cgroup_settings) {
    const SiteSettings defaults = accepted({});
    cr_assert_eq(defaults.sync_margin_ms, 2000);
    cr_assert_eq(defaults.sync_max_wait_ms, 30000);
    cr_assert(defaults.importtime == ImportTimePolicy::allow);
    cr_assert(defaults.cgroup);
    const SiteSettings s =
        accepted({"timeout=10", "sync_margin_ms=500", "sync_max_wait_ms=560000", "importtime=force", "cgroup=off"});
    cr_assert_eq(s.sync_margin_ms, 500);
    cr_assert_eq(s.sync_max_wait_ms, 560000);
    cr_assert(s.importtime == ImportTimePolicy::force);
    cr_assert(!s.cgroup);
    cr_assert(request_limits(s).importtime == ImportTimePolicy::force);
    cr_assert(accepted({"importtime=forbid"}).importtime == ImportTimePolicy::forbid);
    rejected_value("sync_margin_ms", "0", "use a whole number from 1 to 600000");
    rejected_value("sync_max_wait_ms", "600001", "use a whole number from 1 to 600000");
    rejected_value("importtime", "on", "use allow, forbid or force");
    rejected_value("cgroup", "auto", "use on or off");
    rejected({"sync_margin_ms=5000", "sync_max_wait_ms=4000"},
             {"sync_margin_ms=5000 is above sync_max_wait_ms=4000", "every node would refuse"});
}

Test(site_settings, r_and_perl_interpreters_and_default_packages) {
    const SiteSettings defaults = accepted({});
    expect_eq(defaults.r_packages, {"ggplot2", "data.table", "dplyr", "Matrix", "survival"}, "r defaults");
    expect_eq(defaults.perl_modules, {"Moose", "DBI", "JSON::XS", "DateTime", "List::MoreUtils"}, "perl defaults");
    cr_assert(defaults.conda_r.empty() && defaults.container_r.empty(), "R is offered only where the site names it");
    const SiteSettings s = accepted({"conda_r=/env/usr/bin/Rscript", "container_r=/usr/bin/Rscript", "r_packages=Matrix",
                                     "conda_perl=/env/usr/bin/perl", "container_perl=/usr/bin/perl",
                                     "perl_modules=JSON::XS,DBI"});
    expect_eq(s.r_packages, {"Matrix"}, "r_packages");
    expect_eq(s.perl_modules, {"JSON::XS", "DBI"}, "perl_modules");
    const LanguageSettings r = language_settings(s, Language::r);
    expect_eq(r.conda_interpreter, "/env/usr/bin/Rscript", "r conda");
    expect_eq(r.container_interpreter, "/usr/bin/Rscript", "r container");
    expect_eq(language_settings(s, Language::perl).packages, {"JSON::XS", "DBI"}, "perl packages");
    rejected_value("r_packages", "ggplot2,x;y", "use up to 64 R package names separated by ','");
    rejected_value("perl_modules", "Moose:DBI", "use up to 64 Perl module names separated by ','");
    rejected_value("conda_r", "Rscript", "use an absolute path");
}
