# The study's comparison on real parts: one environment as a directory and as
# a squashfs image, both on a real MooseFS, run by the plugin on a 4-node
# Slurm cluster as an unprivileged user: conda mode, container mode through
# Charliecloud's ch-run, and container mode with the plugin's own kernel loop
# mount. Records must carry the same environment digest; mounts must vanish.
source "$(dirname "$0")/../lib.sh"
source "$TESTS_TOP/tests/cluster_lib.sh"

export CLUSTER_DIR=/tmp/pyimport-it-container CTLD_PORT=16927 NODE_PORT=17121
export MFS_DIR=/tmp/pyimport-it-container-mfs MFS_PORT_BASE=19719
MOOSEFS=$TESTS_TOP/tests/infra/moosefs
RECORD=$BUILD/pyimport-record
WORK=$(mktemp -d /tmp/pyimport-it-container.XXXXXX)
chmod 755 "$WORK"
fuse_mode=$(stat -c %a /dev/fuse)
cleanup() {
    "$CLUSTER" down >/dev/null 2>&1
    "$MOOSEFS" down >/dev/null 2>&1
    chmod "$fuse_mode" /dev/fuse
    rm -rf "$WORK"
}
trap cleanup EXIT
USER_NAME=$("$TESTS_TOP/tests/infra/test-user" ensure)
install_plugin

cache=$("$TESTS_TOP/tests/infra/test-env" ensure) || { not_ok "build or reuse the test environment"; finish; }
digest=$(cat "$cache/env/.pyimport/digest")
diag "environment $digest"

# The shared file system, with the directory and the image on it, as a site
# would place them (root-owned, so the kernel runtime accepts the image).
place_on_moosefs() {
    "$MOOSEFS" up >"$WORK/mfs.log" 2>&1 || { cat "$WORK/mfs.log" >&2; return 1; }
    eval "$("$MOOSEFS" env)"
    ENVDIR=$MFS_MOUNT/envs/py3 IMAGE=$MFS_MOUNT/images/py3.sqfs
    mkdir -p "$MFS_MOUNT/envs" "$MFS_MOUNT/images" && chmod 755 "$MFS_MOUNT" "$MFS_MOUNT/envs" "$MFS_MOUNT/images"
    cp -a "$cache/env" "$ENVDIR" && cp "$cache/env.sqfs" "$IMAGE" &&
        "$TESTS_TOP/helper/pyimport-env-build" --write-env "$ENVDIR" >/dev/null
}
t0=$(date +%s)
check "prefix and image placed on a real MooseFS" place_on_moosefs
diag "placing them took $(( $(date +%s) - t0 )) s"
# Unprivileged ch-run mounts the image with squashfuse: users need /dev/fuse
# (restored on exit).
chmod 666 /dev/fuse

