#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# The firewall collector (issue 18) against ground truth planted by the
# test in a network namespace of its own (its own, empty ruleset: the
# host's is never touched): an nf_tables table, chain, rule with a unique
# comment and a set with an element (with the host's nft), legacy
# iptables rules for IPv4 and IPv6, a user chain and a jump, counters
# made by sending packets (with iptables-legacy). The agent runs once on
# the empty namespace (no records, log lines saying why), once planted
# under strace (no program run), once as nobody (permission errors
# recorded, no crash) and once in dead-box mode (not run). Audit: the
# status record, and a harmless rule planted over NETLINK_AUDIT.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	skip "needs root (netlink dumps, raw sockets, network namespaces)"
	exit 0
fi
# Always in a namespace of our own, even when run outside unshare -n.
if [ -z "${CC_FW_NETNS:-}" ]; then
	if ! unshare -n true 2>/dev/null; then
		skip "cannot make a network namespace (unshare -n): never planted in the host's ruleset"
		exit 0
	fi
	rm -rf "$T"; trap - EXIT
	exec unshare -n env CC_FW_NETNS=1 bash "$0" "$@"
fi
ip link set lo up 2>/dev/null
missing=""
for c in nft iptables-legacy ip6tables-legacy jq zstd strace python3; do
	command -v "$c" >/dev/null || missing="$missing $c"
done
if [ -n "$missing" ]; then
	skip "missing$missing (make deps)"
	exit 0
fi

# run OUT [prefix...]: a live run, the archive extracted into OUT/x.
run_live() {
	out=$1; shift
	mkdir -p "$out/o" "$out/x"
	# The unprivileged run writes there too.
	chmod 0711 "$T" "$out"
	chmod 0777 "$out/o"
	"$@" "$CC_BIN" run --output "$out/o" -p LinuxCronFiles --no-yara -q $RUN_EXTRA \
		>"$out/stdout" 2>"$out/stderr"
	echo $? >"$out/rc"
	a=$(archive_in "$out/o")
	[ -n "$a" ] && zstd -dc "$a" | tar -x -C "$out/x"
}
RUN_EXTRA=""
F() { echo "$T/$1/x/live/firewall.jsonl"; }
LOGF() { echo "$T/$1/x/collection.log"; }
logged() { grep -F '"collector":"firewall"' "$(LOGF "$1")" | grep -qF -- "$2"; }

# --- An empty namespace: nothing to find, and the log says so ---------
run_live "$T/r0"
check "empty namespace: the run exits 0" test "$(cat "$T/r0/rc")" = 0
check "empty namespace: an archive, and no firewall record in it" \
	test -s "$T/r0/x/manifest.json" -a "$(cat "$(F r0)" 2>/dev/null | wc -l)" -eq 0
check "empty namespace: the log says nf_tables has no table" \
	logged r0 "nf_tables: 0 tables"
check "empty namespace: the log says why ip6tables was not read" \
	logged r0 "legacy iptables ipv6"

# --- Ground truth ------------------------------------------------------
MARK="cc-fw-$$-$RANDOM"
nft add table inet cctest &&
nft add chain inet cctest in '{ type filter hook input priority 5; policy accept; }' &&
nft add rule inet cctest in ip saddr 10.9.8.7 tcp dport 12345 drop comment "\"$MARK\"" &&
nft add set inet cctest badhosts '{ type ipv4_addr; }' &&
nft add element inet cctest badhosts '{ 192.0.2.9 }' &&
nft add counter inet cctest cccount ||
	nok "nft could not plant the ruleset"
iptables-legacy -A INPUT -s 10.1.2.3/32 -p tcp --dport 2222 -j DROP &&
iptables-legacy -N CCUSER &&
iptables-legacy -A CCUSER -d 198.51.100.0/24 -j ACCEPT &&
iptables-legacy -A FORWARD -j CCUSER &&
iptables-legacy -A OUTPUT -d 127.0.0.9/32 -p udp -j ACCEPT &&
iptables-legacy -A FORWARD -i ccwild+ -o ccexact -j DROP &&
ip6tables-legacy -A INPUT -s 2001:db8::7/128 -j DROP ||
	nok "iptables-legacy could not plant the rules"
# Three datagrams through the OUTPUT rule: its counter must say 3.
python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(3): s.sendto(b"x", ("127.0.0.9", 9))' ||
	nok "could not send the counted datagrams"
want_pk=$(iptables-legacy -L OUTPUT -v -x -n | awk '$NF ~ /127.0.0.9/ || /127.0.0.9/ {print $1; exit}')

# --- The planted run, traced: no program of the host is run -----------
if strace -f -o /dev/null true 2>/dev/null; then
	# LeakSanitizer (make check-asan) cannot work under ptrace: off here.
	run_live "$T/r1" env ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0" \
		strace -f -qq -e trace=execve -o "$T/trace"
	n=$(grep -c 'execve(' "$T/trace")
	check "under strace, the agent ran no program (1 execve: itself; saw $n)" \
		test "$n" -eq 1
