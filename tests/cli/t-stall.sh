#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# A stalled file system: a FUSE mount (tests/tools/stallfs, a real FUSE
# server on /dev/fuse) whose server stops answering a READ or an OPEN.
# A read that blocks must not hold the run past --time-limit or SIGTERM:
# the run ends with its usual exit code, the archive verifies (our verify,
# stock minisign, tar and zstd), holds the other files, and records the
# stalled source as abandoned. A thread waiting for a FUSE server cannot
# be killed (not even by SIGKILL: it sleeps uninterruptibly until the
# server answers or goes away), so `timeout` alone cannot end a hung
# agent: each run is guarded by a killer that ends stallfs after
# STALL_TIMEOUT (120) seconds, which frees the agent, and the run then
# fails its checks (exit, duration) instead of hanging the suite.
. "$(dirname "$0")/lib.sh"

STALLFS=${CC_BUILD:-$CC_TOP/build}/tools/stallfs
LIMIT=${STALL_TIMEOUT:-120}
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/fuse ] || [ ! -x "$STALLFS" ]; then
	skip "needs root, /dev/fuse and $STALLFS (a real stalled FUSE mount)"
	exit 0
fi

FIX=$T/fixture
make_fixture "$FIX"
MNT=$FIX/mnt/fuse
mkdir -p "$MNT"
spid="" kpid=""
# stall_up: a fresh stallfs on $MNT; stall_down: kill it (which ends
# every request it left waiting) and unmount. Always, on exit too.
stall_down() {
	[ -n "$kpid" ] && kill "$kpid" 2>/dev/null
	[ -n "$spid" ] && kill -KILL "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
	spid="" kpid=""
	umount -l "$MNT" 2>/dev/null
	return 0
}
at_exit stall_down
stall_up() {
	"$STALLFS" "$MNT" & spid=$!
	rm -f "$T/hung"
	(sleep "$LIMIT"; touch "$T/hung"; kill -KILL "$spid") 2>/dev/null & kpid=$!
	for _ in $(seq 1 50); do [ -f "$MNT/a.txt" ] && return 0; sleep 0.1; done
	nok "stallfs did not come up on $MNT"; return 1
}

# profile NAME PATH...: an artefact file of these paths, in this order.
profile() {
	n=$1; shift
	{
		echo "name: ${n}Files"; echo "doc: t-stall"; echo "sources:"
		echo "- type: FILE"; echo "  attributes:"; echo "    paths:"
		for p in "$@"; do echo "    - '$p'"; done
		echo "---"; echo "name: $n"; echo "doc: t-stall profile"
		echo "labels: [Profile]"; echo "sources:"
		echo "- type: ARTIFACT_GROUP"; echo "  attributes: {names: [${n}Files]}"
	} >"$T/$n.yaml"
}

# archive_ok DIR: the archive in DIR verifies with our verify and with
# stock minisign, and stock zstd+tar extract it (into DIR/x).
archive_ok() {
	A=$(archive_in "$1")
	[ -n "$A" ] || { echo "# no archive in $1"; return 1; }
	"$CC_BIN" verify "$A" >/dev/null 2>&1 || { echo "# verify failed"; return 1; }
	minisign -Vq -m "$A" -p "$A.pub" || return 1
	mkdir -p "$1/x" && zstd -dcq "$A" | tar -xf - -C "$1/x"
}
# has DIR PATH: the extracted archive holds PATH with the source's bytes.
has() { cmp -s "$FIX$2" "$1/x/files$2"; }
# abandoned DIR PATH WHAT: the manifest lists PATH among the errors as
# abandoned ("abandoned: WHAT blocked for N s"), and the log says so.
abandoned() {
	jqe --arg p "$2" --arg w "$3" '[.errors[] | select(.path == $p and
		(.error | test("abandoned: " + $w + " blocked for [0-9]+ s")))] |
		length == 1' "$1/x/manifest.json" &&
	grep -q "abandoned: $3 blocked" "$1/x/collection.log"
}
# run_agent DIR ARGS...: the agent, wrapped in timeout; rc and secs set.
# Its stderr goes through a pipe, as in a shell's $(…) or `| tee`: the
# run has not ended for the victim until every copy of it is closed.
run_agent() {
	d=$1; shift
	mkdir -p "$d"
	s0=$(date +%s)
	timeout --foreground "$LIMIT" "$CC_BIN" run -q --root "$FIX" -o "$d" --no-yara "$@" \
		2>&1 >"$d.out" | cat >"$d.err"
	rc=${PIPESTATUS[0]}
	secs=$(( $(date +%s) - s0 ))
	echo "# run: exit $rc in ${secs}s"
}

