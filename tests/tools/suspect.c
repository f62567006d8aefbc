/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * A suspect process for tests/cli/t-procdepth.sh (issue 18): what an
 * intruder leaves in a process and nowhere on disk.
 *
 *   suspect DIR LIB.so   a file in DIR opened then unlinked, a marker
 *                        written to it; a memfd holding a marker, mapped
 *                        read-write; a second memfd mapped executable; an
 *                        anonymous executable mapping; LIB.so dlopen-ed
 *                        then unlinked. Prints "pid N", "file FD",
 *                        "memfd FD", "ready", then waits to be killed.
 *   suspect -c N         churn: two ranges of N descriptors open in turn,
 *                        so that descriptors vanish while they are read.
 *   suspect -s N         storm: children that open N descriptors and exit
 *                        a few milliseconds later, again and again.
 *   suspect -m N         many: holds N descriptors (raising its soft
 *                        limit to the hard one) and waits.
 *   suspect -x DIR MARK N  exiter: a child holding N descriptors, the
 *                        middle one a deleted file in DIR, that exits the
 *                        moment a process whose environment holds
 *                        PROCDEPTH_AGENT=MARK opens that file (the agent
 *                        copying it): a process gone halfway through the
 *                        reading of its descriptors. The parent reaps it
 *                        at once. Prints the child's pid ("nofanotify"
 *                        where fanotify cannot be used).
 */
#define _GNU_SOURCE
#include <sys/fanotify.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <dlfcn.h>
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Raise the soft limit on descriptors to the hard one. */
static void
nofile(void)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/*
 * Two ranges of n descriptors in turn, each opened before the other is
 * closed, every 2 ms: a reader that takes longer than that to read what
 * it listed finds some of it gone.
 */
static void
churn(int n)
{
	int	base, lo[2], phase = 0, i;

	nofile();
	if ((base = open("/dev/null", O_RDONLY)) == -1)
		err(1, "open");
	lo[0] = 100;
	lo[1] = 200 + n;
	printf("pid %d\nready\n", (int)getpid());
	fflush(stdout);
	for (;;) {
		for (i = 0; i < n; i++)
			if (dup2(base, lo[phase] + i) == -1)
				err(1, "dup2");
		for (i = 0; i < n; i++)
			close(lo[!phase] + i);
		phase = !phase;
		usleep(2000);
	}
}

static void
storm(int n)
{
	pid_t	pid;
	int	i;

	printf("pid %d\nready\n", (int)getpid());
	fflush(stdout);
	for (;;) {
		if ((pid = fork()) == -1)
			err(1, "fork");
		if (pid == 0) {
			for (i = 0; i < n; i++)
				if (open("/dev/null", O_RDONLY) == -1)
					break;
			usleep((useconds_t)(rand() % 20000));
			_exit(0);
		}
		waitpid(pid, NULL, 0);
	}
}

static void
many(int n)
{
	int	i;

	nofile();
	for (i = 0; i < n; i++)
		if (open("/dev/null", O_RDONLY) == -1)
			err(1, "open %d", i);
	printf("pid %d\nready\n", (int)getpid());
	fflush(stdout);
	for (;;)
		pause();
}

/* Whether process pid has var=value (var "PROCDEPTH_AGENT=MARK"). */
static int
has_env(int pid, const char *var)
{
	static char	buf[1 << 20];
	char		path[64];
	ssize_t		n;
	int		fd;

	snprintf(path, sizeof path, "/proc/%d/environ", pid);
	if ((fd = open(path, O_RDONLY)) == -1)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return memmem(buf, (size_t)n + 1, var, strlen(var) + 1) != NULL;
}