site="outdir=$WORK/out conda=$ENVDIR conda_python=$ENVDIR/usr/bin/python3 image=$IMAGE timeout=280"
run_mode() {   # label runtime request: one gaggle of 4 on each of 4 nodes, as the test user
    local out=$WORK/out
    rm -rf "$out"; mkdir -p "$out"; chmod 1777 "$out"
    cluster_up $site ${2:+runtime=$2} && srun_as user -N4 --pyimport-bench="$3" true &&
        [ "$(count_files "$out" '*.json')" -eq 4 ] && "$RECORD" check "$out"/*.json &&
        mkdir -p "$WORK/$1" && cp "$out"/*.json "$WORK/$1/"
}

# Every record of a form: all interpreters succeeded, the environment's
# digest, and the runtime, mount driver and file system the form implies.
records_say() {   # label mode runtime mount-driver
    /usr/bin/python3 - "$WORK/$1" "$digest" "$2" "$3" "$4" <<'EOF'
import glob, json, sys
d, digest, mode, runtime, driver = sys.argv[1:]
recs = [json.load(open(f)) for f in glob.glob(d + "/*.json")]
assert len(recs) == 4, len(recs)
for r in recs:
    run = r["run"]
    assert run["mode"] == mode and (run["runtime"] or "") == runtime and run["mount_driver"] == driver, run
    assert run["env_digest"] == digest, run["env_digest"]
    assert run["fs_type"].startswith("fuse"), run["fs_type"]
    assert r["gaggle"]["succeeded"] == 4, [i.get("stderr_tail") for i in r["interpreters"]]
EOF
}

# Metadata operations at MooseFS per interpreter. All four "nodes" share one
# mfsmount here, so each record's counters cover every overlapping gaggle:
# the median over records divided by all 16 interpreters.
metadata_per_interpreter() {   # label
    /usr/bin/python3 - "$WORK/$1" <<'EOF'
import glob, json, statistics, sys
recs = [json.load(open(f)) for f in glob.glob(sys.argv[1] + "/*.json")]
ops = [r.get("fs_metadata_ops", {}).get("metadata_total", -1) for r in recs]
print(int(statistics.median(ops) / 16) if min(ops) >= 0 else -1)
EOF
}
metadata_between() {   # label low high
    local n; n=$(metadata_per_interpreter "$1"); diag "$1: $n MooseFS metadata operations per interpreter"
    [ "$n" -ge "$2" ] && [ "$n" -le "$3" ]
}

no_image_mount_left() { ! losetup -a | grep -q py3.sqfs && ! grep -q ' squashfs ' /proc/mounts && ! grep -q squashfuse /proc/mounts; }

check "conda,4 on 4 nodes from the directory on MooseFS" run_mode conda "" conda,4
check "conda records: the environment's digest, directory on MooseFS, all succeeded" records_say conda conda "" directory
check "container,4 on 4 nodes through ch-run" run_mode chrun charliecloud container,4
check "ch-run records: the same digest, squashfuse, all succeeded" records_say chrun container charliecloud squashfuse
check "container,4 on 4 nodes through the plugin's kernel loop mount" run_mode kernel kernel container,4
check "kernel records: the same digest, kernel-squashfs, all succeeded" records_say kernel container kernel kernel-squashfs
check "no loop device or image mount is left behind" no_image_mount_left
check "directory form: thousands of metadata operations per interpreter at MooseFS" metadata_between conda 1000 100000
check "ch-run form: almost none per interpreter" metadata_between chrun 0 50
check "kernel form: almost none per interpreter" metadata_between kernel 0 50
"$RECORD" summary "$WORK"/conda/*.json "$WORK"/chrun/*.json "$WORK"/kernel/*.json | sed 's/^/# /'

# --- bad input: one clear line, the job still runs, no record ----------------
fault() {   # expected-text plugstack-arguments...
    local expect=$1; shift
    rm -rf "$WORK/out"; mkdir -p "$WORK/out"; chmod 1777 "$WORK/out"
    cluster_up outdir="$WORK/out" "$@" && srun_as user -N2 --pyimport-bench=container,2,modules=json true &&
        stderr_has "$expect" && [ "$(count_files "$WORK/out")" -eq 0 ] && no_node_drained
}
check "missing image: named, job runs, no record" \
    fault "image $MFS_MOUNT/images/none.sqfs is not readable" conda="$ENVDIR" image="$MFS_MOUNT/images/none.sqfs"
check "runtime not installed (apptainer): named, job runs, no record" \
    fault "apptainer runtime /usr/bin/apptainer is not executable" conda="$ENVDIR" image="$IMAGE" runtime=apptainer
user_writable_image() {
    mkdir -p "$WORK/open" && chmod 777 "$WORK/open" && cp "$cache/env.sqfs" "$WORK/open/py3.sqfs"
    fault "image directory $WORK/open must be owned by root and writable by root only" \
        conda="$ENVDIR" image="$WORK/open/py3.sqfs" runtime=kernel
}
check "kernel runtime refuses an image in a user-writable directory" user_writable_image
# A kernel-mode gaggle whose slurmstepd dies: the process holding the mount
# namespace and the interpreters die with it, and so do the mount and the
# loop device. The interpreters hang (probe-python) so the kill lands mid-gaggle.
loop_bound() { losetup -a | grep -qF "$IMAGE"; }
# Live ones: a killed process whose parent died waits for PID 1 as a zombie.
interpreters_of_user() { ps -u "$USER_NAME" -o stat=,args= | awk '$1 !~ /^Z/ && /sleep 3600/' | wc -l; }
gaggle_hanging() { [ "$(interpreters_of_user)" -ge 2 ] && loop_bound; }
all_gone() { ! loop_bound && [ "$(interpreters_of_user)" -eq 0 ]; }
wait_until() {   # tenths-of-seconds command...
    local n=$1; shift
    for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done
    return 1
}
killed_mid_gaggle() {
    local job stepd
    cluster_up outdir="$WORK/out" conda="$ENVDIR" conda_python="$TESTS_TOP/tests/fixtures/probe-python" \
        image="$IMAGE" runtime=kernel timeout=100 || return 1
    PROBE_HANG=1 srun_as user -N1 --pyimport-bench=container,2 true &
    local srun_pid=$!
    wait_until 200 gaggle_hanging || return 1
    job=$(squeue -h -t R -o %i | sort -n | tail -n1)
    stepd=$(stepd_above "$(pgrep -u "$USER_NAME" -f "sleep 3600" | head -n1)" "$job")
    kill -KILL "$stepd"
    wait_until 50 all_gone
    local rc=$?
    [ "$rc" -eq 0 ] || { diag "left: $(losetup -a | grep -cF "$IMAGE") loop device(s)"; ps -u "$USER_NAME" -o pid,ppid,stat,args | sed 's/^/# /'; }
    scancel "$job"; wait "$srun_pid"
    return $rc
}
check "kernel mode: slurmstepd killed mid-gaggle takes interpreters, mount and loop device with it" killed_mid_gaggle

shared_fs_down() {
    "$MOOSEFS" down >/dev/null 2>&1
    fault "no record written" conda="$ENVDIR" conda_python="$ENVDIR/usr/bin/python3" image="$IMAGE" runtime=kernel ||
        { sed 's/^/# /' "$WORK/srun.err" | head -5; ls "$WORK/out" | sed 's/^/# /'; return 1; }
}
check "shared file system down: one clear line, job runs, no record" shared_fs_down
check "still no image mount left" no_image_mount_left
finish
