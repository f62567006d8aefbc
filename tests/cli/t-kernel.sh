#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# The kernel collector (issue 18, part 4) against ground truth the test
# makes as root: a kernel log line written to /dev/kmsg with a unique
# marker, two binfmt_misc handlers it registers (removed on exit), an
# eBPF program and map held by tests/tools/bpfhold (which may call bpf();
# the agent may not) and pinned in a bpf file system it mounts, and the
# sysctl, core_pattern and LSM values the host shows through sysctl and
# /sys. The test re-runs itself in a private mount namespace, so its
# mounts (binfmt_misc when absent, the bpf file system) never reach the
# host. The agent runs under strace: no execve, no bpf(). Also: a tmpfs
# on the binfmt_misc mount point is not read, and --root gives no kernel
# streams.
#
# systemd mounts binfmt_misc on first access (autofs): trigger it here, on
# the host, as systemd would; inside the private namespace it could hang.
if [ -z "${KT_NS:-}" ] && [ "$(id -u)" = 0 ] &&
    awk '$5 == "/proc/sys/fs/binfmt_misc"' /proc/self/mountinfo | grep -q ' - autofs '; then
	timeout 10 ls /proc/sys/fs/binfmt_misc >/dev/null 2>&1
fi
if [ -z "${KT_NS:-}" ] && [ "$(id -u)" = 0 ] &&
    unshare -m --propagation private true 2>/dev/null; then
	KT_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
	skip "needs root (/dev/kmsg, binfmt_misc, bpf)"; exit 0
fi
if [ -z "${KT_NS:-}" ]; then
	skip "no private mount namespace (unshare -m): not run"; exit 0
fi
BPFHOLD=${CC_BUILD:-$CC_TOP/build}/tools/bpfhold
MARK="csirt-test-$$-$(date +%s%N)"
BM=/proc/sys/fs/binfmt_misc
BFE="csirt-test-e-$$"
BFM="csirt-test-m-$$"
hold_pid=""
at_exit 'exec 9>&- 2>/dev/null; [ -n "$hold_pid" ] && kill $hold_pid 2>/dev/null'

# mounted_at DIR FSTYPE: the mount on top at DIR has type FSTYPE.
mounted_at() {
	awk -v d="$1" '$5 == d { for (i = 7; i < NF && $i != "-"; i++); t = $(i + 1) }
		END { print t }' /proc/self/mountinfo | grep -qx "$2"
}

# --- Ground truth -------------------------------------------------------
# binfmt_misc: mounted here if absent (private namespace); two handlers.
if ! mounted_at $BM binfmt_misc; then
	mount -t binfmt_misc binfmt_misc $BM 2>"$T/bm.err"
fi
have_bm=0
if mounted_at $BM binfmt_misc &&
    printf ':%s:E::csirtt%s::/bin/true:\n' "$BFE" "$$" >$BM/register &&
    printf ':%s:M:2:CSIRT%s::/bin/false:P\n' "$BFM" "$$" >$BM/register; then
	have_bm=1
	at_exit "echo -1 >$BM/$BFE; echo -1 >$BM/$BFM"
	echo 0 >$BM/$BFE		# one disabled handler
fi 2>>"$T/bm.err"

# eBPF: a held program and map, the program pinned in a fresh bpffs.
have_bpf=0
mkdir -p "$T/bpffs"
if mount -t bpf bpf "$T/bpffs" 2>"$T/bpf.err"; then
	mkfifo "$T/hold"
	"$BPFHOLD" "$T/bpffs/csirt_pin" <"$T/hold" >"$T/bpf.out" \
		2>>"$T/bpf.err" & hold_pid=$!
	exec 9>"$T/hold"
	for i in $(seq 50); do [ -s "$T/bpf.out" ] && break
		kill -0 $hold_pid 2>/dev/null || break; sleep 0.1; done
	[ -s "$T/bpf.out" ] && have_bpf=1
fi
# bpf_field NAME: a value of bpfhold's line.
bpf_field() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' "$T/bpf.out"; }

# securityfs and tracefs: mounted here if absent (private namespace), so
# that the run reads them; unmounted for the later run, which must not.
mnt_sec=0 mnt_tr=0
if ! mounted_at /sys/kernel/security securityfs &&
    mount -t securityfs securityfs /sys/kernel/security 2>/dev/null; then
	mnt_sec=1
fi
if ! mounted_at /sys/kernel/tracing tracefs &&
    mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null; then
	mnt_tr=1
