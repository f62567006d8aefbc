/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * yara: the YARA sweep. Process memory first (the more volatile: every
 * process but the agent, libyara's process scanning, live runs only,
 * off with --no-process-memory), then each --scan-path tree, taken under
 * the root like every path. A pool of workers (one per CPU, each with
 * its own scanner) takes jobs from a bounded queue filled by the walk:
 * each file is read once into memory (at most the file size limit and
 * SCAN_CAP), hashed (sha256, md5) and scanned from that copy. The walk
 * never follows a symlink, never opens a FIFO, socket or device, and
 * does not enter pseudo or network file systems. Files that match are
 * then added to the archive under files/ by collect_file, which reads
 * them again (a second read of the few files that match, accepted to
 * keep the archive writer on one thread). Collected files themselves are
 * scanned as they are archived (collect.c), not here.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "collector.h"
#include "os.h"
#include "scan.h"
#include "util.h"

#define YARA_MAX_DEPTH		128
#define YARA_MAX_PATH		4096
#define YARA_MAX_THREADS	64
#define YARA_ERRORS_MAX		1000	/* recorded one by one */
#define YARA_NAME_MAX		256

struct yara_job {
	int		 fd;		/* file, or -1 */
	int		 pid;		/* process, or 0 */
	char		*path;		/* file path, or process exe */
	char		*name;		/* process name */
	struct stat	 st;
	int		 skip;		/* the run was cut: drop it */
};

struct yara_run {
	struct collect_ctx	*ctx;
	struct scan		*scan;
	uint64_t		 readmax;
	pthread_mutex_t		 lock;	/* queue, counters, every ctx call */
	pthread_cond_t		 nonempty, nonfull;
	pthread_cond_t		 bigfree;
	int			 big;	/* a thread holds a big buffer */
	struct yara_job		*q;
	size_t			 qcap, qhead, qlen;
	int			 done;
	int			 cut;	/* limit hit: drop queued jobs */
	char			**matched;	/* files to collect */
	size_t			 nmatched;
	size_t			 files, procs, special, pseudo, errors;
	size_t			 proc_unreadable, timeouts;
};

struct yara_frame {
	DIR	*d;
	size_t	 len;
};

static void
yara_job_free(struct yara_job *j)
{
	if (j->fd != -1)
		close(j->fd);
	free(j->path);
	free(j->name);
}

/* Queue a job (blocks while the queue is full). Takes ownership. */
static void
yara_enqueue(struct yara_run *y, struct yara_job *j)
{
	pthread_mutex_lock(&y->lock);
	while (y->qlen == y->qcap)
		pthread_cond_wait(&y->nonfull, &y->lock);
	y->q[(y->qhead + y->qlen) % y->qcap] = *j;
	y->qlen++;
	pthread_cond_signal(&y->nonempty);
	pthread_mutex_unlock(&y->lock);
}

/* The next job; 0 once the queue is empty and closed. */
static int
yara_dequeue(struct yara_run *y, struct yara_job *j)
{
	pthread_mutex_lock(&y->lock);
	while (y->qlen == 0 && !y->done)
		pthread_cond_wait(&y->nonempty, &y->lock);
	if (y->qlen == 0) {
		pthread_mutex_unlock(&y->lock);
		return 0;
	}
	*j = y->q[y->qhead];
	j->skip = y->cut;
	y->qhead = (y->qhead + 1) % y->qcap;
	y->qlen--;
	pthread_cond_signal(&y->nonfull);
	pthread_mutex_unlock(&y->lock);
	return 1;
}

/* Record an error (under the lock); past the cap only counted. */
static void
yara_error(struct yara_run *y, const char *path, const char *msg)
{
	if (y->errors++ < YARA_ERRORS_MAX)
		collect_error(y->ctx, path, "%s", msg);
}

/* Write the records of recs (under the lock); 1 if there were any. */
static int
yara_report(struct yara_run *y, json_t *recs)
{
	size_t	i, n = json_array_size(recs);

	for (i = 0; i < n; i++)
		collect_match(y->ctx, json_incref(json_array_get(recs, i)));
	json_decref(recs);
	return n > 0;
}

