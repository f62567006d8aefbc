#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# The foundation end to end: a dead-box run over a fixture, checked with
# the stock tools only (minisign, tar, sha256sum, jq), and our verify.
. "$(dirname "$0")/lib.sh"

FIX=$T/fixture
make_fixture "$FIX"
atime_before=$(stat -c %X "$FIX/etc/hosts" "$FIX/var/log/auth.log")

mkdir "$T/out"
check_rc "run --root on a fixture exits 0" 0 \
	"$CC_BIN" run --root "$FIX" --output "$T/out" --case "CASE 42/x" --json
A=$(archive_in "$T/out")
cp "$T/.out" "$T/summary.json"
atime_after=$(stat -c %X "$FIX/etc/hosts" "$FIX/var/log/auth.log")

# File name: case (unsafe characters replaced), host from the fixture.
case "$(basename "$A")" in
CASE_42_x_fixture-host_2*Z.tar.zst) ok "archive name holds case, host and UTC time" ;;
*) nok "archive name: $(basename "$A")" ;;
esac
check "ephemeral public key written beside the archive" test -s "$A.pub"
check "no temporary file left in the output" \
	test -z "$(ls -A "$T/out" | grep -v -e '\.tar\.zst$' -e '\.minisig$' -e '\.pub$')"

# Stock minisign accepts the archive.
check "stock minisign -V accepts the archive" \
	minisign -Vq -m "$A" -p "$A.pub"

# Stock tar extracts it; every file's sha256 equals the manifest's.
mkdir "$T/x"
check "stock tar --zstd -xf extracts it" tar --zstd -xf "$A" -C "$T/x"
(cd "$T/x" && jq -r '.entries[] | "\(.sha256)  \(.path)"' manifest.json \
	>"$T/sums" && sha256sum --quiet -c "$T/sums") >/dev/null 2>&1 &&
	ok "sha256sum of every extracted file equals the manifest" ||
	nok "extracted files differ from the manifest"
# Every extracted file is listed (nothing extra, nothing missing).
(cd "$T/x" && find . -type f ! -name manifest.json ! -name manifest.json.minisig |
	sed 's|^\./||' | sort) >"$T/found"
jq -r '.entries[].path' "$T/x/manifest.json" | sort >"$T/listed"
check "the manifest lists exactly the files in the archive" \
	cmp -s "$T/found" "$T/listed"
# The manifest signature verifies with stock minisign too.
check "stock minisign accepts manifest.json.minisig" \
	minisign -Vq -m "$T/x/manifest.json" -x "$T/x/manifest.json.minisig" -p "$A.pub"

# In-tree paths and metadata of the fixture's files.
check "files are archived under files/ with in-tree paths" \
	cmp -s "$FIX/etc/hosts" "$T/x/files/etc/hosts"
check "a 400 KB log is archived whole" \
	cmp -s "$FIX/var/log/auth.log" "$T/x/files/var/log/auth.log"
e=$(jq -c '.entries[] | select(.path=="files/var/log/auth.log")' "$T/x/manifest.json")
[ "$(echo "$e" | jq -r .source)" = /var/log/auth.log ] &&
[ "$(echo "$e" | jq -r .mtime)" = 2024-03-01T12:34:56.000000Z ] &&
[ "$(echo "$e" | jq -r .size)" = "$(stat -c %s "$FIX/var/log/auth.log")" ] &&
[ "$(echo "$e" | jq -r .mode)" = "$(stat -c %04a "$FIX/var/log/auth.log")" ] &&
[ "$(echo "$e" | jq -r .uid)" = "$(stat -c %u "$FIX/var/log/auth.log")" ] &&
	ok "manifest records source path, size, mode, uid and mtime" ||
	nok "manifest metadata: $e"
check "tar entry keeps the source mtime" \
	test "$(stat -c %Y "$T/x/files/etc/hosts")" = "$(stat -c %Y "$FIX/etc/hosts")"
check "manifest host comes from the fixture" \
	test "$(jq -r .host.hostname "$T/x/manifest.json")" = fixture-host
check "manifest has started/finished UTC times" \
	jqe '(.started|test("Z$")) and (.finished|test("Z$")) and .format==1' "$T/x/manifest.json"
check "collection.log is JSON lines with time, level and message" \
	jqe -s 'length > 3 and all(.[]; has("time") and has("level") and has("message"))' "$T/x/collection.log"
check "dead-box mode skips the live collectors" \
	test ! -e "$T/x/live/processes.jsonl"

# --json summary on stdout matches the file.
check "--json summary names the archive and its sha256" \
	test "$(jq -r .sha256 "$T/summary.json")" = "$(sha256sum "$A" | cut -d' ' -f1)"
check "--json summary is the only thing on stdout" \
	test "$(wc -l <"$T/summary.json")" -eq 1

