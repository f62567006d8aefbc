#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# A fleet on this machine: N hosts (FLEET_HOSTS, default 6), each a
# network namespace and a UTS namespace of its own (its own host name, so
# its own archive name) with its own sshd (own host key and config, root
# by key), reached by stock ansible-playbook running the role
# (packaging/ansible) with forks = N and --stream to one chrooted drop box
# (tests/cli/sshd.sh). Two networks: 10.77.0.0/24 is Ansible's (bridge
# "fleetm"), 10.77.1.0/24 the drop box's (bridge "fleetd"), so that one host's
# way to the drop box can be cut while Ansible still talks to it.
#
# First play: host N-1 streams slowly (--bwlimit) and its link to the drop
# box goes down once its .part is on the drop box; host N is unreachable
# by Ansible (its link down). Checks: every other host's archive is on the
# drop box, verified (csirt-collect verify and stock minisign -V), one per
# host name; the recap shows the failed and the unreachable host; the
# partial upload stays a .part that does not verify; nothing is left on
# any host. Second play: the network back, --limit the two, the drop box
# refusing their first connections (MaxStartups 1, the slot held): in the
# end every host's archive is there, none lost.
#
# The whole test runs in a network namespace of its own (it re-executes
# itself under unshare -n): the bridges, veths and host namespaces go
# away with it. FLEET_BENCH=1: one play of N hosts, no failure, and a
# line "FLEET hosts=N play_s=S bytes=B upload_s=U" for tests/bench.sh
# (FLEET_PROFILE: the profile, default LinuxCronFiles; FLEET_KEEP=DIR: a
# copy of the drop box there). The agents run with --no-yara and
# --no-process-dump: on a shared machine the other users' processes would
# be scanned and dumped six times over.
if [ -z "${CC_FLEET_NETNS:-}" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "FAIL t-fleet: needs root (namespaces, sshd, useradd)"
		exit 1
	fi
	CC_FLEET_NETNS=1 exec unshare -n bash "$0" "$@"
fi
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/../cli/sshd.sh"
. "$(dirname "$0")/ansible.sh"
S=${CC_BUILD:-$CC_TOP/build}/csirt-collect-static
AN=$CC_TOP/packaging/ansible
N=${FLEET_HOSTS:-6}
BENCH=${FLEET_BENCH:-0}
PROFILE=${FLEET_PROFILE:-LinuxCronFiles}
CASE=FLEET-$$
CUT=$((N - 1))		# its link to the drop box cut mid-run
DOWN=$N			# unreachable by Ansible

command -v ansible-playbook >/dev/null || { nok "ansible-playbook missing: make deps"; exit 1; }
command -v minisign >/dev/null || { nok "minisign missing: make deps"; exit 1; }
[ -x "$S" ] || { nok "$S missing: make static"; exit 1; }
[ "$N" -ge 3 ] || { nok "FLEET_HOSTS must be at least 3"; exit 1; }

ip link set lo up
for br in "fleetm 10.77.0.1" "fleetd 10.77.1.1"; do
	set -- $br
	ip link add name "$1" type bridge && ip addr add "$2/24" dev "$1" &&
		ip link set dev "$1" up || { nok "bridge $1"; exit 1; }
done
SSHD_LISTEN=10.77.1.1
sshd_start || { nok "drop box sshd started"; exit 1; }
DROP_URL="sftp://$SSHD_USER@10.77.1.1:$SSHD_PORT/upload"
D=$SSHD_DROP/upload

# --- The hosts ---------------------------------------------------------------
ssh-keygen -q -t ed25519 -N '' -f "$T/client_key"
cp "$T/client_key.pub" "$T/authorized_keys"
: >"$T/known_hosts"
hname() { echo "fleet$$-h$1"; }
addr() { echo "10.77.$1.$((10 + $2))"; }	# NET HOST
# in_host I CMD...: run CMD in host I's network namespace.
in_host() { eval "_p=\$HPID_$1"; shift; nsenter -t "$_p" -n "$@"; }
# host_down I: end every process in host I's namespace (its sshd, the
# sessions and agents it started), which removes the namespace.
host_down() {
	eval "_p=\${HPID_$1:-}"
	[ -n "$_p" ] || return 0
	_ns=$(readlink "/proc/$_p/ns/net" 2>/dev/null)
	if [ -n "$_ns" ]; then
		for _q in /proc/[0-9]*; do
			[ "$(readlink "$_q/ns/net" 2>/dev/null)" = "$_ns" ] &&
				kill -9 "${_q#/proc/}" 2>/dev/null
		done
	fi
	for _ in $(seq 20); do [ -e "/proc/$_p" ] || break; sleep 0.1; done
}
host_up() {
	h=$T/h$1
	mkdir -p "$h/root" "$h/tmp"
	ssh-keygen -q -t ed25519 -N '' -f "$h/host_key"
	sshd_root_config "$h" 22 "$T/authorized_keys" "$(addr 0 "$1")"
	mkfifo "$h/go"
	# Its own network, host name, /sys (of its network) and /root (the
	# agent's working directory: checked for archives afterwards).
	# Started from a subshell: not a job of this shell, whose "Killed"
	# would be printed when host_down ends it.
	(unshare --net --uts --mount --propagation private sh -c "
		read _ <'$h/go' && mount -t sysfs sysfs /sys &&
		mount --bind '$h/root' /root && hostname '$(hname "$1")' &&
		exec /usr/sbin/sshd -D -f '$h/config' -E '$h/log'" \
		</dev/null >/dev/null 2>&1 & echo $! >"$h/ns.pid")
	read -r _p <"$h/ns.pid"
	eval "HPID_$1=$_p"
	at_exit "host_down $1"
	# Its namespaces exist once unshare has run: wait for them.
	for _ in $(seq 100); do
		[ "$(readlink /proc/$_p/ns/net)" != "$(readlink /proc/$$/ns/net)" ] && break
		sleep 0.05
	done
	ip link add name "m$1" type veth peer name mgmt netns "$_p" &&
	ip link add name "d$1" type veth peer name drop netns "$_p" &&
	ip link set "m$1" master fleetm up && ip link set "d$1" master fleetd up &&
	in_host "$1" sh -c "ip link set lo up &&
		ip addr add $(addr 0 "$1")/24 dev mgmt && ip link set mgmt up &&
		ip addr add $(addr 1 "$1")/24 dev drop && ip link set drop up" ||
		return 1
	echo go >"$h/go"
	echo "$(addr 0 "$1") $(cut -d' ' -f1,2 "$h/host_key.pub")" >>"$T/known_hosts"
}
for i in $(seq "$N"); do
	host_up "$i" || { nok "host $i set up"; exit 1; }
done
ready=0
for i in $(seq "$N"); do
	for _ in $(seq 100); do
		python3 -c "import socket; socket.create_connection(('$(addr 0 "$i")',22),1)" \
			2>/dev/null && { ready=$((ready + 1)); break; }
		sleep 0.1
	done
done
check "$N hosts up, each its own sshd on 10.77.0.x" test "$ready" -eq "$N"
names=$(for i in 1 "$N"; do
	ssh -o BatchMode=yes -o UserKnownHostsFile="$T/known_hosts" -i "$T/client_key" \
		"root@$(addr 0 "$i")" uname -n 2>/dev/null
done | tr '\n' ' ')
check "…each its own host name (ssh root@ by key: $names)" \
	test "$names" = "$(hname 1) $(hname "$N") "
check "…the drop box reachable from a host's namespace (10.77.1.1:$SSHD_PORT)" \
	in_host 1 python3 -c "import socket; socket.create_connection(('10.77.1.1',$SSHD_PORT),2)"

# --- Ansible -----------------------------------------------------------------
mkdir -p "$T/summaries"
ansible_setup "$N"
# A fragile link: one retry, 5 s without an answer is a stall.
printf '[upload]\nretries = 1\ntimeout = 5\n' >"$T/fragile.ini"
# inventory [SLOW]: host SLOW streams at 64 KiB/s on the fragile link.
inventory() {
	{
		echo "[fleet]"
		for i in $(seq "$N"); do
			printf 'h%s ansible_host=%s fleet_dir=%s' "$i" "$(addr 0 "$i")" "$T/h$i"
			[ "$i" = "${1:-}" ] && printf " fleet_args='[\"--bwlimit\", \"65536\", \"-c\", \"%s\"]'" \
				"$T/fragile.ini"
			echo
		done
		echo "[fleet:vars]"
		echo "ansible_user=root"
		echo "ansible_ssh_private_key_file=$T/client_key"
	} >"$T/inventory"
}
cat >"$T/vars.yml" <<EOC
case_id: $CASE
wave: $N
csirt_collect_binary: $S
csirt_collect_upload_url: $DROP_URL
csirt_collect_host_key: "$SSHD_FP"
csirt_collect_identity_file: $SSHD_KEY
csirt_collect_summary_dir: $T/summaries
csirt_collect_tmp_parent: "{{ fleet_dir }}/tmp"
csirt_collect_become: false
csirt_collect_profile: $PROFILE
csirt_collect_extra_args: "{{ ['--no-yara', '--no-process-dump'] + (fleet_args | default([])) }}"
EOC
play() { ansible-playbook "$AN/collect.yml" -e "@$T/vars.yml" "$@"; }
now() { date +%s.%N; }

# watch: the drop box's side, sampled every 0.1 s: when the first file
# appeared, when the last of the archives expected (one .minisig each,
# renamed last) was complete.
drop_watch() {
	want=$1 first=
	while :; do
		if [ -z "$first" ] && [ -n "$(ls -A "$D")" ]; then
			first=$(now); echo "$first" >"$T/first"
		fi
		if [ "$(ls "$D" | grep -c '\.tar\.zst\.minisig$')" -ge "$want" ]; then
			now >"$T/last"; return
		fi
		sleep 0.1
	done
}

if [ "$BENCH" = 1 ]; then
	inventory
	drop_watch "$N" & W=$!
	at_exit "kill $W 2>/dev/null"
	t0=$(now)
	play >"$T/play" 2>&1; rc=$?
	t1=$(now)
	check "ansible-playbook on $N hosts exits 0" test $rc -eq 0
	[ $rc -eq 0 ] || tail -30 "$T/play"
	wait "$W"
	bytes=$(cat "$D"/*.tar.zst | wc -c)
	check "$N archives on the drop box" test "$(ls "$D" | grep -c '\.tar\.zst$')" -eq "$N"
	[ -n "${FLEET_KEEP:-}" ] && cp -a "$D/." "$FLEET_KEEP/"
	echo "FLEET hosts=$N play_s=$(python3 -c "print(f'{$t1-$t0:.1f}')")" \
		"bytes=$bytes upload_s=$(python3 -c "print(f'{$(cat "$T/last")-$(cat "$T/first"):.1f}')")"
	exit 0
fi

# --- Play 1: a host cut from the drop box mid-run, one unreachable -----------
inventory "$CUT"
in_host "$DOWN" ip link set mgmt down
# The cut: once host CUT's .part is on the drop box and growing.
(
	for _ in $(seq 1200); do
		p=$(ls "$D"/"${CASE}_$(hname "$CUT")_"*.part 2>/dev/null | head -1)
		if [ -n "$p" ] && [ "$(stat -c %s "$p")" -gt 0 ]; then
			in_host "$CUT" ip link set drop down &&
				echo "$(stat -c %s "$p")" >"$T/cut"
			exit 0
		fi
		sleep 0.1
	done
) & C=$!
at_exit "kill $C 2>/dev/null"
start=$(date +%s)
play >"$T/play1" 2>&1; rc=$?
wait "$C"
check "play 1 on $N hosts (forks $N): ansible-playbook fails (exit $rc, $(( $(date +%s) - start ))s)" \
	test $rc -ne 0
check "…host $CUT's link to the drop box went down while it streamed (.part at $(cat "$T/cut" 2>/dev/null) bytes)" \
	test -s "$T/cut"
good=$(seq $((N - 2)))
bad=
for i in $good; do
	grep -Eq "^h$i +: ok=[0-9]+ +changed=[0-9]+ +unreachable=0 +failed=0" "$T/play1" ||
		bad="$bad h$i"
done
check "…recap: the $((N - 2)) others ok, none failed or unreachable${bad:+ (not:$bad)}" test -z "$bad"
[ -z "$bad" ] || sed -n '/PLAY RECAP/,$p' "$T/play1"
check "…recap: h$CUT failed" grep -Eq "^h$CUT +: .*unreachable=0 +failed=1" "$T/play1"
check "…recap: h$DOWN unreachable" grep -Eq "^h$DOWN +: .*unreachable=1" "$T/play1"
check "…h$CUT's summary on the controller: exit 3 (upload failed)" \
	jqe '.rc == 3 and .host == "h'$CUT'"' "$T/summaries/h$CUT.json"
check "…no summary for the unreachable h$DOWN" test ! -e "$T/summaries/h$DOWN.json"

# verify_host I: host I has exactly one archive on the drop box, complete
# and verified, and its summary names it.
verify_host() {
	n=$(hname "$1")
	set -- "$1" $(ls "$D" | grep "^${CASE}_${n}_.*\.tar\.zst$")
	if [ $# -ne 2 ]; then nok "h$1: one archive on the drop box ($(($# - 1)))"; return; fi
	a=$D/$2
	if "$CC_BIN" verify "$a" >/dev/null 2>&1 && minisign -Vq -m "$a" -p "$a.pub" &&
	    jqe '.rc == 0 and .summary.status == "ok" and .summary.name == "'"$2"'" and
	    .summary.size == '"$(stat -c %s "$a")" "$T/summaries/h$1.json"; then
		ok "h$1 ($n): one archive, csirt-collect verify, minisign -V, summary rc 0 names it"
	else
		nok "h$1 ($n): $2 verified and named by the summary"
	fi
}
for i in $good; do verify_host "$i"; done
ls "$D" >"$T/drop1"
check "…nothing complete from h$CUT or h$DOWN" \
	sh -c "! grep -Eq '_($(hname "$CUT")|$(hname "$DOWN"))_.*\.tar\.zst(\.minisig|\.pub)?$' '$T/drop1'"
part=$(ls "$D"/"${CASE}_$(hname "$CUT")_"*.tar.zst.part 2>/dev/null | head -1)
check "…h$CUT's partial upload stays a .part ($(stat -c %s "$part" 2>/dev/null) bytes)" test -s "$part"
check "…which does not verify" sh -c "! '$CC_BIN' verify '$part' >/dev/null 2>&1"
check "…and has no signature beside it" \
	test ! -e "${part%.part}.minisig" -a ! -e "$part.minisig"
check "…no other .part on the drop box" test "$(grep -c '\.part$' "$T/drop1")" -eq 1
# The agents ran at once: the latest start before the earliest finish.
for i in $good; do
	tar --zstd -xOf "$D/$(jq -r .summary.name "$T/summaries/h$i.json")" manifest.json |
		jq -r '[.started, .finished] | join(" ")'
done >"$T/times"
check "…the $((N - 2)) agents ran at the same time (forks)" test \
	"$(cut -d' ' -f1 "$T/times" | sort | tail -1)" \< "$(cut -d' ' -f2 "$T/times" | sort | head -1)"

# --- Play 2: the network back, --limit the two ------------------------------
in_host "$CUT" ip link set drop up
in_host "$DOWN" ip link set mgmt up
inventory
# ...and a drop box that takes one unauthenticated connection at a time
# (MaxStartups 1), that one held by this test until each of the two
# agents has been refused: they must retry, not fail.
sshd_stop
sed -i '1i MaxStartups 1:100:1' "$SSHD_DIR/config"
sshd_restart || { nok "drop box restarted"; exit 1; }
python3 - "$SSHD_PORT" "$T/release" <<'PY' & H=$!
import os, socket, sys, time
s = socket.create_connection(("10.77.1.1", int(sys.argv[1])), 2)
open(sys.argv[2] + ".held", "w").close()
for _ in range(600):
    if os.path.exists(sys.argv[2]):
        break
    time.sleep(0.1)
PY
at_exit "kill $H 2>/dev/null"
for _ in $(seq 50); do [ -e "$T/release.held" ] && break; sleep 0.1; done
(
	for _ in $(seq 600); do
		grep -q "from \[$(addr 1 "$CUT")\]:.*past MaxStartups" "$SSHD_LOG" &&
		grep -q "from \[$(addr 1 "$DOWN")\]:.*past MaxStartups" "$SSHD_LOG" && break
		sleep 0.1
	done
	touch "$T/release"
) & R=$!
play --limit "h$CUT,h$DOWN" >"$T/play2" 2>&1; rc=$?
wait "$H" "$R"
check "play 2, --limit h$CUT,h$DOWN with the network back: exit 0" test $rc -eq 0
[ $rc -eq 0 ] || tail -30 "$T/play2"
check "…only those two ran" test "$(grep -Ec '^h[0-9]+ +:' "$T/play2")" -eq 2
check "…each agent's first connection refused by the drop box (past MaxStartups), then retried" \
	sh -c "grep -q 'from \[$(addr 1 "$CUT")\]:.*past MaxStartups' '$SSHD_LOG' &&
		grep -q 'from \[$(addr 1 "$DOWN")\]:.*past MaxStartups' '$SSHD_LOG'"
verify_host "$CUT"
verify_host "$DOWN"
check "none lost: $N complete archives on the drop box, one per host name" test \
	"$(ls "$D" | grep '\.tar\.zst$' | sed "s/^${CASE}_\(fleet$$-h[0-9]*\)_.*/\1/" | sort -u | wc -l)" -eq "$N"
check "…the earlier .part still does not verify" sh -c "! '$CC_BIN' verify '$part' >/dev/null 2>&1"
left=$(find "$T"/h*/tmp "$T"/h*/root -mindepth 1 2>/dev/null)
check "nothing left on any host (the agent's directory removed, nothing in /root)${left:+: $left}" \
	test -z "$left"
check "no archive on the controller or the hosts" \
	test -z "$(find "$T" "$AN" -name '*.tar.zst*' 2>/dev/null)"
exit 0
