# The SPANK plugin on a real 4-node Slurm 22.05 cluster: records, identity,
# privileges, bad input, timeouts and cancellation. Interpreters are Debian's
# /usr/bin/python3 behind tests/fixtures/probe-python, which also reports the
# ids it runs with and can be told to hang.
source "$(dirname "$0")/../lib.sh"
source "$TESTS_TOP/tests/cluster_lib.sh"

export CLUSTER_DIR=/tmp/pyimport-it-plugin CTLD_PORT=16917 NODE_PORT=17101
RECORD=$BUILD/pyimport-record
PROBE_PYTHON=$TESTS_TOP/tests/fixtures/probe-python
WORK=$(mktemp -d /tmp/pyimport-it-plugin.XXXXXX)
chmod 755 "$WORK"
trap '"$CLUSTER" down >/dev/null 2>&1; rm -rf "$WORK"' EXIT
USER_NAME=$("$TESTS_TOP/tests/infra/test-user" ensure)

# The plugin as a site installs it: the entry must find its core beside it.
install_plugin
exports_only_spank() {
    [ "$(nm -D --defined-only "$PLUGIN" | awk '{print $3}' | sort | tr '\n' ' ')" = \
      "plugin_name plugin_type plugin_version slurm_spank_init slurm_spank_init_post_opt slurm_spank_local_user_init slurm_spank_user_init spank_plugin_version " ]
}
check "the installed entry .so exports only the SPANK symbols" exports_only_spank
check "the entry .so needs no C++ runtime" bash -c "! ldd '$PLUGIN' | grep -q 'libstdc++\|libjansson'"
USER_UID=$(id -u "$USER_NAME")

# A fresh, world-writable (sticky) output and probe directory per scenario.
fresh_dirs() {
    OUT=$WORK/out.$1 PROBES=$WORK/probes.$1
    mkdir -p "$OUT" "$PROBES" && chmod 1777 "$OUT" "$PROBES"
}

probe_processes() { pgrep -f "sleep 3600" -u "$1" | wc -l; }

# Field-level plausibility of every record in a directory.
records_plausible() {   # dir expected-records expected-interpreters uid
    /usr/bin/python3 - "$@" <<'EOF'
import glob, json, sys
d, want_records, want_interp, uid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
recs = [json.load(open(f)) for f in sorted(glob.glob(d + "/*.json"))]
assert len(recs) == want_records, f"{len(recs)} records"
nodes = sorted(r["job"]["node"] for r in recs)
assert nodes == [f"n{i}" for i in range(1, want_records + 1)], nodes
assert sorted(r["job"]["node_index"] for r in recs) == list(range(want_records))
entries = [i for r in recs for i in r["interpreters"]]
assert len(entries) == want_interp, f"{len(entries)} interpreters"
for r in recs:
    assert r["job"]["uid"] == uid and r["job"]["node_count"] == want_records
    assert r["gaggle"]["succeeded"] == r["run"]["gaggle_size"]
    assert r["writer"]["program"] == "pyimport_bench.so"
    for i in r["interpreters"]:
        assert i["exit_code"] == 0 and i["signal"] == 0 and not i["timed_out"], i
        assert 1e6 < i["wall_ns"] <= r["gaggle"]["wall_ns"] < 120e9, i
        assert 0 <= i["start_skew_ns"] < 1e9, i
        assert i["user_ns"] + i["system_ns"] > 0 and i["max_rss_kib"] > 5000, i
starts = [r["gaggle"]["release_unix_ns"] for r in recs]
assert max(starts) - min(starts) < 60e9, "releases far apart"
EOF
}

# Every probe file says real, effective, saved and fs uid are the user's.
probes_ran_as() {   # dir uid expected-count
    local n bad
    n=$(count_files "$1" 'probe.*')
    bad=$(cat "$1"/probe.* 2>/dev/null | grep -vc "uid=$2 euid=$2 .*status_uid=$2,$2,$2,$2")
    [ "$n" -eq "$3" ] && [ "$bad" -eq 0 ]
}

# --- the main job: root and an unprivileged user --------------------------
fresh_dirs main
check "cluster up with the plugin" \
    cluster_up outdir="$WORK/out.main" conda=/usr conda_python="$PROBE_PYTHON" timeout=60
