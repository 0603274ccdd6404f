# R and Perl gaggles (lang=r, lang=perl) on a real 4-node Slurm cluster, from
# one environment built by pyimport-env-build --lang python,r,perl, as a
# directory (conda mode) and as its image through Charliecloud's ch-run
# (container mode), as an unprivileged user: every record says its language,
# carries the environment's one digest and plausible times; bad languages and
# package names are refused in srun before anything runs.
source "$(dirname "$0")/../lib.sh"
source "$TESTS_TOP/tests/cluster_lib.sh"

export CLUSTER_DIR=/tmp/pyimport-it-languages CTLD_PORT=17047 NODE_PORT=17301
RECORD=$BUILD/pyimport-record
AGGREGATE=$BUILD/pyimport-aggregate
WORK=$(mktemp -d /tmp/pyimport-it-languages.XXXXXX)
chmod 755 "$WORK"
fuse_mode=$(stat -c %a /dev/fuse)
cleanup() {
    "$CLUSTER" down >/dev/null 2>&1
    chmod "$fuse_mode" /dev/fuse
    rm -rf "$WORK"
}
trap cleanup EXIT
USER_NAME=$("$TESTS_TOP/tests/infra/test-user" ensure)
install_plugin

t0=$(date +%s)
cache=$("$TESTS_TOP/tests/infra/test-env" ensure-langs) || { not_ok "build or reuse the R and Perl test environment"; finish; }
diag "environment with R and Perl ready in $(( $(date +%s) - t0 )) s"
ENVDIR=$WORK/envs/langs IMAGE=$WORK/images/langs.sqfs
mkdir -p "$WORK/envs" "$WORK/images"
cp -a "$cache/env" "$ENVDIR" && cp "$cache/env.sqfs" "$IMAGE" &&
    "$TESTS_TOP/helper/pyimport-env-build" --write-env "$ENVDIR" >/dev/null
chmod -R a+rX "$WORK/envs" "$WORK/images"
digest=$(cat "$ENVDIR/.pyimport/digest")
diag "environment $digest"
# Unprivileged ch-run mounts the image with squashfuse: users need /dev/fuse (restored on exit).
chmod 666 /dev/fuse

site="outdir=$WORK/out conda=$ENVDIR conda_python=$ENVDIR/usr/bin/python3 image=$IMAGE timeout=120
conda_r=$ENVDIR/usr/bin/Rscript container_r=/usr/bin/Rscript
conda_perl=$ENVDIR/usr/bin/perl container_perl=/usr/bin/perl"
# shellcheck disable=SC2086  # the settings are words
cluster_up $site || { not_ok "cluster up"; finish; }

