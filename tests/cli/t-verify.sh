#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# Signing keys both ways with stock minisign, and verify against
# forgeries: a flipped byte, a re-packed entry, extra and missing entries.
. "$(dirname "$0")/lib.sh"

FIX=$T/fixture
make_fixture "$FIX"

# A key made by stock minisign -G -W signs archives stock minisign accepts.
minisign -G -W -p "$T/stock.pub" -s "$T/stock.key" >/dev/null 2>&1 ||
	nok "stock minisign -G -W failed"
mkdir "$T/o1"
check_rc "run --sign-key with a stock minisign key" 0 \
	"$CC_BIN" run --quiet --root "$FIX" -o "$T/o1" --sign-key "$T/stock.key"
A=$(archive_in "$T/o1")
check "no ephemeral .pub when a key is given" test ! -e "$A.pub"
check "stock minisign accepts it with the stock public key" \
	minisign -Vq -m "$A" -p "$T/stock.pub"
check_rc "verify -p accepts it" 0 "$CC_BIN" verify "$A" -p "$T/stock.pub"
check_rc "verify without -p and without a .pub beside: exit 2" 2 "$CC_BIN" verify "$A"
last_err_has "$A.pub" && ok "…and the message names the missing key file" ||
	nok "message does not name the key file"

# An outer signature made by stock minisign -S is accepted by our verify.
cp "$A" "$T/restock.tar.zst"
cp -r "$T/o1" "$T/o1copy"
minisign -S -s "$T/stock.key" -m "$T/restock.tar.zst" -t "signed by stock minisign" >/dev/null 2>&1
check_rc "verify accepts an archive signed by stock minisign -S" 0 \
	"$CC_BIN" verify "$T/restock.tar.zst" -p "$T/stock.pub"
last_err_has "signed by stock minisign" && ok "…and shows its trusted comment" ||
	nok "trusted comment not shown"

# Our keygen makes keys stock minisign signs and verifies with.
check_rc "keygen writes a key pair" 0 "$CC_BIN" keygen -p "$T/our.pub" -s "$T/our.key"
check "keygen prints the key id" grep -q "^key id [0-9A-F]\{1,16\}$" "$T/.out"
check "secret key is mode 0600" test "$(stat -c %a "$T/our.key")" = 600
echo data >"$T/msg"
minisign -S -s "$T/our.key" -m "$T/msg" >/dev/null 2>&1 &&
	minisign -Vq -m "$T/msg" -p "$T/our.pub" &&
	ok "stock minisign signs with our key and verifies with our public key" ||
	nok "stock minisign cannot use our keygen's keys"
check_rc "keygen refuses to overwrite without -f" 2 \
	"$CC_BIN" keygen -p "$T/our.pub" -s "$T/our.key"

# One flipped byte anywhere in the archive: exit 4.
for off in 100 $(( $(stat -c %s "$A") / 2 )) $(( $(stat -c %s "$A") - 3 )); do
	cp "$A" "$T/flip.tar.zst"
	b=$(od -An -tu1 -j "$off" -N1 "$T/flip.tar.zst" | tr -d ' ')
	printf "$(printf '\\%03o' $(( (b ^ 1) & 255 )))" |
		dd of="$T/flip.tar.zst" bs=1 seek="$off" conv=notrunc 2>/dev/null
	cp "$A.minisig" "$T/flip.tar.zst.minisig"
	check_rc "a byte flipped at offset $off: verify exits 4" 4 \
		"$CC_BIN" verify "$T/flip.tar.zst" -p "$T/stock.pub"
	last_err_has "FAILED" && last_err_has "outer signature" &&
		ok "…and says the outer signature is wrong" || nok "no clear message at $off"
done

# One entry altered and re-packed with stock tar, outer signature made
# again with the right key: only the entry's hash can tell. verify names it.
mkdir "$T/re"
tar --zstd -xf "$A" -C "$T/re"
repack() {	# NAME: pack $T/re in the original order, sign with stock minisign
	(cd "$T/re" && tar --zstd -cf "$T/$1" --format=pax -T "$T/order")
	minisign -S -s "$T/stock.key" -m "$T/$1" >/dev/null 2>&1
}
tar --zstd -tf "$A" >"$T/order"
echo "10.6.6.6 innocent" >>"$T/re/files/etc/hosts"
repack altered.tar.zst
check_rc "an entry altered and re-packed: verify exits 4" 4 \
	"$CC_BIN" verify "$T/altered.tar.zst" -p "$T/stock.pub"
