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

#include "ioc.h"
#include "log.h"
#include "util.h"

#define IOC_VALUE_MAX	4096		/* a path; URLs and names are less */
#define IOC_TEXT_MAX	256		/* ids and comments are cut there */
#define IOC_BYTES_MAX	(256U << 20)	/* strings held by a set */
#define IOC_REGEX_MAX	1024		/* a Loki filename regex */
#define IOC_REGEX_NODES	4096		/* what regcomp may make of it */
#define IOC_REGEX_DEPTH	32		/* its groups in groups */
#define IOC_CMP_MAX	64		/* comparisons in a STIX pattern */
#define IOC_WARN_MAX	10		/* warnings per file on stderr */
#define IOC_DETAIL_MAX	1000		/* and in collection.log */
#define IOC_NONE	UINT32_MAX

enum ioc_format { IOC_FMT_MISP, IOC_FMT_STIX, IOC_FMT_LOKI, IOC_NFORMATS };
static const char *const ioc_format_names[IOC_NFORMATS] = {
	"misp", "stix", "loki"
};

struct ioc_ent {
	struct ioc	 pub;
	uint64_t	 hash;
	uint32_t	 next;		/* chain in the table, or IOC_NONE */
	unsigned char	 scanned;	/* in the scan list, not the table */
	unsigned char	 format;
	unsigned char	 family;	/* addresses: AF_INET or AF_INET6 */
	unsigned char	 prefix;	/* blocks: prefix length */
	unsigned char	 addr[16];
	regex_t		*re, *fp;	/* Loki: the regex and its false
					   positives' */
};

struct ioc_set {
	struct ioc_ent	*ent;
	size_t		 n, cap;
	uint32_t	*bucket;	/* chain heads; IOC_NONE: empty */
	size_t		 nbucket;	/* a power of two */
	uint32_t	*scan;		/* blocks and regexes */
	size_t		 nscan, capscan;
	char		**pool;		/* event and source names, shared */
	size_t		 npool;
	size_t		 count[IOC_NTYPES];
	size_t		 nformat[IOC_NFORMATS];
	size_t		 bytes;
	unsigned char	 key[crypto_shorthash_KEYBYTES];
};

