# Cancelling a job while its gaggle runs, on a real Slurm cluster. Slurm holds
# back scancel for a step whose tasks have not started (slurmstepd's request
# handler waits for them), and a gaggle runs before them: the plugin's own
# watch (cancel_check_ms=) has to end it. Interpreters are Debian's python3
# behind tests/fixtures/probe-python, told to hang.
source "$(dirname "$0")/../lib.sh"
source "$TESTS_TOP/tests/cluster_lib.sh"

export CLUSTER_DIR=/tmp/pyimport-it-cancel CTLD_PORT=17037 NODE_PORT=17281
PROBE_PYTHON=$TESTS_TOP/tests/fixtures/probe-python
WORK=$(mktemp -d /tmp/pyimport-it-cancel.XXXXXX)
chmod 755 "$WORK"
trap '"$CLUSTER" down >/dev/null 2>&1; rm -rf "$WORK"' EXIT
USER_NAME=$("$TESTS_TOP/tests/infra/test-user" ensure)
install_plugin


hung() { pgrep -f "sleep 3600" -u "$USER_NAME" | wc -l; }
wait_for_hung() {   # count
    for _ in $(seq 200); do [ "$(hung)" -ge "$1" ] && return 0; sleep 0.05; done
    return 1
}
now_ms() { local t=${EPOCHREALTIME//[.,]/}; echo $((t / 1000)); }
# Milliseconds from $1 (now_ms) until no hung interpreter is left; gives up after $2 s.
ms_until_gone() {
    local end=$(( $(now_ms) + $2 * 1000 ))
    while [ "$(hung)" -gt 0 ] && [ "$(now_ms)" -lt "$end" ]; do sleep 0.02; done
    echo $(( $(now_ms) - $1 ))
}
job_gone() { [ -z "$(squeue -h -j "$1" 2>/dev/null)" ]; }
wait_job_gone() {   # job seconds
    for _ in $(seq $(( $2 * 20 ))); do job_gone "$1" && return 0; sleep 0.05; done
    return 1
}
# sbatch as the test user, its interpreters told to hang; output in $WORK/sbatch.out.
sbatch_hung() {   # nodes script
    (cd /tmp && runuser -u "$USER_NAME" -- env SLURM_CONF="$SLURM_CONF" PROBE_HANG=1 \
        sbatch -N"$1" -o "$WORK/sbatch.out" --wrap "$2") >/dev/null
}
# scancel the running job (with $1 appended: ".0" for its step); sets job, t0 and gone_ms.
cancel_timed() {   # [suffix]
    job=$(squeue -h -t R -o %i | sort -n | tail -n1)
    t0=$(now_ms)
    scancel "$job${1:-}"
    gone_ms=$(ms_until_gone "$t0" 30)
}
no_stepd_left() { ! pgrep -f '^slurmstepd: \[[0-9]+\.[0-9]+\]' >/dev/null; }
fresh_out() { OUT=$WORK/out.$1; mkdir -p "$OUT" && chmod 1777 "$OUT"; }

# --- scancel JOB from outside, srun's own allocation (the issue's case) ------
fresh_out srun
cluster_up outdir="$OUT" conda=/usr conda_python="$PROBE_PYTHON" timeout=60
diag "$(srun --version)"
PROBE_HANG=1 srun_as user -N2 --pyimport-bench=conda,3,timeout=20 true &
srun_pid=$!
check "6 hung interpreters on 2 nodes" wait_for_hung 6
cancel_timed
diag "scancel to every interpreter gone: $gone_ms ms"
# Bounds with room for a loaded machine: the watch asks every second (a squeue
# process each time); without it the interpreters would live on for 20 s.
check "every interpreter gone within 4 s of scancel (took $gone_ms ms)" [ "$gone_ms" -lt 4000 ]
wait "$srun_pid"; srun_rc=$?
ended_ms=$(( $(now_ms) - t0 ))
diag "scancel to srun's end: $ended_ms ms, exit $srun_rc"
check "srun ended within 6 s of scancel (took $ended_ms ms)" [ "$ended_ms" -lt 6000 ]
check "the job is gone within 10 s" wait_job_gone "$job" 10
check "srun shows why: the job ended while its gaggle ran" stderr_has "the job ended while its gaggle ran: interpreters killed, no record written"
check "no record is written for a cancelled gaggle" [ "$(count_files "$OUT")" -eq 0 ]
check "no node drained" no_node_drained
check "no slurmstepd of the job is left" no_stepd_left

# --- scancel JOB of a batch job whose srun step runs a gaggle -----------------
fresh_out batch
chmod 1777 "$WORK"
sbatch_hung 2 "srun --pyimport-bench=conda,2,timeout=20 true; echo srun exit \$?"
check "4 hung interpreters under sbatch" wait_for_hung 4
cancel_timed
diag "sbatch: scancel to every interpreter gone: $gone_ms ms"
check "under sbatch every interpreter gone within 4 s of scancel (took $gone_ms ms)" [ "$gone_ms" -lt 4000 ]
check "the batch job is gone within 10 s" wait_job_gone "$job" 10
check "under sbatch no node drained by the failed user_init" no_node_drained
check "under sbatch no record is written" [ "$(count_files "$OUT")" -eq 0 ]

# --- scancel JOB.STEP inside a batch job: slurmctld still says running -------
# The step runs to its timeout; past UnkillableStepTimeout it must not drain.
fresh_out step
EXTRA_CONF="UnkillableStepTimeout=5" cluster_up outdir="$OUT" conda=/usr conda_python="$PROBE_PYTHON" timeout=60
sbatch_hung 1 "srun --pyimport-bench=conda,2,timeout=12 true; echo srun exit \$?; sleep 1"
check "2 hung interpreters in a batch job's step" wait_for_hung 2
cancel_timed .0
diag "scancel JOB.STEP: every interpreter gone after $gone_ms ms (timeout 12 s)"
check "after scancel JOB.STEP the gaggle ends by its timeout (took $gone_ms ms)" [ "$gone_ms" -lt 14000 ]
check "the batch job ends" wait_job_gone "$job" 20
check "a step outliving UnkillableStepTimeout=5 after scancel drains no node" no_node_drained
diag "batch output: $(tr '\n' '|' <"$WORK/sbatch.out" 2>/dev/null | cut -c1-300)"

# --- the watch is what ends it: cancel_check_ms=0 waits for the timeout ------
fresh_out nowatch
cluster_up outdir="$OUT" conda=/usr conda_python="$PROBE_PYTHON" timeout=60 cancel_check_ms=0
PROBE_HANG=1 srun_as user -N1 --pyimport-bench=conda,2,timeout=12 true &
srun_pid=$!
check "2 hung interpreters (cancel_check_ms=0)" wait_for_hung 2
cancel_timed
wait "$srun_pid"
diag "cancel_check_ms=0: scancel to every interpreter gone: $gone_ms ms"
check "with cancel_check_ms=0 the interpreters live on to the timeout (took $gone_ms ms)" [ "$gone_ms" -ge 7000 ]
check "with cancel_check_ms=0 no node drained" no_node_drained

# --- a site timeout that would outlast srun's launch limit is refused ---------
cluster_up outdir="$OUT" conda=/usr conda_python="$PROBE_PYTHON" timeout=540 sync_max_wait_ms=40000
check_fails "timeout=540 with sync_max_wait_ms=40000: srun --pyimport-bench fails" \
    srun_as user -N1 --pyimport-bench=conda,1 true
check "srun says why in one line" stderr_has "timeout=540 with sync_max_wait_ms=40000 lets a gaggle run past 570 s"
check "a job without the option still runs there" srun_as user -N1 true
check "no node drained by the refused setting" no_node_drained

"$CLUSTER" down >/dev/null 2>&1

# --- pyimport-gaggle (no Slurm): an interrupt stops the gaggle ----------------
# Its interpreters run in process groups of their own, out of reach of a terminal's Ctrl-C.
for sig in INT TERM; do
    runuser -u "$USER_NAME" -- env PROBE_HANG=1 "$BUILD/pyimport-gaggle" --print conda=/usr \
        conda_python="$PROBE_PYTHON" timeout=30 conda,3 >"$WORK/gaggle.out" 2>"$WORK/gaggle.err" &
    gaggle_pid=$!
    check "pyimport-gaggle: 3 hung interpreters" wait_for_hung 3
    t0=$(now_ms)
    kill -"$sig" "$(pgrep -u "$USER_NAME" -x pyimport-gaggle | head -n1)"
    wait "$gaggle_pid"; rc=$?
    gone_ms=$(( $(now_ms) - t0 ))
    stopped_in_time() { [ "$rc" -eq 3 ] && [ "$gone_ms" -lt 2000 ] && [ "$(hung)" -eq 0 ]; }
    check "pyimport-gaggle: SIG$sig ends it in $gone_ms ms with exit 3 (got $rc), no interpreter left" stopped_in_time
    check "pyimport-gaggle: SIG$sig is reported in one line, no record printed" \
        grep -qx "pyimport-gaggle: stopped: cancelled while the gaggle ran" "$WORK/gaggle.err"
    check "pyimport-gaggle: nothing on standard output" [ ! -s "$WORK/gaggle.out" ]
done
check "no hung interpreter is left" [ "$(hung)" -eq 0 ]
finish
