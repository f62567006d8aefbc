#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# Package inventories and integrity (collectors/packages.c) on a fixture
# root made here: a dpkg database (status with Conffiles, info/*.list and
# *.md5sums, a Multi-Arch list name, a diversion, a path-exclude, a
# merged /usr), an apk installed database with Q1 sums, a pacman desc and
# a snap. Planted: a modified binary, a missing one, a library replaced
# by a link, a modified conffile, a file over the hash cap, a modified
# apk file, a modified data file (full profile only), unpackaged
# executables and a library. Each must be reported with its kind and
# digests, and nothing else. Then a live run: the dpkg inventory has as
# many packages as dpkg-query, known-good binaries have no problem.
. "$(dirname "$0")/lib.sh"

for c in jq zstd md5sum sha1sum python3; do
	command -v $c >/dev/null || { skip "$c not installed"; exit 0; }
done

R=$T/root
make_fixture "$R"
D=$R/var/lib/dpkg
mkdir -p "$D/info" "$R/usr/bin" "$R/usr/sbin" "$R/usr/lib" "$R/usr/share/bad" \
	"$R/etc/init.d" "$R/etc/dpkg/dpkg.cfg.d" "$R/usr/local/bin" "$R/lib/apk/db" \
	"$R/var/lib/pacman/local/bash-5.2-1" "$R/var/lib/snapd/snaps"
ln -s usr/bin "$R/bin"			# merged /usr
md5() { md5sum "$1" | cut -d' ' -f1; }
q1() { printf 'Q1%s' "$(python3 -c 'import hashlib,base64,sys; print(base64.b64encode(hashlib.sha1(open(sys.argv[1],"rb").read()).digest()).decode())' "$1")"; }

printf 'good binary\n' >"$R/usr/bin/good"
printf 'good via /bin\n' >"$R/usr/bin/good2"
printf 'original\n' >"$R/usr/bin/modded"
printf 'gone\n' >"$T/gone"
printf 'lib\n' >"$R/usr/lib/libx.so.1"
printf '#!/bin/sh\n' >"$R/etc/init.d/bad"
printf 'data\n' >"$R/usr/share/bad/data"
printf 'div of good\n' >"$R/usr/bin/div.distrib"
printf 'div of bad\n' >"$R/usr/bin/div"
chmod 755 "$R/usr/bin/good" "$R/usr/bin/good2" "$R/usr/bin/modded" \
	"$R/etc/init.d/bad" "$R/usr/bin/div" "$R/usr/bin/div.distrib"
truncate -s 65M "$R/usr/bin/huge"; chmod 755 "$R/usr/bin/huge"
M_GOOD=$(md5 "$R/usr/bin/good"); M_GOOD2=$(md5 "$R/usr/bin/good2")
M_MOD=$(md5 "$R/usr/bin/modded"); M_GONE=$(md5 "$T/gone")
M_LIB=$(md5 "$R/usr/lib/libx.so.1"); M_CONF=$(md5 "$R/etc/init.d/bad")
M_DATA=$(md5 "$R/usr/share/bad/data"); M_DIVG=$(md5 "$R/usr/bin/div.distrib")
M_DIVB=$(md5 "$R/usr/bin/div")
M_HUGE=0123456789abcdef0123456789abcdef
# The plants: modified after their digests were taken.
printf 'trojaned\n' >"$R/usr/bin/modded"
M_MOD_NOW=$(md5 "$R/usr/bin/modded")
printf '#!/bin/sh\nevil\n' >"$R/etc/init.d/bad"
M_CONF_NOW=$(md5 "$R/etc/init.d/bad")
printf 'changed\n' >"$R/usr/share/bad/data"
M_DATA_NOW=$(md5 "$R/usr/share/bad/data")
rm "$R/usr/lib/libx.so.1"; ln -s /etc/passwd "$R/usr/lib/libx.so.1"
# Unpackaged: reported (x bit in usr/bin, a .so in usr/lib), or not.
printf 'dropper\n' >"$R/usr/bin/dropper"; chmod 755 "$R/usr/bin/dropper"
printf 'notexec\n' >"$R/usr/bin/notexec"
printf 'evil\n' >"$R/usr/lib/libevil.so"
printf 'local\n' >"$R/usr/local/bin/tool"; chmod 755 "$R/usr/local/bin/tool"

