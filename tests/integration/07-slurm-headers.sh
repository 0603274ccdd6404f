# The plugin is built against the spank.h of the Slurm a site runs: headers
# older than the oldest release it supports stop the build with one line
# saying what to install, before any of the plugin's own code is compiled.
source "$(dirname "$0")/../lib.sh"

WORK=$(mktemp -d /tmp/pyimport-it-headers.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
CXX=${CXX:-g++}

# A Slurm 21.08 slurm_version.h in front of the installed headers (spank.h
# includes it by its <slurm/...> name, so this one is found first).
mkdir -p "$WORK/old/slurm"
cat >"$WORK/old/slurm/slurm_version.h" <<'H'
#define SLURM_VERSION_NUMBER 0x150808
#define SLURM_VERSION_NUM(a,b,c) (((a) << 16) + ((b) << 8) + (c))
#define SLURM_VERSION_MAJOR(a) (((a) >> 16) & 0xff)
#define SLURM_VERSION_MINOR(a) (((a) >> 8) & 0xff)
#define SLURM_VERSION_MICRO(a) ((a) & 0xff)
H
compile() {   # include-dir source: the compiler's stderr in $WORK/err
    "$CXX" -std=c++17 -fsyntax-only -I"$1" -I"$TESTS_TOP/lib" "$TESTS_TOP/$2" 2>"$WORK/err"
}
for source in spank_plugin/dispatch_entry.cpp spank_plugin/core_entry_points.cpp; do
    refused_old() {
        ! compile "$WORK/old" "$source" &&
            [ "$(grep -c 'error: #error "pyimport-bench needs the spank.h of Slurm 22.05 or newer' "$WORK/err")" -eq 1 ] &&
            [ "$(grep -c 'error:' "$WORK/err")" -eq 1 ] || { sed 's/^/# /' "$WORK/err" | head -5; return 1; }
    }
    check "$source against Slurm 21.08 headers: one error line naming what to install" refused_old
    check "$source against the installed Slurm headers: compiles" compile /nonexistent "$source"
done
finish
