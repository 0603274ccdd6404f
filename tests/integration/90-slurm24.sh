# The project on Slurm 24.11 (Debian 13), beside the host's 22.05: in a Debian 13 root
# (tests/infra/debian13-root: built once per machine, about 3 minutes, then reused) it is
# built with g++ 14 into build-debian13, its unit tests run, and then the integration
# scripts in SLURM24_SCRIPTS run inside, each result line repeated here as
# "ok - slurm24: SCRIPT: ..." (tests/run counts them; a failure names the script).
#
# Left out by default (SLURM24_SCRIPTS="NAME ..." runs any set):
#   06-fuzz         clang's libFuzzer on the parsers: the same code as on the host;
#   08-packages     Debian and RPM packages: built on the host, against its Slurm;
#   20, 21, 22      environment builder and MooseFS alone, no Slurm (33 and 50 use both);
#   35-languages    R and Perl gaggles: would need R and Perl in the root and a second
#                   environment image (1.2 GB); its plugin paths are those 30 and 50 run;
#   61              the report in Chromium: a browser in the root for one page.
# Runs after the host's scripts: inside, the scripts use the same ports as on the host.
source "$(dirname "$0")/../lib.sh"

DEBIAN13=$TESTS_TOP/tests/infra/debian13-root
# A build dir of its own: g++ 14 objects never mix with the host's, and always named by the
# same absolute path (make matches .d dependency files by the name a target was built as).
B=$TESTS_TOP/build-debian13
SCRIPTS=${SLURM24_SCRIPTS:-05-hardening 07-slurm-headers 10-slurm-cluster 30-plugin 31-hostile-input
    32-release-sync 33-why-slow 34-cancel 40-aggregate 50-container 60-study}
LOG_DIR=${TEST_LOG_DIR:-$TESTS_TOP/build/test-logs}
SCRIPT_TIMEOUT=${SLURM24_SCRIPT_TIMEOUT:-900}
mkdir -p "$LOG_DIR"
secs() { echo $(( ${EPOCHREALTIME%[.,]*} - $1 )); }
inside() { "$DEBIAN13" run env BUILD="$B" "$@"; }

# --- the root ---------------------------------------------------------------------
t0=${EPOCHREALTIME%[.,]*}
if ! root=$("$DEBIAN13" ensure 2>"$LOG_DIR/slurm24-root.log"); then
    not_ok "slurm24: the Debian 13 root (tests/infra/debian13-root ensure)"
    tail -n 5 "$LOG_DIR/slurm24-root.log" | sed 's/^/# /'
    finish
fi
ok "slurm24: the Debian 13 root with Slurm $(sed -n 's/^slurmd\t//p' "$root/etc/pyimport-bench-root")"
diag "slurm24: root $root ready in $(secs "$t0") s"

# --- build and unit tests with g++ 14 ------------------------------------------------
t0=${EPOCHREALTIME%[.,]*}
if ! inside make -s -j2 -C "$TESTS_TOP" BUILD="$B" all unit-tests >"$LOG_DIR/slurm24-build.log" 2>&1; then
    not_ok "slurm24: g++ 14 builds the plugin, helpers and unit tests -Wall -Wextra -Werror clean"
    grep -m 8 -E 'error|Error' "$LOG_DIR/slurm24-build.log" | cut -c1-300 | sed 's/^/# /'
    finish
fi
ok "slurm24: g++ 14 builds the plugin, helpers and unit tests -Wall -Wextra -Werror clean"
diag "slurm24: build took $(secs "$t0") s"

# Each binary's Criterion synthesis: "[====] Synthesis: Tested: T | Passing: P | Failing: F | Crashing: C";
# a binary that dies before printing one is a failure too.
units=$(inside bash -c 'for t in "$1"/tests/unit/test_*; do
        [ -x "$t" ] || continue
        echo "@@ ${t##*/}"; "$t" --jobs 1 2>&1 | grep -E "Synthesis|\[FAIL\]|Assertion"
    done; echo "@@"' unit "$B")
name= synthesis=
while IFS= read -r line; do
    case $line in
        "@@"*)
            [ -z "$name" ] || [ -n "$synthesis" ] || not_ok "slurm24: unit $name: no Criterion synthesis line"
            name=${line#@@ } synthesis= ;;
        *Synthesis:*)
            synthesis=$line
            if [[ $line =~ Passing:\ ([0-9]+).*Failing:\ ([0-9]+).*Crashing:\ ([0-9]+) ]] &&
                [ $((BASH_REMATCH[2] + BASH_REMATCH[3])) -eq 0 ]; then
                ok "slurm24: unit $name (${BASH_REMATCH[1]} tests)"
            else
                not_ok "slurm24: unit $name: ${line#*Synthesis: }"
            fi ;;
        *) diag "slurm24: unit $name: $line" ;;
    esac
done <<<"$units"
grep -q '^@@ test_' <<<"$units" || not_ok "slurm24: no unit test ran in the root"

# --- the integration scripts ------------------------------------------------------------
for s in $SCRIPTS; do
    script=$TESTS_TOP/tests/integration/$s.sh
    [ -f "$script" ] || { not_ok "slurm24: $s: no such script"; continue; }
    t0=${EPOCHREALTIME%[.,]*}
    out=$(timeout -k 30 "$SCRIPT_TIMEOUT" "$DEBIAN13" run env BUILD="$B" bash "$script" \
        2>"$LOG_DIR/slurm24-$s.stderr")
    rc=$?
    printf '%s\n' "$out" | grep -E '^(ok|not ok|#)' |
        sed -E "s/^(ok|not ok) - /\1 - slurm24: $s: /; s/^# /# slurm24: $s: /"
    diag "slurm24: $s took $(secs "$t0") s"
    if [ "$rc" -ne 0 ]; then
        if grep -q '^not ok' <<<"$out"; then
            tests_failed=$((tests_failed + 1))
        else
            not_ok "slurm24: $s exited $rc without a 'not ok' line (stderr: $LOG_DIR/slurm24-$s.stderr)"
            tail -n 5 "$LOG_DIR/slurm24-$s.stderr" | sed 's/^/# /'
        fi
    fi
done
finish
