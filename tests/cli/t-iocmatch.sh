#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# Indicators matched in the single pass (issue 21): planted where the test
# knows them to be, written as a Loki hash file, a Loki c2 file, a Loki
# filename file and a MISP event, then found in iocs/matches.jsonl with
# their id, event and place: file digests (sha256, md5, sha1) of collected
# and swept files, a file name, a domain and a URL in a log (also with
# --no-yara), and, live, a domain in a process's memory, a socket to an
# address, an ARP entry and a route's gateway. Indicators planted nowhere
# are never reported. The live cases add an address, a bridge and
# neighbours: the test re-runs itself in a network namespace of its own
# (unshare -n), never touching the host's.
if [ -z "${CC_IOC_NETNS:-}" ] && [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then
	CC_IOC_NETNS=1 exec unshare -n bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

IOCPROC=${CC_BUILD:-$CC_TOP/build}/tools/iocproc
R=$T/root
I=$T/iocs
pids=""
at_exit 'kill $pids 2>/dev/null'
mkdir -p "$I"

# The values a YARA rule is made of are written reversed here and turned
# round by rev, so this shell never holds them: a sighting in memory is
# the process the test made, and an absent one stays absent.
fwd() { printf '%s\n' "$1" | rev; }

# --- Ground truth: the dead-box tree ---------------------------------
make_fixture "$R"
mkdir -p "$R/opt/drop/.hidden-x9" "$R/etc/cron.d"
head -c 3000 /dev/urandom >"$R/etc/cron.d/job-a"	# sha256 (Loki)
head -c 3000 /dev/urandom >"$R/etc/cron.d/job-b"	# sha1 (MISP)
head -c 3000 /dev/urandom >"$R/etc/cron.d/job-c"	# md5 (MISP)
printf '* * * * * root true\n' >"$R/etc/cron.d/kinsing-q1"	# a name (MISP)
head -c 9000 /dev/urandom >"$R/opt/drop/payload.bin"	# swept: sha256 (MISP)
printf 'miner\n' >"$R/opt/drop/.hidden-x9/kdevtmpfsi"	# a Loki filename regex
head -c 2000 /dev/urandom >"$R/opt/drop/clean.bin"	# nothing: not archived
# The log lines: a domain (Loki c2) and a URL (MISP).
{ printf 'Nov 22 10:00:01 fixture-host curl: resolving '
  fwd elpmaxe.enozdab.21ba-2c; printf 'Nov 22 10:00:02 fixture-host wget: GET '
  fwd hs.x/elpmaxe.enozdab.87hg-ld//:ptth; } >>"$R/var/log/syslog"
sha256() { sha256sum "$1" | cut -d' ' -f1; }
SHA_A=$(sha256 "$R/etc/cron.d/job-a")
SHA1_B=$(sha1sum "$R/etc/cron.d/job-b" | cut -d' ' -f1)
MD5_C=$(md5sum "$R/etc/cron.d/job-c" | cut -d' ' -f1)
SHA_P=$(sha256 "$R/opt/drop/payload.bin")
ABSENT_SHA=$(head -c 64 /dev/urandom | sha256sum | cut -d' ' -f1)
ABSENT_MD5=$(head -c 64 /dev/urandom | md5sum | cut -d' ' -f1)
# The live part's: a file swept there (md5, Loki).
mkdir -p "$T/sweep"
head -c 5000 /dev/urandom >"$T/sweep/dropped.elf"
MD5_L=$(md5sum "$T/sweep/dropped.elf" | cut -d' ' -f1)

# --- The indicators ----------------------------------------------------
printf '# planted hashes\n%s;collected cron job\n%s;absent\n%s;swept live\n' \
	"$SHA_A" "$ABSENT_SHA" "$MD5_L" >"$I/hash-iocs.txt"
# c2-iocs.txt line 2: the log's domain; 3: memory's; 4: the socket's
# address; 5 and 6: absent (a domain, an address).
{ echo '# test c2'; fwd elpmaxe.enozdab.21ba-2c; fwd elpmaxe.enozdab.43dc-mem
  fwd 66.0.0.721; fwd elpmaxe.enozdab.65fe-reven; fwd 7.7.81.891; } >"$I/c2-iocs.txt"
printf '# hidden miner\n/\\.hidden-x9/kdevtmpfsi$;80\n/\\.nowhere-z0/[a-z]+$;80\n' \
	>"$I/filename-iocs.txt"
EV=5f1e0000-0000-4000-8000-0000000000e1
URL=$(fwd hs.x/elpmaxe.enozdab.87hg-ld//:ptth)
cat >"$I/event.json" <<EOF
{"Event": {"uuid": "$EV", "info": "t-iocmatch",
 "Attribute": [
  {"uuid": "a0000000-0000-4000-8000-0000000000b1", "type": "sha1", "value": "$SHA1_B", "to_ids": true},
  {"uuid": "a0000000-0000-4000-8000-0000000000c1", "type": "md5", "value": "$MD5_C", "to_ids": true, "comment": "cron c"},
  {"uuid": "a0000000-0000-4000-8000-0000000000d1", "type": "md5", "value": "$ABSENT_MD5", "to_ids": true},
  {"uuid": "a0000000-0000-4000-8000-0000000000e2", "type": "sha256", "value": "$SHA_P", "to_ids": true},
  {"uuid": "a0000000-0000-4000-8000-0000000000f1", "type": "filename", "value": "kinsing-q1", "to_ids": true},
  {"uuid": "a0000000-0000-4000-8000-0000000000f2", "type": "url", "value": "$URL", "to_ids": true},
  {"uuid": "a0000000-0000-4000-8000-0000000000f3", "type": "ip-dst", "value": "10.66.0.7", "to_ids": true},
  {"uuid": "a0000000-0000-4000-8000-0000000000f4", "type": "ip-dst", "value": "10.66.0.9", "to_ids": true}
 ]}}
EOF
unset URL
# --iocs DIR: each .txt and .json file of it, unsigned (the operator's).
IOCS="--iocs $I"

# sighting FILE JQ-FILTER: PASS when a record of FILE satisfies it.
M() { echo "$T/$1/x/iocs/matches.jsonl"; }
seen() { jqe -s "any(.[]; $2)" "$1"; }

# --- A dead-box run with the built-in rules and a sweep ----------------
mkdir -p "$T/o1/x"
# shellcheck disable=SC2086
check_rc "a dead-box run with indicators and --scan-path exits 0" 0 \
	"$CC_BIN" run --root "$R" --output "$T/o1" --scan-path /opt/drop --json -q $IOCS
cp "$T/.out" "$T/o1/json"
zstd -dc "$(archive_in "$T/o1")" | tar -x -C "$T/o1/x"
F=$(M o1)
check "iocs/matches.jsonl is archived and listed in the manifest with its sha256" \
	jqe '.entries[] | select(.path=="iocs/matches.jsonl") | .sha256' "$T/o1/x/manifest.json"
check "sha256 (Loki hash file) of a collected file: id hash-iocs.txt:2, its path and sha256" \
	seen "$F" ".where==\"file\" and .path==\"/etc/cron.d/job-a\" and .sha256==\"$SHA_A\"
	  and .indicator.type==\"sha256\" and .indicator.id==\"hash-iocs.txt:2\"
	  and .indicator.event==\"hash-iocs.txt\""
check "sha1 (MISP) of a collected file, with attribute and event uuid" \
	seen "$F" ".where==\"file\" and .path==\"/etc/cron.d/job-b\" and .indicator.type==\"sha1\"
	  and .indicator.id==\"a0000000-0000-4000-8000-0000000000b1\" and .indicator.event==\"$EV\""
check "md5 (MISP) of a collected file, with its comment" \
	seen "$F" ".path==\"/etc/cron.d/job-c\" and .indicator.type==\"md5\"
	  and .indicator.value==\"$MD5_C\" and .indicator.comment==\"cron c\""
check "sha256 (MISP) of a swept file, which is then archived from the same read" \
	seen "$F" ".where==\"file\" and .path==\"/opt/drop/payload.bin\" and .indicator.type==\"sha256\""
check "the swept file with a sighting is archived" cmp -s "$R/opt/drop/payload.bin" "$T/o1/x/files/opt/drop/payload.bin"
check "a swept file without any is not" test ! -e "$T/o1/x/files/opt/drop/clean.bin"
check "a file name (MISP filename) of a collected file" \
	seen "$F" ".path==\"/etc/cron.d/kinsing-q1\" and .indicator.type==\"filename\"
	  and .indicator.id==\"a0000000-0000-4000-8000-0000000000f1\""
check "a Loki filename regex on a swept path (id filename-iocs.txt:2)" \
	seen "$F" ".path==\"/opt/drop/.hidden-x9/kdevtmpfsi\" and .indicator.id==\"filename-iocs.txt:2\""
LOGOFF=$(grep -bo 'resolving ' "$R/var/log/syslog" | head -1 | cut -d: -f1)
check "a domain (Loki c2) in a log line: where log, the log's path and the offset of the hit" \
	seen "$F" ".where==\"log\" and .path==\"/var/log/syslog\" and .indicator.type==\"domain\"
	  and .indicator.id==\"c2-iocs.txt:2\" and .offset==($LOGOFF + 10)"
check "a URL (MISP) in a log line" \
	seen "$F" ".where==\"log\" and .path==\"/var/log/syslog\" and .indicator.type==\"url\"
	  and .indicator.id==\"a0000000-0000-4000-8000-0000000000f2\""
check "every sighting has time, indicator {type value id event source comment} and where" \
	jqe -s 'length > 0 and all(.[]; (.time|test("Z$")) and (.indicator|has("type") and has("value")
	  and has("id") and has("event") and has("source") and has("comment")) and (.where|type=="string"))' "$F"
check "one sighting per (indicator, place)" \
	jqe -s '(map([.indicator.id, .indicator.value, .where, (.path // .pid // .remote_addr)]) | length)
	  == (map([.indicator.id, .indicator.value, .where, (.path // .pid // .remote_addr)]) | unique | length)' "$F"
check "the indicators' rules are not YARA matches (no namespace iocs in yara/matches.jsonl)" \
	jqe -s 'all(.[]; .namespace != "iocs")' "$T/o1/x/yara/matches.jsonl"
check "the --json summary counts the sightings" \
	jqe --argjson n "$(wc -l <"$F")" '.iocs.matches == $n and (.iocs.indicators|length) > 0' "$T/o1/json"
check "summary.json: iocs counts the sightings by indicator, the same as the records" \
	jqe --slurpfile m "$F" '.iocs.matches == ($m|length) and
	  (.iocs.indicators | map(.count) | add) == ($m|length) and
	  any(.iocs.indicators[]; .id=="hash-iocs.txt:2" and .type=="sha256" and .value=="'"$SHA_A"'" and .count==1)' \
	"$T/o1/x/summary.json"
check "summary.json: one ioc_match finding per indicator seen, with its place" \
	jqe '.findings_total.ioc_match == (.iocs.indicators|length) and
	  any(.findings[]; .kind=="ioc_match" and .source=="iocs/matches.jsonl"
	    and .detail.path=="/etc/cron.d/job-a" and .detail.indicator.id=="hash-iocs.txt:2")' \
	"$T/o1/x/summary.json"
python3 "$CC_TOP/tests/cli/records-check.py" "$CC_TOP/docs/records.md" "$T/o1/x" >"$T/o1/rc" 2>&1
check "docs/records.md lists every field of the archive with sightings ($(tail -1 "$T/o1/rc"))" test $? -eq 0
# Absent: hash, md5, domain, address, name regex.
# absent DESC FILE: no sighting of the indicators planted nowhere (a hash,
# an md5, a domain, an address, a name regex); those seen are shown.
absent() {
	_bad=$(jq -c 'select(.indicator.id == "hash-iocs.txt:3" or .indicator.id == "c2-iocs.txt:5"
	  or .indicator.id == "c2-iocs.txt:6" or .indicator.id == "filename-iocs.txt:3"
	  or .indicator.id == "a0000000-0000-4000-8000-0000000000d1")' "$2" 2>&1)
	if [ -s "$2" ] && [ -z "$_bad" ]; then ok "$1"; else nok "$1: $(echo "$_bad" | head -3)"; fi
}
absent "indicators planted nowhere are not reported" "$F"

# --- --no-yara: the indicators' rules alone still read the log ---------
mkdir -p "$T/o2/x"
# shellcheck disable=SC2086
check_rc "a dead-box run with indicators and --no-yara exits 0" 0 \
	"$CC_BIN" run --root "$R" --output "$T/o2" --no-yara -q $IOCS
zstd -dc "$(archive_in "$T/o2")" | tar -x -C "$T/o2/x"
check "with --no-yara, the log's domain is still found (the indicators' rules alone)" \
	seen "$(M o2)" ".where==\"log\" and .indicator.id==\"c2-iocs.txt:2\""
check "with --no-yara, no YARA match is recorded" \
	test ! -s "$T/o2/x/yara/matches.jsonl"
# A run without indicators: no iocs entry, summary.json's iocs null.
mkdir -p "$T/o5/x"
check_rc "a dead-box run without indicators exits 0" 0 \
	"$CC_BIN" run --root "$R" --output "$T/o5" --no-yara --no-iocs -q
zstd -dc "$(archive_in "$T/o5")" | tar -x -C "$T/o5/x"
check "without indicators: no iocs/matches.jsonl, summary.json iocs null" \
	jqe '.iocs == null and .findings_total.ioc_match == 0' "$T/o5/x/summary.json"
check "without indicators: no iocs/matches.jsonl entry" test ! -e "$T/o5/x/iocs/matches.jsonl"

# --- A bad indicator file fails the run before anything is collected ---
printf 'not an indicator file\n' >"$T/bad.txt"
mkdir -p "$T/o3"
check_rc "an indicator file in no known format is exit 2" 2 \
	"$CC_BIN" run --root "$R" --output "$T/o3" -q --iocs "$T/bad.txt"
check "and no archive is written" test -z "$(archive_in "$T/o3")"

# --- Live: memory, a socket, a neighbour, a route, a swept file --------
# With --no-yara (the indicators' rules alone: every process's memory is
# read, the host's too, and the built-in rules would cost most of a minute
# on a busy machine).
if [ -z "${CC_IOC_NETNS:-}" ]; then
	skip "the live cases need root and unshare -n (a network namespace of the test's own)"
	exit 0
fi
ip link set lo up
ip addr add 127.0.0.66/32 dev lo
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.66", 4444)); s.listen()
open(sys.argv[1], "w").write("up")
c, _ = s.accept(); time.sleep(120)' "$T/listening" & pids="$pids $!"
for i in $(seq 50); do [ -s "$T/listening" ] && break; sleep 0.1; done
# The marker is reversed by iocproc: it holds the domain, this shell not.
"$IOCPROC" -s 120 -c 127.0.0.66:4444 elpmaxe.enozdab.43dc-mem >"$T/iocproc.out" &
IP=$!; pids="$pids $IP"
for i in $(seq 50); do grep -q ready "$T/iocproc.out" 2>/dev/null && break; sleep 0.1; done
NEIGH=""
if ip link add ioc-br0 type bridge 2>/dev/null; then
	ip link set ioc-br0 up && ip addr add 10.66.0.1/24 dev ioc-br0 &&
	ip neigh add 10.66.0.7 lladdr 02:00:00:00:00:07 dev ioc-br0 nud permanent &&
	ip route add 203.0.113.0/24 via 10.66.0.9 dev ioc-br0 onlink && NEIGH=1
fi
mkdir -p "$T/o4/x"
_tr=""
if command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null; then
	_tr="env $NOLEAK_ENV strace -f -qq -e trace=execve -o $T/o4/trace"
fi
# Dumps kept small: a process whose memory holds an indicator is dumped
# (this shell and the listener hold 127.0.0.66, iocproc its domain).
printf '[limits]\nprocess_dump_max = 4M\nprocess_dump_total = 64M\n' >"$T/dump.ini"
# shellcheck disable=SC2086
# --nice 0: the default (10) makes it wait behind every other job of a
# busy machine.
check_rc "a live run with indicators exits 0" 0 timeout 240 $_tr \
	"$CC_BIN" run -c "$T/dump.ini" --output "$T/o4" --profile LinuxSystemRelease \
	--scan-path "$T/sweep" --no-yara --nice 0 -q $IOCS
zstd -dc "$(archive_in "$T/o4")" | tar -x -C "$T/o4/x"
F=$(M o4)
check "a domain in a process's memory: where memory, its pid and name" \
	seen "$F" ".where==\"memory\" and .pid==$IP and .process==\"iocproc\"
	  and .indicator.id==\"c2-iocs.txt:3\" and (.offset|type==\"number\")"
D=$T/o4/x/live/process_dumps.jsonl
check "the process whose memory holds an indicator is dumped, for the reason ioc" \
	jqe -s "any(.[]; .pid==$IP and (.reasons|index(\"ioc\")) != null)" "$D"
check "…its memory/PID/maps in the archive" test -s "$T/o4/x/memory/$IP/maps"
check "every process dumped for ioc has a sighting in its memory" \
	jqe -n --slurpfile d "$D" --slurpfile m "$F" \
	'[$d[] | select(.reasons|index("ioc")) | .pid] - [$m[] | select(.where=="memory") | .pid] == []'
check "a socket connected to an address indicator: where network, the client's pid, both ends" \
	seen "$F" ".where==\"network\" and .remote_addr==\"127.0.0.66\" and .remote_port==4444
	  and .pid==$IP and .indicator.id==\"c2-iocs.txt:4\""
check "the listener's end too (local address 127.0.0.66)" \
	seen "$F" ".where==\"network\" and .local_addr==\"127.0.0.66\" and .local_port==4444"
if [ -n "$NEIGH" ]; then
	check "an ARP entry (ip neigh add): where neighbour, with its mac and device" \
		seen "$F" ".where==\"neighbour\" and .ip==\"10.66.0.7\" and .mac==\"02:00:00:00:00:07\"
		  and .device==\"ioc-br0\" and .indicator.id==\"a0000000-0000-4000-8000-0000000000f3\""
	check "a route's gateway: where route" \
		seen "$F" ".where==\"route\" and .gateway==\"10.66.0.9\" and .indicator.id==\"a0000000-0000-4000-8000-0000000000f4\""
else
	skip "no bridge device could be made: the neighbour and route cases did not run"
fi
check "md5 (Loki) of a file swept live" \
	seen "$F" ".where==\"file\" and .path==\"$T/sweep/dropped.elf\" and .indicator.type==\"md5\"
	  and .indicator.id==\"hash-iocs.txt:4\""
absent "live: indicators planted nowhere are not reported" "$F"
python3 "$CC_TOP/tests/cli/records-check.py" "$CC_TOP/docs/records.md" "$T/o4/x" >"$T/o4/rc" 2>&1
check "docs/records.md lists every field of the live archive ($(tail -1 "$T/o4/rc"))" test $? -eq 0
grep -v '^checked' "$T/o4/rc" | head -5 | sed 's/^/    /'
check "summary.json (live): iocs and an ioc_match finding for the socket's address" \
	jqe '.iocs.matches > 0 and any(.findings[]; .kind=="ioc_match" and .detail.indicator.id=="c2-iocs.txt:4")' \
	"$T/o4/x/summary.json"
if [ -n "$_tr" ]; then
	n=$(grep -c 'execve(' "$T/o4/trace")
	check "under strace, the live run with indicators ran no program (1 execve: itself; saw $n)" \
		test "$n" -eq 1
else
	skip "ptrace not allowed: the execve count was not checked"
fi
