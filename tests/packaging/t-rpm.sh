#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# The RPM: make rpm (rpmbuild, Debian's rpm package), its metadata and
# files (rpm -qpi, -qpl), an install into a scratch root with rpm --root
# (never the host's database: --dbpath is always given), the installed
# binary run there (--version, a --root run and verify). Then the
# packages collector against the rpmdb.sqlite rpm itself wrote: the
# inventory and the digests are those rpm -q reports, a modified binary is
# reported with rpm's digest and the file's, a damaged database gives an
# error record and a whole archive, and rpm -e empties the inventory.
# Run by make check-packaging.
. "$(dirname "$0")/../cli/lib.sh"
B=${CC_BUILD:-$CC_TOP/build}
for c in rpmbuild rpm jq zstd sha256sum python3; do
	command -v $c >/dev/null || {
		skip "$c not installed (make deps installs rpm, which brings rpmbuild)"
		exit 0
	}
done
VERSION=$("$CC_BIN" --version | awk '{print $2}')
ARCH=$(rpm --eval '%{_arch}')

make -s -C "$CC_TOP" BUILD="$B" rpm >"$T/build.log" 2>&1
check "make rpm" test $? -eq 0
RPM=$B/rpm/RPMS/$ARCH/csirt-collect-$VERSION-1.$ARCH.rpm
if [ ! -s "$RPM" ]; then
	nok "$RPM missing"; tail -20 "$T/build.log"; exit 1
fi

# --- Metadata and contents ----------------------------------------------
rpm -qpi "$RPM" >"$T/info" 2>/dev/null
check "rpm -qpi: Name csirt-collect" grep -qE '^Name +: csirt-collect$' "$T/info"
check "…Version $VERSION" grep -qE "^Version +: $VERSION\$" "$T/info"
check "…Architecture $ARCH" grep -qE "^Architecture: $ARCH\$" "$T/info"
check "…License Apache-2.0" grep -qE '^License +: Apache-2.0$' "$T/info"
check "…no library required (static binary)" sh -c \
    "! rpm -qpR '$RPM' 2>/dev/null | grep -v '^rpmlib(' | grep -q ."
rpm -qpl "$RPM" >"$T/list" 2>/dev/null
for f in /usr/bin/csirt-collect /usr/share/man/man1/csirt-collect.1.gz \
    /usr/share/doc/csirt-collect/examples/csirt-collect.ini \
    /usr/share/licenses/csirt-collect/LICENSE /var/lib/csirt-collect; do
	check "rpm -qpl: $f" grep -qxF "$f" "$T/list"
