#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# make bench: the agent next to the stock tools on the same generated
# tree, in one run; prints a table of times, peak RSS and ratios. Not a
# test: nothing here passes or fails on time.
#
#   SIZE=small (CI) | medium | large (default)
#   RESULTS=1 also writes the table to bench/RESULTS.md
#   BENCH_ONLY=report: only the report row (one agent run of the tree)
#   BENCH_ONLY=iocs: only the indicators' rows (with and without)
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(cd "$BUILD" && pwd)/csirt-collect
SIZE=${SIZE:-large}
case "$SIZE" in
small)	NFILES=1000;	MB=40 ;;
medium)	NFILES=10000;	MB=200 ;;
*)	NFILES=20000;	MB=1000 ;;
esac
T=$(mktemp -d "${TMPDIR:-/tmp}/cc-bench.XXXXXX")
cleanup() { [ -n "${SSHD_PID:-}" ] && kill "$SSHD_PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# measure NAME CMD...: wall seconds and peak RSS (KiB) of CMD's children.
measure() {
	local name=$1 secs rss rc cpu; shift
	python3 - "$@" <<'PY' >"$T/m.$name"
import resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
dt = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{dt:.3f} {ru.ru_maxrss} {r.returncode} {ru.ru_utime + ru.ru_stime:.3f}")
PY
	read -r secs rss rc cpu <"$T/m.$name"
	[ "$rc" = 0 ] || echo "bench: $name exited $rc" >&2
	eval "S_$name=$secs; R_$name=$rss; C_$name=$cpu"
}
# warm: the tree in the page cache before each run. The agent leaves the
# host's page cache as it found it (POSIX_FADV_DONTNEED on what it read),
# so whatever ran after it would read from the disk, and the order of
# the runs would decide the ratios.
warm() { find "$T/root/data" -type f -print0 | xargs -0 cat >/dev/null; }
# rounds NAME...: three rounds, each running every contender once, in
# turn (ABCABCABC), so that a slow spell of this shared machine falls on
# all of them, not on one; each gets its median time and highest RSS.
# Contender NAME is the function c_NAME, called with an empty output
# directory.
rounds() {
	local name i secs rss
	for i in 1 2 3; do
		for name in "$@"; do
			rm -rf "$T/out-$name"; mkdir -p "$T/out-$name"
			warm
			measure "$name$i" bash -c "c_$name \"\$0\"" "$T/out-$name"
		done
	done
	for name in "$@"; do
		eval "set -- \$S_${name}1 \$S_${name}2 \$S_${name}3"
		secs=$(printf '%s\n' "$@" | sort -g | sed -n 2p)
		eval "rss=\$(( R_${name}1 > R_${name}2 ? R_${name}1 : R_${name}2 ))"
		eval "rss=\$(( rss > R_${name}3 ? rss : R_${name}3 ))"
		eval "S_$name=$secs; R_$name=$rss"
	done
}
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }

