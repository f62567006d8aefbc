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

void
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

/* Append e (value normalised) to the set: 0, or -1 at a cap. */
int
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

char *
ioc_textdup(const char *s)
{
	return s != NULL && *s != '\0' ? util_utf8_lossy(s) : NULL;
}

/* Cut a text kept with an indicator at IOC_TEXT_MAX bytes (UTF-8 safe). */
char *
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
	e.pub.value = xstrdup(v);
	e.pub.id = ioc_cut(ioc_textdup(id));
	e.pub.comment = ioc_cut(ioc_textdup(comment));
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

/*
 * Strings per generated rule. YARA evaluates every rule's condition on
 * every file scanned: 10,000 rules of one string each cost more than the
 * scan itself on small files, a few rules of many strings do not.
 */
#define IOC_RULE_STRINGS	1000

char *
ioc_yara_source(const struct ioc_set *s)
{
	const struct ioc_ent	*e;
	struct buf		 b = { 0 };
	size_t			 i, n = 0;

	for (i = 0; s != NULL && i < s->n; i++) {
		e = &s->ent[i];
		if (!ioc_is_rule(e))
			continue;
		if (n % IOC_RULE_STRINGS == 0)
			buf_printf(&b, "%srule iocs_%zu {\n\tstrings:\n",
			    n ? "\tcondition:\n\t\tany of them\n}\n" : "",
			    n / IOC_RULE_STRINGS);
		n++;
		buf_printf(&b, "\t\t$ioc_%zu = ", i);
		ioc_yara_string(&b, e->pub.value);
		/* fullword: "evil.com" is not "notevil.com", nor 1.2.3.4
		   11.2.3.45; a URL ends anywhere. */
		buf_printf(&b, " ascii wide%s%s\n",
		    e->pub.type == IOC_DOMAIN ? " nocase" : "",
		    e->pub.type != IOC_URL ? " fullword" : "");
	}
	if (n > 0)
		buf_addstr(&b, "\tcondition:\n\t\tany of them\n}\n");
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
