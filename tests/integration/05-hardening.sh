#!/usr/bin/env bash
# The built plugin and helper commands carry the hardening the Makefile asks
# for (HARDEN_* there), read from their ELF headers with readelf. Per file:
#   relro     a GNU_RELRO segment              (-Wl,-z,relro)
#   bind-now  DT_FLAGS BIND_NOW or DT_FLAGS_1 NOW  (-Wl,-z,now; with relro: full RELRO)
#   stack     GNU_STACK present, not executable (-Wl,-z,noexecstack)
#   ssp       our own code calls __stack_chk_fail (-fstack-protector-strong)
#   fortify   our own code calls a *_chk function (-D_FORTIFY_SOURCE=2)
#   pie       executables only: ELF type DYN with DT_FLAGS_1 PIE (-pie)
# "Our own code": the core links libstdc++ and libgcc statically, and a
# runtime built with these flags (Ubuntu's is) brings its own references, so a
# reference anywhere in the file would prove nothing about ours. When the file
# has a symbol table (not stripped), the calls are found in the disassembly and
# must come from a function the static runtime archives do not define; a
# stripped file falls back to its dynamic symbols, which is exact for the entry
# and the helpers (dynamic libstdc++) and said in a "#" line for the core.
# A file that legitimately lacks one check is listed in `exempt` with the
# reason, printed on its ok line; the fortify exemption is verified (the file
# imports no function _FORTIFY_SOURCE would replace by a checked one).
source "$(dirname "$0")/../lib.sh"

command -v readelf >/dev/null && command -v objdump >/dev/null ||
    { not_ok "readelf and objdump (binutils) are installed"; finish; }

plugin=$BUILD/pyimport_bench.so
core=$BUILD/pyimport_bench_core.so
helpers=(pyimport-gaggle pyimport-record pyimport-aggregate)

need_build=no
for f in "$plugin" "$core" "${helpers[@]/#/$BUILD/}"; do [ -e "$f" ] || need_build=yes; done
if [ $need_build = yes ]; then
    make -C "$TESTS_TOP" -s BUILD="$BUILD" all >&2 || { not_ok "build the plugin and the helpers"; finish; }
