#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# Limits and faults: time limit, total size, signals, a full disk. Each
# cut run must still close a complete, signed archive saying what was cut.
. "$(dirname "$0")/lib.sh"

FIX=$T/fixture
make_fixture "$FIX"
# A large sparse file early in the built-in list: reading it takes a
# few seconds, long enough for a limit or a signal to land during it.
rm "$FIX/etc/hosts"; truncate -s 2G "$FIX/etc/hosts"

cut_archive_ok() {	# DIR REASON: the archive verifies and says it was cut
	A=$(archive_in "$1")
	rm -rf "$T/x"; mkdir "$T/x"
	[ -n "$A" ] && "$CC_BIN" verify "$A" >/dev/null 2>&1 &&
	tar --zstd -xf "$A" -C "$T/x" manifest.json &&
	jq -e --arg r "$2" '.cut == $r' "$T/x/manifest.json" >/dev/null
}

mkdir "$T/o1"
check_rc "--time-limit 1 with a slow file: exit 0" 0 \
	"$CC_BIN" run -q --root "$FIX" -o "$T/o1" --time-limit 1 --max-file-size 8G --no-yara
check "…a complete signed archive whose manifest says the time limit cut it" \
	cut_archive_ok "$T/o1" "time limit reached"
tar --zstd -xf "$A" -C "$T/x" collection.log
check "…no collector started after the cut, and the log says which were not run" \
	jqe -s '(map(.message) | index("time limit of 1s reached: finishing the archive")) as $i |
		$i != null and ([.[$i:][] | select(.message == "started")] | length == 0)' \
		"$T/x/collection.log"
mkdir "$T/ref"
"$CC_BIN" run -q --root "$FIX" -o "$T/ref" --max-file-size 1K >/dev/null 2>&1
tar --zstd -xf "$(archive_in "$T/ref")" -C "$T/ref" manifest.json
check "…fewer entries than an uncut run: the rest was not collected" \
	test "$(jq '.entries|length' "$T/x/manifest.json")" -lt "$(jq '.entries|length' "$T/ref/manifest.json")"
# The cut may come before or during the large file (set-up is slower under
# ASan), never in the middle of an entry: if it is there, it is whole.
check "…an entry in hand when the limit came was finished, not cut" \
	jqe '[.entries[] | select(.path=="files/etc/hosts")] | all(.size==2147483648 and (.truncated|not))' "$T/x/manifest.json"

mkdir "$T/o2"
check_rc "--max-total-size 100K: exit 0" 0 \
	"$CC_BIN" run -q --root "$FIX" -o "$T/o2" --max-total-size 100K
check "…a complete signed archive whose manifest says the size limit cut it" \
	cut_archive_ok "$T/o2" "total size limit reached"
mkdir "$T/o2b"
"$CC_BIN" run -q --root "$FIX" -o "$T/o2b" --max-total-size 300K >/dev/null 2>&1
A=$(archive_in "$T/o2b"); rm -rf "$T/x"; mkdir "$T/x"; tar --zstd -xf "$A" -C "$T/x" manifest.json
check "…collected bytes stay within the budget" \
	jqe '([.entries[] | select(.path|startswith("files/")) | .size] | add) <= 307200' "$T/x/manifest.json"
check "…the file cut by the budget is marked truncated" \
	jqe '[.entries[] | select(.truncated)] | length == 1' "$T/x/manifest.json"

mkdir "$T/o3"
"$CC_BIN" run -q --root "$FIX" -o "$T/o3" --max-file-size 8G --no-yara >/dev/null 2>&1 &
pid=$!
# Once it collects (the .part exists; slow to appear under ASan), not
# during set-up, before the handlers are in place.
for _ in $(seq 1 100); do ls -A "$T/o3" | grep -q '\.part$' && break; sleep 0.1; done
sleep 0.5; kill -TERM $pid; wait $pid; rc=$?
check "SIGTERM during collection: exit 5 (interrupted)" test $rc -eq 5
check "…a complete signed archive whose manifest says SIGTERM cut it" \
	cut_archive_ok "$T/o3" "stopped by SIGTERM"

mkdir "$T/o4"
"$CC_BIN" run -q --root "$FIX" -o "$T/o4" --max-file-size 8G --no-yara >/dev/null 2>&1 &
pid=$!
sleep 0.5; kill -INT $pid; sleep 0.2; kill -INT $pid; wait $pid; rc=$?
check "a second signal aborts at once" test $rc -ne 0
check "…and leaves no partial file under a final name" \
	test -z "$(ls "$T/o4" | grep -v '^\.')"

# Disk full: a 256 KiB tmpfs in a private mount namespace.
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
	rm "$FIX/etc/hosts"; echo "127.0.0.1 localhost" >"$FIX/etc/hosts"
	head -c 2000000 /dev/urandom >"$FIX/var/log/syslog"
	mkdir "$T/full"
	unshare -m sh -c "mount -t tmpfs -o size=256k tmpfs '$T/full' &&
		'$CC_BIN' run -q --root '$FIX' -o '$T/full' 2>'$T/full.err'; echo \$? >'$T/full.rc';
		ls -A '$T/full' >'$T/full.ls'"
	# The free-space check before collecting sees it (t-deliver: the
	# stream fallback when a drop box is configured).
	check "disk too small for the output: exit 2 before collecting" test "$(cat "$T/full.rc")" = 2
	check "…the message says there is not enough room there" grep -q "not enough room in $T/full" "$T/full.err"
	check "…and nothing is written" test ! -s "$T/full.ls"
else
	echo "SKIP $TNAME: disk-full test needs root and unshare -m"
fi
