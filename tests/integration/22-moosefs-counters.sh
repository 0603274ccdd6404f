#!/usr/bin/env bash
# Metadata counters (lib/fs_metadata_counters.*) on a real MooseFS: a snapshot of the mount's
# .stats; stat(1), failed lookups and opens of N files move "lookups", the negative lookups
# and "opens" by at least N; a local path has no counters; a remount in between is reported
# as counters_reset, never as a negative or wrong number; a path on a dead mount is one error.
# Uses a probe built here from tests/integration/metadata_counters_probe.cpp. Needs root.
source "$(dirname "$0")/../lib.sh"
mfs=$TESTS_TOP/tests/infra/moosefs
quiet() { "$@" >/dev/null 2>&1; }
N=40

if [ "$(id -u)" -ne 0 ]; then skip "moosefs counters" "needs root (FUSE mount)"; finish; fi

# Own state directory and ports: a MooseFS someone else brought up is left alone.
export MFS_DIR MFS_PORT_BASE=${MFS_COUNTERS_TEST_PORT_BASE:-19819}
MFS_DIR=$(mktemp -d /tmp/pyimport-mfs-counters.XXXXXX)
trap '"$mfs" down >/dev/null 2>&1; rm -rf "$MFS_DIR"' EXIT

probe=$BUILD/tests/integration/metadata-counters-probe
mkdir -p "$(dirname "$probe")"
if make -s -C "$TESTS_TOP" BUILD="$BUILD" "$BUILD/libpyimport.a" >&2 &&
    ${CXX:-g++} -std=c++17 -Wall -Wextra -Werror -O1 -I"$TESTS_TOP/lib" -o "$probe" \
        "$TESTS_TOP/tests/integration/metadata_counters_probe.cpp" "$BUILD/libpyimport.a" >&2; then
    ok "build the counters probe"
else
    not_ok "build the counters probe"; finish
fi

value() {  # NAME FILE: the value of NAME in a probe output ("" when absent)
    awk -v n="$1" '$1 == n { print $2 }' "$2"
}
at_least() {  # NAME FILE MIN
    local v; v=$(value "$1" "$2")
    diag "$1 = ${v:-absent} (want >= $3)"
    [ -n "$v" ] && [ "$v" -ge "$3" ]
}
clean_diff() {  # FILE: no counters_reset and no negative number in a probe diff
    ! grep -q '^counters_reset ' "$1" && awk '$2 < 0 { bad = 1 } END { exit bad }' "$1"
}

if out=$("$mfs" up 2>"$MFS_DIR.up-err"); then ok "moosefs up"; else not_ok "moosefs up"; sed 's/^/# /' "$MFS_DIR.up-err"; finish; fi
rm -f "$MFS_DIR.up-err"
eval "$out"
w=$MFS_DIR/work
mkdir -p "$w"

check "snapshot of the mount: kind moosefs, lookup counters read" \
    bash -c "'$probe' snapshot '$MFS_MOUNT' >'$w/snap' && grep -qx 'kind moosefs' '$w/snap' &&
             grep -q '^lookup.master.positive [0-9]' '$w/snap' && grep -qx 'instance $MFS_MOUNT/.stats' '$w/snap'"

files=() missing=()
for d in 1 2 3 4; do mkdir -p "$MFS_MOUNT/tree/d$d"; done
for ((i = 0; i < N; i++)); do
    f=$MFS_MOUNT/tree/d$((i % 4 + 1))/f$i
    echo "$i" >"$f"
    files+=("$f") missing+=("$MFS_MOUNT/tree/d$((i % 4 + 1))/missing$i")
done
sleep 1.5   # let mfsmount's directory-entry and attribute caches (1 s) expire

"$probe" around "$MFS_MOUNT/tree" -- stat -- "${files[@]}" >"$w/stat" 2>>"$w/cmd.log"
check "stat of $N files: lookups moves by at least $N" at_least lookups "$w/stat" $N
check "... lookups at the master, positive" at_least moosefs.lookup.master.positive "$w/stat" $N
check "... metadata_total at least the lookups" at_least metadata_total "$w/stat" "$(value lookups "$w/stat")"
check "... no counters_reset, no negative number" clean_diff "$w/stat"

"$probe" around "$MFS_MOUNT/tree" -- stat -- "${missing[@]}" >"$w/missing" 2>>"$w/cmd.log"
check "stat of $N missing names: negative lookups move by at least $N" \
    at_least moosefs.lookup.master.negative "$w/missing" $N
check "... and count in lookups" at_least lookups "$w/missing" $N

"$probe" around "$MFS_MOUNT/tree" -- cat -- "${files[@]}" >"$w/cat" 2>>"$w/cmd.log"
check "cat of $N files: opens moves by at least $N" at_least opens "$w/cat" $N

quiet "$probe" snapshot "$w"; rc=$?
check "a local path ($(findmnt -rn -o FSTYPE -T "$w")) has no counters and no error (exit 3)" test "$rc" -eq 3
"$probe" snapshot "$MFS_MOUNT/no/such/env" >/dev/null 2>"$w/err"; rc=$?
check "a missing path: exit 2, one line naming it" \
    bash -c "[ $rc -eq 2 ] && [ \$(wc -l <'$w/err') -eq 1 ] && grep -qF '$MFS_MOUNT/no/such/env' '$w/err'"

# A remount between the snapshots: the counters restart; the diff says so and gives no number.
"$probe" snapshot "$MFS_MOUNT/tree" >"$w/before"
if quiet "$mfs" down && out=$("$mfs" up 2>/dev/null); then
    eval "$out"
    "$probe" snapshot "$MFS_MOUNT/tree" >"$w/after"
    "$probe" diff "$w/before" "$w/after" >"$w/remount"
    diag "diff across a remount: $(tr '\n' ' ' <"$w/remount")"
    check "a remount in between: only counters_reset 1" \
        bash -c "[ \"\$(cat '$w/remount')\" = 'counters_reset 1' ]"
else
    not_ok "moosefs down and up again for the remount check"
fi

# The FUSE client dies (the mount stays, every access fails): one clear error, not "no counters".
mount_pid=$(cat "$MFS_DIR/run/mount.pid" 2>/dev/null)
if [ -n "$mount_pid" ] && kill -KILL "$mount_pid" 2>/dev/null; then
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$mount_pid" 2>/dev/null || break; sleep 0.1; done
    "$probe" snapshot "$MFS_MOUNT/tree" >/dev/null 2>"$w/dead"; rc=$?
    diag "dead mount: $(cat "$w/dead")"
    check "a dead MooseFS mount: exit 2 with one line" bash -c "[ $rc -eq 2 ] && [ \$(wc -l <'$w/dead') -eq 1 ]"
else
    not_ok "kill the mfsmount this test started (pid ${mount_pid:-unknown})"
fi

check "moosefs down" quiet "$mfs" down
check_fails "no MooseFS mount left" quiet findmnt -rn -M "$MFS_MOUNT"
finish
