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
#include "ring.h"
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
	struct ring		 ring;		/* kept: the resume window */
	int			 closed;
	uint64_t		 proof_end;	/* of the bytes compared */
	uint64_t		 resumed_at;	/* to log, by the writer */
	int			 resumed;	/* (both atomic) */
};

/* Bytes of the window at stream offset off, for a comparison. */
static int
out_sftp_get(void *arg, uint64_t off, unsigned char *p, size_t n)
{
	struct out_sftp		*s = arg;
	const unsigned char	*q;
	size_t			 k;

	/* The ring is held: nothing in it moves while this reads. */
	if (off + n > s->proof_end)
		return -1;
	while (n > 0) {
		if ((k = ring_at(&s->ring, off, &q, n)) == 0)
			return -1;
		memcpy(p, q, k);
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
out_sftp_prove(struct out_sftp *s, uint64_t wstart, uint64_t have)
{
	struct upload		*u = s->u;
	enum upload_proof	 p;
	unsigned char		*buf;
	unsigned long		 st;
	uint64_t		 from;

	from = have - wstart > UPLOAD_PROOF ? have - UPLOAD_PROOF : wstart;
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
		if ((rc = out_sftp_prove(s, wstart, (uint64_t)have)) == -1)
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

/* Log what the thread did (the writer owns the log's order). */
static void
out_sftp_report(struct out_sftp *s)
{
	uint64_t	at;
	int		n;

	if ((n = __atomic_exchange_n(&s->resumed, 0, __ATOMIC_ACQ_REL)) > 0) {
		at = __atomic_load_n(&s->resumed_at, __ATOMIC_ACQUIRE);
		log_msg(LOG_INFO, "upload", "stream resumed at %llu bytes",
		    (unsigned long long)at);
	}
}

/*
 * After a break: hold the window, reconnect, and go on from the server's
 * size. 0, or -1 (out.err says why).
 */
static int
out_sftp_rejoin(struct out_sftp *s)
{
	uint64_t	start, end;
	int64_t		have;

	ring_hold(&s->ring, 1);
	ring_window(&s->ring, &start, &end, NULL);
	have = out_sftp_reconnect(s, start, end);
	if (have != -1) {
		ring_rewind(&s->ring, (uint64_t)have);
		__atomic_store_n(&s->resumed_at, (uint64_t)have,
		    __ATOMIC_RELEASE);
		__atomic_add_fetch(&s->resumed, 1, __ATOMIC_ACQ_REL);
	}
	ring_hold(&s->ring, 0);
	return have == -1 ? -1 : 0;
}

static void *
out_sftp_main(void *arg)
{
	struct out_sftp		*s = arg;
	const unsigned char	*p;
	sigset_t		 all;
	long			 k;
	int			 idle;

	/* Signals are the writer's: it finishes the archive on them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	/* While nothing comes to send, the session is kept alive. */
	idle = s->u->timeout / 4 > 0 ? s->u->timeout / 4 : 1;
	for (;;) {
		k = ring_peek_timed(&s->ring, &p, UPLOAD_CHUNK, s->h ? idle : 0);
		if (k == RING_TIMEOUT) {
			if (upload_keepalive(s->u) != -1)
				continue;
		} else if (k <= 0)
			break;
		else if (s->h != NULL && upload_write(s->u, s->h,
		    (const char *)p, (size_t)k) == 0) {
			ring_consume(&s->ring, (size_t)k);
			continue;
		}
		if (out_sftp_rejoin(s) == -1) {
			ring_fail(&s->ring);
			break;
		}
	}
	return NULL;
}

static int
out_sftp_write(struct out *o, const void *p, size_t n)
{
	struct out_sftp	*s = (struct out_sftp *)o;
	int		 rc;

	rc = ring_write(&s->ring, p, n);
	out_sftp_report(s);
	return rc;
}

/* Wait for the thread to send all it can, and stop it. */
static void
out_sftp_join(struct out_sftp *s, int abandon)
{
	if (!s->started)
		return;
	ring_close(&s->ring, abandon);
	pthread_join(s->thread, NULL);
	s->started = 0;
	out_sftp_report(s);
}

/* After the thread: resend from the server's size (the window). */
static int
out_sftp_resume(struct out_sftp *s, uint64_t end)
{
	struct upload		*u = s->u;
	const unsigned char	*p;
	uint64_t		 start, off;
	int64_t			 have;
	size_t			 k;

	ring_window(&s->ring, &start, NULL, NULL);
	if ((have = out_sftp_reconnect(s, start, end)) == -1)
		return -1;
	log_msg(LOG_INFO, "upload", "stream resumed at %lld bytes",
	    (long long)have);
	for (off = (uint64_t)have; off < end; off += k) {
		if ((k = ring_at(&s->ring, off, &p, end - off)) == 0 ||
		    upload_write(u, s->h, (const char *)p, k) == -1) {
			snprintf(s->out.err, sizeof s->out.err, "stream of %s "
			    "to %s broken again while resumed: %s", s->part,
			    u->host, upload_why(u));
			return -1;
		}
	}
	return 0;
}

static int
out_sftp_close(struct out *o)
{
	struct out_sftp	*s = (struct out_sftp *)o;
	uint64_t	 pos;
	int64_t		 have;

	if (s->closed)
		return 0;
	out_sftp_join(s, 0);
	if (ring_failed(&s->ring))
		return -1;
	ring_window(&s->ring, NULL, NULL, &pos);
	if (s->h != NULL && libssh2_sftp_close(s->h) != 0) {
		s->h = NULL;
		if (out_sftp_resume(s, pos) == -1 ||
		    libssh2_sftp_close(s->h) != 0)
			return -1;
	}
	s->h = NULL;
	if ((have = upload_remote_size(s->u, s->part)) == -1) {
		snprintf(o->err, sizeof o->err, "cannot check the size of %s "
		    "on %s: %s", s->part, s->u->host, upload_why(s->u));
		return -1;
	}
	if (have != (int64_t)pos) {
		snprintf(o->err, sizeof o->err, "%s on %s has %lld bytes, not "
		    "%llu", s->part, s->u->host, (long long)have,
		    (unsigned long long)pos);
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
	ring_destroy(&s->ring);
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
	ring_init(&s->ring, window < UPLOAD_CHUNK ? UPLOAD_CHUNK : window, 1);
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
		ring_fail(&s->ring);
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
