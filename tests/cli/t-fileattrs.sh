# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# The timeline's notable files (live/file_attributes.jsonl) on a fixture
# root: a SUID binary, an SGID script, a cap_setuid+ep binary (setcap), an
# immutable and an append-only file (chattr, where the file system has
# them), a SUID file over the 16 MiB archive cap, a hidden directory
# under /tmp, a "..." directory in a home. The executables are archived
# with the sha256 of the record = sha256sum, and the bodyfile's MD5
# column = md5sum for them and for a file the artefacts archived (0 for
# a file not archived). The run is traced: no execve
# but the agent's own.
. "$(dirname "$0")/lib.sh"

for c in jq zstd md5sum sha256sum; do
	command -v $c >/dev/null || { skip "$c missing"; exit 0; }
done
R="$T/root"
mkdir -p "$R/etc" "$R/usr/local/bin" "$R/tmp/.hid" "$R/home/alice/..." \
    "$R/var/tmp"
printf 'root:x:0:0:root:/root:/bin/bash\n' >"$R/etc/passwd"
printf 'root:x:0:\n' >"$R/etc/group"
printf 'x\n' >"$R/home/alice/.bashrc"
printf 'x\n' >"$R/tmp/.hid/payload"
cp /bin/true "$R/usr/local/bin/suidbin"
chmod 4755 "$R/usr/local/bin/suidbin"
printf '#!/bin/sh\necho sgid\n' >"$R/usr/local/bin/sgidscript"
chmod 2755 "$R/usr/local/bin/sgidscript"
printf '#!/bin/sh\necho plain\n' >"$R/usr/local/bin/plain"
chmod 755 "$R/usr/local/bin/plain"
# In /tmp: archived by the artefacts first, then met by the walk.
cp /bin/true "$R/tmp/suidtmp"
chmod 4755 "$R/tmp/suidtmp"
truncate -s 17M "$R/usr/local/bin/bigsuid"
chmod 4755 "$R/usr/local/bin/bigsuid"
have_caps=0
cp /bin/true "$R/usr/local/bin/capbin"
if command -v setcap >/dev/null && setcap cap_setuid+ep "$R/usr/local/bin/capbin" 2>/dev/null &&
    getcap "$R/usr/local/bin/capbin" | grep -q cap_setuid; then
	have_caps=1
fi
have_attr=0
printf 'locked\n' >"$R/etc/immut"
printf 'log\n' >"$R/etc/applog"
if command -v chattr >/dev/null && chattr +i "$R/etc/immut" 2>/dev/null && chattr +a "$R/etc/applog" 2>/dev/null; then
	have_attr=1
	at_exit "chattr -i '$R/etc/immut'; chattr -a '$R/etc/applog'"
fi

O="$T/o"
root_run "$O" "$R"
check "run exits 0" test $? -eq 0
X="$O/x"
A="$X/live/file_attributes.jsonl"
B="$X/timeline/bodyfile.txt"
check_nexecve
check "file_attributes stream present" test -s "$A"
rec() { jq -c --arg p "$1" 'select(.path == $p)' "$A"; }

sum=$(sha256sum <"$R/usr/local/bin/suidbin" | cut -d' ' -f1)
md5=$(md5sum <"$R/usr/local/bin/suidbin" | cut -d' ' -f1)
check "SUID binary: kind suid, mode 4755, archived with its sha256" \
    jqe --arg s "$sum" '(.kinds == ["suid"]) and .mode == "4755" and
    .archived == true and .sha256 == $s and
    .archive_path == "files/usr/local/bin/suidbin" and .uid == 0' \
    <<EOT
$(rec /usr/local/bin/suidbin)
EOT
check "SUID binary: the archived copy is the original" \
    cmp -s "$X/files/usr/local/bin/suidbin" "$R/usr/local/bin/suidbin"
check "SUID binary: the manifest's sha256 is the record's" \
    jqe --arg s "$sum" '.entries[] | select(.path == "files/usr/local/bin/suidbin") | .sha256 == $s' "$X/manifest.json"
