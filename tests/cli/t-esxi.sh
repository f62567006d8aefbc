#!/bin/sh
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# The esxi profile on an ESXi-like dead-box tree built here: host logs
# (some through /scratch, a link to a datastore that must resolve inside
# the root), /etc/rc.local.d/local.sh, cron, /etc/vmware, a datastore with
# a VM (.vmx, .vmsd, vmware.log and a .vmdk never taken), a recent and an
# old binary, links leaving the root. Each file expected is checked in the
# archive with its manifest hash (sha256sum of the fixture file); then the
# hint on screen when the profile is a Linux one, verify, mactime, a huge
# vmware.log cut at the cap, and the agent run under strace (no execve).
. "$(dirname "$0")/lib.sh"

R="$T/root"
O="$T/outside"
mkdir -p "$R" "$O"
printf 'OUTSIDE-SECRET-%s\n' "$$" >"$O/secret"
DS=/vmfs/volumes/5f3c1a2b-11aa22bb-3c4d-001122334455
mk /etc/passwd "root:x:0:0:Administrator:/:/bin/sh
dcui:x:100:100:DCUI User:/:/bin/sh"
mk /etc/group "root::0:root"
mk /etc/shadow 'root:$6$fixture$hash:19000:0:99999:7:::'
mk /etc/vmware/esx.conf '/adv/Misc/HostName = "esxi-fixture"
/system/uuid = "5f3c1a2b-0000-0000-0000-001122334455"'
mk /etc/vmware/hostd/config.xml "<config><hostd>fixture-hostd</hostd></config>"
mk /etc/vmware/firewall/evil.xml "<ConfigRoot><service><id>evil-4444</id></service></ConfigRoot>"
mk /etc/vmware/ssh/keys-root/authorized_keys "ssh-rsa AAAAB3Nza attacker@esxi"
mk /etc/ssh/sshd_config "PermitRootLogin yes"
mk /etc/rc.local.d/local.sh '#!/bin/sh
/bin/vmtoolsd.bak -d 0.0.0.0:8443 &
exit 0'
mk /var/spool/cron/crontabs/root "*/5 * * * * /tmp/.x/implant"
mk /var/run/log/vmkernel.log "vmkernel: fixture boot"
mk /var/run/log/hostd.log "hostd: login root from 192.0.2.66"
mk /var/run/log/shell.log "shell[1234]: [root]: esxcli system settings kernel set -s execInstalledOnly -v FALSE"
mk /var/run/log/auth.log "sshd[99]: Accepted password for root from 192.0.2.66"
mk /var/log/vpxa.log "vpxa: fixture"
mk /var/log/vobd.log "vobd: fixture"
mk /var/log/vmkernel.0.gz "rotated vmkernel"
mk "$DS/.locker/log/syslog.log" "syslog on the scratch datastore"
mk "$DS/vm01/vm01.vmx" 'displayName = "vm01"
scsi0:0.fileName = "vm01.vmdk"'
mk "$DS/vm01/vm01.vmsd" ".encoding = \"UTF-8\""
mk "$DS/vm01/vm01.vmxf" "<Foundry><VM/></Foundry>"
mk "$DS/vm01/vmware.log" "vmx| fixture VM log"
mk "$DS/vm01/vmware-1.log" "vmx| older VM log"
# A disk: never collected (sparse, so the fixture is cheap).
truncate -s 200M "$R$DS/vm01/vm01-flat.vmdk"
mk "$DS/vm01/vm01.vmdk" "# Disk DescriptorFile"
ln -s "$(basename "$DS")" "$R/vmfs/volumes/datastore1"
# ESXi's /scratch: a link to the datastore, absolute (resolved in the root).
ln -s "$DS/.locker" "$R/scratch"
mk /usr/lib/vmware/bin/recent-implant "ELF recent implant"
mk /usr/lib/vmware/bin/old-hostd "ELF old daemon"
mk /bin/vmtoolsd.bak "ELF recent backdoor"
mk /bin/busybox "ELF busybox, old"
touch -m -d '2019-06-01 10:00:00 UTC' "$R/usr/lib/vmware/bin/old-hostd" "$R/bin/busybox"
# Links leaving the root: recorded, never followed.
ln -s "$O/secret" "$R/etc/vmware/leak"
ln -s ../../../../../../../../.."$O/secret" "$R/etc/rc.local.d/up"
ln -s "$O" "$R/etc/vmware/outdir"

