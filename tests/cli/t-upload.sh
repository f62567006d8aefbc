#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# SFTP delivery against a real OpenSSH sshd on 127.0.0.1 with a chrooted
# internal-sftp account: pinned host key, .part names, resume after the
# session process is killed, streaming that writes nothing locally.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sshd.sh"

sshd_setup
ok "a test sshd runs on 127.0.0.1:$SSHD_PORT with a chrooted account"

FIX=$T/fixture
make_fixture "$FIX"
UP=(--upload "$SSHD_URL" --identity "$SSHD_KEY" --host-key "$SSHD_FP")
drop() { ls -A "$SSHD_DROP/upload"; }
clean_drop() { rm -f "$SSHD_DROP/upload"/* "$SSHD_DROP/upload"/.[!.]* 2>/dev/null; }

# Upload after collection.
mkdir "$T/o1"
check_rc "run --upload exits 0" 0 "$CC_BIN" run -q --root "$FIX" -o "$T/o1" "${UP[@]}"
N=$(basename "$(archive_in "$T/o1")")
check "the archive is on the server under its final name" test -s "$SSHD_DROP/upload/$N"
check "…with its .minisig and .pub" test -s "$SSHD_DROP/upload/$N.minisig" -a -s "$SSHD_DROP/upload/$N.pub"
check "…no .part remains" test -z "$(drop | grep '\.part$')"
check "stock minisign verifies the file on the server side" \
	minisign -Vq -m "$SSHD_DROP/upload/$N" -p "$SSHD_DROP/upload/$N.pub"
check "the server's copy is byte-identical to the local one" \
	cmp -s "$SSHD_DROP/upload/$N" "$T/o1/$N"
check "the manifest records the upload target and the pin" \
	sh -c "tar --zstd -xOf '$T/o1/$N' manifest.json | jq -e '.upload.host_key_pinned == true' >/dev/null"
clean_drop

# Wrong fingerprint: no credential sent, exit 3 at the check made before
# collecting, so nothing is collected (t-deliver: the advice).
: >"$SSHD_LOG"
mkdir "$T/o2"
check_rc "a wrong host key fingerprint: exit 3" 3 "$CC_BIN" run -q --root "$FIX" -o "$T/o2" \
	--upload "$SSHD_URL" --identity "$SSHD_KEY" --host-key "SHA256:$(printf '%043d' 0)"
last_err_has "not the pinned one" && ok "…the message says the host key is not the pinned one" ||
	nok "host key mismatch not explained"
last_err_has "Nothing was collected" && ok "…and that nothing was collected" ||
	nok "stop before collecting not said"
check "…nothing is written locally" test -z "$(ls -A "$T/o2")"
sleep 0.3
check "…and the server saw no authentication attempt" \
	sh -c "grep -q 'Connection from' '$SSHD_LOG' && ! grep -qi -e publickey -e 'Accepted' -e 'Failed' '$SSHD_LOG'"
check "nothing landed on the server" test -z "$(drop)"

# Several fingerprints (key rotation): one matching is enough.
mkdir "$T/o2b"
check_rc "several pinned fingerprints, one right: exit 0" 0 "$CC_BIN" run -q --root "$FIX" -o "$T/o2b" \
	--upload "$SSHD_URL" --identity "$SSHD_KEY" --host-key "SHA256:$(printf '%043d' 1),$SSHD_FP"
clean_drop

# Wrong key: exit 3 naming user and host.
mkdir "$T/o3"
check_rc "a key the server refuses: exit 3" 3 "$CC_BIN" run -q --root "$FIX" -o "$T/o3" \
	--upload "$SSHD_URL" --identity "$SSHD_DIR/other_key" --host-key "$SSHD_FP"
last_err_has "$SSHD_USER@127.0.0.1" && ok "…the message names the user and host" ||
	nok "user and host not named"

# A passphrase-protected key: from the environment, from the terminal,
# or a clear refusal before anything is collected.
cp "$SSHD_KEY" "$T/enc_key"; ssh-keygen -q -p -P '' -N 'pass phrase' -f "$T/enc_key" >/dev/null
mkdir "$T/o3p"
check_rc "an encrypted key with CSIRT_COLLECT_KEY_PASSPHRASE: exit 0" 0 env \
	CSIRT_COLLECT_KEY_PASSPHRASE='pass phrase' "$CC_BIN" run -q --root "$FIX" -o "$T/o3p" \
	--upload "$SSHD_URL" --identity "$T/enc_key" --host-key "$SSHD_FP"
clean_drop; rm -f "$T/o3p"/*
check_rc "an encrypted key, no passphrase, no terminal: exit 2" 2 "$CC_BIN" run -q --root "$FIX" \
	-o "$T/o3p" --upload "$SSHD_URL" --identity "$T/enc_key" --host-key "$SSHD_FP"
last_err_has "CSIRT_COLLECT_KEY_PASSPHRASE" && ok "…the message says how to give it" || nok "no hint for the passphrase"
check "…and nothing was collected" test -z "$(ls -A "$T/o3p")"
if command -v tmux >/dev/null; then
	tmux -L up$$ new-session -d -x 120 -y 20 "'$CC_BIN' run -q --root '$FIX' -o '$T/o3p' \
		--upload '$SSHD_URL' --identity '$T/enc_key' --host-key '$SSHD_FP'; echo rc=\$? >'$T/tty.rc'; sleep 30"
	at_exit "tmux -L up$$ kill-server 2>/dev/null"
	for _ in $(seq 40); do
		tmux -L up$$ capture-pane -p | grep -q "Passphrase for" && break; sleep 0.25
	done
	check "on a terminal, the passphrase is asked for" sh -c "tmux -L up$$ capture-pane -p | grep -q 'Passphrase for $T/enc_key'"
	tmux -L up$$ send-keys 'pass phrase' Enter
	for _ in $(seq 120); do [ -s "$T/tty.rc" ] && break; sleep 0.25; done
	check "…and the upload then works" grep -q "rc=0" "$T/tty.rc"
	check "…the passphrase was not echoed" sh -c "! tmux -L up$$ capture-pane -p | grep -q 'pass phrase'"
	tmux -L up$$ kill-server 2>/dev/null
	clean_drop
fi

# Password authentication, only when configured.
sshd_set_password 'drop box pw'
printf '[upload]\npassword = drop box pw\n' >"$T/pw.ini"
printf '[upload]\npassword = wrong\n' >"$T/badpw.ini"
mkdir "$T/o3w"
check_rc "password authentication when configured: exit 0" 0 "$CC_BIN" run -q -c "$T/pw.ini" \
	--root "$FIX" -o "$T/o3w" --upload "$SSHD_URL" --host-key "$SSHD_FP"
check "…the archive landed" test -n "$(ls "$SSHD_DROP/upload/"*.tar.zst 2>/dev/null)"
clean_drop
check_rc "a wrong password: exit 3" 3 "$CC_BIN" run -q -c "$T/badpw.ini" \
	--root "$FIX" -o "$T/o3w" --upload "$SSHD_URL" --host-key "$SSHD_FP"
check_rc "no key and no password: exit 2" 2 "$CC_BIN" run -q --root "$FIX" -o "$T/o3w" \
	--upload "$SSHD_URL" --host-key "$SSHD_FP"

# Configuration errors: exit 2, nothing collected.
mkdir "$T/o4"
check_rc "--stream without --upload: exit 2" 2 "$CC_BIN" run -q --root "$FIX" -o "$T/o4" --stream
check_rc "no pinned host key: exit 2" 2 "$CC_BIN" run -q --root "$FIX" -o "$T/o4" \
	--upload "$SSHD_URL" --identity "$SSHD_KEY"
last_err_has "--host-key" && ok "…the message says how to pin it" || nok "no hint for the pin"
check_rc "a malformed URL: exit 2" 2 "$CC_BIN" run -q --root "$FIX" -o "$T/o4" \
	--upload "ftp://x@h/d" --identity "$SSHD_KEY" --host-key "$SSHD_FP"
check_rc "a malformed fingerprint: exit 2" 2 "$CC_BIN" run -q --root "$FIX" -o "$T/o4" \
	--upload "$SSHD_URL" --identity "$SSHD_KEY" --host-key "MD5:aa:bb"
check_rc "a missing identity file: exit 2" 2 "$CC_BIN" run -q --root "$FIX" -o "$T/o4" \
	--upload "$SSHD_URL" --identity "$T/nokey" --host-key "$SSHD_FP"
check "…and nothing was collected" test -z "$(ls -A "$T/o4")"

# --insecure-accept-host-key: accepted, logged, recorded.
mkdir "$T/o5"
check_rc "--insecure-accept-host-key without a pin: exit 0" 0 "$CC_BIN" run --root "$FIX" -o "$T/o5" \
	--upload "$SSHD_URL" --identity "$SSHD_KEY" --insecure-accept-host-key
last_err_has "without a pin" && ok "…and it is logged" || nok "insecure mode not logged"
check "…and recorded in the manifest" sh -c \
	"tar --zstd -xOf '$(archive_in "$T/o5")' manifest.json | jq -e '.upload.insecure_accept_host_key' >/dev/null"
clean_drop

# Resume: a large archive, slowed down; the session process is killed
# in the middle; the agent reconnects and continues from the server's size.
head -c 48000000 /dev/urandom >"$FIX/var/log/syslog"
mkdir "$T/o6"
"$CC_BIN" run -v --root "$FIX" -o "$T/o6" "${UP[@]}" --bwlimit 12M >"$T/o6.out" 2>"$T/o6.err" &
pid=$!
for _ in $(seq 100); do
	p=$(ls "$SSHD_DROP/upload/"*.part 2>/dev/null | head -1)
	[ -n "$p" ] && [ "$(stat -c %s "$p")" -gt 8000000 ] && break
	sleep 0.1
done
sshd_kill_sessions
wait $pid; rc=$?
check "killing the sshd session mid-upload: the run still exits 0" test $rc -eq 0
check "…the agent resumed instead of starting again" grep -q "resuming .* at [1-9][0-9]* bytes" "$T/o6.err"
N=$(basename "$(archive_in "$T/o6")")
check "…the file on the server is byte-identical (sha256)" test \
	"$(sha256sum <"$SSHD_DROP/upload/$N")" = "$(sha256sum <"$T/o6/$N")"
clean_drop

# Streaming: nothing written under the output directory or TMPDIR.
mkdir "$T/o7" "$T/tmp7"
check_rc "--stream exits 0" 0 env TMPDIR="$T/tmp7" "$CC_BIN" run -q --root "$FIX" -o "$T/o7" --stream "${UP[@]}"
check "--stream writes nothing in the output directory" test -z "$(ls -A "$T/o7")"
check "--stream writes nothing in TMPDIR" test -z "$(ls -A "$T/tmp7")"
N=$(basename "$(archive_in "$SSHD_DROP/upload")")
check "the streamed archive is on the server under its final name" test -n "$N"
check "stock minisign verifies the streamed archive" \
	minisign -Vq -m "$SSHD_DROP/upload/$N" -p "$SSHD_DROP/upload/$N.pub"
check_rc "verify accepts the streamed archive" 0 "$CC_BIN" verify "$SSHD_DROP/upload/$N"
clean_drop

# Streaming with encryption: one pass, nothing local, stock age opens it.
age-keygen -o "$T/age.key" 2>/dev/null
mkdir "$T/o7b"
check_rc "--stream --recipient exits 0" 0 "$CC_BIN" run -q --root "$FIX" -o "$T/o7b" --stream "${UP[@]}" \
	--recipient "$(sed -n 's/^# public key: //p' "$T/age.key")"
N=$(basename "$(ls "$SSHD_DROP/upload/"*.tar.zst.age 2>/dev/null | head -1)")
check "the encrypted stream lands as .tar.zst.age and verifies with stock minisign" \
	minisign -Vq -m "$SSHD_DROP/upload/$N" -p "$SSHD_DROP/upload/$N.pub"
check "stock age decrypts it to a valid .tar.zst" \
	sh -c "age -d -i '$T/age.key' '$SSHD_DROP/upload/$N' | zstd -tq"
check "nothing written locally" test -z "$(ls -A "$T/o7b")"
clean_drop

# Streaming resume: the session is killed mid-stream; the window covers it.
"$CC_BIN" run -v --root "$FIX" --stream "${UP[@]}" --bwlimit 12M >"$T/o8.out" 2>"$T/o8.err" &
pid=$!
for _ in $(seq 100); do
	p=$(ls "$SSHD_DROP/upload/"*.part 2>/dev/null | head -1)
	[ -n "$p" ] && [ "$(stat -c %s "$p")" -gt 8000000 ] && break
	sleep 0.1
done
sshd_kill_sessions
wait $pid; rc=$?
check "killing the session mid-stream: exit 0" test $rc -eq 0
check "…the stream was resumed" grep -q "stream resumed at [1-9]" "$T/o8.err"
N=$(basename "$(archive_in "$SSHD_DROP/upload")")
check_rc "…and the archive on the server verifies (signature over every byte)" 0 \
	"$CC_BIN" verify "$SSHD_DROP/upload/$N"
clean_drop

# A window far smaller than the archive and a slow link: the window is
# also the queue between packing and the sending thread, so packing waits
# for the link, and every byte arrives, in order.
printf '[upload]\nstream_window = 1M\n' >"$T/win.ini"
check_rc "--stream through a 1 MiB window at --bwlimit 20M: exit 0" 0 \
	"$CC_BIN" run -q -c "$T/win.ini" --root "$FIX" --stream "${UP[@]}" --bwlimit 20M
N=$(basename "$(archive_in "$SSHD_DROP/upload")")
check "…the archive is larger than the window" \
	test "$(stat -c %s "$SSHD_DROP/upload/$N")" -gt 4194304
check_rc "…and verifies (signature over every byte)" 0 \
	"$CC_BIN" verify "$SSHD_DROP/upload/$N"
clean_drop

# The server stays down: exit 3 after the retries, archive kept.
sshd_stop
printf '[upload]\nretries = 1\n' >"$T/retry.ini"
mkdir "$T/o9"
check_rc "server down: exit 3 after the retries" 3 "$CC_BIN" run -q -c "$T/retry.ini" --root "$FIX" -o "$T/o9" "${UP[@]}"
last_err_has "archive is kept here: $(archive_in "$T/o9")" && ok "…the message says where the archive is" ||
	nok "archive location not given"
check_rc "server down with --stream: exit 3" 3 "$CC_BIN" run -q -c "$T/retry.ini" --root "$FIX" --stream "${UP[@]}"
