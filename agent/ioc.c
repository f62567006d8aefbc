/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Indicator sets (ioc.h): the three formats CSIRTs share (MISP event
 * JSON, STIX 2.1 bundles, Loki IOC files), normalised into one array of
 * indicators. Exact values (hashes, names, paths, domains, URLs, single
 * addresses) are chained in a table keyed by a keyed SipHash (values come
 * from outside: they must not be made to collide); address blocks and
 * Loki regexes sit in a list that lookups scan. Loading a file adds all
 * of it or nothing: on error the entries it added are taken back.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "ioc-int.h"
#include "log.h"
#include "util.h"

static const char *const ioc_format_names[IOC_NFORMATS] = {
	"misp", "stix", "loki"
};

struct ioc_set *
ioc_set_new(void)
{
	struct ioc_set	*s = xcalloc(1, sizeof *s);

	if (sodium_init() == -1)
		fatal("sodium_init failed");
	randombytes_buf(s->key, sizeof s->key);
	return s;
}

/*
 * The set's strings (values, ids, comments) in blocks of IOC_BLOCK
 * bytes, freed together: 100,000 indicators are not 300,000 allocations
 * to make and free. A string longer than a block gets one of its own.
 */
static const char *
ioc_store(struct ioc_set *s, const char *p, size_t n)
{
	char	*d;
	size_t	 size;

	if (s->nblk == 0 || IOC_BLOCK - s->used < n + 1) {
		size = n + 1 > IOC_BLOCK ? n + 1 : IOC_BLOCK;
		s->blk = xreallocarray(s->blk, s->nblk + 1, sizeof *s->blk);
		s->blk[s->nblk++] = xmalloc(size);
		/* The next string goes to a new block after a big one. */
		s->used = size > IOC_BLOCK ? IOC_BLOCK : 0;
	}
	d = s->blk[s->nblk - 1] + s->used;
	memcpy(d, p, n);
	d[n] = '\0';
	s->used += n + 1;
	return d;
}

/* Free the blocks made since the mark (nblk, used): a file that failed. */
static void
ioc_release(struct ioc_set *s, size_t nblk, size_t used)
{
	while (s->nblk > nblk)
		free(s->blk[--s->nblk]);
	s->used = used;
}

/*
 * A text kept with an indicator (id, comment): NULL for none, invalid
 * UTF-8 made valid, cut at IOC_TEXT_MAX bytes on a character boundary.
 */
static const char *
ioc_store_text(struct ioc_set *s, const char *t)
{
	const char	*d;
	char		*lossy = NULL;
	size_t		 n, k, len;

	if (t == NULL || *t == '\0')
		return NULL;
	/* Plain ASCII, the usual text, needs no UTF-8 check. */
	for (len = 0; t[len] != '\0' && (unsigned char)t[len] < 0x80; len++)
		;
	if (t[len] != '\0') {
		if (!util_utf8_valid(t))
			t = lossy = util_utf8_lossy(t);
		len = strlen(t);
	}
	if (len <= IOC_TEXT_MAX)
		n = len;
	else
		for (n = 0; n < IOC_TEXT_MAX && (k = util_utf8_len(t + n,
		    IOC_TEXT_MAX - n)) > 0; n += k)
			;
	d = ioc_store(s, t, n);
	free(lossy);
	return d;
}

void
ioc_ent_free(struct ioc_ent *e)
{
	if (e->re != NULL) {
		regfree(e->re);
		free(e->re);
	}
	if (e->fp != NULL) {
		regfree(e->fp);
		free(e->fp);
	}
}

void
ioc_set_free(struct ioc_set *s)
{
	size_t	i;

	if (s == NULL)
		return;
	/* Only the scanned entries hold something of their own. */
	for (i = 0; i < s->nscan; i++)
		ioc_ent_free(&s->ent[s->scan[i]]);
	ioc_release(s, 0, 0);
	free(s->blk);
	for (i = 0; i < s->npool; i++)
		free(s->pool[i]);
	free(s->pool);
	free(s->ent);
	free(s->bucket);
	free(s->scan);
	free(s);
}

size_t
ioc_set_count(const struct ioc_set *s, enum ioc_type t)
{
	if (s == NULL || (unsigned)t >= IOC_NTYPES)
		return 0;
	return s->count[t];
}

