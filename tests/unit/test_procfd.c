/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * procfd: descriptor targets classified (files, deleted files, memfd,
 * sockets, pipes, anon inodes, devices), fdinfo parsed, container ids
 * found in cgroup paths (docker, containerd, cri-o, podman, LXC,
 * kubepods) and refused where they are not, the descriptor listing cut
 * at its cap, anonymous executable mappings told from the kernel's, and
 * a deleted file reopened through its descriptor link, never a pipe.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procfd.h"
#include "util.h"
#include "unit.h"

#define HEX64	"0123456789abcdef0123456789abcdef" \
		"0123456789abcdef0123456789abcdef"

static void
test_classify(void)
{
	struct procfd_target	t;

	procfd_classify("socket:[12345]", S_IFSOCK, &t);
	CHECK(t.type == PROCFD_SOCKET && t.inode == 12345 && !t.deleted);
	CHECK_STR(procfd_type_name(t.type), "socket");
	procfd_classify("pipe:[77]", S_IFIFO, &t);
	CHECK(t.type == PROCFD_PIPE && t.inode == 77);
	procfd_classify("anon_inode:[eventfd]", 0, &t);
	CHECK(t.type == PROCFD_ANON);
	CHECK_STR(t.anon, "eventfd");
	CHECK_STR(procfd_type_name(t.type), "anon_inode");
	procfd_classify("anon_inode:bpf-map", 0, &t);
	CHECK_STR(t.anon, "bpf-map");
	procfd_classify("anon_inode:[" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]", 0, &t);
	CHECK(t.type == PROCFD_ANON && strlen(t.anon) == sizeof t.anon - 1);

	procfd_classify("/memfd:payload (deleted)", S_IFREG, &t);
	CHECK(t.type == PROCFD_MEMFD && t.memfd && !t.deleted);
	CHECK_STR(procfd_type_name(t.type), "memfd");
	procfd_classify("/memfd:payload (deleted)", 0, &t);
	CHECK(t.type == PROCFD_MEMFD && t.memfd);
	/* A real file named like a memfd, still linked, is a file. */
	procfd_classify("/memfd:x", S_IFREG, &t);
	CHECK(t.type == PROCFD_FILE && !t.memfd && !t.deleted);

	procfd_classify("/tmp/x (deleted)", S_IFREG, &t);
	CHECK(t.type == PROCFD_FILE && t.deleted && !t.memfd);
	procfd_classify("/var/log/syslog", S_IFREG, &t);
	CHECK(t.type == PROCFD_FILE && !t.deleted);
	CHECK_STR(procfd_type_name(t.type), "file");
	procfd_classify("/tmp/dir (deleted)", S_IFDIR, &t);
	CHECK(t.type == PROCFD_DIR && t.deleted);
	procfd_classify("/dev/null", S_IFCHR, &t);
	CHECK(t.type == PROCFD_DEVICE);
	procfd_classify("/dev/sda", 0, &t);
	CHECK(t.type == PROCFD_DEVICE);
	procfd_classify("/home/a/fifo", S_IFIFO, &t);
	CHECK(t.type == PROCFD_PIPE && t.inode == 0);
	procfd_classify("/run/x.sock", S_IFSOCK, &t);
	CHECK(t.type == PROCFD_SOCKET);

	procfd_classify("net:[4026531840]", 0, &t);
	CHECK(t.type == PROCFD_OTHER);
	CHECK_STR(procfd_type_name(t.type), "other");
	procfd_classify("socket:[abc]", 0, &t);
	CHECK(t.type == PROCFD_OTHER && t.inode == 0);
	procfd_classify("", 0, &t);
	CHECK(t.type == PROCFD_OTHER);
	procfd_classify(" (deleted)", 0, &t);
	CHECK(t.type == PROCFD_OTHER && !t.deleted);
	CHECK_STR(procfd_type_name((enum procfd_type)99), "other");
}

static void
test_fdinfo(void)
{
	struct procfd_info	fi;
	const char		*s;

	s = "pos:\t1980\nflags:\t0100001\nmnt_id:\t27\nino:\t10953161\n";
	CHECK(procfd_parse_fdinfo(s, strlen(s), &fi) == 0);
	CHECK(fi.pos == 1980 && fi.mnt_id == 27);
	CHECK_STR(fi.flags, "0100001");
	/* Old kernels: no mnt_id. Long lines (eventpoll tfd:) skipped. */
	s = "pos:\t0\nflags:\t02\ntfd:        5 events:       19 data: "
	    "0000000000000005  pos:0 ino:2f sdev:e\n";
	CHECK(procfd_parse_fdinfo(s, strlen(s), &fi) == 0);
	CHECK(fi.pos == 0 && fi.mnt_id == -1);
	CHECK_STR(fi.flags, "02");
	s = "pos:\t12";				/* no flags */
	CHECK(procfd_parse_fdinfo(s, strlen(s), &fi) == -1);
	s = "flags:\t02\n";			/* no pos */
	CHECK(procfd_parse_fdinfo(s, strlen(s), &fi) == -1);
	s = "pos:\t1\nflags:\t0800\n";		/* not octal */
	CHECK(procfd_parse_fdinfo(s, strlen(s), &fi) == -1);
	s = "pos:\t-1\nflags:\t02\n";
	CHECK(procfd_parse_fdinfo(s, strlen(s), &fi) == -1);
	s = "pos:\t1x\nflags:\t02\n";
	CHECK(procfd_parse_fdinfo(s, strlen(s), &fi) == -1);
	s = "pos:\t99999999999999999999999\nflags:\t02\n";
	CHECK(procfd_parse_fdinfo(s, strlen(s), &fi) == -1);
	s = "pos:\t1\nflags:\t02\nmnt_id:\tz\n";
	CHECK(procfd_parse_fdinfo(s, strlen(s), &fi) == -1);
	s = "pos:\t1\nflags:\t\n";
	CHECK(procfd_parse_fdinfo(s, strlen(s), &fi) == -1);
	CHECK(procfd_parse_fdinfo("", 0, &fi) == -1);
}

