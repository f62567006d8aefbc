/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The reader pool (see workers.h): one queue of jobs in submission order
 * (workers take them from todo, the writer from head), one ring for their
 * contents, one mutex and two condition variables. A job given up on
 * (workers_abandon) belongs to its thread from then on: the thread is
 * detached and replaced, the ring is swapped for a new one (the old one
 * stays mapped: the read may still write into it), and the pool itself
 * is never freed while such a thread may come back.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "os.h"
#include "util.h"
#include "workers.h"

struct workers {
	pthread_mutex_t		 lock;
	pthread_cond_t		 work;		/* a job was queued, or stop */
	pthread_cond_t		 done;		/* a job finished */
	struct workers_job	*head, *tail;	/* pending, in order */
	struct workers_job	*todo;		/* first not started */
	size_t			 pending;	/* submitted, not taken back */
	uint64_t		 inflight;	/* bytes held in the ring */
	int			 stop;
	int			 n;		/* threads started */
	int			 nstuck;	/* of them, left in a read */
	pthread_t		*threads;	/* n + WORKERS_MAXSTUCK */
	int			*stuck;
	struct scan		*scan;
	/* The ring: [rtail, rhead) is in use, wrapping at ringsz. */
	unsigned char		*ring;
	size_t			 ringsz, rhead, rtail, nlive;
};

/* Per thread: digests made once. */
struct workers_thread {
	struct workers		*w;
	int			 i;		/* in w->threads */
	struct scan_thread	*scan;
	int			 needmd5;	/* a rule reads it */
	EVP_MD_CTX		*sha, *md5, *sha1;
	unsigned char		*piece;		/* hash jobs' reads, or NULL */
};

static unsigned char workers_empty[1];

/* The largest read a reader makes at once. */
#define WORKERS_PIECE	(1U << 20)

/* Milliseconds of a monotonic clock. */
static int64_t
workers_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The absolute time ms milliseconds from now, for a timed wait. */
static void
workers_until(struct timespec *until, int ms)
{
	clock_gettime(CLOCK_REALTIME, until);
	until->tv_sec += ms / 1000;
	until->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until->tv_nsec >= 1000000000L) {
		until->tv_sec++;
		until->tv_nsec -= 1000000000L;
	}
}

/*
 * A hash job: read the file whole, in pieces through the thread's
 * buffer, updating only the digests asked for (no ring, no archive).
 */
static void
workers_hash(struct workers_job *j, struct workers_thread *t)
{
	uint64_t	 size = (uint64_t)j->st.st_size;
	ssize_t		 n;

	if (t->piece == NULL)
		t->piece = xmalloc(WORKERS_PIECE);
	if (j->hash & WORKERS_HASH_MD5)
		EVP_DigestInit_ex(t->md5, EVP_md5(), NULL);
	if (j->hash & WORKERS_HASH_SHA1)
		EVP_DigestInit_ex(t->sha1, EVP_sha1(), NULL);
	if (j->hash & WORKERS_HASH_SHA256)
		EVP_DigestInit_ex(t->sha, EVP_sha256(), NULL);
	while (j->got < size) {
		n = pread(j->fd, t->piece, size - j->got > WORKERS_PIECE ?
		    WORKERS_PIECE : (size_t)(size - j->got), (off_t)j->got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			j->rerrno = n == -1 ? errno : 0;
			break;
		}
		if (j->hash & WORKERS_HASH_MD5)
			EVP_DigestUpdate(t->md5, t->piece, (size_t)n);
		if (j->hash & WORKERS_HASH_SHA1)
			EVP_DigestUpdate(t->sha1, t->piece, (size_t)n);
		if (j->hash & WORKERS_HASH_SHA256)
			EVP_DigestUpdate(t->sha, t->piece, (size_t)n);
		__atomic_store_n(&j->got, j->got + (uint64_t)n,
		    __ATOMIC_RELAXED);
		__atomic_store_n(&j->since, workers_ms(), __ATOMIC_RELAXED);
	}
	if (__atomic_load_n(&j->abandoned, __ATOMIC_ACQUIRE))
		return;
	if (j->hash & WORKERS_HASH_MD5)
		EVP_DigestFinal_ex(t->md5, j->md5, NULL);
	if (j->hash & WORKERS_HASH_SHA1)
		EVP_DigestFinal_ex(t->sha1, j->sha1, NULL);
	if (j->hash & WORKERS_HASH_SHA256)
		EVP_DigestFinal_ex(t->sha, j->sha256, NULL);
	posix_fadvise(j->fd, 0, 0, POSIX_FADV_DONTNEED);
	close(j->fd);
	j->fd = -1;
}