size_t
ioc_set_count_format(const struct ioc_set *s, const char *format)
{
	int	i;

	for (i = 0; s != NULL && i < IOC_NFORMATS; i++)
		if (strcmp(format, ioc_format_names[i]) == 0)
			return s->nformat[i];
	return 0;
}

const char *
ioc_type_name(enum ioc_type t)
{
	static const char *const names[IOC_NTYPES] = {
		"md5", "sha1", "sha256", "filename", "path", "addr",
		"domain", "url"
	};

	return (unsigned)t < IOC_NTYPES ? names[t] : "?";
}

/* A keyed hash of the value; the type only moves it (types compare). */
static uint64_t
ioc_hash(const struct ioc_set *s, enum ioc_type t, const char *v)
{
	unsigned char	out[crypto_shorthash_BYTES];
	uint64_t	h;

	crypto_shorthash(out, (const unsigned char *)v, strlen(v), s->key);
	memcpy(&h, out, sizeof h);
	return h + (uint64_t)t * 0x9e3779b97f4a7c15ULL;
}

/* Rebuild the chains in index order, so the newest entry heads each. */
static void
ioc_rehash(struct ioc_set *s, size_t nbucket)
{
	size_t	i, b;

	free(s->bucket);
	s->bucket = xreallocarray(NULL, nbucket, sizeof *s->bucket);
	s->nbucket = nbucket;
	for (i = 0; i < nbucket; i++)
		s->bucket[i] = IOC_NONE;
	for (i = 0; i < s->n; i++) {
		if (s->ent[i].scanned)
			continue;
		b = s->ent[i].hash & (nbucket - 1);
		s->ent[i].next = s->bucket[b];
		s->bucket[b] = (uint32_t)i;
	}
}

/* Take back the entries from n on (a file that failed half-way). */
static void
ioc_truncate(struct ioc_set *s, size_t n)
{
	struct ioc_ent	*e;
	size_t		 b;

	while (s->n > n) {
		e = &s->ent[--s->n];
		if (e->scanned)
			s->nscan--;
		else {
			b = e->hash & (s->nbucket - 1);
			s->bucket[b] = e->next;
		}
		s->count[e->pub.type]--;
		s->nformat[e->format]--;
		s->bytes -= strlen(e->pub.value) + (e->pub.id ?
		    strlen(e->pub.id) : 0) + (e->pub.comment ?
		    strlen(e->pub.comment) : 0);
		ioc_ent_free(e);
	}
}

/* A name shared by many indicators (event, source): kept once. */
static const char *
ioc_intern(struct ioc_set *s, const char *name)
{
	if (name == NULL)
		return NULL;
	/* Event and source alternate: the last two are the ones. */
	if (s->npool > 0 && strcmp(s->pool[s->npool - 1], name) == 0)
		return s->pool[s->npool - 1];
	if (s->npool > 1 && strcmp(s->pool[s->npool - 2], name) == 0)
		return s->pool[s->npool - 2];
	s->pool = xreallocarray(s->pool, s->npool + 1, sizeof *s->pool);
	s->pool[s->npool] = xstrndup(name, IOC_TEXT_MAX);
	s->bytes += strlen(s->pool[s->npool]);
	return s->pool[s->npool++];
}

/* Normalise a hash: lower case, the right length. */
static int
ioc_norm_hash(enum ioc_type t, const char *v, char *out, size_t len)
{
	size_t	n = strlen(v), want, i;

	want = t == IOC_MD5 ? 32 : t == IOC_SHA1 ? 40 : 64;
	if (n != want || want >= len)
		return -1;
	for (i = 0; i < n; i++) {
		if (v[i] >= '0' && v[i] <= '9')
			out[i] = v[i];
		else if ((v[i] | 0x20) >= 'a' && (v[i] | 0x20) <= 'f')
			out[i] = v[i] | 0x20;
		else
			return -1;
	}
	out[n] = '\0';
	return 0;
}

/*
 * An address or block in canonical form (inet_ntop; host bits of a
 * block cleared; a full-length block is the address). e gets the bytes.
 */
