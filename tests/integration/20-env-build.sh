#!/usr/bin/env bash
# helper/pyimport-env-build: the prefix and the image carry one stable digest, the prefix's python
# imports the study's libraries, and an import touches the prefix, not /usr (strace).
# A build takes about a minute: it is cached under /tmp/pyimport-env-cache, keyed by the package
# list, the packages' versions and the builder itself. Root is needed to loop-mount the image.
source "$(dirname "$0")/../lib.sh"
builder=$TESTS_TOP/helper/pyimport-env-build
packages="python3-numpy python3-scipy python3-pandas python3-biopython python3-matplotlib python3-seaborn"
imports="numpy, scipy, pandas, sqlite3, Bio, matplotlib, seaborn"
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

tmp=$(mktemp -d)
trap 'umount "$tmp/img" 2>/dev/null; rm -rf "$tmp"' EXIT

run_python() {  # ARGS...: the prefix's python as a conda env would run it, from a local directory
    (cd "$tmp" && env -i HOME="$tmp" MPLCONFIGDIR="$tmp/mpl" $(cat "$prefix/.pyimport/env") "$prefix/usr/bin/python3" "$@")
}

prefix_share() {  # STRACE-LOG: percent of path lookups inside the prefix, and the breakdown
    # Lookups are %file calls naming an absolute path; fstat through an fd ("") and getcwd
    # (it reports a path, it does not look one up) are not.
    awk -v P="$prefix/" '
        / getcwd\(/ || !match($0, /"\/[^"]*"/) { next }
        { p = substr($0, RSTART + 1, RLENGTH - 2); n++
          if (index(p "/", P) == 1) inside++; else if (p ~ /^\/usr\//) usr++; else other++ }
        END { printf "%.1f %d %d %d %d\n", 100 * inside / n, n, inside, usr + 0, other + 0 }' "$1"
}

t=$(now)
if cache=$("$TESTS_TOP/tests/infra/test-env" ensure); then ok "build (or reuse) the prefix and the image"
else not_ok "build (or reuse) the prefix and the image"; finish; fi
diag "prefix and image in $cache ($(since "$t") s; delete it to rebuild)"
prefix=$cache/env image=$cache/env.sqfs
digest=$(cat "$prefix/.pyimport/digest")
diag "digest $digest"

t=$(now)
check "digest of the prefix is stable (recomputed)" test "$("$builder" --digest "$prefix")" = "$digest"
diag "digest recomputed in $(since "$t") s"
check "the image carries the same digest" test "$(unsquashfs -cat "$image" .pyimport/digest 2>/dev/null)" = "$digest"
if [ "$(id -u)" -eq 0 ]; then
    mkdir "$tmp/img" && mount -o loop,ro "$image" "$tmp/img"
    check "the image's tree has the same digest (loop mount)" test "$("$builder" --digest "$tmp/img")" = "$digest"
    umount "$tmp/img"
else
    skip "the image's tree has the same digest (loop mount)" "needs root"
fi

mkdir -p "$tmp/mpl"
out=$(run_python -c "import $imports; print(*(m.__file__ for m in ($imports)))" 2>"$tmp/py.err")
check "the prefix's python imports $imports" test -n "$out"
check "every module came from the prefix" test -z "$(tr ' ' '\n' <<<"$out" | grep -v "^$prefix/")"
[ -s "$tmp/py.err" ] && diag "python stderr: $(head -c 300 "$tmp/py.err")"

# Warm run above built matplotlib's font cache; this one is a steady-state import.
run_python -c "import $imports" 2>/dev/null &&
    (cd "$tmp" && env -i HOME="$tmp" MPLCONFIGDIR="$tmp/mpl" $(cat "$prefix/.pyimport/env") \
        strace -f -qq -e trace=%file -o "$tmp/strace" "$prefix/usr/bin/python3" -c "import $imports")
read -r share n inside usr other < <(prefix_share "$tmp/strace")
diag "strace: $n path lookups, $inside in the prefix, $usr in /usr, $other elsewhere (cwd, /etc, /proc...)"
check "at least 95% of an import's path lookups are in the prefix ($share%)" awk -v s="$share" 'BEGIN { exit !(s >= 95) }'

# Bad input: one clear line, nothing left at the final path.
err=$("$builder" --prefix "$tmp/bad" --packages "python3-numpy python3-no-such-thing" 2>&1 >/dev/null)
check "a missing package is refused in one line" test "$(wc -l <<<"$err")" -eq 1 -a -n "$(grep -F python3-no-such-thing <<<"$err")"
check "nothing left at the prefix path" test -z "$(ls -A "$tmp" | grep bad)"
mkdir "$tmp/full" && touch "$tmp/full/keep"
check_fails "an existing non-empty prefix is refused without --force" \
    "$builder" --prefix "$tmp/full" --packages python3-numpy 2>/dev/null
check "and left as it was" test -f "$tmp/full/keep"
finish
