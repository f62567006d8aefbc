#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# Signed rule bundles made with stock minisign: accepted by version,
# rollback refused, forgeries and hostile entries refused, pulled over
# SFTP from a real sshd and used by the next run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sshd.sh"

cd "$T" || exit 1
minisign -G -W -p pub -s key >/dev/null 2>&1
minisign -G -W -p other.pub -s other.key >/dev/null 2>&1
STATE=$T/state
mkdir -p src/linux
cat >src/linux/marker.yar <<'EOY'
rule Bundle_Marker { strings: $a = "bundle-marker-7f3a" condition: $a }
EOY
printf 'not a rule\n' >src/README.txt

# mkbundle NAME VERSION [KEY]: a .tar.zst of src/, signed by stock minisign.
mkbundle() {
	tar -C src -cf - . | zstd -q -o "$1"
	minisign -S -s "${3:-key}" -m "$1" -t "csirt-collect-rules version=$2" >/dev/null 2>&1
}
rv() { "$CC_BIN" rules verify "$1" -p pub --state-dir "$STATE"; }

mkbundle v5.tar.zst 5
check_rc "a bundle signed by stock minisign, version 5: accepted" 0 rv v5.tar.zst
last_err_has "version 5" && ok "…and its version is reported" || nok "version not reported"
check "the accepted version is recorded in the state directory" \
	test "$(cat "$STATE/rules.version")" = 5
mkbundle v4.tar.zst 4
check_rc "version 4 after 5: refused, exit 4" 4 rv v4.tar.zst
last_err_has "rollback" && ok "…the message says rollback" || nok "rollback not named"
check_rc "version 5 again: accepted" 0 rv v5.tar.zst
mkbundle v6.tar.zst 6
check_rc "version 6: accepted" 0 rv v6.tar.zst
check "the state now says 6" test "$(cat "$STATE/rules.version")" = 6
check_rc "version 5 after 6: refused" 4 rv v5.tar.zst

# Forgeries: nothing installed, exit 4.
before=$(cat "$STATE/rules.version")
mkbundle v7.tar.zst 7
cp v7.tar.zst flip.tar.zst; cp v7.tar.zst.minisig flip.tar.zst.minisig
printf '\x01' | dd of=flip.tar.zst bs=1 seek=40 conv=notrunc 2>/dev/null
check_rc "a bundle with one changed byte: refused, exit 4" 4 rv flip.tar.zst
mkbundle otherkey.tar.zst 7 other.key
check_rc "a bundle signed by another key: refused, exit 4" 4 rv otherkey.tar.zst
cp v7.tar.zst nosig.tar.zst
check_rc "a bundle without a signature: refused, exit 4" 4 rv nosig.tar.zst
last_err_has "no signature" && ok "…the message says the signature is missing" || nok "missing signature not named"
cp v7.tar.zst badtc.tar.zst
minisign -S -s key -m badtc.tar.zst -t "some other comment" >/dev/null 2>&1
check_rc "a bundle whose trusted comment has no version: refused" 4 rv badtc.tar.zst
check "nothing was recorded by the refused bundles" test "$(cat "$STATE/rules.version")" = "$before"

# Hostile entries.
hostile() {	# NAME KIND: a tar with one bad entry, then signed
	python3 - "$1" "$2" <<'PY'
import io, sys, tarfile
name, kind = sys.argv[1], sys.argv[2]
t = tarfile.open(name + ".tar", "w")
data = b'rule X { condition: true }\n'
def add(n, d=data):
    i = tarfile.TarInfo(n); i.size = len(d); t.addfile(i, io.BytesIO(d))
if kind == "dotdot": add("../evil.yar")
elif kind == "abs": add("/etc/evil.yar")
elif kind == "symlink":
    i = tarfile.TarInfo("link.yar"); i.type = tarfile.SYMTYPE; i.linkname = "/etc/shadow"; t.addfile(i)
elif kind == "device":
    i = tarfile.TarInfo("dev.yar"); i.type = tarfile.CHRTYPE; i.devmajor = 1; i.devminor = 3; t.addfile(i)
t.close()
PY
	zstd -q --rm "$1.tar" -o "$1.tar.zst"
	minisign -S -s key -m "$1.tar.zst" -t "csirt-collect-rules version=9" >/dev/null 2>&1
}
for kind in dotdot abs symlink device; do
	hostile "h-$kind" "$kind"
	check_rc "a bundle holding a $kind entry: refused" 4 rv "h-$kind.tar.zst"