static int
ioc_norm_addr(const char *v, char *out, size_t len, struct ioc_ent *e)
{
	char		 a[INET6_ADDRSTRLEN + 8], txt[INET6_ADDRSTRLEN];
	const char	*slash;
	long long	 plen;
	int		 af, bits, i;

	if (strlen(v) >= sizeof a)
		return -1;
	memcpy(a, v, strlen(v) + 1);
	if ((slash = strchr(a, '/')) != NULL)
		a[slash - a] = '\0';
	if (inet_pton(AF_INET, a, e->addr) == 1)
		af = AF_INET, bits = 32;
	else if (inet_pton(AF_INET6, a, e->addr) == 1)
		af = AF_INET6, bits = 128;
	else
		return -1;
	plen = bits;
	if (slash != NULL && (strspn(slash + 1, "0123456789") !=
	    strlen(slash + 1) || util_parse_int(slash + 1, 0, bits,
	    &plen) == -1))
		return -1;
	for (i = 0; i < bits / 8; i++)
		if (i * 8 >= plen)
			e->addr[i] = 0;
		else if (i * 8 + 8 > plen)
			e->addr[i] &= 0xff << (8 - (plen - i * 8));
	if (inet_ntop(af, e->addr, txt, sizeof txt) == NULL)
		return -1;
	e->family = af;
	e->prefix = plen;
	if (plen == bits)
		snprintf(out, len, "%s", txt);
	else
		snprintf(out, len, "%s/%lld", txt, plen);
	return 0;
}

/* A host name: letters, digits, '-' and '_', labels of 1 to 63. */
static int
ioc_norm_domain(const char *v, char *out, size_t len)
{
	size_t	n = strlen(v), i, label = 0;

	while (n > 0 && v[n - 1] == '.')
		n--;
	if (n == 0 || n > 253 || n >= len)
		return -1;
	for (i = 0; i < n; i++) {
		if (v[i] == '.') {
			if (label == 0)
				return -1;
			label = 0;
		} else if (isalnum((unsigned char)v[i]) || v[i] == '-' ||
		    v[i] == '_') {
			if (++label > 63)
				return -1;
		} else
			return -1;
		out[i] = tolower((unsigned char)v[i]);
	}
	out[n] = '\0';
	return 0;
}

/* Text values (names, paths, URLs): valid UTF-8 without controls. */
static int
ioc_norm_text(enum ioc_type t, const char *v, char *out, size_t len)
{
	size_t	n = strlen(v), i;

	if (n == 0 || n >= len || !util_utf8_valid(v))
		return -1;
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return -1;
	if ((t == IOC_FILENAME && (strchr(v, '/') != NULL || n > 255)) ||
	    (t == IOC_PATH && v[0] != '/') || (t == IOC_URL && (n > 2048 ||
	    strchr(v, ' ') != NULL)))
		return -1;
	memcpy(out, v, n + 1);
	return 0;
}

/*
 * The normalised value of an indicator into out (IOC_VALUE_MAX + 1
 * bytes), e's address fields set for addresses. 0, or -1 with why.
 */
int
ioc_norm(enum ioc_type t, const char *v, char *out, struct ioc_ent *e,
    const char **why)
{
	size_t	len = IOC_VALUE_MAX + 1, n = strlen(v);
	char	trim[IOC_VALUE_MAX + 1];
	int	rc;

	*why = "not a valid value";
	if (n > IOC_VALUE_MAX) {
		*why = "value too long";
		return -1;
	}
	/* Spaces around a value are the sharer's, not the indicator's. */
	if (n > 0 && (isspace((unsigned char)v[0]) ||
	    isspace((unsigned char)v[n - 1]))) {
		while (isspace((unsigned char)*v))
			v++, n--;
		while (n > 0 && isspace((unsigned char)v[n - 1]))
			n--;
		memcpy(trim, v, n);
		trim[n] = '\0';
		v = trim;
	}
	switch (t) {
	case IOC_MD5:
	case IOC_SHA1:
	case IOC_SHA256:
		rc = ioc_norm_hash(t, v, out, len);
		break;
	case IOC_ADDR:
		rc = ioc_norm_addr(v, out, len, e);
		break;
	case IOC_DOMAIN:
		rc = ioc_norm_domain(v, out, len);
		break;
	default:
		rc = ioc_norm_text(t, v, out, len);
		break;
	}
	return rc;
}