/* Read up to want bytes of fd into *buf (grown). Bytes read, or -1. */
static ssize_t
yara_read(int fd, uint64_t want, unsigned char **buf, size_t *cap)
{
	size_t	got = 0;
	ssize_t	n;

	if (want > *cap) {
		free(*buf);
		*buf = xmalloc(want ? want : 1);
		*cap = want;
	}
	while (got < want) {
		n = pread(fd, *buf + got, want - got, (off_t)got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;	/* shrank while read */
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* Hash and scan the n bytes read of the file of j, then report. */
static void
yara_scan_buf(struct yara_run *y, struct scan_thread *t, struct yara_job *j,
    const unsigned char *buf, size_t n, uint64_t want)
{
	struct scan_file	 f;
	unsigned char		 sha[32], md5[16];
	char			 err[256], *msg;
	json_t			*recs = NULL;
	int			 rc;

	EVP_Digest(buf, n, sha, NULL, EVP_sha256(), NULL);
	if (scan_uses_md5(y->scan))
		EVP_Digest(buf, n, md5, NULL, EVP_md5(), NULL);
	memset(&f, 0, sizeof f);
	f.path = j->path;
	f.uid = j->st.st_uid;
	pthread_mutex_lock(&y->lock);	/* loads the names once */
	f.owner = collect_user_name(y->ctx, j->st.st_uid);
	pthread_mutex_unlock(&y->lock);
	f.sha256 = sha;
	f.md5 = scan_uses_md5(y->scan) ? md5 : NULL;
	f.size = (uint64_t)j->st.st_size;
	rc = scan_file(t, buf, n, &f, &recs, err, sizeof err);
	pthread_mutex_lock(&y->lock);
	y->files++;
	if ((uint64_t)j->st.st_size > want)
		collect_log(y->ctx, LOG_INFO, "%s: %lld bytes: scanned on its "
		    "first %llu", j->path, (long long)j->st.st_size,
		    (unsigned long long)want);
	if (rc != SCAN_OK) {
		y->timeouts += rc == SCAN_TIMEOUT;
		msg = xasprintf("YARA: %s", err);
		yara_error(y, j->path, msg);
		free(msg);
	} else if (yara_report(y, recs)) {
		y->matched = xreallocarray(y->matched, y->nmatched + 1,
		    sizeof *y->matched);
		y->matched[y->nmatched++] = xstrdup(j->path);
	}
	pthread_mutex_unlock(&y->lock);
}

static void
yara_do_file(struct yara_run *y, struct scan_thread *t, struct yara_job *j,
    unsigned char **buf, size_t *cap)
{
	char		*msg;
	uint64_t	 want;
	ssize_t		 n;

	want = (uint64_t)j->st.st_size < y->readmax ?
	    (uint64_t)j->st.st_size : y->readmax;
	if (want > SCAN_BIG) {
		/* One big buffer at a time, given back after the file. */
		pthread_mutex_lock(&y->lock);
		while (y->big)
			pthread_cond_wait(&y->bigfree, &y->lock);
		y->big = 1;
		pthread_mutex_unlock(&y->lock);
	}
	n = yara_read(j->fd, want, buf, cap);
	if (n == -1) {
		msg = xasprintf("YARA sweep: read: %s", strerror(errno));
		pthread_mutex_lock(&y->lock);
		yara_error(y, j->path, msg);
		pthread_mutex_unlock(&y->lock);
		free(msg);
	} else
		yara_scan_buf(y, t, j, *buf, (size_t)n, want);
	if (want > SCAN_BIG) {
		free(*buf);
		*buf = NULL;
		*cap = 0;
		pthread_mutex_lock(&y->lock);
		y->big = 0;
		pthread_cond_signal(&y->bigfree);
		pthread_mutex_unlock(&y->lock);
	}
}

static void
yara_do_proc(struct yara_run *y, struct scan_thread *t, struct yara_job *j)
{
	char	 err[256], *msg;
	json_t	*recs = NULL;
	int	 rc;

	rc = scan_process(t, j->pid, j->name, j->path, &recs, err,
	    sizeof err);
	pthread_mutex_lock(&y->lock);
	y->procs++;
	if (rc == SCAN_TIMEOUT) {
		y->timeouts++;
		msg = xasprintf("YARA: process %d (%s): %s", j->pid, j->name,
		    err);
		yara_error(y, NULL, msg);
		free(msg);
	} else if (rc != SCAN_OK) {
		/* Gone, or a kernel thread: common, not an error. */
		y->proc_unreadable++;
		collect_log(y->ctx, LOG_DEBUG, "process %d (%s): %s", j->pid,
		    j->name, err);
	} else
		yara_report(y, recs);
	pthread_mutex_unlock(&y->lock);
}

static void *
yara_worker(void *arg)
{
	struct yara_run		*y = arg;
	struct scan_thread	*t;
	struct yara_job		 j;
	unsigned char		*buf = NULL;
	size_t			 cap = 0;

	t = scan_thread_new(y->scan);
	while (yara_dequeue(y, &j)) {
		if (j.skip)
			;
		else if (j.pid > 0)
			yara_do_proc(y, t, &j);
		else
			yara_do_file(y, t, &j, &buf, &cap);
		yara_job_free(&j);
	}
	free(buf);
	scan_thread_free(t);
	return NULL;
}

static int
yara_expired(struct yara_run *y)
{
	int	rc;

	pthread_mutex_lock(&y->lock);
	if ((rc = collect_expired(y->ctx)))
		y->cut = 1;
	pthread_mutex_unlock(&y->lock);
	return rc;
}

static void
yara_error_errno(struct yara_run *y, const char *path, const char *what)
{
	char	*msg;

	msg = xasprintf("YARA sweep: %s: %s", what, strerror(errno));
	pthread_mutex_lock(&y->lock);
	yara_error(y, path, msg);
	pthread_mutex_unlock(&y->lock);
	free(msg);
}

/* Queue every process but this one (live runs only). */
static void
yara_procs(struct yara_run *y)
{
	struct yara_job	 j;
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
		memset(&j, 0, sizeof j);
		j.fd = -1;
		j.pid = (int)pid;
		j.path = xstrdup(exe);
		j.name = xstrdup(comm);
		yara_enqueue(y, &j);
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

/*
 * One entry of the directory on top of the stack (path holds its full
 * name): queue a regular file, or open a directory (returned, else -1).
 */
static int
yara_entry(struct yara_run *y, int dfd, const char *name, const char *path)
{
	struct yara_job	j;
	struct stat	st;
	int		fd;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		yara_error_errno(y, path, "stat");
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		/* Listed without touching its atime. */
		fd = os_openat(dfd, name, O_RDONLY | O_DIRECTORY);
		if (fd == -1)
			yara_error_errno(y, path, "open directory");
		else if (os_fs_pseudo(fd)) {
			y->pseudo++;
			close(fd);
			fd = -1;
		}
		return fd;
	}
	if (!S_ISREG(st.st_mode)) {
		y->special++;	/* links, FIFOs, sockets, devices */
		return -1;
	}
	if (collect_excluded(y->ctx, path, &st))
		return -1;	/* the agent's own output */
	if ((fd = yara_open(dfd, name, &st)) == -1) {
		yara_error_errno(y, path, "open");
		return -1;
	}
	memset(&j, 0, sizeof j);
	j.fd = fd;
	j.path = xstrdup(path);
	j.st = st;
	yara_enqueue(y, &j);
	return -1;
}

/* Walk the tree at top (inside the root), queueing its files. */
static void
yara_sweep(struct yara_run *y, const char *top)
{
	struct yara_frame	 stack[YARA_MAX_DEPTH];
	struct dirent		*de;
	char			 path[YARA_MAX_PATH];
	size_t			 depth = 0, len, n = 0;
	int			 fd;

	if ((fd = collect_open(y->ctx, top, O_RDONLY | O_DIRECTORY)) == -1 ||
	    (stack[0].d = fdopendir(fd)) == NULL) {
		yara_error_errno(y, top, "--scan-path");
		if (fd != -1)
			close(fd);
		return;
	}
	if (os_fs_pseudo(fd)) {
		pthread_mutex_lock(&y->lock);
		collect_log(y->ctx, LOG_INFO, "%s: a pseudo or network file "
		    "system: not swept", top);
		pthread_mutex_unlock(&y->lock);
		closedir(stack[0].d);
		return;
	}
	len = strlen(top);
	while (len > 1 && top[len - 1] == '/')
		len--;
	if (len >= sizeof path)
		len = sizeof path - 1;
	memcpy(path, top, len);
	path[len] = '\0';
	stack[0].len = len;
	depth = 1;
	while (depth > 0) {
		if ((++n & 255) == 0 && yara_expired(y))
			break;
		if ((de = readdir(stack[depth - 1].d)) == NULL) {
			closedir(stack[--depth].d);
			continue;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		len = stack[depth - 1].len;
		if ((size_t)snprintf(path + len, sizeof path - len, "%s%s",
		    len == 1 && path[0] == '/' ? "" : "/", de->d_name) >=
		    sizeof path - len) {
			errno = ENAMETOOLONG;
			yara_error_errno(y, path, "path");
			continue;
		}
		fd = yara_entry(y, dirfd(stack[depth - 1].d), de->d_name, path);
		if (fd == -1)
			continue;
		if (depth == YARA_MAX_DEPTH ||
		    (stack[depth].d = fdopendir(fd)) == NULL) {
			errno = depth == YARA_MAX_DEPTH ? ELOOP : errno;
			yara_error_errno(y, path, "too deep or unreadable");
			close(fd);
			continue;
		}
		stack[depth++].len = strlen(path);
	}
	while (depth > 0)
		closedir(stack[--depth].d);
}

/* Add the files that matched to the archive (not scanned again). */
static void
yara_collect_matched(struct yara_run *y)
{
	size_t	i;
	int	was;

	was = collect_scan_files(y->ctx, 0);
	for (i = 0; i < y->nmatched; i++) {
		collect_file(y->ctx, y->matched[i]);
		free(y->matched[i]);
	}
	free(y->matched);
	collect_scan_files(y->ctx, was);
}

static void
yara_init(struct yara_run *y, struct collect_ctx *ctx, size_t nthreads)
{
	uint64_t	max = collect_max_file_size(ctx);

	memset(y, 0, sizeof *y);
	y->ctx = ctx;
	y->scan = collect_scanner(ctx);
	y->readmax = max < SCAN_CAP ? max : SCAN_CAP;
	y->qcap = nthreads * 4;
	y->q = xcalloc(y->qcap, sizeof *y->q);
	pthread_mutex_init(&y->lock, NULL);
	pthread_cond_init(&y->nonempty, NULL);
	pthread_cond_init(&y->nonfull, NULL);
	pthread_cond_init(&y->bigfree, NULL);
	/* Load the user names now: workers then only read them. */
	(void)collect_user_name(ctx, 0);
}

static enum collect_result
yara_run(struct collect_ctx *ctx)
{
	const char *const	*paths = collect_scan_paths(ctx);
	pthread_t		 th[YARA_MAX_THREADS];
	struct yara_run		 y;
	size_t			 i, nth;

	if (collect_scanner(ctx) == NULL) {
		collect_log(ctx, LOG_INFO, "skipped: --no-yara");
		return COLLECT_OK;
	}
	if (*paths == NULL && !collect_scan_processes(ctx)) {
		collect_log(ctx, LOG_INFO, "nothing to sweep (no --scan-path, "
		    "no process memory)");
		return COLLECT_OK;
	}
	nth = (size_t)os_ncpu();
	if (nth > YARA_MAX_THREADS)
		nth = YARA_MAX_THREADS;
	yara_init(&y, ctx, nth);
	for (i = 0; i < nth; i++)
		if (pthread_create(&th[i], NULL, yara_worker, &y) != 0)
			fatal("pthread_create");
	if (collect_scan_processes(ctx))
		yara_procs(&y);
	for (; *paths != NULL && !yara_expired(&y); paths++)
		yara_sweep(&y, *paths);
	pthread_mutex_lock(&y.lock);
	y.done = 1;
	pthread_cond_broadcast(&y.nonempty);
	pthread_mutex_unlock(&y.lock);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	collect_log(ctx, LOG_INFO, "%zu processes and %zu files scanned "
	    "(%zu threads); %zu processes unreadable; %zu links and special "
	    "files skipped, %zu pseudo file systems not entered; %zu files "
	    "matched; %zu errors, %zu timeouts", y.procs, y.files, nth,
	    y.proc_unreadable, y.special, y.pseudo, y.nmatched, y.errors,
	    y.timeouts);
	if (y.errors > YARA_ERRORS_MAX)
		collect_error(ctx, NULL, "%zu more sweep errors not listed",
		    y.errors - YARA_ERRORS_MAX);
	yara_collect_matched(&y);
	free(y.q);
	pthread_mutex_destroy(&y.lock);
	pthread_cond_destroy(&y.nonempty);
	pthread_cond_destroy(&y.nonfull);
	pthread_cond_destroy(&y.bigfree);
	return y.errors ? COLLECT_PARTIAL : COLLECT_OK;
}

const struct collector collector_yara = {
	.name = "yara",
	.description = "YARA sweep of process memory and --scan-path trees",
	.flags = COLLECTOR_SLOW,
	.run = yara_run,
};
