#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# The reader pool and the memory bounds (issue 11): sizes around the read
# ring's limits and more empty files than the pool takes jobs are each
# archived whole, in the walk's order, the same from one run to the next;
# YARA sees the bytes that were archived; peak memory does not grow with
# the size of the files, nor much with their number.
. "$(dirname "$0")/lib.sh"

R=$T/root
mkdir -p "$R/data/empty" "$R/data/mix"
python3 - "$R/data" <<'PY'
import os, random, sys
root = sys.argv[1]
random.seed(7)
for i in range(300):		# more than the pool's 256 jobs
    open(f"{root}/empty/e{i:03d}", "wb").close()
M = 1 << 20
# The ring holds 16 MiB; files up to 8 MiB go to it, larger ones stream.
sizes = [8 * M, 8 * M, 8 * M, 8 * M - 1, 8 * M + 1, 5 * M, 20 * M, 1, 0]
sizes += [random.randint(1, 300000) for _ in range(200)]
random.shuffle(sizes)
marker = b"CSIRT-POOL-MARKER-7f3a"
for i, n in enumerate(sizes):
    data = bytearray(os.urandom(n))
    if n >= 5 * M:		# deep inside: past the first chunk
        off = n - 4096 if n <= 8 * M + 1 else 12 * M
        data[off:off + len(marker)] = marker
    with open(f"{root}/mix/m{i:03d}", "wb") as f:
        f.write(data)
PY
cat >"$T/all.yaml" <<'EOY'
name: PoolAll
doc: every file of the test tree
sources:
- type: FILE
  attributes: {paths: ['/data/**3']}
supported_os: [Linux]
EOY
cat >"$T/marker.yar" <<'EOY'
rule pool_marker { strings: $m = "CSIRT-POOL-MARKER-7f3a" condition: $m }
EOY

run_pool() {	# OUTDIR
	mkdir -p "$1"
	"$CC_BIN" run -q --root "$R" --artifacts "$T/all.yaml" -p PoolAll \
		--rules "$T/marker.yar" --no-process-memory --nice 0 -o "$1"
}
check_rc "a run over 509 files around the ring's limits: exit 0" 0 run_pool "$T/o1"
A1=$(archive_in "$T/o1")
check "…the archive verifies" "$CC_BIN" verify "$A1"
mkdir "$T/x1"
tar --zstd -xf "$A1" -C "$T/x1"
check "…stock tar extracts every file byte for byte (diff -r)" \
	diff -r "$R/data" "$T/x1/files/data"
check "…the manifest lists the 509 files" \
	jqe '[.entries[] | select(.path | startswith("files/data/"))] | length == 509' \
	"$T/x1/manifest.json"
paths_of() { jq -r '.entries[].path' "$1"; }
check "…entries are in the order of the walk (the tar's order is the manifest's)" \
	cmp -s <(tar --zstd -tf "$A1" | grep '^files/') <(paths_of "$T/x1/manifest.json" | grep '^files/')

check_rc "a second run over the same tree: exit 0" 0 run_pool "$T/o2"
mkdir "$T/x2"
tar --zstd -xf "$(archive_in "$T/o2")" -C "$T/x2" manifest.json
check "…the same entries in the same order (no thread timing in the archive)" \
	cmp -s <(paths_of "$T/x1/manifest.json" | grep '^files/') \
	<(paths_of "$T/x2/manifest.json" | grep '^files/')

# YARA saw the archived bytes: the same files as stock yara on the tree.
yara -r "$T/marker.yar" "$R/data" 2>/dev/null | awk '{print $2}' |
	sed "s|^$R||" | sort >"$T/stock.matches"
jq -r '.path' "$T/x1/yara/matches.jsonl" | sort -u >"$T/our.matches"
check "…the marker is found in the 7 files that hold it, as stock yara finds it" \
	test "$(wc -l <"$T/stock.matches")" -eq 7
check "…our matches are stock yara's" diff "$T/stock.matches" "$T/our.matches"

# Under ThreadSanitizer (make check-tsan) memory is its shadow and
# history, not ours: the peak-RSS cases are for the other builds.
if [ -n "${CC_TSAN:-}" ]; then
	skip "peak RSS under ThreadSanitizer: not measured"
else
	# Peak RSS (KiB) of a run; memory is not time: this is not a timed test.
	# Under ASan (make check-asan) freed memory is held in a quarantine and
	# would look like memory in use: no quarantine for these runs.
	peak() {	# OUTDIR ROOT
		mkdir -p "$1"
		ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0" \
		python3 - "$CC_BIN" run -q --root "$2" --artifacts "$T/all.yaml" \
			-p PoolAll --rules "$T/marker.yar" --no-process-memory --nice 0 \
			-o "$1" <<'PY'
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if r.returncode == 0 else -1)
PY
	}
	mkdir -p "$T/big1/data" "$T/big2/data"
	truncate -s 100M "$T/big1/data/f"
	truncate -s 3G "$T/big2/data/f"
	r1=$(peak "$T/ob1" "$T/big1"); r2=$(peak "$T/ob2" "$T/big2")
	echo "# peak RSS: 100 MiB file $((r1 / 1024)) MiB, 3 GiB file $((r2 / 1024)) MiB"
	check "…peak RSS is flat in file size: a 3 GiB file costs less than 16 MiB more than a 100 MiB one" \
		test "$r1" -gt 0 -a "$r2" -gt 0 -a $((r2 - r1)) -lt 16384
	rm -rf "$T/big1" "$T/big2" "$T/ob1" "$T/ob2"

	mkdir -p "$T/n1/data" "$T/n2/data"
	# The same 64 MiB of large files in both, so that the buffers filled by
	# volume (zstd's jobs, the read ring) are full in both runs.
	python3 - "$T/n1/data" 2000 "$T/n2/data" 40000 <<'PY'
import os, sys
for root, n in ((sys.argv[1], int(sys.argv[2])), (sys.argv[3], int(sys.argv[4]))):
    os.makedirs(os.path.join(root, "big"))
    for i in range(8):
        with open(os.path.join(root, "big", "b%d" % i), "wb") as f:
            f.write(os.urandom(8 << 20))
    for i in range(n):
        d = os.path.join(root, "d%03d" % (i % 100))
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "a-rather-long-file-name-%08d.log" % i), "wb") as f:
            f.write(b"x" * (i % 97))
PY
	r1=$(peak "$T/on1" "$T/n1"); r2=$(peak "$T/on2" "$T/n2")
	echo "# peak RSS: 2,000 files $((r1 / 1024)) MiB, 40,000 files $((r2 / 1024)) MiB"
	# Uncompressed, 38,000 more manifest lines (kept, then dumped whole) and
	# paths would cost over 30 MiB; compressed and hashed, under 8 MiB. The
	# bodyfile's md5 map (collect_file_md5) adds its bound on top: at most
	# 65,536 files, a table of 4 MiB (6 while it grows).
	check "…38,000 more files cost less than 14 MiB more (8 + the md5 map's 6)" \
		test "$r1" -gt 0 -a "$r2" -gt 0 -a $((r2 - r1)) -lt 14336
fi
