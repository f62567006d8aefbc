#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# The arm64 static agent and .deb (make static deb ARCH=arm64), run under
# qemu-user on an amd64 host: the binary (aarch64, static); a dead-box
# run of a fixture with a YARA rule, whose archive the arm64 agent, this
# host's agent, stock minisign and tar accept (and a flipped byte is
# refused); every system call the arm64 collection makes is in the arm64
# seccomp allow list (qemu -strace: qemu-user does not implement seccomp,
# so the filter itself cannot be entered here); a kit made by this host's
# agent around the arm64 one, run with no argument (a live run, /proc of
# the host through qemu); the unit tests and fuzz replays built for arm64;
# the .deb's metadata and contents.
# Run by make check-arm64 (tests/run.sh BUILD packaging t-arm64).
. "$(dirname "$0")/../cli/lib.sh"
# One collation for sort and comm (the system-call lists).
export LC_ALL=C
A64=${CC_ARM64_BUILD:-$CC_TOP/build-arm64}
case $A64 in /*) ;; *) A64=$CC_TOP/$A64 ;; esac
S=$A64/csirt-collect-static
VERSION=$("$CC_BIN" --version | awk '{print $2}')
DEB=$A64/csirt-collect_${VERSION}_arm64.deb

if [ ! -x "$S" ]; then nok "$S missing: make static ARCH=arm64"; exit 1; fi
# On an arm64 host the binary runs as is.
if [ "$(uname -m)" = aarch64 ]; then QEMU=""
elif command -v qemu-aarch64-static >/dev/null; then QEMU=qemu-aarch64-static
elif command -v qemu-aarch64 >/dev/null; then QEMU=qemu-aarch64
else nok "qemu-aarch64-static missing: make deps ARCH=arm64"; exit 1; fi
a64() { $QEMU "$@"; }

# --- The binary -------------------------------------------------------
check "file says ARM aarch64, statically linked, stripped" sh -c \
	"file -b '$S' | grep -q 'ARM aarch64' && file -b '$S' | grep -q 'statically linked' &&
	 file -b '$S' | grep -q ', stripped'"
check "no program interpreter, no needed library" \
	sh -c "! readelf -lW '$S' | grep -q INTERP && ! readelf -dW '$S' | grep -q NEEDED"
check_rc "under ${QEMU:-no emulator}: --version exits 0" 0 a64 "$S" --version
check "…and prints csirt-collect $VERSION" grep -qx "csirt-collect $VERSION" "$T/.out"

# --- Dead-box run with a YARA rule ----------------------------------------
FIX=$T/fix
make_fixture "$FIX"
printf 'xx ARM64-PLANTED-MARKER yy\n' >"$FIX/tmp/dropper"
printf 'rule arm64_planted { strings: $a = "ARM64-PLANTED-MARKER" condition: $a }\n' >"$T/r.yar"
mkdir -p "$T/o1" "$T/x1"
check_rc "run --root FIXTURE --rules R exits 0" 0 a64 "$S" run -q --json \
	--case ARM64-1 --root "$FIX" -o "$T/o1" --rules "$T/r.yar"
cp "$T/.out" "$T/o1.json"; cp "$T/.err" "$T/o1.err"
A=$(archive_in "$T/o1")
check "…an archive is written, the --json summary names it with 1 YARA match" \
	jqe -e '.status=="ok" and (.archive|endswith(".tar.zst")) and .yara.matches==1' "$T/o1.json"
check_rc "the arm64 agent verifies it" 0 a64 "$S" verify "$A"
check_rc "this host's agent verifies it" 0 "$CC_BIN" verify "$A"
check "stock minisign verifies it" minisign -Vq -m "$A" -p "$A.pub"
check "stock tar --zstd -t lists the manifest and the fixture's passwd" sh -c \
	"tar --zstd -tf '$A' >'$T/list' && grep -qx manifest.json '$T/list' &&
	 grep -qx files/etc/passwd '$T/list'"
tar --zstd -xf "$A" -C "$T/x1"
check "…the fixture's files are in it (passwd, auth.log, cron)" \
	test -s "$T/x1/files/etc/passwd" -a -s "$T/x1/files/var/log/auth.log" -a -s "$T/x1/files/etc/cron.d/evil"
check "…users were read from the fixture's passwd" \
	jqe -s 'any(.[]; .name=="alice" and .uid==1000)' "$T/x1/live/users.jsonl"
check "yara/matches.jsonl: the rule matched the planted file" \
	jqe -s 'any(.[]; .rule=="arm64_planted" and .path=="/tmp/dropper" and .target=="file")' \
	"$T/x1/yara/matches.jsonl"
check "…and nothing else" jqe -s 'length==1' "$T/x1/yara/matches.jsonl"
# Must fail: one flipped byte in the middle of the archive.
cp "$A" "$T/flip.tar.zst"; cp "$A.minisig" "$T/flip.tar.zst.minisig"
flip_byte "$T/flip.tar.zst" $(( $(stat -c %s "$A") / 2 ))
check_rc "the arm64 agent refuses an archive with a flipped byte: exit 4" 4 \
	a64 "$S" verify "$T/flip.tar.zst" -p "$A.pub"
last_err_has "FAILED" && ok "…and says FAILED" || nok "no FAILED message"
check_rc "a rule file with a syntax error: exit 2" 2 a64 "$S" run -q --root "$FIX" \
	-o "$T/o1" --rules "$CC_TOP/tests/packaging/t-arm64.sh"

# --- System calls: the arm64 allow list ------------------------------------
# qemu-user has no seccomp: the agent says it runs without the sandbox.
# What qemu -strace shows the collection do after its seccomp call (all
# but the supervising parent, the first pid) must be in sandbox.c's list
# for arm64 (the x86_64-only and sanitizer blocks left out).
if [ -n "$QEMU" ]; then
	grep -q "running without the sandbox: seccomp: Function not implemented" "$T/o1.err" &&
		ok "under qemu-user the log says the run has no sandbox (qemu implements no seccomp)" ||
		nok "no 'running without the sandbox' line under qemu"
	skip "the arm64 seccomp filter is not entered under qemu-user (no seccomp there); its list is checked against the calls made instead"
	awk '/sandbox_allowed\[\] = \{/,/^};/' "$CC_TOP/agent/sandbox.c" |
		awk '/^#if defined\(__x86_64__\)|^#ifdef SANDBOX_SANITIZER/ {skip=1; next}
		     /^#endif/ {skip=0} !skip' |
		grep -o 'SYS_[a-z0-9_]*' | sed 's/^SYS_//' | sort -u >"$T/allowed"
	# calls_outside TRACE: the calls of the collection not in the list.
	# qemu 7.2 names no call newer than Linux 5.x: those by number
	# (arm64's generic table).
	calls_outside() {
		awk '/ seccomp\(/ && !s {s=1; next} s' "$1" |
			grep -ao '[0-9]\+ [a-z0-9_]\+(\|Unknown syscall [0-9]*' |
			grep -v "^$(head -n 1 "$1" | awk '{print $1}') " |
			sed 's/^[0-9]* //; s/($//; s/^Unknown syscall 293$/rseq/
			    s/^Unknown syscall 434$/pidfd_open/; s/^Unknown syscall 435$/clone3/
			    s/^Unknown syscall 436$/close_range/; s/^Unknown syscall 437$/openat2/
			    s/^Unknown syscall 438$/pidfd_getfd/; s/^Unknown syscall 439$/faccessat2/' |
			sort -u | comm -23 - "$T/allowed"
	}
	mkdir -p "$T/o2"
	a64 -strace "$S" run -q --case ARM64-2 --root "$FIX" -o "$T/o2" \
		--rules "$T/r.yar" >/dev/null 2>"$T/qtrace"
	check "qemu -strace: a dead-box run with YARA ran and tried seccomp" sh -c \
		"test -n '$(archive_in "$T/o2")' && grep -aq ' seccomp(' '$T/qtrace'"
	check "…it ran no program (no execve)" sh -c "! grep -aq ' execve(' '$T/qtrace'"
	n=$(wc -l <"$T/allowed")
	out=$(calls_outside "$T/qtrace")
	check "…every call it made after seccomp is in the arm64 allow list ($n calls)" \
		test -z "$out"
	[ -z "$out" ] || echo "    not in the list: $out"
	# The check itself catches a call outside the list.
	{ head -n 1 "$T/qtrace"; echo "9 seccomp(1,1,0) = -1"; echo "9 execve(\"/bin/sh\") = 0"
	  echo "9 Unknown syscall 293"; echo "9 Unknown syscall 999"; } >"$T/fake"
	check "…(self-test: an execve or an unknown call after seccomp is caught; rseq by number is not)" \
		test "$(calls_outside "$T/fake" | tr '\n' ' ')" = "Unknown syscall 999 execve "
fi

# --- The unit tests and fuzz replays, built for arm64 ----------------------
# The parsers meet arm64's unsigned char and alignment here. Three cases
# test what qemu-user does not emulate: SKIP with why (they run natively
# in make check).
qemu_limit() {	# a FAIL line -> why qemu-user cannot run it, or nothing
	case $1 in
	*"test_sandbox.c: "*) echo "qemu-user implements no seccomp" ;;
	*"test_os.c: test_openat2:"*) echo "qemu-user 7.2 has no openat2 (the fallback walk is test_os's test_walk)" ;;
	*"test_procmem.c: test_procmem_blocks:"*) echo "qemu-user does not translate /proc/PID/mem for its guest" ;;
	esac
}
# units DESC PROGRAM [ARGS]: PASS when the program's checks pass under
# qemu, its FAIL lines being only what qemu_limit explains.
units() {
	d=$1; shift
	a64 "$@" >"$T/.unit" 2>&1; rc=$?
	np=$(grep -c '^PASS ' "$T/.unit"); bad=0 known=0
	while IFS= read -r l; do
		[ -n "$l" ] || continue
		why=$(qemu_limit "$l")
		if [ -n "$why" ]; then
			known=$((known + 1)); skip "$d: ${l#FAIL } — $why"
		else
			bad=$((bad + 1)); nok "$d: ${l#FAIL }"
		fi
	done <<EOF_UNIT
$(grep '^FAIL ' "$T/.unit")
EOF_UNIT
	[ "$bad" -eq 0 ] || return
	if [ "$known" -gt 0 ]; then
		[ "$np" -eq 0 ] || ok "$d: the $np other checks passed"
	elif [ "$rc" -eq 0 ] && [ "$np" -gt 0 ]; then
		ok "$d: $np checks passed"
	else
		nok "$d: exit $rc, $np checks passed"; tail -n 5 "$T/.unit" | sed 's/^/    /'
	fi
}
n=0
for u in "$A64"/tests/test_*; do
	[ -x "$u" ] || continue
	units "unit ${u##*/} (arm64)" "$u"; n=$((n + 1))
