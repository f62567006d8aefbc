#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# Onboarding: a pre-configured agent (bundle) run with no argument
# against a real sshd; a damaged payload; config show hides secrets; the
# progress screen under tmux; French messages; --dry-run reads nothing;
# the root check.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sshd.sh"

sshd_setup
FIX=$T/fixture
make_fixture "$FIX"
# The CSIRT's rules key: never the kit's signing key (bundle makes that).
minisign -G -W -p "$T/csirt.pub" -s "$T/csirt.key" >/dev/null 2>&1

cat >"$T/provider.ini" <<EOI
[case]
id = CERT-2026-0042
[upload]
url = $SSHD_URL
identity_file = $SSHD_KEY
host_key_fingerprint = $SSHD_FP
[scan]
process_memory = no
[rules]
pubkey = $T/csirt.pub
state_dir = $T/state
[limits]
max_file_size = 1M
time_limit = 120
EOI
# This build's agent (t-kit tests the static one): current under ASan too.
check_rc "bundle writes a pre-configured agent" 0 "$CC_BIN" bundle --config "$T/provider.ini" -o "$T/agent" \
	--agent "$CC_BIN" --allow-dynamic
check "the bundle is executable" test -x "$T/agent"
check "the bundle says it is pre-configured" sh -c "'$T/agent' --version | grep -q pre-configured"
# The bundle needs nothing beside it: move the files it was made from.
mkdir "$T/gone"; mv "$T/csirt.key" "$T/csirt.pub" "$T/agent.pub" "$SSHD_KEY" "$T/provider.ini" "$T/gone/"
mkdir "$T/run"
(cd "$T/run" && "$T/agent" >"$T/noarg.out" 2>"$T/noarg.err"); rc=$?
check "run with no argument: exit 0" test $rc -eq 0
N=$(basename "$(ls "$SSHD_DROP/upload/"*.tar.zst 2>/dev/null | head -1)")
case "$N" in CERT-2026-0042_*) ok "the uploaded archive's name holds the embedded case id" ;;
*) nok "uploaded name: '$N'"; sed 's/^/    /' "$T/noarg.err" | tail -5 ;; esac
check "its signature verifies with the kit's public key, written beside it (stock minisign)" \
	minisign -Vq -m "$SSHD_DROP/upload/$N" -p "$T/gone/agent.pub"
check "the final message gives the reference to read to the CSIRT" \
	grep -q "Read this reference to the CSIRT: [0-9a-f]\{4\} [0-9a-f]\{4\}" "$T/noarg.err"
ref=$(sed -n 's/.*CSIRT: \([0-9a-f]\{4\}\) \([0-9a-f]\{4\}\)$/\1\2/p' "$T/noarg.err")
check "…which is the start of the archive's sha256" \
	test "$ref" = "$(sha256sum <"$SSHD_DROP/upload/$N" | cut -c1-8)"
mv "$T/gone/"* "$T/"; mv "$T/client_key" "$SSHD_KEY" 2>/dev/null

# A damaged payload: one byte changed, detected at start.
cp "$T/agent" "$T/bad"
size=$(stat -c %s "$T/bad")
flip_byte "$T/bad" $((size - 200))
check "…the byte really changed" test "$(cmp "$T/agent" "$T/bad" | wc -l)" -eq 1
check_rc "a payload with one byte changed: exit 2" 2 "$T/bad" --version
last_err_has "damaged" && ok "…with a clear message" || nok "damage not reported"
check_rc "…also for run" 2 "$T/bad" run --dry-run

# A damaged trailer (its magic altered, or the kit cut short by a broken
# download) is not a plain agent: it must not run on defaults.
cp "$T/agent" "$T/bad"
flip_byte "$T/bad" $((size - 64))
check "…the trailer's magic really changed" test "$(cmp "$T/agent" "$T/bad" | wc -l)" -eq 1
check_rc "a kit whose trailer magic is altered: exit 2" 2 "$T/bad" --version
last_err_has "kit is damaged" && ok "…named as a damaged kit" || nok "damaged trailer not reported"
check_rc "…also for run" 2 "$T/bad" run --dry-run
for cut in 10 300; do
	head -c $((size - cut)) "$T/agent" >"$T/bad"; chmod +x "$T/bad"
	check_rc "a kit cut $cut bytes short: exit 2" 2 "$T/bad" --version
	grep -q "kit is damaged\|is truncated" "$T/.err" && ok "…named as a damaged or truncated kit" ||
		{ nok "cut kit not reported"; sed 's/^/    /' "$T/.err"; }
done
check_rc "the plain agent (nothing after the program) still runs" 0 "$CC_BIN" --version

# config show: where each key came from, never a secret.
check_rc "config show on the bundle" 0 "$T/agent" config show --case OPT-1
out=$(cat "$T/.out")
echo "$out" | grep -q "case.id = OPT-1.*(option)" && ok "config show says an option overrides" ||
	nok "config show: option source"
echo "$out" | grep -q "upload.url = $SSHD_URL.*(embedded)" && ok "config show says what is embedded" ||
	nok "config show: embedded source"
echo "$out" | grep -qF "rules.pubkey = $(sed -n 2p "$T/csirt.pub")" &&
	ok "the rules public key file was read at bundle time and embedded" || nok "rules pubkey not embedded"
