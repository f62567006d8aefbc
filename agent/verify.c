/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * verify ARCHIVE [-p PUBKEY]: the outer minisign signature over the file
 * as written, the signature of manifest.json inside, and every entry's
 * sha256 and size against the manifest, with no entry missing or extra.
 * The archive is read once, streamed; the manifest's bytes are held
 * (512 MiB at most) and decoded one entry at a time.
 *
 * The archive is hostile until proven otherwise. It is decompressed here
 * (libzstd, window capped) and handed to libarchive as plain tar, so the
 * bytes after the tar's end are seen: anything but zero padding there is
 * refused, as are entries that are not regular files, absolute names and
 * '..' components (an archive of ours holds none). Names are printed
 * escaped: a name is bytes chosen by whoever made the archive.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <zstd.h>

#include "crypt.h"
#include "sign.h"
#include "util.h"
#include "verify.h"

#define VERIFY_SIG_MAX		(64U << 10)
/*
 * Memory is bounded whatever the archive declares: the manifest's bytes
 * (it is decoded one entry at a time) and one name and hash per entry.
 */
#define VERIFY_MANIFEST_MAX	(512ULL << 20)
#define VERIFY_ENTRIES_MAX	(4U << 20)
#define VERIFY_CHUNK		(1U << 20)
/* zstd's window: ours is 2 MiB; a frame asking for more than 32 MiB is
 * refused rather than allocated. */
#define VERIFY_WINDOW_LOG	25

struct verify_entry {
	char		*path;
	unsigned char	 sha256[32];
	uint64_t	 size;
	int		 matched;
};

struct verify {
	const char		*archive;
	struct sign_pubkey	 pub;
	struct verify_entry	*v;
	size_t			 n;
	char			*manifest;
	size_t			 manifest_len;
	char			*msig;
	size_t			 msig_len;
	const struct verify_say	*say;
	struct verify_result	*res;
	struct crypt_dec	*dec;		/* .age: decrypting reader */
	/* The tar stream: the file (or dec) through zstd. */
	int			 fd;
	ZSTD_DStream		*zd;
	unsigned char		*in;
	size_t			 inlen, inpos;
	int			 zend;		/* at the end of a frame */
	char			 zerr[256];
	/* The last two blocks handed to libarchive, for the tail check. */
	unsigned char		*blk[2];
	size_t			 blklen[2];
	uint64_t		 blkoff[2];
	int			 cur;
	uint64_t		 produced;	/* tar bytes handed over */
};

