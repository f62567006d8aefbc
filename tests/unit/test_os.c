/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The os_ layer: opening under a root with openat2 and with the
 * component walk of kernels without it (forced here, so it is tested on
 * any kernel), and the host identity of a hostile image (FIFOs where
 * small files should be, a hostname of 4 KiB).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os.h"
#include "util.h"
#include "unit.h"

static char	root[64];

static void
mk(const char *path, const char *text)
{
	char	*p = xasprintf("%s/%s", root, path);
	int	 fd;

	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd != -1);
	if (fd != -1) {
		CHECK(util_write_all(fd, text, strlen(text)) == 0);
		close(fd);
	}
	free(p);
}

static void
mkany(const char *what, const char *path, const char *target)
{
	char	*p = xasprintf("%s/%s", root, path);

	if (strcmp(what, "dir") == 0)
		CHECK(mkdir(p, 0755) == 0);
	else if (strcmp(what, "link") == 0)
		CHECK(symlink(target, p) == 0);
	else
		CHECK(mkfifo(p, 0644) == 0);
	free(p);
}

static void
setup(void)
{
	strcpy(root, "/tmp/cc-test-os.XXXXXX");
	CHECK(mkdtemp(root) != NULL);
	mkany("dir", "a", NULL);
	mkany("dir", "a/b", NULL);
	mk("a/b/file", "inside\n");
	mkany("link", "dirlink", "a");			/* inside, relative */
	mkany("link", "abslink", "/etc");		/* absolute */
	mkany("link", "a/up", "../../../../..");	/* climbs out */
	mkany("link", "filelink", "a/b/file");
	mkany("dir", "etc", NULL);
	mkany("fifo", "etc/hostname", NULL);
	mkany("fifo", "etc/os-release", NULL);
	mkany("fifo", "etc/machine-id", NULL);
}

/* Open path under the root; the first bytes, or "" when it fails. */
static int
opens(int rootfd, const char *path, char *got, size_t len)
{
	ssize_t	n;
	int	fd;

	got[0] = '\0';
	if ((fd = os_open_under(rootfd, path, O_RDONLY | O_NONBLOCK)) == -1)
		return -1;
	n = read(fd, got, len - 1);
	got[n > 0 ? n : 0] = '\0';
	close(fd);
	return 0;
}

/* What holds with either resolver: nothing leads out of the root. */
static void
check_common(int rootfd)
{
	char	got[64];

	CHECK(opens(rootfd, "/a/b/file", got, sizeof got) == 0);
	CHECK_STR(got, "inside\n");
	CHECK(opens(rootfd, "a//b/./file", got, sizeof got) == 0);
	CHECK_STR(got, "inside\n");
	/* The last component is never followed. */
	CHECK(opens(rootfd, "/filelink", got, sizeof got) == -1);
	CHECK(errno == ELOOP);
	/* Never the host's files, however the path is spelt. */
	CHECK(opens(rootfd, "/abslink/passwd", got, sizeof got) == -1);
	CHECK(opens(rootfd, "/../../../../etc/passwd", got, sizeof got) == -1);
	CHECK(opens(rootfd, "/a/up/etc/passwd", got, sizeof got) == -1);
	CHECK(opens(rootfd, "/a/b/../../../etc/passwd", got,
	    sizeof got) == -1);
}

static void
test_openat2(void)
{
	char	got[64];
	int	rootfd;

	os_use_openat2(1);
	CHECK((rootfd = os_root_open(root)) != -1);
	check_common(rootfd);
	/* openat2 resolves a link inside the root. */
	CHECK(opens(rootfd, "/dirlink/b/file", got, sizeof got) == 0);
	CHECK_STR(got, "inside\n");
	close(rootfd);
}

static void
test_walk(void)
{
	char	got[64];
	int	rootfd;

	os_use_openat2(0);
	CHECK((rootfd = os_root_open(root)) != -1);
	check_common(rootfd);
	/* The walk is stricter: no link on the way at all. */
	CHECK(opens(rootfd, "/dirlink/b/file", got, sizeof got) == -1);
	CHECK(opens(rootfd, "a/..", got, sizeof got) == -1);
	CHECK(errno == EXDEV);
	close(rootfd);
	os_use_openat2(1);
}

/* FIFOs as hostname, os-release, machine-id: no block, no content. */
static void
test_host_fifos(void)
{
	struct os_host	h;
	int		rootfd;

	CHECK((rootfd = os_root_open(root)) != -1);
	alarm(20);	/* a blocking open would hang here: fail instead */
	os_host_read(rootfd, 1, &h);
	alarm(0);
	CHECK_STR(h.hostname, "unknown");
	CHECK(h.os == NULL && h.machine_id == NULL);
	os_host_free(&h);
	close(rootfd);
}

static void
test_host_long_name(void)
{
	struct os_host	 h;
	char		*p, name[5000];
	int		 rootfd;

	p = xasprintf("%s/etc/hostname", root);
	unlink(p);
	free(p);
	memset(name, 'h', sizeof name - 2);
	name[sizeof name - 2] = '\n';
	name[sizeof name - 1] = '\0';
	mk("etc/hostname", name);
	CHECK((rootfd = os_root_open(root)) != -1);
	os_host_read(rootfd, 1, &h);
	CHECK(h.hostname != NULL && strlen(h.hostname) == 64);
	os_host_free(&h);
	close(rootfd);
}

/* The one pseudo-file-system list: proc and sysfs skipped, our tree not. */
static void
test_fs_pseudo(void)
{
	int	fd;

	if ((fd = open("/proc/self", O_RDONLY | O_DIRECTORY)) != -1) {
		CHECK(os_fs_pseudo(fd) == 1);
		CHECK_STR(os_fs_type(fd), "proc");
		close(fd);
	}
	if ((fd = open("/sys/kernel", O_RDONLY | O_DIRECTORY)) != -1) {
		CHECK(os_fs_pseudo(fd) == 1);
		close(fd);
	}
	fd = open(root, O_RDONLY | O_DIRECTORY);
	CHECK(fd != -1);
	if (fd != -1) {
		CHECK(os_fs_pseudo(fd) == 0);
		close(fd);
	}
	CHECK(os_fs_pseudo(-1) == 0);
	CHECK_STR(os_fs_type(-1), "unknown");
}

int
main(void)
{
	char	*cmd;

	setup();
	UNIT_RUN(test_openat2);
	UNIT_RUN(test_walk);
	UNIT_RUN(test_host_fifos);
	UNIT_RUN(test_host_long_name);
	UNIT_RUN(test_fs_pseudo);
	cmd = xasprintf("rm -rf '%s'", root);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", root);
	free(cmd);
	UNIT_EXIT();
}
