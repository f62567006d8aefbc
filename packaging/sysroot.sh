#!/bin/sh
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# The sysroot of a cross build (make static ARCH=arm64): the -dev packages
# of ARCH that cannot be installed beside the host's own (no "Multi-Arch:
# same"), fetched with apt-get download and unpacked with dpkg -x, not
# installed. The Makefile links with -L SYSROOT/usr/lib/TRIPLET. Every
# other library is a co-installable :ARCH package (packaging/deps.sh).
#
#   libgpg-error-dev   libssh2.pc names -lgpg-error in Libs.private
#
# Needs the ARCH package lists (dpkg --add-architecture ARCH and apt-get
# update, done by `make deps ARCH=arm64`); not root. The .debs are kept in
# a cache (CC_DEB_CACHE, default /var/cache/csirt-collect/ARCH), filled by
# `make deps ARCH=arm64` (`sysroot.sh --fetch ARCH`), so that a build needs
# no network: apt-get download is the fallback when the cache lacks one.
#
# usage: sh packaging/sysroot.sh ARCH SYSROOT | sh packaging/sysroot.sh --fetch ARCH
set -eu
PKGS="libgpg-error-dev"
if [ "$1" = --fetch ]; then
	ARCH=$2
	CACHE=${CC_DEB_CACHE:-/var/cache/csirt-collect/$ARCH}
	mkdir -p "$CACHE"
	for p in $PKGS; do
		ls "$CACHE/${p}_"*"_$ARCH.deb" >/dev/null 2>&1 && continue
		(cd "$CACHE" && apt-get download -q "$p:$ARCH") ||
			{ echo "sysroot: cannot download $p:$ARCH" >&2; exit 1; }
	done
	exit 0
fi
ARCH=$1
SYSROOT=$2
CACHE=${CC_DEB_CACHE:-/var/cache/csirt-collect/$ARCH}
rm -rf "$SYSROOT"
mkdir -p "$SYSROOT/debs"
for p in $PKGS; do
	for d in "$CACHE/${p}_"*"_$ARCH.deb"; do
		[ -f "$d" ] && cp "$d" "$SYSROOT/debs/"
	done
	ls "$SYSROOT/debs/${p}_"*"_$ARCH.deb" >/dev/null 2>&1 && continue
	(cd "$SYSROOT/debs" && apt-get download -q "$p:$ARCH") ||
		{ echo "sysroot: cannot download $p:$ARCH (run 'make deps ARCH=$ARCH' as root)" >&2; exit 1; }
done
for d in "$SYSROOT"/debs/*.deb; do
	dpkg -x "$d" "$SYSROOT"
done
touch "$SYSROOT/.done"
