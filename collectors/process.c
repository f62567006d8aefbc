/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The "processes" collector: one record per process in
 * live/processes.jsonl, read natively from /proc (never ps). Each
 * executable is hashed through /proc/PID/exe, so a deleted or memfd
 * binary is still hashed, and such binaries are also copied into the
 * archive (live/exe/<pid>-<name>).
 *
 * Hidden processes: a userland rootkit (ld.so.preload) filters readdir
 * of /proc, but cannot make the kernel forget a pid. Every pid up to
 * kernel.pid_max is probed with one fstatat of /proc/N (in a few
 * threads: 4 million probes cost ~1 µs each); a thread-group leader
 * that exists but was not listed, and is still not listed on a second
 * look (so not merely new), is reported with "hidden": true.
 *
 * A process that exits while it is read is skipped silently: a failed
 * read is only an error if the process is still there afterwards.
 *
 * Depth (procfd.c): each descriptor (live/process_fds.jsonl) and each
 * mapping (live/process_maps.jsonl). A file held open but deleted, or a
 * memfd, is copied into the archive (live/fd/<pid>-<fd>) once per file
 * however many processes hold it, through the same table as the deleted
 * executables. The agent's own processes are left out: their
 * descriptors are the run's own spools and output. A process that exits
 * while its descriptors are read keeps the records written (logged); a
 * running one whose descriptors closed meanwhile is an error.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "collector.h"
#include "ioc.h"
#include "util.h"
#include "live.h"
#include "procfd.h"

#define PROCESS_PID_LIMIT	(4U << 20)	/* PID_MAX_LIMIT on 64-bit */
#define PROCESS_STAT_MAX	4096
#define PROCESS_STATUS_MAX	(64U << 10)
#define PROCESS_CMDLINE_MAX	(256U << 10)
#define PROCESS_ENVIRON_MAX	(1U << 20)
#define PROCESS_ENVIRON_VARS	4096
#define PROCESS_CGROUP_MAX	(64U << 10)
#define PROCESS_CGROUP_LINES	256
#define PROCESS_HASH_MAX	(4ULL << 30)
#define PROCESS_THREADS_MAX	8

/*
 * A known executable, or a deleted or memfd file held open: hashed (and
 * maybe copied) once per run.
 */
struct process_exe {
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtime;
	int		 ok;
	char		 sha[65];
	char		 md5[33];	/* "" unless the indicators ask */
	char		 sha1[41];
	char		*copy;		/* archive path, or NULL */
};

struct process_run {
	struct collect_ctx	*ctx;
	int			 procfd;
	double			 boot;		/* realtime of boot, seconds */
	long			 tck;
	long			 pagesize;
	struct process_exe	*exes;
	size_t			 nexes;
	size_t			 nrecords, ngone, ngonedepth, ndenied;
	size_t			 nfds, nmaps, ncopied, nfdcut, nmapcut;
	char			 denied[64];	/* the first one */
	int			 partial;
	int			 iocdigests;	/* 1: md5, 2: sha1 of exes */
};

/* Decimal pid into b (at least 12 bytes), faster than snprintf. */
static void
process_itoa(unsigned int n, char *b)
{
	char	tmp[12];
	size_t	i = 0, j;

	do
		tmp[i++] = (char)('0' + n % 10);
	while ((n /= 10) != 0);
	for (j = 0; j < i; j++)
		b[j] = tmp[i - 1 - j];
	b[i] = '\0';
}

static int
process_bit(const uint8_t *map, unsigned int n)
{
	return (map[n >> 3] >> (n & 7)) & 1;
}

static void
process_setbit(uint8_t *map, unsigned int n)
{
	map[n >> 3] |= (uint8_t)(1U << (n & 7));
}

/* kernel.pid_max, bounded; the limit itself if unreadable. */
static unsigned int
process_pid_max(int procfd)
{
	char		*s;
	long long	 v;

	if ((s = live_read_at(procfd, "sys/kernel/pid_max", 64, NULL,
	    NULL)) == NULL)
		return PROCESS_PID_LIMIT;
	s[strcspn(s, "\n")] = '\0';
	if (util_parse_int(s, 1, PROCESS_PID_LIMIT, &v) == -1)
		v = PROCESS_PID_LIMIT;
	free(s);
	return (unsigned int)v;
}

/*
 * The readdir listing of /proc (through libc, as every tool sees it):
 * process ids into listed (may be NULL), and with them the thread ids
 * of each into known (may be NULL). 0, or -1 with errno.
 */
