#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# A hostile tree: names with newlines, '|', invalid UTF-8 and 255-byte
# components, a 40-level deep tree, symlink loops, symlinks to the real
# host's /etc/shadow and to a canary outside --root, a FIFO, character
# devices (mknod, root only), a 20 GB sparse file, a directory of 200,000
# files, a file truncated while it is read, files that vanish between
# listing and opening. The run finishes; nothing outside --root is read;
# every JSON line is valid UTF-8 JSON; every name round-trips through the
# tar entry and the manifest (path, or path_b64 for raw bytes).
. "$(dirname "$0")/lib.sh"

R="$T/root"
H="$R/hostile"
CANARY="canary-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
mkdir -p "$H" "$R/many" "$R/churn"
printf '%s\n' "$CANARY" >"$T/outside-secret"

# Names. $'…' gives the raw bytes.
printf 'newline\n' >"$H/new"$'\n'"line"
printf 'pipe\n' >"$H/pi|pe|"
printf 'ff\n' >"$H/bad-"$'\xff'"-utf8"
printf 'c3 28\n' >"$H/bad-"$'\xc3\x28'"-seq"
printf 'both\n' >"$H/"$'\xfe'"|"$'\n'"mix"
printf 'tab\n' >"$H/tab"$'\t'"and"$'\x01'"ctl"
printf 'utf8\n' >"$H/été-東京"
printf 'literal\n' >"$H/lit\\xffname"	# a backslash, not a byte
mkfifo "$H/fi"$'\xff'"fo"
# A name that would clear the victim's terminal and fake a line.
mkfifo "$H/"$'\e[2J\e[1;1HALL CLEAN\a'
ln -s /etc/shadow "$H/li"$'\xfe'"nk"
long=$(printf 'L%.0s' $(seq 1 255))
mkdir -p "$H/$long"
printf 'long\n' >"$H/$long/$long"
# 40 levels deep, a file at the bottom.
deep="$H/deep"
for _ in $(seq 1 40); do deep="$deep/d"; done
mkdir -p "$deep"
printf 'deep\n' >"$deep/bottom"
# Links: loops, out of the root (absolute and relative), the host's shadow.
ln -s loop-b "$H/loop-a"
ln -s loop-a "$H/loop-b"
ln -s . "$H/self"
ln -s .. "$H/up"
ln -s /etc/shadow "$H/shadow"
ln -s ../../../../../../../../etc/shadow "$H/shadow-rel"
ln -s "$T/outside-secret" "$H/canary-abs"
ln -s ../../outside-secret "$H/canary-rel"
ln -s "$T" "$H/outside-dir"
mkfifo "$H/fifo"
have_dev=0
if [ "$(id -u)" -eq 0 ] && mknod "$H/zero" c 1 5 2>/dev/null &&
    mknod "$H/random" c 1 8 2>/dev/null; then
	have_dev=1
fi
# 20 GB, sparse: with --max-file-size 1M only 1 MiB is read.
truncate -s 20G "$H/sparse-20G"
# 200,000 files in one directory (one process; the timeline lists them).
python3 -c '
import os, sys
d = sys.argv[1]
for i in range(200000):
    os.close(os.open("%s/f%06d" % (d, i), os.O_CREAT | os.O_WRONLY, 0o644))
' "$R/many"

cat >"$T/hostile.yaml" <<'EOF'
name: HostileFiles
doc: every file of the hostile tree, ten levels deep
sources:
- type: FILE
  attributes: {paths: ['/hostile/**10', '/churn/*']}
---
name: HostileProfile
doc: the hostile files and the timeline of the whole fixture
labels: [Profile]
sources:
- type: ARTIFACT_GROUP
  attributes: {names: [HostileFiles]}
- type: DIRECTORY
  attributes: {paths: ['/hostile', '/many', '/churn']}
EOF

# Files vanishing between listing and opening: /churn holds 20,000 files,
# removed in random order by a second process as soon as the agent runs.
python3 -c '
import os, sys
for i in range(20000):
    os.close(os.open("%s/c%05d" % (sys.argv[1], i), os.O_CREAT | os.O_WRONLY, 0o644))
' "$R/churn"
churn() {
	python3 -c '
import os, random, sys, time
d = sys.argv[1]
names = os.listdir(d)
random.shuffle(names)
time.sleep(0.05)
for n in names:
    os.unlink(os.path.join(d, n))
' "$R/churn"
}

O="$T/o1"
mkdir -p "$O/x"
start=$(date +%s)
churn & cpid=$!
at_exit "kill $cpid 2>/dev/null"
# -v: per-file errors (which name the files) reach stderr only with it.
timeout 600 "$CC_BIN" run --root "$R" --output "$O" --no-yara -v \
    --artifacts "$T/hostile.yaml" -p HostileProfile --max-file-size 1M \
    >"$O/stdout" 2>"$O/stderr"
