#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# The static binary (make static): statically linked; runs alone in an
# empty root (chroot) on a fixture, with and without /proc; ignores
# LD_PRELOAD and /etc/ld.so.preload (a hider does not hide a pid from it);
# resolves the upload host with no NSS library and no host NSS module:
# numeric addresses, /etc/hosts names, and fails cleanly on an unknown name.
# Run by make check-packaging (tests/run.sh BUILD packaging); needs root.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/../cli/sshd.sh"
S=${CC_BUILD:-$CC_TOP/build}/csirt-collect-static

if [ "$(id -u)" -ne 0 ]; then nok "needs root (chroot, sshd)"; exit 1; fi
if [ ! -x "$S" ]; then nok "$S missing: make static"; exit 1; fi

# --- The binary -------------------------------------------------------
check "file says statically linked" sh -c "file -b '$S' | grep -q 'statically linked'"
check "…and stripped" sh -c "file -b '$S' | grep -q ', stripped'"
check "no program interpreter, no needed library" \
	sh -c "! readelf -lW '$S' | grep -q INTERP && ! readelf -dW '$S' | grep -q NEEDED"
check_rc "--version" 0 "$S" --version

# --- Alone in an empty root --------------------------------------------
R=$T/root
mkdir -p "$R/out"
cp "$S" "$R/csirt-collect"
make_fixture "$R/fix"
check "the root holds the binary and the fixture only" \
	test "$(ls "$R")" = "$(printf 'csirt-collect\nfix\nout')"
check_rc "chroot: run --root /fix exits 0" 0 chroot "$R" /csirt-collect run -q --json \
	--case STATIC-1 --root /fix -o /out
A=$(archive_in "$R/out")
check "…an archive is written" test -s "$A"
check "…the --json summary names it" jqe -e '.status=="ok" and (.archive|endswith(".tar.zst"))' "$T/.out"
vfy() { "$CC_BIN" verify "$1" >/dev/null 2>&1; }
check "…verify accepts it" vfy "$A"
check "…stock minisign verifies it" minisign -Vq -m "$A" -p "$A.pub"
mkdir "$T/x1" && tar --zstd -xf "$A" -C "$T/x1"
check "…the fixture's files are in it (passwd, auth.log, cron)" \
	test -s "$T/x1/files/etc/passwd" -a -s "$T/x1/files/var/log/auth.log" -a -s "$T/x1/files/etc/cron.d/evil"
check "…users were read from the fixture's passwd (no NSS)" \
	jqe -s 'any(.[]; .name=="alice" and .uid==1000)' "$T/x1/live/users.jsonl"

