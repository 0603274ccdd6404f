# Why it is slow (issue 14) on a real 4-node Slurm 22.05 cluster: per-module
# import times (importtime=on, and the site's forbid and force), the gaggle's
# own cgroup (totals, cgroup=off) and what it must leave behind: nothing. An
# interpreter that leaves a daemon (fork, setsid, fork) is followed by a
# crash, a timeout, a slurmstepd killed mid-gaggle and, with runtime=kernel,
# a daemon holding the private mount namespace (and so the loop device).
# Interpreters run as the unprivileged test user.
source "$(dirname "$0")/../lib.sh"
source "$TESTS_TOP/tests/cluster_lib.sh"

export CLUSTER_DIR=/tmp/pyimport-it-why CTLD_PORT=16957 NODE_PORT=17181
export MFS_DIR=/tmp/pyimport-it-why-mfs MFS_PORT_BASE=19819
MOOSEFS=$TESTS_TOP/tests/infra/moosefs
RECORD=$BUILD/pyimport-record
WORK=$(mktemp -d /tmp/pyimport-it-why.XXXXXX)
chmod 755 "$WORK"
USER_NAME=$("$TESTS_TOP/tests/infra/test-user" ensure)

# Anything of ours still running at the end (a leak this test failed to
# catch) is stopped by PID: processes are found by the fixtures' own names.
cleanup() {
    "$CLUSTER" down >/dev/null 2>&1
    local pids; pids=$(pgrep -u "$USER_NAME" -f '^pyimport-why-(daemon|hung)')
    [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
    "$MOOSEFS" down >/dev/null 2>&1
    rm -rf "$WORK" "$MFS_DIR"
}
trap cleanup EXIT
install_plugin

# The site's files: root-owned, in root-owned directories.
SITE=$WORK/site
install -d -m 755 "$SITE" "$SITE/bin" "$SITE/pypath" "$SITE/env"
install -m 755 "$TESTS_TOP/tests/fixtures/daemon-python" "$SITE/bin/python3"
install -m 644 "$TESTS_TOP/tests/fixtures/daemon-sitecustomize.py" "$SITE/pypath/sitecustomize.py"
OUT=$WORK/out GAGGLE_TMP=$WORK/tmp
mkdir -p "$OUT" "$GAGGLE_TMP" && chmod 1777 "$OUT" "$GAGGLE_TMP"
clear_out() { find "$OUT" -mindepth 1 -delete; }

# The test user's live processes (zombies excluded: PID 1 here reaps orphans
# lazily, and a zombie holds nothing). Processes listed in $CLIENT_PIDS (a
# waiting srun on the submit side) are not counted, nor is a squeue of the
# job-end watch still in flight (it is never waited for; it ends on its own).
CLIENT_PIDS=
user_procs() {
    ps -u "$USER_NAME" -o pid=,stat=,args= 2>/dev/null |
        awk -v skip=" $CLIENT_PIDS " '$2 !~ /^Z/ && $3 !~ /(^|\/)squeue$/ && index(skip, " " $1 " ") == 0'
}
descendants() {   # pid: it and all its descendants, space-separated
    ps -e -o pid=,ppid= | awk -v root="$1" '{ parent[$1] = $2 } END {
        out = " " root " "; do { n = 0; for (p in parent) if (index(out, " " parent[p] " ") && !index(out, " " p " ")) { out = out p " "; n++ } } while (n)
        print out }'
}
no_user_process() {
    local left; left=$(user_procs)
    [ -z "$left" ] && return 0
    diag "processes of $USER_NAME left:"; sed 's/^/#   /' <<<"$left"; return 1
}
gaggle_cgroups() { find /sys/fs/cgroup -type d -name 'pyimport_gaggle_*' 2>/dev/null; }
no_gaggle_cgroup() {
    local left; left=$(gaggle_cgroups)
    [ -z "$left" ] && return 0
    diag "cgroup directories left:"; sed 's/^/#   /' <<<"$left"; return 1
}
nothing_left() { no_user_process && no_gaggle_cgroup; }
wait_until() {   # tenths-of-seconds command...
    local n=$1; shift
    for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    "$@"
}