# The full and triage profiles on this very host (live: bodyfile, artefacts,
# YARA with the built-in rules, process memory, dumps), as a victim would
# run them; before the bench's own tree exists. As root, for SIZE=large or
# BENCH_HOST=1. Next to triage, UAC's ir_triage profile when `uac` is
# installed (UAC_DIR or on PATH): time and what it archived.
# host_run NAME PROFILE: measure one live run, then its archive's counts.
host_run() {
	local a m
	echo "the $2 profile on this host…" >&2
	mkdir "$T/out-$1"
	measure "$1" "$BIN" run -q -p "$2" --nice 0 -o "$T/out-$1"
	a=$(ls "$T/out-$1"/*.tar.zst 2>/dev/null | head -1)
	if [ -n "$a" ]; then
		m=$(tar --zstd -xOf "$a" manifest.json 2>/dev/null)
		eval "F_$1=$(echo "$m" | jq '.stats.entries')"
		eval "M_$1=$(( $(echo "$m" | jq '.stats.bytes') / 1048576 ))"
		eval "Z_$1=$(( $(stat -c %s "$a") / 1048576 ))"
		eval "B_$1=$(tar --zstd -xOf "$a" timeline/bodyfile.txt 2>/dev/null | wc -l)"
		eval "P_$1=$(tar --zstd -xOf "$a" collection.log 2>/dev/null |
			jq -r 'select(.collector == "yara") | .message' |
			sed -n 's/^\([0-9]*\) processes and.*/\1/p' | head -1)"
	fi
	rm -rf "$T/out-$1"
}
if [ -z "${BENCH_ONLY:-}" ] && [ "$(id -u)" -eq 0 ] && { [ "$SIZE" = large ] || [ "${BENCH_HOST:-0}" = 1 ]; }; then
	host_run host full
	host_run triage triage
	UAC=$(command -v uac 2>/dev/null || { [ -x "${UAC_DIR:-/nonexistent}/uac" ] && echo "$UAC_DIR/uac"; })
	if [ -n "$UAC" ]; then
		echo "UAC ir_triage on this host…" >&2
		mkdir "$T/out-uac"
		(cd "$(dirname "$UAC")" && measure uac ./uac -p ir_triage "$T/out-uac")
		S_uac=$(cut -d' ' -f1 "$T/m.uac"); R_uac=$(cut -d' ' -f2 "$T/m.uac")
		U_mb=$(( $(du -sk "$T/out-uac" | cut -f1) / 1024 ))
		rm -rf "$T/out-uac"
	fi
fi

echo "generating $NFILES files, about $MB MB ($SIZE)…" >&2
python3 - "$T/root/data" "$NFILES" "$MB" <<'PY'
import os, random, sys
root, n, mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(42)
per = mb * 1024 * 1024 // n
words = [b"sshd", b"Accepted", b"publickey", b"for", b"root", b"from",
         b"session", b"opened", b"cron"] + [b"10.0.0.%d" % i for i in range(50)]
for i in range(n):
    d = os.path.join(root, "d%03d" % (i % 100))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%06d.log" % i), "wb") as f:
        if i % 4 == 0:
            f.write(os.urandom(per))         # incompressible
        else:
            out, size = [], 0
            while size < per:
                line = b" ".join(random.choice(words) for _ in range(12)) + b"\n"
                out.append(line); size += len(line)
            f.write(b"".join(out)[:per])
PY
cat >"$T/all.yaml" <<'EOY'
name: BenchAll
doc: every file of the bench tree
sources:
- type: FILE
  attributes: {paths: ['/data/**5']}
supported_os: [Linux]
EOY
mkdir "$T/out"
sync

age-keygen -o "$T/age.key" 2>/dev/null
AGEPUB=$(sed -n 's/^# public key: //p' "$T/age.key")
export BIN T AGEPUB
c_tar() { tar -I "zstd -3 -T0" -cf "$1/stock.tar.zst" -C "$T/root" data; }
c_agent() {
	"$BIN" run -q --root "$T/root" --artifacts "$T/all.yaml" -p BenchAll \
		--no-yara --no-process-memory --nice 0 -o "$1"
}
c_agent_age() {
	"$BIN" run -q --root "$T/root" --artifacts "$T/all.yaml" -p BenchAll \
		--no-yara --no-process-memory --nice 0 --recipient "$AGEPUB" -o "$1"
}
export -f c_tar c_agent c_agent_age
# report ARCHIVE (verify through the tap, keep, write the page) next to
# what listing it takes (zstd -dc | tar -t), same archive, warm cache.
report_row() {
	cat "$1" >/dev/null
	measure list sh -c "zstd -dc '$1' | tar -t >/dev/null"
	cat "$1" >/dev/null
	measure report "$BIN" report "$1" -o "$T/report.html" --force
	echo
	echo "| report of a $(( $(stat -c %s "$1") / 1048576 )) MB archive | seconds | CPU seconds | peak RSS (MiB) |"
	echo "| --- | ---: | ---: | ---: |"
	echo "| zstd -dc \\| tar -t | $S_list | $C_list | $((R_list / 1024)) |"
	echo "| csirt-collect report (verify + page of $(( $(stat -c %s "$T/report.html") / 1024 )) KiB) | $S_report | $C_report | $((R_report / 1024)) |"
	echo
	echo "- report / listing: $(ratio "$S_report" "$S_list"), in CPU time $(ratio "$C_report" "$C_list") (target: under 10 s for 1 GB)"
}
# Indicators (issue 21): a full run (every file read, hashed, scanned
# with the built-in rules, packed) with 100,000 hash indicators (md5,
# sha1 and sha256 in thirds: every digest computed) and 10,000 network
# ones (addresses and domains: YARA rules too), next to the same run
# without; target ratio <= 1.10.
ioc_rows() {
python3 - "$T/iocs" <<'PY'
import os, random, sys
d = sys.argv[1]; os.makedirs(d, exist_ok=True)
random.seed(21)
h = lambda n: "%0*x" % (n, random.getrandbits(4 * n))
with open(os.path.join(d, "hash-iocs.txt"), "w") as f:
    for i in range(100000):
        f.write("%s;bench hash %d\n" % (h((32, 40, 64)[i % 3]), i))
with open(os.path.join(d, "c2-iocs.txt"), "w") as f:
    for i in range(5000):
        f.write("198.%d.%d.%d;bench address\n" % (random.randrange(18, 20),
            random.randrange(256), random.randrange(1, 255)))
        f.write("%s.bench-c2.example;bench domain\n" % h(12))
PY
c_ioc_off() {
	"$BIN" run -q --root "$T/root" --artifacts "$T/all.yaml" -p BenchAll \
		--no-process-memory --nice 0 -o "$1"
}
c_ioc_on() {
	"$BIN" run -q --root "$T/root" --artifacts "$T/all.yaml" -p BenchAll \
		--no-process-memory --nice 0 --iocs "$T/iocs" -o "$1"
}
export -f c_ioc_off c_ioc_on
rounds ioc_off ioc_on
}
# BENCH_ONLY=iocs: the indicators' rows alone.
if [ "${BENCH_ONLY:-}" = iocs ]; then
	ioc_rows
	echo
	echo "| what | seconds | peak RSS (MiB) |"
	echo "| --- | ---: | ---: |"
	echo "| csirt-collect full run (built-in rules) | $S_ioc_off | $((R_ioc_off / 1024)) |"
	echo "| the same with 100,000 hash and 10,000 network indicators | $S_ioc_on | $((R_ioc_on / 1024)) |"
	echo
	echo "- indicators: full run with 110,000 indicators / without: $(ratio "$S_ioc_on" "$S_ioc_off") (target ≤ 1.10)"
	exit 0
fi
if [ "${BENCH_ONLY:-}" = report ]; then
	mkdir -p "$T/out-agent"
	c_agent "$T/out-agent"
	report_row "$(ls "$T/out-agent"/*.tar.zst)"
	exit 0
fi
rounds tar agent agent_age
A=$(ls "$T/out-agent"/*.tar.zst)
warm
measure sha sh -c "find '$T/root/data' -type f -print0 | xargs -0 sha256sum"
mkdir "$T/out-cpu"
warm
measure agent_cpu "$BIN" run -q --root "$T/root" --artifacts "$T/all.yaml" -p BenchAll \
	--no-yara --no-process-memory --nice 0 --max-cpu 50 -o "$T/out-cpu"

# YARA with the rule set a CSIRT really runs (signature-base).
SB=$TOP/../shared/signature-base/yara
NCPU=$(nproc)
if [ -d "$SB" ] && command -v yara >/dev/null; then
	find "$SB" -name '*.yar' | sort >"$T/sb.list"
	export SB NCPU
	c_yara() {
		yara -r -p "$NCPU" -d filename= -d filepath= -d extension= \
			-d filetype= -d owner= -d md5= $(cat "$T/sb.list") \
			"$T/root/data" >/dev/null
	}
	c_sweep() {
		"$BIN" run -q --root "$T/root" -p LinuxAccountFiles --rules "$SB" \
			--scan-path /data --no-process-memory --nice 0 -o "$1"
	}
	c_full() {
		"$BIN" run -q --root "$T/root" --artifacts "$T/all.yaml" -p BenchAll \
			--rules "$SB" --no-process-memory --nice 0 -o "$1"
	}
	export -f c_yara c_sweep c_full
	rounds yara sweep full
fi


ioc_rows

if [ "${RESULTS:-0}" = 1 ]; then
	mkdir -p "$TOP/bench"
	exec > >(tee "$TOP/bench/RESULTS.md")
fi
echo
echo "## csirt-collect bench ($SIZE: $NFILES files, $MB MB; $(nproc) CPUs; $(date -u +%Y-%m-%d))"
echo
echo "Machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), \
$(nproc) CPUs, $(free -g | awk '/^Mem:/ {print $2}') GiB, Linux $(uname -r), \
$(sed -n 's/^PRETTY_NAME="\(.*\)"/\1/p' /etc/os-release)."
echo
echo "| what | seconds | peak RSS (MiB) | output MB |"
echo "| --- | ---: | ---: | ---: |"
printf "| stock tar -I 'zstd -3 -T0' | %s | %s | %s |\n" "$S_tar" $((R_tar / 1024)) $(( $(stat -c %s "$T/out-tar/stock.tar.zst") / 1048576 ))
printf "| stock sha256sum | %s | %s | |\n" "$S_sha" $((R_sha / 1024))
printf "| csirt-collect run (read, hash, pack, sign) | %s | %s | %s |\n" "$S_agent" $((R_agent / 1024)) $(( $(stat -c %s "$A") / 1048576 ))
printf "| csirt-collect run, encrypted to an age recipient | %s | %s | |\n" "$S_agent_age" $((R_agent_age / 1024))
printf "| csirt-collect run --max-cpu 50 (CPU used: %s%%) | %s | %s | |\n" \
	"$(python3 -c "print(round(100*$C_agent_cpu/$S_agent_cpu))")" "$S_agent_cpu" $((R_agent_cpu / 1024))
if [ -n "${S_yara:-}" ]; then
	printf "| stock yara -r -p %s (signature-base) | %s | %s | |\n" "$NCPU" "$S_yara" $((R_yara / 1024))
	printf "| csirt-collect --scan-path sweep (signature-base) | %s | %s | |\n" "$S_sweep" $((R_sweep / 1024))
	printf "| csirt-collect full run: read, hash, YARA, pack, sign | %s | %s | |\n" "$S_full" $((R_full / 1024))
fi
printf "| csirt-collect full run (built-in rules) | %s | %s | |\n" "$S_ioc_off" $((R_ioc_off / 1024))
printf "| the same with 100,000 hash and 10,000 network indicators | %s | %s | |\n" "$S_ioc_on" $((R_ioc_on / 1024))
echo
echo "- agent / tar+zstd: $(ratio "$S_agent" "$S_tar") (1.0 = as fast as packing alone)"
echo "- encryption overhead: $(python3 -c "print(f'{($S_agent_age/$S_agent-1)*100:+.0f}%')") (target: at most +10%)"
if [ -n "${S_yara:-}" ]; then
	echo "- scan throughput, stock yara time / agent sweep time: $(ratio "$S_yara" "$S_sweep") (target ≥ 1.0)"
	echo "- full run / (stock yara + stock tar|zstd): $(ratio "$S_full" "$(python3 -c "print($S_yara+$S_tar)")") (target ≤ 1.0)"
	echo "- peak RSS, full run - stock yara: $(( (R_full - R_yara) / 1024 )) MiB (target ≤ 64)"
fi
if [ -n "${S_host:-}" ]; then
	echo "- the full profile on this host (live): ${S_host} s, peak RSS $((R_host / 1024)) MiB;" \
		"${F_host:-?} files (${M_host:-?} MiB) archived, archive ${Z_host:-?} MiB, ${B_host:-?} bodyfile lines," \
		"${P_host:-?} processes' memory scanned (target: under a minute)"
fi
if [ -n "${S_triage:-}" ]; then
	echo "- the triage profile on this host (live): ${S_triage} s, peak RSS $((R_triage / 1024)) MiB;" \
		"${F_triage:-?} files (${M_triage:-?} MiB) archived, archive ${Z_triage:-?} MiB, ${B_triage:-?} bodyfile lines (target: under 30 s)"
	if [ -n "${S_uac:-}" ]; then
		echo "- UAC ir_triage on this host: ${S_uac} s, peak RSS $((R_uac / 1024)) MiB, ${U_mb} MiB written"
	else
		echo "- UAC ir_triage: not installed here (uac on PATH or UAC_DIR), not measured"
	fi
fi
echo "- indicators: full run with 110,000 indicators / without: $(ratio "$S_ioc_on" "$S_ioc_off") (target ≤ 1.10)"
echo "- agent / (tar+zstd + sha256sum run one after the other): $(ratio "$S_agent" "$(python3 -c "print($S_tar+$S_sha)")")"
report_row "$A"

# Upload next to the stock sftp client, on loopback, same file.
if [ "$(id -u)" -eq 0 ] && command -v sftp >/dev/null; then
	TNAME=bench
	cleanup_hooks=""
	at_exit() { cleanup_hooks="$1; $cleanup_hooks"; }
	. "$TOP/tests/cli/sshd.sh"
	if sshd_start >"$T/sshd.out" 2>&1; then
		trap 'sshd_stop; eval "$cleanup_hooks"; rm -rf "$T"' EXIT
		mkdir -p "$T/out2"
		"$BIN" run -q --root "$T/root" --artifacts "$T/all.yaml" -p BenchAll \
			--no-yara --nice 0 -o "$T/out2" --json --upload "$SSHD_URL" \
			--identity "$SSHD_KEY" --host-key "$SSHD_FP" >"$T/up.json" 2>/dev/null
		ours=$(jq -r .upload_seconds "$T/up.json" 2>/dev/null)
		A2=$(ls "$T/out2"/*.tar.zst 2>/dev/null | head -1)
		rm -f "$SSHD_DROP/upload/"*
		echo "put $A2 upload/stock.tar.zst" >"$T/batch"
		measure sftp sftp -q -b "$T/batch" -i "$SSHD_KEY" -P "$SSHD_PORT" \
			-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
			"$SSHD_USER@127.0.0.1"
		if [ -n "$ours" ] && [ "$ours" != null ]; then
			echo
			echo "| upload of $(( $(stat -c %s "$A2") / 1048576 )) MB on loopback | seconds |"
			echo "| --- | ---: |"
			echo "| stock sftp put | $S_sftp |"
			echo "| csirt-collect (archive, .pub, .minisig, size check) | $ours |"
			echo
			echo "- upload speed ratio, stock sftp time / ours: $(ratio "$S_sftp" "$ours") (target ≥ 1.0)"
		fi
	fi
fi

# A fleet (tests/packaging/t-fleet.sh, FLEET_BENCH=1): FLEET_HOSTS hosts
# (default 6), each network and UTS namespaces with its own sshd, stock
# ansible-playbook (forks = hosts) running the role with --stream to one
# drop box: hosts per minute from the playbook's wall time, the drop box's
# throughput from the bytes of the archives over the upload phase (first
# file there to the last signature renamed). As root, with the static
# binary and ansible-playbook.
if [ "$(id -u)" -eq 0 ] && command -v ansible-playbook >/dev/null; then
	if [ -x "$BUILD/csirt-collect-static" ]; then
		echo "a fleet of ${FLEET_HOSTS:-6} hosts with Ansible…" >&2
		FLEET_BENCH=1 FLEET_PROFILE=${FLEET_PROFILE:-triage} CC_BIN="$BIN" \
			CC_TOP="$TOP" CC_BUILD="$(cd "$BUILD" && pwd)" \
			bash "$TOP/tests/packaging/t-fleet.sh" >"$T/fleet" 2>&1
		set -- $(sed -n 's/^FLEET hosts=\([0-9]*\) play_s=\([0-9.]*\) bytes=\([0-9]*\) upload_s=\([0-9.]*\)$/\1 \2 \3 \4/p' "$T/fleet")
		echo
		if [ $# -eq 4 ]; then
			echo "| fleet: $1 hosts, Ansible forks $1, --stream, profile ${FLEET_PROFILE:-triage}, --no-yara --no-process-dump | |"
			echo "| --- | ---: |"
			echo "| playbook wall time | $2 s |"
			echo "| hosts per minute | $(python3 -c "print(f'{$1*60/$2:.1f}')") |"
			echo "| archives on the drop box | $(python3 -c "print(f'{$3/1048576:.1f}')") MiB, $(python3 -c "print(f'{$3/$1/1048576:.1f}')") MiB a host |"
			echo "| upload phase (first file to last signature) | $4 s |"
			echo "| drop box throughput | $(python3 -c "print(f'{$3/$4/1048576:.2f}')") MiB/s |"
		else
			echo "- fleet: failed, not measured:"
			grep '^FAIL' "$T/fleet" | sed 's/^/    /'
		fi
	else
		echo
		echo "- fleet: not measured (no $BUILD/csirt-collect-static: make static)"
	fi
fi

# Scaling rows (SIZE=large): the agent and tar|zstd over 1k, 10k and
# 100k files of 10 MB, 100 MB and 1 GB in all; peak RSS must stay flat.
if [ "$SIZE" = large ]; then
	echo
	echo "| files | total | tar+zstd s | agent s | agent/tar | agent peak RSS MiB |"
	echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
	for row in "1000 10" "10000 100" "100000 1000"; do
		set -- $row
		rm -rf "$T/root/data" "$T/out3"; mkdir -p "$T/out3"
		python3 - "$T/root/data" "$1" "$2" <<'PY'
import os, sys
root, n, mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
per = mb * 1024 * 1024 // n
blob = (b"Nov 22 10:00:00 host sshd[1]: Accepted publickey for root\n" * (per // 58 + 1))[:per]
for i in range(n):
    d = os.path.join(root, "d%03d" % (i % 200))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%06d" % i), "wb") as f:
        f.write(blob if i % 3 else os.urandom(per))
PY
		sync
		warm
		measure star tar -I 'zstd -3 -T0' -cf "$T/scale.tar.zst" -C "$T/root" data
		warm
		measure sagent "$BIN" run -q --root "$T/root" --artifacts "$T/all.yaml" \
			-p BenchAll --no-yara --no-process-memory --nice 0 -o "$T/out3"
		echo "| $1 | $2 MB | $S_star | $S_sagent | $(ratio "$S_sagent" "$S_star") | $((R_sagent / 1024)) |"
	done
fi
