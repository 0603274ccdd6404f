# Hostile --pyimport-bench values on a real 2-node Slurm 22.05 cluster, as an
# unprivileged user: newlines with a forged log line after them, terminal
# escape sequences, a 100 KB label. Given to srun they fail there with one
# escaped line; put straight into the job's environment (the variable srun
# itself hands to slurmstepd, past srun's check) slurmstepd rejects them with
# one escaped, bounded line. Either way the job runs, no node drains, no record
# is written, and neither the user's terminal nor slurmd's log gets a forged
# line, a raw escape byte or a flood.
source "$(dirname "$0")/../lib.sh"
source "$TESTS_TOP/tests/cluster_lib.sh"

export CLUSTER_DIR=/tmp/pyimport-it-hostile CTLD_PORT=17017 NODE_PORT=17201
export NODES=2
PROBE_PYTHON=$TESTS_TOP/tests/fixtures/probe-python
WORK=$(mktemp -d /tmp/pyimport-it-hostile.XXXXXX)
chmod 755 "$WORK"
trap '"$CLUSTER" down >/dev/null 2>&1; rm -rf "$WORK"' EXIT
USER_NAME=$("$TESTS_TOP/tests/infra/test-user" ensure)
install_plugin

OUT=$WORK/out PROBES=$WORK/probes
mkdir -p "$OUT" "$PROBES" && chmod 1777 "$OUT" "$PROBES"
check "cluster up with the plugin" \
    cluster_up outdir="$OUT" conda=/usr conda_python="$PROBE_PYTHON" timeout=60
LOGS=("$CLUSTER_DIR"/var/log/slurmd.n*.log)

# What a hostile value holds. FORGED is the start of a line it tries to forge:
# one as slurmstepd relays it to the user, one in the log's own format.
ESC=$'\x1b'
FORGED_USER='slurmstepd-n1: error: pyimport_bench: FORGED'
FORGED_LOG='[2000-01-01T00:00:00.000] [1.0] error: FORGED'
HUGE=$(head -c 102400 /dev/zero | tr '\0' A)
values=(
    "conda,1,label=x"$'\n'"$FORGED_USER"$'\n'"$FORGED_LOG"
    "conda,1,label=${ESC}[2J${ESC}]0;owned"$'\a'"${ESC}[31mred"$'\xc2\x9b'"1m"
    $'\r'"$FORGED_USER"$'\n'"conda,1"
    "conda,1,modules=json"$'\n'"$FORGED_LOG,timeout=5"
    "conda,1,label=$HUGE"
    "conda,1,label="$'\n'"$HUGE${ESC}[2J"
)
names=("newline + forged lines in the label" "escape sequences and a C1 CSI in the label" \
       "CR + forged line in the mode" "forged log line in the modules" "a 100 KB label" \
       "a newline, a 100 KB label and ESC")

# Whether any line of the files starts with one of the forged texts.
starts_forged() { grep -aqE '^(slurmstepd-n[0-9]+: error: pyimport_bench: FORGED|\[2000-01-01)' "$@"; }

# The plugin's line on srun's stderr: present, one line, escaped, bounded,
# and nothing on stderr starts with forged text or holds a raw ESC.
terminal_clean() {   # expected-prefix
    local f=$WORK/srun.err
    grep -q "^$1pyimport_bench: " "$f" || { diag "no plugin line starting with '$1'"; return 1; }
    ! grep -aq "$ESC" "$f" || { diag "raw ESC on srun's stderr"; return 1; }
    ! grep -aq $'\r' "$f" || { diag "raw CR on srun's stderr"; return 1; }
    ! starts_forged "$f" || { diag "a forged line on srun's stderr"; return 1; }
    ! grep -a 'pyimport_bench' "$f" | awk 'length($0) > 1024 { bad = 1 } END { exit !bad }' ||
        { diag "a plugin line over 1 KB on srun's stderr"; return 1; }
}

# slurmd's logs (slurmstepd writes there too): no forged line, no raw ESC or
# C1 byte, no plugin line over 1 KB.
logs_clean() {
    ! starts_forged "${LOGS[@]}" || { diag "forged line in slurmd's log"; return 1; }
    ! grep -aq "$ESC" "${LOGS[@]}" || { diag "raw ESC in slurmd's log"; return 1; }
    ! LC_ALL=C grep -aqF $'\xc2\x9b' "${LOGS[@]}" || { diag "raw C1 CSI in slurmd's log"; return 1; }
    ! grep -ah 'pyimport_bench' "${LOGS[@]}" | awk 'length($0) > 1024 { bad = 1 } END { exit !bad }' ||
        { diag "a plugin line over 1 KB in slurmd's log"; return 1; }
}

