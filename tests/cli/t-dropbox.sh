#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# A write-only drop box (packaging/README.md, "A write-only drop box"): a
# real OpenSSH sshd whose account runs `internal-sftp -P DENIED` (and then
# the `-p ALLOWED` form). The kit's key uploads, plain and --stream, and
# resumes after the session is killed, without ever needing a denied
# request; with the SAME key, stock sftp cannot list, read, delete or
# rename over what was uploaded. What such a box cannot prevent (the key
# can overwrite a finished file it can name) is shown too, and the
# documented remedy (the server takes finished files away from the
# account) is checked.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sshd.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "FAIL $TNAME: the drop box tests need root (useradd, sshd chroot)"; exit 1
fi
# The list of packaging/README.md: everything that lists, reads, deletes,
# changes attributes or links; open, close, write, stat, lstat, fstat,
# rename, realpath, limits and fsync remain.
DENY=opendir,readdir,read,remove,rmdir,mkdir,setstat,fsetstat,lsetstat,symlink,hardlink,readlink,posix-rename,copy-data,statvfs,fstatvfs,home-directory,users-groups-by-id,expand-path
ALLOW=open,close,write,stat,lstat,fstat,rename,realpath,limits,fsync
check "the deny list names only requests this OpenSSH knows" sh -c \
	"/usr/lib/openssh/sftp-server -Q requests >'$T/known' && for r in \$(echo $DENY,$ALLOW | tr , ' '); do grep -qx \"\$r\" '$T/known' || exit 1; done"
SSHD_SFTP_OPTS="-u 077 -P $DENY"
sshd_start || { nok "sshd started"; exit 1; }
check "the account's ForceCommand carries the deny list" \
	grep -q "ForceCommand internal-sftp -u 077 -P $DENY" "$SSHD_DIR/config"

FIX=$T/fixture
make_fixture "$FIX"
UP=(--upload "$SSHD_URL" --identity "$SSHD_KEY" --host-key "$SSHD_FP")
BOX=$SSHD_DROP/upload
# The directory as documented: the account may enter and create, not read.
chmod 0300 "$BOX"
# sf CMD...: stock sftp in batch mode with the kit's own key; stderr in $T/sf.err.
sf() {
	printf '%s\n' "$@" >"$T/batch"
	sftp -b "$T/batch" -i "$SSHD_KEY" -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o BatchMode=yes -P "$SSHD_PORT" \
		"$SSHD_USER@127.0.0.1" >"$T/sf.out" 2>"$T/sf.err"
}
# next_second: wait for the clock's next second, so that two runs on the
# same host cannot get the same archive name (host and time).
next_second() { t0=$(date +%s); while [ "$(date +%s)" = "$t0" ]; do sleep 0.1; done; }
sf_err_has() { grep -qF -- "$1" "$T/sf.err"; }
# state FILE: size, mtime, owner and sha256 of a regular file, or "missing".
state() { if [ -f "$1" ]; then stat -c '%s %Y %U' "$1"; sha256sum <"$1"; else echo missing; fi; }

# The kit's uploads: plain, then streamed.
mkdir "$T/o1"
check_rc "run --upload to the write-only box: exit 0" 0 "$CC_BIN" run -q --root "$FIX" -o "$T/o1" "${UP[@]}"
N1=$(basename "$(archive_in "$T/o1")")
check "…the archive, .minisig and .pub arrived under their final names" \
	test -s "$BOX/$N1" -a -s "$BOX/$N1.minisig" -a -s "$BOX/$N1.pub"
check_rc "…and the archive verifies on the server side" 0 "$CC_BIN" verify "$BOX/$N1"
check "…mode 0600" test "$(stat -c %a "$BOX/$N1")" = 600
next_second
mkdir "$T/o2"
check_rc "run --stream to the write-only box: exit 0" 0 "$CC_BIN" run -q --root "$FIX" -o "$T/o2" --stream "${UP[@]}"
N2=$(cd "$BOX" && ls *.tar.zst | grep -vx "$N1" | head -1)
check_rc "…the streamed archive verifies" 0 "$CC_BIN" verify "$BOX/${N2:-none}"

# resumed KIND ARGS...: a large, slowed-down run whose session is killed
# once the .part holds 8 MB; the run must still exit 0.
head -c 48000000 /dev/urandom >"$FIX/var/log/syslog"
resumed() {
	kind=$1; shift
	next_second
	"$CC_BIN" run -v --root "$FIX" "$@" "${UP[@]}" --bwlimit 12M >"$T/$kind.out" 2>"$T/$kind.err" &
	pid=$!
	for _ in $(seq 150); do
		p=$(ls -S "$BOX/"*.part 2>/dev/null | head -1)
		[ -n "$p" ] && [ "$(stat -c %s "$p")" -gt 8000000 ] && break
		sleep 0.1
	done
	sshd_kill_sessions
	wait $pid
}
mkdir "$T/o3"
resumed plain -o "$T/o3"
check "a session killed mid-upload: the run still exits 0" test $? -eq 0
check "…the agent resumed from the server's size" grep -q "resuming .* at [1-9][0-9]* bytes" "$T/plain.err"
N3=$(basename "$(archive_in "$T/o3")")
check "…the server's copy is byte-identical" cmp -s "$BOX/$N3" "$T/o3/$N3"
check_rc "…and verifies" 0 "$CC_BIN" verify "$BOX/$N3"
resumed stream --stream
check "a session killed mid-stream: the run still exits 0" test $? -eq 0
check "…the stream was resumed" grep -q "stream resumed at [1-9]" "$T/stream.err"
N4=$(cd "$BOX" && ls *.tar.zst | grep -vxF -e "$N1" -e "$N2" -e "$N3" | head -1)
check_rc "…and the streamed archive verifies" 0 "$CC_BIN" verify "$BOX/${N4:-none}"
check "no .part left behind" test -z "$(ls "$BOX" | grep '\.part$')"

