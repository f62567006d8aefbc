/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * yara: the YARA sweep. Process memory first (the more volatile: every
 * process but the agent, libyara's process scanning, live runs only,
 * off with --no-process-memory), then each --scan-path tree, taken under
 * the root like every path. The walk never follows a symlink, never
 * opens a FIFO, socket or device, and does not enter pseudo or network
 * file systems. It reads no file itself: each one (and each process) is
 * a job for the collect context's one reader pool (agent/workers.c),
 * with the disposition "scan, and archive if matched": a reader reads it
 * once (at most the file size limit and SCAN_CAP), hashes (sha256, md5)
 * and scans it, and the writer archives it under files/ from those bytes
 * if a rule matched (sweep_file). Collected files themselves are
 * scanned as they are archived (collect.c), not here.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector.h"
#include "os.h"
#include "sweep.h"
#include "util.h"
#include "walk.h"

#define YARA_MAX_PATH		4096
#define YARA_ERRORS_MAX		1000	/* recorded one by one */
#define YARA_NAME_MAX		256

struct yara_run {
	struct collect_ctx	*ctx;
	struct sweep		 sw;		/* the pool's counters */
	size_t			 special, pseudo;
};

static int
yara_expired(struct yara_run *y)
{
	return collect_expired(y->ctx);
}

static void
yara_error_errno(struct yara_run *y, const char *path, const char *what)
{
	sweep_error(y->ctx, &y->sw, path, "YARA sweep: %s: %s", what,
	    strerror(errno));
}

/* Queue every process but this one (live runs only). */
static void
yara_procs(struct yara_run *y)
{
	struct dirent	*de;
	DIR		*d;
	char		 p[64], exe[YARA_MAX_PATH], comm[YARA_NAME_MAX];
	ssize_t		 n;
	long long	 pid;
	int		 procfd, fd;

	if ((procfd = collect_open(y->ctx, "/proc", O_RDONLY |
	    O_DIRECTORY)) == -1 || (d = fdopendir(procfd)) == NULL) {
		yara_error_errno(y, "/proc", "cannot list processes");
		if (procfd != -1)
			close(procfd);
		return;
	}
	while ((de = readdir(d)) != NULL && !yara_expired(y)) {
		if (util_parse_int(de->d_name, 1, INT32_MAX, &pid) == -1 ||
		    collect_is_agent(y->ctx, (pid_t)pid))
			continue;
		snprintf(p, sizeof p, "%lld/exe", pid);
		/* No exe: a kernel thread, or gone. */
		if ((n = readlinkat(procfd, p, exe, sizeof exe - 1)) <= 0)
			continue;
		exe[n] = '\0';
		snprintf(p, sizeof p, "%lld/comm", pid);
		comm[0] = '\0';
		if ((fd = openat(procfd, p, O_RDONLY | O_CLOEXEC)) != -1) {
			if ((n = read(fd, comm, sizeof comm - 1)) < 0)
				n = 0;
			comm[n] = '\0';
			comm[strcspn(comm, "\n")] = '\0';
			close(fd);
		}
		if (sweep_process(y->ctx, (int)pid, comm, exe,
		    &y->sw) == -1)
			break;
	}
	closedir(d);
}

/* Open the regular file name in dfd without side effects; -1 if not. */
static int
yara_open(int dfd, const char *name, const struct stat *st)
{
	struct stat	now;
	int		fd;

	/* O_NONBLOCK: a FIFO swapped in after the fstatat never blocks. */
	if ((fd = os_openat(dfd, name, O_RDONLY | O_NONBLOCK)) == -1)
		return -1;
	if (fstat(fd, &now) == -1 || !S_ISREG(now.st_mode) ||
	    now.st_ino != st->st_ino || now.st_dev != st->st_dev) {
		close(fd);
		errno = EAGAIN;
		return -1;
	}
	return fd;
}

