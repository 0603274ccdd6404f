#!/usr/bin/env bash
# helper/pyimport-env-build: the prefix and the image carry one stable digest, the prefix's python
# imports the study's libraries, and an import touches the prefix, not /usr (strace).
# The same for a tree that also holds R and Perl (--lang python,r,perl, issue 15): Rscript and perl
# load their default packages from the prefix, from the image (loop mount, ch-run), and read
# nothing from the host's R and Perl directories.
# A build takes about a minute: it is cached under /tmp/pyimport-env-cache, keyed by the package
# list, the packages' versions and the builder itself. Root is needed to loop-mount the image.
source "$(dirname "$0")/../lib.sh"
builder=$TESTS_TOP/helper/pyimport-env-build
packages="python3-numpy python3-scipy python3-pandas python3-biopython python3-matplotlib python3-seaborn"
imports="numpy, scipy, pandas, sqlite3, Bio, matplotlib, seaborn"
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

tmp=$(mktemp -d)
trap 'umount "$tmp/img" "$tmp/limg" 2>/dev/null; rm -rf "$tmp"' EXIT

run_python() {  # ARGS...: the prefix's python as a conda env would run it, from a local directory
    (cd "$tmp" && env -i HOME="$tmp" MPLCONFIGDIR="$tmp/mpl" $(cat "$prefix/.pyimport/env") "$prefix/usr/bin/python3" "$@")
}

