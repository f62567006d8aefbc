#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# The Ansible role (packaging/ansible) through the example playbook, with
# stock ansible-playbook, against two hosts: "local" (-c local) and
# "hostb", a second host reached over SSH on loopback (an sshd of this
# test, with its own host key and config, root by key, in its own UTS
# namespace so that it has its own host name). The agent uploads to the
# drop box of tests/cli/sshd.sh. Checks: one archive per host on the drop
# box, each verifiable; a summary per host on the controller and no
# archive there; the agent removed from each host; waves (serial); and on
# failure (wrong pinned key) the agent is removed all the same.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/../cli/sshd.sh"
. "$(dirname "$0")/ansible.sh"
S=${CC_BUILD:-$CC_TOP/build}/csirt-collect-static
AN=$CC_TOP/packaging/ansible

if [ "$(id -u)" -ne 0 ]; then nok "needs root (sshd, useradd)"; exit 1; fi
command -v ansible-playbook >/dev/null || { nok "ansible-playbook missing: make deps"; exit 1; }
[ -x "$S" ] || { nok "$S missing: make static"; exit 1; }
sshd_start || { nok "drop box sshd started"; exit 1; }

# --- Host B: an sshd with a normal shell login for root (key only) ---------
B=$T/hostb
mkdir -p "$B"
ssh-keygen -q -t ed25519 -N '' -f "$B/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$B/client_key"
cp "$B/client_key.pub" "$B/authorized_keys"
B_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sshd_root_config "$B" "$B_PORT" "$B/authorized_keys" 127.0.0.1
B_NAME=cc-hostb-$$
unshare --uts sh -c "hostname '$B_NAME' && exec /usr/sbin/sshd -D -f '$B/config' -E '$B/log'" &
B_PID=$!
at_exit "pkill -P $B_PID 2>/dev/null; kill $B_PID 2>/dev/null"
for _ in $(seq 50); do
	python3 -c "import socket; socket.create_connection(('127.0.0.1',$B_PORT),1)" 2>/dev/null && break
	sleep 0.1
done
echo "[127.0.0.1]:$B_PORT $(cut -d' ' -f1,2 "$B/host_key.pub")" >"$T/known_hosts"
check "host B: ssh as root by key on 127.0.0.1:$B_PORT, its own host name" test \
	"$(ssh -o BatchMode=yes -o UserKnownHostsFile="$T/known_hosts" -i "$B/client_key" \
		-p "$B_PORT" root@127.0.0.1 uname -n 2>/dev/null)" = "$B_NAME"

# --- Ansible: own config, inventory, variables --------------------------------
mkdir -p "$T/hosttmp" "$T/summaries"
ansible_setup 5
cat >"$T/inventory" <<EOC
[targets]
local ansible_connection=local
hostb ansible_host=127.0.0.1 ansible_port=$B_PORT ansible_user=root ansible_ssh_private_key_file=$B/client_key
EOC
cat >"$T/vars.yml" <<EOC
case_id: PKG-ANS-1
wave: 1
csirt_collect_binary: $S
csirt_collect_upload_url: $SSHD_URL
csirt_collect_host_key: "$SSHD_FP"
csirt_collect_identity_file: $SSHD_KEY
csirt_collect_summary_dir: $T/summaries
csirt_collect_tmp_parent: $T/hosttmp
csirt_collect_become: false
csirt_collect_profile: LinuxCronFiles
csirt_collect_extra_args: ["--no-yara"]
EOC
play() { ansible-playbook "$AN/collect.yml" -e "@$T/vars.yml" "$@"; }

start=$(date +%s)
play >"$T/play1" 2>&1; rc=$?
check "ansible-playbook collect.yml on local + hostb exits 0 ($(( $(date +%s) - start ))s)" test $rc -eq 0
[ $rc -eq 0 ] || sed 's/^/    /' "$T/play1" | tail -40
check "…in waves of one host (serial: two batches)" \
	test "$(grep -c '^TASK \[csirt_collect : Run the agent\]' "$T/play1")" -eq 2
check "…recap: both hosts ok, none failed" sh -c \
	"grep -Eq '^local +: ok=[0-9]+ +changed=[0-9]+ +unreachable=0 +failed=0' '$T/play1' &&
	 grep -Eq '^hostb +: ok=[0-9]+ +changed=[0-9]+ +unreachable=0 +failed=0' '$T/play1'"

D=$SSHD_DROP/upload
ls "$D" >"$T/drop"
check "the drop box holds exactly two archives" test "$(grep -c '\.tar\.zst$' "$T/drop")" -eq 2
check "…one from this host ($(uname -n))" grep -q "^PKG-ANS-1_$(uname -n)_.*\.tar\.zst$" "$T/drop"
check "…one from host B ($B_NAME)" grep -q "^PKG-ANS-1_${B_NAME}_.*\.tar\.zst$" "$T/drop"
check "…no .part left" sh -c "! grep -q '\.part$' '$T/drop'"
for a in "$D"/*.tar.zst; do
	n=$(basename "$a")
	check "$n: csirt-collect verify" sh -c "'$CC_BIN' verify '$a' >/dev/null 2>&1"
	check "$n: stock minisign -V" minisign -Vq -m "$a" -p "$a.pub"
done
for h in local hostb; do
	f=$T/summaries/$h.json
	check "summary of $h on the controller: exit 0, status ok, case" \
		jqe '.rc == 0 and .summary.status == "ok" and .case == "PKG-ANS-1" and .host == "'$h'"' "$f"
	check "…it names the archive that is on the drop box" \
		test -s "$D/$(jq -r .summary.name "$f" 2>/dev/null)"
done
check "the agent and its directory are gone from the hosts" test -z "$(ls -A "$T/hosttmp")"
check "no archive was written on the controller or the hosts" \
	test -z "$(find "$T" "$AN" -name '*.tar.zst*' 2>/dev/null)"
check "the example playbook's directory is untouched (no summaries/)" test ! -e "$AN/summaries"

# --- Failure: a wrong pinned host key on host B; --limit ----------------------
rm -f "$D"/* "$T/summaries"/*
play --limit hostb -e csirt_collect_host_key="SHA256:$(printf '%043d' 0)" >"$T/play2" 2>&1; rc=$?
check "a wrong pinned key: ansible-playbook fails (exit $rc)" test $rc -ne 0
check "…only host B ran (--limit)" test ! -e "$T/summaries/local.json"
check "…host B's summary records exit 3" jqe '.rc == 3' "$T/summaries/hostb.json"
check "…the recap shows host B failed" grep -Eq '^hostb +: .*failed=1' "$T/play2"
check "…the agent was removed all the same" test -z "$(ls -A "$T/hosttmp")"
check "…nothing reached the drop box" test -z "$(ls -A "$D")"

# --- No upload target: refused before anything is copied ---------------------
play --limit local -e csirt_collect_upload_url= >"$T/play3" 2>&1; rc=$?
check "no upload target: the role refuses to run" sh -c \
	"test $rc -ne 0 && grep -q 'csirt_collect_upload_url' '$T/play3'"
check "…and copied nothing" test -z "$(ls -A "$T/hosttmp")"
exit 0