/* One file being loaded. */
struct ioc_load {
	struct ioc_set	*s;
	const char	*source;
	const char	*event;
	enum ioc_format	 format;
	size_t		 skipped;
	char		*err;
	size_t		 errlen;
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

static void
ioc_ent_free(struct ioc_ent *e)
{
	free((char *)e->pub.value);
	free((char *)e->pub.id);
	free((char *)e->pub.comment);
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
	for (i = 0; i < s->n; i++)
		ioc_ent_free(&s->ent[i]);
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
		if (!isxdigit((unsigned char)v[i]))
			return -1;
		out[i] = tolower((unsigned char)v[i]);
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
static int
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

static void
ioc_warn(struct ioc_load *l, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A skipped indicator: warned (on stderr for the first few). */
static void
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

/* Append e (value normalised) to the set: 0, or -1 at a cap. */
static int
ioc_push(struct ioc_load *l, struct ioc_ent *e)
{
	struct ioc_set	*s = l->s;
	size_t		 b, bytes;

	bytes = strlen(e->pub.value) + (e->pub.id ? strlen(e->pub.id) : 0) +
	    (e->pub.comment ? strlen(e->pub.comment) : 0);
	if (s->n >= IOC_MAX || s->bytes + bytes > IOC_BYTES_MAX) {
		snprintf(l->err, l->errlen, "%s: more than %u indicators or "
		    "%u MiB in the set: refused", l->source, IOC_MAX,
		    IOC_BYTES_MAX >> 20);
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

static char *
ioc_textdup(const char *s)
{
	return s != NULL && *s != '\0' ? util_utf8_lossy(s) : NULL;
}

/* Cut a text kept with an indicator at IOC_TEXT_MAX bytes (UTF-8 safe). */
static char *
ioc_cut(char *s)
{
	size_t	n, k;

	if (s == NULL || strlen(s) <= IOC_TEXT_MAX)
		return s;
	for (n = 0; n < IOC_TEXT_MAX && (k = util_utf8_len(s + n,
	    IOC_TEXT_MAX - n)) > 0; n += k)
		;
	s[n] = '\0';
	return s;
}

/*
 * Add one indicator from raw text: 0 added, 1 skipped (warned), -1 at a
 * cap (err set, the load fails).
 */
static int
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
	e.pub.value = xstrdup(v);
	e.pub.id = ioc_cut(ioc_textdup(id));
	e.pub.comment = ioc_cut(ioc_textdup(comment));
	e.scanned = t == IOC_ADDR && e.prefix != (e.family == AF_INET ?
	    32 : 128);
	return ioc_push(l, &e);
}

/* ---- MISP ---- */

/* A MISP attribute: 0, or -1 at a cap. */
static int
ioc_misp_attr(struct ioc_load *l, json_t *a)
{
	static const struct {
		const char	*type;
		enum ioc_type	 t1, t2;	/* t2: after '|', or NTYPES */
	} map[] = {
		{ "md5", IOC_MD5, IOC_NTYPES },
		{ "sha1", IOC_SHA1, IOC_NTYPES },
		{ "sha256", IOC_SHA256, IOC_NTYPES },
		{ "filename", IOC_FILENAME, IOC_NTYPES },
		{ "filename|md5", IOC_FILENAME, IOC_MD5 },
		{ "filename|sha1", IOC_FILENAME, IOC_SHA1 },
		{ "filename|sha256", IOC_FILENAME, IOC_SHA256 },
		{ "ip-src", IOC_ADDR, IOC_NTYPES },
		{ "ip-dst", IOC_ADDR, IOC_NTYPES },
		{ "ip-src|port", IOC_ADDR, IOC_NTYPES },
		{ "ip-dst|port", IOC_ADDR, IOC_NTYPES },
		{ "domain", IOC_DOMAIN, IOC_NTYPES },
		{ "hostname", IOC_DOMAIN, IOC_NTYPES },
		{ "domain|ip", IOC_DOMAIN, IOC_ADDR },
		{ "url", IOC_URL, IOC_NTYPES },
	};
	const char	*type, *value, *id, *comment, *bar, *v1;
	json_t		*ids;
	char		*first;
	size_t		 i;
	int		 rc;

	if (!json_is_object(a))
		return 0;
	type = json_string_value(json_object_get(a, "type"));
	value = json_string_value(json_object_get(a, "value"));
	id = json_string_value(json_object_get(a, "uuid"));
	comment = json_string_value(json_object_get(a, "comment"));
	/* to_ids is honoured: an attribute marked not for detection is
	   context (a victim's address, a legitimate domain), not an IOC. */
	ids = json_object_get(a, "to_ids");
	if (json_is_false(ids) || (json_is_string(ids) &&
	    strcmp(json_string_value(ids), "0") == 0) ||
	    json_is_true(json_object_get(a, "deleted")))
		return 0;
	if (type == NULL)
		return 0;
	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(type, map[i].type) == 0)
			break;
	if (i == sizeof map / sizeof map[0])
		return 0;	/* a type that is no indicator of ours */
	if (value == NULL) {
		ioc_warn(l, id, "MISP attribute %s without a value", type);
		return 0;
	}
	bar = strrchr(value, '|');
	if (strchr(type, '|') != NULL && bar == NULL) {
		ioc_warn(l, id, "MISP attribute %s without '|'", type);
		return 0;
	}
	first = bar != NULL && strchr(type, '|') != NULL ?
	    xstrndup(value, bar - value) : xstrdup(value);
	v1 = first;
	/* A Windows or relative path: its base name. */
	if (map[i].t1 == IOC_FILENAME && v1[0] != '/') {
		if (strrchr(v1, '\\') != NULL)
			v1 = strrchr(v1, '\\') + 1;
		if (strrchr(v1, '/') != NULL)
			v1 = strrchr(v1, '/') + 1;
	}
	rc = ioc_add(l, map[i].t1 == IOC_FILENAME && v1[0] == '/' ?
	    IOC_PATH : map[i].t1, v1, id, comment);
	free(first);
	if (rc == -1)
		return -1;
	if (map[i].t2 != IOC_NTYPES && ioc_add(l, map[i].t2, bar + 1, id,
	    comment) == -1)
		return -1;
	return 0;
}

static int
ioc_misp_attrs(struct ioc_load *l, json_t *list)
{
	size_t	 i;
	json_t	*a;

	if (list == NULL)
		return 0;
	if (!json_is_array(list)) {
		snprintf(l->err, l->errlen, "%s: damaged MISP event: "
		    "\"Attribute\" is not a list", l->source);
		return -1;
	}
	json_array_foreach(list, i, a)
		if (ioc_misp_attr(l, a) == -1)
			return -1;
	return 0;
}

/* One MISP event (the object under "Event"). 0 or -1. */
static int
ioc_misp_event(struct ioc_load *l, json_t *ev)
{
	json_t	*objs, *o;
	size_t	 i;

	if (!json_is_object(ev)) {
		snprintf(l->err, l->errlen, "%s: damaged MISP event: not an "
		    "object", l->source);
		return -1;
	}
	l->event = json_string_value(json_object_get(ev, "uuid"));
	if (ioc_misp_attrs(l, json_object_get(ev, "Attribute")) == -1)
		return -1;
	objs = json_object_get(ev, "Object");
	if (objs != NULL && !json_is_array(objs)) {
		snprintf(l->err, l->errlen, "%s: damaged MISP event: "
		    "\"Object\" is not a list", l->source);
		return -1;
	}
	json_array_foreach(objs, i, o)
		if (json_is_object(o) && ioc_misp_attrs(l,
		    json_object_get(o, "Attribute")) == -1)
			return -1;
	return 0;
}

/* {"Event": …}, [{"Event": …}, …] or {"response": [ … ]}. */
static int
ioc_misp(struct ioc_load *l, json_t *root)
{
	json_t	*list, *item, *ev;
	size_t	 i;

	if (json_is_object(root) && (ev = json_object_get(root, "Event")))
		return ioc_misp_event(l, ev);
	list = json_is_array(root) ? root : json_object_get(root, "response");
	if (!json_is_array(list)) {
		snprintf(l->err, l->errlen, "%s: damaged MISP \"response\": "
		    "not a list", l->source);
		return -1;
	}
	json_array_foreach(list, i, item) {
		ev = json_is_object(item) && json_object_get(item, "Event") ?
		    json_object_get(item, "Event") : item;
		if (ioc_misp_event(l, ev) == -1)
			return -1;
	}
	return 0;
}

/* ---- STIX 2.1 patterns ---- */

struct ioc_cmp {
	enum ioc_type	 type;
	int		 family;	/* ipv4-addr/ipv6-addr: required */
	char		*value;
};

/* The type of an object path we read, or IOC_NTYPES. */
static enum ioc_type
ioc_stix_path(const char *path, int *family)
{
	char	key[32];
	size_t	i, j;

	*family = 0;
	if (strcmp(path, "file:name") == 0)
		return IOC_FILENAME;
	if (strcmp(path, "domain-name:value") == 0)
		return IOC_DOMAIN;
	if (strcmp(path, "url:value") == 0)
		return IOC_URL;
	if (strcmp(path, "ipv4-addr:value") == 0) {
		*family = AF_INET;
		return IOC_ADDR;
	}
	if (strcmp(path, "ipv6-addr:value") == 0) {
		*family = AF_INET6;
		return IOC_ADDR;
	}
	if (strncmp(path, "file:hashes.", 12) != 0 || strlen(path) > 40)
		return IOC_NTYPES;
	/* 'SHA-256', SHA256, MD5…: quotes and dashes dropped. */
	for (i = 12, j = 0; path[i] != '\0' && j + 1 < sizeof key; i++)
		if (path[i] != '\'' && path[i] != '-')
			key[j++] = toupper((unsigned char)path[i]);
	key[j] = '\0';
	if (strcmp(key, "MD5") == 0)
		return IOC_MD5;
	if (strcmp(key, "SHA1") == 0)
		return IOC_SHA1;
	if (strcmp(key, "SHA256") == 0)
		return IOC_SHA256;
	return IOC_NTYPES;
}

/* A quoted string at *pp ('…', \' and \\ escaped) into a new string. */
static char *
ioc_stix_string(const char **pp)
{
	const char	*p = *pp + 1;
	struct buf	 b = { 0 };

	for (; *p != '\0' && *p != '\''; p++) {
		if (*p == '\\') {
			if (p[1] != '\'' && p[1] != '\\')
				break;
			p++;
		}
		buf_add(&b, p, 1);
		if (b.len > IOC_VALUE_MAX)
			break;
	}
	if (*p != '\'') {
		buf_free(&b);
		return NULL;
	}
	if (b.data == NULL)
		buf_addstr(&b, "");
	*pp = p + 1;
	return b.data;
}

static void
ioc_cmps_free(struct ioc_cmp *c, size_t n)
{
	while (n-- > 0)
		free(c[n].value);
}

/*
 * Read a pattern into comparisons (at most IOC_CMP_MAX): brackets and
 * parentheses balanced, comparisons "PATH = 'VALUE'" joined by AND and
 * OR. *and set when AND occurs. The number read, or -1 with why.
 */
static int
ioc_stix_parse(const char *p, struct ioc_cmp *c, int *and, const char **why)
{
	char		 path[64];
	/* Parentheses inside an observation and around observations. */
	int		 n = 0, brack = 0, pin = 0, pout = 0, operand = 1;
	size_t		 k, kw;

	*and = 0;
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		if (operand && *p == '(') {
			brack ? pin++ : pout++;
			p++;
			continue;
		}
		if (operand && *p == '[') {
			if (brack) {
				*why = "nested observation";
				goto bad;
			}
			brack = 1;
			p++;
			continue;
		}
		if (!operand && (*p == ']' || *p == ')')) {
			if (*p == ']' ? !brack || pin : brack ? pin-- == 0 :
			    pout-- == 0) {
				*why = "unbalanced brackets";
				goto bad;
			}
			if (*p++ == ']')
				brack = 0;
			continue;
		}
		kw = strncmp(p, "AND", 3) == 0 ? 3 : strncmp(p, "OR", 2) == 0 ?
		    2 : 0;
		if (!operand && kw > 0 && (isspace((unsigned char)p[kw]) ||
		    p[kw] == '[' || p[kw] == '(')) {
			*and |= kw == 3;
			p += kw;
			operand = 1;
			continue;
		}
		if (!operand || !brack) {
			*why = "an operator or qualifier other than AND/OR";
			goto bad;
		}
		/* A comparison: PATH = 'VALUE'. */
		for (k = 0; *p != '\0' && (isalnum((unsigned char)*p) ||
		    strchr(":._-'", *p) != NULL) && k + 1 < sizeof path; k++)
			path[k] = *p++;
		path[k] = '\0';
		if (n == IOC_CMP_MAX) {
			*why = "too many comparisons";
			goto bad;
		}
		if ((c[n].type = ioc_stix_path(path, &c[n].family)) ==
		    IOC_NTYPES) {
			*why = "an object or property other than file "
			    "hashes and name, ipv4-addr, ipv6-addr, "
			    "domain-name or url";
			goto bad;
		}
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '=' || p[1] == '=') {
			*why = "a comparison other than '='";
			goto bad;
		}
		p++;
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '\'' || (c[n].value = ioc_stix_string(&p)) ==
		    NULL) {
			*why = "a value that is not a plain string";
			goto bad;
		}
		n++;
		operand = 0;
	}
	if (operand || brack || pin || pout || n == 0) {
		*why = "an incomplete pattern";
		goto bad;
	}
	return n;
bad:
	ioc_cmps_free(c, n);
	return -1;
}

