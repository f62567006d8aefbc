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
# chromium: t-report opens the report page in a headless browser.
set -eu
PKGS="build-essential pkg-config clang
libarchive-dev libzstd-dev libyara-dev libssh2-1-dev libsodium-dev
libssl-dev libjansson-dev libyaml-dev libinih-dev
openssh-server openssh-client minisign age sleuthkit yara jq zstd tar
python3 procps iproute2 file tmux util-linux forensic-artifacts strace
libacl1-dev liblz4-dev libnftnl-dev libmnl-dev nftables iptables libsqlite3-dev
groff-base man-db lintian ansible-core libcap2-bin e2fsprogs chromium"
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
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
