# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# Shared helpers for the CLI tests (sourced by tests/cli/t-*.sh).
# Each test works in its own temporary directory, removed on exit, and
# reports each case with ok/nok, which print "PASS …" or "FAIL …".
set -u
CC_BIN=${CC_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build/csirt-collect}
CC_TOP=${CC_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SHARED=${SHARED:-$CC_TOP/../shared}
T=$(mktemp -d "${TMPDIR:-/tmp}/cc-cli.XXXXXX")
TNAME=$(basename "$0" .sh)
cleanup_hooks=""
at_exit() { cleanup_hooks="$1; $cleanup_hooks"; }
trap 'eval "$cleanup_hooks"; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

ok()  { echo "PASS $TNAME: $*"; }
nok() { echo "FAIL $TNAME: $*"; }
# check DESC CMD...: PASS when CMD succeeds.
check() { d=$1; shift; if "$@"; then ok "$d"; else nok "$d"; fi; }
# check_rc DESC RC CMD...: PASS when CMD exits with RC exactly.
check_rc() {
	d=$1; want=$2; shift 2
	"$@" >"$T/.out" 2>"$T/.err"; got=$?
	if [ "$got" -eq "$want" ]; then ok "$d"; else
		nok "$d: exit $got, wanted $want"; sed 's/^/    /' "$T/.err" | head -5
	fi
}
# stderr of the last check_rc contains a string
last_err_has() { grep -qF -- "$1" "$T/.err"; }
