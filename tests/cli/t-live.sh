#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# Live response (issue 3) against ground truth made by the test itself:
# processes it starts (a sleep, a deleted copy, a memfd binary), sockets
# it opens (a listener and an established loopback connection), a
# userland hider it builds (LD_PRELOAD over readdir), utmp/wtmp/lastlog
# records it writes (with truncated and garbage ones), and a storm of
# short-lived processes during collection. Cross-checked with ps and ss.
. "$(dirname "$0")/lib.sh"

PROFILE=LinuxCronFiles		# keep the file part of the runs small
# (check and check_rc of lib.sh use $d, $want and $got: not used here.)
pids=""
at_exit 'kill $pids 2>/dev/null'
bg() { pids="$pids $!"; }

# run OUT [env...]: a live run, the archive extracted into OUT/x.
run_live() {
	out=$1; shift
	mkdir -p "$out/o" "$out/x"
	env "$@" "$CC_BIN" run --output "$out/o" -p "$PROFILE" --no-yara -q \
		>"$out/stdout" 2>"$out/stderr"
	echo $? >"$out/rc"
	a=$(archive_in "$out/o")
	[ -n "$a" ] && tar --zstd -xf "$a" -C "$out/x"
}
P() { echo "$T/$1/x/live/processes.jsonl"; }
N() { echo "$T/$1/x/live/network.jsonl"; }

# --- Ground truth -----------------------------------------------------
LD_LIBRARY_PATH=/opt/evil-lib sleep 1000 & SLEEP=$!; bg
cp "$(command -v sleep)" "$T/delme"
"$T/delme" 1001 & DEL=$!; bg
python3 - "$(command -v sleep)" <<'EOF' & MEMFD=$!; bg
import os, sys
fd = os.memfd_create("memsleep", 0)
os.write(fd, open(sys.argv[1], "rb").read())
os.execv("/proc/self/fd/%d" % fd, ["memsleep", "1002"])
EOF
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
c, _ = s.accept(); time.sleep(1000)' "$T/port" & LISTENER=$!; bg
for i in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
PORT=$(cat "$T/port")
python3 -c '
import socket, sys, time
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
open(sys.argv[2], "w").write(str(c.getsockname()[1]))
time.sleep(1000)' "$PORT" "$T/cport" & CLIENT=$!; bg
for i in $(seq 50); do [ -s "$T/cport" ] && break; sleep 0.1; done
CPORT=$(cat "$T/cport")
sleep 0.3
rm -f "$T/delme"
SLEEP_SHA=$(sha256sum "$(command -v sleep)" | cut -d' ' -f1)
NETNS=$(readlink /proc/self/ns/net | tr -dc 0-9)

# --- A plain live run, bracketed by ps and ss ----------------------------
ps -e -o pid= | tr -d ' ' | sort -u >"$T/ps1"
ss -ltnupH | awk '{split($5, a, ":"); print $1 ":" a[length(a)]}' | sort -u >"$T/ss1"
run_live "$T/r1"
ps -e -o pid= | tr -d ' ' | sort -u >"$T/ps2"
ss -ltnupH | awk '{split($5, a, ":"); print $1 ":" a[length(a)]}' | sort -u >"$T/ss2"
check "live run exits 0" test "$(cat "$T/r1/rc")" = 0
check "processes, network, system, users, mounts streams written" \
	test -s "$(P r1)" -a -s "$(N r1)" -a -s "$T/r1/x/live/system.jsonl" \
	-a -s "$T/r1/x/live/users.jsonl" -a -s "$T/r1/x/live/mounts.jsonl" \
	-a -s "$T/r1/x/live/interfaces.jsonl" -a -s "$T/r1/x/live/routes.jsonl"
check "every process line is a JSON object with pid, name, start_time" \
	jqe -s 'length > 10 and all(.[]; (.pid|type)=="number" and
		(.name|type)=="string" and (.start_time|test("^20[0-9-]+T.*Z$"))
		and (.cmdline|type)=="array")' "$(P r1)"

r_sleep=$(jq -c "select(.pid==$SLEEP)" "$(P r1)")
check "the test's sleep: pid, ppid, cmdline" jqe -n --argjson r "$r_sleep" \
	"\$r.ppid == $$ and \$r.cmdline == [\"sleep\",\"1000\"] and \$r.name == \"sleep\""
