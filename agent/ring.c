/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The byte ring (see ring.h): one mutex, two condition variables. Only
 * the consumer moves pos; only the writer drops bytes (consumed ones,
 * when it needs room, or at once without keep) and adds them, so the
 * bytes the consumer was given stay put while it uses them unlocked.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "ring.h"
#include "util.h"

void
ring_init(struct ring *r, size_t cap, int keep)
{
	memset(r, 0, sizeof *r);
	r->cap = cap > 0 ? cap : 1;
	r->buf = xmalloc(r->cap);
	r->keep = keep;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->more, NULL);
	pthread_cond_init(&r->room, NULL);
}

void
ring_destroy(struct ring *r)
{
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->more);
	pthread_cond_destroy(&r->room);
	free(r->buf);
	r->buf = NULL;
}

/* Drop consumed bytes from the front, at most n (under the lock). */
static size_t
ring_drop(struct ring *r, size_t n)
{
	size_t	drop = (size_t)(r->pos - r->start);

	if (drop > n)
		drop = n;
	r->head = (r->head + drop) % r->cap;
	r->len -= drop;
	r->start += drop;
	return drop;
}

int
ring_write(struct ring *r, const void *p, size_t n)
{
	const unsigned char	*c = p;
	size_t			 tail, k;
	int			 failed;

	pthread_mutex_lock(&r->lock);
	while (n > 0 && !r->failed) {
		if (r->len == r->cap && (r->hold || ring_drop(r, n) == 0)) {
			pthread_cond_wait(&r->room, &r->lock);
			continue;
		}
		tail = (r->head + r->len) % r->cap;
		k = r->cap - tail;
		if (k > r->cap - r->len)
			k = r->cap - r->len;
		if (k > n)
			k = n;
		memcpy(r->buf + tail, c, k);
		r->len += k;
		c += k;
		n -= k;
		pthread_cond_signal(&r->more);
	}
	failed = r->failed;
	pthread_mutex_unlock(&r->lock);
	return failed ? -1 : 0;
}

/* Contiguous bytes from offset off, at most max (under the lock). */
static size_t
ring_span(struct ring *r, uint64_t off, const unsigned char **p, size_t max)
{
	size_t	idx, k;

	if (off < r->start || off >= r->start + r->len)
		return 0;
	idx = (r->head + (size_t)(off - r->start)) % r->cap;
	k = r->cap - idx;
	if (k > r->start + r->len - off)
		k = (size_t)(r->start + r->len - off);
	if (k > max)
		k = max;
	*p = r->buf + idx;
	return k;
}

long
ring_peek_timed(struct ring *r, const unsigned char **p, size_t max,
    int secs)
{
	struct timespec	 ts;
	long		 k;

	if (secs > 0) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += secs;
	}
	pthread_mutex_lock(&r->lock);
	while (!r->failed && !r->closing && r->pos == r->start + r->len)
		if (secs <= 0)
			pthread_cond_wait(&r->more, &r->lock);
		else if (pthread_cond_timedwait(&r->more, &r->lock, &ts) ==
		    ETIMEDOUT)
			break;
	if (r->failed)
		k = -1;
	else if (!r->closing && r->pos == r->start + r->len)
		k = RING_TIMEOUT;
	else
		k = (long)ring_span(r, r->pos, p, max);
	pthread_mutex_unlock(&r->lock);
	return k;
}

long
ring_peek(struct ring *r, const unsigned char **p, size_t max)
{
	return ring_peek_timed(r, p, max, 0);
}

void
ring_consume(struct ring *r, size_t k)
{
	pthread_mutex_lock(&r->lock);
	r->pos += k;
	if (!r->keep)
		ring_drop(r, k);
	pthread_cond_signal(&r->room);
	pthread_mutex_unlock(&r->lock);
}

size_t
ring_at(struct ring *r, uint64_t off, const unsigned char **p, size_t max)
{
	size_t	k;

	pthread_mutex_lock(&r->lock);
	k = ring_span(r, off, p, max);
	pthread_mutex_unlock(&r->lock);
	return k;
}

int
ring_rewind(struct ring *r, uint64_t off)
{
	int	rc = -1;

	pthread_mutex_lock(&r->lock);
	if (off >= r->start && off <= r->start + r->len) {
		r->pos = off;
		rc = 0;
	}
	pthread_cond_signal(&r->room);
	pthread_mutex_unlock(&r->lock);
	return rc;
}

void
ring_hold(struct ring *r, int on)
{
	pthread_mutex_lock(&r->lock);
	r->hold = on;
	pthread_cond_signal(&r->room);
	pthread_mutex_unlock(&r->lock);
}

void
ring_close(struct ring *r, int abandon)
{
	pthread_mutex_lock(&r->lock);
	r->closing = 1;
	if (abandon)
		r->failed = 1;
	pthread_cond_broadcast(&r->more);
	pthread_cond_broadcast(&r->room);
	pthread_mutex_unlock(&r->lock);
}

void
ring_fail(struct ring *r)
{
	pthread_mutex_lock(&r->lock);
	r->failed = 1;
	pthread_cond_broadcast(&r->room);
	pthread_cond_broadcast(&r->more);
	pthread_mutex_unlock(&r->lock);
}

int
ring_failed(struct ring *r)
{
	int	failed;

	pthread_mutex_lock(&r->lock);
	failed = r->failed;
	pthread_mutex_unlock(&r->lock);
	return failed;
}

void
ring_window(struct ring *r, uint64_t *start, uint64_t *end, uint64_t *pos)
{
	pthread_mutex_lock(&r->lock);
	if (start != NULL)
		*start = r->start;
	if (end != NULL)
		*end = r->start + r->len;
	if (pos != NULL)
		*pos = r->pos;
	pthread_mutex_unlock(&r->lock);
}