# The Slurm release the plugin was built for, as the installed headers say it.
help_names_the_slurm() {
    local built
    built=$(dpkg-query -W -f '${Version}' libslurm-dev | sed -E 's/^([0-9]+)\.([0-9]+)\.([0-9]+).*/\1.\2.\3/')
    srun_as user --help && grep -q "Built for Slurm $built\." "$WORK/srun.out" ||
        { diag "libslurm-dev $built; srun --help says: $(grep -o 'Built for[^)]*' "$WORK/srun.out")"; return 1; }
}
check "srun --help names the Slurm release the plugin was built for" help_names_the_slurm
check "srun -N4 --pyimport-bench=conda,4 true as root exits 0" srun_as root -N4 --pyimport-bench=conda,4 true
check "4 records that pass pyimport-record check" bash -c "[ $(count_files "$OUT" '*.json') -eq 4 ] && $RECORD check $OUT/*.json"
check "16 plausible interpreter entries, job uid 0" records_plausible "$OUT" 4 16 0
check "no temporary file left in the output directory" [ "$(find "$OUT" -name '.*' -type f | wc -l)" -eq 0 ]

fresh_dirs user
cluster_up outdir="$WORK/out.user" conda=/usr conda_python="$PROBE_PYTHON" timeout=60
check "as $USER_NAME: srun -N4 --pyimport-bench=conda,4 id -un exits 0" srun_as user -N4 --pyimport-bench=conda,4 id -un
check "the user's own command still ran on all 4 nodes" [ "$(grep -cx "$USER_NAME" "$WORK/srun.out")" -eq 4 ]
check "4 plausible records with 16 entries, job uid $USER_UID" records_plausible "$OUT" 4 16 "$USER_UID"
check "records are owned by the job user" [ "$(find "$OUT" -name '*.json' -user "$USER_NAME" | wc -l)" -eq 4 ]
check "all 16 interpreters ran with real, effective and saved uid $USER_UID" probes_ran_as "$PROBES" "$USER_UID" 16

# The job's resource limits (Slurm propagates them as SLURM_RLIMIT_*), not
# slurmstepd's (core unlimited, 20000 files), hold for the interpreters.
limits_probes=$WORK/probes.limits
mkdir -p "$limits_probes" && chmod 1777 "$limits_probes"
limits_run() {
    (cd /tmp && runuser -u "$USER_NAME" -- env SLURM_CONF="$SLURM_CONF" PROBE_DIR="$limits_probes" timeout -s KILL 120 \
        bash -c 'ulimit -S -c 0 && ulimit -S -n 512 && exec srun -N2 --pyimport-bench=conda,2,modules=json true') \
        >"$WORK/srun.out" 2>"$WORK/srun.err"
}
check "as $USER_NAME with ulimit -c 0 -n 512: srun -N2 --pyimport-bench=conda,2 exits 0" limits_run
check "all 4 interpreters ran with the job's limits (core 0, 512 files)" \
    bash -c "[ \$(cat '$limits_probes'/probe.* | grep -c 'core=0 nofile=512\$') -eq 4 ]"

# What a user's shell or `module load` left in the job's environment does not
# reach the interpreters: a json.py on the user's PYTHONPATH never runs.
steer=$WORK/steer
mkdir -p "$steer/pypath" && chown -R "$USER_NAME" "$steer"
runuser -u "$USER_NAME" -- sh -c "echo \"open('$steer/ran', 'w').close()\" > '$steer/pypath/json.py'"
steer_run() {
    (cd /tmp && runuser -u "$USER_NAME" -- env SLURM_CONF="$SLURM_CONF" PYTHONPATH="$steer/pypath" timeout -s KILL 120 \
        srun -N2 --pyimport-bench=conda,2,modules=json true) >"$WORK/srun.out" 2>"$WORK/srun.err"
}
check "as $USER_NAME with a json.py on PYTHONPATH: srun -N2 --pyimport-bench=conda,2,modules=json exits 0" steer_run
check "the json.py on the user's PYTHONPATH did not run" [ ! -e "$steer/ran" ]

help_shows_option() { srun --help 2>&1 | grep -A4 -- '--pyimport-bench=MODE,N' | grep -q 'time them and write one record per node'; }
check "srun --help describes --pyimport-bench" help_shows_option

# --- without the option nothing happens ------------------------------------
before=$(count_files "$OUT")
check "srun -N4 true without the option exits 0" srun_as user -N4 true
check "without the option no record and no interpreter" \
    bash -c "[ $(count_files "$OUT") -eq $before ] && [ $(count_files "$PROBES" 'probe.*') -eq 16 ]"