else
	skip "ptrace not allowed: the execve count was not checked"
	run_live r1
fi
R=$(F r1)
check "planted: the run exits 0" test "$(cat "$T/r1/rc")" = 0
check "nft table: inet cctest" \
	jqe -s 'any(.[]; .type=="nft_table" and .family=="inet" and .name=="cctest")' "$R"
check "nft chain: input hook, priority 5, policy accept, type filter" \
	jqe -s 'any(.[]; .type=="nft_chain" and .table=="cctest" and .name=="in" and .hook=="input" and .priority==5 and .policy=="accept" and .chain_type=="filter")' "$R"
check "nft rule: the planted comment, in chain in, position 1" \
	jqe -s --arg m "$MARK" 'any(.[]; .type=="nft_rule" and .comment==$m and .chain=="in" and .position==1 and (.handle|type)=="number")' "$R"
# 10.9.8.7 and port 12345 as libnftnl prints the compared registers
# (32-bit words of the bytes in network order, read in host order).
ADDR_HEX=$(python3 -c 'import struct,socket; print("0x%08x" % struct.unpack("=I", socket.inet_aton("10.9.8.7"))[0])')
PORT_HEX=$(python3 -c 'import struct; print("0x%08x" % struct.unpack("=I", struct.pack(">H", 12345) + b"\0\0")[0])')
check "nft rule: its expressions compare the planted address ($ADDR_HEX) and port ($PORT_HEX), then drop" \
	jqe -s --arg m "$MARK" --arg a "cmp eq reg 1 $ADDR_HEX" --arg p "cmp eq reg 1 $PORT_HEX" \
	'any(.[]; .type=="nft_rule" and .comment==$m and any(.expr[]; .==$a) and any(.expr[]; .==$p) and any(.expr[]; test("immediate reg 0 drop")))' "$R"
check "nft set and its one element 192.0.2.9" \
	jqe -s '(map(select(.type=="nft_set" and .name=="badhosts" and .key_type==7)) | length == 1) and (map(select(.type=="nft_element" and .set=="badhosts")) | length == 1 and .[0].key == "192.0.2.9")' "$R"
check "nft object: the named counter cccount" \
	jqe -s 'any(.[]; .type=="nft_object" and .table=="cctest" and .name=="cccount" and .obj_type=="counter" and (.text|test("pkts 0")))' "$R"
check "iptables: filter INPUT rule 1 from 10.1.2.3/32, tcp match, DROP" \
	jqe -s 'any(.[]; .type=="iptables" and .family=="ipv4" and .table=="filter" and .chain=="INPUT" and .rule==1 and .kind=="rule" and .src=="10.1.2.3/32" and .proto==6 and .matches[0].name=="tcp" and .verdict=="DROP")' "$R"
check "iptables: FORWARD jumps to the user chain CCUSER, whose rule and return are named" \
	jqe -s 'any(.[]; .type=="iptables" and .chain=="FORWARD" and .verdict=="CCUSER") and any(.[]; .chain=="CCUSER" and .dst=="198.51.100.0/24" and .verdict=="ACCEPT" and .rule==1) and any(.[]; .chain=="CCUSER" and .kind=="return")' "$R"
check "iptables: the built-in chains' policies" \
	jqe -s '[.[] | select(.type=="iptables" and .family=="ipv4" and .kind=="policy") | .chain] | sort == ["FORWARD","INPUT","OUTPUT"]' "$R"
check "iptables: the OUTPUT rule counted the datagrams as iptables does ($want_pk)" \
	jqe -s --argjson n "${want_pk:-0}" 'any(.[]; .type=="iptables" and .chain=="OUTPUT" and .dst=="127.0.0.9/32" and .packets==$n and $n >= 3)' "$R"
check "iptables: a wildcard interface keeps its + (ccwild+), an exact one has none" \
	jqe -s 'any(.[]; .type=="iptables" and .in_iface=="ccwild+" and .out_iface=="ccexact")' "$R"
check "ip6tables: filter INPUT from 2001:db8::7/128, DROP" \
	jqe -s 'any(.[]; .type=="iptables" and .family=="ipv6" and .chain=="INPUT" and .src=="2001:db8::7/128" and .verdict=="DROP")' "$R"
check "the log counts the planted rules" logged r1 "iptables ipv4 table filter: "
check "live/firewall.jsonl is in the manifest with its hash" \
	jqe '.entries | any(.[]; .path=="live/firewall.jsonl" and (.sha256|length)==64)' "$T/r1/x/manifest.json"

# --- Audit -----------------------------------------------------------
A=$T/r1/x/live/audit.jsonl
if [ -s "$A" ]; then
	check "audit: one status record with the kernel's numbers" \
		jqe -s 'map(select(.type=="status")) | length == 1 and (.[0].enabled|IN(0,1,2)) and (.[0].backlog_limit|type)=="number"' "$A"
elif logged r1 "audit not read"; then
	skip "the kernel has no audit support (the log says so): no status to check"