/*
 * The indicators of one pattern, all or none. OR: each comparison is an
 * indicator. AND: what a conjunction cannot widen: its hashes (a hash
 * names the content, the other terms only narrow it; MD5 AND SHA-256
 * name the same file); with no hash and several terms, nothing.
 */
static int
ioc_stix_pattern(struct ioc_load *l, const char *id, const char *pattern,
    const char *comment)
{
	struct ioc_cmp	 c[IOC_CMP_MAX];
	struct ioc_ent	 e;
	const char	*why;
	char		*v;
	int		 n, i, and, hashes = 0, rc = 0;

	if ((n = ioc_stix_parse(pattern, c, &and, &why)) == -1) {
		ioc_warn(l, id, "STIX pattern not read (%s)", why);
		return 0;
	}
	for (i = 0; i < n; i++)
		hashes += c[i].type <= IOC_SHA256;
	if (and && hashes == 0 && n > 1) {
		ioc_warn(l, id, "STIX pattern not read (AND without a hash)");
		goto done;
	}
	/* Check every value first: never half of a pattern. */
	v = xmalloc(IOC_VALUE_MAX + 1);
	for (i = 0; i < n; i++) {
		memset(&e, 0, sizeof e);
		if (ioc_norm(c[i].type, c[i].value, v, &e, &why) == -1 ||
		    (c[i].family != 0 && e.family != c[i].family)) {
			ioc_warn(l, id, "STIX pattern not read (%s %s)",
			    ioc_type_name(c[i].type), c[i].family != 0 &&
			    e.family != c[i].family ? "of the wrong family" :
			    why);
			free(v);
			goto done;
		}
	}
	free(v);
	for (i = 0; i < n && rc != -1; i++)
		if (!and || c[i].type <= IOC_SHA256)
			rc = ioc_add(l, c[i].type, c[i].value, id, comment);
done:
	ioc_cmps_free(c, n);
	return rc == -1 ? -1 : 0;
}