# A live run in the empty root: no /proc, no /sys, no /etc.
rm -f "$R/out"/*
check_rc "chroot: a live run with no /proc exits 0" 0 chroot "$R" /csirt-collect run -q \
	--case STATIC-2 -o /out --no-yara
A=$(archive_in "$R/out")
check "…and still writes a verifiable archive" vfy "$A"
mkdir "$T/x2" && tar --zstd -xf "$A" -C "$T/x2"
check "…the missing /proc is recorded as an error, not a crash" \
	jqe 'any(.errors[]; .path=="/proc" and .collector=="processes")' "$T/x2/manifest.json"

# The same root with a /proc of its own (a private mount namespace).
sleep 1001 & SLP=$!
at_exit "kill $SLP 2>/dev/null"
mkdir -p "$R/proc"
rm -f "$R/out"/*
check_rc "unshare -m + chroot with /proc mounted: live run exits 0" 0 unshare -m sh -c \
	"mount -t proc proc '$R/proc' && chroot '$R' /csirt-collect run -q --case STATIC-3 -o /out --no-yara"
A=$(archive_in "$R/out")
mkdir "$T/x3" && tar --zstd -xf "$A" -C "$T/x3"
check "…the processes of the host are listed" \
	jqe -s "any(.[]; .pid==$SLP and .cmdline==[\"sleep\",\"1001\"])" "$T/x3/live/processes.jsonl"

# --- LD_PRELOAD and /etc/ld.so.preload are ignored -----------------------
# The userland hider of tests/cli/t-live.sh: readdir skips HIDE_PID.
cc -shared -fPIC -o "$T/libhide.so" "$CC_TOP/tests/tools/libhide.c" -ldl
sleep 1003 & VICTIM=$!
at_exit "kill $VICTIM 2>/dev/null"
check "the hider hides the victim from a dynamic ls /proc" \
	test -z "$(LD_PRELOAD=$T/libhide.so HIDE_PID=$VICTIM ls /proc | grep -x "$VICTIM")"
mkdir -p "$T/p/o" "$T/p/x"
check_rc "the static agent under LD_PRELOAD=hider exits 0" 0 \
	env LD_PRELOAD="$T/libhide.so" HIDE_PID="$VICTIM" \
	"$S" run -q -o "$T/p/o" -p LinuxCronFiles --no-yara
tar --zstd -xf "$(archive_in "$T/p/o")" -C "$T/p/x"
check "…the victim pid is listed" \
	jqe -s "any(.[]; .pid==$VICTIM and .cmdline==[\"sleep\",\"1003\"])" "$T/p/x/live/processes.jsonl"
check "…and not even as hidden: the preload never ran" \
	jqe -s "any(.[]; .pid==$VICTIM and .hidden==false)" "$T/p/x/live/processes.jsonl"
check "…no process is reported hidden" \
	jqe -s '[.[] | select(.hidden)] | length == 0' "$T/p/x/live/processes.jsonl"
if command -v strace >/dev/null; then
	check "the static binary never looks at /etc/ld.so.preload (a dynamic one does)" sh -c \
		"! (strace -f -e trace=%file '$S' --version 2>&1 | grep -q ld.so.preload) &&
		 strace -f -e trace=%file '$CC_BIN' --version 2>&1 | grep -q ld.so.preload"
fi

# --- Upload host resolution without NSS libraries -----------------------
sshd_start || { nok "sshd started"; exit 1; }
cp "$SSHD_KEY" "$R/key"
rm -rf "$R/proc" "$R/out"/*
upl() {	# DESC RC HOST [chroot-setup]
	d=$1 rc=$2 host=$3
	check_rc "$d" "$rc" chroot "$R" /csirt-collect run -q --root /fix -o /out \
		--upload "sftp://$SSHD_USER@$host:$SSHD_PORT/upload" --identity /key \
		--host-key "$SSHD_FP" --no-yara
}
upl "chroot, no /etc at all: upload to 127.0.0.1 exits 0" 0 127.0.0.1
check "…the archive is on the drop box" test -n "$(archive_in "$SSHD_DROP/upload")"
rm -f "$SSHD_DROP/upload"/*
mkdir -p "$R/etc"
printf '127.0.0.1 localhost\n127.0.0.1 dropbox.test\n' >"$R/etc/hosts"
# A hostile nsswitch.conf naming a module: glibc would dlopen
# libnss_evil.so.2 from the host; the agent uses files and dns only.
printf 'hosts: evil files dns\n' >"$R/etc/nsswitch.conf"
upl "chroot, a name from /etc/hosts: upload to dropbox.test exits 0" 0 dropbox.test
N=$(archive_in "$SSHD_DROP/upload")
check "…the archive is on the drop box and stock minisign verifies it" \
	minisign -Vq -m "$N" -p "$N.pub"
if command -v strace >/dev/null; then
	rm -f "$SSHD_DROP/upload"/*
	strace -f -o "$T/strace" -e trace=%file chroot "$R" /csirt-collect run -q --root /fix \
		-o /out --upload "sftp://$SSHD_USER@dropbox.test:$SSHD_PORT/upload" --identity /key \
		--host-key "$SSHD_FP" --no-yara >/dev/null 2>&1
	check "…no NSS module is loaded although nsswitch.conf names one" \
		sh -c "grep -q '/etc/hosts' '$T/strace' && ! grep -q 'libnss_' '$T/strace'"
fi
rm -f "$SSHD_DROP/upload"/*
printf '[upload]\nretries = 0\n' >"$R/retry.ini"
check_rc "chroot, an unknown name and no resolv.conf: exit 3" 3 chroot "$R" /csirt-collect run -q \
	-c /retry.ini --root /fix -o /out --no-yara --identity /key --host-key "$SSHD_FP" \
	--upload "sftp://$SSHD_USER@nowhere.invalid:$SSHD_PORT/upload"
last_err_has "cannot resolve nowhere.invalid" && ok "…the message says the name cannot be resolved" ||
	nok "no resolution message"
exit 0
