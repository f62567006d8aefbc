#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# The provider's kit (`bundle`): a static agent is embedded (a dynamic one
# refused unless --allow-dynamic); the config is checked by run's own
# checks; the kit never carries the CSIRT's signing key but a key pair of
# its own (stock minisign verifies its archives with OUT.pub); the drop
# box is tested before the kit is written (real sshd); the kit takes run
# options directly.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sshd.sh"

sshd_setup
FIX=$T/fixture
make_fixture "$FIX"
cd "$T" || exit 1
# The CSIRT's long-term key (it signs rules) and another one.
minisign -G -W -p csirt.pub -s csirt.key >/dev/null 2>&1
minisign -G -W -p other.pub -s other.key >/dev/null 2>&1
# Kits of this build's agent (current under ASan too): --allow-dynamic.
DYN="--agent $CC_BIN --allow-dynamic"
STATIC=${CC_BUILD:-$(dirname "$CC_BIN")}/csirt-collect-static
# A closed port on loopback.
CLOSED=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

printf '[case]\nid = KIT-1\n[scan]\nprocess_memory = no\n[rules]\npubkey = %s/csirt.pub\n' "$T" >plain.ini
# upload.ini URL: its host key pin and identity
upini() {
	printf '[case]\nid = KIT-UP\n[upload]\nurl = %s\nidentity_file = %s\nhost_key_fingerprint = %s\nretries = 0\n' \
		"$1" "$2" "$3"
}
upini "$SSHD_URL" "$SSHD_KEY" "$SSHD_FP" >up.ini
no_kit() { test ! -e "$1" && test ! -e "$1.pub"; }

# --- 1. The agent embedded ---------------------------------------------
check_rc "bundle --help: exit 0" 0 "$CC_BIN" bundle --help
for w in --agent --allow-dynamic --no-preflight OUT.pub "make static"; do
	grep -qF -- "$w" "$T/.out" || nok "bundle --help does not mention $w"
done
ok "bundle --help documents --agent, --allow-dynamic, --no-preflight, OUT.pub"

check_rc "a dynamically linked agent is refused: exit 2" 2 \
	"$CC_BIN" bundle -c plain.ini -o kd --agent "$CC_BIN"
last_err_has "is dynamically linked" && last_err_has "make static" && last_err_has "--agent PATH" &&
	ok "…the message says why and what to do (make static, --agent)" || nok "refusal message"
check "…and no kit nor key is written" no_kit kd
# A dynamic agent alone (no csirt-collect-static beside it): refused.
mkdir lone; cp "$CC_BIN" lone/csirt-collect
check_rc "a dynamic agent with no static one beside it is refused: exit 2" 2 \
	lone/csirt-collect bundle -c plain.ini -o kd
last_err_has "lone/csirt-collect is dynamically linked" && ok "…naming the binary" || nok "binary not named"
check "…and no kit is written" no_kit kd
check_rc "--agent with a file that is not an ELF executable: exit 2" 2 \
	"$CC_BIN" bundle -c plain.ini -o kd --agent plain.ini --allow-dynamic
last_err_has "not an ELF executable" && ok "…said so" || nok "non-ELF agent message"
check_rc "--allow-dynamic embeds it: exit 0" 0 "$CC_BIN" bundle -c plain.ini -o kdyn $DYN
last_err_has "warning:" && last_err_has "dynamically linked" && ok "…with a warning" || nok "no warning"
check "…the kit is executable" test -x kdyn

if [ -x "$STATIC" ]; then
	check_rc "bundle with csirt-collect-static beside the agent: exit 0" 0 \
		"$CC_BIN" bundle -c plain.ini -o kst
	check "…the kit is static (no ELF interpreter, no needed library)" \
		sh -c "! readelf -lW kst | grep -q INTERP && ! readelf -dW kst | grep -q NEEDED"
	check "…and says it is pre-configured" sh -c "./kst --version | grep -q pre-configured"
	mkdir ost
	check_rc "the static kit runs: exit 0" 0 ./kst --no-yara -q --root "$FIX" -o ost
	check "…its archive carries the embedded case id" sh -c "ls ost | grep -q '^KIT-1_.*tar.zst$'"
	# A static kit makes a kit of itself, without its own payload.
	printf '[case]\nid = KIT-2\n' >k2.ini
	check_rc "a static kit makes another kit (itself, payload stripped): exit 0" 0 \
		./kst bundle -c k2.ini -o kst2
	n0=$(grep -ao CSIRT-COLLECT-C1 "$STATIC" | wc -l)
	n2=$(grep -ao CSIRT-COLLECT-C1 kst2 | wc -l)
	check "…with one payload, not two" test "$n2" -eq $((n0 + 1))
	check_rc "…whose configuration is the new one" 0 ./kst2 config show
	grep -q "case.id = KIT-2" "$T/.out" && ! grep -q "KIT-1" "$T/.out" &&
		ok "…only the new one" || nok "old payload still read"
