/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The sink: libarchive pax writer over our output chain, hashing each
 * entry and recording it in the manifest. See sink.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "log.h"
#include "sink.h"
#include "util.h"

#define SINK_CHUNK	(1U << 20)

struct sink {
	struct archive	*a;
	struct out	*out;
	struct manifest	*m;
	unsigned char	*chunk;
	uint64_t	 bytes;
	sink_tap_fn	*tap;
	void		*tap_arg;
	void		(*progress)(void *);
	void		*progress_arg;
	sink_read_fn	*read;
	void		*read_arg;
	uint64_t	 xlen;		/* sink_set_expect */
	unsigned char	 xsha256[32];
	int		 failed;
	char		 err[512];
};

static la_ssize_t
sink_cb_write(struct archive *a, void *arg, const void *p, size_t n)
{
	struct sink	*s = arg;

	if (out_write(s->out, p, n) == -1) {
		archive_set_error(a, EIO, "%s", out_error(s->out));
		return -1;
	}
	return (la_ssize_t)n;
}

static int
sink_cb_close(struct archive *a, void *arg)
{
	struct sink	*s = arg;

	if (out_close(s->out) == -1) {
		archive_set_error(a, EIO, "%s", out_error(s->out));
		return ARCHIVE_FATAL;
	}
	return ARCHIVE_OK;
}

struct sink *
sink_new(struct out *out, struct manifest *m, char *err, size_t errlen)
{
	struct sink	*s;

	s = xcalloc(1, sizeof *s);
	s->out = out;
	s->m = m;
	s->chunk = xmalloc(SINK_CHUNK);
	if ((s->a = archive_write_new()) == NULL)
		fatal("archive_write_new");
	if (archive_write_set_format_pax_restricted(s->a) != ARCHIVE_OK ||
	    archive_write_open2(s->a, s, NULL, sink_cb_write, sink_cb_close,
	    NULL) != ARCHIVE_OK) {
		snprintf(err, errlen, "cannot start the archive: %s",
		    archive_error_string(s->a));
		sink_free(s);
		return NULL;
	}
	return s;
}

void
sink_free(struct sink *s)
{
	if (s == NULL)
		return;
	if (s->a != NULL)
		archive_write_free(s->a);
	free(s->chunk);
	free(s);
}

const char *
sink_error(struct sink *s)
{
	return s->err;
}

uint64_t
sink_bytes(struct sink *s)
{
	return s != NULL ? s->bytes : 0;	/* NULL: an estimate's context */
}

void
sink_set_tap(struct sink *s, sink_tap_fn *fn, void *arg)
{
	s->tap = fn;
	s->tap_arg = arg;
}

static int
sink_fail(struct sink *s, const char *what)
{
	if (!s->failed) {
		const char	*why = out_error(s->out);

		snprintf(s->err, sizeof s->err, "%s: %s", what,
		    *why ? why : archive_error_string(s->a));
		s->failed = 1;
	}
	return SINK_FATAL;
}

/* A header for apath of size bytes, with st's times and owner if any. */
static int
sink_header(struct sink *s, const char *apath, uint64_t size,
    const struct stat *st)
{
	struct archive_entry	*e;
	int			 rc;

	if (s->failed)
		return SINK_FATAL;
	e = archive_entry_new();
	archive_entry_copy_pathname(e, apath);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_size(e, (la_int64_t)size);
	if (st != NULL) {
		/* No setuid/setgid/sticky in an archive a responder extracts. */
		archive_entry_set_perm(e, (st->st_mode & 0777) | 0400);
		archive_entry_set_uid(e, st->st_uid);
		archive_entry_set_gid(e, st->st_gid);
		archive_entry_set_mtime(e, st->st_mtim.tv_sec,
		    st->st_mtim.tv_nsec);
		archive_entry_set_atime(e, st->st_atim.tv_sec,
		    st->st_atim.tv_nsec);
		archive_entry_set_ctime(e, st->st_ctim.tv_sec,
		    st->st_ctim.tv_nsec);
	} else {
		archive_entry_set_perm(e, 0644);
		archive_entry_set_mtime(e, time(NULL), 0);
	}
	rc = archive_write_header(s->a, e);
	archive_entry_free(e);
	if (rc == ARCHIVE_FATAL)
		return sink_fail(s, apath);
	if (rc != ARCHIVE_OK)
		log_msg(LOG_WARN, NULL, "archive entry %s: %s", apath,
		    archive_error_string(s->a));
	return SINK_OK;
}

static int
sink_data(struct sink *s, const char *apath, const void *p, size_t n)
{
	if (n > 0 && archive_write_data(s->a, p, n) != (la_ssize_t)n)
		return sink_fail(s, apath);
	s->bytes += n;
	if (s->progress != NULL)
		s->progress(s->progress_arg);
	return SINK_OK;
}