/* {"type": "bundle", "objects": [ … ]}: its indicator objects. */
static int
ioc_stix(struct ioc_load *l, json_t *root)
{
	json_t		*objs, *o;
	const char	*pt, *pattern, *id, *comment;
	size_t		 i;

	objs = json_object_get(root, "objects");
	if (objs != NULL && !json_is_array(objs)) {
		snprintf(l->err, l->errlen, "%s: damaged STIX bundle: "
		    "\"objects\" is not a list", l->source);
		return -1;
	}
	l->event = json_string_value(json_object_get(root, "id"));
	json_array_foreach(objs, i, o) {
		if (!json_is_object(o) || json_is_true(json_object_get(o,
		    "revoked")) || !json_is_string(json_object_get(o,
		    "type")) || strcmp(json_string_value(json_object_get(o,
		    "type")), "indicator") != 0)
			continue;
		id = json_string_value(json_object_get(o, "id"));
		pt = json_string_value(json_object_get(o, "pattern_type"));
		pattern = json_string_value(json_object_get(o, "pattern"));
		if ((comment = json_string_value(json_object_get(o,
		    "name"))) == NULL)
			comment = json_string_value(json_object_get(o,
			    "description"));
		/* STIX 2.0 had no pattern_type: its patterns are STIX. */
		if (pt != NULL && strcmp(pt, "stix") != 0) {
			ioc_warn(l, id, "pattern type %.32s is not stix", pt);
			continue;
		}
		if (pattern == NULL) {
			ioc_warn(l, id, "indicator without a pattern");
			continue;
		}
		if (ioc_stix_pattern(l, id, pattern, comment) == -1)
			return -1;
	}
	return 0;
}