else
	echo "SKIP t-kit: no static agent at $STATIC (make static; a sanitized build has none): the static kit is not tested here"
fi

# --- 2. Checked by run's own checks ------------------------------------
# refused NAME MESSAGE INI: both bundle and run exit 2 naming the key.
refused() {
	check_rc "bundle refuses $1: exit 2" 2 "$CC_BIN" bundle -c "$3" -o kbad $DYN
	last_err_has "$2" && ok "…naming it ($2)" || nok "bundle message for $1"
	check "…no kit written" no_kit kbad
	mkdir -p orun
	check_rc "run refuses it too: exit 2" 2 "$CC_BIN" run -c "$3" --root "$FIX" -o orun --no-yara
	last_err_has "$2" && ok "…with the same message" || nok "run message for $1"
}
{ upini "$SSHD_URL" "$SSHD_KEY" "$SSHD_FP"; echo "identity = inline-key-text"; } >conf1.ini
refused "identity_file with identity" "[upload] identity: conflicts with [upload] identity_file" conf1.ini
upini "$SSHD_URL" "$SSHD_KEY" "SHA256:short" >conf2.ini
refused "a malformed host key pin" "host key fingerprint SHA256:short" conf2.ini
printf '[encryption]\nrecipients = age1nonsense\n' >conf3.ini
refused "a bad age recipient" "age1nonsense" conf3.ini
printf '[collection]\nprofile = no-such-profile\n' >conf4.ini
refused "an unknown profile" "no-such-profile" conf4.ini
printf '[upload]\nurl = %s\nidentity_file = %s\n' "$SSHD_URL" "$SSHD_KEY" >conf5.ini
refused "an upload without a host key pin" "no pinned host key" conf5.ini
printf '[rules]\npubkey = %s/nowhere.pub\n' "$T" >conf6.ini
refused "an unreadable rules key" "nowhere.pub" conf6.ini
{ printf '[signing]\nsecret_key_file = %s/csirt.key\nsecret_key = base64:' "$T"
  base64 -w0 csirt.key | fold -w 120 | sed '2,$s/^/\t/'; } >conf7.ini
check_rc "run refuses secret_key_file with secret_key: exit 2" 2 "$CC_BIN" run -c conf7.ini --root "$FIX" -o orun --no-yara
last_err_has "[signing] secret_key: conflicts with [signing] secret_key_file" && ok "…naming both" || nok "signing conflict message"
printf '[rules]\npubkey = %s/csirt.pub\n' "$T" >conf8.ini
check_rc "run refuses a rules key equal to its signing key: exit 2" 2 \
	"$CC_BIN" run -c conf8.ini --sign-key csirt.key --root "$FIX" -o orun --no-yara
last_err_has "the rules key must not be the archive signing key" && ok "…saying why" || nok "rules key message"
check "…and nothing was collected" test -z "$(ls -A orun)"

# --- 3. Key hygiene -----------------------------------------------------
printf '[case]\nid = K\n[signing]\nsecret_key_file = %s/csirt.key\n' "$T" >sig1.ini
check_rc "bundle refuses the CSIRT's [signing] secret_key_file: exit 2" 2 "$CC_BIN" bundle -c sig1.ini -o kbad $DYN
last_err_has "[signing] secret_key_file: a kit never carries the CSIRT's signing key" &&
	last_err_has "makes a key pair for this kit" && ok "…saying why and that the kit gets its own key" ||
	nok "signing key refusal message"