/* Read, hash and scan one job (in a worker thread). */
static void
workers_run(struct workers_job *j, struct workers_thread *t)
{
	struct scan_file f;
	ssize_t		 n;

	if (j->hash) {
		workers_hash(j, t);
		return;
	}
	if (j->pid > 0) {
		if (t->scan != NULL)
			j->scan_rc = scan_process(t->scan, j->pid, j->name,
			    j->source, &j->matches, j->scan_err,
			    sizeof j->scan_err);
		return;
	}

	/*
	 * got is read by the writer meanwhile: its progress. In pieces of
	 * WORKERS_PIECE, so a slow file system shows it moves on.
	 */
	while (!j->scanonly && j->got < j->want) {
		n = pread(j->fd, j->buf + j->got, j->want - j->got >
		    WORKERS_PIECE ? WORKERS_PIECE : (size_t)(j->want - j->got),
		    (off_t)j->got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			j->rerrno = n == -1 ? errno : 0;
			break;
		}
		__atomic_store_n(&j->got, j->got + (uint64_t)n,
		    __ATOMIC_RELAXED);
		__atomic_store_n(&j->since, workers_ms(), __ATOMIC_RELAXED);
	}
	/* Given up on while it read: the job is this thread's to free. */
	if (__atomic_load_n(&j->abandoned, __ATOMIC_ACQUIRE))
		return;
	__atomic_store_n(&j->since, workers_ms(), __ATOMIC_RELAXED);
	__atomic_store_n(&j->phase, WORKERS_BUSY, __ATOMIC_RELAXED);
	if (!j->scanonly) {
		/* The ring is reused: the missing end is zeros, not old bytes. */
		if (j->got < j->want)
			memset(j->buf + j->got, 0, (size_t)(j->want - j->got));
		posix_fadvise(j->fd, 0, 0, POSIX_FADV_DONTNEED);
		close(j->fd);
		j->fd = -1;
		EVP_DigestInit_ex(t->sha, EVP_sha256(), NULL);
		EVP_DigestUpdate(t->sha, j->buf, (size_t)j->want);
		EVP_DigestFinal_ex(t->sha, j->sha256, NULL);
		/* YARA's md5, and the bodyfile's for what is archived. */
		if (t->needmd5 || !j->sweep ||
		    (j->iochash & WORKERS_HASH_MD5)) {
			EVP_DigestInit_ex(t->md5, EVP_md5(), NULL);
			EVP_DigestUpdate(t->md5, j->buf, (size_t)j->got);
			EVP_DigestFinal_ex(t->md5, j->md5, NULL);
		}
		/* The indicators' sha1, only when they have some. */
		if (j->iochash & WORKERS_HASH_SHA1) {
			EVP_DigestInit_ex(t->sha1, EVP_sha1(), NULL);
			EVP_DigestUpdate(t->sha1, j->buf, (size_t)j->got);
			EVP_DigestFinal_ex(t->sha1, j->sha1, NULL);
		}
	}
	if (j->scan && t->scan != NULL) {
		memset(&f, 0, sizeof f);
		f.path = j->source;
		f.owner = j->owner;
		f.uid = j->st.st_uid;
		f.sha256 = j->sha256;
		f.md5 = t->needmd5 ? j->md5 : NULL;
		f.size = (uint64_t)j->st.st_size;
		j->scan_rc = scan_file(t->scan, j->buf, (size_t)j->got, &f,
		    &j->matches, j->scan_err, sizeof j->scan_err);
		if (j->scan_rc != SCAN_OK)
			j->matches = NULL;
	}
}