/* ---- Loki ---- */

enum ioc_loki { LOKI_HASH, LOKI_FILENAME, LOKI_C2 };

/* A file's name without folders, nor the pack of "PACK:ENTRY". */
static const char *
ioc_base(const char *name)
{
	const char	*slash = strrchr(name, '/'), *colon = strrchr(name, ':');

	if (colon != NULL && (slash == NULL || colon > slash))
		slash = colon;
	return slash != NULL ? slash + 1 : name;
}

static int
ioc_loki_hash(struct ioc_load *l, const char *line, const char *id,
    size_t lineno)
{
	size_t		 n = strcspn(line, ";");
	enum ioc_type	 t;
	char		 hex[65];

	t = n == 32 ? IOC_MD5 : n == 40 ? IOC_SHA1 : n == 64 ? IOC_SHA256 :
	    IOC_NTYPES;
	if (t != IOC_NTYPES) {
		memcpy(hex, line, n);
		hex[n] = '\0';
	}
	if (t == IOC_NTYPES || strspn(hex, "0123456789abcdefABCDEF") != n) {
		snprintf(l->err, l->errlen, "%s: line %zu: not an MD5, SHA-1 "
		    "or SHA-256 hash followed by ';'", l->source, lineno);
		return -1;
	}
	return ioc_add(l, t, hex, id, line[n] == ';' ? line + n + 1 :
	    NULL) == -1 ? -1 : 0;
}