# 1. --time-limit, a small file whose READ never comes back (a reader
# thread waits in the kernel), between two that read fine.
stall_up || exit 0
profile Small /etc/hostname /mnt/fuse/a.txt /mnt/fuse/stall /mnt/fuse/b.txt
run_agent "$T/o1" --time-limit 5 --artifacts "$T/Small.yaml" -p Small
check "--time-limit 5, a stalled read: the run ends (exit 0, as a cut run), not hung ($LIMIT s)" \
	test "$rc" -eq 0 -a ! -e "$T/hung"
check "…by itself, within the limit and a short grace (${secs}s)" \
	test "$secs" -lt 30 -a ! -e "$T/hung"
check "…the archive verifies (verify, minisign, zstd | tar)" archive_ok "$T/o1"
check "…the files read before and after the stalled one are in it" \
	sh -c "cmp -s '$FIX/etc/hostname' '$T/o1/x/files/etc/hostname' &&
	cmp -s '$MNT/a.txt' '$T/o1/x/files/mnt/fuse/a.txt' &&
	cmp -s '$MNT/b.txt' '$T/o1/x/files/mnt/fuse/b.txt'"
check "…the stalled file is recorded as abandoned (manifest errors, log)" \
	abandoned "$T/o1" /mnt/fuse/stall read
check "…and it has no entry (nothing of it was read)" \
	jqe '[.entries[] | select(.path == "files/mnt/fuse/stall")] | length == 0' \
	"$T/o1/x/manifest.json"
check "…the manifest says the time limit cut the run" \
	jqe '.cut == "time limit reached"' "$T/o1/x/manifest.json"
stall_down

# 2. SIGTERM while a large file (streamed: its tar header already
# promised 12 MiB) blocks after 2 MiB.
stall_up || exit 0
profile Big /mnt/fuse/a.txt /mnt/fuse/big-stall /mnt/fuse/b.txt
mkdir -p "$T/o2"
s0=$(date +%s)
timeout --foreground "$LIMIT" "$CC_BIN" run -q --root "$FIX" -o "$T/o2" --no-yara \
	--max-file-size 1G --artifacts "$T/Big.yaml" -p Big >"$T/o2.out" 2>"$T/o2.err" &
pid=$!
for _ in $(seq 1 100); do ls -A "$T/o2" | grep -q '\.part$' && break; sleep 0.1; done
sleep 3	# stuck in big-stall by now
kill -TERM "$pid" 2>/dev/null
# timeout --foreground passes the TERM to the agent, once.
wait "$pid"; rc=$?
secs=$(( $(date +%s) - s0 ))
echo "# run: exit $rc in ${secs}s"
check "SIGTERM while a read is stalled: the run ends by itself with exit 5 (interrupted)" \
	test "$rc" -eq 5 -a ! -e "$T/hung"
check "…the archive verifies (verify, minisign, zstd | tar)" archive_ok "$T/o2"
check "…the file before it is in it" has "$T/o2" /mnt/fuse/a.txt
# The bytes read (the note says how many: the kernel reads ahead, so
# fewer than the 2 MiB served), then zeros up to the size promised.
zero_filled() {	# FILE GOT
	[ "$2" -gt 0 ] && [ "$(stat -c %s "$1")" -eq 12582912 ] &&
	[ "$(head -c "$2" "$1" | tr -d B | wc -c)" -eq 0 ] &&
	[ "$(tail -c +"$(( $2 + 1 ))" "$1" | tr -d '\000' | wc -c)" -eq 0 ]
}
got=$(jq -r '.entries[] | select(.path == "files/mnt/fuse/big-stall") | .note' \
	"$T/o2/x/manifest.json" 2>/dev/null | sed -n 's/.* after \([0-9]*\) of .*/\1/p')
check "…the stalled entry is completed to its promised size: ${got:-?} bytes read, then zeros" \
	zero_filled "$T/o2/x/files/mnt/fuse/big-stall" "${got:-0}"
