# pyimport-study on a real 2-node Slurm cluster, as the unprivileged test
# user inside salloc: a small study (nodes 1,2 x gaggles 1,2 x both modes x 2
# repeats) leaves a manifest, the records and the report; a SIGTERM after 3
# steps and a second run resume to the same cells; a step whose interpreter
# fails at run time is recorded and the study goes on.
source "$(dirname "$0")/../lib.sh"
source "$TESTS_TOP/tests/cluster_lib.sh"

export CLUSTER_DIR=/tmp/pyimport-it-study CTLD_PORT=17417 NODE_PORT=17601
NODES=2
WORK=$(mktemp -d /tmp/pyimport-it-study.XXXXXX)
chmod 755 "$WORK"
trap '"$CLUSTER" down >/dev/null 2>&1; [ -n "${KEEP:-}" ] && diag "kept $WORK" || rm -rf "$WORK"' EXIT
USER_NAME=$("$TESTS_TOP/tests/infra/test-user" ensure)

[ -x "$BUILD/pyimport-study" ] || make -s -C "$TESTS_TOP" "$BUILD/pyimport-study" >&2 ||
    { not_ok "build pyimport-study"; finish; }
install_plugin
mkdir -p "$WORK/bin" "$WORK/outdir" "$WORK/study"
install -m 0755 "$BUILD/pyimport-study" "$WORK/bin/"
chmod 1777 "$WORK/outdir" && chown "$USER_NAME" "$WORK/study"
printf '#!/bin/sh\n# stand-in for ch-run IMAGE -- PROGRAM ARGS...\nshift 2\nexec "$@"\n' >"$WORK/ch-run"
# An interpreter that fails once (the first to run while $WORK/fail-once exists).
mkdir -p "$WORK/flag" && chmod 1777 "$WORK/flag"
printf '#!/bin/sh\nif [ -e %s/fail-once ] && mkdir %s/failed 2>/dev/null; then exit 1; fi\nexec /usr/bin/python3 "$@"\n' \
    "$WORK/flag" "$WORK/flag" >"$WORK/python"
chmod 755 "$WORK/ch-run" "$WORK/python"
: >"$WORK/env.sqfs"
chmod 644 "$WORK/env.sqfs"

check "cluster up with the plugin (conda and a stand-in container runtime)" \
    cluster_up outdir="$WORK/outdir" conda=/usr conda_python="$WORK/python" image="$WORK/env.sqfs" \
        runtime_path="$WORK/ch-run" modules=json timeout=60

# study DIR ARGS...: pyimport-study inside salloc -N2 as the user; its pid in DIR.pid.
study() {
    local dir=$1; shift
    (cd /tmp && runuser -u "$USER_NAME" -- env SLURM_CONF="$SLURM_CONF" timeout -s KILL "${STUDY_TIMEOUT:-600}" \
        salloc -N2 -Q bash -c 'echo $$ >"$0.pid"; exec "$@"' "$dir" "$WORK/bin/pyimport-study" --out "$dir" "$@")
}
GRID=(--nodes 1,2 --gaggle 1,2 --modes conda,container --repeat 2 --seed 42)

# Steps in a manifest: "state mode nodes gaggle repeat records", one line each, in order.
steps_of() {
    python3 -c '
import json, sys
m = json.load(open(sys.argv[1] + "/manifest.json"))
assert m["format"] == "pyimport-study-manifest" and m["version"] == 1
for s in m["steps"]:
    print(s["state"], s["mode"], s["nodes"], s["gaggle"], s["repeat"], len(s["records"]))' "$1"
}
records_match() {   # dir: every listed copy exists and the records/ holds nothing else
    python3 -c '
import json, os, sys
d = sys.argv[1]; m = json.load(open(d + "/manifest.json"))
listed = sorted(r for s in m["steps"] for r in s["records"])
there = sorted("records/" + f for f in os.listdir(d + "/records"))
assert listed == there, (listed, there)
for s in m["steps"]:
    assert s["state"] != "done" or (s["exit_status"] == 0 and len(s["records"]) == s["nodes"] and s["step_id"] is not None), s
    assert s["state"] == "pending" or s["argv"][:3] == ["srun", "--nodes=%d" % s["nodes"], "--ntasks=%d" % s["nodes"]], s
    assert s["state"] != "pending" or (s["argv"] == [] and s["exit_status"] == -1), s' "$1"
}
export -f steps_of records_match

# --- an uninterrupted study -------------------------------------------------
full=$WORK/study/full
check "a study of 16 steps runs and exits 0" study "$full" "${GRID[@]}" 2>"$WORK/full.err"
sed 's/^/# /' "$WORK/full.err" | tail -n 3
steps_of "$full" >"$WORK/full.steps" 2>/dev/null
check "the manifest lists 16 steps, all done, with 1 or 2 records each" \
    bash -c "[ \$(grep -c '^done ' '$WORK/full.steps') -eq 16 ] && [ \$(wc -l <'$WORK/full.steps') -eq 16 ]"
check "the records listed are the records copied, 24 in all" \
    bash -c "[ \$(ls '$full/records' | wc -l) -eq 24 ]"