/* A skipped indicator: warned (on stderr for the first few). */
void
ioc_warn(struct ioc_load *l, const char *id, const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (++l->skipped <= IOC_WARN_MAX)
		log_msg(LOG_WARN, NULL, "%s: indicator %.128s skipped: %s",
		    l->source, id ? id : "?", msg);
	else if (l->skipped <= IOC_DETAIL_MAX)
		log_detail(LOG_WARN, NULL, "%s: indicator %.128s skipped: %s",
		    l->source, id ? id : "?", msg);
}

/*
 * Append e (value normalised) to the set, its strings copied: 0, or -1
 * at a cap (e's regexes freed either way but when added).
 */
int
ioc_push(struct ioc_load *l, struct ioc_ent *e)
{
	struct ioc_set	*s = l->s;
	size_t		 b, bytes, nblk = s->nblk, used = s->used;

	e->pub.value = ioc_store(s, e->pub.value, strlen(e->pub.value));
	e->pub.id = ioc_store_text(s, e->pub.id);
	e->pub.comment = ioc_store_text(s, e->pub.comment);
	bytes = strlen(e->pub.value) + (e->pub.id ? strlen(e->pub.id) : 0) +
	    (e->pub.comment ? strlen(e->pub.comment) : 0);
	if (s->n >= IOC_MAX || s->bytes + bytes > IOC_BYTES_MAX) {
		snprintf(l->err, l->errlen, "%s: more than %u indicators or "
		    "%u MiB in the set: refused", l->source, IOC_MAX,
		    IOC_BYTES_MAX >> 20);
		ioc_release(s, nblk, used);
		ioc_ent_free(e);
		return -1;
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->ent = xreallocarray(s->ent, s->cap, sizeof *s->ent);
	}
	e->format = l->format;
	e->pub.event = ioc_intern(s, l->event);
	e->pub.source = ioc_intern(s, l->source);
	s->ent[s->n] = *e;
	e = &s->ent[s->n];
	if (e->scanned) {
		if (s->nscan == s->capscan) {
			s->capscan = s->capscan ? s->capscan * 2 : 64;
			s->scan = xreallocarray(s->scan, s->capscan,
			    sizeof *s->scan);
		}
		s->scan[s->nscan++] = (uint32_t)s->n;
		s->n++;
	} else {
		e->hash = ioc_hash(s, e->pub.type, e->pub.value);
		s->n++;
		if (s->n * 4 > s->nbucket * 3)
			ioc_rehash(s, s->nbucket ? s->nbucket * 2 : 1024);
		else {
			b = e->hash & (s->nbucket - 1);
			e->next = s->bucket[b];
			s->bucket[b] = (uint32_t)(s->n - 1);
		}
	}
	s->count[e->pub.type]++;
	s->nformat[e->format]++;
	s->bytes += bytes;
	return 0;
}

/*
 * Add one indicator from raw text: 0 added, 1 skipped (warned), -1 at a
 * cap (err set, the load fails).
 */
int
ioc_add(struct ioc_load *l, enum ioc_type t, const char *raw,
    const char *id, const char *comment)
{
	struct ioc_ent	 e;
	const char	*why;
	char		 v[IOC_VALUE_MAX + 1];

	memset(&e, 0, sizeof e);
	if (ioc_norm(t, raw, v, &e, &why) == -1) {
		ioc_warn(l, id, "%s %s", ioc_type_name(t), why);
		return 1;
	}
	e.pub.type = t;
	e.pub.value = v;
	e.pub.id = id;
	e.pub.comment = comment;
	e.scanned = t == IOC_ADDR && e.prefix != (e.family == AF_INET ?
	    32 : 128);
	return ioc_push(l, &e);
}

/* A file's name without folders, nor the pack of "PACK:ENTRY". */
const char *
ioc_base(const char *name)
{
	const char	*slash = strrchr(name, '/'), *colon = strrchr(name, ':');

	if (colon != NULL && (slash == NULL || colon > slash))
		slash = colon;
	return slash != NULL ? slash + 1 : name;
}

