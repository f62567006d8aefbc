#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# Signed IOC packs made with stock minisign and tar --zstd, one per
# format (MISP event JSON, STIX 2.1 bundle, Loki IOC files): `iocs
# verify` accepts them and writes nothing; a forged pack, a rollback, a
# rule bundle offered as an IOC pack (and the reverse) and a wrong key are
# refused (exit 4); `iocs install` raises the floor of the "iocs" kind
# only; `iocs list` counts; `run --iocs` with each format says in
# collection.log the counts of what was planted, runs no program, and a
# damaged file is a configuration error naming it (exit 2, nothing
# collected); the installed pack is used, --no-iocs turns it off.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sshd.sh"

cd "$T" || exit 1
minisign -G -W -p pub -s key >/dev/null 2>&1
minisign -G -W -p other.pub -s other.key >/dev/null 2>&1
STATE=$T/state
R=$T/root
mk /etc/hostname ioc-host

# The planted indicators, a folder per format.
mkdir -p misp stix loki/sub
cat >misp/event.json <<'EOJ'
{"Event": {"uuid": "5f1e0000-0000-4000-8000-0000000000aa", "info": "t-iocpack",
 "Attribute": [
  {"uuid": "a1", "type": "md5", "value": "0123456789ABCDEF0123456789abcdef", "to_ids": true},
  {"uuid": "a2", "type": "md5", "value": "fedcba9876543210fedcba9876543210", "to_ids": true},
  {"uuid": "a3", "type": "filename|sha256", "value": "drop.bin|aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "to_ids": true},
  {"uuid": "a4", "type": "ip-dst", "value": "192.0.2.44", "to_ids": true},
  {"uuid": "a5", "type": "domain", "value": "Bad.Example.", "to_ids": true},
  {"uuid": "a6", "type": "url", "value": "http://bad.example/x", "to_ids": true},
  {"uuid": "a7", "type": "domain", "value": "context.example", "to_ids": false}
 ]}}
EOJ
cat >stix/bundle.json <<'EOJ'
{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-0000000000bb", "objects": [
 {"type": "indicator", "spec_version": "2.1", "id": "indicator--00000000-0000-4000-8000-000000000001", "pattern_type": "stix",
  "pattern": "[file:hashes.'SHA-256' = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' OR file:hashes.MD5 = 'cccccccccccccccccccccccccccccccc']"},
 {"type": "indicator", "spec_version": "2.1", "id": "indicator--00000000-0000-4000-8000-000000000002", "pattern_type": "stix",
  "pattern": "[ipv4-addr:value = '198.51.100.0/24'] OR [domain-name:value = 'stix.example']"},
 {"type": "indicator", "spec_version": "2.1", "id": "indicator--00000000-0000-4000-8000-0000000000ee", "pattern_type": "stix",
  "pattern": "[process:name = 'evil']"}
]}
EOJ
printf '# hashes\n0123456789abcdef0123456789abcdef01234567;sha1\ndddddddddddddddddddddddddddddddd;md5\n' >loki/sub/hash-iocs.txt
printf '# dropper\n/tmp/\\.x/run$;80\n' >loki/filename-iocs.txt
printf 'c2.example\n203.0.113.9\n2001:db8::/32\n' >loki/c2-iocs.txt
# The counts collection.log must give for each.
WANT_misp="md5 2, sha1 0, sha256 1, filename 1, path 0, addr 1, domain 1, url 1 (misp 7, stix 0, loki 0)"
WANT_stix="md5 1, sha1 0, sha256 1, filename 0, path 0, addr 1, domain 1, url 0 (misp 0, stix 4, loki 0)"
WANT_loki="md5 1, sha1 1, sha256 0, filename 1, path 0, addr 2, domain 1, url 0 (misp 0, stix 0, loki 6)"

# mkpack NAME DIR VERSION [KEY [KIND]]: DIR as a .tar.zst signed by stock minisign.
mkpack() {
	tar --zstd -C "$2" -cf "$1" .
	minisign -S -s "${4:-key}" -m "$1" -t "csirt-collect-${5:-iocs} version=$3" >/dev/null 2>&1
}
iv() { "$CC_BIN" iocs verify "$1" -p "${2:-pub}" --state-dir "$STATE"; }
keyid() { sed -n '1s/.* //p' "$1"; }
snap() { if [ -e "$1" ]; then (cd "$1" && find . -type f -exec sha256sum {} + | sort); else echo absent; fi; }
cat >run.ini <<EOI
[iocs]
pubkey = $(sed -n 2p pub)
state_dir = $STATE
EOI

for f in misp stix loki; do
	mkpack "$f.tar.zst" "$f" 1
	check_rc "iocs verify: a $f pack signed by stock minisign: exit 0" 0 iv "$f.tar.zst"
done
last_err_has "version 1, 3 files, 6 indicators" && ok "…its version, files and indicators are reported" ||
	nok "verify report: $(cat "$T/.err")"
check "…and verify wrote nothing (no state directory)" test ! -e "$STATE"