OUT="$T/o"
root_run "$OUT" "$R" -p esxi
rc=$?
X="$OUT/x"
check "agent exit 0 with -p esxi (got $rc)" test "$rc" -eq 0
check_nexecve
check "manifest.json in the archive" test -s "$X/manifest.json"

# has FIXTUREPATH [ARCHIVEPATH]: the file in the archive, its manifest
# hash the fixture's (ARCHIVEPATH: where a link in the path resolves to).
has() {
	_a=${2:-$1}
	_h=$(sha256sum "$R$_a" | cut -d' ' -f1)
	check "collected: $1 (sha256 as the fixture's)" sh -c \
	    "cmp -s '$R$_a' '$X/files$1' && jq -e --arg p 'files$1' --arg h '$_h' \
	    '.entries[] | select(.path == \$p) | .sha256 == \$h' '$X/manifest.json' >/dev/null"
}
for f in /etc/vmware/esx.conf /etc/vmware/hostd/config.xml \
    /etc/vmware/firewall/evil.xml /etc/vmware/ssh/keys-root/authorized_keys \
    /etc/ssh/sshd_config /etc/passwd /etc/group /etc/rc.local.d/local.sh \
    /var/spool/cron/crontabs/root /var/run/log/vmkernel.log \
    /var/run/log/hostd.log /var/run/log/shell.log /var/run/log/auth.log \
    /var/log/vpxa.log /var/log/vobd.log /var/log/vmkernel.0.gz \
    "$DS/vm01/vm01.vmx" "$DS/vm01/vm01.vmsd" "$DS/vm01/vm01.vmxf" \
    "$DS/vm01/vmware.log" "$DS/vm01/vmware-1.log" \
    /usr/lib/vmware/bin/recent-implant /bin/vmtoolsd.bak; do
	has "$f"
done
has /scratch/log/syslog.log "$DS/.locker/log/syslog.log"
check "the malicious local.sh's content is in the archive" \
    grep -q 'vmtoolsd.bak -d 0.0.0.0:8443' "$X/files/etc/rc.local.d/local.sh"
check "no .vmdk collected (disks are imaged apart)" sh -c \
    "! jq -r '.entries[].path' '$X/manifest.json' | grep -q '\\.vmdk\$'"
check "…nor the 200 MiB flat disk's bytes (archive under 1 MiB)" \
    test "$(stat -c %s "$OUT"/*.tar.zst)" -lt 1048576
check "the old binaries are not copied (changed_within 30d)" sh -c \
    "! [ -e '$X/files/usr/lib/vmware/bin/old-hostd' ] && ! [ -e '$X/files/bin/busybox' ]"
check "…and the log counts them" grep -q 'ESXiRecentBinaries: 2 files left out: not modified in the last 30 days' \
    "$X/collection.log"
check "/etc/shadow is not in esxi (esxi-full only)" test ! -e "$X/files/etc/shadow"
check "no link leaving the root was followed (outside content absent)" sh -c \
    "! grep -rqF 'OUTSIDE-SECRET-$$' '$X'"
check "…the links are recorded with their targets" sh -c \
    "jq -e '.links[] | select(.path == \"/etc/vmware/leak\") | .target == \"$O/secret\"' '$X/manifest.json' >/dev/null"
check "the datastore name link is not walked twice (one vm01.vmx)" test \
    "$(jq -r '.entries[].path' "$X/manifest.json" | grep -c 'vm01\.vmx$')" -eq 1
check "no ESXi hint with -p esxi" sh -c "! grep -q 'looks like an ESXi host' '$X/collection.log'"

# --- verify and the bodyfile ------------------------------------------------
A=$(archive_in "$OUT")
check_rc "verify: the archive is whole" 0 "$CC_BIN" verify "$A"
B="$X/timeline/bodyfile.txt"
check "bodyfile lists the old binary (metadata only)" grep -q '|/usr/lib/vmware/bin/old-hostd|' "$B"
check "…and the disk" grep -q "|$DS/vm01/vm01-flat.vmdk|" "$B"
if command -v mactime >/dev/null; then
	mactime -b "$B" -z UTC -d >"$T/mactime.csv" 2>"$T/mactime.err"
	check "mactime -b reads the bodyfile" test $? -eq 0
	check "mactime shows the old binary's touch -d time" sh -c \
	    "grep 'Jun 01 2019 10:00:00' '$T/mactime.csv' | grep -q '/usr/lib/vmware/bin/old-hostd'"
