#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# The victim's side of a run: --help of every command; usage errors that
# name the option, in English and French; the numbered steps (and no bar,
# no carriage return, no per-collector lines when stderr is not a
# terminal); one collection at a time; SIGHUP ignored, one Ctrl-C or
# SIGTERM gives exit 5 and a valid archive saying why, a second one
# deletes the partial archive; the French screen under tmux.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sshd.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "FAIL $TNAME: needs root (sshd chroot account)"; exit 1
fi
FR=(env LANG=fr_FR.UTF-8 LANGUAGE= LC_ALL= LC_MESSAGES=)
EN=(env LANG=C LANGUAGE= LC_ALL= LC_MESSAGES=)
FIX=$T/fixture
make_fixture "$FIX"
# A slow tree: 200 sparse files of 20 MiB, read at --max-cpu 10 (a minute
# or more), so that a run is surely still collecting when it is
# signalled; collection stops between two files. They are system logs
# (/var/log/syslog.N), which triage takes whole (/tmp and the other logs
# of /var/log are capped).
SLOW=$T/slow
make_fixture "$SLOW"
mkdir -p "$SLOW/var/log"
for i in $(seq 1 200); do truncate -s 20M "$SLOW/var/log/syslog.$i"; done
SLOWARGS=(run --root "$SLOW" --no-yara --max-cpu 10 --time-limit 600)

