#!/bin/sh
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# Builds the Debian package with dpkg-deb alone (no source package, no
# debhelper): `make deb` calls it after `make static`. The package holds
# the static binary, so one .deb installs on any Debian or Ubuntu of its
# architecture and loads none of the host's libraries; it therefore has
# no Depends. ARCH (default: the host's) is the binary's: `make deb
# ARCH=arm64` packs build-arm64/csirt-collect-static.
#
#   /usr/bin/csirt-collect                  the static binary
#   /usr/share/csirt-collect/rules/*.yar    default YARA rules, as text
#   /usr/share/man/man1/csirt-collect.1.gz
#   /usr/share/doc/csirt-collect/           copyright, changelog, examples/
#   /usr/share/lintian/overrides/csirt-collect
#   /var/lib/csirt-collect/                 state (rule bundle versions)
#
# usage: sh packaging/deb/build.sh BUILD VERSION [ARCH]  -> BUILD/csirt-collect_VERSION_ARCH.deb
set -eu
BUILD=$1
VERSION=$2
TOP=$(cd "$(dirname "$0")/../.." && pwd)
DEB=$TOP/packaging/deb
ARCH=${3:-$(dpkg --print-architecture)}
STAGE=$BUILD/deb/root
OUT=$BUILD/csirt-collect_${VERSION}_${ARCH}.deb
# Reproducible: every time stamp is the last commit's (or a fixed date).
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$TOP" log -1 --format=%ct 2>/dev/null || echo 1700000000)}
export SOURCE_DATE_EPOCH

rm -rf "$BUILD/deb"
mkdir -p "$STAGE/DEBIAN"
MAKEFLAGS= make -s -C "$TOP" install BUILD="$BUILD" DESTDIR="$STAGE" PREFIX=/usr \
	INSTALL_BIN="$BUILD/csirt-collect-static" >/dev/null
DOC=$STAGE/usr/share/doc/csirt-collect
gzip -9n "$STAGE/usr/share/man/man1/csirt-collect.1"
install -m 0644 "$DEB/copyright" "$DOC/copyright"
sed "s/@VERSION@/$VERSION/" "$DEB/changelog" | gzip -9n >"$DOC/changelog.gz"
chmod 0644 "$DOC/changelog.gz"
install -d -m 0755 "$STAGE/usr/share/lintian/overrides"
install -m 0644 "$DEB/lintian-overrides" "$STAGE/usr/share/lintian/overrides/csirt-collect"
# State directory (the highest rule bundle version accepted): root-owned.
install -d -m 0755 "$STAGE/var/lib/csirt-collect"

SIZE=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$SIZE/" \
	"$DEB/control" >"$STAGE/DEBIAN/control"
(cd "$STAGE" && find usr -type f | LC_ALL=C sort | xargs md5sum) >"$STAGE/DEBIAN/md5sums"
chmod 0644 "$STAGE/DEBIAN/control" "$STAGE/DEBIAN/md5sums"
find "$STAGE" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$OUT" >/dev/null
echo "$OUT"
