#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# The documentation says what the program does: every long option that a
# command's --help prints is in README.md and in the man page, and so is
# every configuration key that `config show` prints. A failure lists
# exactly what is missing where.
. "$(dirname "$0")/lib.sh"

README=$CC_TOP/README.md
MAN=$CC_TOP/packaging/csirt-collect.1
# The man page as text: roff escapes (\-, \fB, \(em…) removed.
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(..//g' -e 's/\\&//g' \
	"$MAN" >"$T/man.txt"

# has FILE WORD: WORD appears as a whole word (not a prefix of a longer one)
has() { grep -qE -- "(^|[^a-z0-9_-])$2([^a-z0-9_-]|\$)" "$1"; }
# has_key FILE SECTION KEY: "section.key"; or "[section] a, key, b;" (a
# list up to the next ';' or '['); or an INI block where "[section]" is
# followed by "key =".
has_key() {
	grep -qF -- "$2.$3" "$1" && return 0
	tr '\n' ' ' <"$1" | grep -oE -- "\[$2\][^;[]*" |
	    grep -qE -- "(^|[^a-z0-9_])$3([^a-z0-9_]|\$)" && return 0
	awk -v s="[$2]" -v k="$3" '
		{ t = $0; sub(/^[ \t]+/, "", t) }
		t == s { in_s = 1; next }
		t ~ /^\[/ { in_s = 0 }
		in_s && index(t, k " =") == 1 { found = 1 }
		END { exit !found }' "$1"
}

cmds=("run" "verify" "export" "keygen" "decrypt" "list" "config" "config show"
	"bundle" "rules" "rules verify" "rules pull")
cmds+=("iocs" "iocs verify")
missing_readme="" missing_man="" nopts=0
for c in "${cmds[@]}"; do
	# shellcheck disable=SC2086
	if ! "$CC_BIN" $c --help >"$T/help" 2>/dev/null; then
		nok "'$c --help' failed"; continue
	fi
	for o in $(grep -oE -- '--[a-z][a-z0-9-]+' "$T/help" | sort -u); do
		nopts=$((nopts + 1))
		has "$README" "$o" || missing_readme="$missing_readme $c:$o"
		has "$T/man.txt" "$o" || missing_man="$missing_man $c:$o"
	done
done
check "the --help texts print long options (found $nopts)" test "$nopts" -gt 30
if [ -z "$missing_readme" ]; then ok "every option of every --help is in README.md"
else nok "options missing from README.md:$missing_readme"; fi
if [ -z "$missing_man" ]; then ok "every option of every --help is in the man page"
else nok "options missing from packaging/csirt-collect.1:$missing_man"; fi

"$CC_BIN" config show >"$T/keys" 2>/dev/null
keys=$(grep -oE '^[a-z_]+\.[a-z_]+ =' "$T/keys" | sed 's/ =$//')
check "config show prints the keys (found $(echo "$keys" | wc -w))" \
	test "$(echo "$keys" | wc -w)" -gt 20
missing_readme="" missing_man=""
for k in $keys; do
	s=${k%%.*} n=${k#*.}
	has_key "$README" "$s" "$n" || missing_readme="$missing_readme $k"
	has_key "$T/man.txt" "$s" "$n" || missing_man="$missing_man $k"
done
if [ -z "$missing_readme" ]; then ok "every config key is in README.md"
else nok "config keys missing from README.md:$missing_readme"; fi
if [ -z "$missing_man" ]; then ok "every config key is in the man page"
else nok "config keys missing from packaging/csirt-collect.1:$missing_man"; fi

# The checker itself: a made-up option and key are reported missing.
printf 'use --real-option and [limits] max_cpu\n[scan]\nyara = no\n[upload] url, identity_file,\nretries; and nice\n' >"$T/doc"
if has "$T/doc" --real-option && ! has "$T/doc" --real && ! has "$T/doc" --fake-option &&
	has_key "$T/doc" limits max_cpu && has_key "$T/doc" scan yara &&
	has_key "$T/doc" upload retries && has_key "$T/doc" upload identity_file &&
	! has_key "$T/doc" upload identity && ! has_key "$T/doc" upload nice &&
	! has_key "$T/doc" scan paths && ! has_key "$T/doc" limits nice; then
	ok "the checker finds what is there and only that"
else nok "the checker is wrong"; fi
