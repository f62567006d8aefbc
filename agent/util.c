/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Shared helpers: checked allocation, a byte buffer, time formatting, size
 * parsing and bounded reads. See util.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "util.h"

void
fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: fatal: ", AGENT_NAME);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

void *
xmalloc(size_t n)
{
	void	*p;

	if (n == 0)
		n = 1;
	if ((p = malloc(n)) == NULL)
		fatal("out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((p = calloc(nmemb, size)) == NULL)
		fatal("out of memory (%zu x %zu bytes)", nmemb, size);
	return p;
}

void *
xreallocarray(void *old, size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if (nmemb > SIZE_MAX / size)
		fatal("allocation overflow (%zu x %zu)", nmemb, size);
	if ((p = realloc(old, nmemb * size)) == NULL)
		fatal("out of memory (%zu x %zu bytes)", nmemb, size);
	return p;
}

char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		fatal("out of memory");
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;

	if ((p = strndup(s, n)) == NULL)
		fatal("out of memory");
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		fatal("out of memory");
	va_end(ap);
	return s;
}

void
buf_reserve(struct buf *b, size_t n)
{
	size_t	 need;

	if (n > SIZE_MAX - b->len - 1)
		fatal("buffer overflow");
	need = b->len + n + 1;
	if (need > b->cap) {
		size_t	cap = b->cap ? b->cap : 256;

		while (cap < need)
			cap = cap > SIZE_MAX / 2 ? need : cap * 2;
		b->data = xreallocarray(b->data, cap, 1);
		b->cap = cap;
	}
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_addstr(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("out of memory");
	buf_add(b, s, (size_t)n);
	free(s);
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
lines_feed(struct lines *l, const char *p, size_t len, lines_fn *fn,
    void *arg)
{
	const char	*nl;
	size_t		 n;

	while (len > 0) {
		nl = memchr(p, '\n', len);
		n = nl != NULL ? (size_t)(nl - p) : len;
		if (!l->skipping && l->buf.len + n > l->max)
			l->skipping = 1;
		if (!l->skipping)
			buf_add(&l->buf, p, n);
		if (nl == NULL)
			return;
		lines_end(l, fn, arg);
		p = nl + 1;
		len -= n + 1;
	}
}

void
lines_end(struct lines *l, lines_fn *fn, void *arg)
{
	if (l->skipping)
		fn(arg, NULL, 0);
	else if (l->buf.len > 0)
		fn(arg, l->buf.data, l->buf.len);	/* buf_add ends it */
	lines_reset(l);
}

void
lines_reset(struct lines *l)
{
	l->buf.len = 0;
	l->skipping = 0;
}

static size_t
hset_slot(unsigned char (*slot)[16], size_t cap, const unsigned char *h)
{
	uint64_t	i;

	memcpy(&i, h + 8, sizeof i);
	for (i &= cap - 1; slot[i][0] != 0 && memcmp(slot[i], h, 16) != 0;
	    i = (i + 1) & (cap - 1))
		;
	return (size_t)i;
}

int
hset_add(struct hset *s, const void *p, size_t n)
{
	unsigned char	 h[16], (*old)[16];
	size_t		 i, cap;

	if (s->cap == 0) {
		if (sodium_init() == -1)
			fatal("sodium_init");
		randombytes_buf(s->key, sizeof s->key);
	}
	if ((s->n + 1) * 4 > s->cap * 3) {
		old = s->slot;
		cap = s->cap;
		s->cap = cap ? cap * 2 : 1024;
		s->slot = xcalloc(s->cap, sizeof *s->slot);
		for (i = 0; i < cap; i++)
			if (old[i][0] != 0)
				memcpy(s->slot[hset_slot(s->slot, s->cap,
				    old[i])], old[i], 16);
		free(old);
	}
	crypto_shorthash_siphashx24(h, p, n, s->key);
	h[0] |= 1;			/* never all zeros: a used slot */
	i = hset_slot(s->slot, s->cap, h);
	if (s->slot[i][0] != 0)
		return 1;
	memcpy(s->slot[i], h, 16);
	s->n++;
	return 0;
}

void
hset_free(struct hset *s)
{
	free(s->slot);
	memset(s, 0, sizeof *s);
}

void
util_iso8601(char *out, size_t len, time_t t, long usec)
{
	struct tm	tm;
	char		base[32];

	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof tm);
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	if (usec < 0)
		snprintf(out, len, "%sZ", base);
	else
		snprintf(out, len, "%s.%06ldZ", base, usec);
}

void
util_now(char *out, size_t len)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	util_iso8601(out, len, ts.tv_sec, ts.tv_nsec / 1000);
}

