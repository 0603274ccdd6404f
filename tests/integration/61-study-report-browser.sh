#!/usr/bin/env bash
# pyimport-study's report.html in a real browser (Debian's chromium, headless):
# the page loads with no request other than the file itself, the DOM holds
# both figures inline, and a screenshot shows them (pixels of the figures'
# colours). The report comes from the unit test's fixture records
# (tests/unit/test_study_report.cpp, study_report/leaves_a_report with
# PYIMPORT_STUDY_REPORT_KEEP): a study with both forms, a verdict per cell,
# a missing and a foreign record, a failed step, the 2017 data behind the
# figures. A control page with one external image proves that the network
# check sees a request when there is one.
source "$(dirname "$0")/../lib.sh"
top=$TESTS_TOP
bin=${STUDY_REPORT_TEST:-$BUILD/tests/unit/test_study_report}
work=$(mktemp -d /tmp/pyimport-study-browser.XXXXXX)
browser_pid=
cleanup() {
    # Only the browser this script started: its process group, by its id.
    [ -n "$browser_pid" ] && kill -KILL -- "-$browser_pid" 2>/dev/null
    [ -n "${KEEP:-}" ] && diag "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

command -v chromium >/dev/null || "$TESTS_TOP/tests/infra/install-deps" >&2 || true
if ! command -v chromium >/dev/null; then
    skip "report.html in headless chromium" "chromium is not installed (tests/infra/install-deps as root)"
    finish
fi
[ -x "$bin" ] || make -C "$top" -s "$bin" >&2 || { not_ok "build $bin"; finish; }

# The report, from the fixture records (run from the source tree: the test finds data/study-2017 there).
report=$work/report
mkdir -p "$report"
(cd "$top" && PYIMPORT_STUDY_REPORT_KEEP=$report "$bin" --filter 'study_report/leaves_a_report') >"$work/unit.log" 2>&1
check "the unit test leaves a report" grep -q 'Passing: 1 ' "$work/unit.log"
[ -s "$report/report.html" ] || { not_ok "report.html written"; cat "$work/unit.log" >&2; finish; }

# chromium NAME ARGS...: one headless run in its own process group, output in
# $work/NAME.out and .err, its network log in $work/NAME.netlog; killed after 90 s.
chromium_run() {
    local name=$1; shift
    local profile
    profile=$(mktemp -d "$work/profile.XXXXXX")
    setsid chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync --disable-default-apps \
        --disable-extensions --user-data-dir="$profile" --enable-logging=stderr --v=0 \
        --log-net-log="$work/$name.netlog" --net-log-capture-mode=Everything "$@" \
        >"$work/$name.out" 2>"$work/$name.err" </dev/null &
    browser_pid=$!
    local waited=0
    while kill -0 "$browser_pid" 2>/dev/null && [ $waited -lt 900 ]; do sleep 0.1; waited=$((waited + 1)); done
    if kill -0 "$browser_pid" 2>/dev/null; then
        kill -KILL -- "-$browser_pid" 2>/dev/null
        wait "$browser_pid" 2>/dev/null
        browser_pid=
        diag "$name: chromium did not finish within 90 s"
        return 1
    fi
    wait "$browser_pid"
    local rc=$?
    browser_pid=
    return $rc
}

# The requests a network log holds, one per line: "page URL" for those the
# page made (an initiator origin, file:// here, and the page's network
# isolation key), "browser URL" for chromium's own (component updater,
# network time, account check: initiator "not an origin"), which no flag
# fully silences and which have nothing to do with the page.
netlog_requests() {
    python3 - "$1" <<'EOF'
import json, sys
log = json.load(open(sys.argv[1], encoding="utf-8", errors="replace"))
types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
seen = set()
for e in log.get("events", []):
    p = e.get("params") or {}
    if types.get(e["type"]) != "URL_REQUEST_START_JOB" or "url" not in p: continue
    own = p.get("initiator") == "not an origin" and "file://" not in p.get("network_isolation_key", "")
    line = ("browser " if own else "page ") + p["url"]
    if line not in seen: seen.add(line); print(line)
EOF
}

page=file://$report/report.html

# 1. The DOM: both figures, inline.
if chromium_run dom --dump-dom "$page"; then ok "chromium loads report.html (--dump-dom)"
else not_ok "chromium loads report.html (--dump-dom)"; sed 's/^/# /' "$work/dom.err" | tail -20; fi
imgs=$(grep -o '<img [^>]*>' "$work/dom.out" | grep -c 'src="data:image/png;base64,')
check "the DOM holds both figures as data: images ($imgs)" [ "$imgs" -eq 2 ]
check "the DOM holds the tables and the verdicts" grep -q 'container faster' "$work/dom.out"
check_fails "the DOM has no script element" grep -qi '<script' "$work/dom.out"

# 2. No request but the file itself (read by the file loader, never a network request).
netlog_requests "$work/dom.netlog" >"$work/dom.requests" || { not_ok "read the net log"; : >"$work/dom.requests"; }
page_requests=$(grep '^page ' "$work/dom.requests" | grep -v -x -F "page $page" || true)
if [ -s "$work/dom.netlog" ] && [ -z "$page_requests" ]; then ok "the page makes no network request"
else not_ok "the page makes no network request"; printf '# %s\n' "$page_requests"; fi
diag "chromium's own requests (not the page's): $(grep -c '^browser ' "$work/dom.requests")"
check_fails "no resource refused or failed to load" grep -E -q 'Refused to (load|apply|execute)|Failed to load resource|ERR_FILE_NOT_FOUND' "$work/dom.err"

# The check itself: a page with one external image shows up as the page's request.
printf '<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/control.png" alt="x"></body></html>\n' >"$work/control.html"
chromium_run control --dump-dom "file://$work/control.html" || true
netlog_requests "$work/control.netlog" >"$work/control.requests" || true
check "the net-log check sees a page's external request when there is one" \
    grep -q -x -F 'page http://127.0.0.1:9/control.png' "$work/control.requests"

# 3. A screenshot: a PNG of the whole window, not blank, with the figures' colours.
shot=$work/report.png
chromium_run shot --hide-scrollbars --window-size=1400,6000 --screenshot="$shot" "$page" ||
    sed 's/^/# /' "$work/shot.err" | tail -20
if [ -s "$shot" ]; then ok "screenshot written ($(stat -c %s "$shot") bytes)"; else not_ok "screenshot written"; finish; fi
verdict=$(python3 - "$shot" <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
        assert depth == 8 and colour in (2, 6) and interlace == 0, "unexpected PNG layout"
        bpp = 3 if colour == 2 else 4
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw, stride = zlib.decompress(idat), w * bpp
prev, colours, red, blue, nonwhite = bytearray(stride), set(), 0, 0, 0
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    for x in range(0, stride, bpp):
        r, g, bl = line[x], line[x + 1], line[x + 2]
        colours.add((r >> 3, g >> 3, bl >> 3))
        if (r, g, bl) != (255, 255, 255): nonwhite += 1
        if r > 180 and g < 80 and bl < 80: red += 1      # conda, #E41A1C
        if r < 90 and 100 < g < 150 and bl > 150: blue += 1  # container, #377EB8
print(w, h, len(colours), nonwhite, red, blue)
EOF
) || verdict="0 0 0 0 0 0"
read -r width height colours nonwhite red blue <<<"$verdict"
diag "screenshot ${width}x${height}: $colours colours, $nonwhite non-white, $red red and $blue blue pixels"
check "the screenshot has the window's size" [ "$width" -eq 1400 -a "$height" -eq 6000 ]
check "the screenshot is not blank" [ "$colours" -gt 50 -a "$nonwhite" -gt 100000 ]
check "the screenshot shows the figures (their red and blue)" [ "$red" -gt 200 -a "$blue" -gt 200 ]
[ -n "${KEEP:-}" ] && diag "screenshot: $shot"

finish
