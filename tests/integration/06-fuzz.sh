#!/usr/bin/env bash
# A short run of every libFuzzer harness in tests/fuzz/ (`make fuzz`, clang with
# ASan and UBSan): FUZZ_CHECK_SECONDS (default 10) each, all at once, from the
# seed corpus plus what earlier runs found (kept in $FUZZ_BUILD/corpus). One
# line per harness; a crash, a leak or a broken invariant is "not ok" with the
# input left in $FUZZ_BUILD/artifacts/NAME/. Longer runs: make fuzz FUZZ_SECONDS=N.
source "$(dirname "$0")/../lib.sh"
seconds=${FUZZ_CHECK_SECONDS:-10}
# Relative to the top, as make's dependency files name their targets.
fuzz_dir=${FUZZ_BUILD:-build-fuzz}
case $fuzz_dir in /*) fuzz_build=$fuzz_dir ;; *) fuzz_build=$TESTS_TOP/$fuzz_dir ;; esac
names=()
for s in "$TESTS_TOP"/tests/fuzz/fuzz_*.cpp; do [ -f "$s" ] && names+=("$(basename "$s" .cpp)"); done
[ ${#names[@]} -gt 0 ] || { not_ok "harnesses in tests/fuzz/"; finish; }

cxx=${FUZZ_CXX:-clang++}
if ! command -v "$cxx" >/dev/null ||
    ! echo 'extern "C" int LLVMFuzzerTestOneInput(const char *, unsigned long) { return 0; }' |
        "$cxx" -x c++ -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then
    for n in "${names[@]}"; do skip "$n" "no $cxx with libFuzzer (tests/infra/install-deps installs clang and libclang-rt-14-dev)"; done
    finish
fi

start=$(date +%s)
mkdir -p "$fuzz_build/logs"
if ! make -C "$TESTS_TOP" -s -j2 FUZZ_BUILD="$fuzz_dir" fuzz-build >"$fuzz_build/logs/build.log" 2>&1; then
    not_ok "build the fuzz harnesses (log: $fuzz_build/logs/build.log)"
    tail -n 5 "$fuzz_build/logs/build.log" | sed 's/^/# /'
    finish
fi
diag "harnesses built in $(($(date +%s) - start)) s"

pids=()
for n in "${names[@]}"; do
    make -C "$TESTS_TOP" -s FUZZ_BUILD="$fuzz_dir" FUZZ_PREBUILT=1 FUZZ_SECONDS="$seconds" "fuzz-run-$n" \
        >"$fuzz_build/logs/$n.log" 2>&1 &
    pids+=($!)
done
for i in "${!names[@]}"; do
    n=${names[$i]} log=$fuzz_build/logs/${names[$i]}.log
    wait "${pids[$i]}"; rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    if [ $rc -eq 0 ]; then
        ok "$n: ${execs:-?} inputs in ${seconds} s, no crash or broken invariant"
    else
        not_ok "$n: failed after ${execs:-?} inputs (log: $log)"
        grep -E 'INVARIANT BROKEN|ERROR: |SUMMARY: |input: |Test unit written to' "$log" | head -n 8 | sed 's/^/# /'
    fi
done
diag "total $(($(date +%s) - start)) s"
finish