void
sink_set_expect(struct sink *s, uint64_t len, const unsigned char *sha256)
{
	s->xlen = sha256 != NULL ? len : 0;
	if (s->xlen > 0)
		memcpy(s->xsha256, sha256, sizeof s->xsha256);
}

void
sink_set_reader(struct sink *s, sink_read_fn *fn, void *arg)
{
	s->read = fn;
	s->read_arg = arg;
}

void
sink_set_progress(struct sink *s, void (*fn)(void *), void *arg)
{
	s->progress = fn;
	s->progress_arg = arg;
}

static int
sink_buffer(struct sink *s, const char *apath, const void *p, size_t n,
    const char *source, int listed)
{
	struct manifest_entry	e = { 0 };

	if (sink_header(s, apath, n, NULL) == SINK_FATAL ||
	    sink_data(s, apath, p, n) == SINK_FATAL)
		return SINK_FATAL;
	if (listed) {
		e.path = apath;
		e.source = source;
		e.size = n;
		EVP_Digest(p, n, e.sha256, NULL, EVP_sha256(), NULL);
		manifest_add_entry(s->m, &e);
	}
	return SINK_OK;
}

int
sink_add_buffer(struct sink *s, const char *apath, const void *p, size_t n,
    const char *source)
{
	return sink_buffer(s, apath, p, n, source, 1);
}

int
sink_add_unlisted(struct sink *s, const char *apath, const void *p, size_t n)
{
	return sink_buffer(s, apath, p, n, NULL, 0);
}

int
sink_open_unlisted(struct sink *s, const char *apath, uint64_t size)
{
	return sink_header(s, apath, size, NULL);
}

int
sink_write(struct sink *s, const char *apath, const void *p, size_t n)
{
	return sink_data(s, apath, p, n);
}

int
sink_add_prepared(struct sink *s, const char *apath, const char *source,
    const struct stat *st, const void *p, size_t n,
    const unsigned char *sha256, int truncated, const char *note)
{
	struct manifest_entry	e = { 0 };
	const char		*c = p;
	size_t			 off, k;

	if (sink_header(s, apath, n, st) == SINK_FATAL)
		return SINK_FATAL;
	for (off = 0; off < n; off += k) {
		k = n - off > SINK_CHUNK ? SINK_CHUNK : n - off;
		if (sink_data(s, apath, c + off, k) == SINK_FATAL)
			return SINK_FATAL;
	}
	e.path = apath;
	e.source = source;
	e.size = n;
	memcpy(e.sha256, sha256, sizeof e.sha256);
	e.st = st;
	e.truncated = truncated;
	e.note = note;
	manifest_add_entry(s->m, &e);
	return SINK_OK;
}

/* Hash n bytes archived at off; pre (may be NULL): those below xlen. */
static void
sink_hash(struct sink *s, EVP_MD_CTX *sha, EVP_MD_CTX *pre, uint64_t off,
    const void *p, size_t n)
{
	EVP_DigestUpdate(sha, p, n);
	if (pre != NULL && off < s->xlen)
		EVP_DigestUpdate(pre, p, s->xlen - off < n ?
		    (size_t)(s->xlen - off) : n);
}

/*
 * Copy want bytes of fd into the open entry, hashing (sha; pre, may be
 * NULL, the first xlen bytes); pad with zeros if the file ends early.
 * *got gets the bytes really read; why (whylen bytes) why reading was
 * given up on, or "".
 */
static int
sink_copy(struct sink *s, int fd, const char *apath, uint64_t want,
    EVP_MD_CTX *sha, EVP_MD_CTX *pre, uint64_t *got, int *rerrno, char *why,
    size_t whylen)
{
	uint64_t	off = 0;
	ssize_t		n;

	*rerrno = 0;
	why[0] = '\0';
	while (off < want) {
		size_t	len = want - off > SINK_CHUNK ? SINK_CHUNK :
		    (size_t)(want - off);

		if (s->read != NULL)
			n = s->read(s->read_arg, fd, s->chunk, len, (off_t)off,
			    why, whylen);
		else
			n = pread(fd, s->chunk, len, (off_t)off);
		if (why[0] != '\0')
			break;
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			*rerrno = n == -1 ? errno : 0;
			break;
		}
		sink_hash(s, sha, pre, off, s->chunk, (size_t)n);
		if (s->tap != NULL)
			s->tap(s->tap_arg, s->chunk, (size_t)n);
		if (sink_data(s, apath, s->chunk, (size_t)n) == SINK_FATAL)
			return SINK_FATAL;
		off += (uint64_t)n;
	}
	*got = off;
	if (off < want) {
		memset(s->chunk, 0, SINK_CHUNK);
		while (off < want) {
			size_t	len = want - off > SINK_CHUNK ? SINK_CHUNK :
			    (size_t)(want - off);

			sink_hash(s, sha, pre, off, s->chunk, len);
			if (sink_data(s, apath, s->chunk, len) == SINK_FATAL)
				return SINK_FATAL;
			off += len;
		}
	}
	return SINK_OK;
}

