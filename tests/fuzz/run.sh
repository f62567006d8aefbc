#!/bin/sh
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# Runs each libFuzzer target of `make fuzz` for SECONDS on a scratch copy
# of its corpus (new inputs stay out of the repository), and prints the
# executions done. A crash leaves its input in the scratch directory and
# makes the script exit 1.
#
# usage: tests/fuzz/run.sh FUZZ_BUILD SECONDS [NAME...]
BUILD=${1:-build-fuzz}
SECS=${2:-60}
shift 2 2>/dev/null
TOP=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/cc-fuzz.XXXXXX")}
names=${*:-$(ls "$BUILD"/fuzz | sed -n 's/^fuzz_//p')}
bad=0
for n in $names; do
	mkdir -p "$WORK/$n/corpus" "$WORK/$n/crash"
	cp "$TOP/tests/fuzz/corpus/$n"/* "$WORK/$n/corpus/" 2>/dev/null
	"$BUILD/fuzz/fuzz_$n" -max_total_time="$SECS" -close_fd_mask=2 \
	    -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
	    -artifact_prefix="$WORK/$n/crash/" "$WORK/$n/corpus" \
	    >"$WORK/$n/log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$WORK/$n/log")
	if [ "$rc" -ne 0 ]; then
		echo "FAIL fuzz_$n: exit $rc after ${execs:-?} executions; see $WORK/$n/log"
		bad=1
	else
		echo "PASS fuzz_$n: ${execs:-?} executions in ${SECS}s, no finding"
	fi
done
echo "# work directory: $WORK"
exit $bad