last_err_has "files/etc/hosts: sha256 differs" &&
	ok "…and names the altered entry" || nok "altered entry not named"

# An entry removed.
tar --zstd -xf "$A" -C "$T/re"	# restore
grep -v '^files/etc/hosts$' "$T/order" >"$T/order2"; mv "$T/order2" "$T/order"
repack missing.tar.zst
check_rc "an entry removed: verify exits 4" 4 \
	"$CC_BIN" verify "$T/missing.tar.zst" -p "$T/stock.pub"
last_err_has "files/etc/hosts: listed in the manifest, missing from the archive" &&
	ok "…and names the missing entry" || nok "missing entry not named"

# An entry added.
tar --zstd -tf "$A" >"$T/order"
echo planted >"$T/re/files/etc/planted"
sed -i '1i files/etc/planted' "$T/order"
repack extra.tar.zst
check_rc "an entry added: verify exits 4" 4 \
	"$CC_BIN" verify "$T/extra.tar.zst" -p "$T/stock.pub"
last_err_has "files/etc/planted: in the archive but not in the manifest" &&
	ok "…and names the extra entry" || nok "extra entry not named"

# The manifest altered: its signature fails.
rm "$T/re/files/etc/planted"; tar --zstd -tf "$A" >"$T/order"
sed -i 's/"fixture-host"/"other-host"/' "$T/re/manifest.json"
repack manifest.tar.zst
check_rc "manifest altered: verify exits 4" 4 \
	"$CC_BIN" verify "$T/manifest.tar.zst" -p "$T/stock.pub"
last_err_has "manifest.json signature" && ok "…and says the manifest signature is wrong" ||
	nok "manifest signature failure not named"

# Signed by another key.
minisign -G -W -p "$T/other.pub" -s "$T/other.key" >/dev/null 2>&1
check_rc "verify with another key's public key: exit 4" 4 \
	"$CC_BIN" verify "$A" -p "$T/other.pub"

# Truncated archive and garbage.
head -c 2000 "$A" >"$T/trunc.tar.zst"; cp "$A.minisig" "$T/trunc.tar.zst.minisig"
check_rc "a truncated archive: verify exits 4" 4 \
	"$CC_BIN" verify "$T/trunc.tar.zst" -p "$T/stock.pub"
check_rc "verify of a missing archive: exit 2" 2 \
	"$CC_BIN" verify "$T/nope.tar.zst" -p "$T/stock.pub"

# Hostile archives, properly signed (the signer is not trusted for what
# the archive holds): entries that are not regular files, names that
# lead out of the extraction directory, a second manifest, bytes after
# the end, names that would drive the terminal. Each is refused by name.
zstd -q -d -c "$A" >"$T/plain.tar"
hostile() {	# NAME KIND: plain.tar with one hostile entry, zstd, signed
	python3 - "$T/plain.tar" "$T/$1.tar" "$2" <<'PY'
import io, sys, tarfile
src, dst, kind = sys.argv[1:4]
def entry(name, t=tarfile.REGTYPE, data=b"", link=""):
    ti = tarfile.TarInfo(name); ti.type = t; ti.size = len(data) if t == tarfile.REGTYPE else 0
    ti.linkname = link; ti.mode = 0o644; ti.devmajor, ti.devminor = 1, 3
    return ti, io.BytesIO(data) if t == tarfile.REGTYPE else None
extra = {
    "symlink": entry("files/etc/evil", tarfile.SYMTYPE, link="/etc/shadow"),
    "hardlink": entry("files/etc/evil", tarfile.LNKTYPE, link="files/etc/hosts"),
    "fifo": entry("files/etc/evil", tarfile.FIFOTYPE),
    "device": entry("files/etc/evil", tarfile.CHRTYPE),
    "directory": entry("files/etc/evil", tarfile.DIRTYPE),
    "absolute": entry("/tmp/cc-verify-evil", data=b"x\n"),
    "dotdot": entry("files/../../cc-verify-evil", data=b"x\n"),
    "escape": entry("files/\x1b[31mred\nline\x07", data=b"x\n"),
}
with tarfile.open(src) as i, tarfile.open(dst, "w", format=tarfile.PAX_FORMAT) as o:
    for m in i.getmembers():
        o.addfile(m, i.extractfile(m))
        if m.name == "manifest.json" and kind == "twomanifests":
            o.addfile(m, i.extractfile(m))
        if m.name == "files/etc/hosts" and kind in extra:
            o.addfile(*extra[kind])
PY
	zstd -q -f "$T/$1.tar" -o "$T/$1.tar.zst"
	minisign -S -s "$T/stock.key" -m "$T/$1.tar.zst" >/dev/null 2>&1
}
hostile same none
check_rc "the same entries re-packed by Python's tarfile and stock zstd: verify exits 0" 0 \
	"$CC_BIN" verify "$T/same.tar.zst" -p "$T/stock.pub"