check "…no kit written" no_kit kbad
# A long value continues on indented lines (INI lines stop at 199 bytes).
{ printf '[signing]\nsecret_key = base64:'; base64 -w0 csirt.key | fold -w 120 | sed '2,$s/^/\t/'; } >sig2.ini
check_rc "…and an inline [signing] secret_key: exit 2" 2 "$CC_BIN" bundle -c sig2.ini -o kbad $DYN
last_err_has "[signing] secret_key:" && ok "…naming it" || nok "inline key not named"

check_rc "a kit gets a key pair of its own: exit 0" 0 "$CC_BIN" bundle -c plain.ini -o kit1 $DYN
cp "$T/.out" kit1.out
check "…its public key is in kit1.pub (minisign format)" \
	sh -c "head -1 kit1.pub | grep -q '^untrusted comment: minisign public key' && sed -n 2p kit1.pub | grep -q '^RW'"
check "…bundle prints it" grep -qF -- "$(sed -n 2p kit1.pub)" kit1.out
id=$(sed -n 's/.*key id \([0-9A-F]*\),.*/\1/p' kit1.out)
check "…and its key id, the one in kit1.pub" sh -c "test -n '$id' && head -1 kit1.pub | grep -q ' $id\$'"
# The embedded configuration, continuation lines joined.
payload() {
	python3 -c 'import sys
d = open(sys.argv[1], "rb").read()
n = int.from_bytes(d[-48:-40], "little")
sys.stdout.write(d[-64 - n:-64].decode().replace("\n\t", ""))' "$1"
}
payload kit1 >kit1.ini
check "the kit embeds a secret key of its own" grep -q "^secret_key = base64:" kit1.ini
check "…not the CSIRT's (its key line is not in the kit)" \
	sh -c "! grep -qaF -- '$(sed -n 2p csirt.key)' kit1"
check "…nor its file text, base64 as embedded" sh -c "! grep -qF -- '$(base64 -w0 csirt.key)' kit1.ini"
check "…nor its key line in base64" sh -c "! grep -qF -- '$(sed -n 2p csirt.key | base64 -w0 | cut -c1-40)' kit1.ini"
"$CC_BIN" bundle -c plain.ini -o kit1b $DYN >/dev/null 2>&1
check "two kits of one config have different keys" sh -c "! cmp -s kit1.pub kit1b.pub"
check_rc "bundle does not overwrite a kit: exit 2" 2 "$CC_BIN" bundle -c plain.ini -o kit1 $DYN
last_err_has "kit1 exists" && ok "…saying so" || nok "overwrite message"
mkdir o1
check_rc "the kit collects: exit 0" 0 ./kit1 --no-yara -q --root "$FIX" -o o1
A=$(archive_in o1)
check "its archive verifies with kit1.pub (stock minisign)" minisign -Vq -m "$A" -p kit1.pub
check "…and not with the CSIRT's key" sh -c "! minisign -Vq -m '$A' -p csirt.pub 2>/dev/null"
check "…nor with another kit's key" sh -c "! minisign -Vq -m '$A' -p kit1b.pub 2>/dev/null"

# --- 4. Preflight of the drop box ----------------------------------------
check_rc "bundle tests the drop box, then writes the kit: exit 0" 0 "$CC_BIN" bundle -c up.ini -o kup $DYN
grep -q "probe csirt-collect-probe_kup_[0-9TZ]*\.txt written and removed" "$T/.out" &&
	ok "…it says the probe was written and removed" || { nok "probe message"; cat "$T/.out"; }
check "…the probe is gone and no .part is left" test -z "$(ls -A "$SSHD_DROP/upload")"
check "…the kit is written" test -x kup -a -s kup.pub
check "…sshd saw the kit's login" grep -q "Accepted publickey for $SSHD_USER" "$SSHD_LOG"

# A drop box that refuses removal keeps the probe: it names the kit.
sed -i 's/^\tForceCommand internal-sftp$/\tForceCommand internal-sftp -P remove/' "$SSHD_DIR/config"
sshd_stop; sshd_restart
check_rc "with a drop box refusing removal: exit 0" 0 "$CC_BIN" bundle -c up.ini -o kwo $DYN
grep -q "server refused its removal" "$T/.out" && ok "…it says the removal was refused" || nok "refusal not said"
P=$(ls "$SSHD_DROP/upload/"csirt-collect-probe_kwo_*.txt 2>/dev/null | head -1)
check "…the probe is in the drop box, renamed from .part" sh -c "test -n '$P' && ! ls '$SSHD_DROP/upload/'*.part 2>/dev/null"
check "…and says which kit tested the box" sh -c "grep -q 'making the kit kwo (signing key id $(sed -n 's/.*key \([0-9A-F]*\)$/\1/p;q' kwo.pub))' '$P'"
rm -f "$SSHD_DROP/upload/"*
sed -i 's/ -P remove$//' "$SSHD_DIR/config"
sshd_stop; sshd_restart

