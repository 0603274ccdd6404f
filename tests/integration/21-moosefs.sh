#!/usr/bin/env bash
# A real MooseFS through tests/infra/moosefs: up, file I/O, goal, .stats counters, an image
# loop-mounted from it, and a down that leaves no process, mount or loop device. Needs root.
source "$(dirname "$0")/../lib.sh"
mfs=$TESTS_TOP/tests/infra/moosefs
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
quiet() { "$@" >/dev/null 2>&1; }

if [ "$(id -u)" -ne 0 ]; then skip "moosefs" "needs root (FUSE mount, loop mount)"; finish; fi

# Own state directory and ports, so a MooseFS someone else brought up is left alone.
export MFS_DIR MFS_PORT_BASE=${MFS_TEST_PORT_BASE:-19519}
MFS_DIR=$(mktemp -d /tmp/pyimport-mfs-test.XXXXXX)
img_mnt=$MFS_DIR/img-mnt   # outside the MooseFS mount, like a node's image mount
trap '"$mfs" down >/dev/null 2>&1; rm -rf "$MFS_DIR"' EXIT

stat_counter() {  # NAME: value of a counter in MOUNT/.stats
    awk -v n="$1:" '$1 == n { print $2 }' "$MFS_MOUNT/.stats"
}

t=$(now)
if out=$("$mfs" up 2>"$MFS_DIR.up-err"); then ok "moosefs up"; else not_ok "moosefs up"; sed 's/^/# /' "$MFS_DIR.up-err"; finish; fi
rm -f "$MFS_DIR.up-err"
diag "moosefs up took $(since "$t") s"
eval "$out"
check "env names the mount, and it is a FUSE mount" quiet findmnt -rn -M "$MFS_MOUNT" -t fuse
check "a second up is a no-op" quiet "$mfs" up
check "client cache settings recorded" grep -q 'mfsattrcacheto=.*mfsentrycacheto=.*mfsnegentrycacheto=' "$MFS_CACHE_FILE"

head -c 8M /dev/urandom >"$MFS_DIR/data"
check "write a file to the mount" cp "$MFS_DIR/data" "$MFS_MOUNT/data"
sync; echo 3 >/proc/sys/vm/drop_caches
check "read it back identical" cmp -s "$MFS_DIR/data" "$MFS_MOUNT/data"
check "goal 1 (one chunkserver)" bash -c "mfsgetgoal '$MFS_MOUNT/data' | grep -q ': 1$'"

before=$(stat_counter fuse_ops.lookup.master.negative)
for i in 1 2 3; do stat "$MFS_MOUNT/missing-$i" >/dev/null 2>&1; done
after=$(stat_counter fuse_ops.lookup.master.negative)
diag ".stats lookup.master.negative: $before -> $after after 3 lookups of missing names"
check ".stats counts negative lookups at the master" test "${after:-0}" -ge $((${before:-0} + 3))

mkdir -p "$MFS_DIR/tiny" "$img_mnt" && echo hi >"$MFS_DIR/tiny/f"
mksquashfs "$MFS_DIR/tiny" "$MFS_MOUNT/tiny.sqfs" -noappend -quiet -no-progress >/dev/null
check "loop-mount an image stored on the mount" mount -o loop,ro "$MFS_MOUNT/tiny.sqfs" "$img_mnt"

pids=$(cat "$MFS_DIR"/run/*.pid)
t=$(now)
check "moosefs down" quiet "$mfs" down
diag "moosefs down took $(since "$t") s (with one image mounted)"
check_fails "no daemon left (pids $(echo $pids))" quiet kill -0 $pids
check_fails "no MooseFS mount left" quiet findmnt -rn -M "$MFS_MOUNT"
check_fails "no image mount left" quiet findmnt -rn -M "$img_mnt"
check_fails "no loop device on the mount" bash -c "losetup -a | grep -qF '$MFS_MOUNT/'"
check "a second down is fine" quiet "$mfs" down
check_fails "status says down" quiet "$mfs" status
finish
