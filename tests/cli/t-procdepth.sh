#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# Per-process depth (issue 18): a process holding a file opened then
# deleted, a memfd with a marker (mapped), an executable memfd mapping,
# anonymous executable memory and a dlopen-ed library since unlinked
# (tests/tools/suspect), a second process holding the same deleted file,
# one whose descriptors come and go, and a storm of short-lived processes
# with many descriptors each. One live run under strace -f: the fd and
# maps records, the copies (marker, sha256 of /proc/PID/fd/N read by the
# test, once per file), environ and cgroup, and no program executed.
. "$(dirname "$0")/lib.sh"

SUSPECT=${CC_BUILD:-$CC_TOP/build}/tools/suspect
PROFILE=LinuxCronFiles		# keep the file part of the run small
pids=""
at_exit 'kill $pids 2>/dev/null'
bg() { pids="$pids $!"; }
# wait_ready FILE: until the tool said "ready" (5 s at most).
wait_ready() {
	for i in $(seq 50); do grep -qx ready "$1" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}
field() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }

if [ ! -x "$SUSPECT" ]; then
	nok "tests/tools/suspect is not built (make)"; exit 1
fi
if ! command -v cc >/dev/null; then
	skip "no C compiler to build the injected library"; exit 0
fi

# --- Ground truth -------------------------------------------------------
mkdir -p "$T/work" "$T/lib" "$T/o" "$T/x"
echo 'int injected_marker(void) { return 42; }' >"$T/inj.c"
cc -shared -fPIC -o "$T/lib/libinjected.so" "$T/inj.c" || { nok "cc -shared"; exit 1; }
MARK="procdepth-$$-$RANDOM"
SUSPECT_MARK=$MARK "$SUSPECT" "$T/work" "$T/lib/libinjected.so" >"$T/s.out" & bg
wait_ready "$T/s.out" || { nok "suspect did not start: $(cat "$T/s.out")"; exit 1; }
PID=$(field "$T/s.out" pid)
FFD=$(field "$T/s.out" file)
MFD=$(field "$T/s.out" memfd)
check "ground truth: the library is gone from disk, still mapped" \
	sh -c "test ! -e '$T/lib/libinjected.so' && grep -q 'libinjected.so (deleted)' /proc/$PID/maps"
FILE_SHA=$(sha256sum </proc/$PID/fd/$FFD | cut -d' ' -f1)
MEM_SHA=$(sha256sum </proc/$PID/fd/$MFD | cut -d' ' -f1)
# A second holder of the same deleted file (a new open of its inode).
sleep 1000 </proc/$PID/fd/$FFD & HOLDER=$!; bg
"$SUSPECT" -c 1000 >"$T/c.out" & bg
wait_ready "$T/c.out"
CHURN=$(field "$T/c.out" pid)
"$SUSPECT" -s 1000 >"$T/storm.out" & STORM=$!; bg
wait_ready "$T/storm.out"
# It exits when this run's agent opens the deleted file it holds as its
# middle descriptor (the agent's environment carries the mark).
"$SUSPECT" -x "$T/work" "$MARK" 800 >"$T/x.out" & bg
wait_ready "$T/x.out"
EXITER=$(field "$T/x.out" pid)

# --- One live run, under strace -f (execve only) ------------------------
if command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null; then
	TRACE="strace -f -qq -e trace=execve -o $T/trace"
	strace --seccomp-bpf -o /dev/null true 2>/dev/null &&
		TRACE="strace --seccomp-bpf -f -qq -e trace=execve -o $T/trace"
else
	TRACE=""
fi
start=$(date +%s)
# LeakSanitizer (make check-asan) cannot work under ptrace: off here.
ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0" \
	PROCDEPTH_AGENT=$MARK $TRACE "$CC_BIN" run --output "$T/o" -p "$PROFILE" --no-yara -q \
	--max-file-size 8M >"$T/stdout" 2>"$T/stderr"
rc=$?
kill $STORM 2>/dev/null
check "live run exits 0 ($(( $(date +%s) - start )) s)" test "$rc" = 0
[ "$rc" = 0 ] || sed 's/^/    /' "$T/stderr" | head -5
a=$(archive_in "$T/o")
[ -n "$a" ] && tar --zstd -xf "$a" -C "$T/x"
X=$T/x
F=$X/live/process_fds.jsonl
M=$X/live/process_maps.jsonl
P=$X/live/processes.jsonl
check "the archive verifies" sh -c "\"$CC_BIN\" verify \"$a\" -p \"$a.pub\" >/dev/null 2>&1"
check "process_fds and process_maps streams written" test -s "$F" -a -s "$M"

if [ -n "$TRACE" ]; then
	# The first execve is strace starting the agent; any other is a program.
	n=$(grep -c 'execve(' "$T/trace")
	check "the agent ran no program (execve after its own: $((n - 1)))" test "$n" -eq 1
