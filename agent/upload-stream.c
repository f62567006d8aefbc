/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The streaming output stage (out_sftp): the archive goes to the drop
 * box's .part as it is produced, through a ring that is both the queue
 * to the sending thread and the window kept for a resume after a break.
 * See upload.h.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "upload-int.h"
#include "upload-resume.h"
#include "upload.h"
#include "util.h"

/*
 * Streaming stage. The writer appends to a ring (the window) and goes on
 * packing; a thread of its own sends the ring to the server. The ring is
 * both the queue between them (the writer waits when all of it is still
 * unsent) and the resume window: bytes already sent stay in it until the
 * room is needed, and after a break the thread reconnects, asks the
 * server how much it has, and sends again from there if the ring still
 * holds it. Only that thread uses the session until the stage is closed.
 */

struct out_sftp {
	struct out		 out;
	struct upload		*u;
	char			*part;
	char			*final;
	LIBSSH2_SFTP_HANDLE	*h;
	pthread_t		 thread;
	int			 started;
	pthread_mutex_t		 lock;
	pthread_cond_t		 more;		/* bytes to send, or closing */
	pthread_cond_t		 room;		/* bytes sent, or failed */
	unsigned char		*win;		/* ring of the last bytes */
	size_t			 cap;
	size_t			 head;		/* ring index of wstart */
	size_t			 len;
	uint64_t		 wstart;	/* stream offset of head */
	uint64_t		 pos;		/* bytes the server has */
	int			 resuming;	/* keep every byte: no drop */
	int			 closing;
	int			 failed;	/* out.err says why */
	int			 closed;
	uint64_t		 proof_end;	/* of the bytes compared */
	uint64_t		 resumed_at;	/* to log, by the writer */
	int			 resumed;
};

/* Bytes of the window at stream offset off, for a comparison. */
static int
out_sftp_get(void *arg, uint64_t off, unsigned char *p, size_t n)
{
	struct out_sftp	*s = arg;
	size_t		 idx, k;

	/* Not s->len: the writer may be appending (never dropping). */
	if (off < s->wstart || off + n > s->proof_end)
		return -1;
	while (n > 0) {
		idx = (s->head + (size_t)(off - s->wstart)) % s->cap;
		k = s->cap - idx < n ? s->cap - idx : n;
		memcpy(p, s->win + idx, k);
		p += k;
		off += k;
		n -= k;
	}
	return 0;
}

/*
 * The .part was created exclusively by this process; after a break it
 * is still ours if the last bytes the server has (up to UPLOAD_PROOF)
 * are those of the window. A drop box that refuses reads is taken at
 * its size (within the window). 0, or -1 with out.err; 1 broken.
 */
static int
out_sftp_prove(struct out_sftp *s, uint64_t have)
{
	struct upload		*u = s->u;
	enum upload_proof	 p;
	unsigned char		*buf;
	unsigned long		 st;
	uint64_t		 from;

	from = have - s->wstart > UPLOAD_PROOF ? have - UPLOAD_PROOF :
	    s->wstart;
	if (from == have)
		return 0;
	buf = xmalloc(UPLOAD_PROOF);
	s->proof_end = have;
	p = upload_resume_compare(u->ssh, u->sftp, s->part, from, have - from,
	    out_sftp_get, s, buf, UPLOAD_PROOF, &st);
	free(buf);
	if (p == UPLOAD_PROOF_BROKEN)
		return 1;
	if (p == UPLOAD_PROOF_DIFFERS) {
		snprintf(s->out.err, sizeof s->out.err, "%s on %s no longer "
		    "holds the bytes sent (SHA-256 of its last %llu bytes): "
		    "the stream is not resumed", s->part, u->host,
		    (unsigned long long)(have - from));
		return -1;
	}
	return 0;
}

/*
 * Reconnect and open the .part at the server's size, which must be in
 * the window [wstart, end], and its last bytes ours. That size, or -1
 * with out.err set.
 */
static int64_t
out_sftp_reconnect(struct out_sftp *s, uint64_t wstart, uint64_t end)
{
	struct upload	*u = s->u;
	char		 err[256];
	int64_t		 have;
	int		 try, rc;

	err[0] = '\0';
	if (upload_link_broken(u))
		upload_cut(u);		/* the handle closes at once */
	for (try = 0; try <= u->retries; try++) {
		if (try > 0)
			upload_backoff(try - 1);
		if (s->h != NULL)
			libssh2_sftp_close(s->h);
		s->h = NULL;
		upload_disconnect(u);
		if (upload_connect(u, err, sizeof err) == -1)
			break;
		if ((have = upload_remote_size(u, s->part)) == -1)
			continue;
		if ((uint64_t)have < wstart || (uint64_t)have > end) {
			snprintf(s->out.err, sizeof s->out.err, "the server "
			    "has %lld bytes of %s, outside the resume window "
			    "(%llu to %llu): the stream cannot be resumed",
			    (long long)have, s->part,
			    (unsigned long long)wstart,
			    (unsigned long long)end);
			return -1;
		}
		if ((rc = out_sftp_prove(s, (uint64_t)have)) == -1)
			return -1;
		if (rc == 1)
			continue;
		s->h = libssh2_sftp_open(u->sftp, s->part, LIBSSH2_FXF_WRITE,
		    0600);
		if (s->h == NULL)
			continue;
		libssh2_sftp_seek64(s->h, (libssh2_uint64_t)have);
		return have;
	}
	snprintf(s->out.err, sizeof s->out.err, "stream of %s to %s broken "
	    "and not resumed: %s", s->part, u->host, u->sftp ?
	    upload_why(u) : err);
	return -1;
}

