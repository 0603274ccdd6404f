# Helpers for integration scripts that run jobs on a local cluster (sourced
# after tests/lib.sh). The caller sets CLUSTER_DIR, CTLD_PORT, NODE_PORT,
# WORK (a scratch directory), PLUGIN, USER_NAME and, per scenario, PROBES.

CLUSTER=$TESTS_TOP/tests/infra/slurm-cluster

cluster_up() {   # plugstack.conf arguments...
    "$CLUSTER" down >/dev/null 2>&1
    SPANK_PLUGIN=$PLUGIN SPANK_ARGS="$*" "$CLUSTER" up "${NODES:-4}" 2>"$WORK/up.log" || { cat "$WORK/up.log" >&2; return 1; }
    eval "$("$CLUSTER" env)"
}

# srun as root or as the test user; stdout and stderr kept in $WORK for checks.
srun_as() {   # root|user srun-arguments...
    local who=$1; shift
    local cmd=(timeout -s KILL "${SRUN_TIMEOUT:-300}" env SLURM_CONF="$SLURM_CONF" PROBE_DIR="${PROBES:-}" srun "$@")
    if [ "$who" = user ]; then cmd=(runuser -u "$USER_NAME" -- "${cmd[@]}"); fi
    (cd /tmp && "${cmd[@]}") >"$WORK/srun.out" 2>"$WORK/srun.err"
}

# The plugin as a site installs it, into $WORK/inst; sets PLUGIN.
install_plugin() {
    make -s -C "$TESTS_TOP" install DESTDIR="$WORK/inst" PREFIX=/usr/local >/dev/null
    PLUGIN=$WORK/inst/usr/local/lib/slurm/pyimport_bench.so
    chmod -R a+rX "$WORK/inst"
}

# The slurmstepd of step JOB.0 above a process (its parent, or further up). Found
# from an interpreter rather than by its command line, which the gaggle's cgroup
# keeper (forked from slurmstepd) shares.
stepd_above() {   # pid job
    local p=$1
    while [ -n "$p" ] && [ "$p" -gt 1 ]; do
        tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q "^slurmstepd: \[$2\.0\]" && { echo "$p"; return 0; }
        p=$(ps -o ppid= -p "$p" | tr -d ' ')
    done
    return 1
}

count_files() { find "$1" -maxdepth 1 -type f -name "${2:-*}" | wc -l; }
no_node_drained() { ! sinfo -h -N -o '%T' | grep -qiE 'drain|down|fail'; }
stderr_has() { grep -qF -- "$1" "$WORK/srun.err"; }