upini "$SSHD_URL" "$SSHD_KEY" "SHA256:$(printf '%043d' 0)" >pin.ini
check_rc "a wrong host key pin: exit 3" 3 "$CC_BIN" bundle -c pin.ini -o kpin $DYN
last_err_has "not the pinned one" && last_err_has "no kit written" && ok "…the message says the host key is wrong" ||
	nok "wrong pin message"
check "…and no kit is written" no_kit kpin
upini "$SSHD_URL" "$SSHD_DIR/other_key" "$SSHD_FP" >key.ini
check_rc "a key the drop box refuses: exit 3" 3 "$CC_BIN" bundle -c key.ini -o kkey $DYN
last_err_has "authentication as $SSHD_USER@127.0.0.1 refused" && ok "…said so" || nok "refused key message"
check "…and no kit is written" no_kit kkey
upini "sftp://$SSHD_USER@127.0.0.1:$CLOSED/upload" "$SSHD_KEY" "$SSHD_FP" >port.ini
check_rc "an unreachable drop box: exit 3" 3 "$CC_BIN" bundle -c port.ini -o kport $DYN
last_err_has "cannot connect to 127.0.0.1 port $CLOSED" && ok "…said so" || nok "unreachable message"
check "…and no kit is written" no_kit kport
check "no probe was left by the failures" test -z "$(ls -A "$SSHD_DROP/upload")"
check_rc "--no-preflight writes the kit without connecting: exit 0" 0 \
	"$CC_BIN" bundle -c port.ini -o kport --no-preflight $DYN
check "…the kit is there" test -x kport -a -s kport.pub
check "…and it printed no probe" sh -c "! grep -q probe '$T/.out'"

# --- 5. The kit takes run options directly --------------------------------
mkdir o2 o3
check_rc "./kit --no-yara -o DIR runs: exit 0" 0 ./kit1 --no-yara -q --root "$FIX" -o o2
A=$(archive_in o2)
case "$A" in */KIT-1_*) ok "…with the embedded configuration (case id)" ;; *) nok "archive '$A'" ;; esac
tar --zstd -xOf "$A" manifest.json >o2.json 2>/dev/null
check "…and the options given (no YARA)" jqe '.options.yara == false and .rules == null' o2.json
check_rc "./kit run … still works: exit 0" 0 ./kit1 run --no-yara -q --root "$FIX" -o o3
check "…an archive is written" test -n "$(archive_in o3)"
check_rc "./kit --help: exit 0" 0 ./kit1 --help
grep -q "^usage: csirt-collect run" "$T/.out" && grep -q "This copy is pre-configured" "$T/.out" &&
	ok "…shows run's help and says it is pre-configured" || nok "kit --help"
check_rc "./kit --bogus: exit 2" 2 ./kit1 --bogus
last_err_has "unknown or incomplete option '--bogus'" && ok "…naming the option" || nok "kit bad option"
check_rc "./kit list still works: exit 0" 0 ./kit1 list
check_rc "./kit --version: exit 0" 0 ./kit1 --version
grep -q "pre-configured" "$T/.out" && ok "…says pre-configured" || nok "kit --version"
check_rc "a plain agent given run options is still a usage error: exit 2" 2 "$CC_BIN" --no-yara
last_err_has "unknown command '--no-yara'" && ok "…unknown command" || nok "plain agent message"
# An option overrides what the kit embeds (identity_file over identity).
check_rc "./kit config show --identity FILE: exit 0" 0 ./kup config show --identity /nowhere/id
grep -q "upload.identity_file = /nowhere/id.*(option)" "$T/.out" && grep -q "^upload.identity = (unset)" "$T/.out" &&
	ok "…the option replaces the embedded identity" || { nok "identity override"; grep upload "$T/.out"; }
