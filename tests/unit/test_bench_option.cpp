// --pyimport-bench=MODE,N[,key=value...]: every accepted form and every rejection,
// and how the plugin's messages echo what the user gave.
#include "../../spank_plugin/spank_api.hpp"  // log_safe (header only: no Slurm symbol is used)
#include "bench_option.hpp"
#include "text_escape.hpp"
#include "unit_support.hpp"

using namespace pyimport;
using unit::expect_eq;
using unit::expect_message;

namespace {

BenchRequest accepted(const std::string &value, const RequestLimits &limits = {}) {
    auto request = parse_bench_option(value, limits);
    std::string error = unit::error_of(request);
    cr_assert(bool(request), "'%s' rejected: %s", value.c_str(), error.c_str());
    return *request;
}

// Rejected with a one-line message naming the whole option and every one of `parts`.
void rejected(const std::string &value, const std::vector<std::string> &parts, const RequestLimits &limits = {}) {
    auto request = parse_bench_option(value, limits);
    std::string error = unit::error_of(request);
    cr_assert(!bool(request), "'%s' was accepted", value.c_str());
    expect_message(error, parts);
    expect_message(error, {" in --pyimport-bench=" + escape_text(value, 120) + ": "});
}

RequestLimits limits(int max_gaggle, int max_timeout_s) {
    RequestLimits l;
    l.max_gaggle = max_gaggle;
    l.max_timeout_s = max_timeout_s;
    return l;
}

} // namespace

Test(bench_option, minimal_forms_take_the_site_defaults) {
    BenchRequest conda = accepted("conda,4");
    cr_assert(conda.mode == Mode::conda);
    cr_assert_eq(conda.gaggle_size, 4);
    cr_assert(conda.modules.empty(), "modules should be empty (site default)");
    cr_assert_eq(conda.timeout_s, 0);
    expect_eq(conda.label, "", "label");

    BenchRequest container = accepted("container,1");
    cr_assert(container.mode == Mode::container);
    cr_assert_eq(container.gaggle_size, 1);
}

Test(bench_option, all_extras_together) {
    BenchRequest r = accepted("container,16,modules=numpy:os.path:_x1,timeout=30,label=run-1.a_B");
    cr_assert(r.mode == Mode::container);
    cr_assert_eq(r.gaggle_size, 16);
    expect_eq(r.modules, {"numpy", "os.path", "_x1"}, "modules");
    cr_assert_eq(r.timeout_s, 30);
    expect_eq(r.label, "run-1.a_B", "label");
}

Test(bench_option, extras_in_any_order) {
    BenchRequest r = accepted("conda,2,label=x,timeout=7,modules=Bio");
    expect_eq(r.modules, {"Bio"}, "modules");
    cr_assert_eq(r.timeout_s, 7);
    expect_eq(r.label, "x", "label");
}

Test(bench_option, gaggle_size_bounds) {
    cr_assert_eq(accepted("conda,1").gaggle_size, 1);
    cr_assert_eq(accepted("conda,64").gaggle_size, 64);
    rejected("conda,0", {"invalid gaggle size '0'", "use a whole number from 1 to 64"});
    rejected("conda,65", {"invalid gaggle size '65'", "use a whole number from 1 to 64"});
}

Test(bench_option, gaggle_size_bound_is_the_sites) {
    cr_assert_eq(accepted("conda,8", limits(8, 300)).gaggle_size, 8);
    rejected("conda,9", {"invalid gaggle size '9'", "from 1 to 8"}, limits(8, 300));
    cr_assert_eq(accepted("conda,1000", limits(1024, 300)).gaggle_size, 1000);
}

Test(bench_option, gaggle_size_is_a_plain_whole_number) {
    for (const char *bad : {"4x", " 4", "4 ", "+4", "-1", "4.0", "1e1", "0x10", "four", "99999999999999999999"})
        rejected(std::string("conda,") + bad, {"invalid gaggle size '" + std::string(bad) + "'", "from 1 to 64"});
}

Test(bench_option, missing_or_empty_gaggle_size) {
    rejected("conda", {"missing gaggle size", "use MODE,N with N from 1 to 64"});
    rejected("container", {"missing gaggle size"});
    rejected("conda,", {"invalid gaggle size ''", "from 1 to 64"});
    rejected("conda,,4", {"invalid gaggle size ''"});
}

