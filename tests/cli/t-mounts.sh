# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# A separately mounted /var (tmpfs), /var/log (a loop-mounted ext4 image)
# and /var/log/audit (tmpfs), in a private mount namespace (unshare -m:
# nothing is seen outside it and all goes away with it). A file planted
# on each mount must be collected by triage and listed in the bodyfile:
# with --root on a fixture tree, then live, the same layering put over
# the host's /var inside the namespace (triage's /var artefacts).
. "$(dirname "$0")/lib.sh"

if [ -z "${CC_MOUNTS_INNER:-}" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		skip "needs root (mounts)"
		exit 0
	fi
	for c in unshare mount mkfs.ext4 jq zstd; do
		if ! command -v $c >/dev/null; then
			skip "$c missing (make deps)"
			exit 0
		fi
	done
	if ! unshare -m true 2>/dev/null; then
		skip "unshare -m not permitted here"
		exit 0
	fi
	# Again in a private mount namespace; its own T, removed by it.
	CC_MOUNTS_INNER=1 unshare -m sh "$0"
	exit $?
fi

mount --make-rprivate /
truncate -s 16M "$T/log.img"
mkfs.ext4 -q -F "$T/log.img" >/dev/null 2>&1

# layer DIR: tmpfs on DIR/var, the ext4 image on DIR/var/log, tmpfs on
# DIR/var/log/audit, a marker on each; 0 or 1.
layer() {
	mkdir -p "$1/var" &&
	mount -t tmpfs -o size=8m cc-var "$1/var" &&
	mkdir -p "$1/var/log" &&
	mount -o loop "$T/log.img" "$1/var/log" &&
	mkdir -p "$1/var/log/audit" &&
	mount -t tmpfs -o size=8m cc-audit "$1/var/log/audit" || return 1
	mkdir -p "$1/var/spool/cron/crontabs" "$1/var/lib/ccm" \
	    "$1/var/log/ccm"
	echo "* * * * * /tmp/.x # ON-VAR" >"$1/var/spool/cron/crontabs/ccm"
	echo "ON-VAR" >"$1/var/lib/ccm/marker"
	echo "ON-VARLOG" >"$1/var/log/ccm/app.log"
	echo "type=USER_LOGIN msg=ON-AUDIT" >"$1/var/log/audit/audit.log"
}
# verify LABEL X ROOTPREFIX: the markers in the extracted archive X.
verify() {
	B="$2/timeline/bodyfile.txt"
	check "$1: /var mount: crontab collected" \
	    grep -q ON-VAR "$2/files$3/var/spool/cron/crontabs/ccm"
	check "$1: /var/log mount: a log of no artefact collected" \
	    grep -q ON-VARLOG "$2/files$3/var/log/ccm/app.log"
	check "$1: /var/log/audit mount: audit.log collected" \
	    grep -q ON-AUDIT "$2/files$3/var/log/audit/audit.log"
	for p in /var/lib/ccm/marker /var/spool/cron/crontabs/ccm \
	    /var/log/ccm/app.log /var/log/audit/audit.log; do
		check "$1: $p in the bodyfile" grep -q "^[0-9a-f]*|$3$p|" "$B"
	done
}

# --- Dead box ------------------------------------------------------------
R="$T/root"
mkdir -p "$R/etc"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$R/etc/passwd"
if ! layer "$R"; then
	skip "cannot mount tmpfs or a loop device here"
	exit 0
fi
mkdir -p "$T/o1/x"
timeout 60 "$CC_BIN" run --root "$R" --output "$T/o1" --no-yara --quiet \
    >"$T/o1/stdout" 2>"$T/o1/stderr"
check "--root run exits 0" test $? -eq 0
tar --zstd -xf "$T/o1"/*.tar.zst -C "$T/o1/x" 2>/dev/null
verify "--root" "$T/o1/x" ""

# --- Live: the layering over the host's /var, in this namespace only -----
if ! layer ""; then
	skip "live: cannot mount over /var here"
	exit 0
fi
# Triage's artefacts for /var, its bodyfile of /var alone: the host's
# /usr would make this run long (triage live is timed by make bench).
cat >"$T/var.yaml" <<'EOF'
name: VarOnly
doc: t-mounts
labels: [Profile]
sources:
- type: ARTIFACT_GROUP
  attributes: {names: [LinuxCronFiles, LinuxAuditFiles, LinuxVarLogTriage]}
- type: DIRECTORY
  attributes: {paths: ['/var']}
EOF
mkdir -p "$T/o2/x"
start=$(date +%s)
timeout 120 "$CC_BIN" run --output "$T/o2" --no-yara --quiet \
    --artifacts "$T/var.yaml" --profile VarOnly \
    >"$T/o2/stdout" 2>"$T/o2/stderr"
check "live run exits 0" test $? -eq 0
echo "# live run: $(( $(date +%s) - start ))s"
tar --zstd -xf "$T/o2"/*.tar.zst -C "$T/o2/x" 2>/dev/null
verify "live" "$T/o2/x" ""