/* The runtime found in cgroup text s, and the id into id. */
static const char *
container(const char *s, char *id, size_t size)
{
	return procfd_container(s, strlen(s), id, size);
}

static void
test_container(void)
{
	char	id[128];

	CHECK_STR(container("12:memory:/docker/" HEX64 "\n", id, sizeof id),
	    "docker");
	CHECK_STR(id, HEX64);
	CHECK_STR(container("0::/system.slice/docker-" HEX64 ".scope\n", id,
	    sizeof id), "docker");
	CHECK_STR(id, HEX64);
	CHECK_STR(container("0::/kubepods.slice/kubepods-burstable.slice/"
	    "kubepods-burstable-pod1.slice/cri-containerd-" HEX64 ".scope",
	    id, sizeof id), "containerd");
	CHECK_STR(id, HEX64);
	CHECK_STR(container("0::/system.slice/containerd.service/"
	    "kubepods-besteffort-pod1.slice:cri-containerd:" HEX64, id,
	    sizeof id), "containerd");
	CHECK_STR(id, HEX64);
	CHECK_STR(container("0::/kubepods.slice/crio-" HEX64 ".scope", id,
	    sizeof id), "cri-o");
	CHECK_STR(container("0::/machine.slice/libpod-" HEX64 ".scope/"
	    "container", id, sizeof id), "podman");
	CHECK_STR(id, HEX64);
	CHECK_STR(container("4:pids:/kubepods/besteffort/pod7f-1/" HEX64, id,
	    sizeof id), "kubernetes");
	CHECK_STR(container("0::/lxc.payload.web1/system.slice", id,
	    sizeof id), "lxc");
	CHECK_STR(id, "web1");
	CHECK_STR(container("3:cpu:/lxc/web2\n", id, sizeof id), "lxc");
	CHECK_STR(id, "web2");
	CHECK_STR(container("0::/lxc.payload/web3/init.scope", id, sizeof id),
	    "lxc");
	CHECK_STR(id, "web3");
	/* The host's second line may name it: the first match wins. */
	CHECK_STR(container("1:name=systemd:/\n0::/docker/" HEX64 "\n", id,
	    sizeof id), "docker");
	/* A small buffer: cut, never overrun. */
	CHECK_STR(container("0::/docker/" HEX64, id, 9), "docker");
	CHECK_STR(id, "01234567");

	/* Not containers. */
	CHECK(container("0::/user.slice/user-0.slice/session-1.scope\n", id,
	    sizeof id) == NULL && id[0] == '\0');
	CHECK(container("0::/\n", id, sizeof id) == NULL);
	CHECK(container("0::/machine.slice/libpod-conmon-" HEX64 ".scope",
	    id, sizeof id) == NULL);
	CHECK(container("0::/crio-conmon-" HEX64 ".scope", id, sizeof id) ==
	    NULL);
	CHECK(container("0::/lxc.monitor.web1", id, sizeof id) == NULL);
	CHECK(container("0::/docker/" "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcde", id, sizeof id) == NULL);
	CHECK(container("0::/docker/" "0123456789ABCDEF0123456789abcdef"
	    "0123456789abcdef0123456789abcdef", id, sizeof id) == NULL);
	CHECK(container("0::/other/" HEX64, id, sizeof id) == NULL &&
	    id[0] == '\0');
	CHECK(container("/docker/" HEX64 "\n", id, sizeof id) == NULL);
	CHECK(container("", id, sizeof id) == NULL);
	CHECK(container("0::/docker-" HEX64 ".scopex", id, sizeof id) ==
	    NULL);
	CHECK(container("0::/docker/" HEX64, id, 1) == NULL);
}