check "…and marked so in the manifest (note: abandoned, bytes read so far)" \
	jqe '.entries[] | select(.path == "files/mnt/fuse/big-stall") |
		.note | test("abandoned: read blocked for [0-9]+ s after [0-9]+ of 12582912 bytes")' \
	"$T/o2/x/manifest.json"
check "…and recorded as abandoned (manifest errors, log)" \
	abandoned "$T/o2" /mnt/fuse/big-stall read
check "…the manifest says SIGTERM cut the run" \
	jqe '.cut == "stopped by SIGTERM"' "$T/o2/x/manifest.json"
stall_down

# 3. SIGTERM, no time limit, a small stalled read: the reader waits in
# the kernel; the files around it are archived.
stall_up || exit 0
mkdir -p "$T/o3"
timeout --foreground "$LIMIT" "$CC_BIN" run -q --root "$FIX" -o "$T/o3" --no-yara \
	--artifacts "$T/Small.yaml" -p Small >"$T/o3.out" 2>"$T/o3.err" &
pid=$!
for _ in $(seq 1 100); do ls -A "$T/o3" | grep -q '\.part$' && break; sleep 0.1; done
sleep 3
kill -TERM "$pid" 2>/dev/null
wait "$pid"; rc=$?
check "SIGTERM, a small stalled read: the run ends by itself, exit 5" \
	test "$rc" -eq 5 -a ! -e "$T/hung"
check "…the archive verifies" archive_ok "$T/o3"
check "…the other files are in it" sh -c "cmp -s '$MNT/a.txt' '$T/o3/x/files/mnt/fuse/a.txt' &&
	cmp -s '$MNT/b.txt' '$T/o3/x/files/mnt/fuse/b.txt'"
check "…the stalled file is recorded as abandoned" abandoned "$T/o3" /mnt/fuse/stall read
stall_down

# 4. --time-limit, a file whose OPEN never comes back.
stall_up || exit 0
profile Open /mnt/fuse/a.txt /mnt/fuse/stall-open /mnt/fuse/b.txt
run_agent "$T/o4" --time-limit 5 --artifacts "$T/Open.yaml" -p Open
check "--time-limit 5, a stalled open: the run ends (exit 0), not hung" \
	test "$rc" -eq 0 -a ! -e "$T/hung"
check "…by itself, within the limit and a short grace (${secs}s)" \
	test "$secs" -lt 30 -a ! -e "$T/hung"
check "…the archive verifies" archive_ok "$T/o4"
check "…the file before it is in it" has "$T/o4" /mnt/fuse/a.txt
check "…the stalled file is recorded as abandoned" abandoned "$T/o4" /mnt/fuse/stall-open open
stall_down

# 5. No limit, no signal: the stall watchdog (CSIRT_COLLECT_STALL_SECS,
# 60 s by default) gives up on reads that have not moved for that long,
# and the run goes on to the files after them, uncut.
stall_up || exit 0
profile Dog /mnt/fuse/a.txt /mnt/fuse/stall /mnt/fuse/b.txt /mnt/fuse/big-stall /etc/hostname
CSIRT_COLLECT_STALL_SECS=3 run_agent "$T/o5" --artifacts "$T/Dog.yaml" -p Dog
check "stall watchdog (3 s), no limit: the run ends by itself, exit 0 (${secs}s)" \
	test "$rc" -eq 0 -a "$secs" -lt 30 -a ! -e "$T/hung"
check "…the archive verifies" archive_ok "$T/o5"
check "…both stalled files are recorded as abandoned" \
	sh -c "$(declare -f jqe abandoned); FIX='$FIX'; abandoned '$T/o5' /mnt/fuse/stall read &&
	abandoned '$T/o5' /mnt/fuse/big-stall read"
check "…the files after them are collected, the run is not cut" \
	sh -c "cmp -s '$MNT/b.txt' '$T/o5/x/files/mnt/fuse/b.txt' &&
	cmp -s '$FIX/etc/hostname' '$T/o5/x/files/etc/hostname'" 
check "…and the manifest says it was not cut" jqe '.cut == null' "$T/o5/x/manifest.json"
stall_down

# A run that left threads stuck reports its status before it is reaped,
# so a sanitizer's exit status would be lost: its reports are looked for
# in what the runs wrote (check-tsan, check-asan).
check "no sanitizer report in any run's stderr" \
	sh -c "! grep -lE 'WARNING: ThreadSanitizer|ERROR: AddressSanitizer|runtime error:' '$T'/o*.err"