cat >"$D/status" <<EOS
Package: good
Status: install ok installed
Architecture: amd64
Version: 1.0-1
Description: fine

Package: bad
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Version: 2.0-1
Source: badsrc
Conffiles:
 /etc/init.d/bad $M_CONF
 /etc/old.conf 00000000000000000000000000000000 obsolete
Description: trojaned
 in many ways

Package: removed
Status: deinstall ok config-files
Architecture: all
Version: 0.1
EOS
printf '%s\n' /usr /usr/bin /usr/bin/good /bin/good2 /usr/bin/div >"$D/info/good.list"
printf '%s  usr/bin/good\n%s  bin/good2\n%s  usr/bin/div\n' "$M_GOOD" "$M_GOOD2" \
	"$M_DIVG" >"$D/info/good.md5sums"
printf '%s\n' /usr/bin/modded /usr/bin/gone /usr/lib/libx.so.1 /usr/bin/huge \
	/usr/share/bad/data /usr/share/doc/bad/README /usr/bin/div \
	/etc/init.d/bad >"$D/info/bad:amd64.list"
printf '%s  usr/bin/modded\n%s  usr/bin/gone\n%s  usr/lib/libx.so.1\n%s  usr/bin/huge\n%s  usr/share/bad/data\n%s  usr/share/doc/bad/README\n%s  usr/bin/div\n' \
	"$M_MOD" "$M_GONE" "$M_LIB" "$M_HUGE" "$M_DATA" "$M_GONE" "$M_DIVB" \
	>"$D/info/bad:amd64.md5sums"
printf '/usr/bin/div\n/usr/bin/div.distrib\nbad\n' >"$D/diversions"
printf 'path-exclude=/usr/share/doc/*\n' >"$R/etc/dpkg/dpkg.cfg.d/excludes"
touch -m -d '2024-05-06 07:08:09 UTC' "$D/info/good.list"

# apk: one good file, one modified (sha1).
printf 'apk good\n' >"$R/usr/sbin/apkgood"; printf 'apk bad\n' >"$R/usr/sbin/apkbad"
chmod 755 "$R/usr/sbin/apkgood" "$R/usr/sbin/apkbad"
Q_GOOD=$(q1 "$R/usr/sbin/apkgood"); Q_BAD=$(q1 "$R/usr/sbin/apkbad")
printf 'apk trojaned\n' >"$R/usr/sbin/apkbad"
S_BAD_NOW=$(sha1sum "$R/usr/sbin/apkbad" | cut -d' ' -f1)
S_BAD=$(printf '%s' "${Q_BAD#Q1}" | base64 -d | od -An -tx1 | tr -d ' \n')
printf 'C:Q1x=\nP:apktools\nV:2.14-r0\nA:x86_64\nt:1700000000\nF:usr/sbin\nR:apkgood\na:0:0:755\nZ:%s\nR:apkbad\nZ:%s\n\n' \
	"$Q_GOOD" "$Q_BAD" >"$R/lib/apk/db/installed"
printf '%%NAME%%\nbash\n\n%%VERSION%%\n5.2-1\n\n%%ARCH%%\nx86_64\n\n%%INSTALLDATE%%\n1700000001\n' \
	>"$R/var/lib/pacman/local/bash-5.2-1/desc"
