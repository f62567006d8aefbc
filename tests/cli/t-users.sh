# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# Users, histories and SSH keys on a fixture root built here: a home not
# in passwd (/home/bob), an SSSD-style home named only by an SSSD cache
# (/home/EXAMPLE/carol), rotated and renamed histories, a HISTFILE set in
# a .bashrc, private keys made by ssh-keygen (unencrypted and encrypted
# ed25519, a PEM RSA key under another name, a host key), a symlinked
# home and a FIFO in .ssh. Checks that homes outside passwd are marked
# and collected like the others, that live/ssh_keys.jsonl describes each
# key, and that no private key byte is anywhere in the archive (triage
# and full, where hidden files of homes are taken). Then a live run under
# strace: a HISTFILE from a process's environment is collected, and no
# program is run.
. "$(dirname "$0")/lib.sh"

for c in ssh-keygen jq zstd python3; do
	if ! command -v $c >/dev/null; then
		skip "$c missing (make deps)"
		exit 0
	fi
done

R="$T/root"
mkdir -p "$R"
mk /etc/passwd "root:x:0:0:root:/root:/bin/bash
alice:x:1000:1000:Alice:/home/alice:/bin/bash"
mk /etc/group "root:x:0:"
mk /etc/shadow 'alice:$6$SHADOWMARK$x:19000:0:99999:7:::'
mk /root/.bash_history "id"
mk /home/alice/.bash_history "sudo -i"
mk /home/alice/.bash_history-20240101 "ROTATED-ALICE"
mk /home/alice/.python_history "import os"
mk /home/alice/.local/share/recently-used.xbel "<xbel/>"
mk /home/bob/.bash_history.1 "ROTATED-BOB"
mk /home/bob/.zsh_history ": 1700000000:0;wget evil"
mk /home/bob/.bashrc 'export HISTFILE=~/.cache/.h
HISTFILE=/tmp/../etc/shadow'
mk /home/bob/.cache/.h "HISTFILE-BOB"
mk /home/EXAMPLE/carol/.bash_history "CAROL-SSSD"
mkdir -p "$R/home/bob/.ssh" "$R/home/EXAMPLE/carol/.ssh" \
    "$R/home/alice/.ssh" "$R/etc/ssh" "$R/var/lib/sss/db"
ln -s /etc "$R/home/linkhome"
mkfifo "$R/home/bob/.ssh/fifo"
ssh-keygen -q -t ed25519 -N '' -C bob@fixture -f "$R/home/bob/.ssh/id_ed25519"
ssh-keygen -q -t ed25519 -N 'passphrase' -C carol-secret-comment \
    -f "$R/home/EXAMPLE/carol/.ssh/id_work"
ssh-keygen -q -t rsa -b 2048 -m PEM -N '' -C alice-pem \
    -f "$R/home/alice/.ssh/backup.txt"
ssh-keygen -q -t ed25519 -N '' -C host -f "$R/etc/ssh/ssh_host_ed25519_key"
# An SSSD cache record (LDB packing: name, NUL, count, length, value, NUL).
python3 - "$R/var/lib/sss/db/cache_EXAMPLE.ldb" <<'EOF'
import struct, sys
h = b"/home/EXAMPLE/carol"
rec = (b"TDB file\n" + b"\0" * 40 + b"name=carol@example,cn=users\0" +
    b"homeDirectory\0" + struct.pack("<II", 1, len(h)) + h + b"\0")