/* The end of a bracket expression at p ('['), or NULL. */
static const char *
ioc_regex_bracket(const char *p)
{
	const char	*end;

	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	for (; *p != '\0' && *p != ']'; p++)
		if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
			/* [:alpha:], [.x.], [=e=] */
			if ((end = strchr(p + 2, p[1])) == NULL ||
			    end[1] != ']')
				return NULL;
			p = end + 1;
		}
	return *p == ']' ? p : NULL;
}

/*
 * A bound of the nodes glibc's regcomp makes of an ERE, which copies the
 * atom of a repetition once per bound (a{3,5}: five; a+: two), groups
 * too: 60 bytes of "a++++…" or "((a{99}){99}){99}" take gigabytes. Each
 * level keeps its size so far; "last" is the atom a repetition applies
 * to. SIZE_MAX past IOC_REGEX_NODES, for a back-reference (exponential
 * matching) or what regcomp would refuse anyway.
 */
static size_t
ioc_regex_cost(const char *p)
{
	size_t		 sum[IOC_REGEX_DEPTH + 1], last = 0, k, m;
	int		 d = 0;

	sum[0] = 0;
	for (; *p != '\0'; p++) {
		switch (*p) {
		case '\\':
			if (p[1] >= '1' && p[1] <= '9')
				return SIZE_MAX;
			if (p[1] != '\0')
				p++;
			last = 1;
			break;
		case '[':
			if ((p = ioc_regex_bracket(p)) == NULL)
				return SIZE_MAX;
			last = 1;
			break;
		case '(':
			if (d == IOC_REGEX_DEPTH)
				return SIZE_MAX;
			sum[++d] = 0;
			last = 0;
			continue;
		case ')':
			if (d == 0)
				return SIZE_MAX;
			last = sum[d--] + 1;
			break;
		case '*':
		case '+':
		case '?':
			sum[d] += last;
			last *= 2;
			goto check;
		case '{':
			for (k = 0, p++; *p >= '0' && *p <= '9' && k <= 255; p++)
				k = k * 10 + (*p - '0');
			if (*p == ',')
				for (m = 0, p++; *p >= '0' && *p <= '9' &&
				    m <= 255; p++)
					k = (m = m * 10 + (*p - '0')) > k ? m : k;
			if (*p != '}' || k > 255)
				return SIZE_MAX;
			sum[d] += last * k;
			last *= k + 1;
			goto check;
		case '|':
			last = 0;
			continue;
		default:
			last = 1;
			break;
		}
		sum[d] += last;
check:
		if (sum[d] > IOC_REGEX_NODES || last > IOC_REGEX_NODES)
			return SIZE_MAX;
	}
	return d == 0 ? sum[0] : SIZE_MAX;
}