void
util_compact_time(char *out, size_t len, time_t t)
{
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof tm);
	strftime(out, len, "%Y%m%dT%H%M%SZ", &tm);
}

int
util_parse_size(const char *s, uint64_t *out)
{
	unsigned long long	 v;
	uint64_t		 mult = 1;
	char			*end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		mult = 1ULL << 10;
		end++;
		break;
	case 'm': case 'M':
		mult = 1ULL << 20;
		end++;
		break;
	case 'g': case 'G':
		mult = 1ULL << 30;
		end++;
		break;
	case 't': case 'T':
		mult = 1ULL << 40;
		end++;
		break;
	default:
		return -1;
	}
	/* Accept an optional "B" or "iB" after the multiplier (10MB, 10MiB). */
	if (mult != 1 && (strcmp(end, "B") == 0 || strcmp(end, "iB") == 0))
		end += strlen(end);
	if (*end != '\0')
		return -1;
	if (v > UINT64_MAX / mult)
		return -1;
	*out = v * mult;
	return 0;
}

int
util_parse_int(const char *s, long long min, long long max, long long *out)
{
	long long	 v;
	char		*end;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

char *
util_read_fd(int fd, size_t max, size_t *lenp, int *truncp)
{
	struct buf	b = { 0 };
	char		chunk[8192];
	ssize_t		n;

	if (truncp != NULL)
		*truncp = 0;
	buf_add(&b, "", 0);
	while (b.len < max) {
		size_t	want = max - b.len;

		if (want > sizeof chunk)
			want = sizeof chunk;
		n = read(fd, chunk, want);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			buf_free(&b);
			return NULL;
		}
		if (n == 0)
			break;
		buf_add(&b, chunk, (size_t)n);
	}
	if (b.len >= max && truncp != NULL) {
		char	c;

		do
			n = read(fd, &c, 1);
		while (n == -1 && errno == EINTR);
		if (n > 0)
			*truncp = 1;
	}
	if (lenp != NULL)
		*lenp = b.len;
	return b.data;
}

char *
util_read_file(const char *path, size_t max, size_t *len, char *err,
    size_t errlen)
{
	struct stat	 st;
	char		*s;
	int		 fd, trunc;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1 || fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "cannot read %s: %s", path, fd == -1 ?
		    strerror(errno) : "not a regular file");
		if (fd != -1)
			close(fd);
		return NULL;
	}
	s = util_read_fd(fd, max, len, &trunc);
	close(fd);
	if (s == NULL || trunc) {
		snprintf(err, errlen, "cannot read %s: %s", path,
		    s ? "too large" : strerror(errno));
		free(s);
		return NULL;
	}
	return s;
}

void
util_safe_name(char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char	c = (unsigned char)*s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
			*s = '_';
	}
}

void
util_human(char *out, size_t len, uint64_t n)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double			 v = (double)n;
	size_t			 u = 0;

	if (n < 1024) {
		snprintf(out, len, "%llu B", (unsigned long long)n);
		return;
	}
	for (v /= 1024; v >= 1024 && u + 1 < nitems(units); u++)
		v /= 1024;
	snprintf(out, len, "%.1f %s", v, units[u]);
}

void
util_hex(char *out, const unsigned char *p, size_t len)
{
	static const char	hex[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 0xf];
	}
	out[2 * len] = '\0';
}

