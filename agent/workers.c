/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The reader pool (see workers.h): a queue of jobs in, a queue of
 * finished jobs out, one mutex and two condition variables.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "util.h"
#include "workers.h"

struct workers {
	pthread_mutex_t		 lock;
	pthread_cond_t		 work;		/* a job was queued, or stop */
	pthread_cond_t		 done;		/* a job finished */
	struct workers_job	*todo, *todo_tail;
	struct workers_job	*ready, *ready_tail;
	size_t			 pending;	/* submitted, not taken back */
	uint64_t		 inflight;
	int			 stop;
	int			 n;
	pthread_t		*threads;
	struct scan		*scan;
};

/* Read, hash and scan one job (in a worker thread). */
static void
workers_run(struct workers_job *j, struct scan_thread *st)
{
	unsigned char	 md5[16];
	EVP_MD_CTX	*sha, *m5;
	struct scan_file f;
	ssize_t		 n;

	j->buf = xcalloc(1, j->want ? (size_t)j->want : 1);
	while (j->got < j->want) {
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
	posix_fadvise(j->fd, 0, 0, POSIX_FADV_DONTNEED);
	close(j->fd);
	j->fd = -1;
	if ((sha = EVP_MD_CTX_new()) == NULL || (m5 = EVP_MD_CTX_new()) == NULL)
		fatal("EVP_MD_CTX_new");
	EVP_DigestInit_ex(sha, EVP_sha256(), NULL);
	EVP_DigestUpdate(sha, j->buf, (size_t)j->want);
	EVP_DigestFinal_ex(sha, j->sha256, NULL);
	if (j->scan && st != NULL) {
		EVP_DigestInit_ex(m5, EVP_md5(), NULL);
		EVP_DigestUpdate(m5, j->buf, (size_t)j->got);
		EVP_DigestFinal_ex(m5, md5, NULL);
		memset(&f, 0, sizeof f);
		f.path = j->source;
		f.owner = j->owner;
		f.uid = j->st.st_uid;
		f.sha256 = j->sha256;
		f.md5 = md5;
		f.size = (uint64_t)j->st.st_size;
		if (scan_file(st, j->buf, (size_t)j->got, &f, &j->matches,
		    j->scan_err, sizeof j->scan_err) != SCAN_OK)
			j->matches = NULL;
	}
	EVP_MD_CTX_free(sha);
	EVP_MD_CTX_free(m5);
}

static void *
workers_main(void *arg)
{
	struct workers		*w = arg;
	struct workers_job	*j;
	struct scan_thread	*st = w->scan ? scan_thread_new(w->scan) : NULL;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->todo == NULL && !w->stop)
			pthread_cond_wait(&w->work, &w->lock);
		if ((j = w->todo) == NULL)
			break;
		if ((w->todo = j->next) == NULL)
			w->todo_tail = NULL;
		pthread_mutex_unlock(&w->lock);
		workers_run(j, st);
		pthread_mutex_lock(&w->lock);
		j->next = NULL;
		if (w->ready_tail != NULL)
			w->ready_tail->next = j;
		else
			w->ready = j;
		w->ready_tail = j;
		pthread_cond_signal(&w->done);
	}
	pthread_mutex_unlock(&w->lock);
	scan_thread_free(st);
	return NULL;
}

struct workers *
workers_new(int n, struct scan *scan)
{
	struct workers	*w;
	int		 i;

	w = xcalloc(1, sizeof *w);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->done, NULL);
	w->scan = scan;
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
	while ((j = w->ready) != NULL) {
		w->ready = j->next;
		workers_job_free(j);
	}
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->done);
	free(w->threads);
	free(w);
}

void
workers_submit(struct workers *w, struct workers_job *j)
{
	j->next = NULL;
	pthread_mutex_lock(&w->lock);
	if (w->todo_tail != NULL)
		w->todo_tail->next = j;
	else
		w->todo = j;
	w->todo_tail = j;
	w->pending++;
	w->inflight += j->want;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->lock);
}

struct workers_job *
workers_done(struct workers *w, int wait)
{
	struct workers_job	*j = NULL;

	pthread_mutex_lock(&w->lock);
	while (w->ready == NULL && wait && w->pending > 0)
		pthread_cond_wait(&w->done, &w->lock);
	if ((j = w->ready) != NULL) {
		if ((w->ready = j->next) == NULL)
			w->ready_tail = NULL;
		w->pending--;
		w->inflight -= j->want;
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

void
workers_job_free(struct workers_job *j)
{
	if (j == NULL)
		return;
	if (j->fd != -1)
		close(j->fd);
	free(j->buf);
	free(j->source);
	free(j->apath);
	json_decref(j->matches);
	free(j);
}