# The same key with stock sftp: no list, no read, no delete.
s1=$(state "$BOX/$N1")
check "stock sftp logs in with the kit's key (stat works)" sf "ls -l upload/$N1"
sf "ls upload"; rc=$?
check "…but cannot list the drop box" test $rc -ne 0
check "…refused by the server (opendir denied)" sf_err_has 'remote readdir("/upload/"): Permission denied'
sf "ls /"; rc=$?
check "…nor the chroot's top" test $rc -ne 0
rm -f "$T/stolen"
sf "get upload/$N1 $T/stolen"; rc=$?
check "…cannot get an uploaded archive" test $rc -ne 0
check "…refused by the server (read denied)" sf_err_has "read remote \"/upload/$N1\" : Permission denied"
check "…and not one byte of it came back" test ! -s "$T/stolen"
sf "rm upload/$N1"; rc=$?
check "…cannot rm an uploaded archive" test $rc -ne 0
check "…refused by the server (remove denied)" sf_err_has "remote delete /upload/$N1: Permission denied"
sf "rename upload/$N1.pub upload/$N1"; rc=$?
check "…cannot rename another file over it" test $rc -ne 0
sf "rename -l upload/$N1.pub upload/$N1"; rc=$?
check "…nor with the plain (legacy) rename the agent uses" test $rc -ne 0
check "…the archive is still there and unchanged" test "$(state "$BOX/$N1")" = "$s1"
check "…and so is the file it tried to rename" test -s "$BOX/$N1.pub"
check_rc "…and it still verifies" 0 "$CC_BIN" verify "$BOX/$N1"

# What the box cannot prevent: open for writing is what uploading is, so
# a key that can name a finished file can overwrite it (stat tells it
# which names exist). The remedy in packaging/README.md: the server takes
# finished files away from the account. Both are checked, so the
# documentation is told when either changes.
printf 'junk\n' >"$T/junk"
cp "$BOX/$N3" "$T/n3.saved"
sf "put $T/junk upload/$N3"; rc=$?
check "LIMIT (documented): the key can overwrite a finished file it names" \
	sh -c "[ $rc -eq 0 ] && ! cmp -s '$BOX/$N3' '$T/n3.saved'"
N2=${N2:-none}
[ -f "$BOX/$N2" ] && chown root:root "$BOX/$N2" && chmod 0644 "$BOX/$N2"
s2=$(state "$BOX/$N2")
sf "put $T/junk upload/$N2"; rc=$?
check "once the server hands a finished file to root, the key cannot overwrite it" test $rc -ne 0
check "…and it is unchanged" test "$(state "$BOX/$N2")" = "$s2" -a "$s2" != missing
mkdir "$T/safe"; mv "$BOX/$N2" "$BOX/$N2.minisig" "$BOX/$N2.pub" "$T/safe/" 2>/dev/null
check_rc "…or moves it out of the chroot, where it still verifies" 0 "$CC_BIN" verify "$T/safe/$N2"

# The allow-list form, `internal-sftp -p ALLOWED`, behaves the same.
sshd_stop
sed -i "s/ForceCommand internal-sftp .*/ForceCommand internal-sftp -u 077 -p $ALLOW/" "$SSHD_DIR/config"
sshd_restart || nok "sshd restarted"
rm -f "$BOX"/*
mkdir "$T/o5"
next_second
check_rc "with -p $ALLOW: run --upload exits 0" 0 "$CC_BIN" run -q --root "$FIX" -o "$T/o5" "${UP[@]}"
N5=$(basename "$(archive_in "$T/o5")")
check_rc "…and the archive verifies" 0 "$CC_BIN" verify "$BOX/$N5"
next_second
check_rc "…run --stream exits 0 too" 0 "$CC_BIN" run -q --root "$FIX" --stream "${UP[@]}"
s5=$(state "$BOX/$N5")
sf "ls upload"; rc=$?
check "…stock sftp cannot list" sh -c "[ $rc -ne 0 ] && grep -qF 'Permission denied' '$T/sf.err'"
sf "get upload/$N5 $T/stolen5"; rc=$?
check "…cannot get" sh -c "[ $rc -ne 0 ] && [ ! -s '$T/stolen5' ]"
sf "rm upload/$N5"; rc=$?
check "…cannot rm" test $rc -ne 0
check "…and the archive is still there and unchanged" test "$(state "$BOX/$N5")" = "$s5"
