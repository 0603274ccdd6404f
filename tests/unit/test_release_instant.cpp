// The common release: the instant srun picks, how a node judges a value from
// the job's environment, pyimport-gaggle's --release-at, the engine sleeping
// to the instant (or releasing at once when late), and the clock's state.
#include "clock_state.hpp"
#include "gaggle.hpp"
#include "release_instant.hpp"
#include "release_priority.hpp"
#include "unit_support.hpp"

#include <ctime>
#include <sched.h>
#include <sys/timex.h>

using namespace pyimport;
using unit::expect_eq;
using unit::expect_message;

TestSuite(release_instant, .timeout = 30);

namespace {

constexpr int64_t kMs = 1000000, kSecond = 1000 * kMs;
constexpr int64_t kNow = 1796168675 * kSecond + 250 * kMs;
constexpr int64_t kMaxWait = 30 * kSecond;

int64_t realtime_ns() {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return int64_t(ts.tv_sec) * kSecond + ts.tv_nsec;
}

ReleasePlan planned(const char *value, bool sync = true) {
    return plan_release(value ? std::optional<std::string>(value) : std::nullopt, sync, kNow, kMaxWait);
}

void expect_refused(const ReleasePlan &plan, const std::vector<std::string> &parts) {
    cr_assert(plan.state == SyncState::refused, "state %s, expected refused", sync_state_name(plan.state));
    cr_assert_eq(plan.at_unix_ns, 0);
    expect_message(plan.note, parts);
    cr_assert(plan.note.size() < 200, "note of %zu bytes", plan.note.size());
}

GaggleSpec sleeper(int64_t release_at) {
    GaggleSpec spec;
    spec.argv = {"/bin/true"};
    spec.env = {"PATH=/usr/bin:/bin"};
    spec.size = 2;
    spec.timeout_s = 10;
    spec.release_at_unix_ns = release_at;
    return spec;
}

} // namespace

Test(release_instant, srun_picks_now_plus_the_margin) {
    expect_eq(release_instant_value(kNow, 2000), std::to_string(kNow + 2 * kSecond), "value");
    const ReleasePlan plan = planned(release_instant_value(kNow, 2000).c_str());
    cr_assert(plan.state == SyncState::on);
    cr_assert_eq(plan.at_unix_ns, kNow + 2 * kSecond);
    cr_assert(plan.note.empty());
}

Test(release_instant, sync_off_ignores_any_value) {
    for (const char *value : {"1796168676000000000", "garbage", static_cast<const char *>(nullptr)}) {
        const ReleasePlan plan = planned(value, false);
        cr_assert(plan.state == SyncState::off);
        cr_assert_eq(plan.at_unix_ns, 0);
    }
}

Test(release_instant, a_missing_value_is_refused_with_the_reason) {
    expect_refused(planned(nullptr), {"no release instant reached this node", kReleaseAtVariable});
}

Test(release_instant, garbage_is_refused_escaped_and_bounded) {
    for (const char *value : {"", "soon", "-5", "0", "1e18", "1796168676000000000 ", "+1796168676000000000",
                              "99999999999999999999999", "4611686018427387905"})
        expect_refused(planned(value), {"is not a whole number of nanoseconds since 1970"});
    const std::string hostile = "1\n2\x1b]0;pwned\a" + std::string(5000, 'x');
    const ReleasePlan plan = planned(hostile.c_str());
    expect_refused(plan, {"\\x0a", "\\x1b"});
}

Test(release_instant, instants_beyond_the_wait_are_refused_both_ways) {
    expect_refused(planned(std::to_string(kNow + kMaxWait + 1).c_str()), {"ahead, more than the 30.0 s a node may wait"});
    expect_refused(planned(std::to_string(kNow + 3600 * kSecond).c_str()), {"3600.0 s ahead"});
    expect_refused(planned(std::to_string(kNow - kMaxWait - 1).c_str()), {"ago, more than the 30.0 s a node may be late"});
    expect_refused(planned("1"), {"ago"});  // 1970
    // At the edges, taken: a node a little late releases at once and says so.
    cr_assert(planned(std::to_string(kNow + kMaxWait).c_str()).state == SyncState::on);
    cr_assert(planned(std::to_string(kNow - kMaxWait).c_str()).state == SyncState::on);
}

Test(release_instant, release_at_takes_seconds_or_an_offset) {
    auto at = [](const char *text) {
        auto parsed = parse_release_at(text, kNow, kMaxWait);
        std::string error = unit::error_of(parsed);
        cr_assert(bool(parsed), "refused %s: %s", text, error.c_str());
        return *parsed;
    };
    cr_assert_eq(at("1796168676"), 1796168676 * kSecond);
    cr_assert_eq(at("1796168676.5"), 1796168676 * kSecond + 500 * kMs);
    cr_assert_eq(at("1796168676.000000001"), 1796168676 * kSecond + 1);
    cr_assert_eq(at("+2.5"), kNow + 2500 * kMs);
    cr_assert_eq(at("+0"), kNow);
}

Test(release_instant, release_at_refuses_with_one_line) {
    auto refused = [](const std::string &text, const std::string &part) {
        auto parsed = parse_release_at(text, kNow, kMaxWait);
        cr_assert(!parsed, "accepted %s", text.c_str());
        expect_message(unit::error_of(parsed), {"--release-at", part});
    };
    const std::string usage = "use Unix seconds with up to 9 decimals";
    for (const char *bad : {"", "+", "1.", ".5", "1.0000000001", "-1", "1,5", "+-2", "2026-12-01T12:00", "1e9", " 1"})
        refused(bad, usage);
    refused("+31", "ahead, more than the 30.0 s");
    refused("1796168600", "ago, more than the 30.0 s");
    refused("99999999999.5", "outside the years 1970 to 2116");
    refused("1\x1b[2J", "\\x1b");
}