done
check "…and nothing was written outside the state directory" test ! -e "$T/evil.yar" -a ! -e "/etc/evil.yar"

# run --rules BUNDLE: the rules are used and recorded in the manifest.
FIX=$T/fixture; make_fixture "$FIX"
echo "bundle-marker-7f3a" >>"$FIX/etc/hosts"
mkbundle v8.tar.zst 8
mkdir o1
printf '[rules]\npubkey = %s\nstate_dir = %s\n' "$(sed -n 2p pub)" "$STATE" >rules.ini
printf '[rules]\nstate_dir = %s\n' "$STATE" >nokey.ini
check_rc "run --rules BUNDLE with [rules] pubkey: exit 0" 0 "$CC_BIN" run -q --root "$FIX" -o o1 \
	--rules v8.tar.zst -c rules.ini
A=$(archive_in o1); tar --zstd -xf "$A" -C o1 manifest.json yara/matches.jsonl 2>/dev/null
check "the manifest records the bundle's version and sha256" \
	jqe --arg s "$(sha256sum v8.tar.zst | cut -d' ' -f1)" '.rules.version == "8" and .rules.sha256 != null and (.rules.source | endswith("v8.tar.zst"))' o1/manifest.json
check "the bundle's rule matched the planted marker" \
	jqe -s 'any(.[]; .rule == "Bundle_Marker")' o1/yara/matches.jsonl
mkdir o2
check_rc "run --rules with an older bundle: refused at set-up (exit 2)" 2 "$CC_BIN" run -q --root "$FIX" -o o2 \
	--rules v6.tar.zst -c rules.ini
last_err_has "rollback" && ok "…the message says rollback" || nok "run rollback not named"
check "…and nothing was collected" test -z "$(ls -A o2)"
check_rc "run --rules BUNDLE without a public key: exit 2" 2 "$CC_BIN" run -q --root "$FIX" -o o2 \
	--rules v8.tar.zst -c nokey.ini

# rules pull over SFTP, then the next run uses the installed bundle.
if [ "$(id -u)" -eq 0 ]; then
	sshd_start || nok "sshd started"
	mkbundle v10.tar.zst 10
	cp v10.tar.zst v10.tar.zst.minisig "$SSHD_DROP/upload/"
	cat >pull.ini <<EOI
[rules]
url = $SSHD_URL/v10.tar.zst
pubkey = $(sed -n 2p pub)
state_dir = $STATE
[upload]
identity_file = $SSHD_KEY
host_key_fingerprint = $SSHD_FP
EOI
	check_rc "rules pull against the test sshd: exit 0" 0 "$CC_BIN" rules pull -c pull.ini
	check "…the bundle is installed in the state directory" test -s "$STATE/rules.tar.zst"
	check "…and version 10 recorded" test "$(cat "$STATE/rules.version")" = 10
	mkdir o3
	check_rc "the next run uses the installed bundle" 0 "$CC_BIN" run -q --root "$FIX" -o o3 -c pull.ini
	tar --zstd -xOf "$(archive_in o3)" manifest.json >o3.json
	check "…and reports its version" jqe '.rules.version == "10"' o3.json
	cp flip.tar.zst "$SSHD_DROP/upload/v10.tar.zst"	# a forged bundle
	check_rc "pulling a bundle whose signature fails: exit 4" 4 "$CC_BIN" rules pull -c pull.ini
	check "…the installed bundle is untouched" cmp -s v10.tar.zst "$STATE/rules.tar.zst"
	sed -i "s/^host_key_fingerprint = .*/host_key_fingerprint = SHA256:$(printf '%043d' 0)/" pull.ini
	check_rc "pulling from a server with the wrong host key: fails" 1 "$CC_BIN" rules pull -c pull.ini
fi