: >"$R/var/lib/snapd/snaps/core22_1234.snap"
# pacman's mtree (gzip): a good file (sha256), a modified one, one with
# md5 only and a name with a blank (escaped \040), a directory, .PKGINFO.
mkdir -p "$R/usr/lib/pm"
printf 'pm good\n' >"$R/usr/bin/pmgood"; printf 'pm bad\n' >"$R/usr/bin/pmbad"
printf 'pm lib\n' >"$R/usr/lib/pm/lib pm.so"
chmod 755 "$R/usr/bin/pmgood" "$R/usr/bin/pmbad"
SH_GOOD=$(sha256sum "$R/usr/bin/pmgood" | cut -d' ' -f1)
SH_BAD=$(sha256sum "$R/usr/bin/pmbad" | cut -d' ' -f1)
M_PMLIB=$(md5 "$R/usr/lib/pm/lib pm.so")
printf 'pm trojaned\n' >"$R/usr/bin/pmbad"
SH_BAD_NOW=$(sha256sum "$R/usr/bin/pmbad" | cut -d' ' -f1)
printf '#mtree\n/set type=file uid=0 gid=0 mode=644\n./.PKGINFO time=1.0 size=10 md5digest=%s\n./usr time=1.0 type=dir\n./usr/bin/pmgood time=1.0 mode=755 size=8 md5digest=00000000000000000000000000000000 sha256digest=%s\n./usr/bin/pmbad time=1.0 mode=755 sha256digest=%s\n./usr/lib/pm/lib\\040pm.so time=1.0 md5digest=%s\n./usr/bin/pmlink type=link link=pmgood\n' \
	"$M_GONE" "$SH_GOOD" "$SH_BAD" "$M_PMLIB" | gzip -9n >"$R/var/lib/pacman/local/bash-5.2-1/mtree"

# jqany FILTER FILE: some record of FILE passes FILTER (jq 1.6's -e
# looks only at the last output).
jqany() { jq -e -n "[inputs | $1] | length > 0" "$2" >/dev/null 2>&1; }

# rpm: rpmdb.sqlite (WAL mode, as rpm makes it) with header blobs made
# here: a good and a modified binary (sha256), a modified %config
# executable, a directory, a %ghost file (missing: fine), a garbage blob.
mkdir -p "$R/var/lib/rpm" "$R/etc/rpmpkg.d"
printf 'rpm good\n' >"$R/usr/bin/rpmgood"; printf 'rpm bad\n' >"$R/usr/bin/rpmbad"
printf '#!/bin/sh\n' >"$R/etc/rpmpkg.d/hook"
chmod 755 "$R/usr/bin/rpmgood" "$R/usr/bin/rpmbad" "$R/etc/rpmpkg.d/hook"
sh256() { sha256sum "$1" | cut -d' ' -f1; }
R_GOOD=$(sh256 "$R/usr/bin/rpmgood"); R_BAD=$(sh256 "$R/usr/bin/rpmbad")
R_HOOK=$(sh256 "$R/etc/rpmpkg.d/hook")
printf 'rpm trojaned\n' >"$R/usr/bin/rpmbad"; R_BAD_NOW=$(sh256 "$R/usr/bin/rpmbad")
printf '#!/bin/sh\nevil\n' >"$R/etc/rpmpkg.d/hook"; R_HOOK_NOW=$(sh256 "$R/etc/rpmpkg.d/hook")
python3 - "$R/var/lib/rpm/rpmdb.sqlite" "$R_GOOD" "$R_BAD" "$R_HOOK" <<'PYEOF'
import sqlite3, struct, sys
def header(tags):
    data = b""; idx = b""
    for tag, typ, val in tags:
        if typ == 4:
            data += b"\0" * ((-len(data)) % 4); off = len(data)
            data += b"".join(struct.pack(">I", v) for v in val); n = len(val)
        elif typ == 3:
            data += b"\0" * ((-len(data)) % 2); off = len(data)
            data += b"".join(struct.pack(">H", v) for v in val); n = len(val)
        elif typ == 6:
            off = len(data); data += val.encode() + b"\0"; n = 1
        else:
            off = len(data); data += b"".join(v.encode() + b"\0" for v in val); n = len(val)
        idx += struct.pack(">IIII", tag, typ, off, n)
    return struct.pack(">II", len(tags), len(data)) + idx + data
db, good, bad, hook = sys.argv[1:]
files = [("/usr/bin/", "rpmgood", 0o100755, good, 0),
         ("/usr/bin/", "rpmbad", 0o100755, bad, 0),
         ("/usr/", "bin", 0o40755, "", 0),
         ("/etc/rpmpkg.d/", "hook", 0o100755, hook, 1),
         ("/var/log/", "rpmghost", 0o100644, "", 1 << 6)]