rc=$?
kill $cpid 2>/dev/null; wait $cpid 2>/dev/null
echo "# hostile run: $(( $(date +%s) - start ))s, exit $rc"
check "the hostile run finishes with exit 0" test "$rc" -eq 0
[ "$rc" -eq 0 ] || sed 's/^/    /' "$O/stderr" | tail -n 20
A=$(archive_in "$O")
check "the archive verifies" "$CC_BIN" verify "$A" 2>/dev/null
zstd -dcq "$A" >"$O/a.tar"
tar -xf "$O/a.tar" -C "$O/x" 2>/dev/null
X="$O/x"
M="$X/manifest.json"

# Nothing outside --root: the canary and the host's shadow never appear,
# not in files, the log, the manifest or the bodyfile.
check "the canary outside --root is nowhere in the archive" \
    sh -c "! grep -aqF '$CANARY' '$O/a.tar'"
if [ -r /etc/shadow ] && [ -s /etc/shadow ]; then
	check "no line of the host's /etc/shadow is in the archive" \
	    sh -c "! grep -aqxF -f /etc/shadow '$X/files/hostile/shadow' 2>/dev/null &&
	    ! grep -aqF -f /etc/shadow '$O/a.tar'"
else
	echo "SKIP $TNAME: no readable /etc/shadow on this host"
fi
check "links are recorded, never followed" sh -c \
    "! [ -e '$X/files/hostile/shadow' ] && ! [ -e '$X/files/hostile/canary-abs' ] &&
    ! [ -e '$X/files/hostile/outside-dir' ] && ! [ -e '$X/files/hostile/self' ]"
check "the link to /etc/shadow is in the bodyfile as a link" \
    grep -q '^0|/hostile/shadow|[0-9]*|lrwx' "$X/timeline/bodyfile.txt"

check "no control character from a name reaches the terminal (stderr)" \
    sh -c "grep -q 'ALL CLEAN' '$O/stderr' && ! grep -q \"\$(printf '\\033')\" '$O/stderr'"

# Special files: never opened, so never a hang or an endless read.
check "the FIFO is not collected and is recorded" sh -c \
    "! [ -e '$X/files/hostile/fifo' ] &&
    jq -e '.errors[] | select(.path == \"/hostile/fifo\")' '$M' >/dev/null"
if [ "$have_dev" -eq 1 ]; then
	check "character devices (mknod) are not read" sh -c \
	    "! [ -e '$X/files/hostile/zero' ] && ! [ -e '$X/files/hostile/random' ] &&
	    grep -q '^0|/hostile/zero|[0-9]*|crw' '$X/timeline/bodyfile.txt'"
else
	echo "SKIP $TNAME: mknod needs root"
fi
check "the 20 GB sparse file is cut at --max-file-size and marked" \
    jqe '.entries[] | select(.path == "files/hostile/sparse-20G") |
	.size == 1048576 and .truncated == true' "$M"
check "…and its bodyfile line has the real size" \
    grep -q '^0|/hostile/sparse-20G|[0-9]*|-rw-r--r--|[0-9]*|[0-9]*|21474836480|' \
	"$X/timeline/bodyfile.txt"
check "the 40-level deep file is in the bodyfile" \
    grep -q "^0|/hostile/deep\\(/d\\)\\{40\\}/bottom|" "$X/timeline/bodyfile.txt"
check "the 200,000 files are in the bodyfile" sh -c \
    "[ \$(grep -c '^0|/many/f' '$X/timeline/bodyfile.txt') -eq 200000 ]"
check "bodyfile: 11 fields on every line" \
    awk -F'|' 'NF != 11 { bad = 1 } END { exit bad }' "$X/timeline/bodyfile.txt"
mactime -b "$X/timeline/bodyfile.txt" -z UTC -d >/dev/null 2>"$T/mactime.err"
check "mactime -b reads the bodyfile without complaint" \
    sh -c "! [ -s '$T/mactime.err' ]"
vanished=$(jq '[.errors[] | select(.path | startswith("/churn/"))] | length' "$M")
echo "# files that vanished between listing and opening: $vanished"
if [ "$vanished" -gt 0 ]; then
	check "files that vanished are errors naming the file, not entries" \
	    jqe '[.errors[] | select(.path | startswith("/churn/")) |
		select(.error | test("No such file|vanished|not found"; "i"))] | length > 0' "$M"
else
	# A name gone between the listing and its lstat, or between the
	# lstat and the open, is an error; none went in those windows.
	echo "# (no file vanished between listing and opening this time)"
