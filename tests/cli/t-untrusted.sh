#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# The commands that parse input from elsewhere (`verify` and `export` an
# archive, `decrypt` an age file, `rules verify|install` a bundle) enter the
# sandbox (no_new_privs, then the seccomp filter) before they read a
# byte of it: traced with strace -y, the seccomp call comes first and
# succeeds, and every read of the untrusted file comes after it.
. "$(dirname "$0")/lib.sh"

if ! command -v strace >/dev/null || ! strace -f -o /dev/null true 2>/dev/null; then
	echo "SKIP $TNAME: strace missing or ptrace not allowed"
	exit 0
fi
case "$(uname -m)" in
x86_64|aarch64) ;;
*) echo "SKIP $TNAME: no seccomp filter for $(uname -m)"; exit 0 ;;
esac

cd "$T" || exit 1
FIX=$T/fixture
make_fixture "$FIX"
minisign -G -W -p pub -s key >/dev/null 2>&1
mkdir o
"$CC_BIN" run --quiet --root "$FIX" -o o --sign-key key --no-yara >/dev/null 2>&1 ||
	nok "the fixture run failed"
A=$(archive_in o)
mkdir src; echo 'rule A { condition: false }' >src/a.yar
tar -C src -cf - . | zstd -q -o rules.tar.zst
minisign -S -s key -m rules.tar.zst -t "csirt-collect-rules version=3" >/dev/null 2>&1
age-keygen -o id 2>/dev/null
age -r "$(age-keygen -y id)" -o secret.age "$A"

# sandboxed_first NAME FILE CMD...: FILE is read only after the filter.
sandboxed_first() {
	local name=$1 file=$2 trace seq first
	shift 2
	trace=$T/trace.$RANDOM
	strace -f -y -qq -o "$trace" -e trace=seccomp,read,pread64,readv,preadv,preadv2,mmap "$@" \
	    >/dev/null 2>"$T/.err"
	seq=$(grep -n 'seccomp(SECCOMP_SET_MODE_FILTER.*= 0$' "$trace" | head -n 1 | cut -d: -f1)
	first=$(grep -n "<$(realpath "$file")>" "$trace" | head -n 1 | cut -d: -f1)
	if [ -z "$seq" ]; then
		nok "$name: no successful seccomp filter in the trace"
	elif [ -z "$first" ]; then
		nok "$name: the trace shows no read of $file (the test sees nothing)"
	elif [ "$first" -le "$seq" ]; then
		nok "$name: $file read before the sandbox (trace line $first, filter at $seq)"
		sed -n "${first}p" "$trace" | cut -c1-160 | sed 's/^/    /'
	else
		ok "$name: the sandbox is entered before the first read of its input"
	fi
	rm -f "$trace"
}

sandboxed_first "verify" "$A" "$CC_BIN" verify "$A" -p pub
sandboxed_first "export" "$A" "$CC_BIN" export "$A" -p pub --format uac -o exported.tar
check "…and export did its work under the sandbox" tar -tf exported.tar uac.log
sandboxed_first "decrypt" secret.age "$CC_BIN" decrypt -i id -o plain.tar.zst secret.age
check "…and decrypt did its work under the sandbox" cmp -s plain.tar.zst "$A"
sandboxed_first "rules verify" rules.tar.zst "$CC_BIN" rules verify rules.tar.zst -p pub \
    --state-dir "$T/state"
sandboxed_first "rules install" rules.tar.zst "$CC_BIN" rules install rules.tar.zst -p pub \
    --state-dir "$T/state"
check "…and rules install did its work under the sandbox" \
    sh -c "ls '$T/state' | grep -q ."
