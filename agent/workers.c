/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The reader pool (see workers.h): one queue of jobs in submission order
 * (workers take them from todo, the writer from head), one ring for their
 * contents, one mutex and two condition variables.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/evp.h>

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
	int			 n;
	pthread_t		*threads;
	struct scan		*scan;
	/* The ring: [rtail, rhead) is in use, wrapping at ringsz. */
	unsigned char		*ring;
	size_t			 ringsz, rhead, rtail, nlive;
};

/* Per thread: digests made once. */
struct workers_thread {
	struct scan_thread	*scan;
	int			 needmd5;	/* a rule reads it */
	EVP_MD_CTX		*sha, *md5;
};

static unsigned char workers_empty[1];

/* Read, hash and scan one job (in a worker thread). */
static void
workers_run(struct workers_job *j, struct workers_thread *t)
{
	struct scan_file f;
	ssize_t		 n;

	while (!j->scanonly && j->got < j->want) {
		n = pread(j->fd, j->buf + j->got, (size_t)(j->want - j->got),
		    (off_t)j->got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			j->rerrno = n == -1 ? errno : 0;
			break;
		}
		j->got += (uint64_t)n;
	}
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
	}
	if (j->scan && t->scan != NULL) {
		if (!j->scanonly && t->needmd5) {
			EVP_DigestInit_ex(t->md5, EVP_md5(), NULL);
			EVP_DigestUpdate(t->md5, j->buf, (size_t)j->got);
			EVP_DigestFinal_ex(t->md5, j->md5, NULL);
		}
		memset(&f, 0, sizeof f);
		f.path = j->source;
		f.owner = j->owner;
		f.uid = j->st.st_uid;
		f.sha256 = j->sha256;
		f.md5 = t->needmd5 ? j->md5 : NULL;
		f.size = (uint64_t)j->st.st_size;
		if (scan_file(t->scan, j->buf, (size_t)j->got, &f, &j->matches,
		    j->scan_err, sizeof j->scan_err) != SCAN_OK)
			j->matches = NULL;
	}
}

static void *
workers_main(void *arg)
{
	struct workers		*w = arg;
	struct workers_job	*j;
	struct workers_thread	 t;

	t.scan = w->scan ? scan_thread_new(w->scan) : NULL;
	t.needmd5 = w->scan != NULL && scan_uses_md5(w->scan);
	if ((t.sha = EVP_MD_CTX_new()) == NULL ||
	    (t.md5 = EVP_MD_CTX_new()) == NULL)
		fatal("EVP_MD_CTX_new");
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->todo == NULL && !w->stop)
			pthread_cond_wait(&w->work, &w->lock);
		if ((j = w->todo) == NULL)
			break;
		w->todo = j->next;
		pthread_mutex_unlock(&w->lock);
		workers_run(j, &t);
		pthread_mutex_lock(&w->lock);
		j->finished = 1;
		pthread_cond_signal(&w->done);
	}
	pthread_mutex_unlock(&w->lock);
	scan_thread_free(t.scan);
	EVP_MD_CTX_free(t.sha);
	EVP_MD_CTX_free(t.md5);
	return NULL;
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
	w->threads = xcalloc((size_t)w->n, sizeof *w->threads);
	for (i = 0; i < w->n; i++)
		if (pthread_create(&w->threads[i], NULL, workers_main, w) != 0)
			fatal("pthread_create");
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
		pthread_join(w->threads[i], NULL);
	while ((j = w->head) != NULL) {
		w->head = j->next;
		workers_job_free(j);
	}
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->done);
	if (w->ring != NULL)
		munmap(w->ring, w->ringsz);
	free(w->threads);
	free(w);
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

	if (j->want > w->ringsz || (j->scanonly && j->want != 0))
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
	j->next = NULL;
	if (w->tail != NULL)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	if (w->todo == NULL)
		w->todo = j;
	w->pending++;
	w->inflight += j->want;
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
	w->inflight -= j->want;
	if (j->want > 0) {
		if (j->off != w->rtail && j->off != 0)
			fatal("workers: ring space released out of order");
		w->rtail = j->off + (size_t)j->want;
		if (--w->nlive == 0)
			w->rhead = w->rtail = 0;
	}
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
	json_decref(j->matches);
	free(j);
}