else
	nok "audit: neither a status record nor a log line saying why"
fi
# A rule planted over NETLINK_AUDIT (auditctl is in auditd, which would
# start a daemon): "never" on exit of syscall 335, unused on x86_64, so
# harmless while it exists. Audit rules are the host's, not the
# namespace's: it is deleted on exit.
cat >"$T/auditrule.py" <<'EOF2'
import socket, struct, sys, os
op, key = sys.argv[1], sys.argv[2].encode()
mask = [0] * 64
mask[335 // 32] |= 1 << (335 % 32)
fields = [11, 210] + [0] * 62           # AUDIT_ARCH, AUDIT_FILTERKEY
values = [0xc000003e, len(key)] + [0] * 62
ops = [0x40000000] * 2 + [0] * 62       # AUDIT_EQUAL
body = struct.pack("=III", 4, 0, 2) + struct.pack("=64I", *mask) + \
    struct.pack("=64I", *fields) + struct.pack("=64I", *values) + \
    struct.pack("=64I", *ops) + struct.pack("=I", len(key)) + key
typ = 1011 if op == "add" else 1012     # AUDIT_ADD/DEL_RULE
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 9)
s.settimeout(5)
s.sendto(struct.pack("=IHHII", 16 + len(body), typ, 1 | 4, 1, 0) + body, (0, 0))
while True:
    r = s.recv(65536)
    if struct.unpack("=H", r[4:6])[0] == 2:     # NLMSG_ERROR: the ack
        err = struct.unpack("=i", r[16:20])[0]
        if err:
            sys.exit(os.strerror(-err))
        sys.exit(0)
EOF2
KEY="ccfw$$x$RANDOM"
if [ "$(uname -m)" != x86_64 ] || [ ! -s "$A" ]; then
	skip "audit rules not planted (x86_64 syscall numbers, or no audit): checked by test_firewall only"
elif python3 "$T/auditrule.py" add "$KEY" 2>"$T/audit.err"; then
	at_exit "python3 '$T/auditrule.py' del '$KEY' 2>/dev/null"
	run_live "$T/r2"
	check "audit: the planted rule, as auditctl -l prints it" \
		jqe -s --arg k "$KEY" 'any(.[]; .type=="rule" and .key==$k and .list=="exit" and .action=="never" and .syscalls==[335] and .text==("-a never,exit -F arch=b64 -S 335 -k " + $k))' "$T/r2/x/live/audit.jsonl"
	python3 "$T/auditrule.py" del "$KEY" 2>/dev/null
else
	skip "the kernel refused a new audit rule ($(cat "$T/audit.err")): audit rules checked by test_firewall only"
fi

# --- Not root: refused reads are errors, never a crash ------------------
if command -v setpriv >/dev/null; then
	RUN_EXTRA=--allow-unprivileged run_live "$T/r3" setpriv --reuid=65534 --regid=65534 --clear-groups
	check "as nobody: the run still ends with an archive" \
		test -s "$T/r3/x/manifest.json"
	check "as nobody: the refused nf_tables dump is a manifest error" \
		jqe '.errors | any(.[]; .collector=="firewall" and (.error|test("nf_tables.*CAP_NET_ADMIN")))' "$T/r3/x/manifest.json"
	check "as nobody: the refused audit status is a manifest error" \
		jqe '.errors | any(.[]; .collector=="firewall" and (.error|test("audit status")))' "$T/r3/x/manifest.json"
else
	skip "no setpriv: the unprivileged run was not tried"
fi

# --- The static agent (what the packages install) -----------------------
STATIC=${CC_BUILD:-$CC_TOP/build}/csirt-collect-static
if [ -x "$STATIC" ]; then
	CC_BIN=$STATIC run_live "$T/r5"
	check "static agent: the legacy iptables rules are read" \
		jqe -s 'any(.[]; .type=="iptables" and .src=="10.1.2.3/32" and .verdict=="DROP")' "$(F r5)"
	if jqe -s 'any(.[]; .type=="nft_rule")' "$(F r5)"; then
		check "static agent: the nf_tables rule with its comment" \
			jqe -s --arg m "$MARK" 'any(.[]; .type=="nft_rule" and .comment==$m)' "$(F r5)"
	else
		check "static agent without libnftnl (no libmnl.a): the log says nf_tables was not read" \
			logged r5 "nf_tables not read: this agent was built without libnftnl"
	fi
else
	skip "no static agent built (make static): not run"
fi

# --- Dead box: a mounted image has no live firewall ----------------------
make_fixture "$T/fix"
mkdir -p "$T/r4/o" "$T/r4/x"
"$CC_BIN" run --root "$T/fix" -o "$T/r4/o" --no-yara -q >/dev/null 2>&1
zstd -dc "$(archive_in "$T/r4/o")" | tar -x -C "$T/r4/x"
check "dead box: the firewall collector did not run" \
	test -s "$T/r4/x/manifest.json" -a ! -e "$T/r4/x/live/firewall.jsonl"
exit 0