leak=0
for secret in "$(sed -n 2p "$T/csirt.key")" "$(sed -n 2p "$SSHD_KEY")" \
	"$(base64 -w0 "$T/csirt.key")" "$(base64 -w0 "$SSHD_KEY" | cut -c1-40)"; do
	echo "$out" | grep -qF -- "$secret" && leak=1
done
check "config show prints no secret (keys masked)" test $leak -eq 0
echo "$out" | grep -q "upload.identity = \*\*\*\*\*\*\*\*" && ok "…the inline identity shows as masked" ||
	nok "inline identity not shown masked"

# Progress under tmux: the screen shows the bar with bytes mid-run.
if command -v tmux >/dev/null; then
	truncate -s 3G "$FIX/var/log/syslog"
	mkdir "$T/o3"
	# The agent ignores SIGHUP (kill-server): its pid, to stop it.
	printf 'echo $$ >"%s"\nexec "%s" run --root "%s" -o "%s" --max-file-size 4G --no-yara\n' \
		"$T/o3.pid" "$CC_BIN" "$FIX" "$T/o3" >"$T/o3.sh"
	tmux -L cc$$ new-session -d -x 160 -y 30 "sh '$T/o3.sh'; sleep 30"
	at_exit "tmux -L cc$$ kill-server 2>/dev/null; kill -9 \$(cat '$T/o3.pid' 2>/dev/null) 2>/dev/null"
	screen=""
	for _ in $(seq 400); do
		sleep 0.1
		screen=$(tmux -L cc$$ capture-pane -p 2>/dev/null)
		echo "$screen" | grep -q "%  " && break
	done
	echo "$screen" | grep -Eq "^\[[#.]+\] +[0-9]+%  [0-9.]+ [KMG]?i?B / [0-9.]+ [KMG]?i?B" &&
		ok "the progress bar shows the share and the bytes" || {
		nok "no progress bar on the terminal"; echo "$screen" | tail -5 | sed 's/^/    /'; }
	p=$(cat "$T/o3.pid" 2>/dev/null)
	[ -n "$p" ] && kill -9 "$p" 2>/dev/null
	# Its lock on the fixture goes with it: wait until it is gone.
	for _ in $(seq 300); do [ -n "$p" ] && [ -d "/proc/$p" ] || break; sleep 0.1; done
	tmux -L cc$$ kill-server 2>/dev/null
	rm -f "$FIX/var/log/syslog"; echo boot >"$FIX/var/log/syslog"
else
	nok "tmux is missing (make deps installs it)"
fi

# French.
mkdir "$T/o4"
LANG=fr_FR.UTF-8 LANGUAGE= LC_ALL= "$CC_BIN" run -q --root "$FIX" -o "$T/o4" 2>"$T/fr.err"
check "with LANG=fr_FR.UTF-8 the final message is in French" grep -q "^TERMINÉ" "$T/fr.err"
check "…and the reference line too" grep -q "Lisez cette référence au CSIRT" "$T/fr.err"
mkdir "$T/o5"
LANG=de_DE.UTF-8 LANGUAGE= LC_ALL= "$CC_BIN" run -q --root "$FIX" -o "$T/o5" 2>"$T/en.err"
check "another language falls back to English" grep -q "^DONE" "$T/en.err"

# --dry-run: lists the artefacts, reads no content, writes nothing.
rm "$FIX/etc/hosts"; mkfifo "$FIX/etc/hosts"
touch -a -d '2020-01-01 UTC' "$FIX/var/log/auth.log"
a0=$(stat -c %X "$FIX/var/log/auth.log")
mkdir "$T/o6"
check_rc "--dry-run: exit 0 (a FIFO at an artefact path does not block it)" 0 \
	timeout 30 "$CC_BIN" run --root "$FIX" -o "$T/o6" --dry-run
check "--dry-run lists the fixture's files with their sizes" \
	grep -q "^file	/var/log/auth.log	$(stat -c %s "$FIX/var/log/auth.log")$" "$T/.out"
check "--dry-run gives an estimate" grep -q "^estimate	[0-9]* files	[0-9]* bytes" "$T/.out"
check "--dry-run reads no content (atime unchanged)" test "$(stat -c %X "$FIX/var/log/auth.log")" = "$a0"
check "--dry-run writes nothing" test -z "$(ls -A "$T/o6")"
check_rc "--dry-run of the bundle names the upload target and host key" 0 "$T/agent" run --dry-run
grep -q "^host_key	$SSHD_FP" "$T/.out" && grep -q "^upload	$SSHD_URL" "$T/.out" &&
	ok "…both are listed" || nok "upload target or fingerprint missing from the dry run"

# The root check.
if command -v setpriv >/dev/null; then
	chmod 755 "$T"; mkdir -m 777 "$T/o7"
	check_rc "as a normal user without --allow-unprivileged: exit 2" 2 \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$CC_BIN" run --root "$FIX" -o "$T/o7"
	last_err_has "--allow-unprivileged" && ok "…the message says what to do" || nok "no hint"
	check "…and nothing was collected" test -z "$(ls -A "$T/o7")"
	check_rc "with --allow-unprivileged: exit 0" 0 setpriv --reuid=65534 --regid=65534 \
		--clear-groups "$CC_BIN" run -q --root "$FIX" -o "$T/o7" --allow-unprivileged --no-yara
fi
