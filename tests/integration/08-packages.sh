# The Debian and RPM packages (make deb, make rpm): built against this host's
# Slurm headers, they carry its release and install only beside its series.
# A .deb built against headers of another release is refused by dpkg; the RPM
# is refused by rpm's own dependency check in a scratch root without a Slurm
# or with a stub slurm of another series, and accepted with one of this series.
# The real .deb is installed, its conf file included into a cluster's
# plugstack.conf the way an admin links it, a job runs as a user, and purging
# the package leaves none of its files behind.
source "$(dirname "$0")/../lib.sh"
source "$TESTS_TOP/tests/cluster_lib.sh"

export CLUSTER_DIR=/tmp/pyimport-it-packages CTLD_PORT=16977 NODE_PORT=17221
PKG_BUILD=$TESTS_TOP/build-pkg-test
WORK=$(mktemp -d /tmp/pyimport-it-packages.XXXXXX)
chmod 755 "$WORK"
unset SPANK_PLUGIN SPANK_ARGS
we_install=0
cleanup() {
    "$CLUSTER" down >/dev/null 2>&1
    if [ "$we_install" = 1 ] && installed; then dpkg_run --purge pyimport-bench >/dev/null 2>&1; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
t_start=$SECONDS
phase() { diag "$1: $((SECONDS - t_phase)) s"; t_phase=$SECONDS; }
t_phase=$SECONDS

installed() { dpkg-query -W -f '${Status}' pyimport-bench 2>/dev/null | grep -qv ' not-installed$'; }

# dpkg refuses to run while apt or another dpkg holds its lock (someone may
# run tests/infra/install-deps meanwhile): wait for it, up to a minute.
dpkg_run() {
    local rc
    for _ in $(seq 60); do
        dpkg "$@" >"$WORK/dpkg.out" 2>&1 && rc=0 || rc=$?
        [ "$rc" -ne 0 ] && grep -q 'lock' "$WORK/dpkg.out" || break
        sleep 1
    done
    cat "$WORK/dpkg.out"
    return "$rc"
}

# One run at a time: runs share the ports, the cluster directory and the system's package.
exec 9>/tmp/pyimport-it-packages.lock
flock -w 900 9 || { not_ok "another 08-packages.sh still runs after 15 minutes"; finish; }
if installed; then
    not_ok "pyimport-bench is already installed on this host; this test installs and purges its own (dpkg --purge pyimport-bench first)"
    finish
fi

HOST_RPMDB=$(rpm -E '%{_dbpath}')
[ -e "$HOST_RPMDB" ] && host_rpmdb_existed=1 || host_rpmdb_existed=0

SLURM=$(dpkg-query -W -f '${Version}' libslurm-dev | sed -E 's/^([0-9]+\.[0-9]+\.[0-9]+).*/\1/')
SERIES=${SLURM%.*}
NEXT=$(printf '%d.%02d' "${SERIES%%.*}" $((10#${SERIES#*.} + 1)))
# A later series than this host's (older headers than 22.05 stop the build).
OTHER_SLURM=$((${SERIES%%.*} + 1)).02.1
OTHER_SLURM_NUMBER=$(printf '0x%02x0201' $((${SERIES%%.*} + 1)))
diag "installed Slurm headers: $SLURM (series $SERIES); the other series: $OTHER_SLURM"
# Debian's PluginDir, from Slurm's own package, independently of the packaging.
PLUGIN_DIR=$(dirname "$(dpkg -L slurm-wlm-basic-plugins | grep '/select_cons_tres\.so$')")

make_pkg() {   # log-name [VAR=value...] make-target make-arguments...
    local log=$WORK/$1.log; shift
    local vars=()
    while [[ $1 == *=* ]]; do vars+=("$1"); shift; done
    env "${vars[@]}" make -C "$TESTS_TOP" "$@" >"$log" 2>&1 || { tail -n 15 "$log" | sed 's/^/# /'; return 1; }
}

# --- the .deb ---------------------------------------------------------------
rm -rf "$PKG_BUILD/packages" "$PKG_BUILD/other-slurm/packages"
check "make deb builds the .deb" make_pkg deb deb BUILD="$PKG_BUILD"
DEB=$(ls "$PKG_BUILD"/packages/pyimport-bench_*_amd64.deb 2>/dev/null | head -n1)
[ -n "$DEB" ] || finish
phase "make deb"
field() { dpkg-deb -f "$DEB" "$1" 2>/dev/null; }
check "its version carries the Slurm release: $(field Version)" \
    bash -c "[[ '$(field Version)' == *+slurm$SLURM ]]"
bounded() {   # field relations
    local want=$2 got
    got=$(field "$1" | tr ',' '\n' | sed 's/^ *//' | grep '^slurm-wlm-basic-plugins ' | sort | paste -sd, -)
    [ "$got" = "$want" ] || { diag "$1: '$got', want '$want'"; return 1; }
}
check "Depends: slurm-wlm-basic-plugins (>= $SERIES~), (<< $NEXT~)" \
    bounded Depends "slurm-wlm-basic-plugins (<< $NEXT~),slurm-wlm-basic-plugins (>= $SERIES~)"
check "Breaks: slurm-wlm-basic-plugins of every other series" \
    bounded Breaks "slurm-wlm-basic-plugins (<< $SERIES~),slurm-wlm-basic-plugins (>= $NEXT~)"
dpkg-deb -c "$DEB" | awk '{print $NF}' | sed 's|^\./|/|' >"$WORK/deb.contents"
holds_all() {
    local f missing=0
    for f in "$PLUGIN_DIR"/pyimport_bench.so "$PLUGIN_DIR"/pyimport_bench_core.so \
        /usr/bin/pyimport-{gaggle,record,aggregate,study,env-build} \
        /usr/share/man/man8/pyimport_bench.8.gz /usr/share/man/man1/pyimport-{gaggle,record,aggregate,study}.1.gz \
        /usr/share/man/man5/pyimport-bench-record.5.gz /usr/share/man/man5/pyimport-study-manifest.5.gz \
        /usr/share/pyimport-bench/study-2017/{overall_time.bcp,individual_time.bcp,README.md} \
        /etc/pyimport-bench/plugstack.conf; do
        grep -qxF "$f" "$WORK/deb.contents" || { diag "missing from the .deb: $f"; missing=1; }
    done
    return "$missing"
}
check "it holds the plugin in $PLUGIN_DIR, the five commands, the man pages, the study data and the conf" holds_all
check "the conf is a conffile" bash -c "dpkg-deb -I '$DEB' conffiles | grep -qx /etc/pyimport-bench/plugstack.conf"
conf_line_ok() {
    local line
    line=$(dpkg-deb --fsys-tarfile "$DEB" | tar -xOf - ./etc/pyimport-bench/plugstack.conf | grep -v '^#' | grep .)
    [ "$(wc -l <<<"$line")" -eq 1 ] && [[ $line == "optional $PLUGIN_DIR/pyimport_bench.so outdir="* ]] ||
        { diag "conf line: $line"; return 1; }
}
check "the conf holds one plugin line: the installed path, outdir= first" conf_line_ok
if command -v lintian >/dev/null; then
    check "lintian finds no error" bash -c "! lintian '$DEB' 2>&1 | grep '^E:'"
else
    skip "lintian" "lintian is not installed"
fi

# --- a .deb for another Slurm series is refused -----------------------------
# The installed headers, with slurm_version.h naming another release; spank.h
# reads the number from there. Built without optimisation and debug symbols
# (dpkg-buildflags' own knobs): it is never run.
mkdir -p "$WORK/other-include"
cp -a /usr/include/slurm "$WORK/other-include/"
sed -i "s/^#define SLURM_VERSION_NUMBER .*/#define SLURM_VERSION_NUMBER $OTHER_SLURM_NUMBER/" \
    "$WORK/other-include/slurm/slurm_version.h"
check "make deb SLURM_INCLUDE=<headers of Slurm $OTHER_SLURM> builds" \
    make_pkg deb-other DEB_BUILD_OPTIONS="noopt noddebs parallel=2" DEB_CXXFLAGS_STRIP=-g \
        deb BUILD="$PKG_BUILD/other-slurm" SLURM_INCLUDE="$WORK/other-include"
OTHER_DEB=$(ls "$PKG_BUILD"/other-slurm/packages/pyimport-bench_*_amd64.deb 2>/dev/null | head -n1)
[ -n "$OTHER_DEB" ] || finish
phase "make deb for Slurm $OTHER_SLURM"
check "its version carries $OTHER_SLURM" bash -c "dpkg-deb -f '$OTHER_DEB' Version | grep -q '+slurm$OTHER_SLURM\$'"
refused_deb() {
    we_install=1
    ! dpkg_run -i "$OTHER_DEB" >"$WORK/dpkg-other.out" 2>&1 &&
        grep -qF "pyimport-bench breaks slurm-wlm-basic-plugins (<< ${OTHER_SLURM%.*}~)" "$WORK/dpkg-other.out" &&
        grep -qF "installing pyimport-bench would break slurm-wlm-basic-plugins" "$WORK/dpkg-other.out" ||
        { sed 's/^/# /' "$WORK/dpkg-other.out"; return 1; }
}
check "dpkg -i refuses it here: it breaks slurm-wlm-basic-plugins $SLURM" refused_deb
nothing_unpacked() {   # .deb: none of its files is on this host, and dpkg has it not installed
    local f
    installed && return 1
    for f in $(dpkg-deb -c "$1" | awk '$1 !~ /^d/ {print $NF}' | sed 's|^\./|/|'); do
        [ ! -e "$f" ] || { diag "$f exists"; return 1; }
    done
}
check "and installs nothing: none of its files exists, the package is not installed" nothing_unpacked "$OTHER_DEB"
phase "refusal by dpkg"

# --- the RPM ------------------------------------------------------------------
# Built without optimisation and debug symbols too (~/.rpmrc of a HOME of its
# own: rpm takes optflags from rpmrc files): it is only inspected and installed
# into a scratch root, never run.
mkdir -p "$WORK/rpm-home"
echo 'optflags: x86_64 -O0' >"$WORK/rpm-home/.rpmrc"
check "make rpm builds the RPM" make_pkg rpm HOME="$WORK/rpm-home" rpm BUILD="$PKG_BUILD"
RPM=$(ls "$PKG_BUILD"/packages/pyimport-bench-*.x86_64.rpm 2>/dev/null | head -n1)
[ -n "$RPM" ] || finish
# Queries use a database of their own: opening the host's (Debian: ~/.rpmdb) creates it.
rpmq() { rpm --dbpath "$WORK/query-rpmdb" "$@"; }
phase "make rpm"
release_ok() { [[ $(rpmq -qp --qf '%{RELEASE}' "$RPM" 2>/dev/null) == 1.slurm$SLURM* ]]; }
check "its release carries the Slurm release: $(rpmq -qp --qf '%{VERSION}-%{RELEASE}' "$RPM" 2>/dev/null)" release_ok
requires_ok() { [ "$(rpmq -qp --requires "$RPM" 2>/dev/null | grep '^slurm ' | sort | paste -sd, -)" = "slurm < $NEXT,slurm >= $SERIES" ]; }
check "Requires: slurm >= $SERIES and slurm < $NEXT" requires_ok
rpm_layout_ok() {
    rpmq -qpl "$RPM" 2>/dev/null | grep -qx /usr/lib64/slurm/pyimport_bench_core.so &&
        [ "$(rpmq -qpc "$RPM" 2>/dev/null)" = /etc/pyimport-bench/plugstack.conf ]
}
check "the plugin goes to SchedMD's PluginDir, the conf is %config" rpm_layout_ok

tree_clean() {
    # What dpkg-buildpackage writes beside a source tree: pyimport-bench_VERSION_ARCH.deb, .changes,
    # .buildinfo, and pyimport-bench-dbgsym_... (other pyimport-bench-* names in /tmp are not ours).
    [ ! -e "$TESTS_TOP/debian" ] && ! compgen -G "$TESTS_TOP/../pyimport-bench_*" >/dev/null &&
        ! compgen -G "$TESTS_TOP/../pyimport-bench-dbgsym_*" >/dev/null &&
        [ -z "$(find "$PKG_BUILD" -maxdepth 2 -name 'pkg-*' -type d)" ]
}
check "the three builds left no debian/, no files beside the tree and no scratch copy" tree_clean

# Stub packages, built here by rpmbuild: "hostbase" provides every requirement
# of the RPM but Slurm (what the host's own packages would), "slurm" stands
# for SchedMD's package at a given version.
stub() {   # name version provides...
    local name=$1 version=$2 p; shift 2
    {
        printf 'Name: %s\nVersion: %s\nRelease: 1\nSummary: test stub\nLicense: none\nBuildArch: noarch\n' "$name" "$version"
        for p in "$@"; do printf 'Provides: %s\n' "$p"; done
        printf '%%description\nA stub for tests/integration/08-packages.sh.\n%%files\n'
    } >"$WORK/$name-$version.spec"
    # (--nodeps: they need nothing, and checking would create the host's rpm database)
    rpmbuild -bb --nodeps --quiet --define "_topdir $WORK/stubs" "$WORK/$name-$version.spec" >>"$WORK/stubs.log" 2>&1
}
rpmq -qp --provides "$RPM" 2>/dev/null | awk '{print $1}' >"$WORK/rpm.provides"
mapfile -t base_needs < <(rpmq -qp --requires "$RPM" 2>/dev/null | grep -v '^rpmlib(' | grep -v '^slurm ' |
    awk 'NR == FNR { own[$1] = 1; next } !($1 in own)' "$WORK/rpm.provides" -)
stubs() { stub hostbase 1 "${base_needs[@]}" && stub slurm "$OTHER_SLURM" && stub slurm "$SLURM"; }
check "stub RPMs built: hostbase (${#base_needs[@]} provides), slurm $OTHER_SLURM, slurm $SLURM" stubs
STUBS=$WORK/stubs/RPMS/noarch
ROOT=$WORK/rpm-root
rpmr() { rpm --root "$ROOT" --dbpath /var/lib/rpm "$@" >"$WORK/rpm.out" 2>&1; }
# Debian's rpm adds two lines of advice to every install: not shown.
rpm_says() { grep -qF -- "$1" "$WORK/rpm.out" || { grep -v 'Alien\|assuming you know' "$WORK/rpm.out" | sed 's/^/# /'; return 1; }; }
check "a scratch rpm root holding hostbase" eval 'rpmr --initdb && rpmr -i "$STUBS/hostbase-1-1.noarch.rpm"'
refused_without() { ! rpmr -i "$RPM" && rpm_says "slurm >= $SERIES is needed by pyimport-bench"; }
check "rpm -i refuses it without a Slurm" refused_without
refused_other() { rpmr -i "$STUBS/slurm-$OTHER_SLURM-1.noarch.rpm" && ! rpmr -i "$RPM" && rpm_says "slurm < $NEXT is needed by pyimport-bench"; }
check "rpm -i refuses it beside slurm $OTHER_SLURM" refused_other
accepted() {
    rpmr -e slurm && rpmr -i "$STUBS/slurm-$SLURM-1.noarch.rpm" && rpmr -i "$RPM" &&
        [ -f "$ROOT/usr/lib64/slurm/pyimport_bench.so" ] || { sed 's/^/# /' "$WORK/rpm.out"; return 1; }
}
check "rpm -i installs it beside slurm $SLURM" accepted
upgrade_refused() { ! rpmr -U "$STUBS/slurm-$OTHER_SLURM-1.noarch.rpm" && rpm_says "slurm < $NEXT is needed by (installed) pyimport-bench"; }
check "rpm -U of slurm to $OTHER_SLURM is refused while it is installed" upgrade_refused
rpm_removed_all() {
    local f left=0
    rpmq -qpl "$RPM" 2>/dev/null >"$WORK/rpm.files"
    rpmr -e pyimport-bench || return 1
    while IFS= read -r f; do
        [ ! -e "$ROOT$f" ] || { diag "left behind: $f"; left=1; }
    done <"$WORK/rpm.files"
    return "$left"
}
check "rpm -e removes every file and directory it installed" rpm_removed_all
phase "RPM checks"

# --- the real .deb on a cluster ---------------------------------------------
install_deb() { we_install=1; dpkg_run -i "$DEB" >"$WORK/dpkg.log" 2>&1 || { sed 's/^/# /' "$WORK/dpkg.log"; return 1; }; }
check "dpkg -i installs the .deb" install_deb
dpkg -L pyimport-bench >"$WORK/deb.installed" 2>/dev/null
# The packager's flags (dpkg-buildflags) come after the project's: the shipped
# files must still have full RELRO and a non-executable stack (05-hardening.sh
# checks the build itself in full).
hardened() {
    local f bad=0
    for f in "$PLUGIN_DIR"/pyimport_bench{,_core}.so /usr/bin/pyimport-{gaggle,record,aggregate,study}; do
        readelf -lW "$f" | grep -q GNU_RELRO && readelf -dW "$f" | grep -qE 'BIND_NOW|FLAGS_1.* NOW' &&
            readelf -lW "$f" | grep -E 'GNU_STACK' | grep -qv 'RWE' || { diag "$f: not fully hardened"; bad=1; }
    done
    return "$bad"
}
check "the installed plugin and commands keep full RELRO and a non-executable stack" hardened
check "dpkg registers /etc/pyimport-bench/plugstack.conf as its conffile" \
    bash -c "dpkg-query -W -f '\${Conffiles}' pyimport-bench | grep -q '/etc/pyimport-bench/plugstack.conf '"

# What an admin does: the site's settings into the conf's line, a link to it in
# the directory plugstack.conf includes. Here the include is the cluster's
# whole plugstack.conf; slurm-cluster's slurm.conf names its own, and the later
# PlugStackConfig line wins.
OUT=$WORK/out
mkdir -p "$OUT" "$WORK/plugstack.conf.d" && chmod 1777 "$OUT"
sed -i -E "s|^(optional $PLUGIN_DIR/pyimport_bench\.so) .*|\1 outdir=$OUT conda=/usr conda_python=/usr/bin/python3 modules=json timeout=60|" \
    /etc/pyimport-bench/plugstack.conf
ln -s /etc/pyimport-bench/plugstack.conf "$WORK/plugstack.conf.d/pyimport-bench.conf"
echo "include $WORK/plugstack.conf.d/*.conf" >"$WORK/plugstack.conf"
USER_NAME=$("$TESTS_TOP/tests/infra/test-user" ensure)
cluster_up_included() {   # (the daemons must not inherit the lock)
    "$CLUSTER" down >/dev/null 2>&1
    EXTRA_CONF="PlugStackConfig=$WORK/plugstack.conf" "$CLUSTER" up 2 2>"$WORK/up.log" 9>&- ||
        { sed 's/^/# /' "$WORK/up.log"; return 1; }
    eval "$("$CLUSTER" env)"
}
check "a 2-node cluster up, plugstack.conf only 'include $WORK/plugstack.conf.d/*.conf'" cluster_up_included
phase "install and cluster up"
help_built_for() {
    srun_as user --help && grep -q "Built for Slurm $SLURM\." "$WORK/srun.out" ||
        { diag "srun --help: $(grep -o 'Built for[^)]*' "$WORK/srun.out")"; return 1; }
}
check "srun --help as $USER_NAME: Built for Slurm $SLURM" help_built_for
check "as $USER_NAME: srun -N2 --pyimport-bench=conda,2 true exits 0" srun_as user -N2 --pyimport-bench=conda,2 true
records_ok() {
    local n
    n=$(count_files "$OUT" '*.json')
    [ "$n" -eq 2 ] && /usr/bin/pyimport-record summary "$OUT"/*.json >"$WORK/summary" 2>&1 &&
        grep -q ' n1: conda,2: ' "$WORK/summary" && grep -q ' n2: conda,2: ' "$WORK/summary" ||
        { diag "$n records"; sed 's/^/# /' "$WORK/summary" "$WORK/srun.err" 2>/dev/null; return 1; }
}
check "one record per node (n1, n2), valid for /usr/bin/pyimport-record" records_ok
aggregate_ok() {
    /usr/bin/pyimport-aggregate -t overall "$OUT" >"$WORK/aggregate.out" 2>&1 &&
        grep -q 'conda' "$WORK/aggregate.out" || { sed 's/^/# /' "$WORK/aggregate.out"; return 1; }
}
check "/usr/bin/pyimport-aggregate reads them" aggregate_ok
"$CLUSTER" down >/dev/null 2>&1
cluster_gone() {   # no daemon (their command line names the conf) and no slurmstepd (its environment does)
    local f
    "$CLUSTER" status >/dev/null && return 1
    pgrep -f "$CLUSTER_DIR/etc/slurm.conf" >/dev/null && return 1
    for f in $(grep -lzxF "SLURM_CONF=$CLUSTER_DIR/etc/slurm.conf" /proc/[0-9]*/environ 2>/dev/null); do
        [ "$(cat "${f%/environ}/comm" 2>/dev/null)" != slurmstepd ] || return 1
    done
}
check "the cluster is down, none of its processes left" cluster_gone
phase "job on the cluster"

# --- removal ------------------------------------------------------------------
srun_help_rc() { env SLURM_CONF="$SLURM_CONF" srun --help >"$WORK/help.out" 2>"$WORK/help.err"; }
removed_keeps_conf() {
    dpkg_run -r pyimport-bench >/dev/null && [ ! -e "$PLUGIN_DIR/pyimport_bench.so" ] &&
        grep -q "outdir=$OUT " /etc/pyimport-bench/plugstack.conf
}
check "dpkg -r removes it and keeps the edited conffile" removed_keeps_conf
warns_and_works() {
    srun_help_rc && grep -q "pyimport_bench\.so" "$WORK/help.err" || { sed 's/^/# /' "$WORK/help.err"; return 1; }
}
check "with the link left and the plugin gone, srun warns and still works (optional)" warns_and_works
purged_all() {
    local f left=0
    dpkg_run --purge pyimport-bench >/dev/null || return 1
    installed && return 1
    while IFS= read -r f; do
        [ "$f" != /. ] && { [ -e "$f" ] || [ -L "$f" ]; } || continue
        # What stays must be a directory another package owns (/usr/bin, the PluginDir, ...).
        [ -d "$f" ] && dpkg -S "$f" >/dev/null 2>&1 || { diag "left behind: $f"; left=1; }
    done <"$WORK/deb.installed"
    return "$left"
}
check "dpkg --purge leaves none of its files or directories behind" purged_all
check "the admin's link now dangles and Slurm ignores it: srun still works" srun_help_rc
check "the host's rpm database ($HOST_RPMDB) was not created" \
    bash -c "[ $host_rpmdb_existed = 1 ] || [ ! -e '$HOST_RPMDB' ]"
phase "removal"
diag "08-packages: $((SECONDS - t_start)) s"
finish