/*
 * The comparison sink_set_expect asked for, into res->changed: pre (NULL
 * when fewer than xlen bytes were archived; freed here) has hashed the
 * first xlen bytes archived, size is the file's size now, got the bytes
 * read (the rest, zeros, noted already).
 */
static void
sink_expected(struct sink *s, EVP_MD_CTX *pre, uint64_t size, uint64_t got,
    struct sink_result *res)
{
	unsigned char	h[32];

	if (s->xlen == 0)
		res->changed = -1;
	else if (size < s->xlen)	/* shorter than what was scanned */
		res->changed = 1;
	else if (pre == NULL || got < s->xlen)	/* limits, read errors */
		res->changed = -1;
	else {
		EVP_DigestFinal_ex(pre, h, NULL);
		res->changed = memcmp(h, s->xsha256, sizeof h) != 0;
	}
	EVP_MD_CTX_free(pre);
}

int
sink_add_fd(struct sink *s, int fd, const char *apath, const char *source,
    const struct stat *st, uint64_t size, uint64_t max,
    struct sink_result *res)
{
	struct sink_result	 r0;
	struct manifest_entry	 e = { 0 };
	EVP_MD_CTX		*sha, *pre = NULL;
	uint64_t		 want, got = 0;
	size_t			 n;
	int			 rc, rerrno;
	char			 why[128];

	if (res == NULL)
		res = &r0;
	memset(res, 0, sizeof *res);
	res->changed = -1;
	want = size > max ? max : size;
	res->truncated = size > max;
	if ((rc = sink_header(s, apath, want, st)) == SINK_FATAL)
		goto done;
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if ((sha = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(sha, EVP_sha256(), NULL) != 1)
		fatal("EVP sha256");
	if (s->xlen > 0 && want >= s->xlen && ((pre = EVP_MD_CTX_new()) ==
	    NULL || EVP_DigestInit_ex(pre, EVP_sha256(), NULL) != 1))
		fatal("EVP sha256");
	rc = sink_copy(s, fd, apath, want, sha, pre, &got, &rerrno, why,
	    sizeof why);
	EVP_DigestFinal_ex(sha, res->sha256, NULL);
	EVP_MD_CTX_free(sha);
	sink_expected(s, pre, size, got, res);
	/* Leave the host's page cache as we found it. */
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	if (rc == SINK_FATAL)
		goto done;
	res->size = want;
	if (got < want && why[0] != '\0') {
		snprintf(res->note, sizeof res->note, "%s after %llu of %llu "
		    "bytes; rest zero-filled", why, (unsigned long long)got,
		    (unsigned long long)want);
		rc = SINK_WARN;
	} else if (got < want) {
		snprintf(res->note, sizeof res->note, rerrno ?
		    "read error after %llu of %llu bytes (%s); rest zero-filled"
		    : "file shrank while read: %llu of %llu bytes; rest "
		    "zero-filled", (unsigned long long)got,
		    (unsigned long long)want, strerror(rerrno));
		rc = SINK_WARN;
	}
	if (res->changed == 1) {
		n = strlen(res->note);
		snprintf(res->note + n, sizeof res->note - n, "%schanged "
		    "between scan and copy: the first %llu bytes archived are "
		    "not those scanned", n > 0 ? "; " : "",
		    (unsigned long long)s->xlen);
		rc = SINK_WARN;
	}
	e.path = apath;
	e.source = source;
	e.size = want;
	memcpy(e.sha256, res->sha256, sizeof e.sha256);
	e.st = st;
	e.truncated = res->truncated;
	e.note = res->note[0] ? res->note : NULL;
	manifest_add_entry(s->m, &e);
done:
	if (s->tap != NULL && rc != SINK_FATAL)
		s->tap(s->tap_arg, NULL, 0);
	s->tap = NULL;
	s->tap_arg = NULL;
	s->xlen = 0;
	return rc;
}

int
sink_close(struct sink *s)
{
	if (s->failed)
		return -1;
	if (archive_write_close(s->a) != ARCHIVE_OK) {
		sink_fail(s, "closing the archive");
		return -1;
	}
	return 0;
}