Test(bench_option, mode_must_be_conda_or_container) {
    for (const char *bad : {"", "docker", "Conda", "CONTAINER", "conda ", " conda", "condas"})
        rejected(std::string(bad) + ",4", {"invalid mode '" + std::string(bad) + "'", "use conda or container"});
    rejected("4,conda", {"invalid mode '4'"});
}

Test(bench_option, timeout_bounds) {
    cr_assert_eq(accepted("conda,1,timeout=1").timeout_s, 1);
    cr_assert_eq(accepted("conda,1,timeout=300").timeout_s, 300);
    rejected("conda,1,timeout=0", {"invalid timeout '0'", "use whole seconds from 1 to 300"});
    rejected("conda,1,timeout=301", {"invalid timeout '301'", "use whole seconds from 1 to 300"});
    cr_assert_eq(accepted("conda,1,timeout=20", limits(64, 20)).timeout_s, 20);
    rejected("conda,1,timeout=21", {"invalid timeout '21'", "from 1 to 20"}, limits(64, 20));
}

Test(bench_option, timeout_is_a_plain_whole_number) {
    for (const char *bad : {"", "30s", "-5", "+5", " 5", "1.5", "timeout"})
        rejected(std::string("conda,1,timeout=") + bad, {"invalid timeout '" + std::string(bad) + "'"});
    rejected("conda,1,timeout", {"invalid timeout ''"});
}

Test(bench_option, modules_rejections) {
    const std::string allowed = "use up to 64 Python module names separated by ':'";
    for (const char *bad : {"", "numpy::scipy", "numpy:", ":numpy", "1abc", "a-b", ".os", "os.", "os..path", "num py"})
        rejected(std::string("conda,1,modules=") + bad, {"invalid modules '" + std::string(bad) + "'", allowed});
    rejected("conda,1,modules=numpy,scipy", {"unknown key 'scipy'"});  // ',' separates fields, ':' modules
    std::string many = "m0";
    for (int i = 1; i < 64; ++i) many += ":m" + std::to_string(i);
    cr_assert_eq(accepted("conda,1,modules=" + many).modules.size(), 64u);
    rejected("conda,1,modules=" + many + ":m64", {"invalid modules", allowed});
}

Test(bench_option, label_bounds_and_characters) {
    const std::string longest(64, 'a');
    expect_eq(accepted("conda,1,label=" + longest).label, longest, "64-character label");
    expect_eq(accepted("conda,1,label=A.z_0-9").label, "A.z_0-9", "label of every allowed kind");
    const std::string allowed = "use 1 to 64 of A-Z a-z 0-9 . _ -";
    rejected("conda,1,label=" + longest + "a", {"invalid label '" + longest + "a'", allowed});
    for (const char *bad : {"", "a b", "a/b", "a=b", "a;b", "é"})
        rejected(std::string("conda,1,label=") + bad, {"invalid label '" + std::string(bad) + "'", allowed});
    rejected("conda,1,label=a\tb", {"invalid label 'a\\x09b'", allowed});
}

Test(bench_option, unknown_and_empty_keys) {
    const std::string allowed = "allowed are lang=, modules=, timeout=, label=";
    rejected("conda,1,foo=1", {"unknown key 'foo'", allowed});
    rejected("conda,1,bogus", {"unknown key 'bogus'", allowed});
    rejected("conda,1,Timeout=5", {"unknown key 'Timeout'", allowed});
    rejected("conda,1,=5", {"unknown key ''", allowed});
    rejected("conda,1,", {"unknown key ''", allowed});
    rejected("conda,1,timeout=5,", {"unknown key ''", allowed});
}

Test(bench_option, first_problem_is_reported) {
    rejected("conda,1,timeout=0,label=bad label", {"invalid timeout '0'"});
    rejected("docker,0", {"invalid mode 'docker'"});
}

Test(bench_option, mode_names_round_trip) {
    for (Mode m : {Mode::conda, Mode::container}) {
        auto back = parse_mode(mode_name(m));
        cr_assert(back.has_value() && *back == m, "mode %s does not round-trip", mode_name(m));
    }
    expect_eq(mode_name(Mode::conda), "conda", "conda name");
    expect_eq(mode_name(Mode::container), "container", "container name");
    cr_assert(!parse_mode("").has_value());
    cr_assert(!parse_mode("conda,").has_value());
}

