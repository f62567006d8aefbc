#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# Packages and installation: the .deb's metadata and files (dpkg-deb
# -I/-c), lintian, an install into a fresh root with dpkg --root and a
# run of the installed binary there (chroot); make install/uninstall
# with PREFIX and DESTDIR; the man page renders without warnings; the
# RPM is t-rpm.sh's. Run by make check-packaging.
. "$(dirname "$0")/../cli/lib.sh"
B=${CC_BUILD:-$CC_TOP/build}
ARCH=$(dpkg --print-architecture)
VERSION=$("$CC_BIN" --version | awk '{print $2}')
DEB=$B/csirt-collect_${VERSION}_$ARCH.deb
if [ ! -s "$DEB" ]; then nok "$DEB missing: make deb"; exit 1; fi

# --- Metadata and contents ----------------------------------------------
dpkg-deb -I "$DEB" >"$T/info"
check "dpkg-deb -I: package, version, architecture" \
	grep -qx " Package: csirt-collect" "$T/info"
check "…Version $VERSION, Architecture $ARCH" sh -c \
	"grep -qx ' Version: $VERSION' '$T/info' && grep -qx ' Architecture: $ARCH' '$T/info'"
check "…no Depends (static binary)" sh -c "! grep -q '^ Depends:' '$T/info'"
check "…control and md5sums members" sh -c "grep -q ' control ' '$T/info' && grep -q ' md5sums ' '$T/info'"
dpkg-deb -c "$DEB" | awk '{print $1, $2, $NF}' >"$T/list"
for f in "-rwxr-xr-x root/root ./usr/bin/csirt-collect" \
	"-rw-r--r-- root/root ./usr/share/man/man1/csirt-collect.1.gz" \
	"-rw-r--r-- root/root ./usr/share/doc/csirt-collect/examples/csirt-collect.ini" \
	"-rw-r--r-- root/root ./usr/share/doc/csirt-collect/copyright" \
	"-rw-r--r-- root/root ./usr/share/doc/csirt-collect/changelog.gz" \
	"drwxr-xr-x root/root ./var/lib/csirt-collect/"; do
	check "dpkg-deb -c: $f" grep -qxF -- "$f" "$T/list"
done
for y in "$CC_TOP"/rules/*.yar; do
	check "dpkg-deb -c: default rule $(basename "$y")" \
		grep -qF "./usr/share/csirt-collect/rules/$(basename "$y")" "$T/list"
done
check "every file is owned by root" sh -c "! awk '{print \$2}' '$T/list' | grep -qv '^root/root$'"

check_lintian "$DEB"

# --- dpkg --root into a fresh root -----------------------------------------
R=$T/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates"
: >"$R/var/lib/dpkg/status"
check_rc "dpkg --root=FRESH -i the .deb" 0 dpkg --root="$R" --force-not-root -i "$DEB"
check "dpkg --root -s: installed" sh -c \
	"dpkg --root='$R' -s csirt-collect | grep -qx 'Status: install ok installed'"
check_rc "chroot FRESH csirt-collect --version" 0 chroot "$R" /usr/bin/csirt-collect --version
check "…prints the version" grep -qx "csirt-collect $VERSION" "$T/.out"
check_rc "the installed example config is accepted (config show)" 0 chroot "$R" \
	/usr/bin/csirt-collect config show -c /usr/share/doc/csirt-collect/examples/csirt-collect.ini
check "the installed man page renders without warnings" sh -c \
	"zcat '$R/usr/share/man/man1/csirt-collect.1.gz' | groff -man -ww -z 2>&1 | awk 'END{exit NR>0}'"
check_rc "dpkg --root -r removes it" 0 dpkg --root="$R" --force-not-root -r csirt-collect
check "…the binary is gone" test ! -e "$R/usr/bin/csirt-collect"

# --- make install / uninstall with PREFIX and DESTDIR ----------------------
D=$T/destdir
make -s -C "$CC_TOP" BUILD="$B" install DESTDIR="$D" PREFIX=/opt/cc >"$T/inst" 2>&1
check "make install DESTDIR PREFIX=/opt/cc: binary" test -x "$D/opt/cc/bin/csirt-collect"
check "…man page in PREFIX/share/man/man1" test -s "$D/opt/cc/share/man/man1/csirt-collect.1"
check "…rules in PREFIX/share/csirt-collect/rules" \
	test "$(ls "$D/opt/cc/share/csirt-collect/rules" | wc -l)" -eq "$(ls "$CC_TOP"/rules/*.yar | wc -l)"
check "…example config in PREFIX/share/doc/csirt-collect/examples" \
	test -s "$D/opt/cc/share/doc/csirt-collect/examples/csirt-collect.ini"
check "…nothing outside DESTDIR/PREFIX" test "$(ls "$D")" = opt -a "$(ls "$D/opt")" = cc
check "man -l finds the installed page (NAME section)" sh -c \
	"LC_ALL=C MANWIDTH=80 man -l '$D/opt/cc/share/man/man1/csirt-collect.1' 2>/dev/null | grep -q 'csirt-collect *- *collect *forensic'"
check "man --warnings: no warning" sh -c \
	"man --warnings -l '$D/opt/cc/share/man/man1/csirt-collect.1' 2>&1 >/dev/null | awk 'END{exit NR>0}'"
make -s -C "$CC_TOP" BUILD="$B" uninstall DESTDIR="$D" PREFIX=/opt/cc >>"$T/inst" 2>&1
check "make uninstall removes every file it installed" test -z "$(find "$D" -type f)"

# The RPM: tests/packaging/t-rpm.sh.
exit 0
