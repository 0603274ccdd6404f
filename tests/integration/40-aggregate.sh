#!/usr/bin/env bash
# pyimport-aggregate end to end: records written by pyimport-gaggle (the
# engine's local runner, real interpreters) become tables in every format and
# the study's two figures as PNG and SVG; the numbers are checked against the
# records themselves; bad files, filters and exit statuses.
# Container mode runs through a stand-in runtime (a script that executes the
# interpreter directly): building a real image is the env-build test's job,
# and what the aggregator reads is the same record either way.
source "$(dirname "$0")/../lib.sh"
agg=$BUILD/pyimport-aggregate
gaggle=$BUILD/pyimport-gaggle
py=/usr/bin/python3
work=$(mktemp -d /tmp/pyimport-aggregate-it.XXXXXX)
trap '[ -n "${KEEP:-}" ] && diag "kept $work" || rm -rf "$work"' EXIT

[ -x "$agg" ] && [ -x "$gaggle" ] || make -C "$TESTS_TOP" -s "$agg" "$gaggle" >&2 ||
    { not_ok "build pyimport-aggregate and pyimport-gaggle"; finish; }

records=$work/records
mkdir -p "$records" "$work/img"
printf '#!/bin/sh\n# stand-in for ch-run IMAGE -- PROGRAM ARGS...\nshift 2\nexec "$@"\n' >"$work/ch-run"
chmod +x "$work/ch-run"
: >"$work/env.sqfs"
site=(conda=/usr conda_python=$py "image=$work/env.sqfs" "runtime_path=$work/ch-run" "outdir=$records")

job=100
step() {  # MODE,N[,...] NODES: one job step, one gaggle per node
    local request=$1 nodes=$2 i
    job=$((job + 1))
    for ((i = 0; i < nodes; i++)); do
        (cd /tmp && USER=${USER:-root} "$gaggle" "${site[@]}" --job-id "$job" --node "n$i" --node-index "$i" \
            --node-count "$nodes" "$request") 2>>"$work/gaggle.log" || return 1
    done
}

# modules=json: both modes, gaggles of 1 and 4 on 2 nodes, three repetitions.
made=yes
for rep in 1 2 3; do
    for mode in conda container; do
        for n in 1 4; do step "$mode,$n,modules=json" 2 || made=no; done
    done
done
# The study's libraries (the site's default list), once; and one local run (job id 0).
step conda,2 1 || made=no
(cd /tmp && "$gaggle" "${site[@]}" conda,1,modules=json) 2>>"$work/gaggle.log" || made=no
files=$(ls "$records" | wc -l)
check "pyimport-gaggle wrote 26 records with real interpreters" test "$made" = yes -a "$files" -eq 26
[ "$made" = yes ] || { tail -5 "$work/gaggle.log" | sed 's/^/# /'; finish; }

# ---- tables -------------------------------------------------------------------
"$agg" "$records" >"$work/text" 2>"$work/text.err"
check "text tables, exit 0, no problem lines" test $? -eq 0 -a ! -s "$work/text.err"
check "totals: 26 files, 14 job steps, 6 configurations" \
    grep -q '^26 record files: 26 used (14 job steps, 6 configurations, 63 interpreters); 0 bad files skipped' "$work/text"
check "all tables are there" bash -c "grep -q '^Workloads' '$work/text' && grep -q '^Overall time' '$work/text' &&
    grep -q '^Per interpreter' '$work/text' && grep -q '^Per gaggle' '$work/text' && grep -q '^Container / conda' '$work/text'"
check "a verdict for json at 2 nodes x 4 (6 gaggles per mode)" \
    grep -Eq '^A +2 +4 +8 +6 +6 .*(container faster|conda faster|no significant difference)' "$work/text"
check "no verdict on 2 nodes x 1 when --min-samples 7" \
    bash -c "'$agg' --min-samples 7 -t compare '$records' | grep -q 'no verdict: too few gaggles (6 conda, 6 container; at least 7 each)'"

"$agg" -f csv -t overall "$records" >"$work/overall.csv"
check "CSV overall table agrees with the records (max last exit - min release per job step)" \
    $py - "$records" "$work/overall.csv" <<'PY'
import csv, glob, json, statistics, sys
runs = {}
for path in glob.glob(sys.argv[1] + "/*.json"):
    r = json.load(open(path))
    key = (r["job"]["id"], r["job"]["step"]) if r["job"]["id"] else path
    config = (r["run"]["mode"], r["job"]["node_count"], r["run"]["gaggle_size"], " ".join(r["run"]["modules"]))
    g = r["gaggle"]
    lo, hi, _ = runs.get(key, (g["release_unix_ns"], g["last_exit_unix_ns"], config))
    runs[key] = (min(lo, g["release_unix_ns"]), max(hi, g["last_exit_unix_ns"]), config)
expected = {}
for lo, hi, config in runs.values():
    expected.setdefault(config, []).append((hi - lo) / 1e9)
rows = list(csv.DictReader(open(sys.argv[2])))
assert len(rows) == len(expected), (len(rows), len(expected))
for row in rows:
    times = expected[(row["mode"], int(row["nodes"]), int(row["gaggle"]), row["modules"])]
    assert int(row["runs"]) == len(times), row
    for name, value in (("median", statistics.median(times)), ("min", min(times)), ("max", max(times))):
        assert abs(float(row[name + "_s"]) - value) < 1e-6, (row, name, value)
PY

