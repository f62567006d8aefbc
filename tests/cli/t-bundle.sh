#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# Signed rule bundles made with stock minisign: accepted by version,
# rollback refused per signing key (the old single floor still honoured),
# the version tag matched exactly, forgeries and hostile entries refused;
# `rules verify` and `run --rules` write nothing, `rules install` and
# `rules pull` (from a real sshd) install and raise the floor, and the
# next run uses the installed bundle.
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

ri() { "$CC_BIN" rules install "$1" -p pub --state-dir "$STATE"; }
# keyid PUBFILE: the key id as minisign prints it.
keyid() { sed -n '1s/.* //p' "$1"; }
# floor DIR PUBFILE: the rollback floor kept for that key (file content).
floor() { cat "$1"/rules."$(keyid "$2")"-*.version 2>/dev/null; }
# snap DIR: names, sizes, modes, mtimes and sha256 of a directory's files.
snap() {
	if [ -e "$1" ]; then
		find "$1" -printf '%P %y %s %m %T@\n' | sort
		(cd "$1" && find . -type f -exec sha256sum {} + | sort)
	else
		echo absent
	fi
}

# rules verify is read-only; rules install verifies and raises the floor.
mkbundle v5.tar.zst 5
check_rc "a bundle signed by stock minisign, version 5: verify accepts it" 0 rv v5.tar.zst
last_err_has "version 5" && ok "…and its version is reported" || nok "version not reported"
check "…and verify did not even create the state directory" test ! -e "$STATE"
check_rc "rules install of version 5: exit 0" 0 ri v5.tar.zst
last_err_has "installed in $STATE" && ok "…the message says where" || nok "install place not named"
check "…the floor of that key is 5 (rules.KEYID-HASH.version)" test "$(floor "$STATE" pub)" = 5
check "…the bundle and its signature are installed" \
	sh -c "cmp -s v5.tar.zst '$STATE/rules.tar.zst' && cmp -s v5.tar.zst.minisig '$STATE/rules.tar.zst.minisig'"
check "…and no old-style rules.version is written" test ! -e "$STATE/rules.version"
mkbundle v4.tar.zst 4
s0=$(snap "$STATE")
check_rc "verify of version 4 after 5: refused, exit 4" 4 rv v4.tar.zst
last_err_has "rollback" && ok "…the message says rollback" || nok "rollback not named"
check_rc "install of version 4 after 5: refused, exit 4" 4 ri v4.tar.zst
last_err_has "rollback" && ok "…the message says rollback" || nok "install rollback not named"
check "…the state directory is byte-identical after both" test "$(snap "$STATE")" = "$s0"
mkbundle v6.tar.zst 6
check_rc "verify of version 6: accepted" 0 rv v6.tar.zst
check "…verify left the state directory byte-identical" test "$(snap "$STATE")" = "$s0"
check "…and the floor is still 5" test "$(floor "$STATE" pub)" = 5
check_rc "install of version 5 again: accepted" 0 ri v5.tar.zst
check_rc "install of version 6: accepted" 0 ri v6.tar.zst
check "…the floor is now 6" test "$(floor "$STATE" pub)" = 6
check_rc "verify of version 5 after 6: refused" 4 rv v5.tar.zst

# The floor is per key: key A at 9 does not block key B at 1.
mkbundle v9.tar.zst 9
check_rc "install of key A's version 9: accepted" 0 ri v9.tar.zst
mkbundle b1.tar.zst 1 other.key
mkbundle b2.tar.zst 2 other.key
check_rc "key B's version 1 after key A's 9: verify accepts it" 0 \
	"$CC_BIN" rules verify b1.tar.zst -p other.pub --state-dir "$STATE"
check_rc "…and install too" 0 "$CC_BIN" rules install b1.tar.zst -p other.pub --state-dir "$STATE"
check_rc "key B's version 2: installed" 0 "$CC_BIN" rules install b2.tar.zst -p other.pub --state-dir "$STATE"
check "…key B's floor is 2, key A's still 9" \
	test "$(floor "$STATE" other.pub)/$(floor "$STATE" pub)" = 2/9