cp misp.tar.zst flip.tar.zst; cp misp.tar.zst.minisig flip.tar.zst.minisig
flip_byte flip.tar.zst 40
check_rc "a forged pack (one byte flipped): exit 4" 4 iv flip.tar.zst
last_err_has "signature" && ok "…the message says signature" || nok "forgery message"
check_rc "a pack checked with the wrong key: exit 4" 4 iv misp.tar.zst other.pub
mkpack other.tar.zst misp 1 other.key
check_rc "a pack signed by another key than [iocs] pubkey: exit 4" 4 iv other.tar.zst

# A rule bundle is no IOC pack, nor the reverse.
mkdir -p yar && echo 'rule r { condition: false }' >yar/r.yar && cp misp/event.json yar/
mkpack rules.tar.zst yar 3 key rules
check_rc "a rule bundle given as an IOC pack: exit 4" 4 iv rules.tar.zst
last_err_has "csirt-collect-iocs version=" && ok "…the message names the kind wanted" || nok "kind message"
check_rc "an IOC pack given as a rule bundle: exit 4" 4 "$CC_BIN" rules verify misp.tar.zst -p pub --state-dir "$STATE"

mkdir -p onlyyar && cp yar/r.yar onlyyar/
mkpack empty.tar.zst onlyyar 3
check_rc "an IOC pack without a .json or .txt file: exit 4" 4 iv empty.tar.zst
last_err_has "no .json or .txt file" && ok "…said so" || nok "empty pack: $(cat "$T/.err")"

# Install and rollback, per kind.
mkpack v2.tar.zst stix 2
check_rc "iocs install of version 2: exit 0" 0 "$CC_BIN" iocs install v2.tar.zst -p pub --state-dir "$STATE"
check "…installed as iocs.tar.zst(.minisig)" sh -c "cmp -s v2.tar.zst '$STATE/iocs.tar.zst' && cmp -s v2.tar.zst.minisig '$STATE/iocs.tar.zst.minisig'"
check "…the floor iocs.KEYID-HASH.version is 2" test "$(cat "$STATE"/iocs."$(keyid pub)"-*.version)" = 2
check "…and no rules floor nor bundle was written" test -z "$(ls "$STATE" | grep '^rules')"
s0=$(snap "$STATE")
check_rc "a rolled-back pack (version 1 after 2): verify exit 4" 4 iv stix.tar.zst
last_err_has "rollback" && ok "…the message says rollback" || nok "rollback not named"
check_rc "…install refused too: exit 4" 4 "$CC_BIN" iocs install stix.tar.zst -p pub --state-dir "$STATE"
check "…and the state directory is byte-identical" test "$(snap "$STATE")" = "$s0"
check_rc "a rule bundle at version 1 is not blocked by the IOC floor" 0 \
	"$CC_BIN" rules verify rules.tar.zst -p pub --state-dir "$STATE"

# iocs list: unsigned folder and signed pack.
check_rc "iocs list of an unsigned folder: exit 0" 0 "$CC_BIN" iocs list loki
check "…counts by type and format" sh -c "grep -q '^  addr *2\$' '$T/.out' && grep -q 'from loki 6' '$T/.out' && grep -q unsigned '$T/.out'"
check_rc "iocs list of a signed pack: exit 0" 0 "$CC_BIN" iocs list v2.tar.zst -c run.ini
check "…says signed, version 2" grep -q "signed pack, version 2" "$T/.out"

# run --iocs, each format, signed: the counts in collection.log.
for f in misp stix loki; do
	mkpack "$f.tar.zst" "$f" 5
	root_run "o-$f" "$R" -c run.ini --iocs "$f.tar.zst"
	check "run --iocs $f.tar.zst: exit 0" test $? -eq 0
	want=$(eval echo "\"\$WANT_$f\"")
	check "…collection.log: $want" grep -qF "(signed, version 5): $want" "o-$f/x/collection.log"
done
check_nexecve
check "…a STIX indicator not read is named in collection.log" \
	grep -q 'indicator--00000000-0000-4000-8000-0000000000ee skipped' o-stix/x/collection.log
root_run o-dir "$R" --iocs loki
check "run --iocs on an unsigned folder: exit 0, counts as planted" \
	grep -qF "(unsigned): $WANT_loki" o-dir/x/collection.log
# A link in a folder is not followed (its target would add a hash).
mkdir -p linked && cp loki/c2-iocs.txt linked/ &&
	printf 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee;outside\n' >outside-hash-iocs.txt &&
	ln -s "$T/outside-hash-iocs.txt" linked/hash-iocs.txt
check_rc "iocs list of a folder with a link to a hash file: exit 0" 0 "$CC_BIN" iocs list linked
check "…the link was not followed (sha1 0, addr 2)" sh -c "grep -q '^  sha1 *0\$' '$T/.out' && grep -q '^  addr *2\$' '$T/.out'"
root_run o-file "$R" --iocs misp/event.json
check "run --iocs on an unsigned MISP file: the counts" \
	grep -qF "(unsigned): $WANT_misp" o-file/x/collection.log