static int
process_listing(uint8_t *listed, uint8_t *known, unsigned int max)
{
	DIR		*d, *td;
	struct dirent	*de, *te;
	long long	 pid, tid;
	char		 path[64];

	if ((d = opendir("/proc")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (util_parse_int(de->d_name, 1, max, &pid) == -1)
			continue;
		if (listed != NULL)
			process_setbit(listed, (unsigned int)pid);
		if (known == NULL)
			continue;
		process_setbit(known, (unsigned int)pid);
		snprintf(path, sizeof path, "/proc/%lld/task", pid);
		if ((td = opendir(path)) == NULL)
			continue;
		while ((te = readdir(td)) != NULL) {
			if (util_parse_int(te->d_name, 1, max, &tid) == 0)
				process_setbit(known, (unsigned int)tid);
		}
		closedir(td);
	}
	closedir(d);
	return 0;
}

struct process_probe {
	int		 procfd;
	const uint8_t	*known;
	uint8_t		*found;		/* written per byte: no overlap */
	unsigned int	 first, last;	/* a multiple of 8, and end */
};

static void *
process_probe_range(void *arg)
{
	struct process_probe	*p = arg;
	struct stat		 st;
	char			 name[16];
	unsigned int		 n;

	for (n = p->first; n < p->last; n++) {
		if (n == 0 || process_bit(p->known, n))
			continue;
		process_itoa(n, name);
		if (fstatat(p->procfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			process_setbit(p->found, n);
	}
	return NULL;
}

/* Probe every pid in [1, max] not known; set the ones that exist. */
static void
process_probe_all(int procfd, const uint8_t *known, uint8_t *found,
    unsigned int max)
{
	struct process_probe	 pr[PROCESS_THREADS_MAX];
	pthread_t		 th[PROCESS_THREADS_MAX];
	int			 started[PROCESS_THREADS_MAX] = { 0 };
	long			 ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int		 i, n, chunk;

	n = ncpu < 1 ? 1 : ncpu > PROCESS_THREADS_MAX ?
	    PROCESS_THREADS_MAX : (unsigned int)ncpu;
	chunk = ((max + 1) / n + 8) & ~7U;
	for (i = 0; i < n; i++) {
		pr[i].procfd = procfd;
		pr[i].known = known;
		pr[i].found = found;
		pr[i].first = i * chunk;
		pr[i].last = (i + 1) * chunk > max + 1 ? max + 1 :
		    (i + 1) * chunk;
		if (pr[i].first > max)
			pr[i].first = pr[i].last = max + 1;
		if (i > 0 && pthread_create(&th[i], NULL, process_probe_range,
		    &pr[i]) == 0)
			started[i] = 1;
	}
	for (i = 0; i < n; i++) {
		if (i == 0 || !started[i])
			process_probe_range(&pr[i]);
		else
			pthread_join(th[i], NULL);
	}
}

/* The Tgid of /proc/N, or -1 when it cannot be read. */
static long long
process_tgid(int procfd, unsigned int n)
{
	struct live_status	 st;
	char			 path[32], *s;
	size_t			 len;
	long long		 tgid = -1;

	snprintf(path, sizeof path, "%u/status", n);
	if ((s = live_read_at(procfd, path, PROCESS_STATUS_MAX, &len,
	    NULL)) == NULL)
		return -1;
	if (live_parse_status(s, len, &st) == 0)
		tgid = st.tgid;
	free(s);
	return tgid;
}

/* Pids found by probing that are processes, not threads: keep those. */
static size_t
process_leaders(int procfd, uint8_t *found, unsigned int max)
{
	unsigned int	n;
	size_t		count = 0;

	for (n = 1; n <= max; n++) {
		if (!process_bit(found, n))
			continue;
		if (process_tgid(procfd, n) == (long long)n)
			count++;
		else
			found[n >> 3] &= (uint8_t)~(1U << (n & 7));
	}
	return count;
}

static double
process_now(clockid_t clk)
{
	struct timespec	ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The listing, probed and cross-checked, into out (see live.h). */
static void
process_pids_fill(struct live_pids *out, const uint8_t *listed,
    const uint8_t *found, const uint8_t *relisted)
{
	unsigned int	n;

	out->pid = xreallocarray(NULL, out->pid_max + 1, sizeof *out->pid);
	out->hidden = xcalloc(out->pid_max + 1, 1);
	for (n = 1; n <= out->pid_max; n++) {
		if (process_bit(listed, n))
			out->pid[out->n++] = n;
		else if (process_bit(found, n)) {
			/* Listed now: it only started after the first look. */
			if (!process_bit(relisted, n)) {
				out->hidden[out->n] = 1;
				out->nhidden++;
			}
			out->pid[out->n++] = n;
		}
	}
}

int
process_pids(int procfd, struct live_pids *out)
{
	uint8_t		*listed, *known, *found, *relisted;
	size_t		 bytes, nfound;
	double		 t0;
	int		 rc = -1;

	memset(out, 0, sizeof *out);
	out->pid_max = process_pid_max(procfd);
	bytes = out->pid_max / 8 + 1;
	listed = xcalloc(bytes, 1);
	known = xcalloc(bytes, 1);
	found = xcalloc(bytes, 1);
	relisted = xcalloc(bytes, 1);
	if (process_listing(listed, known, out->pid_max) == -1)
		goto cleanup;
	t0 = process_now(CLOCK_MONOTONIC);
	process_probe_all(procfd, known, found, out->pid_max);
	out->seconds = process_now(CLOCK_MONOTONIC) - t0;
	nfound = process_leaders(procfd, found, out->pid_max);
	if (nfound > 0 && process_listing(relisted, NULL, out->pid_max) == -1)
		goto cleanup;
	process_pids_fill(out, listed, found, relisted);
	rc = 0;
cleanup:
	free(listed);
	free(known);
	free(found);
	free(relisted);
	return rc;
}

void
process_pids_free(struct live_pids *p)
{
	free(p->pid);
	free(p->hidden);
	memset(p, 0, sizeof *p);
}

/*
 * SHA-256 of the whole file behind fd (pread: the offset is kept) into
 * e->sha; with want (bits of 1: md5, 2: sha1, when the indicators ask
 * for them), those too, from the same read.
 */
static int
process_sha256(int fd, struct process_exe *e, int want)
{
	EVP_MD_CTX	*md[3] = { NULL, NULL, NULL };
	const EVP_MD	*algo[3] = { EVP_sha256(), EVP_md5(), EVP_sha1() };
	char		*hex[3] = { e->sha, e->md5, e->sha1 };
	unsigned char	 buf[65536], sum[EVP_MAX_MD_SIZE];
	unsigned int	 len = 0;
	uint64_t	 off = 0;
	ssize_t		 n;
	int		 i, rc = -1;

	want = (want << 1) | 1;
	for (i = 0; i < 3; i++) {
		hex[i][0] = '\0';
		if (!(want & (1 << i)))
			continue;
		if ((md[i] = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestInit_ex(md[i], algo[i], NULL) != 1)
			goto cleanup;
	}
	while (off < PROCESS_HASH_MAX) {
		if ((n = pread(fd, buf, sizeof buf, (off_t)off)) == -1) {
			if (errno == EINTR)
				continue;
			goto cleanup;
		}
		if (n == 0)
			break;
		for (i = 0; i < 3; i++)
			if (md[i] != NULL &&
			    EVP_DigestUpdate(md[i], buf, (size_t)n) != 1)
				goto cleanup;
		off += (uint64_t)n;
	}
	if (off >= PROCESS_HASH_MAX) {
		errno = EFBIG;
		goto cleanup;
	}
	for (i = 0; i < 3; i++) {
		if (md[i] == NULL)
			continue;
		if (EVP_DigestFinal_ex(md[i], sum, &len) != 1)
			goto cleanup;
		util_hex(hex[i], sum, len);
	}
	rc = 0;
cleanup:
	for (i = 0; i < 3; i++)
		EVP_MD_CTX_free(md[i]);
	return rc;
}

#define PROCESS_PF_KTHREAD	0x00200000ULL
#define PROCESS_PF_EXITING	0x00000004ULL	/* set first in do_exit */

/* One process being read. */
struct process_one {
	struct process_run	*pr;
	unsigned int		 pid;
	int			 dfd;		/* /proc/PID */
	int			 vanishing;	/* ENOENT/ESRCH met */
	const char		*err_what;	/* first real failure */
	int			 err_no;
	json_t			*rec;
};

/*
 * A read of /proc/PID/what failed. ENOENT and ESRCH mean the process is
 * going away (checked before anything is reported); EACCES is counted
 * for one summary; anything else is kept to report if it still lives.
 */
static void
process_failed(struct process_one *p, const char *what, int err)
{
	if (err == ENOENT || err == ESRCH)
		p->vanishing = 1;
	else if (err == EACCES || err == EPERM) {
		if (p->pr->ndenied++ == 0)
			snprintf(p->pr->denied, sizeof p->pr->denied,
			    "/proc/%u/%s", p->pid, what);
	}
	else if (p->err_what == NULL) {
		p->err_what = what;
		p->err_no = err;
	}
}

/* readlinkat under /proc/PID into buf; the length, or -1 (recorded). */
static ssize_t
process_readlink(struct process_one *p, const char *what, char *buf,
    size_t size)
{
	ssize_t	n;

	if ((n = readlinkat(p->dfd, what, buf, size - 1)) == -1) {
		process_failed(p, what, errno);
		return -1;
	}
	buf[n] = '\0';
	return n;
}

/* A link target as a field; null when unreadable. */
static void
process_link_field(struct process_one *p, const char *what, const char *key)
{
	char	buf[PATH_MAX + 1];

	if (process_readlink(p, what, buf, sizeof buf) == -1)
		json_object_set_new(p->rec, key, json_null());
	else
		json_object_set_new(p->rec, key, live_json_strz(buf));
}

static struct process_exe *
process_exe_find(struct process_run *pr, const struct stat *st)
{
	size_t	i;

	for (i = 0; i < pr->nexes; i++) {
		struct process_exe	*e = &pr->exes[i];

		if (e->dev == st->st_dev && e->ino == st->st_ino &&
		    e->size == st->st_size &&
		    e->mtime.tv_sec == st->st_mtim.tv_sec &&
		    e->mtime.tv_nsec == st->st_mtim.tv_nsec)
			return e;
	}
	return NULL;
}

/* A new entry of the table for the file st describes. */
static struct process_exe *
process_exe_new(struct process_run *pr, const struct stat *st)
{
	struct process_exe	*e;

	pr->exes = xreallocarray(pr->exes, pr->nexes + 1, sizeof *pr->exes);
	e = &pr->exes[pr->nexes++];
	memset(e, 0, sizeof *e);
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->size = st->st_size;
	e->mtime = st->st_mtim;
	return e;
}

/*
 * Copy fd (source: where it came from) into the archive at apath (owned
 * from here: kept in e when copied); sum gets the hash of the copy.
 */
static int
process_exe_copy(struct process_run *pr, struct process_exe *e, int fd,
    const char *source, char *apath, unsigned char *sum)
{
	if (collect_file_fd(pr->ctx, fd, source, apath, sum) == 0) {
		e->copy = apath;
		return 0;
	}
	free(apath);
	return -1;
}

/* Hash, and for a deleted or memfd binary copy, the exe of p once. */
static struct process_exe *
process_exe_add(struct process_one *p, int fd, const struct stat *st,
    const char *comm, int copy)
{
	struct process_run	*pr = p->pr;
	struct process_exe	*e;
	char			 source[64], name[64];

	e = process_exe_new(pr, st);
	if (process_sha256(fd, e, pr->iocdigests) == 0)
		e->ok = 1;
	else
		process_failed(p, "exe", errno);
	if (!copy)
		return e;
	snprintf(source, sizeof source, "/proc/%u/exe", p->pid);
	snprintf(name, sizeof name, "%s", comm);
	util_safe_name(name);
	process_exe_copy(pr, e, fd, source, xasprintf("live/exe/%u-%s",
	    p->pid, name), NULL);
	return e;
}

/*
 * procfd's copy of a deleted file or memfd held as descriptor n: once per
 * (device, inode), whoever holds it and whether it is also an exe.
 */
static const char *
process_fd_copy(void *arg, int dfd, const char *rel, const struct stat *st,
    unsigned int n, const char **shap)
{
	struct process_one	*p = arg;
	struct process_run	*pr = p->pr;
	struct process_exe	*e = NULL;
	unsigned char		 sum[32];
	char			 source[64];
	size_t			 i;
	int			 fd;

	for (i = 0; i < pr->nexes; i++)
		if (pr->exes[i].dev == st->st_dev &&
		    pr->exes[i].ino == st->st_ino) {
			e = &pr->exes[i];
			if (e->copy != NULL) {
				*shap = e->ok ? e->sha : NULL;
				return e->copy;
			}
		}
	snprintf(source, sizeof source, "/proc/%u/%s", p->pid, rel);
	if ((fd = procfd_open_file(dfd, rel, st)) == -1) {
		/* Closed or reused meanwhile: nothing left to copy. */
		if (errno != ENOENT && errno != ESTALE)
			process_failed(p, "fd", errno);
		return NULL;
	}
	if (e == NULL)
		e = process_exe_new(pr, st);
	if (process_exe_copy(pr, e, fd, source, xasprintf("live/fd/%u-%u",
	    p->pid, n), sum) == 0) {
		util_hex(e->sha, sum, sizeof sum);
		e->ok = 1;
		pr->ncopied++;
	}
	close(fd);
	*shap = e->ok ? e->sha : NULL;
	return e->copy;
}

/* exe_sha256 (and exe_copy) through /proc/PID/exe. */
static void
process_exe_hash(struct process_one *p, const char *comm, int copy)
{
	struct process_exe	*e;
	struct stat		 st;
	int			 fd;

	json_object_set_new(p->rec, "exe_sha256", json_null());
	/* The magic link must be followed: it is the only way to a
	   deleted binary. It is the kernel's, not the host's, link. */
	if ((fd = openat(p->dfd, "exe", O_RDONLY | O_CLOEXEC)) == -1) {
		process_failed(p, "exe", errno);
		return;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return;
	}
	if ((e = process_exe_find(p->pr, &st)) == NULL)
		e = process_exe_add(p, fd, &st, comm, copy);
	close(fd);
	if (e->ok)
		json_object_set_new(p->rec, "exe_sha256", json_string(e->sha));
	/* Only with indicators of these types (collect-ioc.c). */
	if (e->ok && e->md5[0] != '\0')
		json_object_set_new(p->rec, "exe_md5", json_string(e->md5));
	if (e->ok && e->sha1[0] != '\0')
		json_object_set_new(p->rec, "exe_sha1", json_string(e->sha1));
	if (e->copy != NULL)
		json_object_set_new(p->rec, "exe_copy", json_string(e->copy));
}

static void
process_exe(struct process_one *p, const struct live_stat *st)
{
	static const char	 del[] = " (deleted)";
	char			 link[PATH_MAX + 1];
	ssize_t			 n;
	int			 deleted = 0, memfd;

	if (st->flags & PROCESS_PF_KTHREAD ||
	    (n = process_readlink(p, "exe", link, sizeof link)) == -1) {
		json_object_set_new(p->rec, "exe", json_null());
		json_object_set_new(p->rec, "exe_deleted", json_false());
		json_object_set_new(p->rec, "exe_sha256", json_null());
		return;
	}
	if ((size_t)n >= sizeof del &&
	    strcmp(link + n - (sizeof del - 1), del) == 0) {
		deleted = 1;
		link[n - (sizeof del - 1)] = '\0';
	}
	memfd = strncmp(link, "/memfd:", 7) == 0;
	json_object_set_new(p->rec, "exe", live_json_strz(link));
	json_object_set_new(p->rec, "exe_deleted", json_boolean(deleted));
	if (memfd)
		json_object_set_new(p->rec, "exe_memfd", json_true());
	process_exe_hash(p, st->comm, deleted || memfd);
}

/* A file under /proc/PID, capped; NULL when unreadable (recorded). */
static char *
process_read(struct process_one *p, const char *what, size_t max,
    size_t *lenp, int *truncp)
{
	char	*s;

	if ((s = live_read_at(p->dfd, what, max, lenp, truncp)) == NULL)
		process_failed(p, what, errno);
	return s;
}

static void
process_ids(struct process_one *p)
{
	struct live_status	 st;
	const char		*user;
	char			*s;
	size_t			 len;

	if ((s = process_read(p, "status", PROCESS_STATUS_MAX, &len,
	    NULL)) == NULL)
		return;
	if (live_parse_status(s, len, &st) == -1) {
		/* An exiting process can show a short status. */
		p->vanishing = 1;
		free(s);
		return;
	}
	free(s);
	json_object_set_new(p->rec, "uid", json_integer(st.uid[0]));
	json_object_set_new(p->rec, "euid", json_integer(st.uid[1]));
	json_object_set_new(p->rec, "suid", json_integer(st.uid[2]));
	json_object_set_new(p->rec, "gid", json_integer(st.gid[0]));
	json_object_set_new(p->rec, "egid", json_integer(st.gid[1]));
	user = collect_user_name(p->pr->ctx, (uid_t)st.uid[0]);
	json_object_set_new(p->rec, "user", live_json_strz(user));
	user = collect_user_name(p->pr->ctx, (uid_t)st.uid[1]);
	json_object_set_new(p->rec, "euser", live_json_strz(user));
}

static void
process_cmdline(struct process_one *p)
{
	char	*s;
	size_t	 len;
	int	 trunc;

	if ((s = process_read(p, "cmdline", PROCESS_CMDLINE_MAX, &len,
	    &trunc)) == NULL) {
		json_object_set_new(p->rec, "cmdline", json_array());
		return;
	}
	json_object_set_new(p->rec, "cmdline", live_parse_cmdline(s, len));
	if (trunc)
		json_object_set_new(p->rec, "cmdline_truncated", json_true());
	free(s);
}

/*
 * The environment as an array (at most PROCESS_ENVIRON_VARS variables
 * and PROCESS_ENVIRON_MAX bytes), and LD_PRELOAD, LD_LIBRARY_PATH and
 * LD_AUDIT on their own when set.
 */
static void
process_environ(struct process_one *p)
{
	static const char *const vars[][2] = {
		{ "LD_PRELOAD", "ld_preload" },
		{ "LD_LIBRARY_PATH", "ld_library_path" },
		{ "LD_AUDIT", "ld_audit" },
	};
	const char	*v, *nul;
	char		*s;
	size_t		 len, vlen, i, cut;
	int		 trunc = 0;

	if ((s = process_read(p, "environ", PROCESS_ENVIRON_MAX, &len,
	    &trunc)) == NULL) {
		json_object_set_new(p->rec, "environ", json_null());
		return;
	}
	for (cut = 0, i = 0; cut < len && i < PROCESS_ENVIRON_VARS; i++) {
		if ((nul = memchr(s + cut, '\0', len - cut)) == NULL)
			cut = len;
		else
			cut = (size_t)(nul - s) + 1;
	}
	json_object_set_new(p->rec, "environ", live_parse_cmdline(s, cut));
	if (trunc || cut < len)
		json_object_set_new(p->rec, "environ_truncated", json_true());
	for (i = 0; i < nitems(vars); i++) {
		if ((v = live_environ_get(s, len, vars[i][0], &vlen)) != NULL)
			json_object_set_new(p->rec, vars[i][1],
			    live_json_str(v, vlen));
	}
	free(s);
}

/* The lines of /proc/PID/cgroup, and the container they name. */
static void
process_cgroup(struct process_one *p)
{
	const char	*rt;
	json_t		*a = json_array();
	char		*s, *line, id[256];
	size_t		 len, pos = 0;

	json_object_set_new(p->rec, "container_id", json_null());
	json_object_set_new(p->rec, "container_runtime", json_null());
	if ((s = process_read(p, "cgroup", PROCESS_CGROUP_MAX, &len,
	    NULL)) == NULL) {
		json_object_set_new(p->rec, "cgroup", json_null());
		json_decref(a);
		return;
	}
	if ((rt = procfd_container(s, len, id, sizeof id)) != NULL) {
		json_object_set_new(p->rec, "container_id", live_json_strz(id));
		json_object_set_new(p->rec, "container_runtime",
		    json_string(rt));
	}
	while ((line = live_next_line(s, len, &pos)) != NULL &&
	    json_array_size(a) < PROCESS_CGROUP_LINES)
		if (*line != '\0')
			json_array_append_new(a, live_json_strz(line));
	json_object_set_new(p->rec, "cgroup", a);
	free(s);
}

/*
 * Descriptors and mappings (procfd.c), and their counts in the process
 * record: null where they could not be read.
 */
static void
process_depth(struct process_one *p, struct procfd_proc *fp,
    const struct live_stat *st)
{
	struct process_run	*pr = p->pr;
	int			 fds = 0, maps = 0;

	fp->ctx = pr->ctx;
	fp->dfd = p->dfd;
	fp->pid = p->pid;
	fp->comm = st->comm;
	fp->copy = process_fd_copy;
	fp->arg = p;
	if (collect_is_agent(pr->ctx, (pid_t)p->pid)) {
		json_object_set_new(p->rec, "depth_skipped", json_string(
		    "agent"));
	} else if (!(st->flags & PROCESS_PF_KTHREAD)) {
		fds = procfd_fds(fp) == 0;
		if (!fds)
			process_failed(p, "fd", errno);
		maps = procfd_maps(fp) == 0;
		if (!maps)
			process_failed(p, "maps", errno);
		if (fp->err_what != NULL)
			process_failed(p, fp->err_what, fp->err_no);
	} else
		fds = maps = 1;		/* none: a kernel thread */
	json_object_set_new(p->rec, "deleted_fds", fds ?
	    json_integer((json_int_t)fp->ndeleted) : json_null());
	json_object_set_new(p->rec, "memfd_fds", fds ?
	    json_integer((json_int_t)fp->nmemfd) : json_null());
	json_object_set_new(p->rec, "anonymous_exec_regions", maps ?
	    json_integer((json_int_t)fp->nanonexec) : json_null());
	if (fp->fds_cut)
		json_object_set_new(p->rec, "fds_truncated", json_true());
	if (fp->maps_cut)
		json_object_set_new(p->rec, "maps_truncated", json_true());
	pr->nfds += fp->nfds;
	pr->nmaps += fp->nmaps;
	pr->nfdcut += fp->fds_cut;
	pr->nmapcut += fp->maps_cut;
}

static void
process_namespaces(struct process_one *p)
{
	static const char *const ns[] = { "pid", "net", "mnt", "user", "uts",
	    "ipc", "cgroup" };
	unsigned long long	 ino;
	json_t			*o = json_object();
	char			 path[32], link[64];
	size_t			 i;

	for (i = 0; i < nitems(ns); i++) {
		snprintf(path, sizeof path, "ns/%s", ns[i]);
		if (process_readlink(p, path, link, sizeof link) == -1 ||
		    live_parse_inode_link(link, ns[i], &ino) == -1)
			continue;
		json_object_set_new(o, ns[i], json_integer((json_int_t)ino));
	}
	json_object_set_new(p->rec, "namespaces", o);
}

/* The fields of /proc/PID/stat. -1 if it cannot be read (gone). */
static int
process_stat(struct process_one *p, struct live_stat *st)
{
	char	*s, when[40];
	size_t	 len;
	double	 t;
	int	 rc;

	if ((s = process_read(p, "stat", PROCESS_STAT_MAX, &len, NULL)) ==
	    NULL)
		return -1;
	rc = live_parse_stat(s, len, st);
	free(s);
	if (rc == -1 || st->pid != p->pid) {
		if (len > 0 && p->err_what == NULL) {
			p->err_what = "stat";
			p->err_no = EBADMSG;
		}
		return -1;
	}
	json_object_set_new(p->rec, "ppid", json_integer(st->ppid));
	json_object_set_new(p->rec, "name", live_json_strz(st->comm));
	json_object_set_new(p->rec, "state", json_stringn(&st->state, 1));
	json_object_set_new(p->rec, "threads", json_integer(st->num_threads));
	json_object_set_new(p->rec, "rss", json_integer(st->rss *
	    p->pr->pagesize));
	json_object_set_new(p->rec, "vsize", json_integer((json_int_t)
	    st->vsize));
	json_object_set_new(p->rec, "session", json_integer(st->session));
	json_object_set_new(p->rec, "tty_nr", json_integer(st->tty_nr));
	if (st->flags & PROCESS_PF_KTHREAD)
		json_object_set_new(p->rec, "kernel_thread", json_true());
	t = p->pr->boot + (double)st->starttime / p->pr->tck;
	util_iso8601(when, sizeof when, (time_t)t,
	    (long)((t - (double)(time_t)t) * 1e6));
	json_object_set_new(p->rec, "start_time", json_string(when));
	return 0;
}

/*
 * Whether the process read is still the same one: 0 gone, 1 running, 2
 * exited since it was first read (exiting, or a zombie not yet reaped:
 * still listed, its descriptors already closed).
 */
static int
process_alive(struct process_one *p, const struct live_stat *first)
{
	struct live_stat	 st;
	char			*s;
	size_t			 len;
	int			 rc;

	if ((s = live_read_at(p->dfd, "stat", PROCESS_STAT_MAX, &len,
	    NULL)) == NULL)
		return 0;
	rc = live_parse_stat(s, len, &st);
	free(s);
	if (rc == -1 || st.starttime != first->starttime || st.state == 'X')
		return 0;
	if ((st.state == 'Z' || st.flags & PROCESS_PF_EXITING) &&
	    first->state != 'Z' && !(first->flags & PROCESS_PF_EXITING))
		return 2;
	return 1;
}

/* Report the first real failure met reading p (it is still alive). */
static void
process_report(struct process_one *p)
{
	if (p->err_what == NULL)
		return;
	collect_error(p->pr->ctx, NULL, "/proc/%u/%s: %s", p->pid,
	    p->err_what, p->err_no == EBADMSG ? "malformed" :
	    strerror(p->err_no));
	p->pr->partial = 1;
}

/* The record of one process. 0 emitted, 1 gone (skipped silently). */
static int
process_one(struct process_run *pr, unsigned int pid, int hidden)
{
	struct process_one	p = { .pr = pr, .pid = pid };
	struct procfd_proc	fp = { 0 };
	struct live_stat	st;
	char			name[16];
	int			rc = 1, alive = 1;

	process_itoa(pid, name);
	if ((p.dfd = openat(pr->procfd, name, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) == -1) {
		pr->ngone++;		/* listed, gone since */
		return 1;
	}
	p.rec = json_object();
	json_object_set_new(p.rec, "pid", json_integer(pid));
	if (process_stat(&p, &st) == -1) {
		if (!p.vanishing)
			process_report(&p);
		goto done;
	}
	process_ids(&p);
	process_cmdline(&p);
	process_exe(&p, &st);
	process_link_field(&p, "cwd", "cwd");
	process_link_field(&p, "root", "root");
	process_environ(&p);
	process_namespaces(&p);
	process_cgroup(&p);
	process_depth(&p, &fp, &st);
	json_object_set_new(p.rec, "hidden", json_boolean(hidden));
	if (p.vanishing || p.err_what != NULL || fp.nvanished > 0)
		alive = process_alive(&p, &st);
	/* Its fd and maps records so far stay: they were true. */
	if (alive != 1 && fp.nfds + fp.nmaps > 0) {
		pr->ngonedepth++;
		collect_log(pr->ctx, LOG_INFO, "process %u (%s) exited while "
		    "read: %zu descriptor and %zu mapping records were written "
		    "before", pid, st.comm, fp.nfds, fp.nmaps);
	}
	if (alive == 0)
		goto done;
	process_report(&p);
	/*
	 * Still running: its descriptors were closed while read. That is
	 * what a busy process does, not a failure of the collection: the
	 * record counts them and the log names the first.
	 */
	if (fp.nvanished > 0 && alive == 1) {
		json_object_set_new(p.rec, "fds_closed_while_read",
		    json_integer((json_int_t)fp.nvanished));
		collect_log(pr->ctx, LOG_INFO, "/proc/%u/fd: %zu descriptors "
		    "closed while read (the first: %u)", pid, fp.nvanished,
		    fp.vanished);
	}
	if (hidden)
		collect_log(pr->ctx, LOG_WARN, "process %u (%s) exists but is "
		    "hidden from the /proc listing", pid, st.comm);
	collect_record(pr->ctx, "processes", p.rec);
	p.rec = NULL;
	pr->nrecords++;
	rc = 0;
done:
	if (rc == 1)
		pr->ngone++;
	json_decref(p.rec);
	close(p.dfd);
	return rc;
}

static void
process_run_free(struct process_run *pr)
{
	size_t	i;

	for (i = 0; i < pr->nexes; i++)
		free(pr->exes[i].copy);
	free(pr->exes);
	if (pr->procfd != -1)
		close(pr->procfd);
}

static enum collect_result
process_collect(struct collect_ctx *ctx)
{
	struct process_run	pr = { .ctx = ctx, .procfd = -1 };
	struct live_pids	pids;
	size_t			i;

	pr.tck = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
	pr.iocdigests = (ioc_set_wants(collect_iocs(ctx), IOC_MD5) ? 1 : 0) |
	    (ioc_set_wants(collect_iocs(ctx), IOC_SHA1) ? 2 : 0);
	pr.pagesize = sysconf(_SC_PAGESIZE) > 0 ? sysconf(_SC_PAGESIZE) : 4096;
	pr.boot = process_now(CLOCK_REALTIME) - process_now(CLOCK_BOOTTIME);
	if ((pr.procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1 || process_pids(pr.procfd, &pids) == -1) {
		collect_error(ctx, "/proc", "cannot list: %s", strerror(errno));
		process_run_free(&pr);
		return COLLECT_FAILED;
	}
	collect_log(ctx, LOG_INFO, "%zu processes listed or probed (pids 1 to "
	    "%u probed in %.2f s), %zu hidden", pids.n, pids.pid_max,
	    pids.seconds, pids.nhidden);
	if (geteuid() != 0)
		collect_log(ctx, LOG_WARN, "not root: other users' processes "
		    "are incomplete");
	for (i = 0; i < pids.n; i++) {
		if (collect_expired(ctx)) {
			pr.partial = 1;
			break;
		}
		process_one(&pr, pids.pid[i], pids.hidden[i]);
	}
	if (pr.ndenied > 0) {
		collect_log(ctx, LOG_WARN, "%zu reads under /proc were denied "
		    "(the first: %s)", pr.ndenied, pr.denied);
		pr.partial = 1;
	}
	collect_log(ctx, LOG_INFO, "%zu process records, %zu exited while "
	    "read (%zu after some of their descriptors or mappings were "
	    "recorded)", pr.nrecords, pr.ngone, pr.ngonedepth);
	collect_log(ctx, LOG_INFO, "%zu descriptor records (%zu processes "
	    "cut at %d), %zu mapping records (%zu cut), %zu deleted or memfd "
	    "files copied", pr.nfds, pr.nfdcut, PROCFD_FDS_MAX, pr.nmaps,
	    pr.nmapcut, pr.ncopied);
	process_pids_free(&pids);
	process_run_free(&pr);
	return pr.partial ? COLLECT_PARTIAL : COLLECT_OK;
}

const struct collector collector_processes = {
	.name = "processes",
	.description = "running processes from /proc, with hashes of their "
	    "executables and hidden-process detection",
	.flags = COLLECTOR_LIVE | COLLECTOR_NEEDS_ROOT,
	.run = process_collect,
};
