# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# live/persistence.jsonl on a fixture root: a cron entry, a system cron
# entry with a user field, a systemd ExecStart with prefixes, a user unit,
# an authorized_keys command="…" with an escaped quote, ld.so.preload,
# a udev RUN+= (absolute) and a relative one, an rc script, each pointing
# to a planted program: the records name the target resolved inside the
# root, archived with sha256 = sha256sum. A bare name is found in the
# root's PATH; a symlink to an absolute path resolves inside the root,
# and one climbing out with ../ stays in it (the outside file is never
# read); a missing program is exists=false. Traced: no program run.
. "$(dirname "$0")/lib.sh"

for c in jq zstd sha256sum; do
	command -v $c >/dev/null || { skip "$c missing"; exit 0; }
done
R="$T/root"
mk() {	# mk PATH CONTENT: a file under the root, parents made
	mkdir -p "$(dirname "$R$1")"
	printf '%s\n' "$2" >"$R$1"
}
prog() {	# prog PATH: a planted script with unique content
	mk "$1" "#!/bin/sh
echo planted $1"
	chmod 755 "$R$1"
}
mkdir -p "$R"
mk /etc/passwd "root:x:0:0:root:/root:/bin/bash
alice:x:1000:1000::/home/alice:/bin/bash"
mk /etc/group "root:x:0:"
prog /opt/cron-user.sh
prog /opt/cron-sys.sh
prog /usr/local/sbin/svc-daemon
prog /home/alice/.local/bin/userd
prog /opt/keycmd
prog /lib/evil.so
prog /opt/udev-run
prog /lib/udev/udev-helper
prog /etc/init.d/backdoor
prog /usr/bin/realtool
mk /var/spool/cron/crontabs/alice "# m h dom mon dow command
MAILTO=root
*/5 * * * * /opt/cron-user.sh --quiet >/dev/null 2>&1"
mk /etc/cron.d/sys "SHELL=/bin/sh
@reboot root /opt/cron-sys.sh%stdin-data
17 * * * * root  svc-daemon -x"
mk /etc/systemd/system/evil.service "[Unit]
Description=x
[Service]
ExecStartPre=-/opt/missing-pre
ExecStart=@/usr/local/sbin/svc-daemon svc-daemon --flag"
# A unit outside the unit directories, enabled by a link (systemctl
# enable /opt/linked.service), and a usual one linked to /lib: read once.
prog /opt/linked-daemon
mk /opt/linked.service "[Service]
ExecStart=/opt/linked-daemon"
mkdir -p "$R/etc/systemd/system/multi-user.target.wants"
ln -s /opt/linked.service "$R/etc/systemd/system/multi-user.target.wants/linked.service"
prog /usr/sbin/vendord
mk /lib/systemd/system/vendor.service "[Service]
ExecStart=/usr/sbin/vendord"
ln -s /lib/systemd/system/vendor.service "$R/etc/systemd/system/multi-user.target.wants/vendor.service"
mk /home/alice/.config/systemd/user/u.service "[Service]
ExecStart=/home/alice/.local/bin/userd"
mk /root/.ssh/authorized_keys "no-pty,command=\"/opt/keycmd \\\"arg\\\"\",from=\"10.0.0.1\" ssh-ed25519 AAAAC3Nz attacker
ssh-ed25519 AAAAC3Nz plain"
mk /etc/ld.so.preload "/lib/evil.so"
mk /etc/udev/rules.d/99-evil.rules "ACTION==\"add\", SUBSYSTEM==\"usb\", RUN+=\"/opt/udev-run %k\", RUN{builtin}+=\"kmod load x\"
ACTION==\"add\", PROGRAM=\"udev-helper\""
# A symlink with an absolute target: resolved inside the root.
mkdir -p "$R/usr/local/bin"
ln -s /usr/bin/realtool "$R/usr/local/bin/linked"
mk /etc/cron.d/linked "0 0 * * * root /usr/local/bin/linked"
# A symlink climbing out of the root: stays inside (no outside read).
printf 'OUTSIDE SECRET\n' >"$T/outside"
ln -s "../../../../../../../../../../$T/outside" "$R/usr/local/bin/escape"
mk /etc/cron.d/escape "0 0 * * * root /usr/local/bin/escape"

O="$T/o"
root_run "$O" "$R"
check "run exits 0" test $? -eq 0
X="$O/x"
P="$X/live/persistence.jsonl"
check_nexecve
check "persistence stream present" test -s "$P"

