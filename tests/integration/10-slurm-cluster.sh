#!/usr/bin/env bash
# tests/infra/slurm-cluster itself: a real 4-node cluster comes up, runs jobs as root and
# as an unprivileged user, goes down leaving no daemon behind, and a broken required
# SPANK plugin makes up fail cleanly.
source "$(dirname "$0")/../lib.sh"
cluster=$TESTS_TOP/tests/infra/slurm-cluster
export CLUSTER_DIR=/tmp/pyimport-cluster-selftest   # not the default: other tests use that
unset SPANK_PLUGIN SPANK_ARGS SPANK_OPTIONAL AUTH EXTRA_CONF LINK_ETC CTLD_PORT NODE_PORT
conf=$CLUSTER_DIR/etc/slurm.conf
user=$("$TESTS_TOP/tests/infra/test-user" ensure) || { not_ok "test-user ensure"; finish; }
trap '"$cluster" down' EXIT
cd /tmp || exit 1   # the test user's srun needs a cwd it can enter

# An srun whose cluster is gone hangs and ignores SIGTERM: always bound it.
srun_root() { timeout -s KILL 60 env SLURM_CONF="$conf" srun "$@"; }
srun_user() { runuser -u "$user" -- timeout -s KILL 60 env SLURM_CONF="$conf" srun "$@"; }
secs_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }

# Live (non-zombie) daemons, steps and tasks of this cluster, found by SLURM_CONF in their environment.
cluster_procs() {
    local f p comm stat
    for f in $(grep -lzxF "SLURM_CONF=$conf" /proc/[0-9]*/environ 2>/dev/null); do
        p=${f#/proc/}; p=${p%/environ}
        read -r stat comm < <(ps -o stat=,comm= -p "$p") || continue
        [[ $stat == Z* ]] && continue
        case $comm in
            slurmctld|slurmscriptd|slurmd|slurmstepd|munged) echo "$p $comm" ;;
            *) grep -qz '^SLURMD_NODENAME=' "$f" 2>/dev/null && echo "$p $comm" ;;
        esac
    done
}
nothing_left() {
    local left; left=$(cluster_procs)
    [ -z "$left" ] || { diag "left running: $(tr '\n' ' ' <<<"$left")"; return 1; }
}
count_lines_equal() {   # count expected-line text
    local n; n=$(grep -cxF "$2" <<<"$3")
    [ "$n" -eq "$1" ] || { diag "expected $1 x '$2', got: $(tr '\n' ' ' <<<"$3")"; return 1; }
}
idle_nodes() { timeout 10 env SLURM_CONF="$conf" sinfo -h -N -t idle -o %N | sort -u | wc -l; }
is_up() { "$cluster" status >/dev/null; }

# ---- a 4-node cluster ----
"$cluster" down   # a previous run killed hard may have left one
t0=$EPOCHREALTIME
check "up 4" "$cluster" up 4
diag "up 4 took $(secs_since "$t0") s"
check "4 nodes idle" [ "$(idle_nodes)" -eq 4 ]
check "status says up" is_up
check "env prints SLURM_CONF" [ "$("$cluster" env)" = "export SLURM_CONF=$conf" ]
check_fails "a second up is refused" "$cluster" up 4
check "... and the cluster is still up" is_up
check_fails "up in another CLUSTER_DIR on the same ports is refused" \
    env CLUSTER_DIR=/tmp/pyimport-cluster-selftest-2 "$cluster" up 1
check "slurmctld + 4 slurmd found by SLURM_CONF" \
    [ "$(cluster_procs | grep -cE ' (slurmctld|slurmd)$')" -eq 5 ]

out=$(srun_root -N4 hostname)
check "srun -N4 hostname as root" count_lines_equal 4 "$(hostname)" "$out"
out=$(srun_user -N4 id -un)
check "srun -N4 as $user runs the tasks as $user" count_lines_equal 4 "$user" "$out"

# down must also end a running job and its steps.
srun_user -N4 sleep 300 >/dev/null 2>&1 &
bg=$!
running() { [ "$(timeout 10 env SLURM_CONF="$conf" squeue -h -t R -o %i | wc -l)" -eq 1 ]; }
for _ in {1..300}; do running && break; sleep 0.1; done
check "a 4-node job is running before down" running
t0=$EPOCHREALTIME
check "down" "$cluster" down
diag "down (with a running job) took $(secs_since "$t0") s"
check "no daemon, step or task of this cluster is left" nothing_left
check_fails "status says down" is_up
wait "$bg"; bg_rc=$?
check "down ends the running srun (not its 60 s timeout)" [ "$bg_rc" -ne 137 ]
check "a second down is fine" "$cluster" down

# ---- a required plugin that cannot load ----
err=$(SPANK_PLUGIN=/nonexistent/pyimport-bogus.so "$cluster" up 2 2>&1)
rc=$?
check "up with a bogus required SPANK_PLUGIN fails" [ "$rc" -eq 1 ]
check "... showing the slurmd log" grep -q 'Failed to load plugin' <<<"$err"
check "... and leaves no daemon" nothing_left
check_fails "... and status says down" is_up

# ---- munge, and /etc/slurm/slurm.conf linked so plain srun finds the cluster ----
if [ -e /etc/slurm/slurm.conf ] || [ -L /etc/slurm/slurm.conf ]; then
    link=0; skip "LINK_ETC=1" "/etc/slurm/slurm.conf already exists"
else
    link=1
fi
check "AUTH=munge up 2" env AUTH=munge LINK_ETC=$link "$cluster" up 2
out=$(srun_user -N2 id -un)
check "srun -N2 as $user with munge" count_lines_equal 2 "$user" "$out"
if [ "$link" = 1 ]; then
    out=$(runuser -u "$user" -- timeout -s KILL 60 env -u SLURM_CONF srun -N2 id -un)
    check "srun without SLURM_CONF via /etc/slurm/slurm.conf" count_lines_equal 2 "$user" "$out"
fi
check "munged found by SLURM_CONF" [ "$(cluster_procs | grep -c ' munged$')" -eq 1 ]
check "down (munge)" "$cluster" down
check "no daemon (munged included) is left" nothing_left
[ "$link" = 1 ] && check_fails "down removed the /etc/slurm/slurm.conf link" [ -L /etc/slurm/slurm.conf ]

finish
