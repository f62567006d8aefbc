#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# summary.json (issue 20): red flags the test plants are found in it, and
# clean things are not. A dead-box tree with a second uid-0 account (and
# one with a hostile name), a recent cron file and an old one, a file a
# YARA rule matches; a live run with a process under LD_PRELOAD, one
# running a deleted executable (with a hostile name), a memfd executable,
# a promiscuous interface and an AF_PACKET socket. summary.json is a
# manifest entry that verify checks, its fields are those of
# docs/records.md, and the agent runs no program (strace). The whole test
# runs in a private network namespace of its own (the dummy interface,
# and the agent's lock is per namespace).
if [ -z "${SUMMARY_INNER:-}" ] && [ "$(id -u)" -eq 0 ] &&
    unshare -n true 2>/dev/null; then
	SUMMARY_INNER=1 exec unshare -n bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ] || [ -z "${SUMMARY_INNER:-}" ]; then
	skip "needs root and unshare -n (a dummy interface, packet sockets)"
	exit 0
fi
ip link set lo up
pids=""
at_exit 'kill $pids 2>/dev/null'
CHECKER=$CC_TOP/tests/cli/records-check.py
DOC=$CC_TOP/docs/records.md
S() { echo "$T/$1/x/summary.json"; }

# --- Dead box ---------------------------------------------------------
R=$T/root
make_fixture "$R"		# its /etc/cron.d/evil is new: recent
printf 'toor:x:0:0:second root:/root:/bin/sh\n' >>"$R/etc/passwd"
printf 'ev"il\\\xff:x:0:0::/tmp:/bin/sh\n' >>"$R/etc/passwd"
printf '# summary-yara-marker-5147\n* * * * * root /usr/local/bin/m\n' \
	>"$R/etc/cron.d/marked"
printf '* * * * * root /opt/old/run\n' >"$R/etc/cron.d/old"
touch -d '90 days ago' "$R/etc/cron.d/old"
printf '* * * * * root /tmp/q\n' >"$R/etc/cron.d/$(printf 'hos"tile\nname\xfe')"
cat >"$T/test.yar" <<'EOF'
rule CC_Summary_Marker { strings: $a = "summary-yara-marker-5147" condition: $a }
EOF
mkdir -p "$T/d/o" "$T/d/x"
tr=""
if command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null; then
	tr="env $NOLEAK_ENV strace -f -qq -e trace=execve -o $T/d/trace"
fi
# shellcheck disable=SC2086
timeout 60 $tr "$CC_BIN" run --root "$R" --output "$T/d/o" --rules "$T/test.yar" \
	-p LinuxCronFiles --json >"$T/d/stdout" 2>"$T/d/stderr"
check "dead-box run exits 0" test $? -eq 0
A=$(archive_in "$T/d/o")
tar --zstd -xf "$A" -C "$T/d/x"
if [ -n "$tr" ]; then
	n=$(grep -c 'execve(' "$T/d/trace")
	check "under strace, no program run (1 execve: itself; saw $n)" test "$n" -eq 1
else
	skip "ptrace not allowed: the execve count was not checked"
fi
check "summary.json is in the archive and is JSON" jqe '.format == 1' "$(S d)"
check "summary.json is a manifest entry with its sha256" \
	jqe --arg h "$(sha256sum <"$(S d)" | cut -d' ' -f1)" \
	'any(.entries[]; .path == "summary.json" and .sha256 == $h)' "$T/d/x/manifest.json"
"$CC_BIN" verify "$A" >"$T/d/verify" 2>&1
check "verify checks it: exit 0" test $? -eq 0
flip_byte "$(S d)" 20
cp "$(S d)" "$T/d/summary.bad"
check "a changed summary.json no longer has the manifest's sha256" \
	test "$(sha256sum <"$T/d/summary.bad" | cut -d' ' -f1)" != \
	"$(jq -r '.entries[] | select(.path == "summary.json") | .sha256' "$T/d/x/manifest.json")"