// The value comes from the user (or the job's environment, past srun's check)
// and is echoed into srun's terminal and slurmd's log: one line, a few hundred
// bytes at most, every control byte escaped, whatever the value holds.
namespace {

void one_safe_line(const std::string &value, const std::vector<std::string> &parts) {
    auto result = parse_bench_option(value, {});
    std::string error = unit::error_of(result);
    cr_assert(!bool(result), "a hostile value was accepted");
    expect_message(error, parts);
    cr_assert(is_clean_text(error), "message holds a control byte or invalid UTF-8: '%s'", escape_text(error, 2000).c_str());
    cr_assert_lt(error.size(), 400u, "message of %zu bytes: '%s'", error.size(), error.c_str());
}

} // namespace

Test(bench_option, hostile_values_are_escaped_and_bounded) {
    const std::string forged = "\nslurmstepd-n1: error: forged line";
    one_safe_line("conda,1,label=x" + forged, {"invalid label 'x\\x0aslurmstepd-n1: error: forged line'",
                                               " in --pyimport-bench=conda,1,label=x\\x0aslurmstepd"});
    one_safe_line("conda,1,label=\x1b[2J\x1b]0;owned\x07", {"invalid label '\\x1b[2J\\x1b]0;owned\\x07'"});
    one_safe_line("\x1b[31mconda,1", {"invalid mode '\\x1b[31mconda'"});
    one_safe_line("conda,\r4", {"invalid gaggle size '\\x0d4'"});
    one_safe_line("conda,1,modules=a\x9b" "b", {"invalid modules 'a\\x9bb'"});
    one_safe_line("conda,1,timeout=\xc2\x9b" "5", {"invalid timeout '\\xc2\\x9b5'"});
    one_safe_line("conda,1,ke\ny=1", {"unknown key 'ke\\x0ay'"});
    one_safe_line(std::string("conda,1,label=a\0b", 17), {"invalid label 'a\\x00b'"});
}

Test(bench_option, a_huge_value_gives_one_short_line) {
    const std::string huge(100 * 1024, 'A');
    for (const std::string &value : {"conda,1,label=" + huge + "\n\x1b[2J", "conda,1,label=\n" + huge,
                                     "conda," + huge, huge + ",1", "conda,1,modules=" + huge + "\x1b",
                                     "conda,1," + huge + "=1", "conda,1,timeout=" + huge, "conda,1,label=ok," + huge}) {
        auto result = parse_bench_option(value, {});
        std::string error = unit::error_of(result);
        cr_assert(!bool(result));
        cr_assert(error.find('\n') == std::string::npos && error.find('\x1b') == std::string::npos);
        cr_assert(is_clean_text(error));
        cr_assert_lt(error.size(), 400u, "message of %zu bytes", error.size());
        cr_assert(unit::contains(error, "bytes)"), "the cut is said: '%s'", error.c_str());
        cr_assert(unit::contains(error, " in --pyimport-bench="), "context kept: '%s'", error.c_str());
    }
}

// The plugin's last line of defence: whatever a message holds (a value some
// place forgot to quote, plugstack.conf text), srun's terminal and slurmd's log
// get one clean line of at most about 900 bytes; a clean message is unchanged.
Test(bench_option, plugin_log_lines_are_one_clean_bounded_line) {
    using pyimport::spank::log_safe;
    const std::string fine = "n1: no record written: invalid label 'a\\x0ab' in --pyimport-bench=conda,1,label=a\\x0ab";
    expect_eq(log_safe(fine), fine, "a clean message is kept as it is");
    expect_eq(log_safe("raw\nslurmstepd-n1: error: forged\x1b[2J"), "raw\\x0aslurmstepd-n1: error: forged\\x1b[2J",
              "raw text escaped");
    const std::string huge = log_safe("x: " + std::string(100 * 1024, 'A') + "\n");
    cr_assert(is_clean_text(huge) && huge.size() < 1000, "%zu bytes", huge.size());
    cr_assert(unit::contains(huge, "...(102404 bytes)"), "the cut is said");
    cr_assert_lt(log_safe(std::string(5000, 'a')).size(), 1000u, "a long clean message is cut too");
}

