#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# The run's confinement. (1) During collection the agent is under
# no_new_privs and a seccomp filter (sandbox.c; the kill of a forbidden
# call is tested in tests/unit/test_sandbox.c). (2) It writes nothing
# outside the output directory, the temporary directory and the rules
# state directory: a live run in a private mount namespace (unshare -m)
# where every other file system is read-only must succeed with no
# "Read-only file system" anywhere in what it reports.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
	echo "SKIP $TNAME: needs root and mount namespaces"
	exit 0
fi

# (1) no_new_privs and seccomp mode 2 (filter) while collecting.
mkdir -p "$T/o1"
"$CC_BIN" run -q -o "$T/o1" --no-yara --max-file-size 16M \
    --max-total-size 256M >"$T/o1/stdout" 2>"$T/o1/stderr" &
pid=$!
status=
# The collection runs in a child of the process started (supervise.c,
# supervise_fork: stuck reads cannot hold the exit); that child is
# the one confined.
for _ in $(seq 1 200); do
	if ls -A "$T/o1" | grep -q '\.part$'; then
		sleep 0.3
		child=$(pgrep -P "$pid" | head -n 1)
		status=$(cat "/proc/${child:-$pid}/status" 2>/dev/null)
		break
	fi
	sleep 0.05
done
wait $pid; rc=$?
check "a live run exits 0" test "$rc" -eq 0
check "while it collects: NoNewPrivs 1" \
    sh -c "printf '%s\n' \"\$1\" | grep -qx 'NoNewPrivs:[[:space:]]*1'" _ "$status"
check "while it collects: Seccomp 2 (filter)" \
    sh -c "printf '%s\n' \"\$1\" | grep -qx 'Seccomp:[[:space:]]*2'" _ "$status"
check "the log does not say the sandbox is off" \
    sh -c "! grep -q 'without the sandbox' '$T/o1/stderr'"

# (2) Read-only everywhere but three directories.
OUT="$T/out"; TMPW="$T/tmpw"; STATE="$T/state"
mkdir -p "$OUT" "$TMPW" "$STATE"
printf '[rules]\nstate_dir = %s\n' "$STATE" >"$T/cfg.ini"
cat >"$T/ns.sh" <<'EOF'
set -e
# Writable: the three directories, each a fresh tmpfs.
for d in "$OUT" "$TMPW" "$STATE"; do mount -t tmpfs -o size=2g tmpfs "$d"; done
# Read-only: every other mount but the kernel's pseudo file systems.
awk '{print $5}' /proc/self/mountinfo | sed 's/\\040/ /g' | sort -u |
while IFS= read -r m; do
	case "$m" in
	"$OUT"|"$TMPW"|"$STATE") continue ;;
	/proc|/proc/*|/sys|/sys/*|/dev|/dev/pts|/dev/mqueue) continue ;;
	esac
	mount -o remount,bind,ro "$m" 2>/dev/null || true
done
# The proof that the tree is read-only where it matters.
if touch /etc/.cc-ro-probe 2>/dev/null || touch /tmp/.cc-ro-probe 2>/dev/null ||
    touch /var/tmp/.cc-ro-probe 2>/dev/null; then
	echo "tree still writable"; exit 90
fi
set +e
TMPDIR="$TMPW" "$CC_BIN" run -o "$OUT" -c "$CFG" \
    --max-file-size 16M --max-total-size 256M >"$TMPW/stdout" 2>"$TMPW/stderr"
rc=$?
[ "$rc" -eq 0 ] || { tail -n 5 "$TMPW/stderr" >&2; exit "$rc"; }
A=$(ls "$OUT"/*.tar.zst)
"$CC_BIN" verify "$A" >/dev/null 2>&1 || exit 91
mkdir "$TMPW/x"
tar --zstd -xf "$A" -C "$TMPW/x" manifest.json collection.log
# Everything the agent reported, on stdout (opened before the namespace,
# on the original mount) for the checks outside.
cat "$TMPW/stderr" "$TMPW/x/collection.log" "$TMPW/x/manifest.json"
exit $rc
EOF
OUT=$OUT TMPW=$TMPW STATE=$STATE CFG=$T/cfg.ini CC_BIN=$CC_BIN \
    timeout 600 unshare -m --propagation private bash "$T/ns.sh" >"$T/report" 2>"$T/ns.err"
rc=$?
check "a live run with the tree read-only but output, temp and state dirs: exit 0" \
    test "$rc" -eq 0
[ "$rc" -eq 0 ] || { echo "# exit $rc"; sed 's/^/    /' "$T/ns.err" | tail -n 5; }
check "…and it verified inside the namespace" test "$rc" -ne 91
check "…nothing it reports hit a read-only file system (no write elsewhere)" \
    sh -c "[ -s '$T/report' ] && ! grep -qi 'read-only file system\|EROFS' '$T/report'"
check "…the namespace's tmpfs mounts are gone: nothing left in the output dir here" \
    sh -c "[ -z \"\$(ls -A '$OUT')\" ]"
