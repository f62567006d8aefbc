#!/bin/sh
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# Install every build and test dependency on Debian/Ubuntu (as root).
# Non-interactive and idempotent: installed packages are left alone.
# libacl1-dev and liblz4-dev: the static libraries of libarchive's private
# deps for `make static`; forensic-artifacts: the ForensicArtifacts
# definitions the tests load when ../shared is absent; groff-base,
# man-db, lintian, ansible-core: the packaging checks
# (`make check-packaging`); nftables: t-netdepth's rule that makes a
# namespace track its flows (conntrack), and with iptables the ground
# truth of t-firewall; libnftnl-dev, libmnl-dev: the nf_tables reader;
# libsqlite3-dev: the rpm database (rpmdb.sqlite) of the packages collector.
# libcap2-bin: setcap, t-fileattrs' capability binary.
# e2fsprogs: mkfs.ext4 for t-mounts' loop-mounted /var/log.
# rpm: rpmbuild and rpm for make rpm and t-rpm (an rpm-made rpmdb.sqlite).
#
# `sh packaging/deps.sh arm64` (make deps ARCH=arm64) adds what the arm64
# cross build and its test need (make static ARCH=arm64, make
# check-arm64): the cross compiler, qemu-user-static to run the result,
# and the :arm64 -dev packages of every library the static link takes
# (multiarch: dpkg --add-architecture arm64). Each is "Multi-Arch: same",
# installed beside the amd64 one (libgpg-error-dev, named by libssh2.pc but
# not used by Debian's OpenSSL build of libssh2, is not needed: Makefile,
# STATIC_LIBS). Nothing is installed if apt would remove a package.
# chromium: t-report opens the report page in a headless browser.
set -eu
CROSS=${1:-}
PKGS="build-essential pkg-config clang
libarchive-dev libzstd-dev libyara-dev libssh2-1-dev libsodium-dev
libssl-dev libjansson-dev libyaml-dev libinih-dev
openssh-server openssh-client minisign age sleuthkit yara jq zstd tar
python3 procps iproute2 file tmux util-linux forensic-artifacts strace
libacl1-dev liblz4-dev libnftnl-dev libmnl-dev nftables iptables libsqlite3-dev
groff-base man-db lintian ansible-core libcap2-bin e2fsprogs rpm chromium"
case $CROSS in
"") ;;
arm64)
	PKGS="$PKGS gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static"
	for p in libarchive-dev libzstd-dev libyara-dev libssh2-1-dev \
	    libsodium-dev libssl-dev libjansson-dev libyaml-dev libinih-dev \
	    libsqlite3-dev libmagic-dev libacl1-dev liblz4-dev libnftnl-dev \
	    libmnl-dev nettle-dev libbz2-dev liblzma-dev libxml2-dev zlib1g-dev; do
		PKGS="$PKGS $p:arm64"
	done ;;
*)
	echo "deps: no cross build for $CROSS (arm64 only)" >&2
	exit 2 ;;
esac
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps: all installed"
	exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# Others may be installing on the same machine: wait for dpkg's lock.
APT="apt-get -o DPkg::Lock::Timeout=600"
if [ -n "$CROSS" ] && ! dpkg --print-foreign-architectures | grep -qx "$CROSS"; then
	$SUDO dpkg --add-architecture "$CROSS"
fi
$SUDO $APT update -qq
# A foreign -dev package that is not co-installable (or whose version
# lags the installed one's) would make apt remove the host's: refuse.
# shellcheck disable=SC2086
if [ -n "$CROSS" ] && $APT -s install --no-install-recommends $missing |
    grep '^Remv'; then
	echo "deps: installing$missing would remove the packages above; not done" >&2
	exit 1
fi
# shellcheck disable=SC2086
$SUDO $APT install -y -qq --no-install-recommends $missing