static void *
workers_main(void *arg)
{
	struct workers_thread	 t = *(struct workers_thread *)arg;
	struct workers		*w = t.w;
	struct workers_job	*j;

	free(arg);
	t.scan = w->scan ? scan_thread_new(w->scan) : NULL;
	t.needmd5 = w->scan != NULL && scan_uses_md5(w->scan);
	if ((t.sha = EVP_MD_CTX_new()) == NULL ||
	    (t.md5 = EVP_MD_CTX_new()) == NULL ||
	    (t.sha1 = EVP_MD_CTX_new()) == NULL)
		fatal("EVP_MD_CTX_new");
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->todo == NULL && !w->stop)
			pthread_cond_wait(&w->work, &w->lock);
		if ((j = w->todo) == NULL)
			break;
		w->todo = j->next;
		__atomic_store_n(&j->since, workers_ms(), __ATOMIC_RELAXED);
		/*
		 * A scan only (of the caller's buffer, or of a process's
		 * memory, bounded by its own timeout) is never given up on.
		 */
		__atomic_store_n(&j->phase, j->scanonly || j->pid > 0 ?
		    WORKERS_BUSY :
		    WORKERS_READING, __ATOMIC_RELAXED);
		j->thread = t.i;
		pthread_mutex_unlock(&w->lock);
		workers_run(j, &t);
		pthread_mutex_lock(&w->lock);
		if (j->abandoned) {
			/*
			 * Its read came back after all. The run may be over
			 * (the scanner freed): free the job and leave, as
			 * little touched as possible.
			 */
			pthread_mutex_unlock(&w->lock);
			workers_job_free(j);
			return NULL;
		}
		j->finished = 1;
		pthread_cond_signal(&w->done);
	}
	pthread_mutex_unlock(&w->lock);
	scan_thread_free(t.scan);
	EVP_MD_CTX_free(t.sha);
	EVP_MD_CTX_free(t.md5);
	EVP_MD_CTX_free(t.sha1);
	free(t.piece);
	return NULL;
}

/* Start thread i (with the lock held, or before any runs). */
static void
workers_start(struct workers *w, int i)
{
	struct workers_thread	*t;

	t = xcalloc(1, sizeof *t);
	t->w = w;
	t->i = i;
	if (pthread_create(&w->threads[i], NULL, workers_main, t) != 0)
		fatal("pthread_create");
}

struct workers *
workers_new(int n, struct scan *scan, size_t ringsz)
{
	struct workers	*w;
	int		 i;

	w = xcalloc(1, sizeof *w);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->done, NULL);
	w->scan = scan;
	w->ringsz = ringsz;
	w->n = n < 1 ? 1 : n;
	w->threads = xcalloc((size_t)w->n + WORKERS_MAXSTUCK,
	    sizeof *w->threads);
	w->stuck = xcalloc((size_t)w->n + WORKERS_MAXSTUCK, sizeof *w->stuck);
	for (i = 0; i < w->n; i++)
		workers_start(w, i);
	return w;
}

void
workers_free(struct workers *w)
{
	struct workers_job	*j;
	int			 i;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_broadcast(&w->work);
	pthread_mutex_unlock(&w->lock);
	for (i = 0; i < w->n; i++)
		if (!w->stuck[i])
			pthread_join(w->threads[i], NULL);
	while ((j = w->head) != NULL) {
		w->head = j->next;
		workers_job_free(j);
	}
	if (w->nstuck > 0)
		return;		/* theirs: the lock, the rings */
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->done);
	if (w->ring != NULL)
		munmap(w->ring, w->ringsz);
	free(w->threads);
	free(w->stuck);
	free(w);
}

/* A job's bytes that count as in flight to the archive. */
static uint64_t
workers_counted(const struct workers_job *j)
{
	return j->sweep ? 0 : j->want;
}

/* Take n bytes of the ring (with the lock held). 0 or -1: no room. */
static int
workers_ring_take(struct workers *w, size_t n, size_t *off)
{
	if (w->nlive == 0)
		w->rhead = w->rtail = 0;
	if (w->nlive == 0 || w->rhead > w->rtail) {
		/* Free: [rhead, ringsz), then [0, rtail). */
		if (w->ringsz - w->rhead >= n)
			*off = w->rhead;
		else if (w->rtail >= n)
			*off = 0;
		else
			return -1;
	} else if (w->rtail - w->rhead >= n)	/* free: [rhead, rtail) */
		*off = w->rhead;
	else
		return -1;
	w->rhead = *off + n;
	w->nlive++;
	return 0;
}