# --- bad option values fail in srun, before launch, naming the value -------
bad_value() {   # value expected-text
    ! srun_as user -N4 --pyimport-bench="$1" true && stderr_has "pyimport_bench: $2" && ! grep -q . "$WORK/srun.out" ||
        { sed 's/^/# /' "$WORK/srun.err" "$WORK/srun.out"; return 1; }
}
check "conda,0 rejected: gaggle size" bad_value conda,0 "invalid gaggle size '0'"
check "conda,65 rejected above max_gaggle" bad_value conda,65 "invalid gaggle size '65' in --pyimport-bench=conda,65: use a whole number from 1 to 64"
check "foo,4 rejected: mode" bad_value foo,4 "invalid mode 'foo'"
check "conda rejected: missing size" bad_value conda "missing gaggle size"
check "unknown extra key rejected" bad_value conda,4,colour=red "unknown key 'colour'"
check "timeout above the site's rejected" bad_value conda,4,timeout=61 "invalid timeout '61'"
check "container mode without image= rejected" bad_value container,4 "container mode is not configured"
env_route() {
    ! SLURM_SPANK__SLURM_SPANK_OPTION_pyimport_bench_pyimport_bench=conda,99 srun_as root -N1 true &&
        stderr_has "invalid gaggle size '99'"
}
check "the same value through the SPANK option variable is rejected the same way" env_route
check "no record and no interpreter after bad values" \
    bash -c "[ $(count_files "$OUT") -eq $before ] && [ $(count_files "$PROBES" 'probe.*') -eq 16 ]"
check "no node drained or down after bad values" no_node_drained

# --- a hung interpreter is killed at the timeout ----------------------------
fresh_dirs hang
cluster_up outdir="$WORK/out.hang" conda=/usr conda_python="$PROBE_PYTHON" timeout=60
started=$(date +%s)
hung_gaggle() { PROBE_HANG=1 srun_as user -N2 --pyimport-bench=conda,3,timeout=2 true; }
check "hung gaggle with timeout=2: srun still exits 0" hung_gaggle
check "it took about the timeout, not the hang" [ $(( $(date +%s) - started )) -lt 30 ]
timed_out_records() {
    /usr/bin/python3 -c "
import glob, json
recs = [json.load(open(f)) for f in glob.glob('$OUT/*.json')]
assert len(recs) == 2 and all(i['timed_out'] and i['signal'] == 9 and 2e9 <= i['wall_ns'] < 10e9
                              for r in recs for i in r['interpreters'])"
}
check "records say timed out, killed by signal 9, after about 2 s" timed_out_records
check "no hung interpreter left" [ "$(probe_processes "$USER_NAME")" -eq 0 ]

# --- scancel during a gaggle, and a slurmstepd that dies --------------------
wait_for_probes() {   # count
    for _ in $(seq 300); do [ "$(probe_processes "$USER_NAME")" -ge "$1" ] && return 0; sleep 0.1; done
    return 1
}
gone_within() {   # seconds
    for _ in $(seq $(( $1 * 10 ))); do [ "$(probe_processes "$USER_NAME")" -eq 0 ] && return 0; sleep 0.1; done
    return 1
}
fresh_dirs cancel
# A workdir base of the test's own: a killed slurmstepd cannot remove its gaggle's private directory.
CANCEL_TMP=$WORK/tmp.cancel
mkdir -p "$CANCEL_TMP" && chmod 1777 "$CANCEL_TMP"
cluster_up outdir="$WORK/out.cancel" conda=/usr conda_python="$PROBE_PYTHON" timeout=60 workdir="$CANCEL_TMP"
PROBE_HANG=1 srun_as user -N2 --pyimport-bench=conda,3,timeout=15 true &
srun_pid=$!
check "6 hung interpreters running" wait_for_probes 6
scancel "$(squeue -h -t R -o %i | sort -n | tail -n1)"
check "after scancel every interpreter is gone by the timeout (15 s) plus slack" gone_within 30
wait "$srun_pid"
check "after scancel no node drained" no_node_drained
check "after scancel the gaggles' private workdirs are removed" [ -z "$(ls -A "$CANCEL_TMP")" ]
check "any record written is whole" bash -c "[ $(count_files "$OUT" '*.json') -eq 0 ] || $RECORD check $OUT/*.json"

PROBE_HANG=1 srun_as user -N1 --pyimport-bench=conda,3,timeout=50 true &
srun_pid=$!
check "3 hung interpreters running" wait_for_probes 3
job=$(squeue -h -t R -o %i | sort -n | tail -n1)
stepd=$(stepd_above "$(pgrep -u "$USER_NAME" -f "sleep 3600" | head -n1)" "$job")
[ -n "$stepd" ] && kill -KILL "$stepd"
check "when slurmstepd dies its interpreters die at once (parent-death signal)" gone_within 3
scancel "$job"  # srun would otherwise wait for the dead step until its guard timeout
wait "$srun_pid"

# --- other users' files: a planted module, a planted link, an open workdir ---
# As root, the job user most worth attacking. The workdir base is shared like
# /tmp (not /tmp itself: other people's interpreters run there).
fresh_dirs planted
SHARED=$WORK/shared MARKS=$WORK/marks THEIRS=$WORK/theirs
mkdir -p "$SHARED" "$MARKS" "$THEIRS" && chmod 1777 "$SHARED" "$MARKS" && chmod 777 "$THEIRS"
chown "$USER_NAME" "$THEIRS"
runuser -u "$USER_NAME" -- sh -c "echo \"open('$MARKS/ran', 'w').write('planted json.py ran')\" > '$SHARED/json.py'"
cluster_up outdir="$OUT" conda=/usr conda_python="$PROBE_PYTHON" timeout=60 workdir="$SHARED" record_mode=0640
check "as root, json.py planted in the workdir by $USER_NAME: srun -N2 --pyimport-bench=conda,2,modules=json true exits 0" \
    srun_as root -N2 --pyimport-bench=conda,2,modules=json true