# target KIND SOURCE TARGET: the record of SOURCE names TARGET, archived
# with the sha256 of the planted file, and the copy is in files/.
target() {
	sum=$(sha256sum <"$R$3" | cut -d' ' -f1)
	check "$1: $2 -> $3, archived, sha256" jqe -s --arg k "$1" \
	    --arg s "$2" --arg t "$3" --arg h "$sum" \
	    'any(.[]; .kind == $k and .source == $s and .target == $t and
	    .exists == true and .archived == true and .sha256 == $h)' "$P"
	check "$1: files$3 is the planted file" cmp -s "$X/files$3" "$R$3"
	check "$1: manifest sha256 of files$3" jqe --arg p "files$3" \
	    --arg h "$sum" '.entries[] | select(.path == $p) | .sha256 == $h' \
	    "$X/manifest.json"
}
target cron /var/spool/cron/crontabs/alice:3 /opt/cron-user.sh
target cron /etc/cron.d/sys:2 /opt/cron-sys.sh
target cron /etc/cron.d/sys:3 /usr/local/sbin/svc-daemon
target systemd /etc/systemd/system/evil.service:5 /usr/local/sbin/svc-daemon
target systemd /home/alice/.config/systemd/user/u.service:2 /home/alice/.local/bin/userd
target systemd /etc/systemd/system/multi-user.target.wants/linked.service:2 /opt/linked-daemon
target systemd /lib/systemd/system/vendor.service:2 /usr/sbin/vendord
check "systemd: a link to a vendor unit is not read twice" \
    jqe -s '[.[] | select(.program == "/usr/sbin/vendord")] | length == 1' "$P"
target authorized_keys /root/.ssh/authorized_keys:1 /opt/keycmd
target ld_preload /etc/ld.so.preload:1 /lib/evil.so
target udev /etc/udev/rules.d/99-evil.rules:1 /opt/udev-run
target udev /etc/udev/rules.d/99-evil.rules:2 /lib/udev/udev-helper
target rc /etc/init.d/backdoor /etc/init.d/backdoor
target cron /etc/cron.d/linked:1 /usr/bin/realtool

check "cron: the command is cut at %, MAILTO is not an entry" \
    jqe -s 'any(.[]; .source == "/etc/cron.d/sys:2" and .command == "/opt/cron-sys.sh") and
    all(.[]; (.command | test("MAILTO|SHELL=")) | not)' "$P"
check "authorized_keys: the command unescaped" \
    jqe -s 'any(.[]; .kind == "authorized_keys" and .command == "/opt/keycmd \"arg\"")' "$P"
check "authorized_keys: a key without command= is no entry" \
    jqe -s '[.[] | select(.kind == "authorized_keys")] | length == 1' "$P"
check "udev: RUN{builtin} is not a program" \
    jqe -s 'all(.[]; .command != "kmod load x")' "$P"
check "systemd: a missing ExecStartPre program: exists false, no sha256" \
    jqe -s 'any(.[]; .source == "/etc/systemd/system/evil.service:4" and
    .program == "/opt/missing-pre" and .exists == false and .sha256 == null and .archived == false)' "$P"
check "a symlink climbing out of the root never reads outside it" \
    jqe -s 'any(.[]; .source == "/etc/cron.d/escape:1" and .archived == false and .sha256 == null)' "$P"
check "the outside file is not in the archive" \
    sh -c "! grep -rq 'OUTSIDE SECRET' '$X'"
check "collection.log counts the entries" \
    grep -q 'persistence: [0-9]* entries' "$X/collection.log"
check "every record has the documented fields" \
    jq -e -s 'length > 0 and all(.[]; has("source") and has("kind") and has("command") and has("program") and has("target") and has("exists") and has("sha256") and has("archived"))' "$P" >/dev/null

# --- A live run (this host's own crontabs, units, rules), traced --------
L="$T/live"
mkdir -p "$L/x"
if [ -n "$NEXECVE" ]; then
	timeout 120 env "$NOLEAK_ENV" strace -f -qq -e trace=execve -o "$L/trace" "$CC_BIN" run \
	    --output "$L" --no-yara --quiet --profile LinuxCronFiles \
	    >"$L/stdout" 2>"$L/stderr"
	check "live run exits 0" test $? -eq 0
	n=$(grep -c 'execve(' "$L/trace")
	check "live run under strace: no program run (1 execve: itself; saw $n)" \
	    test "$n" -eq 1
	zstd -dc "$L"/*.tar.zst | tar -x -C "$L/x"
	check "live run: the persist collector logged its counts" \
	    grep -q '"collector":"persist".*persistence: [0-9]* entries' "$L/x/collection.log"
	if [ -s "$L/x/live/persistence.jsonl" ]; then
		check "live run: every archived target is in the manifest with its sha256" \
		    jq -e -n --slurpfile m "$L/x/manifest.json" --slurpfile p "$L/x/live/persistence.jsonl" \
		    '($m[0].entries | map({(.path): .sha256}) | add) as $h |
		    all($p[] | select(.archived); $h["files" + .target] == .sha256)' >/dev/null
	else
		skip "live run: this host has no persistence entry to check"
	fi
else
	skip "ptrace not allowed: no traced live run"
fi