int
ioc_set_load(struct ioc_set *s, const char *name, const char *data,
    size_t len, char *err, size_t errlen)
{
	struct ioc_load	 l;
	json_error_t	 jerr;
	json_t		*root = NULL;
	const char	*type;
	char		*text = NULL;
	size_t		 n0 = s->n, nblk = s->nblk, used = s->used, i;
	int		 rc;

	memset(&l, 0, sizeof l);
	l.s = s;
	l.source = name;
	l.err = err;
	l.errlen = errlen;
	/* A UTF-8 byte order mark, as some editors write. */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
	}
	for (i = 0; i < len && isspace((unsigned char)data[i]); i++)
		;
	if (i < len && (data[i] == '{' || data[i] == '[')) {
		if ((root = json_loadb(data, len, JSON_REJECT_DUPLICATES,
		    &jerr)) == NULL) {
			snprintf(err, errlen, "%s: damaged JSON (line %d: %s)",
			    name, jerr.line, jerr.text);
			return -1;
		}
		type = json_string_value(json_object_get(root, "type"));
		if (type != NULL && strcmp(type, "bundle") == 0) {
			l.format = IOC_FMT_STIX;
			rc = ioc_stix(&l, root);
		} else if (json_is_array(root) || json_object_get(root,
		    "Event") != NULL || json_object_get(root, "response")) {
			l.format = IOC_FMT_MISP;
			rc = ioc_misp(&l, root);
		} else {
			snprintf(err, errlen, "%s: JSON that is neither a MISP "
			    "event nor a STIX bundle", name);
			rc = -1;
		}
		json_decref(root);
	} else if (memchr(data, '\0', len) != NULL) {
		snprintf(err, errlen, "%s: binary content, not an IOC file",
		    name);
		rc = -1;
	} else {
		l.format = IOC_FMT_LOKI;
		l.event = ioc_base(name);
		text = xstrndup(data, len);
		rc = ioc_loki(&l, text);
		free(text);
	}
	if (rc == -1) {
		ioc_truncate(s, n0);
		ioc_release(s, nblk, used);
		return -1;
	}
	if (l.skipped > IOC_WARN_MAX)
		log_msg(LOG_WARN, NULL, "%s: %zu indicators skipped in all "
		    "(the first %d in collection.log)", name, l.skipped,
		    IOC_DETAIL_MAX);
	return (int)(s->n - n0);
}

/* ---- lookups ---- */

/* The exact entries (t, v) into out from *found on; the new count. */
static size_t
ioc_find_exact(const struct ioc_set *s, enum ioc_type t, const char *v,
    const struct ioc **out, size_t found, size_t max)
{
	uint32_t	i;
	uint64_t	h;

	if (s == NULL || s->nbucket == 0 || found >= max)
		return found;
	h = ioc_hash(s, t, v);
	for (i = s->bucket[h & (s->nbucket - 1)]; i != IOC_NONE && found <
	    max; i = s->ent[i].next)
		if (s->ent[i].hash == h && s->ent[i].pub.type == t &&
		    strcmp(s->ent[i].pub.value, v) == 0)
			out[found++] = &s->ent[i].pub;
	return found;
}

size_t
ioc_find_hash(const struct ioc_set *s, enum ioc_type t, const char *hex,
    const struct ioc **out, size_t max)
{
	char	v[65];

	if (t > IOC_SHA256 || ioc_norm_hash(t, hex, v, sizeof v) == -1)
		return 0;
	return ioc_find_exact(s, t, v, out, 0, max);
}

size_t
ioc_find_file(const struct ioc_set *s, const char *path,
    const struct ioc **out, size_t max)
{
	const char	*base = strrchr(path, '/');
	struct ioc_ent	*e;
	size_t		 found, i;

	if (s == NULL)
		return 0;
	found = ioc_find_exact(s, IOC_FILENAME, base ? base + 1 : path, out,
	    0, max);
	if (base != NULL)
		found = ioc_find_exact(s, IOC_PATH, path, out, found, max);
	for (i = 0; i < s->nscan && found < max; i++) {
		e = &s->ent[s->scan[i]];
		if (e->re != NULL && regexec(e->re, path, 0, NULL, 0) == 0 &&
		    (e->fp == NULL || regexec(e->fp, path, 0, NULL, 0) != 0))
			out[found++] = &e->pub;
	}
	return found;
}