# Damaged: a configuration error naming the file, nothing collected.
printf '{"Event": {"Attribute": [' >bad.json
mkdir o-bad
check_rc "run --iocs on damaged JSON: exit 2" 2 "$CC_BIN" run --root "$R" -o o-bad --no-yara -q --iocs bad.json
last_err_has "bad.json" && ok "…the message names the file" || nok "damaged file not named"
check "…and nothing was collected" test -z "$(ls -A o-bad)"
check_rc "iocs list of damaged JSON: exit 2" 2 "$CC_BIN" iocs list bad.json
last_err_has "bad.json: damaged JSON" && ok "…the message names it" || nok "list damaged: $(cat "$T/.err")"
check_rc "iocs list of a forged pack: exit 4" 4 "$CC_BIN" iocs list flip.tar.zst -c run.ini
check_rc "iocs list without a path: usage error, exit 2" 2 "$CC_BIN" iocs list
check_rc "an unknown iocs command: exit 2" 2 "$CC_BIN" iocs frobnicate
last_err_has "unknown iocs command" && ok "…named as such" || nok "unknown command message"
mkdir -p baddir/sub && cp loki/c2-iocs.txt baddir/ && cp bad.json baddir/sub/
check_rc "run --iocs on a folder holding damaged JSON: exit 2" 2 "$CC_BIN" run --root "$R" -o o-bad --no-yara -q --iocs baddir
last_err_has "baddir/sub/bad.json" && ok "…the message names the file in the folder" || nok "damaged file in folder: $(cat "$T/.err")"
mkdir -p badpack/x && cp loki/c2-iocs.txt badpack/ && printf 'zzzz;not a hash\n' >badpack/x/hash-iocs.txt
mkpack badpack.tar.zst badpack 6
check_rc "run --iocs on a signed pack with a damaged file: exit 2" 2 "$CC_BIN" run --root "$R" -o o-bad --no-yara -q -c run.ini --iocs badpack.tar.zst
last_err_has "badpack.tar.zst:./x/hash-iocs.txt: line 1" && ok "…the message names the pack, entry and line" || nok "damaged entry: $(cat "$T/.err")"
check_rc "run --iocs with a forged pack: exit 2" 2 "$CC_BIN" run --root "$R" -o o-bad --no-yara -q -c run.ini --iocs flip.tar.zst
check_rc "run --iocs with a pack but no [iocs] pubkey: exit 2" 2 "$CC_BIN" run --root "$R" -o o-bad --no-yara -q --iocs misp.tar.zst
check "…nothing collected by any of them" test -z "$(ls -A o-bad)"

check_rc "the IOC key is the archive signing key: refused, exit 2" 2 "$CC_BIN" run --root "$R" -o o-bad --no-yara -q -c run.ini --sign-key key
last_err_has "[iocs] pubkey is the archive signing key" && ok "…the message says why" || nok "same key: $(cat "$T/.err")"
check_rc "config show: exit 0" 0 "$CC_BIN" config show -c run.ini
check "…prints the [iocs] keys" sh -c "grep -q '^iocs.pubkey = RW' '$T/.out' && grep -q '^iocs.state_dir = $STATE' '$T/.out'"

# The installed pack (stix, version 2) is used; --no-iocs turns it off.
root_run o-inst "$R" -c run.ini
check "a run without --iocs uses the installed pack" \
	grep -qF "$STATE/iocs.tar.zst (signed, version 2): $WANT_stix" o-inst/x/collection.log
root_run o-none "$R" -c run.ini --no-iocs
check "--no-iocs: collection.log says none" grep -q '"indicators: none (--no-iocs)"' o-none/x/collection.log

# iocs pull over SFTP.
if [ "$(id -u)" -eq 0 ]; then
	sshd_start || nok "sshd started"
	mkpack v9.tar.zst loki 9
	cp v9.tar.zst v9.tar.zst.minisig "$SSHD_DROP/upload/"
	# run.ini's [iocs], its url, and the test sshd's key and host key.
	{ cat run.ini; echo "url = $SSHD_URL/v9.tar.zst"
	  printf '[upload]\nidentity_file = %s\nhost_key_fingerprint = %s\n' \
	      "$SSHD_KEY" "$SSHD_FP"; } >pull.ini
	check_rc "iocs pull against the test sshd: exit 0" 0 "$CC_BIN" iocs pull -c pull.ini
	check "…the pack is installed, floor 9" sh -c "cmp -s v9.tar.zst '$STATE/iocs.tar.zst' && test \"\$(cat '$STATE'/iocs.*.version)\" = 9"
	cp flip.tar.zst "$SSHD_DROP/upload/v9.tar.zst"
	check_rc "pulling a forged pack: exit 4" 4 "$CC_BIN" iocs pull -c pull.ini
	check "…the installed pack is untouched" cmp -s v9.tar.zst "$STATE/iocs.tar.zst"
else
	skip "iocs pull: the test sshd needs root"
fi