dirs = sorted(set(f[0] for f in files))
h = header([(1000, 6, "rpmpkg"), (1001, 6, "1.0"), (1002, 6, "1.el9"),
            (1022, 6, "x86_64"), (1008, 4, [1700000002]),
            (5011, 4, [8]),
            (1117, 8, [f[1] for f in files]), (1118, 8, dirs),
            (1116, 4, [dirs.index(f[0]) for f in files]),
            (1035, 8, [f[3] for f in files]),
            (1030, 3, [f[2] for f in files]),
            (1037, 4, [f[4] for f in files])])
c = sqlite3.connect(db)
c.execute("PRAGMA journal_mode=WAL")
c.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
c.execute("INSERT INTO Packages (blob) VALUES (?)", (h,))
c.execute("INSERT INTO Packages (blob) VALUES (?)", (b"\xff" * 40,))
c.commit()
c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
c.close()
PYEOF
rm -f "$R/var/lib/rpm/rpmdb.sqlite-wal" "$R/var/lib/rpm/rpmdb.sqlite-shm"

# run NAME PROFILE [prefix...]: a --root run, extracted into $T/NAME/x.
run_root() {
	n=$1; p=$2; shift 2
	mkdir -p "$T/$n/o" "$T/$n/x"
	"$@" "$CC_BIN" run --root "$R" -o "$T/$n/o" -p "$p" --no-yara -q \
		>"$T/$n/out" 2>&1
	echo $? >"$T/$n/rc"
	a=$(archive_in "$T/$n/o")
	[ -n "$a" ] && zstd -dc "$a" | tar -x -C "$T/$n/x"
}
# The fixture run is traced: the agent must run no program of the host.
# (LeakSanitizer cannot work under ptrace: off for this run.)
trace=""
command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null &&
	trace="strace -f -qq -e trace=execve -o $T/trace"
run_root r1 triage env ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0" $trace
if [ -n "$trace" ]; then
	n=$(grep -c 'execve(' "$T/trace")
	check "traced: the agent ran no program (1 execve: itself; saw $n)" test "$n" -eq 1
else
	skip "no strace, or ptrace not allowed: the execve count was not checked"
fi
check "triage run exits 0" test "$(cat "$T/r1/rc")" = 0
I=$T/r1/x/live/package_integrity.jsonl
P=$T/r1/x/live/packages.jsonl

# Inventory.
check "inventory: 3 dpkg, 1 apk, 1 pacman, 1 rpm, 1 snap" \
	test "$(jq -r .manager "$P" 2>/dev/null | sort | uniq -c | tr -s ' ' | tr '\n' ,)" \
	= " 1 apk, 3 dpkg, 1 pacman, 1 rpm, 1 snap,"
check "rpm: version-release, arch, install time" jqany \
	'select(.manager=="rpm") | select(.name=="rpmpkg" and .version=="1.0-1.el9" and .arch=="x86_64" and .installed=="2023-11-14T22:13:22Z")' "$P"
check "dpkg good: version, arch, install time from its .list" jqany \
	'select(.name=="good") | select(.version=="1.0-1" and .arch=="amd64" and .installed=="2024-05-06T07:08:09Z" and .status=="install ok installed")' "$P"
check "dpkg bad: Multi-Arch list found, source" jqany \
	'select(.name=="bad") | select(.installed != null and .source=="badsrc")' "$P"
check "dpkg config-files only: listed, no install time" jqany \
	'select(.name=="removed") | select(.installed==null and .status=="deinstall ok config-files")' "$P"
check "apk: build time, arch" jqany \
	'select(.manager=="apk") | select(.name=="apktools" and .built=="2023-11-14T22:13:20Z" and .arch=="x86_64")' "$P"
check "pacman: install date" jqany \
	'select(.manager=="pacman") | select(.name=="bash" and .version=="5.2-1" and .installed=="2023-11-14T22:13:21Z")' "$P"
check "snap: name and revision" jqany \
	'select(.manager=="snap") | select(.name=="core22" and .version=="1234")' "$P"