pids=""
at_exit 'for p in $pids; do kill -9 $p 2>/dev/null; done'
# start_slow NAME ARGS...: the agent in the background on the slow tree,
# output in $T/NAME/, stdout and stderr in $T/NAME.out and .err; sets pid.
start_slow() {
	n=$1; shift
	mkdir -p "$T/$n"
	"$CC_BIN" "${SLOWARGS[@]}" -o "$T/$n" "$@" >"$T/$n.out" 2>"$T/$n.err" &
	pid=$!; pids="$pids $pid"
}
# wait_for FILE STRING: until FILE holds STRING (at most 3 minutes).
wait_for() {
	for _ in $(seq 1 1800); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
# verify_ok ARCHIVE: `verify` exits 0.
verify_ok() { "$CC_BIN" verify "$1" >/dev/null 2>&1; }
# manifest_of DIR: the manifest of the archive in DIR, on stdout.
manifest_of() { tar --zstd -xOf "$(archive_in "$1")" manifest.json 2>/dev/null; }

# --help: every command, on stdout, exit 0; an unknown option: exit 2
# naming it, and where to look.
for c in run verify keygen decrypt list config "config show" bundle rules \
    "rules verify" "rules pull"; do
	# shellcheck disable=SC2086
	check_rc "'$c --help': exit 0" 0 "$CC_BIN" $c --help
	grep -q "^usage: csirt-collect ${c%% *}" "$T/.out" && [ ! -s "$T/.err" ] &&
		ok "…its usage on stdout, nothing on stderr" ||
		nok "'$c --help' printed: $(head -1 "$T/.out") / $(head -1 "$T/.err")"
	# shellcheck disable=SC2086
	check_rc "'$c --bogus': exit 2" 2 "$CC_BIN" $c --bogus
	last_err_has "'--bogus'" && last_err_has "Try 'csirt-collect ${c%% *} --help'" &&
		ok "…the message names --bogus and says where to look" ||
		nok "'$c --bogus' said: $(cat "$T/.err")"
done

# Usage errors in French, and in English under LANG=C.
check_rc "French: run --bogus exits 2" 2 "${FR[@]}" "$CC_BIN" run --bogus
last_err_has "option inconnue ou incomplète '--bogus'" && last_err_has "Essayez 'csirt-collect run --help'" &&
	ok "…in French" || nok "not French: $(cat "$T/.err")"
check_rc "French: an unknown command exits 2" 2 "${FR[@]}" "$CC_BIN" frobnicate
last_err_has "commande inconnue 'frobnicate'" && ok "…in French" || nok "not French: $(cat "$T/.err")"
check_rc "French: verify without an archive exits 2" 2 "${FR[@]}" "$CC_BIN" verify
last_err_has "verify demande une ARCHIVE" && ok "…in French" || nok "not French: $(cat "$T/.err")"
check_rc "LANG=C: run --bogus exits 2" 2 "${EN[@]}" "$CC_BIN" run --bogus
last_err_has "unknown or incomplete option '--bogus'" && last_err_has "Try 'csirt-collect run --help'" &&
	ok "…in English" || nok "not English: $(cat "$T/.err")"

# Every message given to i18n() has a French entry (same text as key).
if command -v python3 >/dev/null; then
	python3 - "$CC_TOP" >"$T/i18n.missing" <<'EOF'
import glob, re, sys
top = sys.argv[1]
lit = r'"(?:[^"\\]|\\.)*"'
def join(s): return ''.join(re.findall(r'"((?:[^"\\]|\\.)*)"', s))
cat = open(top + '/agent/i18n.c').read()
cat = cat[cat.index('i18n_catalogue[] = {'):]
keys = {join(m.group(1)) for m in re.finditer(
    r'\{\s*((?:%s\s*)+),\s*(?:%s\s*)+\}' % (lit, lit), cat)}
for f in sorted(glob.glob(top + '/agent/*.c') + glob.glob(top + '/collectors/*.c')):
    if f.endswith('/i18n.c'): continue
    for m in re.finditer(r'\bi18n\(\s*((?:%s\s*)+)\)' % lit, open(f).read()):
        if join(m.group(1)) not in keys:
            print(f[len(top) + 1:], join(m.group(1)))
EOF
	check "every i18n() message has a French entry" test ! -s "$T/i18n.missing"
	[ -s "$T/i18n.missing" ] && sed 's/^/    missing: /' "$T/i18n.missing"
fi

# Steps when stderr is not a terminal: the step lines, no bar, no \r, no
# per-collector lines (those are in collection.log).
mkdir "$T/o1"
check_rc "a run with stderr to a file: exit 0" 0 "${EN[@]}" "$CC_BIN" run --root "$FIX" -o "$T/o1"
cp "$T/.err" "$T/o1.err"
check "…the numbered steps, in order" sh -c "grep '^\[[0-9]/4\] ' '$T/o1.err' | cut -c1-5 | tr -d '\n' | grep -qx '\[1/4\]\[2/4\]\[3/4\]\[4/4\]'"
check "…named for the person at the keyboard" sh -c \
	"grep -qx '\[1/4\] Checking the set-up' '$T/o1.err' && grep -qx '\[3/4\] Files and scans' '$T/o1.err' &&
	 grep -qx '\[4/4\] Sealing the archive (manifest, signature)' '$T/o1.err'"
check "…no carriage return and no bar" sh -c "! grep -q \$(printf '\r') '$T/o1.err' && ! grep -q '%' '$T/o1.err'"
check "…no per-collector line on stderr" sh -c "! grep -q 'artifacts: started' '$T/o1.err'"
check "…the summary" grep -q "^DONE: the collection is complete." "$T/o1.err"
tar --zstd -xOf "$(archive_in "$T/o1")" collection.log >"$T/o1.log" 2>/dev/null
check "…the per-collector lines are in collection.log" \
	jqe -s 'any(.[]; .collector == "artifacts" and .message == "started")' "$T/o1.log"
mkdir "$T/o2"
check_rc "with -v: exit 0" 0 "$CC_BIN" run -v --root "$FIX" -o "$T/o2"
last_err_has "artifacts: started" && ok "…the per-collector lines are on stderr too" ||
	nok "-v shows no per-collector line"
mkdir "$T/o3"
check_rc "--quiet --json: exit 0" 0 "$CC_BIN" run -q --json --root "$FIX" -o "$T/o3"
check "…no step line" sh -c "! grep -q '^\[[0-9]/' '$T/.err'"
check "…one JSON summary on stdout" jqe -e '.status == "ok" and .files > 0' "$T/.out"
mkdir "$T/o4"
check_rc "French: exit 0" 0 "${FR[@]}" "$CC_BIN" run --root "$FIX" -o "$T/o4"
check "…the steps in French" sh -c "grep -qx '\[1/4\] Vérification de la configuration' '$T/.err' &&
	grep -qx '\[3/4\] Fichiers et analyses' '$T/.err'"
check "…the summary in French" sh -c "grep -q '^TERMINÉ : la collecte est complète.' '$T/.err' &&
	grep -q '^  fichiers   [0-9]* collectés' '$T/.err' && grep -q '^Lisez cette référence au CSIRT : ' '$T/.err'"

# With an upload, five steps, the last one the sending.
if sshd_start; then
	mkdir "$T/o5"
	check_rc "with an upload: exit 0" 0 "${FR[@]}" "$CC_BIN" run --root "$FIX" -o "$T/o5" \
		--upload "$SSHD_URL" --identity "$SSHD_KEY" --host-key "$SSHD_FP"
	check "…five steps, the last '[5/5] Envoi au CSIRT'" sh -c \
		"grep -qx '\[4/5\] Scellement de l.archive (manifeste, signature)' '$T/.err' &&
		 grep -qx '\[5/5\] Envoi au CSIRT' '$T/.err'"
	sshd_stop
else
	nok "sshd started"
fi

# One collection at a time.
start_slow lock1 --case LOCK
first=$pid
if wait_for "$T/lock1.err" "[3/4] Files and scans"; then
	ok "the first run is collecting"
	mkdir "$T/lock2"
	check_rc "a second run on the same tree meanwhile: exit 2" 2 "${EN[@]}" "$CC_BIN" \
		"${SLOWARGS[@]}" -o "$T/lock2"
	last_err_has "another collection of $SLOW is already running (pid $first)" &&
		ok "…the message says so, with the first run's pid" || nok "message: $(cat "$T/.err")"
	check "…and wrote nothing" test -z "$(ls -A "$T/lock2")"
	check_rc "in French: exit 2" 2 "${FR[@]}" "$CC_BIN" "${SLOWARGS[@]}" -o "$T/lock2"
	last_err_has "une autre collecte de $SLOW est déjà en cours (pid $first)" &&
		ok "…the message is French" || nok "message: $(cat "$T/.err")"
	check_rc "--dry-run meanwhile takes no lock: exit 0" 0 "$CC_BIN" "${SLOWARGS[@]}" \
		-o "$T/lock2" --dry-run
	check_rc "a run on another tree meanwhile: exit 0" 0 "$CC_BIN" run -q --root "$FIX" \
		-o "$T/lock2"
	kill -TERM "$first"
	wait "$first"; rc=$?
	check "the first run, stopped by SIGTERM: exit 5" test "$rc" -eq 5
	check "…its archive verifies" verify_ok "$(archive_in "$T/lock1")"
	check "…its summary says why" grep -q "^DONE, BUT CUT SHORT (stopped by SIGTERM)" "$T/lock1.err"
	manifest_of "$T/lock1" >"$T/lock1.json"
	check "…and so does its manifest" jqe '.cut == "stopped by SIGTERM"' "$T/lock1.json"
	mkdir "$T/lock3"
	check_rc "once it ended, a dry run with --max-total-size: exit 0" 0 "$CC_BIN" run \
		--root "$SLOW" -o "$T/lock3" --dry-run --max-total-size 1M
	grep -q "^estimate	[0-9]* files	1048576 bytes" "$T/.out" &&
		ok "…its estimate is capped by --max-total-size" || nok "estimate: $(grep estimate "$T/.out")"
	check_rc "once it ended, a run on that tree: exit 0" 0 "$CC_BIN" run -q --root "$SLOW" \
		-o "$T/lock3" --no-yara --max-total-size 1M
else
	nok "the first run never got to the files: $(cat "$T/lock1.err")"
fi

# SIGHUP: ignored; the run ends by itself (here its time limit).
SLOWARGS=(run --root "$SLOW" --no-yara --max-cpu 10 --time-limit 8)
start_slow hup
if wait_for "$T/hup.err" "[3/4]"; then
	kill -HUP "$pid"
	wait "$pid"; rc=$?
	check "SIGHUP mid-run: the run goes on, exit 0" test "$rc" -eq 0
	check "…its archive verifies" verify_ok "$(archive_in "$T/hup")"
	manifest_of "$T/hup" >"$T/hup.json"
	check "…and ended at its time limit, not at the signal" \
		jqe '.cut == "time limit reached"' "$T/hup.json"
else
	nok "the SIGHUP run never got to the files"
fi
SLOWARGS=(run --root "$SLOW" --no-yara --max-cpu 10 --time-limit 600)

# One Ctrl-C: exit 5, a valid archive, the reason in summary and manifest.
start_slow int1
if wait_for "$T/int1.err" "[3/4]"; then
	kill -INT "$pid"
	wait "$pid"; rc=$?
	check "one SIGINT: exit 5" test "$rc" -eq 5
	check "…the archive verifies" verify_ok "$(archive_in "$T/int1")"
	check "…the victim is told what happens" grep -q "^Stopping: finishing a signed archive" "$T/int1.err"
	check "…the summary says 'interrupted by Ctrl-C'" \
		grep -q "^DONE, BUT CUT SHORT (interrupted by Ctrl-C)" "$T/int1.err"
	manifest_of "$T/int1" >"$T/int1.json"
	check "…and so does the manifest's cut" jqe '.cut == "interrupted by Ctrl-C"' "$T/int1.json"
	check "…which lists what was collected" \
		jqe '[.entries[] | select(.path | startswith("files/"))] | length > 0' "$T/int1.json"
else
	nok "the SIGINT run never got to the files"
fi

# Two Ctrl-C: exit 130, nothing left in the output directory.
start_slow int2
if wait_for "$T/int2.err" "[3/4]"; then
	check "the partial archive is there while collecting" sh -c "ls -A '$T/int2' | grep -q '\.part\$'"
	kill -INT "$pid"
	wait_for "$T/int2.err" "Stopping:"
	kill -INT "$pid"
	wait "$pid"; rc=$?
	check "two SIGINTs: exit 130" test "$rc" -eq 130
	check "…the victim is told" grep -q "^Aborted: the partial archive was deleted." "$T/int2.err"
	check "…no .part, no archive left in the output directory" test -z "$(ls -A "$T/int2")"
else
	nok "the double SIGINT run never got to the files"
fi

# The French screen, under tmux: steps, the bar while running, Ctrl-C
# typed at the terminal, the summary.
if command -v tmux >/dev/null; then
	TM=(tmux -u -L ccv$$)
	mkdir "$T/ot"
	# The agent ignores SIGHUP (kill-server): its pid, to stop it.
	printf 'echo $$ >"%s"\nexec env LANG=fr_FR.UTF-8 LANGUAGE= LC_ALL= LC_MESSAGES= "%s" %s -o "%s"\n' \
		"$T/ot.pid" "$CC_BIN" "${SLOWARGS[*]}" "$T/ot" >"$T/ot.sh"
	at_exit "${TM[*]} kill-server 2>/dev/null; kill -9 \$(cat '$T/ot.pid' 2>/dev/null) 2>/dev/null"
	# The pane's shell ignores Ctrl-C; the agent has its own handler.
	"${TM[@]}" new-session -d -x 160 -y 40 "trap '' INT; sh '$T/ot.sh'; echo \$? >'$T/ot.rc'; sleep 600"
	screen=""
	for _ in $(seq 1 1800); do
		# With the scrollback: the first steps may have scrolled off.
		screen=$("${TM[@]}" capture-pane -p -S -200 2>/dev/null)
		# The bar may show in step 2 already (a slow, sanitized build):
		# wait for step 3 too.
		echo "$screen" | grep -Eq '^\[[#.]{30}\] +[0-9]+%  [0-9.]+ [KMG]?i?B / [0-9.]+ [KMG]?i?B' &&
			echo "$screen" | grep -q '^\[3/4\]' && break
		sleep 0.1
	done
	echo "$screen" >"$T/ot.running"
	check "tmux: the French steps while running" sh -c \
		"grep -q '^\[1/4\] Vérification de la configuration' '$T/ot.running' &&
		 grep -q '^\[3/4\] Fichiers et analyses' '$T/ot.running'"
	grep -q '^\[1/4\] Vérification' "$T/ot.running" && grep -q '^\[3/4\] Fichiers' "$T/ot.running" ||
		sed 's/^/    | /' "$T/ot.running" | head -50
	check "tmux: the bar with a percentage while running" \
		grep -Eq '^\[[#.]{30}\] +[0-9]+%  [0-9.]+ [KMG]?i?B / [0-9.]+ [KMG]?i?B' "$T/ot.running"
	"${TM[@]}" send-keys C-c
	for _ in $(seq 1 1800); do
		[ -s "$T/ot.rc" ] && break
		sleep 0.1
	done
	"${TM[@]}" capture-pane -p -S -100 >"$T/ot.end" 2>/dev/null
	check "tmux: Ctrl-C at the terminal: exit 5" test "$(cat "$T/ot.rc" 2>/dev/null)" = 5
	check "tmux: 'TERMINÉ, MAIS INTERROMPU (interrompu par Ctrl-C)' at the end" \
		grep -q "^TERMINÉ, MAIS INTERROMPU (interrompu par Ctrl-C)" "$T/ot.end"
	check "tmux: the reference to read to the CSIRT" \
		grep -Eq "^Lisez cette référence au CSIRT : [0-9a-f]{4} [0-9a-f]{4}" "$T/ot.end"
	check "tmux: the archive verifies" verify_ok "$(archive_in "$T/ot")"
	if ! grep -q "TERMINÉ" "$T/ot.end"; then sed 's/^/    /' "$T/ot.end" | tail -15; fi
	"${TM[@]}" kill-server 2>/dev/null
else
	nok "tmux is missing (make deps installs it)"
fi

# A squatter: any process can bind an abstract name. One of another user
# (an intruder's, on the host examined) must not stop the collection; one
# of our own user holding the same name stops it (the control: the name
# is right).
SQ=$T/squat
make_fixture "$SQ"
mkdir -p "$T/sqo" "$T/sqo2"
squat() {	# AS...: bind the lock name of $SQ, as the given user
	: >"$T/squat.ready"
	"$@" /usr/bin/python3 -c 'import hashlib, os, socket, sys, time
h = hashlib.blake2b(os.path.realpath(sys.argv[1]).encode(), digest_size=16).hexdigest()
s = socket.socket(socket.AF_UNIX); s.bind("\0csirt-collect:root:" + h); s.listen(1)
print("ready", flush=True); time.sleep(60)' "$SQ" >"$T/squat.ready" &
	SQP=$!
	for _ in $(seq 100); do grep -q ready "$T/squat.ready" 2>/dev/null && break; sleep 0.1; done
}
squat setpriv --reuid=65534 --regid=65534 --clear-groups
at_exit 'kill $SQP 2>/dev/null'
check "a process of another user (nobody) holds the lock's name" grep -q ready "$T/squat.ready"
check_rc "the lock's name held by another user's process does not stop a run: exit 0" 0 \
	"$CC_BIN" run -q --no-yara --root "$SQ" -o "$T/sqo"
tar --zstd -xOf "$(archive_in "$T/sqo")" collection.log >"$T/sq.log" 2>/dev/null
check "…the log says it ran unlocked, and why" grep -q "a process of another user" "$T/sq.log"
kill $SQP 2>/dev/null; wait $SQP 2>/dev/null || true
squat
check "a process of our own user holds it now" grep -q ready "$T/squat.ready"
check_rc "control: the same name held by a process of our own user stops it: exit 2" 2 \
	"$CC_BIN" run -q --no-yara --root "$SQ" -o "$T/sqo2"
kill $SQP 2>/dev/null; wait $SQP 2>/dev/null || true