# Our verify accepts it.
check_rc "verify accepts the archive" 0 "$CC_BIN" verify "$A"

# Reading did not change the atime of collected files.
check "collecting leaves the atime of collected files unchanged" \
	test "$atime_before" = "$atime_after"
# Control: a plain read of a copy does change atime on this filesystem,
# so the assertion above can fail.
cp -p "$FIX/etc/hosts" "$T/ctl"; touch -a -d '2020-01-01 UTC' "$T/ctl"
c0=$(stat -c %X "$T/ctl"); cat "$T/ctl" >/dev/null; c1=$(stat -c %X "$T/ctl")
if [ "$c0" != "$c1" ]; then ok "control: a plain read updates atime here"
else echo "SKIP $TNAME: this filesystem does not update atime (noatime), so the atime check cannot fail here"; fi

# The agent never collects its own output: not the archive being written,
# not what else is in the output directory, live or dead-box.
mkdir -p "$T/own/box/data/out"
echo "an earlier archive" >"$T/own/box/data/out/earlier.bin"
echo "evidence" >"$T/own/box/data/keep.txt"
cat >"$T/own/own.yaml" <<EOY
name: OwnOut
doc: a tree that holds the output directory
sources:
- type: FILE
  attributes: {paths: ['/data/**3', '$T/own/live/**3']}
supported_os: [Linux]
EOY
check_rc "dead-box: output directory inside the root and inside an artefact: exit 0" 0 \
	"$CC_BIN" run -q --root "$T/own/box" --artifacts "$T/own/own.yaml" -p OwnOut \
	--no-yara -o "$T/own/box/data/out"
A=$(archive_in "$T/own/box/data/out")
mkdir "$T/own/x"; tar --zstd -xf "$A" -C "$T/own/x" manifest.json collection.log
check "…the evidence beside it is collected" \
	jqe '[.entries[] | select(.path == "files/data/keep.txt")] | length == 1' "$T/own/x/manifest.json"
check "…nothing of the output directory is (neither the archive nor an older file)" \
	jqe '[.entries[] | select(.path | startswith("files/data/out/"))] | length == 0' "$T/own/x/manifest.json"
check "…and the log says why" grep -q "the agent's own output: not collected" "$T/own/x/collection.log"
mkdir -p "$T/own/live"
echo "an earlier archive" >"$T/own/live/earlier.bin"
check_rc "live: the output directory inside an artefact and a --scan-path: exit 0" 0 \
	"$CC_BIN" run -q --allow-unprivileged --artifacts "$T/own/own.yaml" -p OwnOut \
	--scan-path "$T/own/live" --no-process-memory -o "$T/own/live"
A=$(archive_in "$T/own/live")
mkdir "$T/own/y"; tar --zstd -xf "$A" -C "$T/own/y" manifest.json collection.log
check "…no entry of the output directory, not even the .part being written" \
	jqe --arg d "files$T/own/live/" '[.entries[] | select(.path | startswith($d))] | length == 0' \
	"$T/own/y/manifest.json"
check "…the YARA sweep skipped it too (0 files scanned)" \
	jqe -s 'map(select(.collector == "yara" and (.message | test(" 0 files scanned")))) | length == 1' \
	"$T/own/y/collection.log"

# Directories keep their atime too: those listed by the artefact globs,
# the timeline and a --scan-path sweep (each walk lists them).
D=$T/atime
mkdir -p "$D/root/var/log/app/old" "$D/root/sweep/a/b" "$D/o" "$D/ctl/x"
echo log >"$D/root/var/log/app/old/x.log"
echo s >"$D/root/sweep/a/b/s.txt"
cat >"$D/a.yaml" <<'EOF'
name: AtimeProfile
doc: a glob, the timeline
labels: [Profile]
sources:
- type: FILE
  attributes: {paths: ['/var/log/**']}
- type: DIRECTORY
  attributes: {paths: ['/var', '/sweep']}
EOF
dirs="$D/root/var/log $D/root/var/log/app $D/root/var/log/app/old $D/root/sweep $D/root/sweep/a $D/root/sweep/a/b"
touch -a -d '2020-01-01 00:00:00 UTC' $dirs "$D/ctl/x"
before=$(stat -c %X $dirs)
check_rc "a run with a glob, the timeline and a sweep over the same directories" 0 \
	"$CC_BIN" run --quiet --root "$D/root" -o "$D/o" --artifacts "$D/a.yaml" \
	-p AtimeProfile --scan-path /sweep
check "…leaves the atime of every directory it listed unchanged" \
	test "$before" = "$(stat -c %X $dirs)"
ls "$D/ctl/x" >/dev/null
if [ "$(stat -c %X "$D/ctl/x")" != "$(date -d '2020-01-01 00:00:00 UTC' +%s)" ]; then
	ok "control: listing a directory updates its atime here"
else skip "this filesystem does not update directory atimes: the check above cannot fail here"; fi