# Integrity: each plant, right kind and digests.
has() { jqany "select(.path==\"$1\" and .problem==\"$2\") | select($3)" "$I"; }
check "modified binary: md5 expected and actual" has /usr/bin/modded modified \
	".package==\"bad\" and .manager==\"dpkg\" and .algorithm==\"md5\" and .expected==\"$M_MOD\" and .actual==\"$M_MOD_NOW\" and .conffile==false and .size==9"
check "missing binary" has /usr/bin/gone missing ".expected==\"$M_GONE\" and .actual==null"
check "library replaced by a link" has /usr/lib/libx.so.1 replaced_by_other_type ".expected==\"$M_LIB\""
check "modified conffile (Conffiles of status)" has /etc/init.d/bad modified \
	".conffile==true and .expected==\"$M_CONF\" and .actual==\"$M_CONF_NOW\""
check "over the hash cap: not checked" has /usr/bin/huge not_checked_too_large ".size==68157440"
check "apk: modified, sha1" has /usr/sbin/apkbad modified \
	".manager==\"apk\" and .algorithm==\"sha1\" and .expected==\"$S_BAD\" and .actual==\"$S_BAD_NOW\""
check "pacman: modified, sha256 (the md5 beside it ignored)" has /usr/bin/pmbad modified \
	".manager==\"pacman\" and .package==\"bash\" and .algorithm==\"sha256\" and .expected==\"$SH_BAD\" and .actual==\"$SH_BAD_NOW\""
check "rpm: modified binary, sha256" has /usr/bin/rpmbad modified \
	".manager==\"rpm\" and .package==\"rpmpkg\" and .algorithm==\"sha256\" and .expected==\"$R_BAD\" and .actual==\"$R_BAD_NOW\" and .conffile==false"
check "rpm: modified %config executable" has /etc/rpmpkg.d/hook modified \
	".conffile==true and .expected==\"$R_HOOK\" and .actual==\"$R_HOOK_NOW\""
check "rpm: the garbage header is an error, not a package" \
	grep -q '1 package headers malformed' "$T/r1/x/collection.log"
check "unpackaged executable in usr/bin, with its sha256" has /usr/bin/dropper unpackaged \
	".package==null and .size==8 and .algorithm==\"sha256\" and .expected==null and .actual==\"$(sh256 "$R/usr/bin/dropper")\""
check "unpackaged library in usr/lib" has /usr/lib/libevil.so unpackaged "true"
n=$(jq -s length "$I")
check "nothing else reported in triage (11 problems; saw $n)" test "$n" -eq 11
check "triage: a data file is not hashed" test -z "$(jq -r 'select(.path=="/usr/share/bad/data")' "$I")"
check "summary line: counts by kind" grep -q '7 packages, 19 files listed, 14 hashed and compared (executables and libraries), 2 skipped, 0 not checked (time limit); problems: 6 modified, 1 missing, 0 unreadable, 1 replaced_by_other_type, 1 not_checked_too_large, 2 unpackaged' "$T/r1/x/collection.log"

# full: every file listed is hashed (the data file too).
run_root r2 full
I2=$T/r2/x/live/package_integrity.jsonl
check "full: modified data file" jqany \
	"select(.path==\"/usr/share/bad/data\" and .problem==\"modified\" and .actual==\"$M_DATA_NOW\")" "$I2"
n=$(jq -s length "$I2" 2>/dev/null)
check "full: 12 problems (saw $n)" test "$n" = 12

# A database that is not one: no crash, no package, and said.
R0=$R; R=$T/bad; mkdir -p "$R/var/lib/dpkg/info" "$R/lib/apk/db"
head -c 20000 /dev/urandom >"$R/var/lib/dpkg/status"
printf 'P:\nR:x\nZ:Q1\nF:../../..\nR:etc/passwd\nZ:Q1AAAA\n' >"$R/lib/apk/db/installed"
run_root r3 triage
check "garbage databases: the run completes" test "$(cat "$T/r3/rc")" = 0
check "garbage databases: no package (an empty name is none)" \
	test "$(cat "$T/r3/x/live/packages.jsonl" 2>/dev/null | wc -l)" -eq 0
check "garbage databases: said in the log" grep -q '0 packages, ' "$T/r3/x/collection.log"
R=$R0

