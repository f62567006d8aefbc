#!/bin/sh
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# Runs every test and prints "N passed, N failed" last.
# Unit tests are the binaries build/tests/test_*; fuzz replays are
# build/fuzz/replay_NAME run on tests/fuzz/corpus/NAME/; CLI tests are the
# shell scripts tests/cli/t-*.sh (see tests/cli/lib.sh). Each test prints lines
# "PASS name" or "FAIL name: why"; a test program that exits non-zero
# without printing a FAIL counts as one failure, so a crash is never lost.
#
# usage: tests/run.sh BUILD [unit|fuzz|cli|packaging] [PATTERN]
BUILD=${1:-build}
WHAT=${2:-all}
PATTERN=${3:-}
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$BUILD" && pwd)
export CC_BIN="$BUILD/csirt-collect" CC_TOP="$TOP" CC_BUILD="$BUILD"
LOG=$(mktemp -d "${TMPDIR:-/tmp}/cc-tests.XXXXXX")
trap 'rm -rf "$LOG"' EXIT INT TERM
pass=0 failed=0 skipped=0

run_one() {	# name command...
	name=$1; shift
	out="$LOG/out"
	start=$(date +%s)
	"$@" >"$out" 2>&1 </dev/null
	rc=$?
	p=$(grep -c '^PASS ' "$out")
	f=$(grep -c '^FAIL ' "$out")
	s=$(grep -c '^SKIP ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $name: exited $rc without reporting a failure"
		f=1
	fi
	if [ "$rc" -eq 0 ] && [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $name: ran no test"
		f=1
	fi
	if [ "$f" -gt 0 ]; then
		sed 's/^/  | /' "$out" | tail -n 60
	else
		grep -E '^(PASS|SKIP) ' "$out"
	fi
	pass=$((pass + p)); failed=$((failed + f)); skipped=$((skipped + s))
	echo "# $name: $p passed, $f failed ($(( $(date +%s) - start ))s)"
}

if [ "$WHAT" = all ] || [ "$WHAT" = unit ]; then
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		case "$t" in *"$PATTERN"*) ;; *) continue ;; esac
		run_one "unit/$(basename "$t")" "$t"
	done
fi
if [ "$WHAT" = all ] || [ "$WHAT" = fuzz ]; then
	for t in "$BUILD"/fuzz/replay_*; do
		[ -x "$t" ] || continue
		case "$t" in *"$PATTERN"*) ;; *) continue ;; esac
		n=${t##*/replay_}
		run_one "fuzz/$n" "$t" "$n" "$TOP/tests/fuzz/corpus/$n"
	done
fi
if [ "$WHAT" = all ] || [ "$WHAT" = cli ]; then
	for t in "$TOP"/tests/cli/t-*.sh; do
		[ -f "$t" ] || continue
		case "$t" in *"$PATTERN"*) ;; *) continue ;; esac
		run_one "cli/$(basename "$t")" bash "$t"
	done
fi
# The slow packaging tests (tests/packaging/t-*.sh): only when asked for
# (make check-packaging), never in "all". t-arm64 needs the cross build:
# only by name (make check-arm64).
if [ "$WHAT" = packaging ]; then
	for t in "$TOP"/tests/packaging/t-*.sh; do
		[ -f "$t" ] || continue
		case "${t##*/}" in *"$PATTERN"*) ;; *) continue ;; esac
		case "$t:$PATTERN" in */t-arm64.sh:) continue ;; esac
		run_one "packaging/$(basename "$t")" bash "$t"
	done
fi
if [ "$skipped" -gt 0 ]; then
	echo "$pass passed, $failed failed, $skipped skipped"
else
	echo "$pass passed, $failed failed"
fi
[ "$failed" -eq 0 ]