/* A regex Loki's way (case ignored), or NULL (why set). */
static regex_t *
ioc_loki_regex(const char *s, size_t n, const char **why)
{
	regex_t	*re;
	char	*text;
	int	 rc;

	if (n > IOC_REGEX_MAX) {
		*why = "regex too long";
		return NULL;
	}
	text = xstrndup(s, n);
	if (!util_utf8_valid(text) || ioc_regex_cost(text) == SIZE_MAX) {
		free(text);
		*why = "regex not UTF-8, with a back-reference, or whose "
		    "repetitions would take too much memory";
		return NULL;
	}
	re = xmalloc(sizeof *re);
	rc = regcomp(re, text, REG_EXTENDED | REG_NOSUB | REG_ICASE);
	free(text);
	if (rc != 0) {
		free(re);
		*why = "regex not POSIX extended";
		return NULL;
	}
	return re;
}

/* REGEX;SCORE[;FP_REGEX]: a scanned IOC_FILENAME. */
static int
ioc_loki_filename(struct ioc_load *l, const char *line, const char *id,
    const char *comment)
{
	struct ioc_ent	 e;
	const char	*why, *score, *fp;
	size_t		 n = strcspn(line, ";");
	char		*c;

	memset(&e, 0, sizeof e);
	score = line[n] == ';' ? line + n + 1 : "";
	fp = strchr(score, ';');
	if ((e.re = ioc_loki_regex(line, n, &why)) == NULL ||
	    (fp != NULL && fp[1] != '\0' && (e.fp = ioc_loki_regex(fp + 1,
	    strlen(fp + 1), &why)) == NULL)) {
		ioc_ent_free(&e);
		ioc_warn(l, id, "%s", why);
		return 0;
	}
	e.pub.type = IOC_FILENAME;
	e.pub.value = xstrndup(line, n);
	e.pub.id = xstrdup(id);
	c = xasprintf("%s%sscore %.*s", comment ? comment : "",
	    comment ? ", " : "", (int)(fp ? (size_t)(fp - score) :
	    strlen(score)), score);
	e.pub.comment = ioc_cut(util_utf8_lossy(c));
	free(c);
	e.scanned = 1;
	return ioc_push(l, &e);
}

/* A c2-iocs line: an address, a URL or a domain. */
static int
ioc_loki_c2(struct ioc_load *l, const char *line, const char *id,
    const char *comment)
{
	struct ioc_ent	 e;
	char		*v, *val;
	const char	*why;
	enum ioc_type	 t;
	int		 rc;

	val = xstrndup(line, strcspn(line, ";"));
	v = xmalloc(IOC_VALUE_MAX + 1);
	memset(&e, 0, sizeof e);
	if (ioc_norm(IOC_ADDR, val, v, &e, &why) == 0)
		t = IOC_ADDR;
	else
		t = strstr(val, "://") != NULL ? IOC_URL : IOC_DOMAIN;
	free(v);
	rc = ioc_add(l, t, val, id, comment);
	free(val);
	return rc == -1 ? -1 : 0;
}

/* Which Loki file: by name (hash-iocs.txt…), else by content. */
static int
ioc_loki_kind(const char *name, const char *data)
{
	const char	*base = ioc_base(name), *p;
	size_t		 n;

	if (strstr(base, "filename") != NULL)
		return LOKI_FILENAME;
	if (strstr(base, "hash") != NULL)
		return LOKI_HASH;
	if (strstr(base, "c2") != NULL)
		return LOKI_C2;
	for (p = data; *p == '#' || *p == '\n' || *p == '\r'; p += n)
		n = strcspn(p, "\n") + (p[strcspn(p, "\n")] != '\0');
	n = strspn(p, "0123456789abcdefABCDEF");
	if ((n == 32 || n == 40 || n == 64) && (p[n] == ';' || p[n] == '\n' ||
	    p[n] == '\r' || p[n] == '\0'))
		return LOKI_HASH;
	return -1;
}