/*
 * Wait for bytes to send (the lock held); while none come, keep the
 * session alive. 1 when the keep-alive found the link broken.
 */
static int
out_sftp_idle(struct out_sftp *s)
{
	struct timespec	ts;
	int		rc;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += s->u->timeout / 4 > 0 ? s->u->timeout / 4 : 1;
	if (pthread_cond_timedwait(&s->more, &s->lock, &ts) != ETIMEDOUT ||
	    s->h == NULL)
		return 0;
	pthread_mutex_unlock(&s->lock);
	rc = upload_keepalive(s->u);
	pthread_mutex_lock(&s->lock);
	return rc == -1;
}

static void *
out_sftp_main(void *arg)
{
	struct out_sftp	*s = arg;
	sigset_t	 all;
	uint64_t	 end;
	int64_t		 have;
	size_t		 idx, k;
	int		 ok, idle_broken;

	/* Signals are the writer's: it finishes the archive on them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&s->lock);
	for (;;) {
		idle_broken = 0;
		while (!s->failed && !s->closing && !idle_broken &&
		    s->pos == s->wstart + s->len)
			idle_broken = out_sftp_idle(s);
		end = s->wstart + s->len;
		if (s->failed || (s->closing && s->pos == end))
			break;
		if (idle_broken) {
			ok = 0;
			goto broken;
		}
		idx = (s->head + (size_t)(s->pos - s->wstart)) % s->cap;
		k = s->cap - idx;
		if (k > end - s->pos)
			k = (size_t)(end - s->pos);
		if (k > UPLOAD_CHUNK)
			k = UPLOAD_CHUNK;
		pthread_mutex_unlock(&s->lock);
		/* The writer never drops or overwrites unsent bytes. */
		ok = s->h != NULL && upload_write(s->u, s->h,
		    (const char *)s->win + idx, k) == 0;
		pthread_mutex_lock(&s->lock);
		if (ok) {
			s->pos += k;
			pthread_cond_signal(&s->room);
			continue;
		}
broken:
		s->resuming = 1;
		end = s->wstart + s->len;
		pthread_mutex_unlock(&s->lock);
		have = out_sftp_reconnect(s, s->wstart, end);
		pthread_mutex_lock(&s->lock);
		s->resuming = 0;
		if (have == -1)
			s->failed = 1;
		else {
			s->pos = (uint64_t)have;
			s->resumed_at = (uint64_t)have;
			s->resumed++;
		}
		pthread_cond_signal(&s->room);
	}
	pthread_cond_signal(&s->room);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* Log what the thread did (the writer owns the log's order). */
static void
out_sftp_report(struct out_sftp *s)
{
	uint64_t	at;
	int		n;

	pthread_mutex_lock(&s->lock);
	n = s->resumed;
	at = s->resumed_at;
	s->resumed = 0;
	pthread_mutex_unlock(&s->lock);
	if (n > 0)
		log_msg(LOG_INFO, "upload", "stream resumed at %llu bytes",
		    (unsigned long long)at);
}

static int
out_sftp_write(struct out *o, const void *p, size_t n)
{
	struct out_sftp		*s = (struct out_sftp *)o;
	const unsigned char	*c = p;
	size_t			 k, tail, drop;
	int			 failed;

	pthread_mutex_lock(&s->lock);
	while (n > 0 && !s->failed) {
		if (s->len == s->cap) {
			/* Full: drop the oldest bytes sent, or wait. */
			drop = (size_t)(s->pos - s->wstart);
			if (drop == 0 || s->resuming) {
				pthread_cond_wait(&s->room, &s->lock);
				continue;
			}
			if (drop > n)
				drop = n;
			s->head = (s->head + drop) % s->cap;
			s->len -= drop;
			s->wstart += drop;
		}
		tail = (s->head + s->len) % s->cap;
		k = s->cap - tail;
		if (k > s->cap - s->len)
			k = s->cap - s->len;
		if (k > n)
			k = n;
		memcpy(s->win + tail, c, k);
		s->len += k;
		c += k;
		n -= k;
		pthread_cond_signal(&s->more);
	}
	/* Read under the lock: the sending thread sets it. */
	failed = s->failed;
	pthread_mutex_unlock(&s->lock);
	out_sftp_report(s);
	return failed ? -1 : 0;
}

/* Wait for the thread to send all it can, and stop it. */
static void
out_sftp_join(struct out_sftp *s, int abandon)
{
	if (!s->started)
		return;
	pthread_mutex_lock(&s->lock);
	s->closing = 1;
	if (abandon)
		s->failed = 1;
	pthread_cond_signal(&s->more);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	s->started = 0;
	out_sftp_report(s);
}

/* After the thread: resend from the server's size (the window). */
static int
out_sftp_resume(struct out_sftp *s, uint64_t end)
{
	struct upload	*u = s->u;
	int64_t		 have;
	uint64_t	 off;

	if ((have = out_sftp_reconnect(s, s->wstart, end)) == -1)
		return -1;
	log_msg(LOG_INFO, "upload", "stream resumed at %lld bytes",
	    (long long)have);
	for (off = (uint64_t)have; off < end;) {
		size_t	idx = (s->head + (size_t)(off - s->wstart)) % s->cap;
		size_t	k = s->cap - idx;

		if (k > end - off)
			k = (size_t)(end - off);
		if (upload_write(u, s->h, (char *)s->win + idx, k) == -1) {
			snprintf(s->out.err, sizeof s->out.err, "stream of %s "
			    "to %s broken again while resumed: %s", s->part,
			    u->host, upload_why(u));
			return -1;
		}
		off += k;
	}
	s->pos = end;
	return 0;
}

static int
out_sftp_close(struct out *o)
{
	struct out_sftp	*s = (struct out_sftp *)o;
	int64_t		 have;

	if (s->closed)
		return 0;
	out_sftp_join(s, 0);
	if (s->failed)
		return -1;
	if (s->h != NULL && libssh2_sftp_close(s->h) != 0) {
		s->h = NULL;
		if (out_sftp_resume(s, s->pos) == -1 ||
		    libssh2_sftp_close(s->h) != 0)
			return -1;
	}
	s->h = NULL;
	if ((have = upload_remote_size(s->u, s->part)) == -1) {
		snprintf(o->err, sizeof o->err, "cannot check the size of %s "
		    "on %s: %s", s->part, s->u->host, upload_why(s->u));
		return -1;
	}
	if (have != (int64_t)s->pos) {
		snprintf(o->err, sizeof o->err, "%s on %s has %lld bytes, not "
		    "%llu", s->part, s->u->host, (long long)have,
		    (unsigned long long)s->pos);
		return -1;
	}
	s->closed = 1;
	return 0;
}

static void
out_sftp_free(struct out *o)
{
	struct out_sftp	*s = (struct out_sftp *)o;

	out_sftp_join(s, 1);
	if (s->h != NULL)
		libssh2_sftp_close(s->h);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->more);
	pthread_cond_destroy(&s->room);
	free(s->win);
	free(s->part);
	free(s->final);
	free(s);
}