open(sys.argv[1], "wb").write(rec)
EOF
# no_key_bytes X: no armour and no base64 line of any key body in X.
no_key_bytes() {
	! grep -rqa "PRIVATE KEY" "$1" || return 1
	for k in home/bob/.ssh/id_ed25519 home/EXAMPLE/carol/.ssh/id_work \
	    home/alice/.ssh/backup.txt etc/ssh/ssh_host_ed25519_key; do
		# Two lines of the body: the second and the last before END.
		for frag in "$(sed -n 2p "$R/$k")" \
		    "$(grep -v -- '-----' "$R/$k" | tail -n 1)"; do
			[ ${#frag} -ge 20 ] || return 1
			! grep -rqaF -- "$frag" "$1" || return 1
		done
	done
}

check "triage run exits 0" run_root "$T/o1"
X="$T/o1/x"
U="$X/live/users.jsonl"
K="$X/live/ssh_keys.jsonl"
home() {	# home PATH IN_PASSWD ORIGIN
	jqe -s --arg h "$1" --argjson in "$2" --arg o "$3" \
	    'any(.[]; .type == "home" and .home == $h and .in_passwd == $in
	    and .origin == $o)' "$U"
}
check "users: alice's home in passwd" home /home/alice true passwd
check "users: /home/bob marked not in passwd" home /home/bob false home_dir
check "users: the SSSD cache's home marked not in passwd" \
    home /home/EXAMPLE/carol false sssd
check "users: a symlink in /home is no home" sh -c \
    "! grep -q '/home/linkhome' '$U'"
have() { [ -f "$X/files$1" ]; }
for p in /home/alice/.bash_history-20240101 /home/alice/.python_history \
    /home/alice/.local/share/recently-used.xbel /home/bob/.bash_history.1 \
    /home/bob/.zsh_history /home/EXAMPLE/carol/.bash_history \
    /home/bob/.ssh/id_ed25519.pub /home/EXAMPLE/carol/.ssh/id_work.pub \
    /home/alice/.ssh/backup.txt.pub /etc/ssh/ssh_host_ed25519_key.pub; do
	check "collected $p" have "$p"
done
check "a .bashrc's HISTFILE (~/) collected" \
    cmp -s "$X/files/home/bob/.cache/.h" "$R/home/bob/.cache/.h"
check "a HISTFILE with .. is not followed" sh -c \
    "! [ -e '$X/files/etc/shadow' ] && ! grep -q SHADOWMARK -r '$X/files'"
check "triage takes /etc but not shadow" sh -c \
    "[ -f '$X/files/etc/group' ] && ! [ -e '$X/files/etc/shadow' ]"
check "the FIFO in .ssh is never opened" sh -c \
    "! [ -e '$X/files/home/bob/.ssh/fifo' ]"
check "triage: no private key byte in the archive" no_key_bytes "$X"
check "triage: the host key left out is logged" \
    grep -q 'ssh_host_ed25519_key: a private key: not archived' \
    "$X/collection.log"

key() {	# key PATH JQ-CONDITION
	jqe -s --arg p "$1" "any(.[]; .path == \$p and ($2))" "$K"
}
fp() { ssh-keygen -lf "$R$1.pub" | cut -d' ' -f2; }
check "ssh_keys: bob's unencrypted ed25519 with comment and fingerprint" \
    key /home/bob/.ssh/id_ed25519 '.type == "ed25519" and .encrypted ==
    false and .comment == "bob@fixture" and .bits == 256 and .fingerprint
    == "'"$(fp /home/bob/.ssh/id_ed25519)"'" and .owner != null'
check "ssh_keys: carol's encrypted key (SSSD home), no comment" \
    key /home/EXAMPLE/carol/.ssh/id_work '.type == "ed25519" and
    .encrypted == true and (has("comment") | not) and .fingerprint == "'"$(
    fp /home/EXAMPLE/carol/.ssh/id_work)"'"'
check "ssh_keys: a renamed PEM RSA key found by content" \
    key /home/alice/.ssh/backup.txt '.type == "rsa" and .format == "pem"
    and .encrypted == false and .bits == 2048'
check "ssh_keys: the host key" key /etc/ssh/ssh_host_ed25519_key \
    '.type == "ed25519" and .home == null'
check "ssh_keys: exactly the 4 keys (no .pub, no FIFO)" \
    sh -c "[ \$(wc -l <'$K') -eq 4 ]"
check "an encrypted key's comment (only in its .pub) not in records or log" \
    sh -c "! grep -qa carol-secret-comment '$K' '$X/collection.log'"

# full: hidden files of homes (~/.ssh/*) and shadow are taken.
check "full run exits 0" run_root "$T/o2" --profile full
check "full: shadow collected" test -f "$T/o2/x/files/etc/shadow"
check "full: the other .ssh files collected" \
    test -f "$T/o2/x/files/home/bob/.ssh/id_ed25519.pub"
check "full: no private key byte in the archive" no_key_bytes "$T/o2/x"

# Live: HISTFILE from a process's environment; no program run.
if [ "$(id -u)" -ne 0 ]; then
	skip "live run: needs root"
	exit 0
fi
mkdir -p "$T/live"
echo "LIVE-HISTFILE" >"$T/live/hist"
env HISTFILE="$T/live/hist" sleep 60 &
sleeper=$!
at_exit "kill $sleeper 2>/dev/null"
mkdir -p "$T/o3/x"
if command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null
then
	timeout 120 env "$NOLEAK_ENV" strace -f -qq -e trace=execve -o "$T/trace" "$CC_BIN" run \
	    --output "$T/o3" --no-yara --no-process-dump --quiet \
	    --profile LinuxShellHistories \
	    >"$T/o3/stdout" 2>"$T/o3/stderr"
	rc=$?
	n=$(grep -c 'execve(' "$T/trace")
	check "under strace, the agent ran no program (1 execve: itself; saw $n)" \
	    test "$n" -eq 1
else
	skip "strace cannot run here: execve not traced"
	timeout 120 "$CC_BIN" run --output "$T/o3" --no-yara \
	    --no-process-dump --quiet --profile LinuxShellHistories \
	    >"$T/o3/stdout" 2>"$T/o3/stderr"
	rc=$?
fi
check "live run exits 0 (saw $rc)" test "$rc" -eq 0
tar --zstd -xf "$T/o3"/*.tar.zst -C "$T/o3/x" 2>/dev/null
check "live: a process's HISTFILE collected" \
    cmp -s "$T/o3/x/files$T/live/hist" "$T/live/hist"
check "live: ssh_keys stream written" test -f "$T/o3/x/live/ssh_keys.jsonl"
# Files and key records only: other processes' command lines (in
# processes.jsonl) and memory may hold any text, and so may programs the
# other collectors archive (sshd names the armour it reads): no archived
# file may START with a private key's armour, and no key record hold one.
check "live: no archived file is a private key, no armour in ssh_keys.jsonl" sh -c \
    "! grep -qa 'PRIVATE KEY' '$T/o3/x/live/ssh_keys.jsonl' &&
     ! find '$T/o3/x/files' -type f -exec sh -c 'head -c 64 \"\$1\" | grep -qa \"BEGIN.*PRIVATE KEY\"' sh {} \\; -print | grep -q ."
