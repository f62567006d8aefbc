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
# update, done by `make deps ARCH=arm64`); not root.
#
# usage: sh packaging/sysroot.sh ARCH SYSROOT
set -eu
ARCH=$1
SYSROOT=$2
PKGS="libgpg-error-dev"
rm -rf "$SYSROOT"
mkdir -p "$SYSROOT/debs"
for p in $PKGS; do
	(cd "$SYSROOT/debs" && apt-get download -q "$p:$ARCH") ||
		{ echo "sysroot: cannot download $p:$ARCH (run 'make deps ARCH=$ARCH' as root)" >&2; exit 1; }
done
for d in "$SYSROOT"/debs/*.deb; do
	dpkg -x "$d" "$SYSROOT"
done
touch "$SYSROOT/.done"