fi

WROTE=$(date +%s)
echo "<4>$MARK" >/dev/kmsg

# --- The run, under strace when there is one ------------------------------
mkdir -p "$T/o" "$T/x"
have_strace=0
if command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null; then
	have_strace=1
	env "$NOLEAK_ENV" strace -f -qq -o "$T/strace" -e trace=execve,bpf \
		"$CC_BIN" run -o "$T/o" -p LinuxCronFiles --no-yara -q \
		>"$T/stdout" 2>"$T/stderr"
else
	"$CC_BIN" run -o "$T/o" -p LinuxCronFiles --no-yara -q \
		>"$T/stdout" 2>"$T/stderr"
fi
rc=$?
a=$(archive_in "$T/o")
[ -n "$a" ] && tar --zstd -xf "$a" -C "$T/x"
check "the run exits 0" test "$rc" = 0
KL=$T/x/live/kernel_log.jsonl
K=$T/x/live/kernel.jsonl
B=$T/x/live/bpf.jsonl
L=$T/x/collection.log
check "kernel_log and kernel streams written" test -s "$KL" -a -s "$K"

# --- Kernel log -------------------------------------------------------------
check "the marker line is in kernel_log with level warning, facility user" \
	jqe --arg m "$MARK" -s 'map(select(.message == $m)) | length == 1 and
		.[0].level == "warning" and .[0].facility == "user"' "$KL"
check "the marker's time is within 5 s of when it was written" \
	jqe --arg m "$MARK" --argjson w "$WROTE" -s 'map(select(.message == $m))
		| .[0].time | sub("\\.[0-9]+Z$"; "Z") | fromdate - $w |
		(. >= -5 and . <= 5)' "$KL"
check "every kernel_log record has seq, level, time, monotonic_us, fields" \
	jqe -s 'length > 1 and all(.[]; (.seq|type) == "number" and
		(.level|IN("emerg","alert","crit","err","warning","notice",
		"info","debug")) and (.time|test("^20[0-9-]+T[0-9:.]+Z$")) and
		(.monotonic_us|type) == "number" and (.fields|type) == "object"
		and (.message|type) == "string")' "$KL"
check "kernel_log seq numbers ascend" \
	jqe -s '[.[].seq] as $s | $s == ($s | sort) and ($s | unique | length) == ($s | length)' "$KL"
n=$(wc -l <"$KL")
check "the log counts the records read and the malformed ones (0)" \
	jqe --arg n "$n" -s 'map(select(.collector == "kernel" and
		(.message | startswith("kernel log: " + $n + " records (0 malformed skipped"))))
		| length == 1' "$L"

# --- Sysctls and hooks --------------------------------------------------------
for s in kernel.randomize_va_space net.ipv4.ip_forward fs.protected_hardlinks \
    kernel.kptr_restrict vm.mmap_min_addr; do
	want=$(sysctl -n "$s" 2>/dev/null)
	check "sysctl $s is what sysctl -n says ($want)" \
		jqe --arg n "$s" --arg v "$want" -s 'map(select(.kind == "sysctl"
			and .name == $n)) | length == 1 and .[0].value == $v' "$K"
done
absent=$(jq -r 'select(.kind == "sysctl" and .value == null) | .name' "$K")
ok_absent=1
for s in $absent; do
	sysctl -n "$s" >/dev/null 2>&1 && ok_absent=0
	jqe --arg n "$s" -s 'map(select(.collector == "kernel" and (.message |
		startswith("sysctls absent") and contains(" " + $n)))) | length == 1' \
		"$L" || ok_absent=0
done
check "a null sysctl is absent for sysctl too, and named in the log ($(echo $absent | wc -w))" \
	test $ok_absent = 1
check "core_pattern is /proc/sys/kernel/core_pattern" \
	jqe --arg v "$(cat /proc/sys/kernel/core_pattern)" -s 'map(select(.kind ==
		"hook" and .name == "core_pattern")) | .[0].value == $v' "$K"