static void
test_list_cap(void)
{
	unsigned int	*fds;
	size_t		 n, i;
	int		 dfd, cut, opened[100], k, ok;

	for (k = 0; k < 100; k++)
		if ((opened[k] = open("/dev/null", O_RDONLY | O_CLOEXEC)) ==
		    -1)
			break;
	CHECK(k == 100);
	if ((dfd = open("/proc/self", O_RDONLY | O_DIRECTORY)) == -1) {
		UNIT_SKIP("no /proc");
		goto out;
	}
	CHECK(procfd_list(dfd, 16, &fds, &n, &cut) == 0);
	CHECK(n == 16 && cut == 1);
	for (i = 1; i < n; i++)
		CHECK(fds[i - 1] < fds[i]);
	free(fds);
	CHECK(procfd_list(dfd, PROCFD_FDS_MAX, &fds, &n, &cut) == 0);
	CHECK(n >= 100 && cut == 0);
	for (k = 0, ok = 1; k < 100; k++) {
		for (i = 0; i < n && fds[i] != (unsigned int)opened[k]; i++)
			;
		ok &= i < n;
	}
	CHECK(ok);
	free(fds);
	/* Exactly at the cap: not cut. */
	CHECK(procfd_list(dfd, n, &fds, &n, &cut) == 0 && cut == 0);
	free(fds);
	close(dfd);
	/* Not a process directory. */
	if ((dfd = open("/", O_RDONLY | O_DIRECTORY)) != -1) {
		CHECK(procfd_list(dfd, 16, &fds, &n, &cut) == -1 &&
		    errno == ENOENT && fds == NULL && n == 0);
		close(dfd);
	}
out:
	while (k-- > 0)
		close(opened[k]);
}

static void
test_anon_exec(void)
{
	struct procmap	m;
	char		l[256];

	strcpy(l, "7f0000000000-7f0000002000 rwxp 00000000 00:00 0 ");
	CHECK(procmap_parse(l, &m) == 0 && procfd_anon_exec(&m));
	strcpy(l, "7f0000000000-7f0000002000 rw-p 00000000 00:00 0 ");
	CHECK(procmap_parse(l, &m) == 0 && !procfd_anon_exec(&m));
	strcpy(l, "7ffc0000-7ffc2000 rwxp 00000000 00:00 0   [stack]");
	CHECK(procmap_parse(l, &m) == 0 && procfd_anon_exec(&m));
	strcpy(l, "7ffc0000-7ffc2000 r-xp 00000000 00:00 0   [vdso]");
	CHECK(procmap_parse(l, &m) == 0 && !procfd_anon_exec(&m));
	strcpy(l, "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 "
	    "[vsyscall]");
	CHECK(procmap_parse(l, &m) == 0 && !procfd_anon_exec(&m));
	strcpy(l, "7f00-7f01 r-xp 00000000 fe:01 1311 /usr/lib/libc.so.6");
	CHECK(procmap_parse(l, &m) == 0 && !procfd_anon_exec(&m));
	strcpy(l, "7f00-7f01 r-xs 00000000 00:01 2048 /memfd:code (deleted)");
	CHECK(procmap_parse(l, &m) == 0 && m.memfd && !procfd_anon_exec(&m));
	/* A file on a file system without inode numbers: still a file. */
	strcpy(l, "7f00-7f01 r-xp 00000000 00:2a 0 /mnt/x/lib.so");
	CHECK(procmap_parse(l, &m) == 0 && !procfd_anon_exec(&m));
}

static void
test_open_file(void)
{
	struct stat	st;
	char		tmpl[] = "/tmp/test_procfd.XXXXXX", rel[32], buf[16];
	int		fd, dfd, pfd[2], got;
	ssize_t		n;

	if ((fd = mkstemp(tmpl)) == -1 || unlink(tmpl) == -1 ||
	    write(fd, "hidden", 6) != 6) {
		CHECK(!"cannot make a deleted file");
		return;
	}
	if ((dfd = open("/proc/self", O_RDONLY | O_DIRECTORY)) == -1) {
		UNIT_SKIP("no /proc");
		close(fd);
		return;
	}
	CHECK(fstat(fd, &st) == 0 && st.st_nlink == 0);
	snprintf(rel, sizeof rel, "fd/%d", fd);
	got = procfd_open_file(dfd, rel, &st);
	CHECK(got != -1);
	if (got != -1) {
		n = pread(got, buf, sizeof buf, 0);
		CHECK(n == 6 && memcmp(buf, "hidden", 6) == 0);
		close(got);
	}
	/* The descriptor now leads elsewhere: refused. */
	if (pipe(pfd) == 0) {
		snprintf(rel, sizeof rel, "fd/%d", pfd[0]);
		CHECK(procfd_open_file(dfd, rel, &st) == -1 &&
		    errno == ESTALE);
		close(pfd[0]);
		close(pfd[1]);
	}
	snprintf(rel, sizeof rel, "fd/%d", 999999);
	CHECK(procfd_open_file(dfd, rel, &st) == -1 && errno == ENOENT);
	close(dfd);
	close(fd);
}

int
main(void)
{
	UNIT_RUN(test_classify);
	UNIT_RUN(test_fdinfo);
	UNIT_RUN(test_container);
	UNIT_RUN(test_list_cap);
	UNIT_RUN(test_anon_exec);
	UNIT_RUN(test_open_file);
	UNIT_EXIT();
}