check "SUID binary: bodyfile MD5 column = md5sum" \
    grep -q "^$md5|/usr/local/bin/suidbin|" "$B"
check "SUID binary: record md5 = md5sum" \
    test "$(rec /usr/local/bin/suidbin | jq -r .md5)" = "$md5"
pmd5=$(md5sum <"$R/etc/passwd" | cut -d' ' -f1)
check "a file the artefacts archived: bodyfile MD5 column = md5sum" sh -c \
    "test -f '$X/files/etc/passwd' && grep -q '^$pmd5|/etc/passwd|' '$B'"
check "a file not hashed keeps 0 in the MD5 column" \
    grep -q "^0|/usr/local/bin/plain|" "$B"
tsum=$(sha256sum <"$R/tmp/suidtmp" | cut -d' ' -f1)
check "SUID file the artefacts archived first: sha256 still given" \
    jqe --arg s "$tsum" '.kinds == ["suid"] and .archived == true and .sha256 == $s' <<EOT
$(rec /tmp/suidtmp)
EOT
check "SUID file the artefacts archived first: one copy, the manifest's hash" \
    jqe --arg s "$tsum" '[.entries[] | select(.path == "files/tmp/suidtmp")] | length == 1 and .[0].sha256 == $s' "$X/manifest.json"
check "plain executable: no record" test -z "$(rec /usr/local/bin/plain)"
ssum=$(sha256sum <"$R/usr/local/bin/sgidscript" | cut -d' ' -f1)
check "SGID script: kind sgid, archived, sha256" \
    jqe --arg s "$ssum" '.kinds == ["sgid"] and .mode == "2755" and .sha256 == $s' <<EOT
$(rec /usr/local/bin/sgidscript)
EOT
check "SUID over 16 MiB: recorded, not archived, no sha256" \
    jqe '.kinds == ["suid"] and .archived == false and .sha256 == null and .size == 17825792' <<EOT
$(rec /usr/local/bin/bigsuid)
EOT
check "SUID over 16 MiB: not in the archive" test ! -e "$X/files/usr/local/bin/bigsuid"
check "SUID over 16 MiB: MD5 column 0" grep -q "^0|/usr/local/bin/bigsuid|" "$B"
if [ $have_caps = 1 ]; then
	csum=$(sha256sum <"$R/usr/local/bin/capbin" | cut -d' ' -f1)
	check "capability binary: cap_setuid+ep, archived with its sha256" \
	    jqe --arg s "$csum" '.kinds == ["capabilities"] and .capabilities == "cap_setuid+ep" and .archived == true and .sha256 == $s' <<EOT
$(rec /usr/local/bin/capbin)
EOT
else
	skip "setcap missing or refused here (libcap2-bin, root): no capability binary"
fi
if [ $have_attr = 1 ]; then
	check "chattr +i file: kind immutable, not archived" \
	    jqe '.kinds == ["immutable"] and .archived == null' <<EOT
$(rec /etc/immut)
EOT
	check "chattr +a file: kind append_only" jqe '.kinds == ["append_only"]' <<EOT
$(rec /etc/applog)
EOT
else
	skip "chattr +i/+a not supported on $(df -T "$T" | awk 'NR==2 {print $2}')"
fi
check "hidden directory under /tmp: kind hidden, type dir" \
    jqe '.kinds == ["hidden"] and .type == "dir"' <<EOT
$(rec /tmp/.hid)
EOT
check "\"...\" directory in a home: kind hidden" jqe '.kinds == ["hidden"]' <<EOT
$(rec /home/alice/...)
EOT
check "a dotfile in a home is not hidden" test -z "$(rec /home/alice/.bashrc)"
check "a file inside a hidden directory is not itself recorded" \
    test -z "$(rec /tmp/.hid/payload)"
check "collection.log counts the notable files" \
    grep -q 'file attributes: [0-9]* notable files' "$X/collection.log"
check "every record has the documented fields" \
    jq -e -s 'length > 0 and all(.[]; has("path") and has("kinds") and has("mode") and has("type") and has("uid") and has("gid") and has("size") and has("mtime") and has("capabilities") and has("sha256"))' "$A" >/dev/null
