/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Output stages: file (temporary name, rename when complete), zstd
 * (libzstd, multi-threaded), a hand-over to a thread, hash tee (OpenSSL
 * SHA-256, libsodium BLAKE2b-512). See out.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sodium.h>
#include <zstd.h>

#include "out.h"
#include "ring.h"
#include "util.h"

int
out_write(struct out *o, const void *p, size_t n)
{
	return o->write(o, p, n);
}

int
out_close(struct out *o)
{
	return o->close(o);
}

void
out_free(struct out *o)
{
	struct out	*next;

	for (; o != NULL; o = next) {
		next = o->next;
		o->free(o);
	}
}

const char *
out_error(struct out *o)
{
	for (; o != NULL; o = o->next)
		if (o->err[0] != '\0')
			return o->err;
	return "";
}

/* File stage. */

struct out_file {
	struct out	 out;
	int		 fd;
	int		 committed;
	char		*tmp;
	char		*path;
};

static int
out_file_write(struct out *o, const void *p, size_t n)
{
	struct out_file	*f = (struct out_file *)o;

	if (f->fd == -1)
		return -1;
	if (util_write_all(f->fd, p, n) == -1) {
		snprintf(o->err, sizeof o->err, "cannot write %s: %s",
		    f->tmp, strerror(errno));
		return -1;
	}
	return 0;
}

static int
out_file_close(struct out *o)
{
	struct out_file	*f = (struct out_file *)o;
	int		 rc = 0;

	if (f->fd == -1)
		return o->err[0] ? -1 : 0;
	if (fsync(f->fd) == -1 && errno != EINVAL) {
		snprintf(o->err, sizeof o->err, "cannot write %s: %s",
		    f->tmp, strerror(errno));
		rc = -1;
	}
	if (close(f->fd) == -1 && rc == 0) {
		snprintf(o->err, sizeof o->err, "cannot write %s: %s",
		    f->tmp, strerror(errno));
		rc = -1;
	}
	f->fd = -1;
	return rc;
}

static void
out_file_free(struct out *o)
{
	struct out_file	*f = (struct out_file *)o;

	if (f->fd != -1)
		close(f->fd);
	if (!f->committed)
		unlink(f->tmp);
	free(f->tmp);
	free(f->path);
	free(f);
}

struct out *
out_file_new(const char *dir, const char *name, char *err, size_t errlen)
{
	struct out_file	*f;

	f = xcalloc(1, sizeof *f);
	f->out.name = "file";
	f->out.write = out_file_write;
	f->out.close = out_file_close;
	f->out.free = out_file_free;
	f->tmp = xasprintf("%s/.%s.part", dir, name);
	f->path = xasprintf("%s/%s", dir, name);
	f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (f->fd == -1) {
		snprintf(err, errlen, "cannot create %s: %s", f->tmp,
		    strerror(errno));
		f->committed = 1;	/* nothing of ours to remove */
		out_file_free(&f->out);
		return NULL;
	}
	/* Held while written: a .part nobody holds is a killed run's. */
	(void)flock(f->fd, LOCK_EX | LOCK_NB);
	return &f->out;
}

int
out_file_commit(struct out *o)
{
	struct out_file	*f = (struct out_file *)o;

	if (util_rename_noreplace(f->tmp, f->path) == -1) {
		snprintf(o->err, sizeof o->err, "cannot rename %s to %s: %s",
		    f->tmp, f->path, strerror(errno));
		return -1;
	}
	f->committed = 1;
	return 0;
}

int
out_file_chown(struct out *o, uid_t uid, gid_t gid)
{
	struct out_file	*f = (struct out_file *)o;

	return f->fd == -1 ? -1 : fchown(f->fd, uid, gid);
}

const char *
out_file_part(struct out *o)
{
	return ((struct out_file *)o)->tmp;
}

const char *
out_file_path(struct out *o)
{
	return ((struct out_file *)o)->path;
}

/* zstd stage. */

#define OUT_ZSTD_JOBSIZE	(2 << 20)

struct out_zstd {
	struct out	 out;
	ZSTD_CCtx	*cctx;
	void		*buf;
	size_t		 bufsz;
};

/* Compress in (may be empty) with mode; pass output on. 0 or -1. */
static int
out_zstd_push(struct out_zstd *z, const void *p, size_t n,
    ZSTD_EndDirective mode)
{
	ZSTD_inBuffer	in = { p, n, 0 };
	size_t		left;

	do {
		ZSTD_outBuffer	ob = { z->buf, z->bufsz, 0 };

		left = ZSTD_compressStream2(z->cctx, &ob, &in, mode);
		if (ZSTD_isError(left)) {
			snprintf(z->out.err, sizeof z->out.err,
			    "zstd: %s", ZSTD_getErrorName(left));
			return -1;
		}
		if (ob.pos > 0 && out_write(z->out.next, z->buf, ob.pos) == -1)
			return -1;
	} while (mode == ZSTD_e_continue ? in.pos < in.size : left != 0);
	return 0;
}

static int
out_zstd_write(struct out *o, const void *p, size_t n)
{
	return out_zstd_push((struct out_zstd *)o, p, n, ZSTD_e_continue);
}

static int
out_zstd_close(struct out *o)
{
	if (out_zstd_push((struct out_zstd *)o, NULL, 0, ZSTD_e_end) == -1)
		return -1;
	return out_close(o->next);
}

static void
out_zstd_free(struct out *o)
{
	struct out_zstd	*z = (struct out_zstd *)o;

	ZSTD_freeCCtx(z->cctx);
	free(z->buf);
	free(z);
}