static void
exiter_child(const char *dir, const char *mark, int n, int ready)
{
	struct fanotify_event_metadata	ev[64];
	char				path[4096], var[256];
	ssize_t				got;
	int				fan, fd, i;

	nofile();
	snprintf(var, sizeof var, "PROCDEPTH_AGENT=%s", mark);
	for (i = 0; i < n / 2; i++)
		if (open("/dev/null", O_RDONLY) == -1)
			err(1, "open");
	snprintf(path, sizeof path, "%s/exit-trigger.txt", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) == -1)
		err(1, "%s", path);
	if (write(fd, "trigger\n", 8) != 8)
		err(1, "write");
	if ((fan = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC, O_RDONLY)) ==
	    -1 || fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD,
	    path) == -1) {
		if (write(ready, "n", 1) != 1)
			_exit(1);
		_exit(3);
	}
	if (unlink(path) == -1)
		err(1, "unlink");
	for (i = 0; i < n / 2; i++)
		if (open("/dev/null", O_RDONLY) == -1)
			err(1, "open");
	if (write(ready, "y", 1) != 1)
		_exit(1);
	for (;;) {
		if ((got = read(fan, ev, sizeof ev)) <= 0)
			_exit(1);
		for (i = 0; (size_t)i < (size_t)got / sizeof ev[0]; i++) {
			if (ev[i].fd >= 0)
				close(ev[i].fd);
			if (has_env(ev[i].pid, var))
				_exit(0);
		}
	}
}

static void
exiter(const char *dir, const char *mark, int n)
{
	pid_t	pid;
	int	p[2];
	char	c = 0;

	if (pipe(p) == -1 || (pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		close(p[0]);
		exiter_child(dir, mark, n, p[1]);
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1 || c != 'y') {
		printf("nofanotify\nready\n");
		fflush(stdout);
		waitpid(pid, NULL, 0);
		exit(0);
	}
	printf("pid %d\nready\n", (int)pid);
	fflush(stdout);
	waitpid(pid, NULL, 0);
	printf("exited\n");
	fflush(stdout);
	for (;;)
		pause();
}

int
main(int argc, char **argv)
{
	char	 path[4096], marker[128];
	void	*data, *code, *anon;
	int	 fd, mfd, xfd;
	size_t	 len;

	if (argc == 3 && strcmp(argv[1], "-c") == 0)
		churn(atoi(argv[2]));
	if (argc == 3 && strcmp(argv[1], "-s") == 0)
		storm(atoi(argv[2]));
	if (argc == 3 && strcmp(argv[1], "-m") == 0)
		many(atoi(argv[2]));
	if (argc == 5 && strcmp(argv[1], "-x") == 0)
		exiter(argv[2], argv[3], atoi(argv[4]));
	if (argc != 3)
		errx(2, "usage: suspect DIR LIB.so | -c N | -s N | -m N | "
		    "-x DIR MARK N");

	/* Open, unlink, then write: the data lives only in the fd. */
	snprintf(path, sizeof path, "%s/deleted-evidence.txt", argv[1]);
	if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) == -1)
		err(1, "%s", path);
	if (unlink(path) == -1)
		err(1, "unlink");
	len = (size_t)snprintf(marker, sizeof marker,
	    "CSIRT-DELETED-MARKER-%d\n", (int)getpid());
	if (write(fd, marker, len) != (ssize_t)len)
		err(1, "write");

	if ((mfd = memfd_create("suspect-data", 0)) == -1)
		err(1, "memfd_create");
	len = (size_t)snprintf(marker, sizeof marker,
	    "CSIRT-MEMFD-MARKER-%d\n", (int)getpid());
	if (ftruncate(mfd, 4096) == -1)
		err(1, "ftruncate");
	if ((data = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, mfd,
	    0)) == MAP_FAILED)
		err(1, "mmap memfd");
	memcpy(data, marker, len);

	if ((xfd = memfd_create("suspect-code", 0)) == -1)
		err(1, "memfd_create");
	if (ftruncate(xfd, 4096) == -1)
		err(1, "ftruncate");
	if ((code = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, xfd,
	    0)) == MAP_FAILED)
		err(1, "mmap memfd exec");
	if ((anon = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
		err(1, "mmap anonymous exec");
	memset(anon, 0xc3, 8192);	/* ret: touched, so present */

	/* An "injected" library, deleted once loaded. */
	if (dlopen(argv[2], RTLD_NOW) == NULL)
		errx(1, "dlopen: %s", dlerror());
	if (unlink(argv[2]) == -1)
		err(1, "unlink %s", argv[2]);

	printf("pid %d\nfile %d\nmemfd %d\ncode %d\nready\n", (int)getpid(),
	    fd, mfd, xfd);
	fflush(stdout);
	for (;;)
		pause();
}