else
	skip "mactime (sleuthkit) not installed"
fi

# --- esxi-full takes the shadow file ----------------------------------------
root_run "$T/full" "$R" -p esxi-full
check "esxi-full: exit 0 and /etc/shadow collected" sh -c \
    "[ $? -eq 0 ] && cmp -s '$R/etc/shadow' '$T/full/x/files/etc/shadow'"

# --- a Linux profile on an ESXi tree: said on screen and in the log ---------
OUT2="$T/o2"
mkdir -p "$OUT2/x"
timeout 60 "$CC_BIN" run --root "$R" --output "$OUT2" --no-yara >"$OUT2/stdout" 2>"$OUT2/stderr"
check "default profile on an ESXi tree: exit 0" test $? -eq 0
check "…the screen suggests -p esxi" grep -q 'looks like an ESXi host.*-p esxi' "$OUT2/stderr"
zstd -dc "$OUT2"/*.tar.zst | tar -x -C "$OUT2/x" 2>/dev/null
check "…and collection.log says it" grep -q 'looks like an ESXi host (/etc/vmware/esx.conf is there)' \
    "$OUT2/x/collection.log"

# --- hostile: a huge vmware.log is cut at the cap (32 MiB) --------------------
truncate -s 100M "$R$DS/vm01/vmware-2.log"
root_run "$T/big" "$R" -p ESXiVMFiles
check "huge vmware.log: exit 0" test $? -eq 0
check "…archived cut at 32 MiB" test "$(stat -c %s "$T/big/x/files$DS/vm01/vmware-2.log")" -eq 33554432
check "…marked truncated in the manifest" sh -c \
    "jq -e --arg p 'files$DS/vm01/vmware-2.log' '.entries[] | select(.path == \$p) | .truncated == true' '$T/big/x/manifest.json' >/dev/null"
check "…the small .vmx beside it is whole" cmp -s "$R$DS/vm01/vm01.vmx" "$T/big/x/files$DS/vm01/vm01.vmx"

# --- links on a pattern's way out of the root ---------------------------------
# /scratch resolves inside the root; so must a link to the host's $O
# (absolute, or by ..), met as a directory of a pattern.
ln -s "$O" "$R/escape"
ln -s ../../../../../../../../..$O "$R/escape2"
printf -- '---\nname: Escape\nsources:\n- type: FILE\n  attributes:\n    paths: [/escape/*, /escape2/*, /scratch/log/*]\n' >"$T/esc.yaml"
root_run "$T/esc" "$R" --artifacts "$T/esc.yaml" -p Escape
check "links out of the root on a pattern's path: exit 0" test $? -eq 0
check "…nothing of the host's $O read" sh -c "! grep -rqF 'OUTSIDE-SECRET-$$' '$T/esc/x'"
check "…/scratch/log still read inside the root" test -s "$T/esc/x/files/scratch/log/syslog.log"
CSIRT_COLLECT_NO_OPENAT2=1 root_run "$T/walk" "$R" --artifacts "$T/esc.yaml" -p Escape
check "without openat2 (component walk): exit 0" test $? -eq 0
check "…no link followed: neither $O nor /scratch" sh -c \
    "! grep -rqF 'OUTSIDE-SECRET-$$' '$T/walk/x' && ! [ -e '$T/walk/x/files/scratch/log/syslog.log' ]"

# --- must-fail: a bad changed_within is refused with its line ----------------
printf -- '---\nname: BadAge\nsources:\n- type: FILE\n  attributes:\n    paths: [/bin/*]\n    changed_within: 30\n' >"$T/bad.yaml"
check_rc "changed_within without 'd' is refused (list: exit 2)" 2 "$CC_BIN" list --artifacts "$T/bad.yaml"
check "…naming the file, line and attribute" last_err_has "bad.yaml:7: changed_within: days, as 30d"
exit 0
