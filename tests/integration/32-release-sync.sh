# The common release on a real 4-node Slurm 22.05 cluster, as an unprivileged
# user: srun picks one instant, every node's gaggle leaves its barrier then and
# its record says so; sync=off releases each node when ready; a node ready only
# after the instant releases at once and its record says how late; a hostile
# instant put into the job's environment past srun (far past, far future,
# garbage) never makes a node wait or fail the tasks; pyimport-aggregate times
# a synchronised step from its instant and reports the spread.
source "$(dirname "$0")/../lib.sh"
source "$TESTS_TOP/tests/cluster_lib.sh"

export CLUSTER_DIR=/tmp/pyimport-it-sync CTLD_PORT=16937 NODE_PORT=17141
export NODES=4
WORK=$(mktemp -d /tmp/pyimport-it-sync.XXXXXX)
chmod 755 "$WORK"
trap '"$CLUSTER" down >/dev/null 2>&1; rm -rf "$WORK"' EXIT
USER_NAME=$("$TESTS_TOP/tests/infra/test-user" ensure)
install_plugin
AGGREGATE=$WORK/inst/usr/local/bin/pyimport-aggregate

OUT=$WORK/out
mkdir -p "$OUT" && chmod 1777 "$OUT"
SETTINGS=(outdir="$OUT" conda=/usr conda_python=/usr/bin/python3 modules=json timeout=60)
check "cluster up with the plugin" cluster_up "${SETTINGS[@]}"

# The gaggle sections of job $1's records, one line per node:
# node sync planned ready release note
gaggles() {
    python3 - "$OUT" "$1" <<'EOF'
import glob, json, sys
for path in sorted(glob.glob(sys.argv[1] + "/*.json")):
    r = json.load(open(path))
    if str(r["job"]["id"]) != sys.argv[2]:
        continue
    g = r["gaggle"]
    print(r["job"]["node"], g["sync"], g["planned_release_unix_ns"], g["ready_unix_ns"], g["release_unix_ns"],
          r["version"], r["clock"]["boot_id"] or "-", json.dumps(g["sync_note"]))
EOF
}
# The job of the newest record.
newest_job() { python3 -c '
import glob, json, os, sys
files = sorted(glob.glob(sys.argv[1] + "/*.json"), key=os.path.getmtime)
print(json.load(open(files[-1]))["job"]["id"] if files else "")' "$OUT"; }

# --- one instant for all four nodes --------------------------------------------
# All on, one planned instant, every node ready before it and released at or
# after it; exit 0 when the releases lie within 1 ms of each other (one host,
# one clock), 1 when they do not or a node was late, 2 when the records are wrong.
one_synchronised_step() {
    srun_as user -N4 --pyimport-bench=conda,2 true || return 2
    gaggles "$(newest_job)" >"$WORK/sync.txt"
    sed 's/^/# /' "$WORK/sync.txt"
    [ "$(wc -l <"$WORK/sync.txt")" -eq 4 ] || { diag "not 4 records"; return 2; }
    # A node ready only after the instant (its slurmstepd started late on a busy
    # machine) misses like a wide spread; a release before the instant is a bug.
    awk '{ if ($2 != "on" || $6 != 2) bad = 1; plan[$3] = 1; if ($5 < $3) bad = 1; if ($4 >= $3) late = 1;
           if (min == "" || $5 < min) min = $5; if ($5 > max) max = $5 }
         END { n = 0; for (p in plan) n++; spread = (max - min) / 1e6; printf "# release spread %.3f ms\n", spread;
               if (late) print "# a node was ready only after the instant";
               exit (n != 1 || bad) ? 2 : (late || spread >= 1.0) }' "$WORK/sync.txt"
}
# The target is the bench's (p99 under 1 ms, make bench sync-spread, on a
# quiet machine); here two steps of three must meet it, any one may be
# delayed by whatever else the machine runs.
synchronised() {
    local within=0 rc
    for _ in 1 2 3; do
        one_synchronised_step; rc=$?
        [ "$rc" -eq 2 ] && return 1
        [ "$rc" -eq 0 ] && within=$((within + 1))
    done
    [ "$within" -ge 2 ]
}
check "srun -N4: all nodes on, one planned instant, ready before it; releases within 1 ms in 2 of 3 steps" synchronised
same_clock() { [ "$(awk '{ print $7 }' "$WORK/sync.txt" | sort -u | wc -l)" -eq 1 ]; }
check "the records carry the clock's boot id (one host: one id)" same_clock