tar --zstd -xf "$A" -C "$T/d/x" summary.json	# back to the archived one
check "head: dead box, agent, host, profile, times" jqe '.live == false and
	.agent.name == "csirt-collect" and .host.hostname == "fixture-host" and
	.profile == "LinuxCronFiles" and (.started|test("Z$")) and
	(.finished|test("Z$")) and .cut == null and .iocs == null' "$(S d)"
check "collectors: processes skipped (--root), users ok with its records" \
	jqe 'any(.collectors[]; .name == "processes" and .status == "skipped" and
		(.note|test("root"))) and any(.collectors[]; .name == "users" and
		.status == "ok" and .records > 0 and .seconds >= 0)' "$(S d)"
check "counts: records by stream match the streams' lines" \
	jqe --argjson n "$(wc -l <"$T/d/x/live/users.jsonl")" \
	'.counts.records["live/users.jsonl"] == $n and .counts.files > 0' "$(S d)"
check "uid0_account: toor found (high, from live/users.jsonl)" \
	jqe 'any(.findings[]; .kind == "uid0_account" and .detail.name == "toor"
		and .severity == "high" and .source == "live/users.jsonl")' "$(S d)"
check "uid0_account: the hostile name (quote, backslash, bad UTF-8) too" \
	jqe 'any(.findings[]; .kind == "uid0_account" and
		(.detail.name|startswith("ev\"il\\") and endswith("xff")))' "$(S d)"
check "uid0_account: root is not reported; 2 in all" \
	jqe '([.findings[] | select(.kind == "uid0_account" and .detail.name == "root")]
		| length == 0) and .findings_total.uid0_account == 2' "$(S d)"
check "recent_persistence: the new cron file, with its mtime" \
	jqe 'any(.findings[]; .kind == "recent_persistence" and
		.detail.source == "/etc/cron.d/evil:1" and (.detail.mtime|test("Z$")))' "$(S d)"
check "recent_persistence: the hostile file name (newline, quote) too" \
	jqe 'any(.findings[]; .kind == "recent_persistence" and
		(.detail.source|test("hos\"tile\nname")))' "$(S d)"
check "recent_persistence: the cron file of 90 days ago is not reported" \
	jqe '[.findings[] | select(.detail.source == "/etc/cron.d/old:1")] | length == 0' "$(S d)"
check "the old cron file is in the records (with its old mtime)" \
	jqe -s 'any(.[]; .source == "/etc/cron.d/old:1" and .mtime < "'"$(date -u -d '80 days ago' +%FT%TZ)"'")' \
	"$T/d/x/live/persistence.jsonl"
check "yara: the rule, its count, the file it matched" \
	jqe '.yara.matches >= 1 and any(.yara.rules[]; .rule == "CC_Summary_Marker" and
		.count >= 1 and any(.targets[]; . == "/etc/cron.d/marked"))' "$(S d)"
check "yara_match: one finding for the rule" \
	jqe '[.findings[] | select(.kind == "yara_match" and .detail.rule == "CC_Summary_Marker")]
		| length == 1' "$(S d)"
check "no live-only finding in a dead-box run" \
	jqe '.findings_total.hidden_process == 0 and .findings_total.sniffer_socket == 0
		and .findings_total.promiscuous_interface == 0' "$(S d)"
nf=$(jq '[.findings_total[]] | add' "$(S d)")
check "--json: a findings count object equal to summary.json's" \
	jqe --argjson t "$(jq -c .findings_total "$(S d)")" '.findings == $t' "$T/d/stdout"
check "the screen says '$nf findings: see summary.json'" \
	grep -q "^  $nf findings: see summary.json" "$T/d/stderr"
check "every field of the dead-box archive is in docs/records.md" \
	python3 "$CHECKER" "$DOC" "$T/d/x"