# --- binfmt_misc ----------------------------------------------------------
if [ $have_bm = 1 ]; then
	magic=$(sed -n 's/^magic //p' $BM/$BFM)
	check "binfmt_misc magic handler: interpreter, flags, offset, magic (as the kernel shows it)" \
		jqe --arg n "$BFM" --arg m "$magic" -s 'map(select(.kind ==
			"binfmt_misc" and .name == $n)) | length == 1 and
			.[0].value == {enabled: true, interpreter: "/bin/false",
			flags: "P", offset: 2, magic: $m, mask: null,
			extension: null}' "$K"
	check "the magic is the hex of CSIRT$$" test "$magic" = \
		"$(printf 'CSIRT%s' $$ | od -An -tx1 | tr -d ' \n')"
	check "binfmt_misc extension handler: disabled, extension .csirtt$$" \
		jqe --arg n "$BFE" --arg e ".csirtt$$" -s 'map(select(.kind ==
			"binfmt_misc" and .name == $n)) | length == 1 and
			.[0].value.enabled == false and .[0].value.extension == $e
			and .[0].value.interpreter == "/bin/true"' "$K"
	check "binfmt_misc status recorded" jqe -s --arg v "$(cat $BM/status)" \
		'map(select(.kind == "binfmt_misc" and .name == "status")) |
		.[0].value == $v' "$K"
else
	skip "binfmt_misc cannot be mounted or written here: $(head -c 200 "$T/bm.err")"
fi

# --- eBPF ------------------------------------------------------------------
if [ $have_bpf = 1 ]; then
	bp=$(bpf_field pid)
	pfd=$(bpf_field prog_fd)
	check "the held program: prog_type 1, prog_tag and prog_id as the kernel reports" \
		jqe --argjson p "$bp" --argjson fd "$pfd" --arg tag "$(bpf_field prog_tag)" \
		--argjson id "$(bpf_field prog_id)" -s 'map(select(.pid == $p and
		.fd == $fd)) | length == 1 and .[0].kind == "prog" and
		.[0].process == "bpfhold" and .[0].fields.prog_type == 1 and
		.[0].fields.prog_tag == $tag and .[0].fields.prog_id == $id' "$B"
	check "the held program's fields are /proc/PID/fdinfo's" \
		jqe --argjson p "$bp" --argjson fd "$pfd" \
		--arg jited "$(sed -n 's/^prog_jited:\t//p' /proc/$bp/fdinfo/$pfd)" \
		--arg ml "$(sed -n 's/^memlock:\t//p' /proc/$bp/fdinfo/$pfd)" \
		-s 'map(select(.pid == $p and .fd == $fd)) | .[0].fields |
		(.prog_jited|tostring) == $jited and (.memlock|tostring) == $ml' "$B"
	check "the held map: map_type 2, key_size 4, value_size 8, max_entries 1, map_id" \
		jqe --argjson p "$bp" --argjson fd "$(bpf_field map_fd)" \
		--argjson id "$(bpf_field map_id)" -s 'map(select(.pid == $p and
		.fd == $fd)) | length == 1 and .[0].kind == "map" and
		.[0].fields.map_type == 2 and .[0].fields.key_size == 4 and
		.[0].fields.value_size == 8 and .[0].fields.max_entries == 1 and
		.[0].fields.map_id == $id' "$B"
	check "the pinned program: path, inode, mode, uid (metadata only)" \
		jqe --arg path "$T/bpffs/csirt_pin" \
		--argjson ino "$(stat -c %i "$T/bpffs/csirt_pin")" \
		--argjson mode "$((8#$(stat -c %a "$T/bpffs/csirt_pin")))" \
		-s 'map(select(.kind == "pinned" and .path == $path)) | length == 1
		and .[0].inode == $ino and .[0].mode == $mode and .[0].uid == 0
		and .[0].type == "file"' "$B"
else
	skip "no eBPF object could be made here: $(head -c 200 "$T/bpf.err")"
fi

# --- LSM: the record matches /sys, or the log says why there is none -------
if [ -r /sys/module/apparmor/parameters/enabled ]; then
	check "apparmor.enabled matches /sys" jqe --arg v \
		"$(cat /sys/module/apparmor/parameters/enabled)" -s 'map(select(
		.name == "apparmor.enabled")) | .[0].value == $v' "$K"
else
	check "no AppArmor: the log says why" jqe -s 'map(select(.message |
		startswith("AppArmor: no /sys/module/apparmor"))) | length == 1' "$L"