run_lang() {   # label request: one gaggle on each of 4 nodes, as the test user
    local out=$WORK/out
    rm -rf "$out"; mkdir -p "$out"; chmod 1777 "$out"
    srun_as user -N4 --pyimport-bench="$2" true &&
        [ "$(count_files "$out" '*.json')" -eq 4 ] && "$RECORD" check "$out"/*.json >/dev/null &&
        mkdir -p "$WORK/$1" && cp "$out"/*.json "$WORK/$1/"
}

# Every record of a run: its language, the packages, every interpreter
# succeeded with a plausible time, and the environment's digest.
records_say() {   # label mode language gaggle packages...
    /usr/bin/python3 - "$WORK/$1" "$digest" "$2" "$3" "$4" "${@:5}" <<'EOF'
import glob, json, sys
d, digest, mode, language, gaggle = sys.argv[1:6]
packages = sys.argv[6:]
recs = [json.load(open(f)) for f in glob.glob(d + "/*.json")]
assert len(recs) == 4, len(recs)
for r in recs:
    run = r["run"]
    assert run["mode"] == mode and run["language"] == language, run
    assert run["modules"] == packages, run["modules"]
    assert run["env_digest"] == digest, (run["env_digest"], digest)
    assert r["gaggle"]["succeeded"] == int(gaggle), [i.get("stderr_tail") for i in r["interpreters"]]
    for i in r["interpreters"]:
        assert 0.01 < i["wall_ns"] / 1e9 < 60, i["wall_ns"]
        assert i["exit_code"] == 0 and i["user_ns"] + i["system_ns"] > 0, i
EOF
}

R_DEFAULT="ggplot2 data.table dplyr Matrix survival"
PERL_DEFAULT="Moose DBI JSON::XS DateTime List::MoreUtils"
for mode in conda container; do
    check "lang=r, $mode: srun -N4 --pyimport-bench=$mode,2,lang=r writes 4 records" run_lang "r-$mode" "$mode,2,lang=r,label=langs"
    # shellcheck disable=SC2086
    check "lang=r, $mode: records say r, the default packages, the one digest, 2 plausible interpreters each" \
        records_say "r-$mode" "$mode" r 2 $R_DEFAULT
    check "lang=perl, $mode: srun -N4 --pyimport-bench=$mode,2,lang=perl writes 4 records" \
        run_lang "perl-$mode" "$mode,2,lang=perl,label=langs"
    # shellcheck disable=SC2086
    check "lang=perl, $mode: records say perl, the default modules, the one digest" \
        records_say "perl-$mode" "$mode" perl 2 $PERL_DEFAULT
done
check "lang=perl with the user's own modules (JSON::XS:DBI)" run_lang perl-own "conda,1,lang=perl,modules=JSON::XS:DBI,label=langs"
check "the user's modules are what was loaded" records_say perl-own conda perl 1 JSON::XS DBI
check "python still runs from the same environment" run_lang python-conda "conda,2,modules=json,label=langs"
check "python's record says python" records_say python-conda conda python 2 json

# The aggregator keeps each language apart and names it.
mkdir -p "$WORK/all" && cp "$WORK"/{r,perl,python}-*/*.json "$WORK/all/"
chown -R "$USER_NAME" "$WORK/all"
aggregate_langs() {
    "$AGGREGATE" -t overall,compare --any-owner "$WORK/all" >"$WORK/agg.txt" 2>"$WORK/agg.err" &&
        grep -q "lang" "$WORK/agg.txt" &&
        [ "$(grep -cE '^ *[A-Z]? *r ' "$WORK/agg.txt")" -ge 2 ] && [ "$(grep -cE '^ *[A-Z]? *perl ' "$WORK/agg.txt")" -ge 2 ]
}
check "pyimport-aggregate shows a lang column and r and perl rows" aggregate_langs
only_perl() {
    "$AGGREGATE" -t overall --lang perl --any-owner -f csv "$WORK/all" >"$WORK/perl.csv" 2>/dev/null &&
        ! grep -qE '^(r|python),' "$WORK/perl.csv" && [ "$(grep -c '^perl,' "$WORK/perl.csv")" -eq 3 ] && return 0
    diag "csv: $(head -c 400 "$WORK/perl.csv" | tr '\n' '|')"
    return 1
}
check "pyimport-aggregate --lang perl keeps Perl's runs only" only_perl
diag "$(sed -n '1,12p' "$WORK/agg.txt" | tr -s ' ' | cut -c1-150)"

# Bad input: one line in srun, nothing launched, no node drained.
refused() {   # request expected-text
    ! srun_as user -N1 --pyimport-bench="$1" true && stderr_has "$2" && return 0
    diag "srun said: $(head -c 400 "$WORK/srun.err" | tr '\n' '|')"
    return 1
}
check "lang=ruby is refused in srun" refused "conda,1,lang=ruby" "invalid lang 'ruby'"
check "an R name with code in it is refused in srun" refused "conda,1,lang=r,modules=ggplot2:x);system('id')" \
    "use up to 64 R package names separated by ':'"
check "a Perl name with code in it is refused in srun" refused "conda,1,lang=perl,modules=Moose;print" \
    "Perl module names"
check "importtime=on with lang=r is refused in srun" refused "conda,1,lang=r,importtime=on" "not for lang=r"
cluster_up outdir="$WORK/out" conda="$ENVDIR" conda_python="$ENVDIR/usr/bin/python3" image="$IMAGE" \
    conda_r="$ENVDIR/usr/bin/Rscript" || not_ok "cluster up without container_r"
check "R in container mode where the site names no container_r= is refused in srun" \
    refused "container,1,lang=r" "lang=r is not offered in container mode on this cluster (plugstack.conf has no container_r=)"
check "no node drained" no_node_drained
"$CLUSTER" down >/dev/null 2>&1
check "no squashfuse mount is left" bash -c "! grep -q squashfuse /proc/mounts"
finish
