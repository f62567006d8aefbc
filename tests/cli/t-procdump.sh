#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# Memory dumps of suspect processes (issue 18): a process with an
# anonymous RWX mapping holding a marker (tests/tools/dumpme) and one run
# with LD_PRELOAD are dumped, with the reasons; the marker is in the
# region file at the offset the maps index gives; every region file is
# in the manifest with its sha256; the maps copy equals /proc/PID/maps;
# a `sleep` hidden from the agent's /proc listing (an LD_PRELOAD readdir
# filter on the agent, as in t-live) is dumped as hidden; a plain `sleep`
# and the agent (run with that LD_PRELOAD, so a suspect were it not the
# agent) are not; no program is executed; the per-process cap and the
# run's size budget cut; --no-process-dump and the config switch turn it
# off; bad caps in the config are refused.
. "$(dirname "$0")/lib.sh"

DUMPME=${CC_BUILD:-$CC_TOP/build}/tools/dumpme
if [ ! -x "$DUMPME" ]; then
	nok "test tool missing: $DUMPME (make)"; exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	skip "needs root (reads other processes' memory)"; exit 0
fi
# A userland hider for the agent: readdir skips HIDE_PID.
cc -shared -fPIC -o "$T/libhide.so" "$CC_TOP/tests/tools/libhide.c" -ldl || { nok "cannot build the hider"; exit 1; }

# --- The suspects and a bystander ------------------------------------------
MARK=ccdump$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
REV=$(printf '%s' "$MARK" | rev)
# D0 first (the lowest pid of them): an executable [heap] page, nothing
# else; its dump must come after the strong suspects' all the same.
"$DUMPME" -H -s 240 "d0-holds-no-marker" >"$T/d0.out" &
D0=$!; at_exit "kill $D0 2>/dev/null"
"$DUMPME" -s 240 "$MARK" >"$T/d1.out" &
D1=$!; at_exit "kill $D1 2>/dev/null"
"$DUMPME" -p -s 240 "${MARK}p" >"$T/d2.out" &
D2=$!; at_exit "kill $D2 2>/dev/null"
"$DUMPME" -H -s 240 "${MARK}h" >"$T/d3.out" &
D3=$!; at_exit "kill $D3 2>/dev/null"
sleep 240 &
SL=$!; at_exit "kill $SL 2>/dev/null"
sleep 241 &
HID=$!; at_exit "kill $HID 2>/dev/null"
for _ in $(seq 100); do
	grep -q ready "$T/d0.out" && grep -q ready "$T/d1.out" &&
		grep -q ready "$T/d2.out" && grep -q ready "$T/d3.out" && break
	sleep 0.1
done
ADDR=$(awk '/ready/ { print $2 }' "$T/d1.out")

# The rule holds the reversed marker in hex: only dumpme's region has it.
hexm=$(printf '%s' "$REV" | od -An -tx1 | tr -s ' \n' ' ')
printf 'rule Dump_Marker { strings: $m = {%s} condition: $m }\n' "$hexm" >"$T/m.yar"
# Small caps: other suspects of the host (JIT runtimes…) stay cheap.
printf '[limits]\nprocess_dump_max = 8M\nprocess_dump_total = 128M\n' >"$T/caps.ini"

# extract DIR: the archive in DIR into DIR/x.
extract() { mkdir -p "$1/x" && zstd -dc "$(archive_in "$1")" | tar -x -C "$1/x"; }

mkdir "$T/o1"
if [ -z "${ASAN_OPTIONS:-}" ] && command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null; then
	check_rc "a live run with dumps (under strace -f, with LD_PRELOAD) exits 0" 0 \
		env "$NOLEAK_ENV" LD_PRELOAD="$T/libhide.so" HIDE_PID="$HID" strace -f -qq -o "$T/exec.trace" -e trace=execve \
		"$CC_BIN" run -c "$T/caps.ini" --profile LinuxSystemRelease \
		--rules "$T/m.yar" --output "$T/o1" --quiet
	# The first execve is strace starting the agent.
	n=$(grep -c 'execve(' "$T/exec.trace")
	[ "$n" -eq 1 ] && ok "the agent executed no program (execve count 0 after its own start)" ||
		nok "the agent executed $((n - 1)) programs: $(grep 'execve(' "$T/exec.trace" | sed -n 2,4p)"
else
	skip "no strace, ptrace not allowed, or a sanitizer build: execve not counted"
	check_rc "a live run with dumps (with LD_PRELOAD) exits 0" 0 \
		env LD_PRELOAD="$T/libhide.so" HIDE_PID="$HID" "$CC_BIN" run -c "$T/caps.ini" \
		--profile LinuxSystemRelease --rules "$T/m.yar" --output "$T/o1" --quiet
