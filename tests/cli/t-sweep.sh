#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# The sweep's second read (issue 17): a swept file that matches is
# archived from the bytes scanned, except one larger than SCAN_CAP
# (64 MiB, scanned on its first 64 MiB) whose archive takes more: it is
# read again, and the first bytes of that copy must be those scanned.
# A file rewritten all the time (its first 8 bytes, a counter) is
# recorded as "changed between scan and copy" in its manifest entry and
# in collection.log; one left alone is archived whole, with no note.
. "$(dirname "$0")/lib.sh"

ROOT=$T/root
S=$ROOT/big
mkdir -p "$S" "$T/o1" "$T/x1"
printf 'rule Big_Marker { strings: $m = "CC_BIG_MARKER_w4" condition: $m }\n' >"$T/big.yar"
# 70 MiB each (sparse: quick to make, and the archive compresses it),
# the marker at 4 KiB, well inside the first 64 MiB scanned.
for f in stable changing; do
	{ head -c 4096 /dev/urandom; printf 'CC_BIG_MARKER_w4\n'; } >"$S/$f.bin"
	truncate -s 70M "$S/$f.bin"
done
head -c 1000 /dev/urandom >"$S/nomatch.bin"; truncate -s 70M "$S/nomatch.bin"
chmod -R a+rX "$ROOT"

# The writer: a counter in the first 8 bytes of changing.bin, rewritten
# every millisecond, so the scan's read and the copy's cannot agree.
python3 -c 'import os, struct, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY)
i = 0
print("ready", flush=True)
while True:
    i += 1
    os.pwrite(fd, struct.pack("<Q", i), 0)
    time.sleep(0.001)' "$S/changing.bin" >"$T/w.ready" &
WPID=$!; at_exit "kill $WPID 2>/dev/null"
for _ in $(seq 100); do grep -q ready "$T/w.ready" 2>/dev/null && break; sleep 0.1; done

set -- "$CC_BIN" run --root "$ROOT" --scan-path /big --rules "$T/big.yar" \
	--max-file-size 100M --output "$T/o1" --quiet
if command -v strace >/dev/null 2>&1; then
	check_rc "a sweep over two 70 MiB matching files exits 0 (under strace)" 0 \
		env ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0" \
		strace -f -qq -o "$T/exec" -e trace=execve "$@"
	n=$(grep -c 'execve(' "$T/exec")
	check "the agent ran no program (one execve, the agent's; saw $n)" \
		test "$n" -eq 1 -a "$(grep -cF "execve(\"$CC_BIN\"" "$T/exec")" -eq 1
else
	skip "no strace: the execve check of the sweep was not made"
	check_rc "a sweep over two 70 MiB matching files exits 0" 0 "$@"
fi
kill $WPID 2>/dev/null
A=$(archive_in "$T/o1")
tar --zstd -xf "$A" -C "$T/x1" 2>/dev/null
M=$T/x1/manifest.json
L=$T/x1/collection.log

check "both large files matched (2 files matched)" \
	grep -q '3 files scanned .* 2 files matched' "$L"
check "the file left alone is archived whole and right" \
	cmp -s "$S/stable.bin" "$T/x1/files/big/stable.bin"
check "…its manifest sha256 is the file's" test \
	"$(jq -r '.entries[] | select(.path=="files/big/stable.bin") | .sha256' "$M")" = \
	"$(sha256sum <"$S/stable.bin" | cut -d' ' -f1)"
check "…its entry has no note and no error names it" \
	jqe '(.entries[] | select(.path=="files/big/stable.bin") | has("note") | not) and
	    (.errors | all(.path != "/big/stable.bin"))' "$M"
check "…and the log does not say it changed" \
	bash -c "test -s '$L' && ! grep -F 'stable.bin' '$L' | grep -q 'changed between scan and copy'"
check "the file rewritten meanwhile is archived (70 MiB)" \
	jqe '.entries[] | select(.path=="files/big/changing.bin") | .size == 73400320' "$M"
check "…its entry's note says it changed between scan and copy" \
	jqe '.entries[] | select(.path=="files/big/changing.bin") | .note | test("changed between scan and copy: the first 67108864 bytes archived are not those scanned")' "$M"
check "…an error names it in the manifest" \
	jqe '.errors | any(.path=="/big/changing.bin" and (.error | test("changed between scan and copy")))' "$M"
check "…and collection.log says so" \
	bash -c "grep -F '/big/changing.bin' '$L' | grep -q 'changed between scan and copy'"
check "…and the sweep's summary counts it" \
	grep -q '1 matched files changed between scan and copy' "$L"
check "the file that does not match is not archived" \
	test -s "$M" -a ! -e "$T/x1/files/big/nomatch.bin"