struct out *
out_zstd_new(struct out *next, int level, int nthreads)
{
	struct out_zstd	*z;

	z = xcalloc(1, sizeof *z);
	z->out.name = "zstd";
	z->out.write = out_zstd_write;
	z->out.close = out_zstd_close;
	z->out.free = out_zstd_free;
	z->out.next = next;
	if ((z->cctx = ZSTD_createCCtx()) == NULL)
		fatal("ZSTD_createCCtx");
	ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_compressionLevel, level);
	ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_checksumFlag, 1);
	if (nthreads > 0) {
		/* Fails harmlessly on a libzstd built without threads. */
		ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_nbWorkers, nthreads);
		/*
		 * The default job is four windows (8 MiB at level 3), and
		 * libzstd keeps several jobs of input and output per worker:
		 * 60 MiB for two workers. 2 MiB jobs cost 20 MiB, compress
		 * as well and as fast (measured in make bench).
		 */
		ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_jobSize,
		    OUT_ZSTD_JOBSIZE);
	}
	z->bufsz = ZSTD_CStreamOutSize();
	z->buf = xmalloc(z->bufsz);
	return &z->out;
}

/*
 * Thread stage: what is written is copied into a ring and passed on by a
 * thread of its own, so the stages after it (encryption, the archive's
 * hashes, the file or the network) run beside the writer instead of in
 * its turn. The ring bounds the bytes between the two.
 */

struct out_thread {
	struct out	 out;
	pthread_t	 thread;
	int		 started;
	struct ring	 ring;
};

static void *
out_thread_main(void *arg)
{
	struct out_thread	*t = arg;
	const unsigned char	*p;
	sigset_t		 all;
	long			 k;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	while ((k = ring_peek(&t->ring, &p, SIZE_MAX)) > 0) {
		if (out_write(t->out.next, p, (size_t)k) == -1) {
			ring_fail(&t->ring);
			break;
		}
		ring_consume(&t->ring, (size_t)k);
	}
	return NULL;
}

static int
out_thread_write(struct out *o, const void *p, size_t n)
{
	return ring_write(&((struct out_thread *)o)->ring, p, n);
}

/* Let the thread pass on what it has (unless abandon), and stop it. */
static void
out_thread_join(struct out_thread *t, int abandon)
{
	if (!t->started)
		return;
	ring_close(&t->ring, abandon);
	pthread_join(t->thread, NULL);
	t->started = 0;
}

static int
out_thread_close(struct out *o)
{
	struct out_thread	*t = (struct out_thread *)o;

	out_thread_join(t, 0);
	if (ring_failed(&t->ring))
		return -1;
	return out_close(o->next);
}

static void
out_thread_free(struct out *o)
{
	struct out_thread	*t = (struct out_thread *)o;

	out_thread_join(t, 1);
	ring_destroy(&t->ring);
	free(t);
}

struct out *
out_thread_new(struct out *next, size_t cap)
{
	struct out_thread	*t;

	t = xcalloc(1, sizeof *t);
	t->out.name = "thread";
	t->out.write = out_thread_write;
	t->out.close = out_thread_close;
	t->out.free = out_thread_free;
	t->out.next = next;
	ring_init(&t->ring, cap, 0);
	if (pthread_create(&t->thread, NULL, out_thread_main, t) != 0)
		fatal("pthread_create");
	t->started = 1;
	return &t->out;
}

/* Hash tee. */

struct out_hash {
	struct out			 out;
	EVP_MD_CTX			*sha;
	crypto_generichash_state	 b2;
	uint64_t			 count;
	unsigned char			 sha256[32];
	unsigned char			 blake2b[64];
	int				 done;
};

static int
out_hash_write(struct out *o, const void *p, size_t n)
{
	struct out_hash	*h = (struct out_hash *)o;

	EVP_DigestUpdate(h->sha, p, n);
	crypto_generichash_update(&h->b2, p, n);
	__atomic_add_fetch(&h->count, n, __ATOMIC_RELAXED);
	return out_write(o->next, p, n);
}

static int
out_hash_close(struct out *o)
{
	struct out_hash	*h = (struct out_hash *)o;

	if (!h->done) {
		EVP_DigestFinal_ex(h->sha, h->sha256, NULL);
		crypto_generichash_final(&h->b2, h->blake2b,
		    sizeof h->blake2b);
		h->done = 1;
	}
	return out_close(o->next);
}

static void
out_hash_free(struct out *o)
{
	struct out_hash	*h = (struct out_hash *)o;

	EVP_MD_CTX_free(h->sha);
	free(h);
}

struct out *
out_hash_new(struct out *next)
{
	struct out_hash	*h;

	if (sodium_init() == -1)
		fatal("sodium_init");
	h = xcalloc(1, sizeof *h);
	h->out.name = "hash";
	h->out.write = out_hash_write;
	h->out.close = out_hash_close;
	h->out.free = out_hash_free;
	h->out.next = next;
	if ((h->sha = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(h->sha, EVP_sha256(), NULL) != 1)
		fatal("EVP sha256");
	crypto_generichash_init(&h->b2, NULL, 0, sizeof h->blake2b);
	return &h->out;
}

void
out_hash_result(struct out *o, unsigned char *sha256, unsigned char *b2,
    uint64_t *count)
{
	struct out_hash	*h = (struct out_hash *)o;

	if (sha256 != NULL)
		memcpy(sha256, h->sha256, sizeof h->sha256);
	if (b2 != NULL)
		memcpy(b2, h->blake2b, sizeof h->blake2b);
	if (count != NULL)
		*count = h->count;
}

uint64_t
out_hash_count(struct out *o)
{
	return __atomic_load_n(&((struct out_hash *)o)->count,
	    __ATOMIC_RELAXED);
}