check_rc "key B's version 1 after its 2: refused (rollback per key)" 4 \
	"$CC_BIN" rules verify b1.tar.zst -p other.pub --state-dir "$STATE"
last_err_has "rollback" && ok "…the message says rollback" || nok "per-key rollback not named"
check_rc "key A's version 6 after its 9: still refused" 4 rv v6.tar.zst

# Migration: an old rules.version is the floor of a key without a file.
OLD=$T/oldstate; mkdir "$OLD"; echo 7 >"$OLD/rules.version"
check_rc "an old rules.version of 7: version 6 refused" 4 \
	"$CC_BIN" rules verify v6.tar.zst -p pub --state-dir "$OLD"
last_err_has "rollback" && ok "…the message says rollback" || nok "old floor rollback not named"
check_rc "…version 9 installed" 0 "$CC_BIN" rules install v9.tar.zst -p pub --state-dir "$OLD"
check "…the key's own floor is written (9), the old file left as it was (7)" \
	test "$(floor "$OLD" pub)/$(cat "$OLD/rules.version")" = 9/7
check_rc "…another key without a file of its own still gets the old floor" 4 \
	"$CC_BIN" rules verify b2.tar.zst -p other.pub --state-dir "$OLD"

# The version tag is matched exactly (the whole trusted comment); no floor
# (a fresh state directory), so only the tag can refuse these.
cp v6.tar.zst tag.tar.zst
for tc in "csirt-collect-rules version=5x" "xcsirt-collect-rules version=5" \
    "version=5 csirt-collect-rules" "csirt-collect-rules version=05" \
    "csirt-collect-rules version=+5" "csirt-collect-rules version=-5" \
    "csirt-collect-rules version= 5" "csirt-collect-rules version=5 " \
    "csirt-collect-rules  version=5" "csirt-collect-rules version=9007199254740993" \
    "csirt-collect-rules version=5 csirt-collect-rules version=6" "csirt-collect-rules version="; do
	minisign -S -s key -m tag.tar.zst -t "$tc" >/dev/null 2>&1
	check_rc "trusted comment \"$tc\": refused, exit 4" 4 \
		"$CC_BIN" rules verify tag.tar.zst -p pub --state-dir "$T/tagstate"
	last_err_has "trusted comment \"$tc\" is not exactly" && ok "…the message names the tag" ||
		nok "tag \"$tc\" not named"
done
minisign -S -s key -m tag.tar.zst -t "csirt-collect-rules version=10" >/dev/null 2>&1
check_rc "the exact tag \"csirt-collect-rules version=10\" on the same file: accepted" 0 \
	"$CC_BIN" rules verify tag.tar.zst -p pub --state-dir "$T/tagstate"
check "…and verify created no state directory" test ! -e "$T/tagstate"

# Forgeries: nothing installed, exit 4.
s0=$(snap "$STATE")
mkbundle v7.tar.zst 7
cp v7.tar.zst flip.tar.zst; cp v7.tar.zst.minisig flip.tar.zst.minisig
flip_byte flip.tar.zst 40
check "the flipped byte changed the file" sh -c '! cmp -s v7.tar.zst flip.tar.zst'
check_rc "a bundle with one changed byte: refused, exit 4" 4 rv flip.tar.zst
check_rc "…and install refuses it, exit 4" 4 ri flip.tar.zst
mkbundle otherkey.tar.zst 7 other.key
check_rc "a bundle signed by another key: refused, exit 4" 4 rv otherkey.tar.zst
cp v7.tar.zst nosig.tar.zst
check_rc "a bundle without a signature: refused, exit 4" 4 rv nosig.tar.zst
last_err_has "no signature" && ok "…the message says the signature is missing" || nok "missing signature not named"
check_rc "…and install refuses it, exit 4" 4 ri nosig.tar.zst
cp v7.tar.zst badtc.tar.zst
minisign -S -s key -m badtc.tar.zst -t "some other comment" >/dev/null 2>&1
check_rc "a bundle whose trusted comment has no version: refused" 4 rv badtc.tar.zst
check "nothing was written by the refused bundles" test "$(snap "$STATE")" = "$s0"

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