fi
extract "$T/o1"
X=$T/o1/x
R=$X/live/process_dumps.jsonl
check "dumpme is dumped with reasons anonymous_exec and yara" \
	jqe --argjson p "$D1" '[inputs] | any(.pid==$p and .process=="dumpme" and (.reasons|index("anonymous_exec")) and (.reasons|index("yara")) and .cut==false and .regions>0)' -n "$R"
if jqe -s --argjson p0 "$D0" --argjson p1 "$D1" '($p0 < $p1) and
	  (map(.reasons == ["anonymous_exec"]) | . as $w | [range(1; length) | select($w[. - 1] and ($w[.] | not))] == [])
	  and (map(.pid) | index($p1) < index($p0))' "$R"; then
	ok "the strong suspects are dumped first: no anonymous_exec-only record before another (D0's pid is lower than D1's)"
else
	nok "an anonymous_exec-only dump came before a stronger suspect's (D0 $D0, D1 $D1)"
	jq -c '[.pid, .process, .reasons]' "$R" | head -12 | sed 's/^/    /'
fi
check "dumpme with an executable [heap] page is dumped with reason anonymous_exec" \
	jqe --argjson p "$D3" '[inputs] | any(.pid==$p and (.reasons|index("anonymous_exec")) and .regions>0)' -n "$R"
check "…and process_maps.jsonl calls that [heap] mapping anonymous_exec too" \
	jqe --argjson p "$D3" '[inputs] | any(.pid==$p and .path=="[heap]" and .anonymous_exec==true)' -n "$X/live/process_maps.jsonl"
check "dumpme run with LD_PRELOAD is dumped with reason ld_preload" \
	jqe --argjson p "$D2" '[inputs] | any(.pid==$p and (.reasons|index("ld_preload")))' -n "$R"
check "the sleep hidden from the agent's listing is dumped with reason hidden" \
	jqe --argjson p "$HID" '[inputs] | any(.pid==$p and .reasons==["hidden"] and .process=="sleep" and .regions>0)' -n "$R"
check "the sleep process is not dumped" \
	jqe --argjson p "$SL" '[inputs] | all(.pid!=$p)' -n "$R"
check "…nor is any memory/ of it" test ! -e "$X/memory/$SL"
check "the agent (run with LD_PRELOAD) is not dumped" \
	jqe '[inputs] | all(.process!="csirt-collect")' -n "$R"
check "every dumped process is in the index with bytes <= the 8M cap" \
	jqe '[inputs] | all(.bytes <= 8388608)' -n "$R"