Test(release_instant, the_gaggle_waits_for_the_instant) {
    const int64_t at = realtime_ns() + 300 * kMs;
    auto figures = run_gaggle(sleeper(at));
    cr_assert(bool(figures), "gaggle not run: %s", unit::error_of(figures).c_str());
    cr_assert_eq(figures->planned_release_unix_ns, at);
    cr_assert(figures->ready_unix_ns < at, "ready after the instant");
    cr_assert(figures->release_unix_ns >= at, "released %lld ns before the instant",
              static_cast<long long>(at - figures->release_unix_ns));
    // Generous for a loaded 2-core VM; make bench measures the real spread.
    cr_assert(figures->release_unix_ns - at < 50 * kMs, "released %lld ns after the instant",
              static_cast<long long>(figures->release_unix_ns - at));
}

Test(release_instant, a_late_gaggle_releases_at_once) {
    const int64_t at = realtime_ns() - 2 * kSecond;
    const int64_t before = realtime_ns();
    auto figures = run_gaggle(sleeper(at));
    cr_assert(bool(figures), "gaggle not run: %s", unit::error_of(figures).c_str());
    cr_assert(figures->ready_unix_ns > at, "ready before an instant in the past");
    cr_assert(figures->release_unix_ns - before < kSecond, "waited although late");
}

Test(release_instant, without_an_instant_the_gaggle_releases_when_ready) {
    const int64_t before = realtime_ns();
    auto figures = run_gaggle(sleeper(0));
    cr_assert(bool(figures));
    cr_assert_eq(figures->planned_release_unix_ns, 0);
    cr_assert(figures->ready_unix_ns >= before && figures->ready_unix_ns <= figures->release_unix_ns);
}

Test(release_instant, clock_state_comes_from_the_kernel) {
    const ClockState clock = read_clock_state();
    timex tx{};
    const int state = adjtimex(&tx);
    cr_assert_eq(clock.time_state, state);
    cr_assert_eq(clock.status & STA_UNSYNC, tx.status & STA_UNSYNC);
    cr_assert(clock.maxerror_us >= 0 && clock.maxerror_us <= tx.maxerror + 1000000, "maxerror %lld",
              static_cast<long long>(clock.maxerror_us));
    cr_assert_eq(clock_unsynchronised(clock), (tx.status & STA_UNSYNC) != 0);
    std::string boot_id = unit::read_text("/proc/sys/kernel/random/boot_id");
    boot_id = boot_id.substr(0, boot_id.find('\n'));
    expect_eq(clock.boot_id, boot_id, "boot_id");
    std::string source = unit::read_text("/sys/devices/system/clocksource/clocksource0/current_clocksource");
    expect_eq(clock.source, source.substr(0, source.find('\n')), "source");
}

Test(release_instant, clock_words) {
    for (const char *good : {"tsc", "kvm-clock", "arch_sys_counter", "5518374c-9eba-4bac-af74-b3e338925d5b"})
        cr_assert(is_clock_word(good), "%s refused", good);
    for (const std::string &bad : {std::string(), std::string("tsc hpet"), std::string("a\nb"), std::string(65, 'a'),
                                  std::string("t\xc3\xa9")})
        cr_assert(!is_clock_word(bad), "%s accepted", bad.c_str());
}

// ---- the parent's priority around the release ------------------------------------

namespace {

std::string policy_text() {
    sched_param p{};
    sched_getparam(0, &p);
    return std::to_string(sched_getscheduler(0)) + "/" + std::to_string(p.sched_priority);
}

// In a child: the policy inside a ReleasePriority's life and after it.
std::string raised_as(uid_t euid) {
    return unit::in_child([euid] {
        if (euid != 0 && seteuid(euid) != 0) return std::string("seteuid failed");
        std::string inside;
        bool raised;
        {
            const ReleasePriority priority;
            raised = priority.raised();
            inside = policy_text();
        }
        return std::string(raised ? "raised " : "not raised ") + inside + " then " + policy_text() + " euid " +
               std::to_string(geteuid());
    });
}

} // namespace

Test(release_instant, the_parent_waits_for_the_release_at_real_time_priority) {
    if (geteuid() != 0) cr_skip_test("needs root");
    const std::string fifo = std::to_string(SCHED_FIFO) + "/2", other = std::to_string(SCHED_OTHER) + "/0";
    expect_eq(raised_as(0), "raised " + fifo + " then " + other + " euid 0", "as root");
    // slurmstepd's user_init: effective uid the user's, CAP_SYS_NICE still permitted.
    expect_eq(raised_as(65534), "raised " + fifo + " then " + other + " euid 65534", "effective uid dropped");
}

Test(release_instant, an_unprivileged_parent_keeps_its_priority) {
    const std::string other = std::to_string(SCHED_OTHER) + "/0";
    const std::string result = unit::in_child([&] {
        if (geteuid() == 0 && (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0))
            return std::string("cannot drop root");
        const ReleasePriority priority;
        return std::string(priority.raised() ? "raised " : "not raised ") + policy_text();
    });
    expect_eq(result, "not raised " + other, "unprivileged");
}