"$agg" -f json "$records" >"$work/all.json"
check "JSON document: totals and every table" $py -c "
import json, sys
d = json.load(open('$work/all.json'))
assert d['format'] == 'pyimport-aggregate' and d['totals']['records_used'] == 26, d['totals']
# Run as root: every gaggle had its cgroup, so its table is there too.
assert set(d['tables']) == {'overall', 'interpreters', 'gaggles', 'compare', 'cgroup'}, d['tables'].keys()
rows = d['tables']['interpreters']['rows']
assert len(rows) == 6 and all(r['n'] > 0 and r['failed'] == 0 and r['max_rss_median_mib'] > 1 for r in rows), rows
"
"$agg" -f markdown -o "$work/tables.md" "$records"
check "Markdown into a file (-o)" grep -q '^| workload | mode | nodes | gaggle |' "$work/tables.md"
check "per-run table lists the 14 job steps" \
    test "$("$agg" -f csv -t runs "$records" | tail -n +2 | wc -l)" -eq 14

# ---- filters --------------------------------------------------------------------
check "--mode container keeps container rows only" \
    bash -c "'$agg' -f csv -t overall --mode container '$records' | tail -n +2 | cut -d, -f3 | sort -u | grep -qx container"
check "--job 101 keeps one job step" \
    bash -c "'$agg' --job 101 '$records' | grep -q '2 used (1 job step, 1 configuration, 2 interpreters); 0 bad files skipped; 13 job steps filtered out'"
check "--until before the runs leaves nothing: exit 1" \
    bash -c "'$agg' --until 2000-01-01 '$records' >/dev/null 2>&1; test \$? -eq 1"

# ---- bad data -------------------------------------------------------------------
bad=$work/bad
cp -r "$records" "$bad"
first=$(ls "$bad" | head -1)
head -c 300 "$bad/$first" >"$bad/truncated.json"
echo '{"name": "left-pad", "version": "1.3.0"}' >"$bad/package.json"
sed 's/"version": 2,/"version": 9,/' "$bad/$first" >"$bad/future.json"
: >"$bad/.pyimport-999.0-n0.json.tmp"   # an atomic writer's temporary: not a record
"$agg" "$bad" >"$work/bad.out" 2>"$work/bad.err"
status=$?
check "bad files are skipped by default (exit 0)" test $status -eq 0
check "one line per bad file naming it" bash -c "
    grep -q '^pyimport-aggregate: $bad/truncated.json: invalid JSON (truncated or corrupt) at line' '$work/bad.err' &&
    grep -q '^pyimport-aggregate: $bad/package.json: not a pyimport-bench record' '$work/bad.err' &&
    grep -q '^pyimport-aggregate: $bad/future.json: record version 9 is newer than this reader (2)' '$work/bad.err' &&
    test \$(wc -l <'$work/bad.err') -eq 3"
check "totals say how many" grep -q '^29 record files: 26 used .*; 3 bad files skipped' "$work/bad.out"
check "--strict: exit 1" bash -c "'$agg' --strict '$bad' >/dev/null 2>&1; test \$? -eq 1"
mkdir "$work/empty"
"$agg" "$work/empty" >/dev/null 2>"$work/empty.err"
check "empty directory: exit 1 and one line naming it" \
    bash -c "test $? -eq 1 && grep -q '$work/empty: no record files' '$work/empty.err'"
check "bad usage: exit 2" bash -c "'$agg' --format xml '$records' >/dev/null 2>&1; test \$? -eq 2"
check "unwritable output: exit 3" bash -c "'$agg' -o /nonexistent/dir/t.txt '$records' 2>/dev/null; test \$? -eq 3"

# ---- figures --------------------------------------------------------------------
if ! command -v gnuplot >/dev/null; then
    skip "figures" "gnuplot is not installed (apt-get install gnuplot-nox)"
else
    "$agg" -q --figures "$work/fig" "$records" >/dev/null 2>"$work/fig.err" || mkdir -p "$work/fig"
    check "figures: overall and individual, PNG and SVG, per workload" \
        test "$(ls "$work/fig" | tr '\n' ' ')" = "individual_time_loglog-A.png individual_time_loglog-A.svg individual_time_loglog-B.png individual_time_loglog-B.svg overall_time_loglog-A.png overall_time_loglog-A.svg overall_time_loglog-B.png overall_time_loglog-B.svg "
    check "PNGs are valid 1300x650 images, SVGs well-formed" $py - "$work/fig" <<'PY'
import glob, struct, sys, xml.etree.ElementTree as ET
pngs, svgs = glob.glob(sys.argv[1] + "/*.png"), glob.glob(sys.argv[1] + "/*.svg")
assert len(pngs) == 4 and len(svgs) == 4
for p in pngs:
    data = open(p, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", p
    assert struct.unpack(">II", data[16:24]) == (1300, 650), p
    assert data.rstrip(b"\0")[-8:-4] == b"IEND", p
for s in svgs:
    root = ET.parse(s).getroot()
    assert root.tag.endswith("svg"), s
    assert len(list(root.iter())) > 50, s   # something was drawn
PY
    ref=/work/shared/reference
    if [ -f "$ref/overall_time.bcp" ]; then
        "$agg" -q --study "$ref" --figures "$work/study" -t overall >"$work/study.txt"
        check "the 2017 study's data: 320 nodes x 16 from 132-135 s (conda) and 13-19 s (container)" \
            bash -c "grep -Eq '^conda +320 +16 +5120 +2 +133.507 .* 132.397 +134.617' '$work/study.txt' &&
                     grep -Eq '^container +320 +16 +5120 +3 +13.281 .* 12.961 +19.171' '$work/study.txt' &&
                     test -s '$work/study/overall_time_loglog.png' -a -s '$work/study/individual_time_loglog.svg'"
    else
        skip "the 2017 study's data" "no $ref"
    fi
fi

# ---- manual page ------------------------------------------------------------------
check "pyimport-aggregate(1) renders without warnings" \
    bash -c "test -z \"\$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l '$TESTS_TOP/man/pyimport-aggregate.1' 2>&1 >/dev/null)\""
finish
