/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The YARA sweep (collectors/yara.c walks, this module submits, on the
 * archive's thread): each swept file is a reader's job like a collected
 * one, read once, hashed and scanned; when it comes back, it is archived from those bytes if a
 * rule matched, dropped if not. A file larger than the ring (past
 * COLLECT_INFLIGHT) is read by this thread through the guard into the
 * tap buffer (one at a time) and scanned by a reader from there; if it
 * matches, it is archived from those bytes too. Only a file larger than
 * SCAN_CAP (scanned on its first SCAN_CAP bytes) whose archived copy is
 * longer is read again, at the end of the sweep, by collect_file: the
 * first bytes of that copy are checked against the SHA-256 of those
 * scanned ("changed between scan and copy" when they differ).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "collect-int.h"
#include "guard.h"
#include "log.h"
#include "scan.h"
#include "sweep.h"

void
sweep_error(struct collect_ctx *ctx, struct sweep *sw,
    const char *path, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (sw->errors++ >= sw->maxerrors)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("out of memory");
	va_end(ap);
	collect_error(ctx, path, "%s", msg);
	free(msg);
}

/*
 * The bytes of st a sweep reads: what collect_file would archive (the
 * file size limit), but at most SCAN_CAP.
 */
static uint64_t
sweep_want(struct collect_ctx *ctx, const struct stat *st)
{
	uint64_t	want = collect_max_file_size(ctx);

	if (want > SCAN_CAP)
		want = SCAN_CAP;
	return (uint64_t)st->st_size < want ? (uint64_t)st->st_size : want;
}

/*
 * Archive a swept file that matched, from the bytes read, as collect_file
 * would: j->want bytes in the pool's ring, or, for a large file read
 * into the tap buffer (scanonly), sweep_want bytes of it, got read and
 * the rest zero-filled.
 */
static int
sweep_archive(struct collect_ctx *ctx, struct workers_job *j)
{
	unsigned char	 sha256[32];
	const unsigned char *hash = j->sha256;
	uint64_t	 max = collect_max_file_size(ctx), room, len, want;
	uint64_t	 hashed;	/* the bytes j->sha256 is of */
	char		*apath;
	int		 rc;

	if (ctx->failed || collect_expired(ctx))
		return ctx->failed ? -1 : 0;	/* as collect_file: cut */
	apath = xasprintf("files%s%s", *j->source == '/' ? "" : "/",
	    j->source);
	if (collect_seen(ctx, apath)) {		/* archived already */
		free(apath);
		return 0;
	}
	want = j->scanonly ? sweep_want(ctx, &j->st) : j->want;
	hashed = j->scanonly ? j->got : j->want;
	room = collect_room(ctx, max);
	if (room < (uint64_t)j->st.st_size)
		collect_error(ctx, j->source, room < max ? "cut at %llu bytes: "
		    "total size limit" : "larger than the file size limit: "
		    "first %llu bytes kept", (unsigned long long)room);
	len = want < room ? want : room;
	if (len != hashed) {	/* cut by the budget, or zero-filled */
		EVP_Digest(j->buf, (size_t)len, sha256, NULL, EVP_sha256(),
		    NULL);
		hash = sha256;
	}
	rc = collect_pack(ctx, j, apath, len, hash);
	free(apath);
	return rc;
}

/*
 * A large swept file that matched but was scanned on its first SCAN_CAP
 * bytes only (the archive takes more): its path and what was scanned,
 * for sweep_end to read it again and check.
 */
static void
sweep_recheck(struct collect_ctx *ctx, struct workers_job *j)
{
	struct collect_recheck	*r;

	ctx->sweep_big = xreallocarray(ctx->sweep_big, ctx->nsweep_big + 1,
	    sizeof *ctx->sweep_big);
	r = &ctx->sweep_big[ctx->nsweep_big++];
	r->path = xstrdup(j->source);
	r->len = j->got;
	memcpy(r->sha256, j->sha256, sizeof r->sha256);
	r->changed = -1;
}

/*
 * The indicators on a swept file: its digests when read whole, its name
 * and path. A file with a sighting is archived as one that matched.
 */
static size_t
sweep_iocs(struct collect_ctx *ctx, struct workers_job *j)
{
	int	whole = j->got == (uint64_t)j->st.st_size &&
		    (j->scanonly || j->want == j->got);

	if (collect_iocs(ctx) == NULL)
		return 0;
	if (!whole)
		return collect_ioc_file(ctx, j->source, NULL, NULL, NULL);
	return collect_ioc_file(ctx, j->source, j->sha256,
	    j->iochash & WORKERS_HASH_MD5 ? j->md5 : NULL,
	    j->iochash & WORKERS_HASH_SHA1 ? j->sha1 : NULL);
}

/* A sweep job back: count it, record its matches, archive if matched. */
static int
sweep_result(struct collect_ctx *ctx, struct workers_job *j)
{
	struct sweep	*sw = j->arg;
	size_t		 i, n, iocs = 0;

	if (j->pid > 0) {
		sw->procs++;
		if (j->scan_rc == SCAN_TIMEOUT) {
			sw->timeouts++;
			sweep_error(ctx, sw, NULL, "YARA: process %d "
			    "(%s): %s", j->pid, j->name, j->scan_err);
		} else if (j->scan_rc != SCAN_OK) {
			/* Gone, or a kernel thread: common, not an error. */
			sw->unreadable++;
			collect_log(ctx, LOG_DEBUG, "process %d (%s): %s",
			    j->pid, j->name, j->scan_err);
		}
	} else {
		if (!j->scanonly && j->got == 0 && j->rerrno != 0) {
			sweep_error(ctx, sw, j->source, "YARA sweep: "
			    "read: %s", strerror(j->rerrno));
			return 0;
		}
		sw->files++;
		if (j->scan_rc != SCAN_OK) {
			sw->timeouts += j->scan_rc == SCAN_TIMEOUT;
			sweep_error(ctx, sw, j->source, "YARA: %s",
			    j->scan_err);
			return 0;
		}
	}
	n = json_array_size(j->matches);
	for (i = 0; i < n; i++)
		collect_match(ctx, json_incref(json_array_get(j->matches, i)));
	if (j->pid <= 0)
		iocs = sweep_iocs(ctx, j);
	if ((n == 0 && iocs == 0) || j->pid > 0)
		return 0;
	sw->matched++;
	/* Read whole (up to the size limit): archived from those bytes. */
	if (!j->scanonly || (uint64_t)j->st.st_size <= SCAN_CAP ||
	    collect_max_file_size(ctx) <= SCAN_CAP)
		return sweep_archive(ctx, j);
	sweep_recheck(ctx, j);
	return 0;
}

int
sweep_done(struct collect_ctx *ctx, struct workers_job *j)
{
	int	rc;

	/* A large file, from the tap buffer: free once archived. */
	if (j->scanonly)
		ctx->tapbusy = 0;
	rc = sweep_result(ctx, j);
	if (j->scanonly)
		collect_tap_end(ctx);
	return rc;
}

/* A sweep job given up on: not begun (the run was cut), or stuck. */
void
sweep_lost(struct collect_ctx *ctx, struct workers_lost *l,
    double idle)
{
	if (l->scanonly) {
		ctx->tapbusy = 0;
		collect_tap_end(ctx);
	}
	if (l->phase == WORKERS_QUEUED) {	/* as before: dropped at a cut */
		collect_log(ctx, LOG_DEBUG, "%s: not scanned: the run was cut",
		    l->source);
		return;
	}
	ctx->nstuck++;
	sweep_error(ctx, l->arg, l->source, "YARA sweep: abandoned: "
	    "read blocked for %d s; not scanned", (int)(idle + 0.5));
}

/* A swept file larger than the ring: read here, into the tap buffer. */
static int
sweep_big(struct collect_ctx *ctx, int fd, const struct stat *st,
    const char *path, uint64_t want, struct sweep *sw)
{
	struct workers_job	*j;
	char			 why[128] = "";
	uint64_t		 got = 0;
	ssize_t			 n = 0;

	collect_tap_reserve(ctx, (size_t)want);
	while (got < want && (n = guard_pread(ctx->guard, fd,
	    ctx->tap + got, (size_t)(want - got), (off_t)got, why,
	    sizeof why)) > 0)
		got += (uint64_t)n;
	/* Zeros, not an older file's bytes, if it is archived from here. */
	if (got < want)
		memset(ctx->tap + got, 0, (size_t)(want - got));
	if (n == -1) {
		sweep_error(ctx, sw, path, "YARA sweep: read: %s",
		    why[0] != '\0' ? why : strerror(errno));
		close(fd);
		collect_tap_end(ctx);
		return ctx->failed ? -1 : 0;
	}
	close(fd);
	j = collect_tap_job(ctx, path, st, got);
	j->sweep = 1;
	j->arg = sw;
	EVP_Digest(ctx->tap, (size_t)got, j->sha256, NULL, EVP_sha256(), NULL);
	j->iochash = collect_ioc_digests(ctx);
	if (scan_uses_md5(ctx->scan) || (j->iochash & WORKERS_HASH_MD5))
		EVP_Digest(ctx->tap, (size_t)got, j->md5, NULL, EVP_md5(),
		    NULL);
	if (j->iochash & WORKERS_HASH_SHA1)
		EVP_Digest(ctx->tap, (size_t)got, j->sha1, NULL, EVP_sha1(),
		    NULL);
	ctx->tapbusy = 1;
	collect_queue(ctx, j);
	return ctx->failed ? -1 : 0;
}

int
sweep_file(struct collect_ctx *ctx, int fd, const struct stat *st,
    const char *path, struct sweep *sw)
{
	struct workers_job	*j;
	uint64_t		 want = sweep_want(ctx, st);

	/* Cut: not scanned (and not archived), as collect_file. */
	if (ctx->failed || ctx->sink == NULL || collect_expired(ctx)) {
		close(fd);
		return ctx->failed ? -1 : 0;
	}
	if ((uint64_t)st->st_size > want)
		collect_log(ctx, LOG_INFO, "%s: %lld bytes: scanned on its "
		    "first %llu", path, (long long)st->st_size,
		    (unsigned long long)want);
	collect_pool(ctx);
	collect_drain(ctx, 0);
	if (want > COLLECT_INFLIGHT)
		return sweep_big(ctx, fd, st, path, want, sw);
	j = xcalloc(1, sizeof *j);
	j->fd = fd;
	j->st = *st;
	j->source = xstrdup(path);
	j->want = want;
	j->truncated = want < (uint64_t)st->st_size;
	j->scan = 1;
	j->sweep = 1;
	j->iochash = collect_ioc_digests(ctx);
	j->arg = sw;
	j->owner = collect_user_name(ctx, st->st_uid);
	collect_queue(ctx, j);
	return ctx->failed ? -1 : 0;
}

int
sweep_process(struct collect_ctx *ctx, int pid, const char *name,
    const char *exe, struct sweep *sw)
{
	struct workers_job	*j;

	if (ctx->failed || ctx->sink == NULL)
		return ctx->failed ? -1 : 0;
	collect_pool(ctx);
	collect_drain(ctx, 0);
	j = xcalloc(1, sizeof *j);
	j->fd = -1;
	j->source = xstrdup(exe);
	j->name = xstrdup(name);
	j->pid = pid;
	j->scan = 1;
	j->arg = sw;
	collect_queue(ctx, j);
	return ctx->failed ? -1 : 0;
}

/*
 * A large file that matched, read a second time by collect_file (the
 * first read kept SCAN_CAP bytes, the archive takes more): its first
 * bytes must be those scanned. When they are not, the entry's note and
 * the log say it changed between scan and copy.
 */
static void
sweep_copy(struct collect_ctx *ctx, struct sweep *sw,
    struct collect_recheck *r)
{
	ctx->recheck = r;
	collect_file(ctx, r->path);
	ctx->recheck = NULL;
	if (r->changed == 1)
		sw->changed++;
	else if (r->changed == -1 && !ctx->failed)
		collect_log(ctx, LOG_INFO, "%s: matched on its first %llu "
		    "bytes; not compared with the copy (not archived, or "
		    "cut shorter)", r->path, (unsigned long long)r->len);
}

int
sweep_end(struct collect_ctx *ctx, struct sweep *sw)
{
	size_t	i;
	int	was;

	collect_drain(ctx, 1);
	/* Large files that matched: read again, not scanned again. */
	was = collect_scan_files(ctx, 0);
	for (i = 0; i < ctx->nsweep_big; i++) {
		sweep_copy(ctx, sw, &ctx->sweep_big[i]);
		free(ctx->sweep_big[i].path);
	}
	ctx->nsweep_big = 0;
	collect_drain(ctx, 1);
	collect_scan_files(ctx, was);
	return ctx->failed ? -1 : 0;
}
