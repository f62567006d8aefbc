/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The formats of indicator files (ioc-int.h): MISP event JSON, STIX 2.1
 * bundles whose patterns are simple comparisons (read whole or not at
 * all), and Loki's plain hash, filename and c2 IOC files, whose regexes
 * are bounded before regcomp sees them.
 */
#include <sys/socket.h>

#include <ctype.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ioc-int.h"
#include "util.h"

/* ---- MISP ---- */

/* The MISP attribute types read; a composite gives two indicators. */
static const struct {
	const char	*type;
	enum ioc_type	 t1, t2;	/* t2: after '|', or NTYPES */
} ioc_misp_types[] = {
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

/* A MISP attribute: 0, or -1 at a cap. */
static int
ioc_misp_attr(struct ioc_load *l, json_t *a)
{
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
	for (i = 0; i < nitems(ioc_misp_types); i++)
		if (strcmp(type, ioc_misp_types[i].type) == 0)
			break;
	if (i == nitems(ioc_misp_types))
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
	if (ioc_misp_types[i].t1 == IOC_FILENAME && v1[0] != '/') {
		if (strrchr(v1, '\\') != NULL)
			v1 = strrchr(v1, '\\') + 1;
		if (strrchr(v1, '/') != NULL)
			v1 = strrchr(v1, '/') + 1;
	}
	rc = ioc_add(l, ioc_misp_types[i].t1 == IOC_FILENAME && v1[0] == '/' ?
	    IOC_PATH : ioc_misp_types[i].t1, v1, id, comment);
	free(first);
	if (rc == -1)
		return -1;
	if (ioc_misp_types[i].t2 != IOC_NTYPES && ioc_add(l, ioc_misp_types[i].t2, bar + 1, id,
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
int
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

/* A comparison at *pp, PATH = 'VALUE', into c: 0, or -1 with why. */
static int
ioc_stix_cmp(const char **pp, struct ioc_cmp *c, const char **why)
{
	const char	*p = *pp;
	char		 path[64];
	size_t		 k;

	for (k = 0; *p != '\0' && (isalnum((unsigned char)*p) ||
	    strchr(":._-'", *p) != NULL) && k + 1 < sizeof path; k++)
		path[k] = *p++;
	path[k] = '\0';
	if ((c->type = ioc_stix_path(path, &c->family)) == IOC_NTYPES) {
		*why = "an object or property other than file hashes and "
		    "name, ipv4-addr, ipv6-addr, domain-name or url";
		return -1;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '=' || p[1] == '=') {
		*why = "a comparison other than '='";
		return -1;
	}
	p++;
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '\'' || (c->value = ioc_stix_string(&p)) == NULL) {
		*why = "a value that is not a plain string";
		return -1;
	}
	*pp = p;
	return 0;
}

/*
 * Read a pattern into comparisons (at most IOC_CMP_MAX): brackets and
 * parentheses balanced, comparisons "PATH = 'VALUE'" joined by AND and
 * OR. *and set when AND occurs. The number read, or -1 with why.
 */
static int
ioc_stix_parse(const char *p, struct ioc_cmp *c, int *and, const char **why)
{
	/* Parentheses inside an observation and around observations. */
	int		 n = 0, brack = 0, pin = 0, pout = 0, operand = 1;
	size_t		 kw;

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
		if (n == IOC_CMP_MAX) {
			*why = "too many comparisons";
			goto bad;
		}
		if (ioc_stix_cmp(&p, &c[n], why) == -1)
			goto bad;
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
int
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
			/* Python's \d and \D are a plain 'd' to glibc: a
			   different regex, refused rather than misread. */
			if ((p[1] >= '1' && p[1] <= '9') || p[1] == 'd' ||
			    p[1] == 'D')
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

/*
 * Whether a repeated group holds a repeated group, or is repeated twice,
 * or more than IOC_REGEX_GROUPS groups are repeated: regcomp's time grows
 * as a power of their depth or number when what they hold can match
 * empty ("(((^|a)+)+)+", "((()+)+)+", "(^|a)+" 16 times: seconds for 40
 * bytes, found by fuzz_ioc). inner[d]: level d holds a repeated group; group, rep:
 * the last atom is a group, holding (or being) a repeated one.
 */
static int
ioc_regex_nested(const char *p)
{
	unsigned char	inner[IOC_REGEX_DEPTH + 1];
	int		d = 0, group = 0, rep = 0, nrep = 0;
	size_t		n;

	inner[0] = 0;
	for (; *p != '\0'; p++) {
		if (strchr("*+?{", *p) != NULL) {
			if (group && rep)
				return 1;
			if (group && ++nrep > IOC_REGEX_GROUPS)
				return 1;
			if (group)
				inner[d] = rep = 1;
			if (*p == '{' && p[n = strcspn(p, "}")] == '\0')
				return 1;
			if (*p == '{')
				p += n;
			continue;
		}
		group = rep = 0;
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '[' && (p = ioc_regex_bracket(p)) == NULL)
			return 1;
		else if (*p == '(') {
			if (d == IOC_REGEX_DEPTH)
				return 1;
			inner[++d] = 0;
		} else if (*p == ')' && d > 0) {
			group = 1;
			rep = inner[d--];
			inner[d] |= rep;
		}
	}
	return 0;
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
	if (!util_utf8_valid(text) || ioc_regex_nested(text) ||
	    ioc_regex_cost(text) == SIZE_MAX) {
		free(text);
		*why = "regex not UTF-8, with a back-reference, repeated "
		    "groups in repeated groups, or repetitions that would take "
		    "too much memory";
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
	char		*c, *v;
	int		 rc;

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
	e.pub.value = v = xstrndup(line, n);
	e.pub.id = id;
	c = xasprintf("%s%sscore %.*s", comment ? comment : "",
	    comment ? ", " : "", (int)(fp ? (size_t)(fp - score) :
	    strlen(score)), score);
	e.pub.comment = c;
	e.scanned = 1;
	rc = ioc_push(l, &e);
	free(v);
	free(c);
	return rc;
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
int
ioc_loki(struct ioc_load *l, char *text)
{
	char		*line, *next, *end, id[IOC_TEXT_MAX + 32], digits[24];
	const char	*comment = NULL;
	size_t		 lineno = 0, plen, n, k, i;
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
	/* Ids "FILE:LINE": the prefix once, the number per line (a
	   snprintf a line was a quarter of loading 100,000 hashes). */
	plen = (size_t)snprintf(id, sizeof id, "%.*s:", IOC_TEXT_MAX,
	    l->event);
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
		for (n = lineno, k = 0; k == 0 || n > 0; n /= 10)
			digits[k++] = (char)('0' + n % 10);
		for (i = 0; i < k; i++)
			id[plen + i] = digits[k - 1 - i];
		id[plen + k] = '\0';
		if (kind == LOKI_HASH)
			rc = ioc_loki_hash(l, line, id, lineno);
		else if (kind == LOKI_FILENAME)
			rc = ioc_loki_filename(l, line, id, comment);
		else
			rc = ioc_loki_c2(l, line, id, comment);
	}
	return rc;
}