fi
# mount_check MOUNT FSTYPE NAME FILE WHY: NAME's record is FILE's text when
# FSTYPE is mounted at MOUNT, else the log has a line starting with WHY.
mount_check() {
	if mounted_at "$1" "$2"; then
		check "$3 matches $4" jqe --arg n "$3" --arg v "$(cat "$4")" \
			-s 'map(select(.name == $n)) | length == 1 and
			.[0].value == $v' "$K"
	else
		check "no $2: the log says why" jqe --arg w "$5" -s \
			'map(select(.message | startswith($w))) | length == 1' "$L"
	fi
}
mount_check /sys/fs/selinux selinuxfs selinux.enforce /sys/fs/selinux/enforce \
	"SELinux: no selinuxfs mounted"
mount_check /sys/kernel/security securityfs lsm /sys/kernel/security/lsm \
	"securityfs not mounted"
mount_check /sys/kernel/security securityfs lockdown \
	/sys/kernel/security/lockdown "securityfs not mounted"
mount_check /sys/kernel/tracing tracefs current_tracer \
	/sys/kernel/tracing/current_tracer "tracefs not mounted"
mount_check /sys/kernel/tracing tracefs uprobe_events \
	/sys/kernel/tracing/uprobe_events "tracefs not mounted"

# --- No program run, no bpf() ----------------------------------------------
if [ $have_strace = 1 ]; then
	check "the agent ran no program (one execve: its own start)" \
		test "$(grep -c 'execve(' "$T/strace")" = 1
	check "the agent never called bpf()" \
		test "$(grep -c ' bpf(' "$T/strace")" = 0
else
	skip "no strace (or ptrace not allowed): execve and bpf not traced"
fi

# --- Another file system on the binfmt_misc mount point: not read -----------
# (private mount namespace: the tmpfs hides the real one from this test only)
# (and without the securityfs and tracefs mounted above: their absence said)
[ $mnt_sec = 1 ] && umount /sys/kernel/security
[ $mnt_tr = 1 ] && umount /sys/kernel/tracing
if mount -t tmpfs csirt-fake $BM 2>/dev/null; then
	printf 'enabled\ninterpreter /tmp/evil\n' >$BM/csirt-fake
	mkdir -p "$T/o3" "$T/x3"
	"$CC_BIN" run -o "$T/o3" -p LinuxCronFiles --no-yara -q >/dev/null 2>&1
	umount $BM
	a=$(archive_in "$T/o3")
	[ -n "$a" ] && tar --zstd -xf "$a" -C "$T/x3"
	check "a tmpfs on the binfmt_misc mount point: the log says it is not binfmt_misc" \
		jqe -s 'map(select(.message | test("^binfmt_misc not mounted at " +
		"/proc/sys/fs/binfmt_misc \\(another file system is there\\)")))
		| length == 1' "$T/x3/collection.log"
	check "a tmpfs on the binfmt_misc mount point: no binfmt_misc record" \
		jqe -s 'length > 0 and all(.[]; .kind != "binfmt_misc")' \
		"$T/x3/live/kernel.jsonl"
	for w in "securityfs not mounted at /sys/kernel/security" \
	    "tracefs not mounted at /sys/kernel/tracing"; do
		case $w in
		securityfs*) mine=$mnt_sec ;;
		*) mine=$mnt_tr ;;
		esac
		if [ $mine = 0 ]; then
			skip "mounted on the host: '$w' not checked"; continue
		fi
		check "unmounted again: the log says '$w'" jqe --arg w "$w" -s \
			'map(select(.message | startswith($w))) | length == 1' \
			"$T/x3/collection.log"
	done
	if [ $mnt_sec = 1 ] && [ $mnt_tr = 1 ]; then
		check "unmounted again: no lsm, lockdown or tracing record" \
			jqe -s 'all(.[]; .kind != "tracing" and .name != "lsm"
			and .name != "lockdown")' "$T/x3/live/kernel.jsonl"
	fi
else
	skip "cannot mount a tmpfs on $BM here: the wrong-file-system case not run"
fi

# --- Dead-box: no kernel state from an image ------------------------------
make_fixture "$T/fx"
mkdir -p "$T/o2" "$T/x2"
"$CC_BIN" run --root "$T/fx" -o "$T/o2" -p LinuxCronFiles --no-yara -q \
	>/dev/null 2>&1
a=$(archive_in "$T/o2")
[ -n "$a" ] && tar --zstd -xf "$a" -C "$T/x2"
check "with --root: an archive, and no kernel streams (live only)" \
	test -n "$a" -a ! -e "$T/x2/live/kernel_log.jsonl" -a \
	! -e "$T/x2/live/kernel.jsonl" -a ! -e "$T/x2/live/bpf.jsonl"