# --- Live -------------------------------------------------------------
sleep 0.1
LD_PRELOAD=$T/evil-preload.so sleep 1000 2>/dev/null & PRE=$!; pids="$pids $!"
sleep 1001 & CLEAN=$!; pids="$pids $!"
BAD=$(printf 'de"l\nx\xff')
cp "$(command -v sleep)" "$T/$BAD"
"$T/$BAD" 1002 & DEL=$!; pids="$pids $!"
python3 - "$(command -v sleep)" <<'EOF' & MEMFD=$!; pids="$pids $!"
import os, sys
fd = os.memfd_create("memsleep", 0)
os.write(fd, open(sys.argv[1], "rb").read())
os.execv("/proc/self/fd/%d" % fd, ["memsleep", "1003"])
EOF
python3 -c '
import socket, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
time.sleep(1000)' & SNIFF=$!; pids="$pids $!"
# An interface to set promiscuous, of a kind whose module is loaded
# already (the test loads none): dummy, else bridge, else lo itself.
IF=sumdummy0
if [ -d /sys/module/dummy ]; then ip link add $IF type dummy
elif [ -d /sys/module/bridge ]; then ip link add $IF type bridge
else IF=lo; fi
ip link set $IF promisc on
check "ground truth: $IF is promiscuous" grep -q PROMISC <(ip link show $IF)
sleep 0.5
rm -f "$T/$BAD"
mkdir -p "$T/l/o" "$T/l/x"
timeout 90 "$CC_BIN" run --output "$T/l/o" -p LinuxCronFiles --no-yara -q --json \
	>"$T/l/stdout" 2>"$T/l/stderr"
check "live run exits 0" test $? -eq 0
tar --zstd -xf "$(archive_in "$T/l/o")" -C "$T/l/x"
check "live: summary.json is JSON, live true" jqe '.live == true and .yara == null' "$(S l)"
check "ld_preload: the process started with LD_PRELOAD" \
	jqe "any(.findings[]; .kind == \"ld_preload\" and .detail.pid == $PRE and
		.detail.ld_preload == \"$T/evil-preload.so\")" "$(S l)"
check "deleted_executable: the deleted copy, hostile name kept" \
	jqe "any(.findings[]; .kind == \"deleted_executable\" and .detail.pid == $DEL and
		(.detail.exe|test(\"de\\\"l\\nx\")))" "$(S l)"
check "memfd_executable: the memfd process, and not as deleted_executable" \
	jqe "any(.findings[]; .kind == \"memfd_executable\" and .detail.pid == $MEMFD) and
		([.findings[] | select(.kind == \"deleted_executable\" and .detail.pid == $MEMFD)]
		| length == 0)" "$(S l)"
check "promiscuous_interface: $IF" jqe --arg i $IF 'any(.findings[];
	.kind == "promiscuous_interface" and .detail.interface == $i)' "$(S l)"
if [ $IF != lo ]; then
	check "promiscuous_interface: lo (not promiscuous) is not reported" \
	    jqe '[.findings[] | select(.kind == "promiscuous_interface" and
		.detail.interface == "lo")] | length == 0' "$(S l)"
else
	skip "no dummy or bridge module loaded: lo made promiscuous, no clean interface to check"
fi
check "sniffer_socket: the AF_PACKET socket, its pid, high (ETH_P_ALL)" \
	jqe "any(.findings[]; .kind == \"sniffer_socket\" and .detail.pid == $SNIFF and
		.severity == \"high\" and .detail.sniffer == true)" "$(S l)"
check "the clean sleep is in no finding" \
	jqe "[.findings[] | select(.detail.pid == $CLEAN)] | length == 0" "$(S l)"
check "collectors: processes ran, with records and a time" \
	jqe 'any(.collectors[]; .name == "processes" and (.status == "ok" or .status == "error")
		and .records > 0 and .seconds > 0 and (.started|test("Z$")))' "$(S l)"
check "every field of the live archive is in docs/records.md" \
	python3 "$CHECKER" "$DOC" "$T/l/x"