check "the test's sleep: exe_sha256 equals sha256sum of the binary" \
	jqe -n --argjson r "$r_sleep" "\$r.exe_sha256 == \"$SLEEP_SHA\" and \$r.exe_deleted == false"
check "the test's sleep: LD_LIBRARY_PATH from its environment, user, state" \
	jqe -n --argjson r "$r_sleep" '$r.ld_library_path == "/opt/evil-lib" and
		$r.user == "'"$(id -un)"'" and $r.uid == '"$(id -u)"' and $r.state == "S"
		and ($r.namespaces.net|type) == "number" and $r.hidden == false'
r_del=$(jq -c "select(.pid==$DEL)" "$(P r1)")
check "a deleted binary: exe_deleted true and the hash still right" \
	jqe -n --argjson r "$r_del" "\$r.exe_deleted == true and \$r.exe == \"$T/delme\" and \$r.exe_sha256 == \"$SLEEP_SHA\""
copy=$(echo "$r_del" | jq -r '.exe_copy // empty')
check "the deleted binary is copied into the archive, same bytes" \
	test -n "$copy" -a "$(sha256sum <"$T/r1/x/$copy" | cut -d' ' -f1)" = "$SLEEP_SHA"
r_mem=$(jq -c "select(.pid==$MEMFD)" "$(P r1)")
check "a memfd binary: exe_memfd, hashed and copied" \
	jqe -n --argjson r "$r_mem" "\$r.exe_memfd == true and \$r.exe_sha256 == \"$SLEEP_SHA\" and (\$r.exe_copy|startswith(\"live/exe/$MEMFD-\"))"
check "nothing is hidden on a clean host" jqe -s 'all(.[]; .hidden == false)' "$(P r1)"

# ps -e cross-check: what lived throughout is reported; nothing invented.
jq -r .pid "$(P r1)" | sort -u >"$T/agent_pids"
comm -12 "$T/ps1" "$T/ps2" >"$T/stable"
check "every pid ps -e shows before and after is reported" \
	test -z "$(comm -23 "$T/stable" "$T/agent_pids")"
extra=$(sort -u "$T/ps1" "$T/ps2" | comm -13 - "$T/agent_pids" | wc -l)
check "at most a few reported pids that ps never saw ($extra: the agent's run)" \
	test "$extra" -le 5

# Sockets: the listener, both ends of the connection, and ss -ltnup.
check "the test's TCP listener on 127.0.0.1 with its pid" \
	jqe -s "any(.[]; .proto==\"tcp\" and .local_addr==\"127.0.0.1\" and
		.local_port==$PORT and .state==\"LISTEN\" and .listening and
		.pid==$LISTENER and .process==\"python3\")" "$(N r1)"
check "established loopback connection: the server end, with its pid" \
	jqe -s "any(.[]; .proto==\"tcp\" and .local_port==$PORT and
		.remote_port==$CPORT and .remote_addr==\"127.0.0.1\" and
		.state==\"ESTABLISHED\" and .pid==$LISTENER)" "$(N r1)"
check "established loopback connection: the client end, with its pid" \
	jqe -s "any(.[]; .proto==\"tcp\" and .local_port==$CPORT and
		.remote_port==$PORT and .state==\"ESTABLISHED\" and
		.pid==$CLIENT and .listening==false)" "$(N r1)"
jq -r "select(.listening and .netns==$NETNS and (.proto|test(\"^(tcp|udp)6?\$\")))
	| \"\(.proto|sub(\"6\$\";\"\")):\(.local_port)\"" "$(N r1)" | sort -u >"$T/agent_ss"
comm -12 "$T/ss1" "$T/ss2" >"$T/ss_stable"
check "every socket ss -ltnup lists throughout is reported listening" \
	test -s "$T/ss_stable" -a -z "$(comm -23 "$T/ss_stable" "$T/agent_ss")"
check "no listening socket that ss never listed" \
	test -z "$(sort -u "$T/ss1" "$T/ss2" | comm -13 - "$T/agent_ss")"
check "UNIX sockets are listed with their type" \
	jqe -s 'any(.[]; .proto=="unix" and (.type|type)=="string")' "$(N r1)"