fi

# Every JSON line valid (jq), and strict UTF-8 (jq would mend it silently).
jsonl_ok() {
	for f in "$X"/collection.log "$X"/live/*.jsonl "$X"/yara/*.jsonl; do
		[ -f "$f" ] || continue
		jq -R 'fromjson | 1' "$f" >/dev/null || { echo "# bad JSON line in $f"; return 1; }
	done
	jq -e . "$M" >/dev/null
}
check "every line of every .jsonl and the manifest is valid JSON (jq)" jsonl_ok
check "…and valid UTF-8" python3 - "$X" <<'EOF'
import glob, json, os, sys
x = sys.argv[1]
files = [os.path.join(x, "collection.log"), os.path.join(x, "manifest.json")]
files += glob.glob(os.path.join(x, "live", "*.jsonl"))
files += glob.glob(os.path.join(x, "yara", "*.jsonl"))
for f in files:
    if not os.path.exists(f):
        continue
    data = open(f, "rb").read()
    text = data.decode("utf-8")          # strict: raises on a bad byte
    if f.endswith("manifest.json"):
        json.loads(text)
    else:
        for line in text.splitlines():
            json.loads(line)
EOF

# Names round-trip: tar entry name bytes == manifest path (or decoded
# path_b64) == the fixture file's name under --root; content hashes match.
check "every name round-trips (tar, manifest path/path_b64, fixture)" \
    python3 - "$O/a.tar" "$M" "$R" <<'EOF'
import base64, hashlib, json, os, sys, tarfile
tarpath, manpath, root = sys.argv[1], sys.argv[2], sys.argv[3].encode()
names = set()
with tarfile.open(tarpath, encoding="utf-8", errors="surrogateescape") as t:
    for m in t:
        names.add(m.name.encode("utf-8", "surrogateescape"))
man = json.load(open(manpath, "rb"))
bad, seen = [], set()
for e in man["entries"]:
    if e.get("path_b64"):
        raw = base64.b64decode(e["path_b64"])
    else:
        raw = e["path"].encode("utf-8")
    seen.add(raw)
    if raw not in names:
        bad.append("not a tar entry: %r" % raw)
    if not raw.startswith(b"files/"):
        continue
    src = raw[len(b"files"):]
    p = root + src
    if not os.path.isfile(p) or os.path.islink(p):
        if not src.startswith(b"/churn/"):
            bad.append("no such fixture file: %r" % p)
        continue
    if e.get("truncated"):
        continue
    h = hashlib.sha256(open(p, "rb").read()).hexdigest()
    if h != e["sha256"]:
        bad.append("sha256 differs: %r" % p)
# Every regular file of /hostile at most ten levels down is an entry or
# an error.
errs = set()
for e in man["errors"]:
    errs.add(base64.b64decode(e["path_b64"]) if e.get("path_b64")
             else (e.get("path") or "").encode("utf-8"))
top = root + b"/hostile"
for d, dirs, files in os.walk(top):
    depth = d[len(top):].count(b"/")
    for f in files:
        p = os.path.join(d, f)
        rel = p[len(root):]
        if depth >= 10 or not os.path.isfile(p) or os.path.islink(p):
            continue
        if b"files" + rel not in seen and rel not in errs:
            bad.append("fixture file neither collected nor an error: %r" % rel)
for b in bad[:10]:
    print("#", b)
sys.exit(1 if bad else 0)
EOF
check "the names with newline, '|', bad UTF-8 and 255 bytes are collected" \
    python3 - "$M" "$long" <<'EOF'
import base64, json, sys
man = json.load(open(sys.argv[1], "rb"))
long = sys.argv[2].encode()
raw = set()
for e in man["entries"]:
    raw.add(base64.b64decode(e["path_b64"]) if e.get("path_b64")
            else e["path"].encode("utf-8"))
want = [b"files/hostile/new\nline", b"files/hostile/pi|pe|",
        b"files/hostile/bad-\xff-utf8", b"files/hostile/bad-\xc3\x28-seq",
        b"files/hostile/\xfe|\nmix", b"files/hostile/tab\tand\x01ctl",
        "files/hostile/été-東京".encode(), b"files/hostile/lit\\xffname",
        b"files/hostile/" + long + b"/" + long]
missing = [w for w in want if w not in raw]
for m in missing:
    print("# missing: %r" % m)
sys.exit(1 if missing else 0)
EOF
check "a raw-byte name has path_b64; a UTF-8 one has none" \
    jqe '([.entries[] | select(.path_b64 != null)] | length > 0) and
	([.entries[] | select(.path == "files/hostile/pi|pe|") | .path_b64] == [null])' "$M"
check "errors for raw-byte names (FIFO, link) carry the exact bytes" \
    python3 - "$M" <<'EOF'
import base64, json, sys
man = json.load(open(sys.argv[1], "rb"))
raw = set(base64.b64decode(e["path_b64"])
          for e in man["errors"] + man.get("links", []) if e.get("path_b64"))
want = [b"/hostile/fi\xfffo", b"/hostile/li\xfenk"]
sys.exit(0 if all(w in raw for w in want) else 1)
EOF

# A file truncated while it is read: a 3 GB sparse file, cut to 1000 bytes
# once the agent has it open. The run finishes, the archive verifies, and
# the entry says what happened (or the file was cut before the read).
# (An artefact of its own: LinuxTempContents cuts files at 8 MiB.)
R2="$T/root2"; O2="$T/o2"
mkdir -p "$R2/tmp" "$O2/x"
truncate -s 3G "$R2/tmp/shrinking"
printf 'name: Shrinking\ndoc: t-hostile\nsources:\n- type: FILE\n  attributes: {paths: [/tmp/shrinking]}\n' >"$T/shrinking.yaml"
# Each read held 30 ms (strace's delay injection): 3 GB of holes read in
# half a second would otherwise be read whole, on a busy machine, before
# this shell has seen the file open (the test then failed now and then).
_slow=""
if command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null; then
	_slow="env $NOLEAK_ENV strace -f -qq -o /dev/null -e trace=pread64 -e inject=pread64:delay_exit=30000"
fi
# shellcheck disable=SC2086
$_slow "$CC_BIN" run --root "$R2" --output "$O2" --no-yara --quiet \
    --artifacts "$T/shrinking.yaml" -p Shrinking --max-file-size 4G \
    >"$O2/stdout" 2>"$O2/stderr" &
apid=$!
for _ in $(seq 1 400); do
	for p in $apid $(pgrep -P $apid); do
		ls -l /proc/$p/fd 2>/dev/null | grep -q "$R2/tmp/shrinking" && break 2
	done
	sleep 0.01
done
truncate -s 1000 "$R2/tmp/shrinking"
wait $apid; rc=$?
check "a file truncated while read: the run exits 0" test "$rc" -eq 0
A2=$(archive_in "$O2")
check "…the archive verifies" "$CC_BIN" verify "$A2" 2>/dev/null
tar --zstd -xf "$A2" -C "$O2/x" manifest.json 2>/dev/null
check "…the entry is whole in the archive and says the file shrank" \
    jqe '.entries[] | select(.path == "files/tmp/shrinking") |
	(.size == 3221225472 and (.note // "" | test("shrank"))) or .size == 1000' \
	"$O2/x/manifest.json"

# The component walk of kernels without openat2, forced: the same links
# (out of the root, absolute and relative, to the host's shadow, loops)
# lead nowhere outside --root, and the run ends well.
W=$T/walk
mkdir -p "$W/root/hostile/d" "$W/o/x"
printf 'inside\n' >"$W/root/hostile/d/file"
for l in loop-a loop-b self up shadow shadow-rel canary-abs canary-rel outside-dir; do
	cp -P "$H/$l" "$W/root/hostile/$l"
done
ln -s hostile/d "$W/root/dlink"
cat >"$W/walk.yaml" <<'EOF'
name: WalkFiles
doc: the links, through a link, and the timeline
labels: [Profile]
sources:
- type: FILE
  attributes: {paths: ['/hostile/**3', '/hostile/canary-abs/*', '/dlink/*', '/hostile/shadow']}
- type: DIRECTORY
  attributes: {paths: ['/hostile']}
EOF
CSIRT_COLLECT_NO_OPENAT2=1 timeout 300 "$CC_BIN" run --root "$W/root" --output "$W/o" \
    --no-yara --quiet --artifacts "$W/walk.yaml" -p WalkFiles >/dev/null 2>"$W/err"
rc=$?
check "the forced component walk: the run exits 0" test "$rc" -eq 0
AW=$(archive_in "$W/o")
check "…the archive verifies" "$CC_BIN" verify "$AW" 2>/dev/null
zstd -dcq "$AW" >"$W/a.tar"
tar -xf "$W/a.tar" -C "$W/o/x" 2>/dev/null
check "…the file inside is collected" test -f "$W/o/x/files/hostile/d/file"
check "…nothing outside --root: no canary" sh -c "! grep -aqF '$CANARY' '$W/a.tar'"
check "…nothing through a link: the walk refuses links on the way" \
    test ! -e "$W/o/x/files/dlink/file"
check "…the log says the walk is in use" \
    grep -q "component walk" "$W/o/x/collection.log"