/* Loki's plain IOC files: one indicator a line, '#' comments. */
static int
ioc_loki(struct ioc_load *l, char *text)
{
	char		*line, *next, *end, id[IOC_TEXT_MAX + 32];
	const char	*comment = NULL;
	size_t		 lineno = 0;
	int		 kind, rc = 0;

	if ((kind = ioc_loki_kind(l->source, text)) == -1) {
		snprintf(l->err, l->errlen, "%s: neither MISP nor STIX JSON, "
		    "nor a Loki hash, filename or c2 IOC file", l->source);
		return -1;
	}
	/* Refused before reading when its lines alone pass the cap. */
	for (line = text, lineno = 0; (line = strchr(line, '\n')) != NULL;
	    line++)
		lineno++;
	if (lineno > IOC_MAX - l->s->n) {
		snprintf(l->err, l->errlen, "%s: more than %u indicators in "
		    "the set: refused", l->source, IOC_MAX);
		return -1;
	}
	lineno = 0;
	for (line = text; line != NULL && rc == 0; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		end = line + strlen(line);
		while (end > line && isspace((unsigned char)end[-1]))
			*--end = '\0';
		while (isspace((unsigned char)*line))
			line++;
		if (*line == '\0')
			continue;
		if (*line == '#') {
			/* Loki: a comment names the lines below it. */
			for (line++; *line == ' ' || *line == '#'; line++)
				;
			comment = *line != '\0' ? line : NULL;
			continue;
		}
		snprintf(id, sizeof id, "%.*s:%zu", IOC_TEXT_MAX, l->event,
		    lineno);
		if (kind == LOKI_HASH)
			rc = ioc_loki_hash(l, line, id, lineno);
		else if (kind == LOKI_FILENAME)
			rc = ioc_loki_filename(l, line, id, comment);
		else
			rc = ioc_loki_c2(l, line, id, comment);
	}
	return rc;
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
	size_t		 n0 = s->n, i;
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

/* Whether entry i becomes a rule: domains, URLs, single addresses. */
static int
ioc_is_rule(const struct ioc_ent *e)
{
	return e->pub.type == IOC_DOMAIN || e->pub.type == IOC_URL ||
	    (e->pub.type == IOC_ADDR && !e->scanned);
}

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

char *
ioc_yara_source(const struct ioc_set *s)
{
	const struct ioc_ent	*e;
	struct buf		 b = { 0 };
	size_t			 i;

	for (i = 0; s != NULL && i < s->n; i++) {
		e = &s->ent[i];
		if (!ioc_is_rule(e))
			continue;
		buf_printf(&b, "rule ioc_%zu {\n\tmeta:\n\t\tioc_type = \"%s\"\n"
		    "\tstrings:\n\t\t$v = ", i, ioc_type_name(e->pub.type));
		ioc_yara_string(&b, e->pub.value);
		/* fullword: "evil.com" is not "notevil.com", nor 1.2.3.4
		   11.2.3.45; a URL ends anywhere. */
		buf_printf(&b, " ascii wide%s%s\n\tcondition:\n\t\t$v\n}\n",
		    e->pub.type == IOC_DOMAIN ? " nocase" : "",
		    e->pub.type != IOC_URL ? " fullword" : "");
	}
	return b.data;
}

const struct ioc *
ioc_by_rule(const struct ioc_set *s, const char *rule)
{
	long long	i;

	if (s == NULL || strncmp(rule, "ioc_", 4) != 0 ||
	    strspn(rule + 4, "0123456789") != strlen(rule + 4) ||
	    util_parse_int(rule + 4, 0, (long long)s->n - 1, &i) == -1 ||
	    !ioc_is_rule(&s->ent[i]))
		return NULL;
	return &s->ent[i].pub;
}