check "interfaces: lo with 127.0.0.1/8" jqe -s 'any(.[]; .name=="lo" and
	any(.addresses[]; .address=="127.0.0.1" and .prefixlen==8))' \
	"$T/r1/x/live/interfaces.jsonl"
check "system: hostname, kernel, boot_id, boot_time, machine_id" \
	jqe ".hostname==\"$(cat /proc/sys/kernel/hostname)\" and
		.kernel.release==\"$(uname -r)\" and
		.boot_id==\"$(cat /proc/sys/kernel/random/boot_id)\" and
		(.boot_time|test(\"Z\$\")) and (.uptime > 0)" \
	"$T/r1/x/live/system.jsonl"
check "mounts: / and /proc" jqe -s 'any(.[]; .mount_point=="/proc" and
	.fstype=="proc") and any(.[]; .mount_point=="/")' "$T/r1/x/live/mounts.jsonl"

# --- A userland hider and a storm of short-lived processes ----------------
cc -shared -fPIC -o "$T/libhide.so" "$CC_TOP/tests/tools/libhide.c" -ldl
sleep 1003 & VICTIM=$!; bg
check "the hider hides the victim from ls /proc" \
	test -z "$(LD_PRELOAD=$T/libhide.so HIDE_PID=$VICTIM ls /proc | grep -x "$VICTIM")"
( end=$((SECONDS + 30)); while [ $SECONDS -lt $end ]; do
	for i in 1 2 3 4 5 6 7 8; do /bin/true & done; wait
done ) & STORM=$!; bg
run_live "$T/r2" LD_PRELOAD="$T/libhide.so" HIDE_PID="$VICTIM"
kill $STORM 2>/dev/null
check "run under the hider and the storm exits 0" test "$(cat "$T/r2/rc")" = 0
check "the hidden process is reported with hidden: true" \
	jqe -s "any(.[]; .pid==$VICTIM and .hidden==true and .cmdline==[\"sleep\",\"1003\"])" "$(P r2)"
check "and only it (new processes of the storm are not called hidden)" \
	jqe -s "[.[] | select(.hidden)] | map(.pid) == [$VICTIM]" "$(P r2)"
check "the hidden process is in the log as a warning" \
	jqe -s "any(.[]; .level==\"warn\" and (.message|test(\"process $VICTIM .*hidden\")))" \
	"$T/r2/x/collection.log"
check "short-lived processes: no processes error in the manifest" \
	jqe '[.errors[] | select(.collector=="processes")] | length == 0' "$T/r2/x/manifest.json"
check "short-lived processes: no garbage record" \
	jqe -s 'all(.[]; (.pid|type)=="number" and (.ppid|type)=="number" and
		(.name|type)=="string" and (.start_time|type)=="string" and
		(.uid|type)=="number" and (.hidden|type)=="boolean")' "$(P r2)"

# --- Dead box: users, utmp/wtmp/btmp/lastlog written by the test -----------
FIX=$T/fixture
make_fixture "$FIX"
printf 'toor:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/usr/sbin/nologin\nbroken:line\n' >>"$FIX/etc/passwd"
printf 'sudo:x:27:alice,bob\n' >>"$FIX/etc/group"
mkdir -p "$FIX/run"
python3 - "$FIX" <<'EOF'
import struct, sys, os
root = sys.argv[1]
def rec(t, pid, line, user, host, sec, usec=0, addr=b"\0" * 16):
	return struct.pack("<hxxi32s4s32s256shhiii16s20x", t, pid, line.encode(),
		b"ts/0", user.encode(), host.encode(), 0, 0, 0, sec, usec, addr)
ip = bytes([203, 0, 113, 9]) + b"\0" * 12
garbage = bytes((i * 131 + 7) & 0xff for i in range(384))
assert len(rec(7, 1, "", "", "", 0)) == 384
with open(root + "/var/log/wtmp", "wb") as f:
	f.write(rec(2, 0, "~", "reboot", "6.1.0", 1699990000))
	f.write(rec(7, 4242, "pts/0", "alice", "203.0.113.9", 1700000000, 5, ip))
	f.write(garbage)
	f.write(rec(8, 4242, "pts/0", "", "", 1700003600))
	f.write(rec(7, 4343, "pts/1", "bob", "host\x01bad", 1700007200))
	f.write(rec(7, 4444, "pts/2", "carol", "", 1700010000)[:200])