static void
verify_say(struct verify *vf, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
verify_say(struct verify *vf, const char *tag, const char *fmt, ...)
{
	va_list	ap;
	char	msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (strcmp(tag, "FAILED") == 0) {
		if (!vf->res->failed)
			snprintf(vf->res->first, sizeof vf->res->first, "%s",
			    msg);
		vf->res->failed = 1;
	}
	if (vf->say != NULL)
		vf->say->line(vf->say->arg, tag, msg);
}

#define verify_fail(vf, ...)	verify_say(vf, "FAILED", __VA_ARGS__)

static int
verify_outer(struct verify *vf, int fd)
{
	struct sign_sig	 sig;
	unsigned char	 sha256[32], zero[32] = { 0 };
	char		*sigpath, *text, err[512], hex[65];
	size_t		 len;
	int		 rc = -1;

	sigpath = xasprintf("%s.minisig", vf->archive);
	text = util_read_file(sigpath, VERIFY_SIG_MAX, &len, err,
	    sizeof err);
	if (text == NULL) {
		verify_fail(vf, "outer signature: %s", err);
		goto done;
	}
	if (sign_sig_parse(text, len, &sig, err, sizeof err) == -1) {
		verify_fail(vf, "outer signature %s: %s", sigpath, err);
		goto done;
	}
	rc = sign_verify_fd_sum(&vf->pub, &sig, fd, sha256, err, sizeof err);
	/* What the run printed for the victim to read on the phone. */
	if (memcmp(sha256, zero, sizeof zero) != 0) {
		util_hex(hex, sha256, sizeof sha256);
		snprintf(vf->res->reference, sizeof vf->res->reference,
		    "%.4s %.4s", hex, hex + 4);
		verify_say(vf, "note", "reference %s (compare with the one "
		    "the victim read)", vf->res->reference);
	}
	if (rc == -1)
		verify_fail(vf, "outer signature: %s: %s", vf->archive, err);
	else {
		verify_say(vf, "ok", "outer signature (trusted comment: %s)",
		    sig.trusted_comment);
	}
	sign_sig_free(&sig);
done:
	free(text);
	free(sigpath);
	return rc;
}

/* The tap's view of an entry: whether it wants the bytes. */
static int
verify_tap_open(struct verify *vf, const char *path, struct archive_entry *ae)
{
	const struct verify_tap	*t = vf->say != NULL ? vf->say->tap : NULL;
	int64_t			 size = archive_entry_size(ae);

	if (t == NULL || t->open == NULL)
		return 0;
	return t->open(t->arg, path, size > 0 ? (uint64_t)size : 0) == 1;
}

static void
verify_tap_data(struct verify *vf, int on, const void *buf, size_t len)
{
	if (on && vf->say->tap->data != NULL)
		vf->say->tap->data(vf->say->tap->arg, buf, len);
}

static void
verify_tap_close(struct verify *vf, int on, int rc)
{
	if (on && vf->say->tap->close != NULL)
		vf->say->tap->close(vf->say->tap->arg, rc);
}

/* Keep a special entry's bytes in memory (the manifest, its sig). */
static int
verify_keep(struct verify *vf, struct archive *a, int tap, char **out,
    size_t *outlen, uint64_t max)
{
	struct buf	b = { 0 };
	char		chunk[65536];
	la_ssize_t	n;

	buf_add(&b, "", 0);
	while ((n = archive_read_data(a, chunk, sizeof chunk)) > 0) {
		if (b.len + (size_t)n > max) {
			buf_free(&b);
			verify_tap_close(vf, tap, -1);
			return -1;
		}
		buf_add(&b, chunk, (size_t)n);
		verify_tap_data(vf, tap, chunk, (size_t)n);
	}
	verify_tap_close(vf, tap, n < 0 ? -1 : 0);
	if (n < 0) {
		buf_free(&b);
		return -1;
	}
	free(*out);
	*out = b.data;
	*outlen = b.len;
	return 0;
}

static int
verify_hash_entry(struct verify *vf, struct archive *a, int tap,
    struct verify_entry *e, unsigned char *chunk)
{
	EVP_MD_CTX	*sha;
	la_ssize_t	 n;

	if ((sha = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(sha, EVP_sha256(), NULL) != 1)
		fatal("EVP sha256");
	while ((n = archive_read_data(a, chunk, VERIFY_CHUNK)) > 0) {
		EVP_DigestUpdate(sha, chunk, (size_t)n);
		e->size += (uint64_t)n;
		verify_tap_data(vf, tap, chunk, (size_t)n);
	}
	verify_tap_close(vf, tap, n < 0 ? -1 : 0);
	EVP_DigestFinal_ex(sha, e->sha256, NULL);
	EVP_MD_CTX_free(sha);
	return n < 0 ? -1 : 0;
}

/* Raw bytes of the archive file, decrypted when it is age. */
static ssize_t
verify_raw(struct verify *vf, unsigned char *buf, size_t cap)
{
	ssize_t	n;

	if (vf->dec != NULL) {
		n = crypt_dec_read(vf->dec, buf, cap, vf->zerr, sizeof vf->zerr);
		return n;
	}
	while ((n = read(vf->fd, buf, cap)) == -1 && errno == EINTR)
		;
	if (n == -1)
		snprintf(vf->zerr, sizeof vf->zerr, "read: %s",
		    strerror(errno));
	return n;
}

/*
 * Up to cap bytes of tar out of the zstd stream: the count, 0 at the end
 * of the file after a whole frame, -1 (vf->zerr) on a damaged or cut
 * stream.
 */
static ssize_t
verify_inflate(struct verify *vf, unsigned char *out, size_t cap)
{
	ZSTD_outBuffer	o = { out, cap, 0 };
	ZSTD_inBuffer	i;
	size_t		r;
	ssize_t		n;

	for (;;) {
		i.src = vf->in;
		i.size = vf->inlen;
		i.pos = vf->inpos;
		r = ZSTD_decompressStream(vf->zd, &o, &i);
		if (ZSTD_isError(r)) {
			snprintf(vf->zerr, sizeof vf->zerr, "zstd: %s",
			    ZSTD_getErrorName(r));
			return -1;
		}
		if (i.pos != vf->inpos || o.pos > 0)
			vf->zend = r == 0;
		vf->inpos = i.pos;
		if (o.pos > 0)
			return (ssize_t)o.pos;
		if (vf->inpos < vf->inlen)
			continue;
		if ((n = verify_raw(vf, vf->in, ZSTD_DStreamInSize())) == -1)
			return -1;
		if (n == 0) {
			if (vf->zend)
				return 0;
			snprintf(vf->zerr, sizeof vf->zerr, "truncated: the "
			    "file ends inside a zstd frame");
			return -1;
		}
		vf->inlen = (size_t)n;
		vf->inpos = 0;
	}
}

/* libarchive's reader: tar bytes, the last two blocks kept. */
static la_ssize_t
verify_tar_read(struct archive *a, void *arg, const void **buf)
{
	struct verify	*vf = arg;
	ssize_t		 n;

	vf->cur ^= 1;
	if ((n = verify_inflate(vf, vf->blk[vf->cur], VERIFY_CHUNK)) == -1) {
		archive_set_error(a, EINVAL, "%s", vf->zerr);
		return -1;
	}
	vf->blkoff[vf->cur] = vf->produced;
	vf->blklen[vf->cur] = (size_t)n;
	vf->produced += (uint64_t)n;
	*buf = vf->blk[vf->cur];
	return n;
}

/* Whether buf holds only zero bytes. */
static int
verify_zero(const unsigned char *buf, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if (buf[i] != 0)
			return 0;
	return 1;
}

/*
 * After the tar's end: what libarchive was handed but did not read (in
 * the last two blocks), then the rest of the stream, must be zeros. A
 * second archive, or anything else, appended is refused.
 */
static void
verify_tail(struct verify *vf, struct archive *a)
{
	uint64_t	used = (uint64_t)archive_filter_bytes(a, 0);
	uint64_t	from;
	ssize_t		n;
	int		k, b;

	for (k = 0; k < 2; k++) {
		b = vf->cur ^ 1 ^ k;	/* the older block first */
		if (vf->blkoff[b] + vf->blklen[b] <= used)
			continue;
		if (used < vf->blkoff[b]) {
			verify_fail(vf, "%s: data after the end of the "
			    "archive", vf->archive);
			return;
		}
		from = used - vf->blkoff[b];
		if (!verify_zero(vf->blk[b] + from, vf->blklen[b] - from)) {
			verify_fail(vf, "%s: data after the end of the "
			    "archive", vf->archive);
			return;
		}
	}
	while ((n = verify_inflate(vf, vf->blk[0], VERIFY_CHUNK)) > 0)
		if (!verify_zero(vf->blk[0], (size_t)n)) {
			verify_fail(vf, "%s: data after the end of the "
			    "archive", vf->archive);
			return;
		}
	if (n == -1)
		verify_fail(vf, "%s: damaged after the end of the archive: %s",
		    vf->archive, vf->zerr);
}

/*
 * An entry's name and type, as an archive of ours has them: a regular
 * file, a relative name without '..'. NULL, or why not (static text).
 */
static const char *
verify_entry_bad(struct archive_entry *ae, const char *path)
{
	const char	*p;

	if (archive_entry_hardlink(ae) != NULL)
		return "a hard link";
	switch (archive_entry_filetype(ae)) {
	case AE_IFREG:
		break;
	case AE_IFLNK:
		return "a symbolic link";
	case AE_IFDIR:
		return "a directory";
	case AE_IFCHR:
	case AE_IFBLK:
		return "a device";
	case AE_IFIFO:
		return "a FIFO";
	default:
		return "not a regular file";
	}
	if (path[0] == '/')
		return "an absolute name";
	for (p = path; p != NULL; p = strchr(p, '/'), p = p ? p + 1 : p)
		if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0'))
			return "a name with a '..' component";
	return NULL;
}

/* Read every entry, hashing it; keep the manifest and its signature. */
static int
verify_read(struct verify *vf)
{
	struct archive		*a;
	struct archive_entry	*ae;
	unsigned char		*chunk;
	const char		*path, *bad;
	char			*name;
	int			 rc, ret = 0;

	vf->zd = ZSTD_createDStream();
	if (vf->zd == NULL || ZSTD_isError(ZSTD_DCtx_setParameter(vf->zd,
	    ZSTD_d_windowLogMax, VERIFY_WINDOW_LOG)))
		fatal("zstd: cannot make a decompression context");
	vf->in = xmalloc(ZSTD_DStreamInSize());
	vf->blk[0] = xmalloc(VERIFY_CHUNK);
	vf->blk[1] = xmalloc(VERIFY_CHUNK);
	a = archive_read_new();
	archive_read_support_format_tar(a);
	if (archive_read_open(a, vf, NULL, verify_tar_read, NULL) !=
	    ARCHIVE_OK) {
		verify_fail(vf, "%s: not a readable archive: %s", vf->archive,
		    archive_error_string(a));
		archive_read_free(a);
		return -1;
	}
	chunk = xmalloc(VERIFY_CHUNK);
	while ((rc = archive_read_next_header(a, &ae)) == ARCHIVE_OK ||
	    rc == ARCHIVE_WARN) {
		path = archive_entry_pathname(ae);
		if (path == NULL) {
			verify_fail(vf, "an entry has no name");
			continue;
		}
		name = util_printable(path);
		if ((bad = verify_entry_bad(ae, path)) != NULL) {
			verify_fail(vf, "%s: %s, refused (an archive of %s "
			    "holds regular files with relative names only)",
			    name, bad, AGENT_NAME);
			free(name);
			continue;
		}
		if ((strcmp(path, "manifest.json") == 0 && vf->manifest !=
		    NULL) || (strcmp(path, "manifest.json.minisig") == 0 &&
		    vf->msig != NULL))
			verify_fail(vf, "%s: twice in the archive", name);
		if (strcmp(path, "manifest.json") == 0)
			rc = verify_keep(vf, a, verify_tap_open(vf, path, ae),
			    &vf->manifest, &vf->manifest_len,
			    VERIFY_MANIFEST_MAX);
		else if (strcmp(path, "manifest.json.minisig") == 0)
			rc = verify_keep(vf, a, verify_tap_open(vf, path, ae),
			    &vf->msig, &vf->msig_len, VERIFY_SIG_MAX);
		else if (vf->n == VERIFY_ENTRIES_MAX) {
			verify_fail(vf, "%s: more than %u entries: refused (an "
			    "archive of %s holds fewer)", vf->archive,
			    VERIFY_ENTRIES_MAX, AGENT_NAME);
			free(name);
			ret = -1;
			break;
		} else {
			if ((vf->n & (vf->n - 1)) == 0)
				vf->v = xreallocarray(vf->v, vf->n ? 2 * vf->n :
				    1, sizeof *vf->v);
			memset(&vf->v[vf->n], 0, sizeof *vf->v);
			vf->v[vf->n].path = xstrdup(path);
			rc = verify_hash_entry(vf, a, verify_tap_open(vf, path,
			    ae), &vf->v[vf->n++], chunk);
		}
		if (rc == -1) {
			verify_fail(vf, "%s: entry %s cannot be read: %s",
			    vf->archive, name, archive_error_string(a));
			free(name);
			ret = -1;
			break;
		}
		free(name);
	}
	if (rc != ARCHIVE_EOF && ret == 0) {
		verify_fail(vf, "%s: damaged archive: %s", vf->archive,
		    archive_error_string(a));
		ret = -1;
	}
	if (ret == 0)
		verify_tail(vf, a);
	free(chunk);
	archive_read_free(a);
	return ret;
}

static int
verify_cmp(const void *a, const void *b)
{
	return strcmp(((const struct verify_entry *)a)->path,
	    ((const struct verify_entry *)b)->path);
}

/* The manifest entry's raw path: path_b64 decoded, or path. */
static char *
verify_entry_path(json_t *e)
{
	const char	*b64 = json_string_value(json_object_get(e, "path_b64"));
	const char	*p = json_string_value(json_object_get(e, "path"));
	unsigned char	*raw;
	size_t		 len, rawlen;

	if (b64 == NULL)
		return p ? xstrdup(p) : NULL;
	len = strlen(b64);
	raw = xmalloc(len + 1);
	if (sodium_base642bin(raw, len, b64, len, NULL, &rawlen, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0) {
		free(raw);
		return NULL;
	}
	raw[rawlen] = '\0';
	return (char *)raw;
}

static void
verify_one(struct verify *vf, json_t *je)
{
	struct verify_entry	 key, *e;
	const char		*hex;
	char			 got[65], *path, *name;
	json_int_t		 size;

	if ((path = verify_entry_path(je)) == NULL) {
		verify_fail(vf, "manifest: an entry has no valid path");
		return;
	}
	key.path = path;
	e = bsearch(&key, vf->v, vf->n, sizeof *vf->v, verify_cmp);
	name = util_printable(path);
	hex = json_string_value(json_object_get(je, "sha256"));
	size = json_integer_value(json_object_get(je, "size"));
	if (e == NULL)
		verify_fail(vf, "%s: listed in the manifest, missing from "
		    "the archive", name);
	else if (e->matched)
		verify_fail(vf, "%s: listed twice in the manifest", name);
	else {
		e->matched = 1;
		util_hex(got, e->sha256, sizeof e->sha256);
		if (hex == NULL || strcmp(hex, got) != 0)
			verify_fail(vf, "%s: sha256 differs from the manifest "
			    "(archive %s, manifest %s)", name, got,
			    hex && strlen(hex) == 64 && strspn(hex,
			    "0123456789abcdef") == 64 ? hex : "not a sha256");
		else if ((uint64_t)size != e->size)
			verify_fail(vf, "%s: size differs from the manifest",
			    name);
	}
	free(name);
	free(path);
}

/*
 * Where the top-level "entries" array of the manifest starts (the byte
 * after its '['), or 0 when there is none. A scan of strings and depth,
 * no tree: the entries are then decoded one by one, so a manifest costs
 * its own bytes and one entry at a time, whatever it lists.
 */
static size_t
verify_entries_at(const char *m, size_t len)
{
	size_t	i, j, depth = 0, start = 0, end = 0;
	int	instr = 0, esc = 0;

	for (i = 0; i < len; i++) {
		if (instr) {
			if (esc)
				esc = 0;
			else if (m[i] == '\\')
				esc = 1;
			else if (m[i] == '"') {
				instr = 0;
				end = i;
			}
			continue;
		}
		switch (m[i]) {
		case '"':
			instr = 1;
			start = i + 1;
			break;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			if (depth-- == 0)
				return 0;
			break;
		case ':':
			if (depth != 1 || end < start || end - start != 7 ||
			    memcmp(m + start, "entries", 7) != 0 ||
			    strspn(m + end + 1, " \t\r\n") != i - end - 1)
				break;
			for (j = i + 1; j < len && strchr(" \t\r\n", m[j]) &&
			    m[j] != '\0'; j++)
				;
			return j < len && m[j] == '[' ? j + 1 : 0;
		}
	}
	return 0;
}

static size_t
verify_skip_space(const char *m, size_t len, size_t p)
{
	while (p < len && (m[p] == ' ' || m[p] == '\t' || m[p] == '\r' ||
	    m[p] == '\n'))
		p++;
	return p;
}

static void
verify_manifest(struct verify *vf)
{
	struct sign_sig	 sig;
	json_error_t	 jerr;
	json_t		*je;
	const char	*m = vf->manifest;
	char		 err[512], *name;
	size_t		 i, p, len = vf->manifest_len, bad = 0;

	if (vf->manifest == NULL || vf->msig == NULL) {
		verify_fail(vf, "%s is missing from the archive",
		    vf->manifest == NULL ? "manifest.json" :
		    "manifest.json.minisig");
		return;
	}
	if (sign_sig_parse(vf->msig, vf->msig_len, &sig, err,
	    sizeof err) == -1 || sign_verify_buffer(&vf->pub, &sig,
	    vf->manifest, vf->manifest_len, err, sizeof err) == -1)
		verify_fail(vf, "manifest.json signature: %s", err);
	else
		verify_say(vf, "ok", "manifest signature");
	sign_sig_free(&sig);
	if (memchr(m, '\0', len) != NULL ||
	    (p = verify_entries_at(m, len)) == 0) {
		verify_fail(vf, "manifest.json: no entries list");
		return;
	}
	qsort(vf->v, vf->n, sizeof *vf->v, verify_cmp);
	for (i = 1; i < vf->n; i++)
		if (strcmp(vf->v[i - 1].path, vf->v[i].path) == 0) {
			name = util_printable(vf->v[i].path);
			verify_fail(vf, "%s: twice in the archive", name);
			free(name);
		}
	for (;;) {
		if ((p = verify_skip_space(m, len, p)) < len && m[p] == ']')
			break;
		je = json_loadb(m + p, len - p, JSON_DISABLE_EOF_CHECK,
		    &jerr);
		if (je == NULL || !json_is_object(je)) {
			verify_fail(vf, "manifest.json: entries: %s", je ?
			    "an entry is not an object" : jerr.text);
			json_decref(je);
			return;
		}
		p += (size_t)jerr.position;
		verify_one(vf, je);
		json_decref(je);
		if ((p = verify_skip_space(m, len, p)) < len && m[p] == ',')
			p++;
		else if (p >= len || m[p] != ']') {
			verify_fail(vf, "manifest.json: entries list not "
			    "closed");
			return;
		}
	}
	for (i = 0; i < vf->n; i++)
		if (!vf->v[i].matched) {
			name = util_printable(vf->v[i].path);
			verify_fail(vf, "%s: in the archive but not in the "
			    "manifest", name);
			free(name);
			bad++;
		}
	if (!vf->res->failed)
		verify_say(vf, "ok", "%zu entries match the manifest", vf->n);
}

static void
verify_free(struct verify *vf)
{
	size_t	i;

	for (i = 0; i < vf->n; i++)
		free(vf->v[i].path);
	free(vf->v);
	free(vf->manifest);
	free(vf->msig);
	crypt_dec_free(vf->dec);
	ZSTD_freeDStream(vf->zd);
	free(vf->in);
	free(vf->blk[0]);
	free(vf->blk[1]);
}

int
verify_is_age(int fd)
{
	char	head[22];

	return pread(fd, head, sizeof head, 0) == (ssize_t)sizeof head &&
	    memcmp(head, "age-encryption.org/v1\n", sizeof head) == 0;
}

int
verify_decrypt(int fd, const char *ids, int ofd, char *err, size_t errlen)
{
	struct crypt_dec	*d;
	char			*buf;
	ssize_t			 n;

	if ((d = crypt_dec_new(fd, ids, err, errlen)) == NULL)
		return -1;
	buf = xmalloc(VERIFY_CHUNK);
	while ((n = crypt_dec_read(d, buf, VERIFY_CHUNK, err, errlen)) > 0)
		if (util_write_all(ofd, buf, (size_t)n) == -1) {
			snprintf(err, errlen, "write: %s", strerror(errno));
			n = -1;
			break;
		}
	free(buf);
	crypt_dec_free(d);
	return n == -1 ? -1 : 0;
}

void
verify_archive(int fd, const char *archive, const struct sign_pubkey *pub,
    const char *ids, const struct verify_say *say, struct verify_result *res)
{
	struct verify	 vf;
	char		 err[256];

	memset(res, 0, sizeof *res);
	memset(&vf, 0, sizeof vf);
	vf.archive = archive;
	vf.pub = *pub;
	vf.say = say;
	vf.res = res;
	verify_outer(&vf, fd);
	if (verify_is_age(fd) && ids == NULL)
		verify_say(&vf, "note", "encrypted (age): the inside is not "
		    "checked; give the identity with -i to check it");
	else if (lseek(fd, 0, SEEK_SET) == 0) {
		if (verify_is_age(fd) && (vf.dec = crypt_dec_new(fd, ids, err,
		    sizeof err)) == NULL)
			verify_fail(&vf, "%s: %s", archive, err);
		vf.fd = fd;
		if (!res->failed && verify_read(&vf) == 0) {
			verify_manifest(&vf);
			res->inside = 1;
		}
	} else
		verify_fail(&vf, "%s: %s", archive, strerror(errno));
	res->entries = vf.n;
	verify_free(&vf);
}
