#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# docs/records.md documents every field the agent writes (issue 20): a
# live run and a dead-box run (with a YARA match) are extracted, and
# every field of every .jsonl stream, of summary.json and of manifest.json
# must be listed under that entry's heading (tests/cli/records-check.py).
# The checker itself is shown to fail on a field left out of the doc and
# on a field added to a record. Runs in a private network namespace of
# its own (the agent's lock is per namespace).
if [ -z "${RECORDS_INNER:-}" ] && [ "$(id -u)" -eq 0 ] &&
    unshare -n true 2>/dev/null; then
	RECORDS_INNER=1 exec unshare -n bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

CHECKER=$CC_TOP/tests/cli/records-check.py
DOC=$CC_TOP/docs/records.md
[ -n "${RECORDS_INNER:-}" ] && ip link set lo up

# --- Dead box, with a YARA match ----------------------------------------
R=$T/root
make_fixture "$R"
printf 'records-yara-marker\n' >>"$R/etc/cron.d/evil"
printf 'rule CC_Records_Marker { strings: $a = "records-yara-marker" condition: $a }\n' >"$T/r.yar"
mkdir -p "$T/d/o" "$T/d/x"
timeout 60 "$CC_BIN" run --root "$R" --output "$T/d/o" --rules "$T/r.yar" -q \
	>/dev/null 2>"$T/d/err"
check "dead-box run exits 0" test $? -eq 0
tar --zstd -xf "$(archive_in "$T/d/o")" -C "$T/d/x"
check "the dead-box archive has yara/matches.jsonl, summary.json, manifest.json" \
	test -s "$T/d/x/yara/matches.jsonl" -a -s "$T/d/x/summary.json" -a -s "$T/d/x/manifest.json"
python3 "$CHECKER" "$DOC" "$T/d/x" >"$T/d/check" 2>&1
check "dead box: every field is documented ($(tail -1 "$T/d/check"))" test $? -eq 0
grep -v '^checked' "$T/d/check" | head -20 | sed 's/^/    /'

# --- Live ---------------------------------------------------------------
if [ "$(id -u)" -eq 0 ]; then
	mkdir -p "$T/l/o" "$T/l/x"
	timeout 90 "$CC_BIN" run --output "$T/l/o" -p LinuxCronFiles --no-yara -q \
		>/dev/null 2>"$T/l/err"
	check "live run exits 0" test $? -eq 0
	tar --zstd -xf "$(archive_in "$T/l/o")" -C "$T/l/x"
	check "the live archive has the process, network and system streams" \
		test -s "$T/l/x/live/processes.jsonl" -a -s "$T/l/x/live/network.jsonl" \
		-a -s "$T/l/x/live/system.jsonl"
	python3 "$CHECKER" "$DOC" "$T/l/x" >"$T/l/check" 2>&1
	check "live: every field is documented ($(tail -1 "$T/l/check"))" test $? -eq 0
	grep -v '^checked' "$T/l/check" | head -20 | sed 's/^/    /'
else
	skip "not root: no live run"
fi

# --- The checker fails when it should -------------------------------------
grep -v '^- `uid0` (\|^- `limits_total` (' "$DOC" >"$T/doc.less"
python3 "$CHECKER" "$T/doc.less" "$T/d/x" >"$T/less.out" 2>&1
check "a field left out of the doc: the checker fails and names it" \
	test $? -eq 1 -a -n "$(grep -F "live/users.jsonl: field 'uid0' not documented" "$T/less.out")" \
	-a -n "$(grep -F "summary.json: field 'limits_total' not documented" "$T/less.out")"
cp -r "$T/d/x" "$T/y"
jq -c '. + {"brand_new_field": 1}' "$T/d/x/live/users.jsonl" >"$T/y/live/users.jsonl"
jq '.collectors[0] += {"undocumented": true}' "$T/d/x/summary.json" >"$T/y/summary.json"
python3 "$CHECKER" "$DOC" "$T/y" >"$T/more.out" 2>&1
check "a field added to records: the checker fails and names it" \
	test $? -eq 1 -a -n "$(grep -F "live/users.jsonl: field 'brand_new_field' not documented" "$T/more.out")" \
	-a -n "$(grep -F "summary.json: field 'collectors[].undocumented' not documented" "$T/more.out")"
mkdir -p "$T/y/live"
printf '{"a":1}\n' >"$T/y/live/unheard_of.jsonl"
python3 "$CHECKER" "$DOC" "$T/y" >"$T/new.out" 2>&1
check "a stream with no heading in the doc: the checker fails" \
	grep -qF "live/unheard_of.jsonl: no '## live/unheard_of.jsonl' heading" "$T/new.out"