struct out *
out_sftp_new(struct upload *u, const char *name, size_t window)
{
	struct out_sftp	*s;

	s = xcalloc(1, sizeof *s);
	s->out.name = "sftp";
	s->out.write = out_sftp_write;
	s->out.close = out_sftp_close;
	s->out.free = out_sftp_free;
	s->u = u;
	s->part = upload_path(u, name, ".part");
	s->final = upload_path(u, name, "");
	s->cap = window < UPLOAD_CHUNK ? UPLOAD_CHUNK : window;
	s->win = xmalloc(s->cap);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->more, NULL);
	pthread_cond_init(&s->room, NULL);
	/* Created exclusively: another run's .part is never truncated. */
	if (u->sftp != NULL && (s->h = libssh2_sftp_open(u->sftp, s->part,
	    LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_EXCL,
	    0600)) == NULL) {
		/* The reason first: the stat below replaces it. */
		snprintf(s->out.err, sizeof s->out.err, "cannot create %s on "
		    "%s: %s", s->part, u->host, upload_why(u));
		if (!upload_link_broken(u) && upload_exists(u, s->part) == 1)
			snprintf(s->out.err, sizeof s->out.err, "cannot create "
			    "%s on %s: it exists (another run's file?), left "
			    "alone", s->part, u->host);
		s->failed = 1;
	}
	if (pthread_create(&s->thread, NULL, out_sftp_main, s) != 0)
		fatal("pthread_create");
	s->started = 1;
	return &s->out;
}

int
out_sftp_commit(struct out *o)
{
	struct out_sftp	*s = (struct out_sftp *)o;

	if (upload_rename(s->u, s->part, s->final, o->err,
	    sizeof o->err) != 0)
		return -1;
	return 0;
}