int
util_digest_fd(int fd, const void *alg, uint64_t len, unsigned char *out)
{
	EVP_MD_CTX	*md;
	char		 b[65536];
	uint64_t	 off = 0;
	ssize_t		 n;
	int		 rc = 0;

	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(md, alg, NULL) != 1)
		fatal("EVP digest");
	while (off < len) {
		n = pread(fd, b, len - off < sizeof b ? (size_t)(len - off) :
		    sizeof b, (off_t)off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = -1;
			break;
		}
		EVP_DigestUpdate(md, b, (size_t)n);
		off += (uint64_t)n;
	}
	if (rc == 0)
		EVP_DigestFinal_ex(md, out, NULL);
	EVP_MD_CTX_free(md);
	return rc;
}

int
util_write_all(int fd, const void *p, size_t len)
{
	const char	*c = p;
	ssize_t		 n;

	while (len > 0) {
		n = write(fd, c, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * The one UTF-8 decoder: every check of host bytes as text (log lines,
 * manifest and JSON strings, bodyfile names, live records) comes here.
 */
size_t
util_utf8_len(const void *s, size_t n)
{
	const unsigned char	*p = s;
	size_t			 len, i;
	uint32_t		 cp;

	if (n == 0)
		return 0;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		cp = p[0] & 0x07;
	} else
		return 0;	/* continuation, overlong lead, past U+10FFFF */
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

int
util_utf8_valid(const char *s)
{
	size_t	len = strlen(s), i, n;

	for (i = 0; i < len; i += n) {
		if ((n = util_utf8_len(s + i, len - i)) == 0)
			return 0;
	}
	return 1;
}

void
util_escape(struct buf *b, const void *s, size_t len, int flags,
    const char *also)
{
	const unsigned char	*p = s;
	size_t			 i, n;
	int			 esc;

	buf_add(b, "", 0);
	for (i = 0; i < len; i += n) {
		/* ASCII, most names, without the call. */
		n = p[i] < 0x80 ? 1 : util_utf8_len(p + i, len - i);
		esc = n == 0 || p[i] == '\0' ||
		    ((flags & UTIL_ESC_C0) && (p[i] < 0x20 || p[i] == 0x7f)) ||
		    /* U+0080 to U+009F (C1 controls) are c2 80 to c2 9f. */
		    ((flags & UTIL_ESC_C1) && n == 2 && p[i] == 0xc2 &&
		    p[i + 1] < 0xa0) ||
		    (n == 1 && strchr(also, p[i]) != NULL);
		if (esc) {
			buf_printf(b, "\\x%02x", p[i]);
			n = 1;
		} else
			buf_add(b, p + i, n);
	}
}

char *
util_utf8_lossy(const char *s)
{
	struct buf	b = { 0 };

	util_escape(&b, s, strlen(s), 0, "");
	return b.data;
}

char *
util_printable(const char *s)
{
	struct buf	b = { 0 };

	util_escape(&b, s, strlen(s), UTIL_ESC_C0 | UTIL_ESC_C1, "\\");
	return b.data;
}

void
util_json_set_name(void *obj, const char *key, const char *s)
{
	char	*lossy, *k, *b64;
	size_t	 len, blen;

	if (s == NULL) {
		json_object_set_new(obj, key, json_null());
		return;
	}
	if (util_utf8_valid(s)) {
		json_object_set_new(obj, key, json_string(s));
		return;
	}
	lossy = util_utf8_lossy(s);
	json_object_set_new(obj, key, json_string(lossy));
	free(lossy);
	len = strlen(s);
	blen = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	b64 = xmalloc(blen);
	sodium_bin2base64(b64, blen, (const unsigned char *)s, len,
	    sodium_base64_VARIANT_ORIGINAL);
	k = xasprintf("%s_b64", key);
	json_object_set_new(obj, k, json_string(b64));
	free(k);
	free(b64);
}

int
util_rename_noreplace(const char *from, const char *to)
{
	struct stat	st;

	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	if (lstat(to, &st) == 0) {
		errno = EEXIST;
		return -1;
	}
	return rename(from, to);
}

char *
util_name_suffix(const char *name, unsigned int n)
{
	const char	*ext;

	if (n < 2)
		return xstrdup(name);
	if ((ext = strstr(name, ".tar.zst")) == NULL)
		ext = name + strlen(name);
	return xasprintf("%.*s_%u%s", (int)(ext - name), name, n, ext);
}