else
	skip "strace missing or ptrace not allowed: execve not counted"
fi

r=$(jq -c "select(.pid==$PID and .fd==$FFD)" "$F")
check "fd record: the deleted file, type file, deleted, fdinfo read" \
	jqe -n --argjson r "$r" --arg t "$T/work/deleted-evidence.txt (deleted)" \
	'$r.target == $t and $r.type == "file" and $r.deleted == true and
	 $r.memfd == false and $r.pos > 0 and ($r.flags|test("^[0-7]+$")) and
	 ($r.mnt_id|type) == "number" and ($r.copy|type) == "string"'
# check_copy WHAT RECORD MARKER SHA FD: the copy the fd record names.
check_copy() {
	c=$(echo "$2" | jq -r '.copy // empty')
	check "$1 copy: in the archive with the marker" \
		grep -q "$3" "$X/${c:-none}"
	check "$1 copy: sha256 of /proc/PID/fd/N as the test read it" \
		test "$(sha256sum <"$X/${c:-none}" | cut -d' ' -f1)" = "$4"
	check "$1 copy: the manifest names its source and hash" \
		jqe --arg p "$c" --arg s "$4" --arg src "/proc/$PID/fd/$5" \
		'.entries | any(.path == $p and .sha256 == $s and .source == $src)' \
		"$X/manifest.json"
	check "$1 copy: named like the exe copies (live/fd/PID-FD), sha256 in the record" \
		jqe -n --argjson r "$2" --arg s "$4" \
		"\$r.copy == \"live/fd/$PID-$5\" and \$r.sha256 == \$s"
}
check_copy "deleted file" "$r" "CSIRT-DELETED-MARKER-$PID" "$FILE_SHA" "$FFD"
copy=$(echo "$r" | jq -r '.copy // empty')
rh=$(jq -c "select(.pid==$HOLDER and .fd==0)" "$F")
check "a second holder of the same file: deleted, and the one copy" \
	jqe -n --argjson r "$rh" --arg c "$copy" '$r.deleted and $r.copy == $c'
check "the deleted file is copied once for both holders" \
	jqe --arg s "$FILE_SHA" '[.entries[] | select(.sha256 == $s and
		(.path|startswith("live/fd/")))] | length == 1' "$X/manifest.json"

r=$(jq -c "select(.pid==$PID and .fd==$MFD)" "$F")
check "fd record: the memfd, type memfd, memfd true" \
	jqe -n --argjson r "$r" '$r.target == "/memfd:suspect-data (deleted)" and
	 $r.type == "memfd" and $r.memfd == true and $r.deleted == false'
check_copy "memfd" "$r" "CSIRT-MEMFD-MARKER-$PID" "$MEM_SHA" "$MFD"
check "sockets, pipes, devices, anon inodes are never copied" \
	jqe -s 'all(.[] | select(.type != "file" and .type != "memfd"); .copy == null)
		and any(.[]; .type == "pipe" and (.pipe_inode|type) == "number")
		and any(.[]; .type == "device")' "$F"
check "every fd record has the documented fields" \
	jqe -s 'length > 0 and all(.[]; (.pid|type) == "number" and
		(.process|type) == "string" and (.fd|type) == "number" and
		(.target|type) == "string" and (.deleted|type) == "boolean" and
		(.memfd|type) == "boolean" and has("pos") and has("flags") and
		has("mnt_id") and has("copy"))' "$F"

check "maps: the deleted library, executable" \
	jqe -s --arg p "$T/lib/libinjected.so" "any(.[]; .pid==$PID and .path == \$p
		and .deleted == true and (.perms|test(\"x\")) and .inode > 0)" "$M"
check "maps: the memfd mapping (rw-s) and the executable memfd (r-xs)" \
	jqe -s "any(.[]; .pid==$PID and .path == \"/memfd:suspect-data\" and
		.memfd and .perms == \"rw-s\") and any(.[]; .pid==$PID and
		.path == \"/memfd:suspect-code\" and .memfd and .perms == \"r-xs\"
		and .anonymous_exec == false)" "$M"
check "maps: the anonymous rwx region is anonymous_exec, [vdso] is not" \
	jqe -s "any(.[]; .pid==$PID and .path == null and .perms == \"rwxp\" and
		.anonymous_exec) and all(.[] | select(.path == \"[vdso]\");
		.anonymous_exec == false)" "$M"
check "maps: hex start/end, dev major:minor" \
	jqe -s 'all(.[]; (.start|test("^[0-9a-f]+$")) and (.end|test("^[0-9a-f]+$"))
		and (.dev|test("^[0-9a-f]+:[0-9a-f]+$")))' "$M"

r=$(jq -c "select(.pid==$PID)" "$P")
check "processes: environ holds the variable the test set" \
	jqe -n --argjson r "$r" --arg m "SUSPECT_MARK=$MARK" '$r.environ | index($m) != null'