done
for y in "$CC_TOP"/rules/*.yar; do
	check "rpm -qpl: default rule $(basename "$y")" \
	    grep -qxF "/usr/share/csirt-collect/rules/$(basename "$y")" "$T/list"
done
check "rpm -qpl: nothing outside /usr and /var/lib (no build-id links)" sh -c \
    "! grep -vE '^/usr/(bin|share)/|^/var/lib/csirt-collect' '$T/list' | grep -q . &&
    ! grep -q build-id '$T/list'"

# --- rpm --root into a scratch root -----------------------------------------
R=$T/r
mkdir -p "$R"
Q() { rpm --root "$R" --dbpath /var/lib/rpm "$@" 2>/dev/null; }
check_rc "rpm --root SCRATCH -i --nodeps --noscripts" 0 \
    rpm --root "$R" --dbpath /var/lib/rpm -i --nodeps --noscripts "$RPM"
check "…an rpm-made rpmdb.sqlite in the root" test -s "$R/var/lib/rpm/rpmdb.sqlite"
check "rpm --root -qa: csirt-collect-$VERSION-1.$ARCH" \
    test "$(Q -qa)" = "csirt-collect-$VERSION-1.$ARCH"
check_rc "the installed binary: --version" 0 chroot "$R" /usr/bin/csirt-collect --version
check "…prints csirt-collect $VERSION" grep -qx "csirt-collect $VERSION" "$T/.out"
check "…the man page is installed compressed" \
    sh -c "zcat '$R/usr/share/man/man1/csirt-collect.1.gz' | grep -q '^\.TH'"
F=$T/fixture
make_fixture "$F"
mkdir -p "$T/small"
timeout 60 "$R/usr/bin/csirt-collect" run --root "$F" --output "$T/small" \
    --no-yara --quiet >"$T/small.out" 2>&1
check "the installed binary: a --root run (exit 0)" test $? -eq 0
check_rc "…and its verify of that archive" 0 "$R/usr/bin/csirt-collect" \
    verify "$(archive_in "$T/small")"

# --- the packages collector against rpm's own database -----------------------
# Ground truth from rpm: version, arch, install time, file digests.
EVR=$(Q -q --qf '%{VERSION}-%{RELEASE}' csirt-collect)
IARCH=$(Q -q --qf '%{ARCH}' csirt-collect)
ITIME=$(date -u -d "@$(Q -q --qf '%{INSTALLTIME}' csirt-collect)" +%Y-%m-%dT%H:%M:%SZ)
Q -q --dump csirt-collect >"$T/dump"
NREG=$(awk '$5 ~ /^0100/' "$T/dump" | wc -l)
BINSUM=$(awk '$1 == "/usr/bin/csirt-collect" {print $4}' "$T/dump")
check "rpm --dump: the binary's digest is the file's sha256" \
    test "$BINSUM" = "$(sha256sum "$R/usr/bin/csirt-collect" | cut -d' ' -f1)"
root_run "$T/a" "$R"
check "agent --root on the rpm root: exit 0" test $? -eq 0
check_nexecve
P=$T/a/x/live/packages.jsonl
check "packages.jsonl: csirt-collect, rpm, $EVR, $IARCH, installed $ITIME" jqe -s \
    --arg v "$EVR" --arg a "$IARCH" --arg t "$ITIME" \
    'map(select(.manager == "rpm" and .name == "csirt-collect" and .version == $v and .arch == $a and .installed == $t)) | length == 1' "$P"
check "…and nothing else" test "$(wc -l <"$P")" -eq 1
check "the log counts rpm's $NREG regular files, one binary hashed, no problem" \
    grep -q "1 packages, $NREG files listed, 1 hashed and compared.*problems: 0 modified, 0 missing" \
    "$T/a/x/collection.log"
check "no package_integrity record (digests as rpm's)" sh -c \
    "! [ -s '$T/a/x/live/package_integrity.jsonl' ]"
check "an empty rpmdb.sqlite-wal is not warned about" sh -c \
    "[ -e '$R/var/lib/rpm/rpmdb.sqlite-wal' ] && ! grep -q 'sqlite-wal not read' '$T/a/x/collection.log'"

# A modified installed file: rpm -V sees it, the collector reports it.
printf 'implant' >>"$R/usr/bin/csirt-collect"
NEWSUM=$(sha256sum "$R/usr/bin/csirt-collect" | cut -d' ' -f1)
check "rpm -V sees the binary modified (ground truth)" sh -c \
    "rpm --root '$R' --dbpath /var/lib/rpm -V csirt-collect 2>/dev/null | grep -q '^S\.5.* /usr/bin/csirt-collect\$'"
root_run "$T/m" "$R"
check "modified binary: the run ends (exit 0 or 3)" test $? -eq 0 -o $? -eq 3
check "package_integrity: modified, sha256, expected rpm's digest, actual the file's" \
    jqe -s --arg e "$BINSUM" --arg n "$NEWSUM" \
    'map(select(.manager == "rpm" and .package == "csirt-collect" and .path == "/usr/bin/csirt-collect" and .problem == "modified" and .algorithm == "sha256" and .expected == $e and .actual == $n)) | length == 1' \
    "$T/m/x/live/package_integrity.jsonl"
check "…the only record" test "$(wc -l <"$T/m/x/live/package_integrity.jsonl")" -eq 1

# --- must-fail: a damaged rpmdb.sqlite -----------------------------------------
# damaged NAME HOW: a copy of the root with the database damaged by HOW
# (a shell command on $db); the run ends, an error record names the file.
damaged() {
	_n=$1; _how=$2
	mkdir -p "$T/$_n/root/var/lib/rpm"
	db="$T/$_n/root/var/lib/rpm/rpmdb.sqlite"
	cp "$R/var/lib/rpm/rpmdb.sqlite" "$db"
	eval "$_how"
	cmp -s "$db" "$R/var/lib/rpm/rpmdb.sqlite" && nok "$_n: database unchanged"
	root_run "$T/$_n/o" "$T/$_n/root"
	_rc=$?
	check "$_n: the run ends, no crash (exit $_rc: 0 or 3)" test "$_rc" -eq 0 -o "$_rc" -eq 3
	check "$_n: an error record for /var/lib/rpm/rpmdb.sqlite" jqe \
	    '.errors[] | select(.path == "/var/lib/rpm/rpmdb.sqlite")' "$T/$_n/o/x/manifest.json"
	check_rc "$_n: the archive verifies" 0 "$CC_BIN" verify "$(archive_in "$T/$_n/o")"
}
damaged header 'printf "not a database at all, not SQLite" | dd of="$db" conv=notrunc 2>/dev/null'
damaged pages 'sz=$(stat -c %s "$db"); dd if=/dev/urandom of="$db" bs=4096 seek=1 count=$((sz / 4096 - 1)) conv=notrunc 2>/dev/null'
damaged cut 'truncate -s 8192 "$db"'
# The Packages table's root page only: the schema reads, stepping fails
# (without a check there, a silent empty inventory).
PG=$(python3 -c 'import sqlite3, sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(c.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", ("Packages",)).fetchone()[0])' \
    "$R/var/lib/rpm/rpmdb.sqlite" 2>/dev/null)
if [ -n "$PG" ]; then
	damaged table 'dd if=/dev/urandom of="$db" bs=4096 seek=$((PG - 1)) count=1 conv=notrunc 2>/dev/null'
	check "table: the error says the list stops there" jqe \
	    '.errors[] | select(.path == "/var/lib/rpm/rpmdb.sqlite") | .error | test("malformed: the packages after that are not listed")' \
	    "$T/table/o/x/manifest.json"
else
	nok "python3 sqlite3: the Packages table's root page not found"
fi

# --- rpm -e ---------------------------------------------------------------------
check_rc "rpm --root -e --nodeps --noscripts csirt-collect" 0 \
    rpm --root "$R" --dbpath /var/lib/rpm -e --nodeps --noscripts csirt-collect
check "…the binary is gone, rpm -qa is empty" sh -c \
    "[ ! -e '$R/usr/bin/csirt-collect' ] && [ -z \"\$(rpm --root '$R' --dbpath /var/lib/rpm -qa 2>/dev/null)\" ]"
root_run "$T/e" "$R"
check "after rpm -e: the inventory no longer lists csirt-collect" sh -c \
    "! grep -q csirt-collect '$T/e/x/live/packages.jsonl' 2>/dev/null"
check "…but rpm was read (the log)" sh -c \
    "! grep -q 'rpm: no var/lib/rpm' '$T/e/x/collection.log'"
exit 0