check "the planted json.py did not run" [ ! -e "$MARKS/ran" ]
check "2 plausible records with 4 entries, job uid 0" records_plausible "$OUT" 2 4 0
workdir_recorded() { /usr/bin/python3 -c "
import glob, json
assert all(json.load(open(f))['run']['workdir'] == '$SHARED' for f in glob.glob('$OUT/*.json'))"; }
check "records name the site's workdir" workdir_recorded
check "records have record_mode=0640" [ "$(find "$OUT" -name '*.json' -perm 0640 | wc -l)" -eq 2 ]
check "the gaggles' private workdirs are gone, the planted file is left alone" [ "$(ls -A "$SHARED")" = json.py ]

runuser -u "$USER_NAME" -- ln -s "$THEIRS" "$SHARED/out"
cluster_up outdir="$SHARED/out" conda=/usr conda_python="$PROBE_PYTHON" workdir="$SHARED"
check "outdir through a link $USER_NAME planted: the job still runs" srun_as root -N2 --pyimport-bench=conda,1,modules=json true
check "outdir through a planted link: one clear line naming the link" \
    stderr_has "no record written: output directory '$SHARED/out': symbolic link '$SHARED/out' is owned by uid $USER_UID, neither root nor the job user"
check "outdir through a planted link: nothing written there, no interpreter ran" \
    bash -c "[ -z \"\$(ls -A '$THEIRS')\" ] && [ $(count_files "$PROBES" 'probe.*') -eq 4 ]"

mkdir -p "$WORK/open" && chmod 777 "$WORK/open"
cluster_up outdir="$OUT" conda=/usr conda_python="$PROBE_PYTHON" workdir="$WORK/open"
check "workdir others may write, not sticky: the job still runs" srun_as user -N2 --pyimport-bench=conda,1,modules=json id -un
check "open workdir: one clear line naming it" \
    stderr_has "no record written: workdir '$WORK/open': '$WORK/open' is writable by group or others and not sticky"
check "open workdir: no interpreter ran, no record or temporary added" \
    bash -c "[ $(count_files "$PROBES" 'probe.*') -eq 4 ] && [ \$(find '$OUT' -type f | wc -l) -eq 2 ]"
check "no node drained after the refusals" no_node_drained

# --- site-side faults: one clear line, the job still runs, nothing drained ---
fresh_dirs faults
cluster_up outdir=/nonexistent/out conda=/usr conda_python="$PROBE_PYTHON"
check "unwritable outdir: the job still runs" srun_as user -N2 --pyimport-bench=conda,1,modules=json id -un
check "unwritable outdir: one clear line naming it" stderr_has "no record written: output directory '/nonexistent/out': cannot open '/nonexistent': No such file or directory"
check "unwritable outdir: no node drained" no_node_drained

cluster_up outdir="$OUT" conda=/usr conda_python=/nonexistent/python3
check "missing interpreter: the job still runs" srun_as user -N2 --pyimport-bench=conda,1 true
check "missing interpreter: one clear line naming it" stderr_has "interpreter /nonexistent/python3 is not executable"
check "missing interpreter: no record" [ "$(count_files "$OUT")" -eq 0 ]

check "plugstack.conf with an unknown key: slurmd still starts" cluster_up outdir="$OUT" conda=/usr colour=red
check "unknown key is logged loudly by slurmd" grep -q "pyimport_bench: plugstack.conf: unknown key 'colour'" "$CLUSTER_DIR"/var/log/slurmd.n1.log
check "unknown key: jobs without the option are unaffected" srun_as user -N4 true
option_names_key() { ! srun_as user -N1 --pyimport-bench=conda,1 true && stderr_has "unknown key 'colour'"; }
check "unknown key: the option fails in srun naming the key" option_names_key
rm "$WORK/inst/usr/local/lib/slurm/pyimport_bench_core.so"
check "core .so missing: slurmd still starts" cluster_up outdir="$OUT" conda=/usr
check "core .so missing: jobs without the option are unaffected" srun_as user -N4 true
core_missing_named() { ! srun_as user -N1 --pyimport-bench=conda,1 true && stderr_has "pyimport_bench: cannot load $WORK/inst/usr/local/lib/slurm/pyimport_bench_core.so"; }
check "core .so missing: the option fails in srun naming the file" core_missing_named
check "no node drained after the site faults" no_node_drained
finish