int
workers_submit(struct workers *w, struct workers_job *j)
{
	size_t	off = 0;

	if (j->want > w->ringsz || ((j->scanonly || j->pid > 0) &&
	    j->want != 0))
		fatal("workers_submit: %llu bytes, more than the ring",
		    (unsigned long long)j->want);
	pthread_mutex_lock(&w->lock);
	if (w->pending >= WORKERS_MAXJOBS || (j->want > 0 &&
	    workers_ring_take(w, (size_t)j->want, &off) == -1)) {
		pthread_mutex_unlock(&w->lock);
		return -1;
	}
	if (w->ring == NULL && j->want > 0) {
		w->ring = mmap(NULL, w->ringsz, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (w->ring == MAP_FAILED)
			fatal("out of memory (a read ring of %zu bytes)",
			    w->ringsz);
	}
	if (!j->scanonly)
		j->buf = j->want > 0 ? w->ring + off : workers_empty;
	j->off = off;
	j->pool = w;
	j->finished = 0;
	j->phase = WORKERS_QUEUED;
	j->abandoned = 0;
	j->since = workers_ms();
	j->next = NULL;
	if (w->tail != NULL)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	if (w->todo == NULL)
		w->todo = j;
	w->pending++;
	w->inflight += workers_counted(j);
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

struct workers_job *
workers_done(struct workers *w, int wait)
{
	struct workers_job	*j = NULL;

	pthread_mutex_lock(&w->lock);
	while (w->head != NULL && !w->head->finished && wait)
		pthread_cond_wait(&w->done, &w->lock);
	if (w->head != NULL && w->head->finished) {
		j = w->head;
		if ((w->head = j->next) == NULL)
			w->tail = NULL;
		j->next = NULL;
		w->pending--;
	}
	pthread_mutex_unlock(&w->lock);
	return j;
}

int
workers_wait(struct workers *w, int ms, struct workers_job **jp,
    struct workers_state *state)
{
	struct workers_job	*j;
	struct timespec		 until;

	*jp = NULL;
	workers_until(&until, ms);
	pthread_mutex_lock(&w->lock);
	while (w->head != NULL && !w->head->finished &&
	    pthread_cond_timedwait(&w->done, &w->lock, &until) == 0)
		;
	if ((j = w->head) == NULL) {
		pthread_mutex_unlock(&w->lock);
		return -1;
	}
	if (!j->finished) {
		state->phase = __atomic_load_n(&j->phase, __ATOMIC_RELAXED);
		state->got = __atomic_load_n(&j->got, __ATOMIC_RELAXED);
		state->idle = (double)(workers_ms() -
		    __atomic_load_n(&j->since, __ATOMIC_RELAXED)) / 1000.0;
		pthread_mutex_unlock(&w->lock);
		return 0;
	}
	if ((w->head = j->next) == NULL)
		w->tail = NULL;
	j->next = NULL;
	w->pending--;
	pthread_mutex_unlock(&w->lock);
	*jp = j;
	return 1;
}

/* Give a job's ring space back (with the lock held). */
static void
workers_release_locked(struct workers *w, struct workers_job *j)
{
	w->inflight -= workers_counted(j);
	if (j->want > 0) {
		if (j->off != w->rtail && j->off != 0)
			fatal("workers: ring space released out of order");
		w->rtail = j->off + (size_t)j->want;
		if (--w->nlive == 0)
			w->rhead = w->rtail = 0;
	}
}

int
workers_abandon(struct workers *w, struct workers_lost *lost)
{
	struct workers_job	*j;
	int			 started;

	memset(lost, 0, sizeof *lost);
	pthread_mutex_lock(&w->lock);
	if ((j = w->head) == NULL || j->finished) {
		pthread_mutex_unlock(&w->lock);
		return j == NULL ? -1 : 1;
	}
	if ((w->head = j->next) == NULL)
		w->tail = NULL;
	if (w->todo == j)
		w->todo = j->next;
	w->pending--;
	started = j->phase != WORKERS_QUEUED;
	lost->source = xstrdup(j->source);
	lost->apath = j->apath ? xstrdup(j->apath) : NULL;
	lost->st = j->st;
	lost->want = j->want;
	lost->truncated = j->truncated;
	lost->phase = j->phase;
	lost->scanonly = j->scanonly;
	lost->sweep = j->sweep;
	lost->hash = j->hash;
	lost->arg = j->arg;
	/* [0, got) is read: only the bytes after it may still change. */
	lost->got = __atomic_load_n(&j->got, __ATOMIC_RELAXED);
	if (lost->got > 0 && !j->scanonly && !j->hash) {
		lost->data = xmalloc((size_t)lost->got);
		memcpy(lost->data, j->buf, (size_t)lost->got);
	}
	/* The accounting goes on; the space itself is never used again. */
	workers_release_locked(w, j);
	j->pool = NULL;
	j->next = NULL;
	if (!started) {
		pthread_mutex_unlock(&w->lock);
		workers_job_free(j);
		return 0;
	}
	__atomic_store_n(&j->abandoned, 1, __ATOMIC_RELEASE);
	if (j->want > 0)
		w->ring = NULL;		/* left mapped; a new one on demand */
	w->stuck[j->thread] = 1;
	pthread_detach(w->threads[j->thread]);
	if (w->nstuck++ < WORKERS_MAXSTUCK)
		workers_start(w, w->n++);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

void
workers_lost_free(struct workers_lost *lost)
{
	free(lost->source);
	free(lost->apath);
	free(lost->data);
	memset(lost, 0, sizeof *lost);
}

int
workers_nstuck(struct workers *w)
{
	int	n;

	if (w == NULL)
		return 0;
	pthread_mutex_lock(&w->lock);
	n = w->nstuck;
	pthread_mutex_unlock(&w->lock);
	return n;
}

uint64_t
workers_inflight(struct workers *w)
{
	uint64_t	n;

	pthread_mutex_lock(&w->lock);
	n = w->inflight;
	pthread_mutex_unlock(&w->lock);
	return n;
}

/* Give a job's ring space back; jobs are freed in the order taken. */
static void
workers_release(struct workers *w, struct workers_job *j)
{
	pthread_mutex_lock(&w->lock);
	workers_release_locked(w, j);
	pthread_mutex_unlock(&w->lock);
}

void
workers_job_free(struct workers_job *j)
{
	if (j == NULL)
		return;
	if (j->fd != -1)
		close(j->fd);
	if (j->pool != NULL)
		workers_release(j->pool, j);
	free(j->source);
	free(j->apath);
	free(j->name);
	json_decref(j->matches);
	free(j);
}

/* The guard (workers.h). */
enum { WORKERS_GUARD_IDLE, WORKERS_GUARD_CALL, WORKERS_GUARD_DONE };
enum { WORKERS_GUARD_OPEN = 1, WORKERS_GUARD_PREAD };

struct workers_guard {
	pthread_mutex_t		 lock;
	pthread_cond_t		 cv;
	pthread_t		 thread;
	int			 state;		/* WORKERS_GUARD_IDLE… */
	int			 stop;
	int			 abandoned;
	/* The call. */
	int			 op;
	int			 fd;		/* a copy: rootfd for an open */
	int			 dup_err;	/* why there is no copy */
	char			*path;
	size_t			 len;
	off_t			 off;
	/* Its result. */
	long long		 ret;
	int			 err;
	struct stat		 st;
	unsigned char		*buf;		/* WORKERS_GUARD_BUF */
};

/* The call, on the guard's thread; g->fd is its own copy, closed here. */
static void
workers_guard_call(struct workers_guard *g)
{
	ssize_t	n;

	g->err = 0;
	if (g->fd == -1)
		g->ret = -1;
	else if (g->op == WORKERS_GUARD_OPEN) {
		memset(&g->st, 0, sizeof g->st);
		g->ret = os_open_regular(g->fd, g->path, &g->st);
	} else {
		do
			n = pread(g->fd, g->buf, g->len, g->off);
		while (n == -1 && errno == EINTR);
		g->ret = n;
	}
	if (g->ret == -1)
		g->err = g->fd == -1 ? g->dup_err : errno;
	if (g->fd != -1)
		close(g->fd);
	g->fd = -1;
}

static void
workers_guard_destroy(struct workers_guard *g)
{
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->cv);
	free(g->path);
	free(g->buf);
	free(g);
}

static void *
workers_guard_main(void *arg)
{
	struct workers_guard	*g = arg;

	pthread_mutex_lock(&g->lock);
	for (;;) {
		while (g->state != WORKERS_GUARD_CALL && !g->stop)
			pthread_cond_wait(&g->cv, &g->lock);
		if (g->state != WORKERS_GUARD_CALL)
			break;
		pthread_mutex_unlock(&g->lock);
		workers_guard_call(g);
		pthread_mutex_lock(&g->lock);
		g->state = WORKERS_GUARD_DONE;
		pthread_cond_broadcast(&g->cv);
	}
	if (!g->abandoned) {
		pthread_mutex_unlock(&g->lock);
		return NULL;
	}
	/* Given up on, and the call came back: undo it, free the guard. */
	if (g->state == WORKERS_GUARD_DONE && g->op == WORKERS_GUARD_OPEN &&
	    g->ret >= 0)
		close((int)g->ret);
	pthread_mutex_unlock(&g->lock);
	workers_guard_destroy(g);
	return NULL;
}

struct workers_guard *
workers_guard_new(void)
{
	struct workers_guard	*g;

	g = xcalloc(1, sizeof *g);
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cv, NULL);
	if (pthread_create(&g->thread, NULL, workers_guard_main, g) != 0)
		fatal("pthread_create");
	return g;
}

void
workers_guard_free(struct workers_guard *g)
{
	if (g == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	g->stop = 1;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->thread, NULL);
	workers_guard_destroy(g);
}

static void
workers_guard_start(struct workers_guard *g, int op, int fd,
    const char *path, size_t len, off_t off)
{
	pthread_mutex_lock(&g->lock);
	if (g->state != WORKERS_GUARD_IDLE)
		fatal("workers_guard: a call is already in progress");
	g->op = op;
	/*
	 * A copy of the descriptor, the thread's to close: the caller may
	 * close its own while a call given up on still uses it.
	 */
	g->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	g->dup_err = errno;
	free(g->path);
	g->path = path ? xstrdup(path) : NULL;
	g->len = len;
	g->off = off;
	g->state = WORKERS_GUARD_CALL;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->lock);
}