/* Whether addr (family af) lies in the block of e. */
static int
ioc_in_block(const struct ioc_ent *e, int af, const unsigned char *addr)
{
	int	full = e->prefix / 8, rest = e->prefix % 8;

	if (e->family != af || memcmp(e->addr, addr, full) != 0)
		return 0;
	return rest == 0 || ((addr[full] ^ e->addr[full]) &
	    (0xff << (8 - rest))) == 0;
}

size_t
ioc_find_addr(const struct ioc_set *s, const char *text,
    const struct ioc **out, size_t max)
{
	struct ioc_ent	 a, *e;
	char		 v[IOC_VALUE_MAX + 1];
	size_t		 found, i;

	memset(&a, 0, sizeof a);
	if (s == NULL || strchr(text, '/') != NULL ||
	    ioc_norm_addr(text, v, sizeof v, &a) == -1)
		return 0;
	/* ::ffff:a.b.c.d (an IPv4 peer of an IPv6 socket) is a.b.c.d. */
	if (a.family == AF_INET6 && memcmp(a.addr,
	    "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		memmove(a.addr, a.addr + 12, 4);
		a.family = AF_INET;
		if (inet_ntop(AF_INET, a.addr, v, sizeof v) == NULL)
			return 0;
	}
	found = ioc_find_exact(s, IOC_ADDR, v, out, 0, max);
	for (i = 0; i < s->nscan && found < max; i++) {
		e = &s->ent[s->scan[i]];
		if (e->pub.type == IOC_ADDR && ioc_in_block(e, a.family,
		    a.addr))
			out[found++] = &e->pub;
	}
	return found;
}

/* ---- YARA ---- */

/* A YARA text string: every byte but plain printable ASCII as \xHH. */
static void
ioc_yara_string(struct buf *b, const char *v)
{
	const unsigned char	*p;

	buf_addstr(b, "\"");
	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
			buf_add(b, p, 1);
		else
			buf_printf(b, "\\x%02x", *p);
	buf_addstr(b, "\"");
}

/* v as a branch of a YARA regex: letters, digits, '-', '_', else \xHH. */
static size_t
ioc_yara_branch(struct buf *b, const char *v)
{
	const unsigned char	*p;
	size_t			 len = b->len;

	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (isalnum(*p) || *p == '-' || *p == '_')
			buf_add(b, p, 1);
		else
			buf_printf(b, "\\x%02x", *p);
	return b->len - len;
}

/* The regex text of value v, without writing it. */
static size_t
ioc_yara_branch_len(const char *v)
{
	const unsigned char	*p;
	size_t			 n = 0;

	for (p = (const unsigned char *)v; *p != '\0'; p++)
		n += isalnum(*p) || *p == '-' || *p == '_' ? 1 : 4;
	return n;
}

/*
 * The generated rules. YARA evaluates every string of every rule on
 * every file scanned: with one string per indicator, 10,000 indicators
 * cost about 80 µs a file, more than the scan of a small file itself.
 * So indicators of a kind are grouped, IOC_GROUP_ALTS at most, as the
 * branches of one regex ("$d_G" domains, "$a_G" addresses, "$u_G" URLs):
 * YARA still draws its atoms from each branch, so a byte costs what it
 * did, but a file costs a hundred strings, not ten thousand. What a
 * group matched is looked up by its text (ioc_by_match). A URL too long
 * for YARA's match data (IOC_GROUP_VALUE) is a string of its own
 * ("$i_N", entry N). Each string is a rule of its own ("iocs_R"): YARA
 * warns of a rule of more than 10,000 atoms, and a group of nocase
 * domains, ascii and wide, has a few thousand. libyara 4.2's limits
 * for a regex: 127 alternatives (split ids), 8 KiB of text (its lexer's
 * buffer).
 */
#define IOC_GROUP_ALTS		64
#define IOC_GROUP_TEXT		4000
#define IOC_GROUP_VALUE		240	/* YR_MAX_MATCH_DATA is 512: wide */

static const struct {
	enum ioc_type	 type;
	char		 prefix;
	const char	*mods;
} ioc_groups[] = {
	/* fullword: "evil.com" is not "notevil.com", nor 1.2.3.4
	   11.2.3.45; a URL ends anywhere. */
	{ IOC_DOMAIN,	'd',	"ascii wide nocase fullword" },
	{ IOC_ADDR,	'a',	"ascii wide fullword" },
	{ IOC_URL,	'u',	"ascii wide" },
};

/* Whether entry e is in a generated rule: domains, URLs, addresses. */
static int
ioc_is_rule(const struct ioc_ent *e)
{
	return e->pub.type == IOC_DOMAIN || e->pub.type == IOC_URL ||
	    (e->pub.type == IOC_ADDR && !e->scanned);
}

/* Close the open group of kind g, if any. */
static void
ioc_yara_close(struct buf *b, size_t g, size_t *alts)
{
	if (*alts > 0)
		buf_printf(b, ")/ %s\n\tcondition:\n\t\tany of them\n}\n",
		    ioc_groups[g].mods);
	*alts = 0;
}

char *
ioc_yara_source(const struct ioc_set *s)
{
	const struct ioc_ent	*e;
	struct buf		 b = { 0 };
	size_t			 g, i, nrule = 0, ngroup, alts, text = 0;

	for (g = 0; s != NULL && g < nitems(ioc_groups); g++) {
		ngroup = alts = 0;
		for (i = 0; i < s->n; i++) {
			e = &s->ent[i];
			if (!ioc_is_rule(e) || e->pub.type != ioc_groups[g].type)
				continue;
			if (strlen(e->pub.value) > IOC_GROUP_VALUE) {
				ioc_yara_close(&b, g, &alts);
				buf_printf(&b, "rule iocs_%zu {\n\tstrings:\n"
				    "\t\t$i_%zu = ", nrule++, i);
				ioc_yara_string(&b, e->pub.value);
				buf_printf(&b, " %s\n\tcondition:\n\t\tany of "
				    "them\n}\n", ioc_groups[g].mods);
				continue;
			}
			if (alts > 0 && (alts == IOC_GROUP_ALTS || text + 1 +
			    ioc_yara_branch_len(e->pub.value) > IOC_GROUP_TEXT))
				ioc_yara_close(&b, g, &alts);
			if (alts == 0) {
				buf_printf(&b, "rule iocs_%zu {\n\tstrings:\n"
				    "\t\t$%c_%zu = /(", nrule++,
				    ioc_groups[g].prefix, ngroup++);
				text = 0;
			} else {
				buf_addstr(&b, "|");
				text++;
			}
			text += ioc_yara_branch(&b, e->pub.value);
			alts++;
		}
		ioc_yara_close(&b, g, &alts);
	}
	return b.data;
}

size_t
ioc_by_match(const struct ioc_set *s, const char *string, const char *text,
    const struct ioc **out, size_t max)
{
	char		 v[IOC_VALUE_MAX + 1];
	long long	 i;
	size_t		 g;

	if (s == NULL || max == 0 || string == NULL)
		return 0;
	if (*string == '$')
		string++;
	/* A string of its own: entry N. */
	if (strncmp(string, "i_", 2) == 0) {
		if (strspn(string + 2, "0123456789") != strlen(string + 2) ||
		    util_parse_int(string + 2, 0, (long long)s->n - 1, &i) ==
		    -1 || !ioc_is_rule(&s->ent[i]))
			return 0;
		out[0] = &s->ent[i].pub;
		return 1;
	}
	for (g = 0; g < nitems(ioc_groups); g++)
		if (string[0] == ioc_groups[g].prefix && string[1] == '_')
			break;
	if (g == nitems(ioc_groups) || text == NULL ||
	    strlen(text) > IOC_VALUE_MAX)
		return 0;
	switch (ioc_groups[g].type) {
	case IOC_ADDR:
		return ioc_find_addr(s, text, out, max);
	case IOC_DOMAIN:
		for (i = 0; text[i] != '\0'; i++)
			v[i] = tolower((unsigned char)text[i]);
		v[i] = '\0';
		return ioc_find_exact(s, IOC_DOMAIN, v, out, 0, max);
	default:
		return ioc_find_exact(s, IOC_URL, text, out, 0, max);
	}
}