Test(bench_option, sync_and_importtime_keys) {
    cr_assert(accepted("conda,2").sync, "sync is on by default");
    cr_assert(!accepted("conda,2,sync=off").sync);
    cr_assert(accepted("conda,2,sync=on").sync);
    rejected("conda,2,sync=maybe", {"invalid sync 'maybe'", "use sync=on or sync=off"});
    cr_assert(!accepted("conda,2").importtime, "importtime is off by default");
    cr_assert(accepted("conda,2,importtime=on").importtime);
    cr_assert(!accepted("conda,2,importtime=on,importtime=off").importtime, "the last value counts");
    rejected("conda,2,importtime=1", {"invalid importtime '1'", "use importtime=on or importtime=off"});
    rejected("conda,2,colour=red", {"allowed are lang=, modules=, timeout=, label=, sync=, importtime="});
}

Test(bench_option, the_site_may_forbid_or_force_importtime) {
    RequestLimits forbid, force;
    forbid.importtime = ImportTimePolicy::forbid;
    force.importtime = ImportTimePolicy::force;
    rejected("conda,2,importtime=on", {"importtime=on", "this site does not allow it (importtime=forbid"}, forbid);
    cr_assert(!accepted("conda,2,importtime=off", forbid).importtime);
    cr_assert(accepted("conda,2", force).importtime, "forced without the key");
    rejected("conda,2,importtime=off", {"importtime=off", "importtime=force"}, force);
}

// --- lang=: R and Perl gaggles ------------------------------------------------

Test(bench_option, lang_selects_the_language_and_its_package_names) {
    cr_assert(accepted("conda,4").language == Language::python);
    const BenchRequest r = accepted("conda,16,lang=r,modules=ggplot2:data.table");
    cr_assert(r.language == Language::r);
    expect_eq(r.modules, {"ggplot2", "data.table"}, "r modules");
    // modules= may come before lang=: names are checked once the language is known.
    const BenchRequest perl = accepted("container,2,modules=Moose:JSON::XS:List::MoreUtils,lang=perl");
    cr_assert(perl.language == Language::perl);
    expect_eq(perl.modules, {"Moose", "JSON::XS", "List::MoreUtils"}, "perl modules");
    cr_assert(accepted("conda,1,lang=python,modules=os.path").language == Language::python);
}

Test(bench_option, names_outside_the_languages_set_are_refused_in_one_line) {
    rejected("conda,2,lang=r,modules=ggplot2:x);system('id')",
             {"invalid modules 'ggplot2:x);system('id')' in --pyimport-bench=",
              ": use up to 64 R package names separated by ':' (e.g. modules=ggplot2:data.table)"});
    rejected("conda,2,lang=perl,modules=Moose;print", {": use up to 64 Perl module names separated by ':' (e.g. modules=Moose:JSON::XS)"});
    rejected("conda,2,lang=perl,modules=A:::B", {"invalid modules 'A:::B'"});
    // A Python name is not an R name, nor the other way round.
    rejected("conda,2,lang=r,modules=os.path:numpy_extra", {"R package names"});
    rejected("conda,2,modules=data.table:JSON::XS", {"Python module names"});
}

Test(bench_option, unknown_languages_and_importtime_elsewhere_are_refused) {
    rejected("conda,2,lang=ruby", {"invalid lang 'ruby'", ": use lang=python, lang=r or lang=perl"});
    rejected("conda,2,lang=", {"invalid lang ''"});
    rejected("conda,2,lang=R", {"invalid lang 'R'"});
    rejected("conda,2,lang=r,importtime=on", {"importtime=on in --pyimport-bench=", "it is Python's -X importtime, not for lang=r"});
    cr_assert(!accepted("conda,2,lang=r,importtime=on,importtime=off").importtime, "the last value counts");
    RequestLimits forced;
    forced.importtime = ImportTimePolicy::force;
    cr_assert(!accepted("conda,2,lang=perl", forced).importtime, "importtime=force concerns Python only");
    cr_assert(accepted("conda,2", forced).importtime);
}