for k in symlink hardlink fifo device directory absolute dotdot; do
	hostile "h-$k" "$k"
	check_rc "an archive holding a $k entry: verify exits 4" 4 \
		"$CC_BIN" verify "$T/h-$k.tar.zst" -p "$T/stock.pub"
	case $k in
	symlink) want="files/etc/evil: a symbolic link, refused" ;;
	hardlink) want="files/etc/evil: a hard link, refused" ;;
	fifo) want="files/etc/evil: a FIFO, refused" ;;
	device) want="files/etc/evil: a device, refused" ;;
	directory) want="files/etc/evil/: a directory, refused" ;;
	absolute) want="/tmp/cc-verify-evil: an absolute name, refused" ;;
	dotdot) want="files/../../cc-verify-evil: a name with a '..' component, refused" ;;
	esac
	last_err_has "$want" && ok "…the message names the $k entry and why" ||
		nok "$k: message: $(tail -n 1 "$T/.err")"
done
hostile h-two twomanifests
check_rc "an archive with two manifest.json: verify exits 4" 4 \
	"$CC_BIN" verify "$T/h-two.tar.zst" -p "$T/stock.pub"
last_err_has "manifest.json: twice in the archive" && ok "…and says manifest.json is there twice" ||
	nok "two manifests: $(tail -n 1 "$T/.err")"
hostile h-esc escape
check_rc "an entry whose name holds terminal controls: verify exits 4" 4 \
	"$CC_BIN" verify "$T/h-esc.tar.zst" -p "$T/stock.pub"
last_err_has 'files/\x1b[31mred\x0aline\x07: in the archive but not in the manifest' &&
	ok "…the name is printed escaped" || nok "escaped name: $(tail -n 1 "$T/.err")"
check "…and no control byte reaches the terminal" \
	sh -c "! grep -q \"\$(printf '\\033')\" '$T/.err' && ! grep -q \"\$(printf '\\007')\" '$T/.err'"

# Bytes after the end: a second tar after the first (in the same frame,
# then in a frame of its own), and bytes that are not zstd at all.
python3 -c 'import io, sys, tarfile
b = io.BytesIO(); t = tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT)
ti = tarfile.TarInfo("files/etc/hidden"); d = b"hidden after the end\n"; ti.size = len(d)
t.addfile(ti, io.BytesIO(d)); t.close(); sys.stdout.buffer.write(b.getvalue())' >"$T/extra.tar"
cat "$T/plain.tar" "$T/extra.tar" | zstd -q -o "$T/h-after.tar.zst"
{ cat "$A"; zstd -q -c "$T/extra.tar"; } >"$T/h-frame.tar.zst"
{ cat "$A"; printf 'trailing bytes'; } >"$T/h-junk.tar.zst"
for n in after frame junk; do
	minisign -S -s "$T/stock.key" -m "$T/h-$n.tar.zst" >/dev/null 2>&1
	check_rc "a tar with $n data after its end: verify exits 4" 4 \
		"$CC_BIN" verify "$T/h-$n.tar.zst" -p "$T/stock.pub"
	last_err_has "after the end of the archive" && ok "…and says there is data after the end" ||
		nok "$n: $(tail -n 1 "$T/.err")"
done

# Bounded memory whatever the archive lists: a 43 MB manifest of 200,000
# entries (1.3 MB compressed) costs its bytes, not a JSON tree of them
# (about 350 MB before). Memory, not time: peak RSS of the verify.
if [ -n "${CC_TSAN:-}" ]; then
	skip "peak RSS under ThreadSanitizer: not measured"