done
[ "$n" -gt 0 ] || nok "no arm64 unit test in $A64/tests (make check-arm64 builds them)"
n=0
for f in "$A64"/fuzz/replay_*; do
	[ -x "$f" ] || continue
	units "fuzz replay ${f##*/replay_} (arm64)" "$f" "${f##*/replay_}" \
		"$CC_TOP/tests/fuzz/corpus/${f##*/replay_}"; n=$((n + 1))
done
[ "$n" -gt 0 ] || nok "no arm64 fuzz replay in $A64/fuzz (make check-arm64 builds them)"

# --- The kit: made here, run under qemu with no argument --------------------
cd "$T" || exit 1
mkdir -p ko
printf '[case]\nid = KIT-A64\n[output]\ndir = %s/ko\n[scan]\nyara = no\n[collection]\nprofile = LinuxCronFiles\nprocess_dump = no\n' \
	"$T" >kit.ini
check_rc "this host's agent bundles the arm64 agent (--agent): exit 0" 0 \
	"$CC_BIN" bundle -c kit.ini -o kit64 --agent "$S"
check "…the kit is an aarch64 static binary" sh -c "file -b kit64 | grep -q 'ARM aarch64.*statically linked'"
check_rc "…and says it is pre-configured" 0 a64 ./kit64 --version
grep -q "pre-configured" "$T/.out" && ok "…(--version)" || nok "kit --version: not pre-configured"
# Must fail: an ELF of a machine the project does not build (RISC-V).
cp "$S" riscv; printf '\363\000' | dd of=riscv bs=1 seek=18 conv=notrunc 2>/dev/null
check_rc "bundle refuses an agent for another machine (RISC-V): exit 2" 2 \
	"$CC_BIN" bundle -c kit.ini -o kitrv --agent riscv