# records DIR COUNT CONDITION: COUNT records that pass pyimport-record check,
# and CONDITION (Python, over the record r and its interpreters ii) holds for
# each; otherwise the offending records' fields as diagnostics.
records() {
    local n; n=$(count_files "$1" '*.json')
    [ "$n" -eq "$2" ] || { diag "$n records in $1, expected $2"; sed 's/^/# /' "$WORK/srun.err" | head -5; return 1; }
    "$RECORD" check "$1"/*.json >/dev/null || { "$RECORD" check "$1"/*.json 2>&1 | sed 's/^/# /' | head -5; return 1; }
    /usr/bin/python3 - "$1" "$3" <<'EOF'
import glob, json, sys
bad = 0
for f in sorted(glob.glob(sys.argv[1] + "/*.json")):
    r = json.load(open(f)); ii = r["interpreters"]
    if not eval("(" + sys.argv[2] + ")", {"r": r, "ii": ii}):
        bad += 1
        print("#", r["job"]["node"], "run.importtime", r["run"].get("importtime"), "cgroup", r.get("cgroup"))
        for i in ii:
            print("#   ", {k: i.get(k) for k in ("exit_code", "signal", "timed_out", "wall_ns", "import_us")},
                  (i.get("stderr_tail") or "")[-200:].replace("\n", " | "))
sys.exit(1 if bad else 0)
EOF
}
# srun refused before launch: non-zero, exactly one line of the plugin (Slurm
# adds its own two about the failed plugin stack), naming TEXT; the user's
# command ran nowhere, no record.
refused_with_one_line() {   # text srun-arguments...
    local text=$1; shift
    ! srun_as user "$@" && [ "$(grep -c 'pyimport_bench: ' "$WORK/srun.err")" -eq 1 ] &&
        grep 'pyimport_bench: ' "$WORK/srun.err" | grep -qF -- "$text" &&
        [ ! -s "$WORK/srun.out" ] && [ "$(count_files "$OUT")" -eq 0 ] ||
        { sed 's/^/# /' "$WORK/srun.err" "$WORK/srun.out"; return 1; }
}
leftovers_at_start=$(user_procs)
[ -z "$leftovers_at_start" ] || diag "WARNING: $USER_NAME already has processes: $(tr '\n' ';' <<<"$leftovers_at_start")"

MODS=json:email.mime.text:sqlite3
plain="outdir=$OUT conda=/usr conda_python=/usr/bin/python3 timeout=60"

# --- 1. import times ---------------------------------------------------------
check "cluster up (importtime allowed, cgroups on)" cluster_up $plain
clear_out
check "as $USER_NAME: srun -N4 --pyimport-bench=conda,2,modules=$MODS,importtime=on exits 0" \
    srun_as user -N4 --pyimport-bench=conda,2,modules=$MODS,importtime=on true
check "4 records: run.importtime true, one positive import_us per module per interpreter" \
    records "$OUT" 4 'r["run"]["importtime"] is True and r["run"]["modules"] == ["json", "email.mime.text", "sqlite3"]
        and len(ii) == 2 and all(len(i["import_us"]) == 3 and min(i["import_us"]) > 0 and i["exit_code"] == 0 for i in ii)
        and all(len(i["slowest_modules"]) > 0 for i in ii)'
# --- 3. cgroup totals ----------------------------------------------------------
check "cgroup used: cpu_ns > 0, memory_peak_bytes > 0, nothing left over" \
    records "$OUT" 4 'r["cgroup"]["state"] == "used" and r["cgroup"]["cpu_ns"] > 0 and r["cgroup"]["memory_peak_bytes"] > 0
        and r["cgroup"]["max_processes"] >= 2 and r["cgroup"]["leftovers_killed"] == 0'
check "after it: no process of $USER_NAME, no pyimport_gaggle_* cgroup" nothing_left
clear_out
check "without the key: srun -N2 --pyimport-bench=conda,1 exits 0" \
    srun_as user -N2 --pyimport-bench=conda,1,modules=json true
check "without the key: no import times (run.importtime false, no import_us)" \
    records "$OUT" 2 'r["run"]["importtime"] is False and not any(i.get("import_us") or i.get("slowest_modules") for i in ii)'

check "cluster up with importtime=forbid" cluster_up $plain importtime=forbid
clear_out
check "importtime=forbid: srun refuses importtime=on in one line naming it, nothing runs" \
    refused_with_one_line "importtime=on" -N4 --pyimport-bench=conda,2,modules=$MODS,importtime=on id -un

check "cluster up with importtime=force" cluster_up $plain importtime=force
clear_out
check "importtime=force: a request without the key exits 0" srun_as user -N4 --pyimport-bench=conda,2,modules=$MODS true
check "importtime=force: its records have import times" \
    records "$OUT" 4 'r["run"]["importtime"] is True and all(len(i["import_us"]) == 3 and min(i["import_us"]) > 0 for i in ii)'
clear_out
check "importtime=force: importtime=off is refused in one line naming it" \
    refused_with_one_line "importtime=off" -N2 --pyimport-bench=conda,1,importtime=off id -un

check "cluster up with cgroup=off" cluster_up $plain cgroup=off
clear_out
check "cgroup=off: srun -N4 --pyimport-bench=conda,2 exits 0" srun_as user -N4 --pyimport-bench=conda,2,modules=json true
check "cgroup=off: state off, every figure -1, all interpreters succeeded" \
    records "$OUT" 4 'r["cgroup"]["state"] == "off" and all(r["cgroup"][k] == -1 for k in
        ("cpu_ns", "memory_peak_bytes", "io_bytes", "io_operations", "max_processes")) and r["gaggle"]["succeeded"] == 2'
check "cgroup=off: no pyimport_gaggle_* cgroup created" no_gaggle_cgroup

# --- 2. and 4. an interpreter that leaves a daemon behind, and faults -----------
daemons() { pgrep -u "$USER_NAME" -f '^pyimport-why-daemon' | wc -l; }
hung() { pgrep -u "$USER_NAME" -f '^pyimport-why-hung' | wc -l; }
check "cluster up with a daemon-leaving interpreter (root-owned wrapper)" \
    cluster_up outdir="$OUT" conda=/usr conda_python="$SITE/bin/python3" timeout=60 workdir="$GAGGLE_TMP"
clear_out
check "daemons: srun -N4 --pyimport-bench=conda,2 exits 0" srun_as user -N4 --pyimport-bench=conda,2,modules=json true
check "daemons: every record counts the leftovers killed (>= 1; 2 expected), interpreters succeeded" \
    records "$OUT" 4 'r["cgroup"]["state"] == "used" and r["cgroup"]["leftovers_killed"] >= 1 and r["gaggle"]["succeeded"] == 2'
/usr/bin/python3 -c "import glob, json; print('# leftovers_killed per node:', sorted(json.load(open(f))['cgroup']['leftovers_killed'] for f in glob.glob('$OUT/*.json')))"
check "daemons: no process of $USER_NAME left on the machine" no_user_process
check "daemons: no pyimport_gaggle_* cgroup directory left" no_gaggle_cgroup

# (a) a crash after spawning a daemon
clear_out
crash_job() { WHY_AFTER=segv srun_as user -N2 --pyimport-bench=conda,2,modules=json true; }
check "crash: srun -N2 (interpreters SIGSEGV after spawning a daemon) exits 0" crash_job
check "crash: records say signal 11, leftovers killed" \
    records "$OUT" 2 'all(i["signal"] == 11 for i in ii) and r["gaggle"]["failed"] == 2 and r["cgroup"]["leftovers_killed"] >= 1'
check "crash: no process of $USER_NAME and no gaggle cgroup left" nothing_left

# (b) the timeout
clear_out
started=$(date +%s.%N)
hang_job() { WHY_AFTER=hang srun_as user -N2 --pyimport-bench=conda,2,modules=json,timeout=3 true; }
check "timeout=3: srun -N2 (interpreters spawn a daemon, then hang) exits 0" hang_job
took=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
diag "the timed-out step took $took s"
check "timeout=3: the step completed within 30 s, not at the interpreters' 60 s hang" awk -v t="$took" 'BEGIN { exit !(t < 30) }'
check "timeout=3: interpreters timed_out, leftovers killed" \
    records "$OUT" 2 'all(i["timed_out"] for i in ii) and r["gaggle"]["timed_out"] == 2 and r["cgroup"]["leftovers_killed"] >= 1'
check "timeout=3: no process of $USER_NAME (daemons included) and no gaggle cgroup left" nothing_left

# (c) slurmstepd killed mid-gaggle
clear_out
gaggle_hanging() { [ "$(hung)" -ge 4 ] && [ "$(daemons)" -ge 4 ]; }
WHY_AFTER=hang srun_as user -N2 --pyimport-bench=conda,2,modules=json,timeout=60 true &
srun_pid=$!
check "stepd killed: 4 hung interpreters and 4 daemons running on 2 nodes" wait_until 150 gaggle_hanging
job=$(squeue -h -t R -o %i | sort -n | tail -n1)
# The interpreters' parents are the step's slurmstepds (one per node).
stepds=$(for p in $(pgrep -u "$USER_NAME" -f '^pyimport-why-hung'); do ps -o ppid= -p "$p"; done | sort -u | tr -d ' ')
stepd_names=$(for p in $stepds; do tr '\0' ' ' <"/proc/$p/cmdline"; echo; done 2>/dev/null)
diag "job $job, slurmstepds $(tr '\n' ' ' <<<"$stepds"): $(tr '\n' ';' <<<"$stepd_names")"
stepds_are_the_steps() {
    [ "$(wc -w <<<"$stepds")" -eq 2 ] && [ "$(grep -c "^slurmstepd: \[$job\.0\]" <<<"$stepd_names")" -eq 2 ]
}
check "stepd killed: the interpreters' parents are the 2 slurmstepds of step $job.0" stepds_are_the_steps
CLIENT_PIDS=$(descendants "$srun_pid")
diag "srun client processes (not counted below): $CLIENT_PIDS"
[ -n "$stepds" ] && kill -KILL $stepds
killed_at=$(date +%s.%N)
check "stepd killed: within 5 s no process of $USER_NAME (daemons included) is left but the waiting srun" \
    wait_until 50 no_user_process
diag "gone after $(awk -v a="$killed_at" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
check "stepd killed: within 5 s (more) no pyimport_gaggle_* cgroup directory is left" wait_until 50 no_gaggle_cgroup
scancel "$job" 2>/dev/null   # srun would otherwise wait for the dead steps
wait "$srun_pid"
CLIENT_PIDS=
check "stepd killed: no record half-written (any record is whole)" \
    bash -c "[ $(count_files "$OUT" '*.json') -eq 0 ] || $RECORD check $OUT/*.json >/dev/null"
node_states() { sinfo -h -N -o '%N %T %E' | sort -u; }
wait_until 30 no_node_drained
if ! no_node_drained; then
    diag "Slurm's node states after the killed slurmstepds (its doing, not ours):"
    node_states | sed 's/^/#   /'
    for n in $(sinfo -h -N -o '%N %T' | awk 'tolower($2) ~ /drain|down|fail/ {print $1}' | sort -u); do
        scontrol update nodename="$n" state=resume 2>/dev/null || scontrol update nodename="$n" state=idle
    done
else
    diag "no node drained or down after the killed slurmstepds"
fi
all_idle() { ! sinfo -h -N -o '%T' | grep -qv '^idle$'; }
check "stepd killed: every node is idle again" wait_until 200 all_idle
clear_out
check "stepd killed: afterwards a good srun -N4 --pyimport-bench=conda,1 on all nodes works" \
    srun_as user -N4 --pyimport-bench=conda,1,modules=json true
check "... with 4 records, its interpreter succeeded" records "$OUT" 4 'r["gaggle"]["succeeded"] == 1'
check "... and nothing of $USER_NAME left" nothing_left

# --- 5. runtime=kernel: a daemon in the mount namespace holds no loop device --
no_image_mount() { ! grep -qE ' squashfs |squashfuse' /proc/mounts; }
loop_lines() { losetup -a | wc -l; }
cache=$("$TESTS_TOP/tests/infra/test-env" ensure) || { not_ok "build or reuse the test environment"; finish; }
place_image() {
    "$MOOSEFS" up >"$WORK/mfs.log" 2>&1 || { cat "$WORK/mfs.log" >&2; return 1; }
    eval "$("$MOOSEFS" env)"
    # The image mounted over an empty, root-owned mount point (the conda= directory).
    IMAGE=$MFS_MOUNT/images/why.sqfs ENVDIR=$MFS_MOUNT/envs/why
    mkdir -p "$MFS_MOUNT/images" "$ENVDIR" && chmod 755 "$MFS_MOUNT" "$MFS_MOUNT/images" "$MFS_MOUNT/envs" "$ENVDIR" &&
        cp "$cache/env.sqfs" "$IMAGE" && chmod 644 "$IMAGE"
}
t0=$(date +%s)
check "the image placed on a real MooseFS" place_image
diag "placing it took $(( $(date +%s) - t0 )) s"
check "cluster up: runtime=kernel, the site's setenv=PYTHONPATH holds a daemon-leaving sitecustomize.py" \
    cluster_up outdir="$OUT" conda="$ENVDIR" conda_python="$ENVDIR/usr/bin/python3" image="$IMAGE" runtime=kernel \
        timeout=60 workdir="$GAGGLE_TMP" setenv=PYTHONPATH="$SITE/pypath"
loops_before=$(loop_lines)
clear_out
kernel_jobs() {
    for j in 1 2 3 4; do srun_as user -N2 --pyimport-bench=container,2,modules=json true || return 1; done
}
check "kernel: 4 jobs of srun -N2 --pyimport-bench=container,2 exit 0" kernel_jobs
check "kernel: 8 records, kernel-squashfs, all succeeded, leftovers (the sitecustomize daemons) killed" \
    records "$OUT" 8 'r["run"]["mount_driver"] == "kernel-squashfs" and r["gaggle"]["succeeded"] == 2
        and r["cgroup"]["leftovers_killed"] >= 1'
same_loop_count() { [ "$(loop_lines)" -eq "$loops_before" ]; }
check "kernel: losetup -a lists as many loop devices as before the 4 jobs ($loops_before)" wait_until 50 same_loop_count
diag "loop devices before $loops_before, after $(loop_lines)"
check "kernel: no image mount left" no_image_mount
check "kernel: no daemon or other process of $USER_NAME left, no gaggle cgroup" nothing_left

# The same with the interpreters hanging after their daemons started, and
# their slurmstepd killed: the keeper takes the daemons, so the namespace,
# the mount and the loop device go too.
kernel_interpreters() { pgrep -u "$USER_NAME" -f "^$ENVDIR/usr/bin/python3" | wc -l; }
kernel_hanging() { [ "$(kernel_interpreters)" -ge 2 ] && [ "$(daemons)" -ge 2 ] && [ "$(loop_lines)" -gt "$loops_before" ]; }
kernel_all_gone() { same_loop_count && no_image_mount && nothing_left; }
clear_out
WHY_AFTER=hang srun_as user -N1 --pyimport-bench=container,2,modules=json,timeout=60 true &
srun_pid=$!
check "kernel, stepd killed: 2 hung interpreters, their 2 daemons and a loop device" wait_until 200 kernel_hanging
job=$(squeue -h -t R -o %i | sort -n | tail -n1)
stepd=$(stepd_above "$(pgrep -u "$USER_NAME" -f "^$ENVDIR/usr/bin/python3" | head -n1)" "$job")
check "kernel, stepd killed: found the slurmstepd of step $job.0 above the interpreters" [ -n "$stepd" ]
CLIENT_PIDS=$(descendants "$srun_pid")
[ -n "$stepd" ] && kill -KILL "$stepd"
check "kernel, stepd killed: within 5 s no loop device, image mount, process of $USER_NAME or gaggle cgroup left" \
    wait_until 50 kernel_all_gone
diag "loop devices now $(loop_lines)"
scancel "$job" 2>/dev/null
wait "$srun_pid"
CLIENT_PIDS=
wait_until 30 no_node_drained || { diag "Slurm's node states (its doing):"; node_states | sed 's/^/#   /'; }
finish