with open(root + "/var/log/btmp", "wb") as f:
	f.write(rec(6, 999, "ssh:notty", "root", "198.51.100.7", 1700020000))
with open(root + "/run/utmp", "wb") as f:
	f.write(rec(0, 0, "", "", "", 0))
	f.write(rec(7, 5555, "pts/3", "alice", "192.0.2.1", 1700030000))
with open(root + "/var/log/lastlog", "wb") as f:
	f.seek(1000 * 292)
	f.write(struct.pack("<i32s256s", 1690000000, b"pts/1", b"192.0.2.44"))
EOF
mkdir -p "$T/r3/o" "$T/r3/x"
check_rc "dead-box run over the fixture exits 0" 0 \
	"$CC_BIN" run --root "$FIX" --output "$T/r3/o" -p "$PROFILE" --no-yara -q
tar --zstd -xf "$(archive_in "$T/r3/o")" -C "$T/r3/x"
L=$T/r3/x/live/logins.jsonl
check "dead box: no live collector ran (no processes, no network)" \
	test ! -e "$T/r3/x/live/processes.jsonl" -a ! -e "$T/r3/x/live/network.jsonl"
check "wtmp: alice's login with host, address and time" \
	jqe -s 'any(.[]; .source=="wtmp" and .type=="USER_PROCESS" and
		.user=="alice" and .line=="pts/0" and .pid==4242 and
		.host=="203.0.113.9" and .addr=="203.0.113.9" and
		.time=="2023-11-14T22:13:20.000005Z")' "$L"
check "wtmp: the boot record and the logout after the garbage record" \
	jqe -s 'any(.[]; .source=="wtmp" and .type=="BOOT_TIME" and .user=="reboot")
		and any(.[]; .source=="wtmp" and .type=="DEAD_PROCESS" and .pid==4242)' "$L"
check "wtmp: garbage and control-character records are skipped" \
	jqe -s '[.[] | select(.source=="wtmp")] | length == 3' "$L"
check "wtmp: each bad record is an error naming its offset" \
	jqe '[.errors[] | select(.path=="/var/log/wtmp")] | map(.error) as $e |
		($e | any(test("offset 768: .*garbage"))) and
		($e | any(test("offset 1536: .*garbage"))) and
		($e | any(test("offset 1920: truncated")))' "$T/r3/x/manifest.json"
check "btmp: the failed root login" jqe -s 'any(.[]; .source=="btmp" and
	.user=="root" and .host=="198.51.100.7" and .type=="LOGIN_PROCESS")' "$L"
check "utmp: the current session (empty slot skipped)" \
	jqe -s '[.[] | select(.source=="utmp")] | length == 1 and .[0].user=="alice" and .[0].line=="pts/3"' "$L"
check "lastlog: uid 1000 is alice, from 192.0.2.44" \
	jqe -s 'any(.[]; .source=="lastlog" and .uid==1000 and .user=="alice"
		and .host=="192.0.2.44" and .time=="2023-07-22T04:26:40Z")
		and ([.[] | select(.source=="lastlog")] | length == 1)' "$L"
U=$T/r3/x/live/users.jsonl
check "users: passwd accounts with shells, uid 0 flagged" \
	jqe -s 'any(.[]; .type=="user" and .name=="toor" and .uid0 and .login_shell)
		and any(.[]; .name=="nobody" and .login_shell==false and .uid0==false)
		and any(.[]; .name=="alice" and .uid==1000 and .home=="/home/alice")' "$U"
check "users: the malformed passwd line is skipped" \
	jqe -s '[.[] | select(.type=="user")] | length == 4' "$U"
check "users: groups with members" \
	jqe -s 'any(.[]; .type=="group" and .name=="sudo" and .members==["alice","bob"])' "$U"
check "users: uid 0 account other than root is a warning" \
	jqe -s 'any(.[]; .level=="warn" and (.message|test("toor has uid 0")))' \
	"$T/r3/x/collection.log"
check "system in dead box: hostname and os from the image" \
	jqe '.hostname=="fixture-host" and .os=="Fixture Linux 1" and .kernel==null' \
	"$T/r3/x/live/system.jsonl"
