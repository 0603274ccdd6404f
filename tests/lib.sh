# Shared helpers for tests/integration/*.sh (sourced, bash).
# Each script prints one line per check: "ok - what", "not ok - what" or
# "ok - what # SKIP why"; tests/run counts those lines. A script that exits
# non-zero without printing "not ok" is counted as one failure.

TESTS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${BUILD:=$TESTS_TOP/build}"
tests_failed=0

ok()      { printf 'ok - %s\n' "$*"; }
not_ok()  { printf 'not ok - %s\n' "$*"; tests_failed=$((tests_failed + 1)); }
skip()    { printf 'ok - %s # SKIP %s\n' "$1" "$2"; }
diag()    { printf '# %s\n' "$*"; }

# check "description" command...: ok when the command succeeds.
check() {
    local what=$1; shift
    if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# check_fails "description" command...: ok when the command fails.
check_fails() {
    local what=$1; shift
    if "$@"; then not_ok "$what"; else ok "$what"; fi
}

# End of a test script: exit status says whether anything failed.
finish() { exit $(( tests_failed > 0 ? 1 : 0 )); }
