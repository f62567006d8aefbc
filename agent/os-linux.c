/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Linux implementation of the os_ layer. Every open of evidence goes
 * through os_open_under, which applies --root in one place: openat2 with
 * RESOLVE_IN_ROOT so that no link or ".." leads out of the root, and
 * O_NOFOLLOW so the last component is recorded, never followed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "os.h"
#include "util.h"

#define OS_SMALL_FILE	4096
#define OS_HOSTNAME_MAX	64

/*
 * Set once openat2 returned ENOSYS (a kernel before 5.6), or from the
 * start with CSIRT_COLLECT_NO_OPENAT2=1 in the environment, so that the
 * component walk, stricter (it refuses every link on the way), can be
 * run and tested on any kernel.
 */
static int	os_no_openat2 = -1;

void
os_use_openat2(int on)
{
	os_no_openat2 = !on;
}

static int	os_openat2(int, const char *, int);

int
os_root_open(const char *root)
{
	const char	*e;
	int		 fd, probe = -1;

	if ((fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if (os_no_openat2 == -1) {
		e = getenv("CSIRT_COLLECT_NO_OPENAT2");
		os_no_openat2 = e != NULL && strcmp(e, "1") == 0;
		/* Known from the start, so the log can say which it is. */
		if (!os_no_openat2 && (probe = os_openat2(fd, ".",
		    O_PATH)) == -1 && errno == ENOSYS)
			os_no_openat2 = 1;
		if (probe != -1)
			close(probe);
	}
	return fd;
}

const char *
os_resolver(void)
{
	return os_no_openat2 == 1 ? "a component walk refusing links "
	    "(no openat2)" : "openat2 RESOLVE_IN_ROOT";
}

/* Walk path component by component, refusing any symlink. */
static int
os_open_walk(int rootfd, const char *path, int flags)
{
	char	*copy, *comp, *next;
	int	 dfd, fd = -1, saved;

	while (*path == '/')
		path++;
	if (*path == '\0')
		return openat(rootfd, ".", flags | O_CLOEXEC);
	copy = xstrdup(path);
	if ((dfd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		goto out;
	for (comp = copy; comp != NULL; comp = next) {
		if ((next = strchr(comp, '/')) != NULL) {
			*next++ = '\0';
			while (*next == '/')
				next++;
			if (*next == '\0')
				next = NULL;
		}
		if (strcmp(comp, "..") == 0) {
			errno = EXDEV;
			break;
		}
		if (next == NULL) {
			fd = openat(dfd, comp, flags | O_NOFOLLOW | O_CLOEXEC);
			break;
		}
		fd = openat(dfd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		close(dfd);
		if ((dfd = fd) == -1)
			break;
		fd = -1;
	}
out:
	saved = errno;
	if (dfd != -1)
		close(dfd);
	free(copy);
	errno = saved;
	return fd;
}

static int
os_openat2(int rootfd, const char *path, int flags)
{
	struct open_how	how;
	long		fd;

	memset(&how, 0, sizeof how);
	how.flags = (unsigned long long)(flags | O_NOFOLLOW | O_CLOEXEC);
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	while (*path == '/')
		path++;
	if (*path == '\0')
		path = ".";
	do
		fd = syscall(SYS_openat2, rootfd, path, &how, sizeof how);
	while (fd == -1 && errno == EAGAIN);
	return (int)fd;
}

int
os_open_under(int rootfd, const char *path, int flags)
{
	int	fd, tries;

	if ((flags & O_PATH) == 0)
		flags |= O_NOATIME;
	for (tries = 0; tries < 2; tries++) {
		if (os_no_openat2 != 1) {
			fd = os_openat2(rootfd, path, flags);
			if (fd == -1 && errno == ENOSYS) {
				os_no_openat2 = 1;
				fd = os_open_walk(rootfd, path, flags);
			}
		} else
			fd = os_open_walk(rootfd, path, flags);
		/* O_NOATIME needs ownership or CAP_FOWNER. */
		if (fd == -1 && errno == EPERM && (flags & O_NOATIME)) {
			flags &= ~O_NOATIME;
			continue;
		}
		return fd;
	}
	return -1;
}

int
os_openat(int dfd, const char *name, int flags)
{
	int	fd;

	flags |= O_NOFOLLOW | O_CLOEXEC;
	/* O_NOATIME needs ownership or CAP_FOWNER. */
	if ((fd = openat(dfd, name, flags | O_NOATIME)) == -1 &&
	    errno == EPERM)
		fd = openat(dfd, name, flags);
	return fd;
}

int
os_open_regular(int rootfd, const char *path, struct stat *st)
{
	struct stat	st2;
	int		pfd, fd, fl;

	if ((pfd = os_open_under(rootfd, path, O_PATH)) == -1)
		return -1;
	if (fstat(pfd, st) == -1) {
		close(pfd);
		return -1;
	}
	close(pfd);
	if (!S_ISREG(st->st_mode)) {
		errno = EINVAL;
		return -1;
	}
	/*
	 * O_NONBLOCK: should the path be swapped for a FIFO between the two
	 * opens, the open does not block; the dev/ino check catches it.
	 */
	if ((fd = os_open_under(rootfd, path, O_RDONLY | O_NONBLOCK)) == -1)
		return -1;
	if (fstat(fd, &st2) == -1 || st2.st_dev != st->st_dev ||
	    st2.st_ino != st->st_ino || !S_ISREG(st2.st_mode)) {
		close(fd);
		errno = ESTALE;
		return -1;
	}
	*st = st2;
	if ((fl = fcntl(fd, F_GETFL)) != -1)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

/* First line of a small file under the root, trimmed; NULL if none. */
static char *
os_read_line(int rootfd, const char *path)
{
	struct stat	 st;
	char		*s, *nl;
	int		 fd;

	/* A FIFO or a device in an image must not block the run. */
	if ((fd = os_open_regular(rootfd, path, &st)) == -1)
		return NULL;
	s = util_read_fd(fd, OS_SMALL_FILE, NULL, NULL);
	close(fd);
	if (s == NULL)
		return NULL;
	if ((nl = strchr(s, '\n')) != NULL)
		*nl = '\0';
	if (*s == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

/* PRETTY_NAME from os-release, unquoted. */
static char *
os_release_name(int rootfd)
{
	static const char *const paths[] = { "/etc/os-release",
	    "/usr/lib/os-release" };
	struct stat	 st;
	char		*s, *p, *end, *name = NULL;
	size_t		 i;
	int		 fd;

	for (i = 0; i < nitems(paths) && name == NULL; i++) {
		if ((fd = os_open_regular(rootfd, paths[i], &st)) == -1)
			continue;
		s = util_read_fd(fd, 65536, NULL, NULL);
		close(fd);
		if (s == NULL)
			continue;
		for (p = s; p != NULL && *p != '\0'; p = end) {
			if ((end = strchr(p, '\n')) != NULL)
				*end++ = '\0';
			if (strncmp(p, "PRETTY_NAME=", 12) != 0)
				continue;
			p += 12;
			if (*p == '"' || *p == '\'') {
				size_t	l = strlen(p);

				if (l >= 2 && p[l - 1] == *p)
					p[l - 1] = '\0';
				p++;
			}
			name = xstrdup(p);
			break;
		}
		free(s);
	}
	return name;
}

void
os_host_read(int rootfd, int deadbox, struct os_host *h)
{
	struct utsname	u;
	int		fd;

	memset(h, 0, sizeof *h);
	if (deadbox)
		h->hostname = os_read_line(rootfd, "/etc/hostname");
	else if (uname(&u) == 0) {
		h->hostname = xstrdup(u.nodename);
		h->kernel = xasprintf("%s %s %s %s", u.sysname, u.release,
		    u.version, u.machine);
	}
	if (h->hostname == NULL)
		h->hostname = xstrdup("unknown");
	/*
	 * No kernel has a longer name (HOST_NAME_MAX): an image's longer
	 * /etc/hostname would make the archive's name too long to create.
	 */
	if (strlen(h->hostname) > OS_HOSTNAME_MAX)
		h->hostname[OS_HOSTNAME_MAX] = '\0';
	h->os = os_release_name(rootfd);
	h->machine_id = os_read_line(rootfd, "/etc/machine-id");
	if (!deadbox && (fd = os_root_open("/")) != -1) {
		h->boot_id = os_read_line(fd,
		    "/proc/sys/kernel/random/boot_id");
		close(fd);
	}
}

void
os_host_free(struct os_host *h)
{
	free(h->hostname);
	free(h->os);
	free(h->kernel);
	free(h->boot_id);
	free(h->machine_id);
	memset(h, 0, sizeof *h);
}

int
os_ncpu(void)
{
	long	n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : (n > 256 ? 256 : (int)n);
}

/*
 * The one list of file systems the agent tells apart. pseudo: the pseudo
 * and network ones, never entered by the timeline walk or the YARA
 * sweep and never scanned (proc, sysfs, cgroup…, nfs, cifs, fuse…);
 * tmpfs is real data and is walked.
 */
static const struct {
	unsigned long	 magic;
	const char	*name;
	int		 pseudo;
} os_fs_types[] = {
	{ PROC_SUPER_MAGIC, "proc", 1 },
	{ SYSFS_MAGIC, "sysfs", 1 },
	{ DEVPTS_SUPER_MAGIC, "devpts", 1 },
	{ TMPFS_MAGIC, "tmpfs", 0 },
	{ CGROUP_SUPER_MAGIC, "cgroup", 1 },
	{ CGROUP2_SUPER_MAGIC, "cgroup2", 1 },
	{ DEBUGFS_MAGIC, "debugfs", 1 },
	{ TRACEFS_MAGIC, "tracefs", 1 },
	{ SECURITYFS_MAGIC, "securityfs", 1 },
	{ BPF_FS_MAGIC, "bpf", 1 },
	{ PSTOREFS_MAGIC, "pstore", 1 },
	{ EFIVARFS_MAGIC, "efivarfs", 1 },
	{ NSFS_MAGIC, "nsfs", 1 },
	{ BINFMTFS_MAGIC, "binfmt_misc", 1 },
	{ AUTOFS_SUPER_MAGIC, "autofs", 1 },
	{ 0x62656570UL, "configfs", 1 },
	{ 0x19800202UL, "mqueue", 1 },
	{ 0x65735543UL, "fusectl", 1 },
	{ NFS_SUPER_MAGIC, "nfs", 1 },
	{ SMB_SUPER_MAGIC, "smb", 1 },
	{ 0xff534d42UL, "cifs", 1 },
	{ 0xfe534d42UL, "smb2", 1 },
	{ 0x65735546UL, "fuse", 1 },
	{ CODA_SUPER_MAGIC, "coda", 1 },
	{ 0x01021997UL, "9p", 1 },
	{ 0x00c36400UL, "ceph", 1 },
	{ 0x5346414fUL, "afs", 1 },
	{ 0x67596969UL, "rpc_pipefs", 1 },
	{ EXT4_SUPER_MAGIC, "ext4", 0 },
	{ XFS_SUPER_MAGIC, "xfs", 0 },
	{ BTRFS_SUPER_MAGIC, "btrfs", 0 },
	{ OVERLAYFS_SUPER_MAGIC, "overlay", 0 },
};

/*
 * The index in os_fs_types of fd's file system: -1 if not listed, -2 if
 * fstatfs fails.
 */
static int
os_fs_index(int fd)
{
	struct statfs	sfs;
	size_t		i;

	if (fstatfs(fd, &sfs) == -1)
		return -2;
	for (i = 0; i < nitems(os_fs_types); i++)
		if ((unsigned long)sfs.f_type == os_fs_types[i].magic)
			return (int)i;
	return -1;
}

const char *
os_fs_type(int fd)
{
	int	i = os_fs_index(fd);

	return i == -2 ? "unknown" : i == -1 ? "other" : os_fs_types[i].name;
}

int
os_fs_pseudo(int fd)
{
	int	i = os_fs_index(fd);

	return i >= 0 && os_fs_types[i].pseudo;
}
