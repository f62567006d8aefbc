#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# Delivery that never fails a victim with nothing, against a real OpenSSH
# sshd on 127.0.0.1: the output directory made when missing, [upload]
# stream and [output] keep_local, the checks before collecting (drop box,
# free space on a small tmpfs, falling back to streaming), `send`, the
# hand-over to the user behind sudo, the advice per failure, and names
# that never collide locally or on the drop box.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sshd.sh"

sshd_setup tmpfs
ok "a test sshd runs on 127.0.0.1:$SSHD_PORT with a chrooted account"

FIX=$T/fixture
make_fixture "$FIX"
UP=(--upload "$SSHD_URL" --identity "$SSHD_KEY" --host-key "$SSHD_FP")
DROP=$SSHD_DROP/upload
clean_drop() { rm -f "$DROP"/* "$DROP"/.[!.]* 2>/dev/null; }
printf '[upload]\nretries = 0\n' >"$T/noretry.ini"
# A port nothing listens on (bound, closed at once).
DEADPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DEADURL="sftp://$SSHD_USER@127.0.0.1:$DEADPORT/upload"

# 1. The output directory is made when missing: 0700, parents too.
check_rc "--output a/b/c missing: exit 0" 0 "$CC_BIN" run -q --no-yara --root "$FIX" -o "$T/new/a/b"
check "…the archive is in it" test -s "$(archive_in "$T/new/a/b")"
check "…each directory made is 0700" test "$(stat -c %a "$T/new" "$T/new/a" "$T/new/a/b" | sort -u)" = 700
mkdir -m 755 "$T/exists"
check_rc "an existing --output: exit 0" 0 "$CC_BIN" run -q --no-yara --root "$FIX" -o "$T/exists/sub"
check "…an existing directory keeps its mode" test "$(stat -c %a "$T/exists")" = 755
: >"$T/plainfile"
check_rc "--output is a file: exit 2" 2 "$CC_BIN" run -q --no-yara --root "$FIX" -o "$T/plainfile"
last_err_has "output directory $T/plainfile: not a directory" && ok "…the message names it" ||
	nok "--output file not named"
check_rc "--output under a file: exit 2" 2 "$CC_BIN" run -q --no-yara --root "$FIX" -o "$T/plainfile/x/y"
last_err_has "$T/plainfile is not a directory" && ok "…the message names the file in the way" ||
	nok "file in the way not named"
mkdir "$T/ro"
if mount -t tmpfs -o ro,size=1m tmpfs "$T/ro"; then
	at_exit "umount '$T/ro' 2>/dev/null"
	check_rc "--output that cannot be made (read-only): exit 2" 2 "$CC_BIN" run -q --no-yara \
		--root "$FIX" -o "$T/ro/x"
	last_err_has "cannot create $T/ro/x" && ok "…the message names it and why" ||
		nok "uncreatable output not named"
	umount "$T/ro"
else
	nok "mount a read-only tmpfs"
fi

# 6. Handed over to the user behind sudo (SUDO_UID/SUDO_GID).
check_rc "SUDO_UID=65534: exit 0" 0 env SUDO_UID=65534 SUDO_GID=65534 "$CC_BIN" run -q --no-yara \
	--root "$FIX" -o "$T/sudo/out"
A=$(archive_in "$T/sudo/out")
check "…the archive, .minisig, .pub and the directories made belong to 65534:65534" test \
	"$(stat -c %u:%g "$A" "$A.minisig" "$A.pub" "$T/sudo" "$T/sudo/out" | sort -u)" = 65534:65534
mkdir "$T/sudo2"
check_rc "SUDO_UID not a number: exit 0" 0 env SUDO_UID=abc SUDO_GID=65534 "$CC_BIN" run -q --no-yara \
	--root "$FIX" -o "$T/sudo2"
check "…and nothing is handed over" test "$(stat -c %u "$(archive_in "$T/sudo2")")" = 0

# 2. [upload] stream = yes is --stream.
printf '[upload]\nstream = yes\n' >"$T/stream.ini"
"$CC_BIN" config show -c "$T/stream.ini" >"$T/show" 2>&1
check "config show: upload.stream = yes (file NAME)" grep -qF "upload.stream = yes	(file $T/stream.ini)" "$T/show"
check "config show: an unset key says what it means" \
	grep -qF "output.dir = (unset: the current directory)	(default)" "$T/show"
check "config show: a zero limit says it is none" \
	grep -qF "limits.time_limit = 0 (no limit)	(default)" "$T/show"
"$CC_BIN" config show --stream >"$T/show" 2>&1
check "config show --stream: upload.stream = yes (option)" grep -q '^upload.stream = yes.(option)' "$T/show"
mkdir "$T/st"
check_rc "[upload] stream = yes: exit 0" 0 "$CC_BIN" run -q --no-yara -c "$T/stream.ini" --root "$FIX" \
	-o "$T/st" "${UP[@]}"
check "…nothing written locally" test -z "$(ls -A "$T/st")"
N=$(basename "$(archive_in "$DROP")")
check_rc "…the streamed archive on the drop box verifies" 0 "$CC_BIN" verify "$DROP/$N"
printf '[upload]\nstream = maybe\n' >"$T/badstream.ini"
check_rc "[upload] stream = maybe: exit 2" 2 "$CC_BIN" run -q -c "$T/badstream.ini" --root "$FIX"
last_err_has "stream" && ok "…the message names the key" || nok "bad stream value not named"
clean_drop

# 3. keep_local = no: removed after a checked upload, kept on failure.
printf '[output]\nkeep_local = no\n' >"$T/nokeep.ini"
mkdir "$T/nk"
check_rc "keep_local = no, upload works: exit 0" 0 "$CC_BIN" run --no-yara -c "$T/nokeep.ini" \
	--root "$FIX" -o "$T/nk" "${UP[@]}"
check "…the local archive, .minisig and .pub are gone" test -z "$(ls -A "$T/nk")"
last_err_has "keep_local = no" && ok "…the screen says so" || nok "removal not said"
N=$(basename "$(archive_in "$DROP")")
last_err_has "archive    $SSHD_URL/$N" && ok "…the summary says where the archive is now" ||
	nok "summary does not give the remote place"
check "…and the drop box has it, verified by stock minisign" \
	minisign -Vq -m "$DROP/$N" -p "$DROP/$N.pub"
clean_drop
sshd_stop
printf '[output]\nkeep_local = no\n[upload]\nretries = 0\n' >"$T/nokeep0.ini"
mkdir "$T/nk2"
check_rc "keep_local = no, drop box down: exit 3" 3 "$CC_BIN" run --no-yara -c "$T/nokeep0.ini" \
	--root "$FIX" -o "$T/nk2" "${UP[@]}"
A=$(archive_in "$T/nk2")
check "…the archive, .minisig and .pub are kept" test -s "$A" -a -s "$A.minisig" -a -s "$A.pub"

# 4, 7. Drop box out of reach: collection goes on, warned at start and end.
cp "$T/.err" "$T/down.err"
grep -q "cannot be used now" "$T/down.err" && grep -q "The collection goes on" "$T/down.err" &&
	ok "down before collecting: warned at the start" || nok "no warning at the start"
grep -q "cannot be reached" "$T/down.err" && grep -qF "When the network works, run: $CC_BIN send $A" "$T/down.err" &&
	ok "…and at the end: where the archive is and the send command" || nok "no advice at the end"

# 5. send: the archive made while the drop box was down arrives later.
sshd_restart
check_rc "send ARCHIVE once the drop box is back: exit 0" 0 "$CC_BIN" send "$A" "${UP[@]}"
N=$(basename "$A")
check "…the archive, .minisig and .pub are on the drop box" test -s "$DROP/$N" -a -s "$DROP/$N.minisig" -a -s "$DROP/$N.pub"
check "…byte-identical, and stock minisign verifies it" sh -c \
	"cmp -s '$A' '$DROP/$N' && minisign -Vq -m '$DROP/$N' -p '$DROP/$N.pub'"
check_rc "…and csirt-collect verify accepts it" 0 "$CC_BIN" verify "$DROP/$N"
check "…no .part left" test -z "$(ls -A "$DROP" | grep '\.part$')"
check_rc "send again: the name is taken, exit 0" 0 "$CC_BIN" send "$A" "${UP[@]}" -c "$T/noretry.ini"
N2=${N%.tar.zst}_2.tar.zst
check "…it goes to ${N2##*_} and the first copy is untouched" sh -c \
	"cmp -s '$A' '$DROP/$N2' && cmp -s '$A' '$DROP/$N' && test -s '$DROP/$N2.minisig'"
mkdir "$T/nosig"; cp "$A" "$T/nosig/"
check_rc "send an ARCHIVE without its .minisig: exit 2" 2 "$CC_BIN" send "$T/nosig/$N" "${UP[@]}"
last_err_has "$T/nosig/$N.minisig" && ok "…the message names the missing signature" ||
	nok "missing .minisig not named"
check_rc "send without an upload target: exit 2" 2 "$CC_BIN" send "$A"
check_rc "send --help: exit 0" 0 "$CC_BIN" send --help
check "…it documents --bwlimit and the exit status" sh -c "grep -q -- --bwlimit '$T/.out' && grep -q 'Exit status' '$T/.out'"
# Resume: an earlier attempt left a partial .part; send continues it.
clean_drop
head -c 1000 "$A" >"$DROP/$N.part"; chown "$SSHD_USER" "$DROP/$N.part"
check_rc "send with an earlier partial NAME.part on the drop box: exit 0" 0 "$CC_BIN" send -v "$A" "${UP[@]}"
grep -q "resuming .* at 1000 bytes" "$T/.err" && ok "…it resumed at the size the server had" || nok "not resumed"
check "…and the result is byte-identical" cmp -s "$A" "$DROP/$N"
clean_drop

# The rename never replaces: a file appears under the final name while the
# upload runs (--bwlimit makes it last 10 s at least): the upload fails
# with its advice, and that file is left as it was.
head -c 200000 /dev/urandom >"$T/slow.bin"
"$CC_BIN" keygen -p "$T/slow.pub" -s "$T/slow.key" >/dev/null
minisign -Sq -s "$T/slow.key" -m "$T/slow.bin" -x "$T/slow.bin.minisig" 2>/dev/null ||
	cp "$T/slow.pub" "$T/slow.bin.minisig"
"$CC_BIN" send "$T/slow.bin" "${UP[@]}" -c "$T/noretry.ini" --bwlimit 20K >"$T/slow.out" 2>"$T/slow.err" &
pid=$!
for _ in $(seq 200); do ls "$DROP"/slow.bin.*.part >/dev/null 2>&1 && break; sleep 0.05; done
echo "not ours" >"$DROP/slow.bin"
wait $pid; rc=$?
check "a file put under the final name during the upload: exit 3" test $rc -eq 3
check "…it is not replaced" test "$(cat "$DROP/slow.bin")" = "not ours"
grep -q "already on the drop box" "$T/slow.err" && ok "…the advice says a file of that name is there" ||
	nok "no name-taken advice"
clean_drop

# 4, 7. A wrong host key: stopped before collecting, with the advice.
mkdir "$T/wk"
check_rc "a wrong host key: exit 3 before collecting" 3 "$CC_BIN" run --no-yara --root "$FIX" -o "$T/wk" \
	--upload "$SSHD_URL" --identity "$SSHD_KEY" --host-key "SHA256:$(printf '%043d' 0)"
check "…nothing collected" test -z "$(ls -A "$T/wk")"
last_err_has "may be intercepted" && last_err_has "Do not retry" && last_err_has "Call the CSIRT" &&
	ok "…advice: possible interception, do not retry, call the CSIRT" || nok "no interception advice"
last_err_has "fingerprint seen: $SSHD_FP" && ok "…with the fingerprint seen to read to them" ||
	nok "fingerprint seen not given"
check_rc "the same in French" 3 env LANG=fr_FR.UTF-8 "$CC_BIN" run --no-yara --root "$FIX" -o "$T/wk" \
	--upload "$SSHD_URL" --identity "$SSHD_KEY" --host-key "SHA256:$(printf '%043d' 0)"
last_err_has "interceptée" && last_err_has "empreinte" && ok "…in French too" || nok "no French advice"
check_rc "a refused key: collected anyway, exit 3" 3 "$CC_BIN" run --no-yara -c "$T/noretry.ini" --root "$FIX" \
	-o "$T/wk" --upload "$SSHD_URL" --identity "$SSHD_DIR/other_key" --host-key "$SSHD_FP"
last_err_has "refused this kit's key" && ok "…advice: the key was refused, call the CSIRT" || nok "no refused-key advice"
check "…and the archive is kept" test -s "$(archive_in "$T/wk")"
mkdir "$T/dp"
check_rc "a closed port: collected anyway, exit 3" 3 "$CC_BIN" run --no-yara -c "$T/noretry.ini" --root "$FIX" \
	-o "$T/dp" --upload "$DEADURL" --identity "$SSHD_KEY" --host-key "$SSHD_FP"
A=$(archive_in "$T/dp")
last_err_has "cannot be reached (network" && last_err_has "send $A" &&
	ok "…advice: unreachable, the archive kept at PATH, the send command" || nok "no unreachable advice"
check_rc "the same in French" 3 env LANG=fr_FR.UTF-8 "$CC_BIN" run --no-yara -c "$T/noretry.ini" \
	--root "$FIX" -o "$T/dp" --upload "$DEADURL" --identity "$SSHD_KEY" --host-key "$SSHD_FP"
last_err_has "joignable" && last_err_has "send " && ok "…in French too" || nok "no French unreachable advice"

# 4. Free space: a 2 MiB tmpfs and a fixture bigger than it.
mkdir "$T/small"
if mount -t tmpfs -o size=2m tmpfs "$T/small"; then
	at_exit "umount '$T/small' 2>/dev/null"
	BIG=$T/bigfix; make_fixture "$BIG"
	head -c 6000000 /dev/urandom >"$BIG/var/log/syslog"
	check_rc "short of space, no upload: exit 2 before collecting" 2 "$CC_BIN" run --no-yara \
		--root "$BIG" -o "$T/small"
	last_err_has "not enough room in $T/small" && last_err_has "free, about" &&
		last_err_has "--output" && ok "…the message names the directory, free space, estimate, --output" ||
		nok "short-space message incomplete"
	check "…nothing written" test -z "$(ls -A "$T/small")"
	check_rc "short of space with a drop box: exit 0, streamed" 0 "$CC_BIN" run --no-yara \
		--root "$BIG" -o "$T/small" "${UP[@]}"
	last_err_has "Not enough room in $T/small" && ok "…the screen says it streams instead" ||
		nok "stream fallback not said"
	check "…nothing written in the small directory" test -z "$(ls -A "$T/small")"
	N=$(basename "$(archive_in "$DROP")")
	check_rc "…the archive arrived and verifies" 0 "$CC_BIN" verify "$DROP/$N"
	check "…the manifest records the fallback" sh -c \
		"tar --zstd -xOf '$DROP/$N' manifest.json | jq -e '.upload.stream and .upload.stream_fallback == \"free space\"' >/dev/null"
	check "…and so does collection.log" sh -c \
		"tar --zstd -xOf '$DROP/$N' collection.log | grep -q 'streaming to'"
	umount "$T/small"
	clean_drop
else
	nok "mount a 2 MiB tmpfs"
fi

# 8. Names never collide: the names of the next seconds are taken, here
# (NAME) and on the drop box (NAME.part, NAME_2).
mkdir "$T/nm"
now=$(date -u +%s)
for s in $(seq 0 30); do
	n="CASE7_fixture-host_$(date -u -d "@$((now + s))" +%Y%m%dT%H%M%SZ).tar.zst"
	echo "not ours $s" >"$T/nm/$n"
	echo "not ours $s" >"$DROP/$n.part"
	echo "not ours $s" >"$DROP/${n%.tar.zst}_2.tar.zst"
done
ls -A "$T/nm" | sort >"$T/nm.before"
(cd "$DROP" && md5sum * | sort) >"$T/drop.before"
check_rc "first run with the names taken: exit 0" 0 "$CC_BIN" run -q --no-yara --case CASE7 \
	--root "$FIX" -o "$T/nm" "${UP[@]}"
check_rc "second run right after: exit 0" 0 "$CC_BIN" run -q --no-yara --case CASE7 \
	--root "$FIX" -o "$T/nm" "${UP[@]}"
ours=$(ls "$T/nm" | grep -E '_[0-9]+\.tar\.zst$')
check "both archives are there under free names (_3 or later), distinct" \
	test "$(echo "$ours" | grep -E '_([3-9]|[1-9][0-9])\.tar\.zst$' | sort -u | wc -l)" -eq 2
for a in $ours; do
	check "$a verifies locally and on the drop box" sh -c \
		"'$CC_BIN' verify '$T/nm/$a' >/dev/null 2>&1 && cmp -s '$T/nm/$a' '$DROP/$a' &&
		minisign -Vq -m '$DROP/$a' -p '$DROP/$a.pub'"
done
check "every file of another run is untouched, here" sh -c \
	"ls -A '$T/nm' | grep -Ev '_[0-9]+\.tar\.zst' | sort | cmp -s - '$T/nm.before' &&
	 grep -l 'not ours' '$T/nm'/* | wc -l | grep -qx 31"
(cd "$DROP" && md5sum * | sort) >"$T/drop.after"
check "…and on the drop box" test -z "$(comm -23 "$T/drop.before" "$T/drop.after")"
clean_drop

# A stream takes a free name on the drop box too.
now=$(date -u +%s)
for s in $(seq 0 30); do
	n="CASE8_fixture-host_$(date -u -d "@$((now + s))" +%Y%m%dT%H%M%SZ).tar.zst"
	echo "not ours" >"$DROP/$n"
done
check_rc "--stream with the names taken on the drop box: exit 0" 0 "$CC_BIN" run -q --no-yara \
	--case CASE8 --root "$FIX" --stream "${UP[@]}"
N=$(ls "$DROP" | grep '^CASE8.*_2\.tar\.zst$')
check_rc "…it lands as _2 and verifies" 0 "$CC_BIN" verify "$DROP/$N"
check "…and holds summary.json (a --stream run writes it too)" \
	jqe '.format == 1 and .live == false and (.collectors|length) > 0' \
	<(zstd -dc "$DROP/$N" | tar -xOf - summary.json)
check "…the files already there are untouched" test "$(grep -l 'not ours' "$DROP"/CASE8* | wc -l)" -eq 31
clean_drop

# 1. The README's quick start, verbatim, on a fresh checkout (no ./out).
QS=$(grep -o 'sudo build/csirt-collect run --output ./out' "$CC_TOP/README.md" | head -1)
check "the README's quick start is 'sudo build/csirt-collect run --output ./out'" test -n "$QS"
mkdir -p "$T/clone/build"; ln -s "$CC_BIN" "$T/clone/build/csirt-collect"
command -v sudo >/dev/null || QS=${QS#sudo }
(cd "$T/clone" && $QS >"$T/qs.out" 2>"$T/qs.err"); rc=$?
check "…exits 0 in a fresh directory" test $rc -eq 0
A=$(archive_in "$T/clone/out")
check "…./out was made (0700) and holds the archive, which verifies" sh -c \
	"test \"\$(stat -c %a '$T/clone/out')\" = 700 && '$CC_BIN' verify '$A' >/dev/null 2>&1"

# Leftovers of killed runs: a .NAME.part nobody holds and unchanged for a
# minute is removed by the next run in that directory; one a process
# holds (a run writing it), a fresh one, and files not ours are kept.
L=$T/left
mkdir -p "$L"
for f in .old_h_20200101T000000Z.tar.zst.part .old_h_20200101T000000Z.tar.zst.age.part \
    .old_h_20200101T000000Z.tar.zst.minisig.part .held_h_20200101T000000Z.tar.zst.part \
    .fresh_h_20200101T000000Z.tar.zst.part .notours.part kept_h.tar.zst.part; do
	echo partial >"$L/$f"
done
touch -d '-10 minutes' "$L"/.old_* "$L/.held_h_20200101T000000Z.tar.zst.part" \
    "$L/.notours.part" "$L/kept_h.tar.zst.part"
flock "$L/.held_h_20200101T000000Z.tar.zst.part" sleep 120 & HOLD=$!
at_exit "kill $HOLD 2>/dev/null"
for _ in $(seq 50); do [ -e "/proc/$HOLD" ] && sleep 0.2 && break; done
check_rc "a run in a directory with leftovers of killed runs: exit 0" 0 \
	"$CC_BIN" run -q --no-yara --root "$FIX" -o "$L"
check "…the old ones nobody holds are removed (archive, .age, .minisig)" \
	sh -c "! ls -a '$L' | grep -q '^\.old_'"
check "…the one a process holds is kept" test -e "$L/.held_h_20200101T000000Z.tar.zst.part"
check "…a fresh one is kept" test -e "$L/.fresh_h_20200101T000000Z.tar.zst.part"
check "…files that are not ours are kept" \
	sh -c "test -e '$L/.notours.part' && test -e '$L/kept_h.tar.zst.part'"
tar --zstd -xOf "$(archive_in "$L")" collection.log >"$T/left.log" 2>/dev/null
check "…each removal is in the log" \
	test "$(grep -c 'the partial archive of a run stopped before its end' "$T/left.log")" -eq 3
kill $HOLD 2>/dev/null

# The signature cannot be written (here a write error injected by an
# LD_PRELOAD shim on .minisig files; a full disk cannot cause it: the room
# is reserved when the archive is opened): the run fails and no archive is
# left under its final name without its signature.
cat >"$T/nosig.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
static int
sig(int fd)
{
	char	l[64], p[4096];
	ssize_t	n;

	snprintf(l, sizeof l, "/proc/self/fd/%d", fd);
	if ((n = readlink(l, p, sizeof p - 1)) <= 0)
		return 0;
	p[n] = '\0';
	return strstr(p, ".minisig") != NULL;
}
#define WRAP(name, args, call, ...) \
ssize_t name args { static ssize_t (*real) args; \
	if (sig(fd)) { errno = ENOSPC; return -1; } \
	if (real == NULL) real = dlsym(RTLD_NEXT, #name); return real call; }
WRAP(write, (int fd, const void *b, size_t n), (fd, b, n))
WRAP(pwrite, (int fd, const void *b, size_t n, off_t o), (fd, b, n, o))
WRAP(pwrite64, (int fd, const void *b, size_t n, off_t o), (fd, b, n, o))
EOF
cc -shared -fPIC -o "$T/libnosig.so" "$T/nosig.c" -ldl
mkdir -p "$T/ns"
check_rc "the .minisig cannot be written: the run fails, exit 1" 1 \
	env LD_PRELOAD="$T/libnosig.so" "$CC_BIN" run -q --no-yara --root "$FIX" -o "$T/ns"
last_err_has ".minisig" && ok "…the message names the signature file" || nok "signature failure not named"
check "…no archive is left under its final name, nor any part of it" \
	test -z "$(ls -A "$T/ns")"