no_record() { [ "$(count_files "$OUT")" -eq 0 ] && [ "$(count_files "$PROBES" 'probe.*')" -eq 0 ]; }

# --- given to srun: rejected there, before launch, in one escaped line -------
for i in "${!values[@]}"; do
    cli_rejected() {
        ! srun_as user -N2 --pyimport-bench="${values[$i]}" echo ran && ! grep -q ran "$WORK/srun.out" &&
            terminal_clean "srun: error: " && [ "$(grep -c '^srun: error: pyimport_bench: ' "$WORK/srun.err")" -eq 1 ] ||
            { sed 's/^/# /' "$WORK/srun.err" | cut -c1-300 | cat -v; return 1; }
    }
    check "srun --pyimport-bench with ${names[$i]}: rejected in srun with one escaped line" cli_rejected
done
escaped_in_srun() {
    srun_as user -N1 --pyimport-bench="${values[0]}" true
    grep -qF "srun: error: pyimport_bench: invalid label 'x\\x0a$FORGED_USER\\x0a[2000-01-01" "$WORK/srun.err" &&
        grep -qF " in --pyimport-bench=conda,1,label=x\\x0aslurmstepd-n1" "$WORK/srun.err"
}
check "srun names the bad value with its newlines as \\x0a" escaped_in_srun
huge_said_short() {
    srun_as user -N1 --pyimport-bench="${values[4]}" true
    grep -q "^srun: error: pyimport_bench: invalid label 'A*\.\.\.(102400 bytes)' in --pyimport-bench=conda,1,label=A*\.\.\.(102414 bytes): " \
        "$WORK/srun.err" && [ "$(grep '^srun: error: pyimport_bench: ' "$WORK/srun.err" | wc -c)" -lt 400 ]
}
check "srun cuts a 100 KB label to one line under 400 bytes that gives its size" huge_said_short
# The same variable srun's own check reads (30-plugin.sh): also rejected in srun.
spank_env_rejected() {
    ! SLURM_SPANK__SLURM_SPANK_OPTION_pyimport_bench_pyimport_bench="${values[0]}" srun_as user -N1 echo ran &&
        ! grep -q ran "$WORK/srun.out" && terminal_clean "srun: error: "
}
check "SLURM_SPANK__SLURM_SPANK_OPTION_pyimport_bench_pyimport_bench with a newline: rejected in srun, escaped" \
    spank_env_rejected
check "no record and no interpreter after the values given to srun" no_record

# --- past srun: the variable srun hands to slurmstepd, set by the user --------
# srun does not look at _SLURM_SPANK_OPTION_pyimport_bench_pyimport_bench and
# passes it on with the job's environment; slurmstepd reads it as the option.
for i in "${!values[@]}"; do
    stepd_rejected() {
        _SLURM_SPANK_OPTION_pyimport_bench_pyimport_bench="${values[$i]}" srun_as user -N2 echo ran &&
            [ "$(grep -cx ran "$WORK/srun.out")" -eq 2 ] && terminal_clean "slurmstepd-n[12]: error: " &&
            [ "$(grep -c "no record written: invalid" "$WORK/srun.err")" -eq 2 ] ||
            { sed 's/^/# /' "$WORK/srun.err" "$WORK/srun.out" | cut -c1-300 | cat -v; return 1; }
    }
    check "past srun, ${names[$i]}: the job runs on both nodes, each says no record in one escaped line" stepd_rejected
done
check "past srun: no record and no interpreter" no_record
check "past srun: no node drained or down" no_node_drained
check "slurmd's logs: no forged line, no raw ESC or C1 byte, no plugin line over 1 KB" logs_clean
said_escaped_in_log() {
    grep -aqF "error: pyimport_bench: n1: no record written: invalid label 'x\\x0a$FORGED_USER\\x0a[2000-01-01" "${LOGS[@]}" &&
        grep -aqF "invalid label '\\x1b[2J\\x1b]0;owned\\x07\\x1b[31mred\\xc2\\x9b1m'" "${LOGS[@]}" &&
        grep -aq "invalid label 'A*\.\.\.(102400 bytes)'" "${LOGS[@]}"
}
check "slurmd's logs name each value escaped (\\x0a, \\x1b, \\xc2\\x9b) and the 100 KB one cut" said_escaped_in_log
# Before, the whole value was echoed twice per line: now a mention is cut at about 100 bytes.
check "slurmd's logs hold no run of 200 bytes of the 100 KB label" bash -c "! grep -aq 'A\{200\}' ${LOGS[*]}"

# --- a good request still works after all that ---------------------------------
good_request() { srun_as user -N2 --pyimport-bench=conda,1,modules=json true && [ "$(count_files "$OUT" '*.json')" -eq 2 ]; }
check "a good request still runs and writes a record per node" good_request
check "no node drained or down at the end" no_node_drained
finish
