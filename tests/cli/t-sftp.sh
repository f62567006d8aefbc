#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# Hostile and failing drop boxes, against a real OpenSSH sshd on
# 127.0.0.1: a .part already on the server is resumed only when proven
# ours (its bytes read back; on a write-only box, the token its name
# carries), otherwise the upload starts over and the foreign file is
# left alone; SFTP refusals are reported in words with file and host; a
# server that stops answering (its session process stopped) is given up
# after [upload] timeout, and the upload resumes on a new connection or
# fails with exit 3.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sshd.sh"

sshd_setup
UP=(--upload "$SSHD_URL" --identity "$SSHD_KEY" --host-key "$SSHD_FP")
BOX=$SSHD_DROP/upload
clean_box() { rm -f "$BOX"/* "$BOX"/.[!.]* 2>/dev/null; }
printf '[upload]\nretries = 0\n' >"$T/noretry.ini"
sum() { sha256sum <"$1" | cut -d' ' -f1; }
# own FILE: a file on the box as the account's (as an upload leaves it).
own() { chown "$SSHD_USER" "$1"; chmod 600 "$1"; }
# same_as_local N A: the file N on the box is the local archive A, and
# stock minisign and the agent's verify accept it.
same_as_local() {
	check "…the file on the box has the local archive's sha256" test "$(sum "$BOX/$1")" = "$(sum "$2")"
	check "…stock minisign verifies it" minisign -Vq -m "$BOX/$1" -p "$2.pub"
	check_rc "…and the agent's verify accepts it" 0 "$CC_BIN" verify "$BOX/$1" -p "$2.pub"
}

# An archive made without a drop box, sent afterwards (incompressible
# data, so the archive is ~12 MB).
FIX=$T/fixture
make_fixture "$FIX"
head -c 12000000 /dev/urandom >"$FIX/var/log/syslog"
mkdir "$T/a"
check_rc "an archive made locally: exit 0" 0 "$CC_BIN" run -q --no-yara --root "$FIX" -o "$T/a"
A=$(archive_in "$T/a"); N=$(basename "$A")
SZ=$(stat -c %s "$A")
check "…of more than 8 MB" test "$SZ" -gt 8000000

# 1. A foreign NAME.part, the same size as a partial upload, other bytes.
head -c 3000000 /dev/urandom >"$BOX/$N.part"; own "$BOX/$N.part"
check "the foreign .part differs from the archive's first 3 MB" sh -c "! cmp -s -n 3000000 '$A' '$BOX/$N.part'"
f0=$(sum "$BOX/$N.part")
check_rc "send with a foreign NAME.part on the box: exit 0" 0 "$CC_BIN" send -v "$A" "${UP[@]}"
cp "$T/.err" "$T/foreign.err"
check "…it is not resumed" sh -c "! grep -q 'resuming' '$T/foreign.err'"
check "…the log says why: its bytes differ, started over" \
	grep -q "$N.part on 127.0.0.1 is not resumed: its bytes differ" "$T/foreign.err"
same_as_local "$N" "$A"
check "…the foreign .part is left alone, unchanged" test "$(sum "$BOX/$N.part")" = "$f0"
check "…and no upload state is left beside the archive" test ! -e "$A.upload"
clean_box

# 2. A genuine partial NAME.part (an earlier attempt's first 3 MB).
head -c 3000000 "$A" >"$BOX/$N.part"; own "$BOX/$N.part"
check_rc "send with a genuine partial NAME.part: exit 0" 0 "$CC_BIN" send -v "$A" "${UP[@]}"
grep -q "resuming .*$N.part at 3000000 bytes (its bytes read back match" "$T/.err" &&
	ok "…resumed at 3000000 bytes, its bytes read back matching" || nok "genuine .part not resumed"
same_as_local "$N" "$A"
clean_box

# interrupted KIND: send A slowly and kill the session once the .part
# holds 3 MB; no retry, so the send fails (exit 3) and leaves its
# upload state beside the archive and its token .part on the box.
interrupted() {
	"$CC_BIN" send -v -c "$T/noretry.ini" "$A" "${UP[@]}" --bwlimit 4M \
		>"$T/$1.out" 2>"$T/$1.err" &
	pid=$!
	for _ in $(seq 200); do
		p=$(ls "$BOX/"*.tar.zst.*.part 2>/dev/null | head -1)
		[ -n "$p" ] && [ "$(stat -c %s "$p")" -gt 3000000 ] && break
		sleep 0.05
	done
	sshd_kill_sessions
	wait $pid
}

# 3. An interrupted send leaves NAME.TOKEN.part; the next send resumes it.
interrupted int1; rc=$?
check "an interrupted send: exit 3" test $rc -eq 3
TOK=$(sed -n 's/^token //p' "$A.upload" 2>/dev/null)
check "…its upload state is beside the archive, mode 0600, with a token" \
	sh -c "test '$(stat -c %a "$A.upload" 2>/dev/null)' = 600 && test ${#TOK} -eq 32"
P=$BOX/$N.$TOK.part
check "…the .part on the box carries that token" test -s "$P"
have=$(stat -c %s "$P" 2>/dev/null || echo 0)
check_rc "send again: exit 0" 0 "$CC_BIN" send -v "$A" "${UP[@]}"
grep -q "resuming .*$N.$TOK.part at $have bytes (its bytes read back match" "$T/.err" &&
	ok "…resumed at the $have bytes the box had" || nok "interrupted upload not resumed"
same_as_local "$N" "$A"
check "…the upload state is removed" test ! -e "$A.upload"
check "…no .part remains" test -z "$(ls "$BOX" | grep '\.part$')"
clean_box

# 4. The same, but the box's copy was altered since: started over.
interrupted int2
TOK=$(sed -n 's/^token //p' "$A.upload" 2>/dev/null)
P=$BOX/$N.$TOK.part
if [ -s "$P" ]; then flip_byte "$P" 1000; else nok "no token .part to alter"; fi
check "…the altered .part differs from the archive's prefix" sh -c \
	"! cmp -s -n $(stat -c %s "$P" 2>/dev/null || echo 1) '$A' '$P'"
check_rc "send after the box's .part was altered: exit 0" 0 "$CC_BIN" send -v "$A" "${UP[@]}"
grep -q "$N.$TOK.part on 127.0.0.1: its bytes differ from the file's.*started over" "$T/.err" &&
	ok "…not resumed: started over, the log says why" || nok "altered .part resumed or not explained"
check "…nothing resumed" sh -c "! grep -q resuming '$T/.err'"
same_as_local "$N" "$A"
clean_box

# 5. SFTP refusals in words, naming the file and the host.
chown root "$BOX"
check_rc "a drop box directory the account cannot write: exit 3" 3 "$CC_BIN" send -c "$T/noretry.ini" "$A" "${UP[@]}"
last_err_has "$N" && last_err_has "127.0.0.1" && last_err_has "permission denied (SFTP status 3)" &&
	ok "…the message names the file, the host, and 'permission denied'" || nok "refusal not in words"
last_err_has "refused to let this kit write (permission denied): call the CSIRT" &&
	ok "…and the advice says so" || nok "no advice for a refusal"
rm -f "$A.upload"
check_rc "the same in French: exit 3" 3 env LANG=fr_FR.UTF-8 "$CC_BIN" send -c "$T/noretry.ini" "$A" "${UP[@]}"
last_err_has "refuse que ce kit écrive" && ok "…the advice is in French" || nok "no French advice for a refusal"
chown "$SSHD_USER" "$BOX"
rm -f "$A.upload"
check_rc "a drop box directory that does not exist: exit 3" 3 "$CC_BIN" send -c "$T/noretry.ini" "$A" \
	--upload "${SSHD_URL}/nowhere" --identity "$SSHD_KEY" --host-key "$SSHD_FP"
last_err_has "/upload/nowhere/$N" && last_err_has "no such file (SFTP status 2)" &&
	ok "…the message names the file and says 'no such file'" || nok "missing directory not in words"
rm -f "$A.upload"
mkdir -p "$SSHD_DROP/small"
if mount -t tmpfs -o size=2m tmpfs "$SSHD_DROP/small"; then
	at_exit "umount '$SSHD_DROP/small' 2>/dev/null"
	chown "$SSHD_USER" "$SSHD_DROP/small"
	check_rc "a full drop box: exit 3" 3 "$CC_BIN" send -c "$T/noretry.ini" "$A" \
		--upload "${SSHD_URL%/upload}/small" --identity "$SSHD_KEY" --host-key "$SSHD_FP"
	last_err_has "/small/$N" && last_err_has "failure (the server gives no reason: OpenSSH says so for a full disk" &&
		ok "…the message names the file and the status OpenSSH gives" || nok "full box not in words"
	umount "$SSHD_DROP/small"
else
	nok "mount a 2 MiB tmpfs in the chroot"
fi
rm -f "$A.upload"

# 6. Configuration of the time-out: bad values are refused by name.
for v in 0 4 3601 abc; do
	printf '[upload]\ntimeout = %s\n' "$v" >"$T/bad.ini"
	check_rc "[upload] timeout = $v: exit 2" 2 "$CC_BIN" send -c "$T/bad.ini" "$A" "${UP[@]}"
	last_err_has "timeout" && last_err_has "$T/bad.ini" && ok "…the message names the file and key" ||
		nok "bad timeout not named"
done

# 7. A server that stops answering: its session process is stopped
# (SIGSTOP) mid-upload. With [upload] timeout = 5 the agent gives up on
# it in seconds, reconnects (a new session) and resumes; with no retry it
# fails with exit 3 and says why. `timeout 120` turns a hang into a FAIL.
# stalled KIND INI: send slowly, stop the session once the .part holds 3 MB.
stalled() {
	rm -f "$A.upload"; clean_box
	timeout 120 "$CC_BIN" send -v -c "$2" "$A" "${UP[@]}" --bwlimit 4M >"$T/$1.out" 2>"$T/$1.err" &
	pid=$!
	for _ in $(seq 200); do
		p=$(ls "$BOX/"*.part 2>/dev/null | head -1)
		[ -n "$p" ] && [ "$(stat -c %s "$p")" -gt 3000000 ] && break
		sleep 0.05
	done
	# The account's own session process (privilege separation: the
	# one that speaks SFTP on the connection).
	kill -STOP $(pgrep -u "$SSHD_USER" -f '^sshd: ') 2>/dev/null
	wait $pid; rc=$?
	sshd_kill_sessions
	return $rc
}
printf '[upload]\ntimeout = 5\n' >"$T/stall.ini"
t0=$SECONDS
stalled stall1 "$T/stall.ini"; rc=$?
check "a stalled server, retries left: the send ends with exit 0 in $((SECONDS - t0)) s (not killed by timeout 120)" test $rc -eq 0
check "…the stall was detected and said" grep -q "no answer for 5 s: the connection stalled; reconnecting" "$T/stall1.err"
check "…and the upload resumed on a new connection" grep -q "resuming .* at [1-9][0-9]* bytes" "$T/stall1.err"
same_as_local "$N" "$A"
printf '[upload]\ntimeout = 5\nretries = 0\n' >"$T/stall0.ini"
t0=$SECONDS
stalled stall0 "$T/stall0.ini"; rc=$?
check "a stalled server, no retry: exit 3 in $((SECONDS - t0)) s (not killed by timeout 120)" test $rc -eq 3
check "…the message names the file, the host and the stall" \
	grep -q "upload of .*$N\..*\.part to 127.0.0.1 broken: no answer for 5 s: the connection stalled" "$T/stall0.err"
check "…the advice says the drop box stopped answering" \
	grep -q "stopped answering for 5 seconds (a stalled network or server)" "$T/stall0.err"
check "…the archive is kept and the send command given" grep -q "send $A" "$T/stall0.err"
rm -f "$A.upload"; clean_box
# The same while streaming: the window covers the resume.
t0=$SECONDS
timeout 120 "$CC_BIN" run -v --no-yara -c "$T/stall.ini" --root "$FIX" --stream "${UP[@]}" --bwlimit 4M \
	>"$T/stall3.out" 2>"$T/stall3.err" &
pid=$!
for _ in $(seq 300); do
	p=$(ls "$BOX/"*.part 2>/dev/null | head -1)
	[ -n "$p" ] && [ "$(stat -c %s "$p")" -gt 3000000 ] && break
	sleep 0.05
done
kill -STOP $(pgrep -u "$SSHD_USER" -f '^sshd: ') 2>/dev/null
wait $pid; rc=$?
sshd_kill_sessions
check "--stream to a stalled server: exit 0 in $((SECONDS - t0)) s (not killed by timeout 120)" test $rc -eq 0
check "…the stream was resumed on a new connection" grep -q "stream resumed at [1-9]" "$T/stall3.err"
S=$(archive_in "$BOX")
check_rc "…and the streamed archive verifies" 0 "$CC_BIN" verify "${S:-none}"
clean_box

# 8. A write-only drop box (t-dropbox.sh): nothing can be read back, so
# only the token proves a .part ours.
DENY=opendir,readdir,read,remove,rmdir,mkdir,setstat,fsetstat,lsetstat,symlink,hardlink,readlink,posix-rename,copy-data,statvfs,fstatvfs,home-directory,users-groups-by-id,expand-path
sshd_stop
sed -i "s/ForceCommand internal-sftp.*/ForceCommand internal-sftp -u 077 -P $DENY/" "$SSHD_DIR/config"
sshd_restart || nok "sshd restarted as a write-only box"
chmod 0300 "$BOX"; clean_box; rm -f "$A.upload"
interrupted wo1; rc=$?
check "write-only box: an interrupted send, exit 3" test $rc -eq 3
TOK=$(sed -n 's/^token //p' "$A.upload" 2>/dev/null)
P=$BOX/$N.$TOK.part
have=$(stat -c %s "$P" 2>/dev/null || echo 0)
check "…its token .part is on the box" test "$have" -gt 0
check_rc "…send again: exit 0" 0 "$CC_BIN" send -v "$A" "${UP[@]}"
grep -q "resuming .*$N.$TOK.part at $have bytes (its name carries this archive's token" "$T/.err" &&
	ok "…resumed at $have bytes on the token's proof" || nok "write-only box: genuine .part not resumed"
same_as_local "$N" "$A"
clean_box
head -c 3000000 /dev/urandom >"$BOX/$N.part"; own "$BOX/$N.part"
f0=$(sum "$BOX/$N.part")
check_rc "write-only box, a foreign NAME.part: exit 0" 0 "$CC_BIN" send -v "$A" "${UP[@]}"
check "…it is not resumed" sh -c "! grep -q resuming '$T/.err'"
last_err_has "$N.part on 127.0.0.1 is not resumed: the drop box does not let it be read back" &&
	last_err_has "nothing else proves it is this archive's" &&
	ok "…the log says nothing proves it ours" || nok "write-only foreign .part: no reason given"
same_as_local "$N" "$A"
check "…the foreign .part is left alone, unchanged" test "$(sum "$BOX/$N.part")" = "$f0"
clean_box