# The marker: in the region file the index says holds its address.
M=$X/memory/$D1
blk=$(jq -r --arg a "$ADDR" '.blocks[] | "\(.file) \(.start) \(.size)"' "$M/maps.jsonl" |
	while read -r f s z; do
		a=$((16#$ADDR)); s=$((s))
		[ "$a" -ge "$s" ] && [ "$a" -lt $((s + z)) ] && echo "$f $((a - s))"
	done)
set -- $blk
if [ $# -eq 2 ] && [ "$(dd if="$M/$1" bs=1 skip="$2" count=${#REV} 2>/dev/null)" = "$REV" ]; then
	ok "the marker is at offset $2 of $1, as the maps index implies"
else nok "marker not at the indexed offset (block: '$blk', address $ADDR)"; fi
n=$(grep -lF "$REV" "$M"/*.bin | wc -l)
[ "$n" -eq 1 ] && ok "grep finds the marker in exactly one region file" ||
	nok "marker found in $n region files"
check "the index names the RWX mapping anonymous, with its blocks" \
	jqe '[inputs] | any(.perms=="rwxp" and .path=="" and .deleted==false and .memfd==false and .dumped==(.blocks|map(.size)|add))' -n "$M/maps.jsonl"
# cmp would trust the size of the /proc file (0): read it with cat.
cat "/proc/$D1/maps" >"$T/maps.now"
if cmp -s "$M/maps" "$T/maps.now"; then ok "memory/PID/maps is /proc/PID/maps"
else nok "memory/PID/maps differs from /proc/PID/maps"; diff "$M/maps" "$T/maps.now" | head -6; fi
jq -r '.entries[] | select(.path|startswith("memory/")) | select(.path|endswith(".bin")) | "\(.sha256)  \(.path)"' \
	"$X/manifest.json" | sort >"$T/man.sums"
(cd "$X" && find memory -name '*.bin' | sort | xargs sha256sum) | sort >"$T/real.sums"
if [ -s "$T/real.sums" ] && cmp -s "$T/man.sums" "$T/real.sums"; then
	ok "all $(wc -l <"$T/real.sums") region files are in the manifest with the sha256 sha256sum gives"
else nok "manifest and region files differ"; diff "$T/man.sums" "$T/real.sums" | head -5; fi
idx=$(jq -r '.blocks[] | "\(.sha256)  memory/'"$D1"'/\(.file)"' "$M/maps.jsonl" | sort)
check "the index's sha256 of each block equals the manifest's" \
	test "$idx" = "$(grep " memory/$D1/" "$T/man.sums")"
check "the regions of the record match the files" \
	test "$(jq --argjson p "$D1" 'select(.pid==$p) | .regions' "$R")" -eq "$(ls "$M"/*.bin | wc -l)"

# --- Off: the option and the config switch -----------------------------
mkdir "$T/o2" "$T/o3"
check_rc "a run with --no-process-dump exits 0" 0 \
	"$CC_BIN" run --profile LinuxSystemRelease --no-yara --no-process-dump --output "$T/o2" --quiet
extract "$T/o2"
check "…and writes no memory/ and no dump record" \
	test ! -e "$T/o2/x/memory" -a ! -s "$T/o2/x/live/process_dumps.jsonl"
check "…and says why in collection.log" grep -q '"procdump".*skipped: --no-process-dump' "$T/o2/x/collection.log"
printf '[collection]\nprocess_dump = no\n' >"$T/off.ini"
check_rc "a run with [collection] process_dump = no exits 0" 0 \
	"$CC_BIN" run -c "$T/off.ini" --profile LinuxSystemRelease --no-yara --output "$T/o3" --quiet
extract "$T/o3"
check "…and writes no memory/" test ! -e "$T/o3/x/memory"

# --- The per-process cap cuts ----------------------------------------------
printf '[limits]\nprocess_dump_max = 64K\n' >"$T/small.ini"
mkdir "$T/o4"
check_rc "a run with process_dump_max = 64K exits 0" 0 \
	"$CC_BIN" run -c "$T/small.ini" --profile LinuxSystemRelease --no-yara --output "$T/o4" --quiet
extract "$T/o4"
check "dumpme's dump is cut at the per-process cap" \
	jqe --argjson p "$D1" '[inputs] | any(.pid==$p and .cut==true and .cut_reason=="process_dump_max reached" and .bytes<=65536 and .bytes>0)' -n "$T/o4/x/live/process_dumps.jsonl"
sz=$(cat "$T/o4/x/memory/$D1"/*.bin | wc -c)
[ "$sz" -gt 0 ] && [ "$sz" -le 65536 ] && ok "its region files hold $sz bytes (<= 65536)" ||
	nok "its region files hold $sz bytes"

# --- The run's size budget bounds the dumps ---------------------------------
# The budget: what a run without dumps archives (the live records vary
# from host to host), plus 1.5 MiB; dumps keep 1 MiB of it free, so half a
# MiB is left for them: less than dumpme's mapped libraries alone.
mkdir "$T/o7" "$T/o6"
"$CC_BIN" run --no-process-dump --profile LinuxSystemRelease --no-yara --output "$T/o7" --quiet
extract "$T/o7"
base=$(jq '.stats.bytes' "$T/o7/x/manifest.json")
budget=$((base + 1536 * 1024))
check_rc "a run with --max-total-size $budget (no-dump size + 1.5M) exits 0" 0 \
	"$CC_BIN" run --max-total-size "$budget" --profile LinuxSystemRelease --no-yara --output "$T/o6" --quiet
extract "$T/o6"
sz=$(find "$T/o6/x/memory" -name '*.bin' -exec cat {} + 2>/dev/null | wc -c)
[ "$sz" -le $((1536 * 1024)) ] && ok "the region files hold $sz bytes, within what the budget left" ||
	nok "the region files hold $sz bytes, past what the budget left"
check "no empty region file (a block refused whole is not added)" \
	test -z "$(find "$T/o6/x/memory" -name '*.bin' -size 0)"
check "a dump is marked cut by the budget" \
	jqe '[inputs] | any(.cut==true and (.cut_reason|test("max_total_size|total size")))' -n "$T/o6/x/live/process_dumps.jsonl"

# --- Bad caps in the config ------------------------------------------------
printf '[case]\nid = X\n[limits]\nprocess_dump_max = 0\n' >"$T/bad0.ini"
check_rc "process_dump_max = 0: exit 2" 2 "$CC_BIN" run -c "$T/bad0.ini" --no-yara -o "$T/o5"
last_err_has "$T/bad0.ini:4" && last_err_has "process_dump_max" &&
	ok "…message names file, line and key" || nok "…message: $(cat "$T/.err")"
printf '[limits]\nprocess_dump_total = lots\n' >"$T/bad1.ini"
check_rc "process_dump_total = lots: exit 2" 2 "$CC_BIN" run -c "$T/bad1.ini" --no-yara -o "$T/o5"
last_err_has "$T/bad1.ini:2" && last_err_has "process_dump_total" &&
	ok "…message names file, line and key" || nok "…message: $(cat "$T/.err")"
check "nothing was collected for the bad configs" test -z "$(archive_in "$T/o5")"
kill $D1 $D2 $SL $HID 2>/dev/null
exit 0