prefix_share() {  # STRACE-LOG: percent of path lookups inside the prefix, and the breakdown
    # Lookups are %file calls naming an absolute path; fstat through an fd ("") and getcwd
    # (it reports a path, it does not look one up) are not.
    awk -v P="$prefix/" '
        / getcwd\(/ || !match($0, /"\/[^"]*"/) { next }
        { p = substr($0, RSTART + 1, RLENGTH - 2); n++
          if (index(p "/", P) == 1) inside++; else if (p ~ /^\/usr\//) usr++; else other++ }
        END { printf "%.1f %d %d %d %d\n", 100 * inside / n, n, inside, usr + 0, other + 0 }' "$1"
}

t=$(now)
if cache=$("$TESTS_TOP/tests/infra/test-env" ensure); then ok "build (or reuse) the prefix and the image"
else not_ok "build (or reuse) the prefix and the image"; finish; fi
diag "prefix and image in $cache ($(since "$t") s; delete it to rebuild)"
prefix=$cache/env image=$cache/env.sqfs
digest=$(cat "$prefix/.pyimport/digest")
diag "digest $digest"

t=$(now)
check "digest of the prefix is stable (recomputed)" test "$("$builder" --digest "$prefix")" = "$digest"
diag "digest recomputed in $(since "$t") s"
check "the image carries the same digest" test "$(unsquashfs -cat "$image" .pyimport/digest 2>/dev/null)" = "$digest"
if [ "$(id -u)" -eq 0 ]; then
    mkdir "$tmp/img" && mount -o loop,ro "$image" "$tmp/img"
    check "the image's tree has the same digest (loop mount)" test "$("$builder" --digest "$tmp/img")" = "$digest"
    umount "$tmp/img"
else
    skip "the image's tree has the same digest (loop mount)" "needs root"
fi

mkdir -p "$tmp/mpl"
out=$(run_python -c "import $imports; print(*(m.__file__ for m in ($imports)))" 2>"$tmp/py.err")
check "the prefix's python imports $imports" test -n "$out"
check "every module came from the prefix" test -z "$(tr ' ' '\n' <<<"$out" | grep -v "^$prefix/")"
[ -s "$tmp/py.err" ] && diag "python stderr: $(head -c 300 "$tmp/py.err")"

# Warm run above built matplotlib's font cache; this one is a steady-state import.
run_python -c "import $imports" 2>/dev/null &&
    (cd "$tmp" && env -i HOME="$tmp" MPLCONFIGDIR="$tmp/mpl" $(cat "$prefix/.pyimport/env") \
        strace -f -qq -e trace=%file -o "$tmp/strace" "$prefix/usr/bin/python3" -c "import $imports")
read -r share n inside usr other < <(prefix_share "$tmp/strace")
diag "strace: $n path lookups, $inside in the prefix, $usr in /usr, $other elsewhere (cwd, /etc, /proc...)"
check "at least 95% of an import's path lookups are in the prefix ($share%)" awk -v s="$share" 'BEGIN { exit !(s >= 95) }'

# ---- R and Perl in the same tree (issue 15) ---------------------------------------------------
check "the Python-only build holds no R or Perl" \
    test ! -e "$prefix/usr/lib/R" -a ! -e "$prefix/usr/bin/Rscript" -a ! -e "$prefix/usr/bin/perl" -a \
         -z "$(grep -E '^(RHOME|R_LIBS|PERL5|PATH)' "$prefix/.pyimport/env")"

r_libs="ggplot2 data.table dplyr Matrix survival"
perl_mods="Moose DBI JSON::XS DateTime List::MoreUtils"
r_code=$(printf 'library(%s);' $r_libs)     # the argv the plugin will run
perl_code=$(printf 'use %s;' $perl_mods)
# The same, and every file R or Perl loaded for them must lie under the tree given as argument.
r_from='p <- commandArgs(TRUE)[1]; f <- c(R.home(), .libPaths(), find.package(loadedNamespaces()),
    Filter(function(d) d != "base", vapply(getLoadedDLLs(), function(d) d[["path"]], "")));
    bad <- f[!startsWith(normalizePath(f), p)]; if (length(bad)) stop("outside ", p, ": ", bad[1])'
perl_from='my $p = shift; for (sort values %INC) { m{^/} && index($_, "$p/") != 0 and die "outside $p: $_\n" }'

langs_run() {  # TREE ENV-FILE PROGRAM ARGS...: PROGRAM of TREE as a conda env would run it
    local tree=$1 envf=$2 prog=$3; shift 3
    (cd "$tmp" && env -i HOME="$tmp" $(cat "$envf") "$tree/usr/bin/$prog" "$@")
}
r_and_perl_from() {  # TREE ENV-FILE: both load their packages, each from TREE
    langs_run "$1" "$2" Rscript --vanilla -e "$r_code" -e "$r_from" "$1" >/dev/null 2>"$tmp/r.err" ||
        { diag "R: $(tail -c 300 "$tmp/r.err" | tr '\n' ' ')"; return 1; }
    langs_run "$1" "$2" perl -e "$perl_code $perl_from" "$1" 2>"$tmp/perl.err" ||
        { diag "perl: $(tail -c 300 "$tmp/perl.err" | tr '\n' ' ')"; return 1; }
}

t=$(now)
if lcache=$("$TESTS_TOP/tests/infra/test-env" ensure-langs); then
    ok "build (or reuse) the python,r,perl prefix and image"
    # Real paths: the builder writes them into the env file, and R resolves what it reports.
    lprefix=$(realpath "$lcache/env") limage=$lcache/env.sqfs rtmp=$(realpath "$tmp")
    ldigest=$(cat "$lprefix/.pyimport/digest")
    diag "langs prefix and image in $lcache ($(since "$t") s; $(du -sm "$lprefix" | cut -f1) MB, image $(du -m "$limage" | cut -f1) MB)"
    check "langs: the digest differs from the Python-only one" test "$ldigest" != "$digest"
    t=$(now)
    check "langs: digest of the prefix is stable (recomputed)" test "$("$builder" --digest "$lprefix")" = "$ldigest"
    check "langs: the image carries the same digest" test "$(unsquashfs -cat "$limage" .pyimport/digest 2>/dev/null)" = "$ldigest"
    diag "langs digests in $(since "$t") s"

    t=$(now)
    check "Rscript from the prefix loads $r_libs; perl loads $perl_mods; all from the prefix" \
        r_and_perl_from "$lprefix" "$lprefix/.pyimport/env"
    diag "R and Perl from the prefix in $(since "$t") s"
    # Warm: the plugin's argv alone, per interpreter.
    t=$(now); langs_run "$lprefix" "$lprefix/.pyimport/env" Rscript --vanilla -e "$r_code" >/dev/null 2>&1
    diag "Rscript $r_code: $(since "$t") s (warm)"
    t=$(now); langs_run "$lprefix" "$lprefix/.pyimport/env" perl -e "$perl_code"
    diag "perl -e '$perl_code': $(since "$t") s (warm)"

    # What R and Perl from the prefix reach on the host. Perl's own startup stats the version and
    # arch subdirectories of its built-in @INC (.../5.36.0, .../x86_64-linux-gnu-thread-multi:
    # ENOENT) before any module is looked for: probes, allowed. Anything else there, a module
    # looked for in vain included, is a leak. R's system() runs /bin/sh and Sys.which
    # /usr/bin/which (both hard-coded); R's launcher's shebang (/bin/bash) is no traced file call.
    t=$(now)
    (cd "$tmp" && env -i HOME="$tmp" $(cat "$lprefix/.pyimport/env") /usr/bin/strace -f -qq -e trace=%file,execve \
        -o "$tmp/langs.strace" "$lprefix/usr/bin/Rscript" --vanilla -e "$r_code" >/dev/null 2>&1 &&
     env -i HOME="$tmp" $(cat "$lprefix/.pyimport/env") /usr/bin/strace -f -qq -e trace=%file,execve \
        -o "$tmp/langs.strace.perl" "$lprefix/usr/bin/perl" -e "$perl_code") && cat "$tmp/langs.strace.perl" >>"$tmp/langs.strace"
    read -r leaks probes < <(awk '
        match($0, /"\/(usr\/(local\/)?(lib\/R|share\/R|share\/perl[^\/"]*|lib\/[^\/"]+\/perl[^\/"]*|lib\/site_perl)|etc\/R|etc\/perl)(\/[^"]*)?"/) {
            p = substr($0, RSTART + 1, RLENGTH - 2); sub(/.*\//, "", p)
            if ($0 ~ / (newfstatat|stat|lstat|statx)\(.*= -1 ENOENT/ && p ~ /^([0-9][0-9.]*|[^.]*-thread-multi)$/) probes++
            else { leaks++; print > "/dev/stderr" }
        }
        END { print leaks + 0, probes + 0 }' "$tmp/langs.strace" 2>"$tmp/langs.leaks")
    diag "strace in $(since "$t") s: $(wc -l <"$tmp/langs.strace") file calls; under the host's R/Perl directories: $leaks leaks, $probes startup probes"
    [ "${leaks:-0}" = 0 ] || diag "first: $(head -c 300 "$tmp/langs.leaks")"
    check "R and Perl from the prefix look up nothing under the host's /usr/lib/R, /usr/share/R, /usr/share/perl*, /usr/lib/*/perl* (or /usr/local's, /etc/R, /etc/perl)" \
        test -s "$tmp/langs.strace" -a "$leaks" -eq 0
    host_exec=$(awk -v P="$lprefix/" 'match($0, /execve\("[^"]*"/) { p = substr($0, RSTART + 8, RLENGTH - 9)
        if (index(p, P) != 1) print p }' "$tmp/langs.strace" | sort | uniq -c | awk '{ printf "%s%s x%s", s, $2, $1; s = ", " }')
    diag "host executables run: $host_exec"
    check "R and Perl run no host executable but /bin/sh and /usr/bin/which" \
        test -z "$(awk -v P="$lprefix/" 'match($0, /execve\("[^"]*"/) { p = substr($0, RSTART + 8, RLENGTH - 9)
            if (index(p, P) != 1 && p != "/bin/sh" && p != "/usr/bin/which") print p }' "$tmp/langs.strace")"

    if [ "$(id -u)" -eq 0 ]; then
        t=$(now)
        mkdir "$tmp/limg" && mount -o loop,ro "$limage" "$tmp/limg"
        check "langs: the image's tree has the same digest (loop mount)" test "$("$builder" --digest "$tmp/limg")" = "$ldigest"
        # The kernel runtime's case: the image over another path, the env's paths rewritten for it.
        sed "s|$lprefix|$rtmp/limg|g" "$lprefix/.pyimport/env" >"$tmp/limg.env"
        check "the image at another path (loop mount): Rscript and perl load everything from it" \
            r_and_perl_from "$rtmp/limg" "$tmp/limg.env"
        umount "$tmp/limg"
        diag "loop-mounted image checks in $(since "$t") s"
    else
        skip "langs: the image's tree has the same digest (loop mount)" "needs root"
        skip "the image at another path (loop mount): Rscript and perl load everything from it" "needs root"
    fi

    # Inside the image, through ch-run's squashfuse, with paths as /usr/...: no env file.
    if command -v ch-run >/dev/null && [ -r /dev/fuse ] && [ -w /dev/fuse ]; then
        chrun() {  # PROGRAM ARGS...: in the image, as the plugin's charliecloud runtime runs it
            (cd "$tmp" && env -i USER="$(id -un)" HOME="$tmp" PATH=/usr/bin:/bin \
                ch-run -m "$tmp/chmnt" "$limage" -- "$@") >/dev/null 2>"$tmp/ch.err" ||
                { diag "$1: $(tail -c 300 "$tmp/ch.err" | tr '\n' ' ')"; return 1; }
        }
        mkdir -p "$tmp/chmnt"
        t=$(now)
        check "ch-run image: /usr/bin/Rscript loads $r_libs from the image" \
            chrun /usr/bin/Rscript --vanilla -e "$r_code" -e "$r_from" /usr/lib/R
        check "ch-run image: /usr/bin/perl loads $perl_mods from the image" \
            chrun /usr/bin/perl -e "$perl_code $perl_from" /usr
        diag "ch-run checks in $(since "$t") s"
        check "no squashfuse mount left" test -z "$(grep -F "$tmp" /proc/mounts)"
    else
        skip "ch-run image: Rscript and perl" "needs ch-run and a readable, writable /dev/fuse"
    fi
else
    not_ok "build (or reuse) the python,r,perl prefix and image"
fi
err=$("$builder" --prefix "$tmp/badlang" --lang python,ruby 2>&1 >/dev/null)
check "an unknown --lang is refused in one line" test "$(wc -l <<<"$err")" -eq 1 -a -n "$(grep -F ruby <<<"$err")"

# Bad input: one clear line, nothing left at the final path.
err=$("$builder" --prefix "$tmp/bad" --packages "python3-numpy python3-no-such-thing" 2>&1 >/dev/null)
check "a missing package is refused in one line" test "$(wc -l <<<"$err")" -eq 1 -a -n "$(grep -F python3-no-such-thing <<<"$err")"
check "nothing left at the prefix path" test -z "$(ls -A "$tmp" | grep bad)"
mkdir "$tmp/full" && touch "$tmp/full/keep"
check_fails "an existing non-empty prefix is refused without --force" \
    "$builder" --prefix "$tmp/full" --packages python3-numpy 2>/dev/null
check "and left as it was" test -f "$tmp/full/keep"
finish
