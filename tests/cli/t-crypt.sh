#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# Archives encrypted to age X25519 recipients, checked both ways with the
# stock age tools: stock age decrypts ours, we decrypt stock age's, and a
# damaged file is refused by both.
. "$(dirname "$0")/lib.sh"

FIX=$T/fixture
make_fixture "$FIX"
cd "$T" || exit 1
age-keygen -o k1 2>/dev/null; R1=$(sed -n 's/^# public key: //p' k1)
age-keygen -o k2 2>/dev/null; R2=$(sed -n 's/^# public key: //p' k2)
age-keygen -o k3 2>/dev/null

mkdir out
check_rc "run with two --recipient: exit 0" 0 "$CC_BIN" run -q --root "$FIX" -o out \
	--recipient "$R1" --recipient "$R2" --no-yara
A=$(ls out/*.tar.zst.age 2>/dev/null)
check "the archive is named .tar.zst.age" test -n "$A"
check "stock minisign verifies the encrypted file (no key needed at the drop box)" \
	minisign -Vq -m "$A" -p "$A.pub"
check "nothing in clear beside it" test -z "$(ls out | grep -v -e '\.age$' -e '\.age\.minisig$' -e '\.age\.pub$')"
age -d -i k1 -o d1.tar.zst "$A" 2>/dev/null
check "stock age -d with the first identity gives a valid .tar.zst" zstd -tq d1.tar.zst
age -d -i k2 -o d2.tar.zst "$A" 2>/dev/null
check "the second recipient decrypts alone to the same bytes" cmp -s d1.tar.zst d2.tar.zst
check "stock age refuses an identity that is not a recipient" sh -c "! age -d -i k3 '$A' >/dev/null 2>&1"
mkdir x; tar --zstd -xf d1.tar.zst -C x
(cd x && jq -r '.entries[] | "\(.sha256)  \(.path)"' manifest.json | sha256sum --quiet -c) >/dev/null 2>&1 &&
	ok "the decrypted archive's files match its manifest" || nok "decrypted files differ from the manifest"
check "the manifest records the recipients" \
	jqe --arg r "$R1" '.encryption.recipients | index($r) != null' x/manifest.json
check_rc "verify -i checks the inside of the encrypted archive" 0 "$CC_BIN" verify "$A" -i k2
last_err_has "entries match the manifest" && ok "…every entry checked" || nok "entries not checked"
check_rc "verify without -i checks the outer signature only, and says so" 0 "$CC_BIN" verify "$A"
last_err_has "not checked" && ok "…it says the contents were not checked" || nok "no note on unchecked contents"
check_rc "verify -i with a wrong identity: exit 4" 4 "$CC_BIN" verify "$A" -i k3

# Our decryption of files made by stock age -r: several sizes, including
# the empty file and exact multiples of the 64 KiB chunk.
for n in 0 1 65535 65536 65537 131072 1000000; do
	head -c "$n" /dev/urandom >p.$n
	age -r "$R1" -o p.$n.age p.$n
	rm -f q.$n
	"$CC_BIN" decrypt -i k1 -o q.$n p.$n.age 2>/dev/null
	check "our decrypt of a stock age file of $n bytes gives the same bytes" cmp -s p.$n q.$n
done
# And of ours by stock age, same sizes, through a run-independent path:
# our keygen --age identity with stock age -r, and stock age -d of ours.
check_rc "keygen --age writes an identity" 0 "$CC_BIN" keygen --age -s ours.key
R4=$(sed -n 's/^Public key: //p' "$T/.out")
check "…and prints its recipient" test -n "$R4"
check "…the identity file is mode 0600" test "$(stat -c %a ours.key)" = 600
echo hello >m; age -r "$R4" -o m.age m
check "stock age encrypts to our recipient, stock age decrypts with our identity" \
	test "$(age -d -i ours.key m.age)" = hello

# Damaged files: a truncated and an altered .age are refused, by both.
head -c $(( $(stat -c %s p.1000000.age) - 100 )) p.1000000.age >trunc.age
check_rc "a truncated .age: our decrypt exits 4" 4 "$CC_BIN" decrypt -i k1 -o t.out trunc.age
last_err_has "truncated" && ok "…with a message saying it is truncated" || nok "truncation not explained"
check "…and leaves no partial output" test ! -e t.out
check "…stock age agrees" sh -c "! age -d -i k1 trunc.age >/dev/null 2>&1"
head -c $(( 65536 * 7 )) p.1000000.age >cut.age
check_rc "a .age cut at a chunk boundary: exit 4" 4 "$CC_BIN" decrypt -i k1 -o c.out cut.age
cp p.1000000.age alt.age
flip_byte alt.age 500000
check_rc "an altered payload byte: exit 4" 4 "$CC_BIN" decrypt -i k1 -o a.out alt.age
check "…stock age agrees" sh -c "! age -d -i k1 alt.age >/dev/null 2>&1"
# Another letter than the one there (a fixed 'A' was a no-op one run in 64).
cp p.1.age hdr.age
sed -i '2{s/^-> X25519 A/-> X25519 B/;t;s/^-> X25519 ./-> X25519 A/}' hdr.age
check "…the header line really changed" sh -c "! cmp -s p.1.age hdr.age"
check_rc "an altered header: exit 4" 4 "$CC_BIN" decrypt -i k1 -o h.out hdr.age
echo "not age" >junk.age
check_rc "a file that is not age: exit 4" 4 "$CC_BIN" decrypt -i k1 -o j.out junk.age
check_rc "an identity file that is not age: exit 4" 4 "$CC_BIN" decrypt -i junk.age -o j.out p.1.age

# Bad recipients fail at set-up: exit 2, nothing collected.
mkdir bad
check_rc "a malformed recipient: exit 2" 2 "$CC_BIN" run -q --root "$FIX" -o bad --recipient age1notarecipient
last_err_has "age1notarecipient" && ok "…the message names it" || nok "bad recipient not named"
last=${R1: -1}; [ "$last" = q ] && sub=p || sub=q
check_rc "a recipient with a bad checksum: exit 2" 2 "$CC_BIN" run -q --root "$FIX" -o bad \
	--recipient "${R1%?}$sub"
check "…and nothing was written" test -z "$(ls -A bad)"