void
workers_guard_open(struct workers_guard *g, int rootfd, const char *path)
{
	workers_guard_start(g, WORKERS_GUARD_OPEN, rootfd, path, 0, 0);
}

void
workers_guard_pread(struct workers_guard *g, int fd, size_t len, off_t off)
{
	if (len > WORKERS_GUARD_BUF)
		len = WORKERS_GUARD_BUF;
	if (g->buf == NULL)
		g->buf = xmalloc(WORKERS_GUARD_BUF);
	workers_guard_start(g, WORKERS_GUARD_PREAD, fd, NULL, len, off);
}

int
workers_guard_wait(struct workers_guard *g, int ms, long long *ret, int *err,
    struct stat *st, const unsigned char **buf)
{
	struct timespec	until;
	int		done;

	workers_until(&until, ms);
	pthread_mutex_lock(&g->lock);
	while (g->state == WORKERS_GUARD_CALL &&
	    pthread_cond_timedwait(&g->cv, &g->lock, &until) == 0)
		;
	if ((done = g->state == WORKERS_GUARD_DONE)) {
		*ret = g->ret;
		*err = g->err;
		if (st != NULL)
			*st = g->st;
		if (buf != NULL)
			*buf = g->buf;
		g->state = WORKERS_GUARD_IDLE;
	}
	pthread_mutex_unlock(&g->lock);
	return done;
}

void
workers_guard_abandon(struct workers_guard *g)
{
	pthread_mutex_lock(&g->lock);
	g->abandoned = 1;
	g->stop = 1;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->lock);
	pthread_detach(g->thread);
}