check "every done step has srun exit 0, a step id and its nodes' records" records_match "$full"
check "the copies pass pyimport-record check" "$BUILD/pyimport-record" check "$full"/records/*.json
check "one progress line per step when stderr is not a terminal" [ "$(grep -c '^pyimport-study: step ' "$WORK/full.err")" -eq 16 ]
check "report.md and report.html written" test -s "$full/report.md" -a -s "$full/report.html"
check "pyimport-study --report DIR rewrites the report without an allocation" \
    runuser -u "$USER_NAME" -- "$WORK/bin/pyimport-study" --report "$full"

# --- a different plan against the manifest is refused -----------------------
refused() { ! study "$full" --nodes 1,2 --gaggle 1,2,4 --repeat 2 --seed 42 2>"$WORK/refused.err" &&
    grep -q "planned with --gaggle 1,2, not 1,2,4" "$WORK/refused.err"; }
check "a changed --gaggle against the manifest is refused in one line" refused
toolarge() { ! study "$WORK/study/big" --nodes 1,4 2>"$WORK/big.err" && grep -q "value 4 is larger than the allocation (2 nodes)" "$WORK/big.err"; }
check "--nodes larger than the allocation is refused" toolarge
print_sbatch() {
    runuser -u "$USER_NAME" -- env -u SLURM_JOB_ID SLURM_CONF="$SLURM_CONF" "$WORK/bin/pyimport-study" --print-sbatch \
        --out "$WORK/study/batch" "${GRID[@]}" >"$WORK/batch.sh" 2>"$WORK/batch.err" &&
        grep -q '^#SBATCH --nodes=2' "$WORK/batch.sh" && grep -q 'pyimport-study .*--out' "$WORK/batch.sh" &&
        bash -n "$WORK/batch.sh" && [ ! -e "$WORK/study/batch/manifest.json" ] ||
        { sed 's/^/# /' "$WORK/batch.sh" "$WORK/batch.err"; return 1; }
}
check "--print-sbatch prints a batch script for the same study and runs nothing" print_sbatch
check "without an allocation it is refused" bash -c "runuser -u '$USER_NAME' -- env -u SLURM_JOB_ID SLURM_CONF='$SLURM_CONF' '$WORK/bin/pyimport-study' --out '$WORK/study/none' 2>&1 | grep -q 'not inside an allocation'"

# --- SIGTERM after 3 steps, then resume ---------------------------------------
part=$WORK/study/part
mkdir -p "$part" && chown "$USER_NAME" "$part"
study "$part" "${GRID[@]}" 2>"$WORK/part1.err" &
bg=$!
for _ in $(seq 600); do
    [ "$(steps_of "$part" 2>/dev/null | grep -c '^done ')" -ge 3 ] && break
    sleep 0.1
done
kill -TERM "$(cat "$part.pid")"
wait "$bg"
status=$?
check "SIGTERM after 3 steps: exit 143 (got $status)" [ "$status" -eq 143 ]
check "the interrupted manifest is consistent" records_match "$part"
check "the interrupted study left steps to do" bash -c "[ \$(steps_of '$part' | grep -c '^done ') -lt 16 ]"
check "running the same command again resumes and exits 0" study "$part" "${GRID[@]}" 2>"$WORK/part2.err"
check "the resumed run ran only the missing steps" bash -c "[ \$(grep -c '^pyimport-study: step ' '$WORK/part2.err') -lt 16 ]"
check "it ends with the same cells, in the same order, as the uninterrupted study" \
    bash -c "diff <(steps_of '$part' | cut -d' ' -f1-5) <(cut -d' ' -f1-5 '$WORK/full.steps')"
check "the resumed manifest is consistent" records_match "$part"

# --- a step interrupted after its records were copied runs again ------------------
# (srun stopped late in its step: the nodes wrote their records and they were copied)
redo=$WORK/study/redo
cp -a "$full" "$redo"
python3 -c '
import json, sys
p = sys.argv[1] + "/manifest.json"; m = json.load(open(p))
s = m["steps"][0]; s["state"] = "interrupted"; s["exit_status"] = 143; s["problem"] = "interrupted (Terminated); "
json.dump(m, open(p, "w"), indent=1)' "$redo"
old_copies=$(python3 -c 'import json, sys; print(" ".join(json.load(open(sys.argv[1] + "/manifest.json"))["steps"][0]["records"]))' "$redo")
rerun_one() { study "$redo" "${GRID[@]}" 2>"$WORK/redo.err" && [ "$(grep -c '^pyimport-study: step ' "$WORK/redo.err")" -eq 1 ]; }
check "the interrupted step, and only it, runs again" rerun_one
gone() { local c; for c in $old_copies; do [ ! -e "$redo/$c" ] || return 1; done; }
check "its earlier copies are removed ($old_copies)" gone
check "records/ holds exactly what the manifest lists" records_match "$redo"

# --- a step that fails at run time ----------------------------------------------
flaky=$WORK/study/flaky
touch "$WORK/flag/fail-once"
study "$flaky" --nodes 1 --gaggle 1 --modes conda,container --repeat 1 --seed 7 2>"$WORK/flaky.err"
status=$?
check "a failing interpreter: exit 1 (got $status)" [ "$status" -eq 1 ]
check "the failed step is recorded, the other ran" \
    bash -c "[ \$(steps_of '$flaky' | grep -c '^failed ') -eq 1 ] && [ \$(steps_of '$flaky' | grep -c '^done ') -eq 1 ]"
check "the cell whose steps all failed is reported in one line" grep -q "^pyimport-study: cell .*: all 1 steps failed" "$WORK/flaky.err"
check "the report is written all the same" test -s "$flaky/report.md"
rerun() { study "$flaky" --seed 7 2>"$WORK/flaky2.err" && [ "$(grep -c '^pyimport-study: step ' "$WORK/flaky2.err")" -eq 1 ]; }
check "running it again reruns the failed step only and exits 0" rerun

check "no node drained at the end" no_node_drained
finish