export_none() {
    srun_as user -N2 --export=NONE --pyimport-bench=conda,1 /bin/true || return 1
    gaggles "$(newest_job)" | awk '{ if ($2 != "on") bad = 1 } END { exit bad || NR != 2 }'
}
check "under --export=NONE the instant still reaches the nodes" export_none

# --- sync=off: each node when ready -----------------------------------------------
unsynchronised() {
    srun_as user -N4 --pyimport-bench=conda,2,sync=off true || return 1
    gaggles "$(newest_job)" | awk '{ if ($2 != "off" || $3 != 0 || $4 > $5) bad = 1 } END { exit bad || NR != 4 }'
}
check "sync=off: every record off, no planned instant" unsynchronised

# --- the aggregator: timed from the instant, spread per step ----------------------
aggregated() {
    runuser -u "$USER_NAME" -- "$AGGREGATE" -q -t runs,overall -f csv "$OUT" >"$WORK/agg.csv" 2>"$WORK/agg.err" ||
        { cat "$WORK/agg.err"; return 1; }
    grep -q 'release_spread_ms' "$WORK/agg.csv" && grep -q ',on,' "$WORK/agg.csv" && grep -q ',off,' "$WORK/agg.csv"
}
check "pyimport-aggregate --tables runs: sync and release spread per job step" aggregated
notes_said() {
    runuser -u "$USER_NAME" -- "$AGGREGATE" -q -t overall "$OUT" >"$WORK/agg.txt" 2>&1
    grep -q 'had no common release instant (sync=off' "$WORK/agg.txt"
}
check "the overall table's notes name the steps without a common instant" notes_said

# --- hostile instants past srun: never a wait, never a failed task ----------------
# srun does not see _SLURM_SPANK_OPTION_..., so it sets no instant and the
# user's own value reaches the nodes.
now=$(date +%s%N)
hostile=("$((now + 3600 * 1000000000))" "1" $'12\x1b]0;x\n34' "$((now - 120 * 1000000000))" "99999999999999999999")
hostile_names=("an hour ahead" "1970" "garbage with ESC and a newline" "two minutes ago" "20 digits")
for i in "${!hostile[@]}"; do
    refused() {
        local start=$SECONDS
        SLURM_PYIMPORT_BENCH_RELEASE_AT=${hostile[$i]} _SLURM_SPANK_OPTION_pyimport_bench_pyimport_bench=conda,1 \
            srun_as user -N2 echo ran || return 1
        [ "$(grep -cx ran "$WORK/srun.out")" -eq 2 ] && [ $((SECONDS - start)) -lt 20 ] || return 1
        gaggles "$(newest_job)" >"$WORK/hostile.txt"
        sed 's/^/# /' "$WORK/hostile.txt" | cat -v
        awk '{ if ($2 != "refused" || $3 != 0) bad = 1 } END { exit bad || NR != 2 }' "$WORK/hostile.txt" &&
            ! grep -aq $'\x1b' "$WORK/hostile.txt" "$WORK/srun.err"
    }
    check "past srun, an instant $((i + 1)) (${hostile_names[$i]}): tasks run at once, records refused, nothing raw" refused
done
check "no node drained or down after the hostile instants" no_node_drained

# --- a node ready only after the instant: released at once, said late -------------
# With a 1 ms margin every node is ready after the instant srun picks. Job
# ids start again with the new cluster: a directory of its own.
OUT=$WORK/out.late
mkdir -p "$OUT" && chmod 1777 "$OUT"
SETTINGS[0]=outdir=$OUT
check "cluster up again with sync_margin_ms=1" cluster_up "${SETTINGS[@]}" sync_margin_ms=1
late() {
    srun_as user -N4 --pyimport-bench=conda,2 true || return 1
    gaggles "$(newest_job)" >"$WORK/late.txt"
    sed 's/^/# /' "$WORK/late.txt"
    # on, ready after the instant, released within 50 ms of being ready.
    awk '{ if ($2 != "on" || $4 <= $3 || $5 - $4 > 50000000) bad = 1 } END { exit bad || NR != 4 }' "$WORK/late.txt"
}
check "every node late for a 1 ms margin: released at once, ready after the instant in the record" late
late_noted() {
    runuser -u "$USER_NAME" -- "$AGGREGATE" -q -t overall --job "$(newest_job)" "$OUT" >"$WORK/agg.txt" 2>&1
    grep -q 'late: in 1 job step(s) a node was ready only after the common instant' "$WORK/agg.txt" ||
        { sed 's/^/# /' "$WORK/agg.txt"; return 1; }
}
check "pyimport-aggregate's notes say a node was late, and by how much" late_noted
check "no node drained or down at the end" no_node_drained
finish
