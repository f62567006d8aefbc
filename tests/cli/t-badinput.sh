#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# Bad input fails fast with exit 2, a message naming the thing, and no
# file left in the output. Faults inside collection are recorded and the
# run completes.
. "$(dirname "$0")/lib.sh"

FIX=$T/fixture
make_fixture "$FIX"
mkdir "$T/out"
empty_out() { test -z "$(ls -A "$T/out")"; }

check_rc "no command: exit 2" 2 "$CC_BIN"
check_rc "unknown command: exit 2" 2 "$CC_BIN" frobnicate
last_err_has "frobnicate" && ok "…message names the command" || nok "command not named"
check_rc "unknown option: exit 2" 2 "$CC_BIN" run --frobnicate -o "$T/out"
last_err_has "--frobnicate" && ok "…message names the option" || nok "option not named"
check_rc "option missing its value: exit 2" 2 "$CC_BIN" run -o
check_rc "stray argument: exit 2" 2 "$CC_BIN" run -o "$T/out" extra
check_rc "bad size: exit 2" 2 "$CC_BIN" run -o "$T/out" --root "$FIX" --max-file-size 12Q
last_err_has "--max-file-size" && ok "…message names --max-file-size" || nok "size option not named"
check_rc "bad number: exit 2" 2 "$CC_BIN" run -o "$T/out" --root "$FIX" --nice 99
check_rc "missing --root directory: exit 2" 2 "$CC_BIN" run -o "$T/out" --root "$T/nonexistent"
last_err_has "$T/nonexistent" && ok "…message names the root" || nok "root not named"
check_rc "--root is a file: exit 2" 2 "$CC_BIN" run -o "$T/out" --root "$FIX/etc/passwd"
check_rc "--output under a file: exit 2" 2 "$CC_BIN" run --root "$FIX" -o "$FIX/etc/passwd/sub"
last_err_has "$FIX/etc/passwd is not a directory" && ok "…message names the output directory" || nok "output not named"
check_rc "--output is a file: exit 2" 2 "$CC_BIN" run --root "$FIX" -o "$FIX/etc/passwd"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	mkdir "$T/ro"; chmod 755 "$T/ro"; chmod 755 "$T"
	check_rc "unwritable --output (as nobody): exit 2" 2 setpriv --reuid=65534 \
		--regid=65534 --clear-groups "$CC_BIN" run --allow-unprivileged --root "$FIX" -o "$T/ro"
	last_err_has "$T/ro" && ok "…message names the output directory" || nok "unwritable output not named"
	check "…and leaves nothing in it" test -z "$(ls -A "$T/ro")"
else
	mkdir "$T/ro"; chmod 555 "$T/ro"
	check_rc "unwritable --output: exit 2" 2 "$CC_BIN" run --root "$FIX" -o "$T/ro"
fi
check_rc "missing key file: exit 2" 2 "$CC_BIN" run --root "$FIX" -o "$T/out" --sign-key "$T/nokey"
last_err_has "$T/nokey" && ok "…message names the key file" || nok "key file not named"
echo "untrusted comment: junk" >"$T/bad.key"; echo "Zm9vYmFy" >>"$T/bad.key"
check_rc "malformed key file: exit 2" 2 "$CC_BIN" run --root "$FIX" -o "$T/out" --sign-key "$T/bad.key"
last_err_has "$T/bad.key" && ok "…message names the malformed key" || nok "bad key not named"
minisign -G -p "$T/enc.pub" -s "$T/enc.key" </dev/null >/dev/null 2>&1 <<< $'pw\npw\n' ||
	printf 'pw\npw\n' | minisign -G -p "$T/enc.pub" -s "$T/enc.key" >/dev/null 2>&1
if [ -s "$T/enc.key" ]; then
	check_rc "password-protected key: exit 2" 2 "$CC_BIN" run --root "$FIX" -o "$T/out" --sign-key "$T/enc.key"
	last_err_has "encrypted" && ok "…message says it is encrypted" || nok "encrypted key not explained"
fi
check_rc "a public key given as secret key: exit 2" 2 "$CC_BIN" run --root "$FIX" -o "$T/out" --sign-key "$T/enc.pub"

# Config files.
printf '[case]\nid = X\n[output]\nbogus = 1\n' >"$T/bad1.ini"
check_rc "unknown config key: exit 2" 2 "$CC_BIN" run -c "$T/bad1.ini" --root "$FIX" -o "$T/out"
last_err_has "$T/bad1.ini:4" && last_err_has "bogus" && ok "…message names file, line and key" ||
	nok "config error not located"
printf '[limits]\nmax_file_size = lots\n' >"$T/bad2.ini"
check_rc "bad config value: exit 2" 2 "$CC_BIN" run -c "$T/bad2.ini" --root "$FIX" -o "$T/out"
last_err_has "$T/bad2.ini:2" && last_err_has "max_file_size" && ok "…message names file, line and key" ||
	nok "config value error not located"
printf '[case\nid = X\n' >"$T/bad3.ini"
check_rc "config syntax error: exit 2" 2 "$CC_BIN" run -c "$T/bad3.ini" --root "$FIX" -o "$T/out"
check_rc "missing config file: exit 2" 2 "$CC_BIN" run -c "$T/none.ini" --root "$FIX" -o "$T/out"
check "no file left in the output after every failure above" empty_out