fi
# Every helper binary, including any added after this script was written.
for f in "$BUILD"/pyimport-*; do
    case $f in *.new | *.[0-9]*) continue ;; esac
    name=${f##*/}
    [[ " ${helpers[*]} " == *" $name "* ]] && continue
    readelf -h "$f" >/dev/null 2>&1 && helpers+=("$name")
done

# file:check -> why the file may lack that protection.
declare -A exempt=(
    [pyimport_bench.so:fortify]="nothing to fortify: its one fixed buffer (the core's path) is length-checked before both copies, which the compiler inlines; it imports no function _FORTIFY_SOURCE replaces"
)

# The glibc functions _FORTIFY_SOURCE=2 replaces by __*_chk (or __*_2) versions.
fortifiable='memcpy|memmove|mempcpy|memset|bcopy|bzero|strcpy|stpcpy|strncpy|stpncpy|strcat|strncat|sprintf|snprintf|vsprintf|vsnprintf|printf|vprintf|fprintf|vfprintf|dprintf|vdprintf|asprintf|vasprintf|read|pread|pread64|readlink|readlinkat|getcwd|getwd|realpath|fgets|fgets_unlocked|fread|fread_unlocked|recv|recvfrom|poll|ppoll|gets|confstr|getgroups|ttyname_r|getlogin_r|gethostname|getdomainname|wcscpy|wcsncpy|wcscat|wcsncat|wmemcpy|wmemmove|wmemset|mbstowcs|wcstombs|wctomb|wcrtomb|mbsrtowcs|wcsrtombs|ptsname_r|syslog|vsyslog|open|open64|openat|openat64|mq_open|explicit_bzero|longjmp|siglongjmp|obstack_printf'

undefined_dynamic() {  # file: names of the undefined dynamic symbols
    readelf --dyn-syms -W "$1" | awk '$7 == "UND" && $8 != "" { sub(/@.*/, "", $8); print $8 }' | sort -u
}

# The functions the static C++ runtime brings (libstdc++, libgcc): not ours.
runtime_defs=$(mktemp /tmp/pyimport-hardening.XXXXXX)
trap 'rm -f "$runtime_defs"' EXIT
for a in libstdc++.a libgcc.a libgcc_eh.a; do
    p=$(${CXX:-g++} -print-file-name=$a 2>/dev/null)
    [ -f "$p" ] && nm -C --defined-only "$p" 2>/dev/null | sed -nE 's/^[0-9a-f]+ [A-Za-z] //p'
done | sort -u >"$runtime_defs"

# The functions of ours (not the static runtime's) that call a PLT entry whose
# name matches `want` (an ERE) and is not `but`. Nothing without a symbol table.
callers_of() {  # file want but
    objdump -d --no-show-raw-insn -C "$1" 2>/dev/null | awk -v want="^($2)\$" -v but="$3" '
        /^[0-9a-f]+ <.*>:$/ { fn = $0; sub(/^[0-9a-f]+ </, "", fn); sub(/>:$/, "", fn); next }
        /call/ && match($0, /<[^>]*@plt>/) {
            target = substr($0, RSTART + 1, RLENGTH - 6)
            if (target ~ want && target != but) print fn
        }' | sort -u | grep -vxFf "$runtime_defs"
}

has_symtab() { readelf -SW "$1" | grep -q ' \.symtab '; }

# check_file NAME KIND(so|exe): one ok/not ok line per protection.
check_file() {
    local name=$1 kind=$2 f=$BUILD/$1 headers dynamic flags imports why
    if ! headers=$(readelf -lW "$f" 2>/dev/null) || ! dynamic=$(readelf -dW "$f" 2>/dev/null); then
        not_ok "$name: readable ELF file"
        return
    fi
    imports=$(undefined_dynamic "$f")

    check "$name: GNU_RELRO segment (relro)" grep -q 'GNU_RELRO' <<<"$headers"
    check "$name: BIND_NOW (full RELRO with relro)" \
        grep -Eq '\(FLAGS\).*BIND_NOW|\(FLAGS_1\).*Flags:.* NOW' <<<"$dynamic"
    flags=$(awk '$1 == "GNU_STACK" { print $(NF - 1) }' <<<"$headers")
    if [ -n "$flags" ] && [[ $flags != *E* ]]; then
        ok "$name: non-executable stack (GNU_STACK $flags)"
    else
        not_ok "$name: non-executable stack (GNU_STACK '${flags:-missing}')"
    fi

    # Stack protector, then fortify: a call from our own code.
    local check_name want but what referenced callers
    for check_name in ssp fortify; do
        if [ $check_name = ssp ]; then
            want='__stack_chk_fail' but='' what="stack protector (__stack_chk_fail)"
        else
            want='__[a-z0-9_]+_chk' but='__stack_chk_fail' what="fortify (*_chk)"
        fi
        referenced=$(grep -Ex "$want" <<<"$imports" | grep -vx "${but:-^}" | tr '\n' ' ')
        if has_symtab "$f"; then
            callers=$(callers_of "$f" "$want" "$but")
            if [ -n "$callers" ]; then
                ok "$name: $what, called from $(wc -l <<<"$callers") of our functions"
                continue
            fi
        elif [ -n "$referenced" ]; then
            ok "$name: $what referenced: ${referenced% }"
            [ "$f" = "$core" ] && diag "$name has no symbol table: the reference may be the static runtime's"
            continue
        fi
        why=${exempt[$name:$check_name]:-}
        if [ -z "$why" ]; then
            not_ok "$name: $what: no call from our code${referenced:+ (only the static runtime calls ${referenced% })}"
        elif [ $check_name = fortify ] && grep -Eqx "$fortifiable" <<<"$imports"; then
            not_ok "$name: $what: listed as exempt, but it imports $(grep -Ex "$fortifiable" <<<"$imports" | tr '\n' ' ')"
        else
            ok "$name: $what: exempt: $why"
        fi
    done

    if [ "$kind" = exe ]; then
        if readelf -hW "$f" | grep -Eq 'Type:[[:space:]]+DYN' && grep -Eq '\(FLAGS_1\).*Flags:.* PIE' <<<"$dynamic"; then
            ok "$name: position-independent executable"
        else
            not_ok "$name: position-independent executable ($(readelf -hW "$f" | awk -F: '/Type:/ { print $2 }' | xargs))"
        fi
    fi
}

check_file pyimport_bench.so so
check_file pyimport_bench_core.so so
for h in "${helpers[@]}"; do check_file "$h" exe; done
[ $tests_failed -eq 0 ] || diag "built before the hardening flags? rebuild: make BUILD=$BUILD all"
finish