/* An entry of the walk: a regular file is queued; a directory entered. */
static int
yara_entry(void *arg, const struct walk_entry *e)
{
	struct yara_run	*y = arg;
	int		 fd;

	if (S_ISDIR(e->st->st_mode))
		return WALK_NEXT;
	if (!S_ISREG(e->st->st_mode)) {
		y->special++;	/* links, FIFOs, sockets, devices */
		return WALK_NEXT;
	}
	if (collect_excluded(y->ctx, e->path, e->st))
		return WALK_NEXT;	/* the agent's own output */
	if ((fd = yara_open(e->dfd, e->name, e->st)) == -1) {
		yara_error_errno(y, e->path, "open");
		return WALK_NEXT;
	}
	sweep_file(y->ctx, fd, e->st, e->path, &y->sw);
	return WALK_NEXT;
}

static void
yara_walk_error(void *arg, const char *path, const char *what, int err)
{
	errno = err;
	yara_error_errno(arg, path, what);
}

static int
yara_stop(void *arg)
{
	return yara_expired(arg);
}

/* Walk the tree at top (inside the root), queueing its files. */
static void
yara_sweep(struct yara_run *y, const char *top)
{
	struct walk	w;
	int		fd;

	if ((fd = collect_open(y->ctx, top, O_RDONLY | O_DIRECTORY)) == -1) {
		yara_error_errno(y, top, "--scan-path");
		return;
	}
	memset(&w, 0, sizeof w);
	w.entry = yara_entry;
	w.error = yara_walk_error;
	w.stop = yara_stop;
	w.arg = y;
	if (walk_tree(&w, fd, top) == -2)
		collect_log(y->ctx, LOG_INFO, "%s: a pseudo or network file "
		    "system: not swept", top);
	y->pseudo += w.pseudo;
}

static enum collect_result
yara_run(struct collect_ctx *ctx)
{
	const char *const	*paths = collect_scan_paths(ctx);
	struct yara_run		 y;

	if (collect_scanner(ctx) == NULL) {
		collect_log(ctx, LOG_INFO, "skipped: --no-yara");
		return COLLECT_OK;
	}
	if (*paths == NULL && !collect_scan_processes(ctx)) {
		collect_log(ctx, LOG_INFO, "nothing to sweep (no --scan-path, "
		    "no process memory)");
		return COLLECT_OK;
	}
	memset(&y, 0, sizeof y);
	y.ctx = ctx;
	y.sw.maxerrors = YARA_ERRORS_MAX;
	if (collect_scan_processes(ctx))
		yara_procs(&y);
	for (; *paths != NULL && !yara_expired(&y); paths++)
		yara_sweep(&y, *paths);
	/* Every job back: the counters are complete. */
	sweep_end(ctx, &y.sw);
	collect_log(ctx, LOG_INFO, "%llu processes and %llu files scanned "
	    "(%d threads); %llu processes unreadable; %zu links and special "
	    "files skipped, %zu pseudo file systems not entered; %llu files "
	    "matched; %llu errors, %llu timeouts",
	    (unsigned long long)y.sw.procs, (unsigned long long)y.sw.files,
	    os_ncpu(), (unsigned long long)y.sw.unreadable, y.special,
	    y.pseudo, (unsigned long long)y.sw.matched,
	    (unsigned long long)y.sw.errors, (unsigned long long)y.sw.timeouts);
	if (y.sw.changed > 0)
		collect_log(ctx, LOG_WARN, "%llu matched files changed between "
		    "scan and copy (their manifest entries say so)",
		    (unsigned long long)y.sw.changed);
	if (y.sw.errors > YARA_ERRORS_MAX)
		collect_error(ctx, NULL, "%llu more sweep errors not listed",
		    (unsigned long long)(y.sw.errors - YARA_ERRORS_MAX));
	return y.sw.errors || y.sw.changed ? COLLECT_PARTIAL : COLLECT_OK;
}

const struct collector collector_yara = {
	.name = "yara",
	.description = "YARA sweep of process memory and --scan-path trees",
	.flags = COLLECTOR_SLOW,
	.run = yara_run,
};