last_err_has "not an ELF executable" && ok "…and says why" || nok "RISC-V refusal message"
check "…and writes no kit" test ! -e kitrv -a ! -e kitrv.pub
# The live run: a process of the host planted, to be found in its archive.
sleep 1007 & SLP=$!
at_exit "kill $SLP 2>/dev/null"
# A private network namespace when possible: the run lock is per namespace.
NS=""
[ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null && NS="unshare -n"
check_rc "the kit with no argument (a live run under ${QEMU:-no emulator}): exit 0" 0 \
	$NS $QEMU ./kit64
K=$(archive_in ko)
check "…its archive is in the kit's output dir, with the kit's case id" \
	sh -c "basename '$K' | grep -q '^KIT-A64_.*tar.zst$'"
check "…stock minisign verifies it with kit64.pub" minisign -Vq -m "$K" -p kit64.pub
check_rc "…this host's agent verifies it" 0 "$CC_BIN" verify "$K" -p kit64.pub
mkdir -p kx && tar --zstd -xf "$K" -C kx
check "…the planted process of the host is listed" \
	jqe -s "any(.[]; .pid==$SLP and .cmdline==[\"sleep\",\"1007\"])" kx/live/processes.jsonl
check "…the system record says aarch64 (uname under qemu)" \
	jqe -s 'any(.[]; tostring|test("aarch64"))' kx/live/system.jsonl
# Must fail: a kit cut short (its trailer gone) refuses to run.
head -c $(( $(stat -c %s kit64) - 10 )) kit64 >kitcut; chmod +x kitcut
check_rc "a kit cut short refuses to run: exit 2" 2 a64 ./kitcut --version
last_err_has "damaged" && ok "…and says it is damaged" || nok "cut kit message"

# --- The .deb ------------------------------------------------------------
if [ ! -s "$DEB" ]; then nok "$DEB missing: make deb ARCH=arm64"; exit 1; fi
dpkg-deb -I "$DEB" >"$T/info"
check "dpkg-deb -I: Package csirt-collect, Version $VERSION, Architecture arm64" sh -c \
	"grep -qx ' Package: csirt-collect' '$T/info' && grep -qx ' Version: $VERSION' '$T/info' &&
	 grep -qx ' Architecture: arm64' '$T/info'"
check "…no Depends (static binary)" sh -c "! grep -q '^ Depends:' '$T/info'"
dpkg-deb -c "$DEB" | awk '{print $1, $2, $NF}' >"$T/dlist"
for f in "-rwxr-xr-x root/root ./usr/bin/csirt-collect" \
	"-rw-r--r-- root/root ./usr/share/man/man1/csirt-collect.1.gz" \
	"-rw-r--r-- root/root ./usr/share/doc/csirt-collect/copyright" \
	"drwxr-xr-x root/root ./var/lib/csirt-collect/"; do
	check "dpkg-deb -c: $f" grep -qxF -- "$f" "$T/dlist"
done
mkdir -p "$T/deb" && dpkg-deb -x "$DEB" "$T/deb"
check "the packaged binary is the arm64 static one" cmp -s "$T/deb/usr/bin/csirt-collect" "$S"
check_rc "…and runs under ${QEMU:-no emulator}: --version" 0 a64 "$T/deb/usr/bin/csirt-collect" --version
check_lintian "$DEB"
exit 0