else
	mkdir "$T/bomb"
	python3 - "$T/bomb/manifest.json" <<'PY'
import sys
n = 200000
with open(sys.argv[1], "w") as f:
    f.write('{\n  "format": 1,\n  "entries": [\n')
    for i in range(n):
        f.write('    {"path":"f/%07d","source":null,"size":1,"sha256":"%064x",'
                '"mode":null,"uid":null,"gid":null,"mtime":null,"atime":null,'
                '"ctime":null,"truncated":false}%s\n' % (i, i, "," if i < n - 1 else ""))
    f.write("  ]\n}\n")
PY
	echo one >"$T/bomb/one"
	minisign -S -s "$T/stock.key" -m "$T/bomb/manifest.json" -x "$T/bomb/manifest.json.minisig" >/dev/null 2>&1
	tar -C "$T/bomb" -cf - manifest.json manifest.json.minisig one | zstd -q -o "$T/bomb.tar.zst"
	minisign -S -s "$T/stock.key" -m "$T/bomb.tar.zst" >/dev/null 2>&1
	rss=$(ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0" \
	    python3 - "$CC_BIN" verify "$T/bomb.tar.zst" -p "$T/stock.pub" <<'PY'
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if r.returncode == 4 else -1)
PY
)
	msize=$(( $(stat -c %s "$T/bomb/manifest.json") / 1024 ))
	echo "# verify of a ${msize} KiB manifest: peak RSS $((rss / 1024)) MiB"
	check "a manifest of 200,000 entries: verify fails (exit 4) within its bytes + 64 MiB" \
	    test "$rss" -gt 0 -a "$rss" -lt $((msize + 65536))
fi

# The phone reference: verify prints the one the run printed for the
# victim to read, the first 8 hex digits of the file's sha256, for a plain
# and an age-encrypted archive (the .age file's bytes).
# ref_case N LABEL [RUN ARGS...]
ref_case() {
	_d=$T/ref$1 _l=$2; shift 2
	mkdir -p "$_d"
	"$CC_BIN" run --root "$FIX" -o "$_d" --no-yara "$@" >/dev/null 2>"$_d/run.err"
	_a=$(ls "$_d"/*.tar.zst* | grep -v '\.minisig$\|\.pub$' | head -n 1)
	_run=$(sed -n 's/^Read this reference to the CSIRT: //p' "$_d/run.err" | tr -d ' ')
	"$CC_BIN" verify "$_a" >"$_d/v.out" 2>&1
	_rc=$?
	_ver=$(sed -n 's/^  note    reference \([0-9a-f]\{4\}\) \([0-9a-f]\{4\}\) (compare with the one the victim read)$/\1\2/p' "$_d/v.out")
	_sum=$(sha256sum "$_a" | cut -c1-8)
	check "reference ($_l): verify prints the run's ($_run), sha256sum's ($_sum)" \
	    test -n "$_run" -a "$_ver" = "$_run" -a "$_ver" = "$_sum" -a "$_rc" -eq 0
}
ref_case 1 plain
if command -v age-keygen >/dev/null; then
	age-keygen -o "$T/refkey" 2>/dev/null
	ref_case 2 age --recipient "$(sed -n 's/^# public key: //p' "$T/refkey")"
else
	skip "age-keygen missing: the reference of an encrypted archive was not checked"
fi
# A changed archive: verify fails and its reference is not the run's.
cp "$T/ref1/"*.tar.zst "$T/refbad.tar.zst"
cp "$T/ref1/"*.tar.zst.pub "$T/refbad.tar.zst.pub"
cp "$T/ref1/"*.tar.zst.minisig "$T/refbad.tar.zst.minisig"
flip_byte "$T/refbad.tar.zst" 100
"$CC_BIN" verify "$T/refbad.tar.zst" >"$T/refbad.out" 2>&1
rc=$?
check "a changed archive: verify exit 4, and a reference that is not the run's" \
	test "$rc" -eq 4 -a -n "$(grep "reference $(sha256sum "$T/refbad.tar.zst" | cut -c1-4) " "$T/refbad.out")" \
	-a -z "$(grep "reference $(sha256sum "$T/ref1/"*.tar.zst | cut -c1-4) $(sha256sum "$T/ref1/"*.tar.zst | cut -c5-8)" "$T/refbad.out")"