# run --rules BUNDLE: the rules are used and recorded in the manifest;
# nothing is written on the examined host (state directory untouched).
FIX=$T/fixture; make_fixture "$FIX"
echo "bundle-marker-7f3a" >>"$FIX/etc/hosts"
RSTATE=$T/rstate
mkbundle v8.tar.zst 8
"$CC_BIN" rules install v6.tar.zst -p pub --state-dir "$RSTATE" 2>/dev/null
check "the run's state directory has key A's floor at 6" test "$(floor "$RSTATE" pub)" = 6
mkdir o1
printf '[rules]\npubkey = %s\nstate_dir = %s\n' "$(sed -n 2p pub)" "$RSTATE" >rules.ini
printf '[rules]\npubkey = %s\nstate_dir = %s\n' "$(sed -n 2p pub)" "$T/nostate" >absent.ini
printf '[rules]\nstate_dir = %s\n' "$RSTATE" >nokey.ini
s0=$(snap "$RSTATE")
check_rc "run --rules BUNDLE with [rules] pubkey: exit 0" 0 "$CC_BIN" run -q --root "$FIX" -o o1 \
	--rules v8.tar.zst -c rules.ini
A=$(archive_in o1); tar --zstd -xf "$A" -C o1 manifest.json yara/matches.jsonl 2>/dev/null
check "the manifest records the bundle's version and sha256" \
	jqe --arg s "$(sha256sum v8.tar.zst | cut -d' ' -f1)" '.rules.version == "8" and .rules.sha256 != null and (.rules.source | endswith("v8.tar.zst"))' o1/manifest.json
check "the bundle's rule matched the planted marker" \
	jqe -s 'any(.[]; .rule == "Bundle_Marker")' o1/yara/matches.jsonl
check "…and the run left the state directory byte-identical (no floor raised)" \
	test "$(snap "$RSTATE")" = "$s0"
mkdir o1b
check_rc "run --rules BUNDLE with a state directory that does not exist: exit 0" 0 \
	"$CC_BIN" run -q --root "$FIX" -o o1b --rules v8.tar.zst -c absent.ini
check "…and the state directory is still absent" test ! -e "$T/nostate"
mkbundle v5r.tar.zst 5
mkdir o2
check_rc "run --rules with a bundle older than the floor: refused at set-up (exit 2)" 2 \
	"$CC_BIN" run -q --root "$FIX" -o o2 --rules v5r.tar.zst -c rules.ini
last_err_has "rollback" && ok "…the message says rollback" || nok "run rollback not named"
check "…and nothing was collected" test -z "$(ls -A o2)"
check "…and the state directory is byte-identical" test "$(snap "$RSTATE")" = "$s0"
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
	check "…and version 10 recorded as the key's floor" test "$(floor "$STATE" pub)" = 10
	mkdir o3
	s0=$(snap "$STATE")
	check_rc "the next run uses the installed bundle" 0 "$CC_BIN" run -q --root "$FIX" -o o3 -c pull.ini
	check "…and leaves the state directory byte-identical" test "$(snap "$STATE")" = "$s0"
	tar --zstd -xOf "$(archive_in o3)" manifest.json >o3.json
	check "…and reports its version" jqe '.rules.version == "10"' o3.json
	cp flip.tar.zst "$SSHD_DROP/upload/v10.tar.zst"	# a forged bundle
	check_rc "pulling a bundle whose signature fails: exit 4" 4 "$CC_BIN" rules pull -c pull.ini
	check "…the installed bundle is untouched" cmp -s v10.tar.zst "$STATE/rules.tar.zst"
	sed -i "s/^host_key_fingerprint = .*/host_key_fingerprint = SHA256:$(printf '%043d' 0)/" pull.ini
	check_rc "pulling from a server with the wrong host key: fails" 1 "$CC_BIN" rules pull -c pull.ini
fi