# A packaged file whose read never returns (tests/tools/stallfs, a FUSE
# server that stops answering): the hash job is given up on after
# CSIRT_COLLECT_STALL_SECS, reported "unreadable", and the run ends.
STALLFS=${CC_BUILD:-$CC_TOP/build}/tools/stallfs
if [ "$(id -u)" -eq 0 ] && [ -c /dev/fuse ] && [ -x "$STALLFS" ]; then
	R0=$R; R=$T/stallroot; MNT=$R/usr/bin/fuse
	mkdir -p "$R/var/lib/dpkg/info" "$MNT"
	printf 'Package: stalled\nStatus: install ok installed\nVersion: 1\n' >"$R/var/lib/dpkg/status"
	printf '/usr/bin/fuse/stall\n/usr/bin/fuse/a.txt\n' >"$R/var/lib/dpkg/info/stalled.list"
	"$STALLFS" "$MNT" & spid=$!
	(sleep 90; kill -KILL "$spid") 2>/dev/null & kpid=$!
	at_exit "kill -KILL $spid $kpid 2>/dev/null; umount -l '$MNT' 2>/dev/null"
	for _ in $(seq 1 50); do [ -f "$MNT/a.txt" ] && break; sleep 0.1; done
	printf '%s  usr/bin/fuse/stall\n%s  usr/bin/fuse/a.txt\n' "$M_GONE" \
		"$(md5 "$MNT/a.txt")" >"$R/var/lib/dpkg/info/stalled.md5sums"
	s0=$(date +%s)
	run_root r4 triage env CSIRT_COLLECT_STALL_SECS=2 timeout 80
	secs=$(( $(date +%s) - s0 ))
	check "stalled read: the run ends by itself (exit $(cat "$T/r4/rc"), ${secs}s)" \
		test "$(cat "$T/r4/rc")" = 0 -a "$secs" -lt 60
	check "stalled read: reported unreadable, given up on" jqany \
		'select(.path=="/usr/bin/fuse/stall" and .problem=="unreadable" and .expected != null and .actual == null)' \
		"$T/r4/x/live/package_integrity.jsonl"
	check "stalled read: the other file of the mount was hashed, no problem" \
		test "$(jq -s length "$T/r4/x/live/package_integrity.jsonl")" = 1
	check "stalled read: in the errors (abandoned, not hashed)" \
		grep -q 'abandoned: read blocked for .* not hashed' "$T/r4/x/collection.log"
	{ kill -KILL "$spid" "$kpid"; wait "$spid" "$kpid"; } 2>/dev/null; umount -l "$MNT" 2>/dev/null
	R=$R0
else
	skip "needs root, /dev/fuse and $STALLFS: the stalled hash job was not tested"
fi

# Live: the host's dpkg, counted as dpkg-query does.
if command -v dpkg-query >/dev/null && [ -f /var/lib/dpkg/status ]; then
	mkdir -p "$T/live/o" "$T/live/x"
	"$CC_BIN" run -o "$T/live/o" -p LinuxCronFiles --no-yara --no-process-memory \
		--no-process-dump -q >/dev/null 2>&1
	a=$(archive_in "$T/live/o")
	[ -n "$a" ] && zstd -dc "$a" | tar -x -C "$T/live/x"
	want=$(dpkg-query -W | wc -l)
	got=$(jq -r 'select(.manager=="dpkg") | .name' "$T/live/x/live/packages.jsonl" 2>/dev/null | wc -l)
	check "live: dpkg inventory = dpkg-query -W ($got, $want)" test "$got" -eq "$want" -a "$want" -gt 0
	bad=""
	for b in /usr/bin/ls /usr/bin/cat /usr/bin/bash /usr/bin/dpkg; do
		dpkg -S "$b" >/dev/null 2>&1 || continue
		jqany "select(.path==\"$b\")" "$T/live/x/live/package_integrity.jsonl" && bad="$bad $b"
	done
	check "live: no problem for known-good binaries ($bad)" test -z "$bad"
	check "live: executables were hashed" grep -Eq '[1-9][0-9]* hashed and compared' "$T/live/x/collection.log"
else
	skip "no dpkg on this host: the live inventory was not compared"
fi