# A good config, overridden by an option.
printf '[case]\nid = FROMFILE\n[output]\ndir = %s\n[limits]\nmax_file_size = 1M\n' "$T/out" >"$T/good.ini"
check_rc "a valid config file runs" 0 "$CC_BIN" run -q -c "$T/good.ini" --root "$FIX"
case "$(basename "$(archive_in "$T/out")")" in FROMFILE_*) ok "config [case] id used" ;;
*) nok "config case id not used" ;; esac
rm -f "$T/out"/*
check_rc "an option overrides the config file" 0 "$CC_BIN" run -q -c "$T/good.ini" --case OPT --root "$FIX"
case "$(basename "$(archive_in "$T/out")")" in OPT_*) ok "--case wins over [case] id" ;;
*) nok "option did not override" ;; esac
rm -f "$T/out"/*

# Faults inside collection: recorded, the run completes with exit 0.
rm "$FIX/etc/hosts"; mkfifo "$FIX/etc/hosts"
ln -sf /etc/shadow "$FIX/etc/passwd"
mkdir -p "$FIX/etc/cron.d"; printf 'secret\n' >"$FIX/etc/cron.d/locked"; chmod 000 "$FIX/etc/cron.d/locked"
chmod -R a+rX "$FIX" 2>/dev/null; chmod 000 "$FIX/etc/cron.d/locked"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	chmod 777 "$T/out"
	RUNAS="setpriv --reuid=65534 --regid=65534 --clear-groups"
else RUNAS=""; fi
timeout 60 $RUNAS "$CC_BIN" run -q --allow-unprivileged --root "$FIX" -o "$T/out" >/dev/null 2>"$T/err"
check "a FIFO, a symlink out of the root and an unreadable file: exit 0, no hang" test $? -eq 0
A=$(archive_in "$T/out"); mkdir "$T/x"; tar --zstd -xf "$A" -C "$T/x"
check "the FIFO is listed in errors" \
	jqe '.errors[] | select(.path=="/etc/hosts" and (.error|test("FIFO")))' "$T/x/manifest.json"
check "the symlink is recorded with its target, not followed" \
	jqe '.links[] | select(.path=="/etc/passwd" and .target=="/etc/shadow")' "$T/x/manifest.json"
check "nothing of the host's /etc/shadow was read" test ! -e "$T/x/files/etc/passwd"
if [ -n "$RUNAS" ]; then
	check "the unreadable file is listed in errors with its collector" \
		jqe '.errors[] | select(.path=="/etc/cron.d/locked" and .collector != null)' "$T/x/manifest.json"
fi
check "errors are counted in the stats" jqe '.stats.errors >= 1' "$T/x/manifest.json"
check_rc "the archive with errors still verifies" 0 "$CC_BIN" verify "$A"

# FIFOs where the small files read at set-up and by the collectors should
# be (hostname, machine-id, os-release, passwd, group, utmp, wtmp, btmp,
# lastlog, timezone): never opened, so nothing waits on a writer.
F2=$T/fifos
make_fixture "$F2"
mkdir -p "$F2/var/run" "$F2/usr/lib" "$T/fo" "$T/fd"
for f in etc/hostname etc/machine-id etc/os-release usr/lib/os-release \
    etc/passwd etc/group etc/timezone var/run/utmp var/log/wtmp \
    var/log/btmp var/log/lastlog; do
	rm -f "$F2/$f"; mkfifo "$F2/$f"
done
check_rc "a dry run over an image with FIFOs for its small files ends" 0 \
	timeout 60 "$CC_BIN" run --dry-run --root "$F2" -o "$T/fd"
check_rc "a run over it ends, exit 0" 0 \
	timeout 120 "$CC_BIN" run --quiet --no-yara --root "$F2" -o "$T/fo"
AF=$(archive_in "$T/fo")
check "…its archive verifies" "$CC_BIN" verify "$AF"
check "…the host name is 'unknown', not read from the FIFO" \
	sh -c "basename '$AF' | grep -q '^unknown_'"
tar --zstd -xOf "$AF" manifest.json >"$T/fifo.manifest" 2>/dev/null
check "…the FIFOs a collector wanted are errors saying why" \
	jqe '[.errors[] | select(.error | test("not a regular file"))] | length > 0' "$T/fifo.manifest"

# passwd and group of 100,000 entries each: names are looked up by a
# binary search (a linear one per user made this quadratic), and the
# first entry of an id is the one used, as getpwuid(3) does.
P=$T/bigpw
make_fixture "$P"
mkdir -p "$T/po"
python3 - "$P/etc" <<'PY'
import sys
d = sys.argv[1]
with open(d + "/passwd", "w") as f:
    f.write("root:x:0:0:root:/root:/bin/bash\n")
    for i in range(100000):
        f.write("u%d:x:%d:%d::/home/u%d:/bin/sh\n" % (i, 2000 + i, 2000 + (i * 7919) % 100000, i))
with open(d + "/group", "w") as f:
    f.write("root:x:0:\nfirst:x:2001:\n")
    for i in range(100000):
        f.write("g%d:x:%d:\n" % (i, 2000 + i))
PY
check_rc "a run over 100,000 users and groups ends, exit 0" 0 \
	timeout 600 "$CC_BIN" run --quiet --no-yara --root "$P" -o "$T/po" -p LinuxSystemRelease
AP=$(archive_in "$T/po")
tar --zstd -xOf "$AP" live/users.jsonl >"$T/users.jsonl" 2>/dev/null
check "…every user is listed" \
	jqe -s 'map(select(.type == "user")) | length == 100001' "$T/users.jsonl"
check "…a gid listed twice takes its first name" \
	jqe -s 'map(select(.type == "user" and .gid == 2001)) | length > 0 and all(.group == "first")' "$T/users.jsonl"
check "…and other groups their own" \
	jqe -s 'map(select(.type == "user" and .gid == 2002)) | length > 0 and all(.group == "g2")' "$T/users.jsonl"