check "processes: cgroup lines as in /proc/PID/cgroup" \
	jqe -n --argjson r "$r" --argjson c "$(jq -R . /proc/$PID/cgroup | jq -s .)" \
	'($r.cgroup|length) > 0 and $r.cgroup == $c'
check "processes: container fields present (null or a runtime)" \
	jqe -n --argjson r "$r" '($r|has("container_id")) and
		($r.container_runtime == null or ($r.container_runtime|type) == "string")'
nd=$(jq -c "select(.pid==$PID and .deleted and .type == \"file\")" "$F" | wc -l)
na=$(jq -c "select(.pid==$PID and .anonymous_exec)" "$M" | wc -l)
check "processes: summary counts agree with the fd and maps records ($nd deleted, $na anonymous exec)" \
	jqe -n --argjson r "$r" "\$r.deleted_fds == $nd and $nd >= 1 and
		\$r.memfd_fds == 2 and \$r.anonymous_exec_regions == $na and $na >= 1"
check "processes: existing fields unchanged" \
	jqe -n --argjson r "$r" "\$r.pid == $PID and \$r.name == \"suspect\" and
		(\$r.cmdline|length) == 3 and \$r.exe_deleted == false and \$r.hidden == false"
check "processes: the agent's own processes are left out of fds and maps" \
	jqe -s 'any(.[]; .depth_skipped == "agent")' "$P"

# --- Must-fail: descriptors that vanish, processes that exit ---------------
check "descriptors closed while read: counted in the process's record" \
	jqe -s "any(.[]; .pid == $CHURN and .fds_closed_while_read >= 1)" "$P"
check "…named in collection.log, not an error of the manifest" \
	sh -c 'grep -q "/proc/$1/fd: [0-9]* descriptors closed while read" "$2/collection.log" &&
		jq -e --arg p "/proc/$1/fd: " "[.errors[] | select(.error|startswith(\$p))] | length == 0" \
		"$2/manifest.json" >/dev/null' sh "$CHURN" "$X"
check "the churning process still has its record" \
	jqe -s "any(.[]; .pid == $CHURN)" "$P"
if [ -z "$EXITER" ]; then
	skip "no fanotify here: the process exiting halfway through its descriptors was not made"
else
	check "a process gone halfway through its descriptors: it did exit" \
		grep -qx exited "$T/x.out"
	n=$(jq -c "select(.pid==$EXITER)" "$F" | wc -l)
	check "its descriptor records up to its exit stay ($n of 800+)" \
		test "$n" -gt 400 -a "$n" -lt 800
	check "the deleted file whose copy made it exit is in the archive" \
		jqe -s "any(.[]; .pid==$EXITER and .deleted and
			(.target|test(\"exit-trigger.txt\")) and .copy == \"live/fd/$EXITER-\(.fd)\")" "$F"
	# (Its process record is there if its parent had not yet reaped it.)
	check "its exit is no error in the manifest" \
		jqe ".errors | all(.error | contains(\"/proc/$EXITER/\") | not)" \
		"$X/manifest.json"
	check "the log says it exited while read, with the records written" \
		jqe -s "any(.[]; .collector == \"processes\" and (.message|test(
			\"^process $EXITER \\\\(suspect\\\\) exited while read: [0-9]+ descriptor\")))" \
		"$X/collection.log"
fi
check "processes that exited during collection are counted in the log" \
	jqe -s 'any(.[]; .collector == "processes" and
		(.message|test("^[0-9]+ process records, [1-9][0-9]* exited while read")))' \
	"$X/collection.log"
check "the summary log line counts fd and maps records and copies" \
	jqe -s 'any(.[]; .collector == "processes" and
		(.message|test("descriptor records .* mapping records .* [1-9][0-9]* deleted or memfd files copied")))' \
	"$X/collection.log"

# --- The descriptor cap (65,536 per process) --------------------------------
if (ulimit -n 66000) 2>/dev/null; then
	(ulimit -n 66000; exec "$SUSPECT" -m 66000 >"$T/m.out") & bg
	wait_ready "$T/m.out"
	MANY=$(field "$T/m.out" pid)
	mkdir -p "$T/o2" "$T/x2"
	"$CC_BIN" run --output "$T/o2" -p "$PROFILE" --no-yara -q >/dev/null 2>&1
	tar --zstd -xf "$(archive_in "$T/o2")" -C "$T/x2"
	check "66,000 descriptors: 65,536 recorded, the record says cut" \
		sh -c "test \$(jq -c 'select(.pid==$MANY)' '$T/x2/live/process_fds.jsonl' | wc -l) -eq 65536 &&
		jq -e 'select(.pid==$MANY) | .fds_truncated == true' '$T/x2/live/processes.jsonl' >/dev/null"
else
	skip "cannot raise RLIMIT_NOFILE past 65,536 here: the cap is tested by test_procfd (test_list_cap)"
fi
