/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The kernel collector's parsers (declared in kernel.h): /dev/kmsg
 * records, eBPF fd links and fdinfo, binfmt_misc handlers, AppArmor
 * profile lines. No system access here: see kernel.c for the reading.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "live.h"
#include "util.h"

/* An unsigned decimal of the whole of s (no sign, no space). 0 or -1. */
static int
kernel_decimal(const char *s, unsigned long long *out)
{
	char	*end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	return 0;
}

/* The prefix "prio,seq,usec,flags[,…]" (NUL-terminated). 0 or -1. */
static int
kernel_kmsg_prefix(char *p, struct kernel_kmsg *k)
{
	unsigned long long	 prio;
	char			*f[4];
	size_t			 n;

	for (n = 0; n < 4; n++) {
		f[n] = p;
		if ((p = strchr(p, ',')) != NULL)
			*p++ = '\0';
		else if (n < 3)
			return -1;
		else
			break;
	}
	/* Later kernels may add ",caller=…" and so on: ignored. */
	if (kernel_decimal(f[0], &prio) == -1 || prio > 0xffffff ||
	    kernel_decimal(f[1], &k->seq) == -1 ||
	    kernel_decimal(f[2], &k->usec) == -1 || strlen(f[3]) > 1)
		return -1;
	k->facility = (unsigned int)(prio >> 3);
	k->level = (unsigned int)(prio & 7);
	k->flags = f[3][0] != '\0' ? f[3][0] : '-';
	return 0;
}

int
kernel_parse_kmsg(char *rec, size_t len, struct kernel_kmsg *k)
{
	char	*semi, *nl, *line, *end = rec + len;

	memset(k, 0, sizeof *k);
	if (len == 0 || (semi = memchr(rec, ';', len)) == NULL ||
	    memchr(rec, '\0', semi - rec) != NULL || semi - rec > 64)
		return -1;
	*semi = '\0';
	if (kernel_kmsg_prefix(rec, k) == -1)
		return -1;
	k->message = semi + 1;
	if ((nl = memchr(k->message, '\n', end - k->message)) == NULL)
		nl = end;
	k->message_len = nl - k->message;
	/* The caller's buffer has room for the NUL (kernel.c, the tests). */
	*nl = '\0';
	for (line = nl + 1; line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', end - line)) == NULL)
			nl = end;
		*nl = '\0';
		/* A continuation line starts with a space. */
		if (*line != ' ' || line[1] == '\0')
			continue;
		if (k->nfields < KERNEL_KMSG_FIELDS)
			k->field[k->nfields++] = line + 1;
		else
			k->fields_dropped++;
	}
	return 0;
}

const char *
kernel_level_name(unsigned int level)
{
	static const char *const names[] = { "emerg", "alert", "crit", "err",
	    "warning", "notice", "info", "debug" };

	return names[level & 7];
}

const char *
kernel_facility_name(unsigned int fac)
{
	static const char *const names[] = { "kern", "user", "mail",
	    "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
	    "authpriv", "ftp", "ntp", "security", "console", "solaris-cron",
	    "local0", "local1", "local2", "local3", "local4", "local5",
	    "local6", "local7" };

	return fac < nitems(names) ? names[fac] : NULL;
}

const char *
kernel_bpf_kind(const char *link)
{
	static const struct {
		const char	*name;
		const char	*kind;
	} kinds[] = {
		{ "bpf-prog", "prog" }, { "bpf_prog", "prog" },
		{ "bpf-map", "map" }, { "bpf_map", "map" },
		{ "bpf_link", "link" }, { "bpf-link", "link" },
		{ "bpf_iter", "iter" }, { "bpf-iter", "iter" },
		{ "bpf-token", "token" }, { "bpf_token", "token" },
	};
	const char	*p;
	size_t		 i, n;

	if (strncmp(link, "anon_inode:", 11) != 0)
		return NULL;
	p = link + 11;
	n = strlen(p);
	/* Some kernels print "anon_inode:[name]". */
	if (n >= 2 && p[0] == '[' && p[n - 1] == ']') {
		p++;
		n -= 2;
	}
	for (i = 0; i < nitems(kinds); i++)
		if (strlen(kinds[i].name) == n &&
		    memcmp(kinds[i].name, p, n) == 0)
			return kinds[i].kind;
	return NULL;
}

/*
 * Whether an fdinfo value is a number: decimal without a leading zero
 * ("flags: 02000002" is octal) and not a tag ("prog_tag" is hex, which
 * may happen to hold only digits).
 */
static int
kernel_fdinfo_number(const char *key, const char *val, unsigned long long *v)
{
	size_t	n = strlen(key);

	if (n >= 3 && strcmp(key + n - 3, "tag") == 0)
		return 0;
	if (val[0] == '0' && val[1] != '\0')
		return 0;
	return kernel_decimal(val, v) == 0 && *v <= LLONG_MAX;
}

json_t *
kernel_parse_fdinfo(char *buf, size_t len, size_t max, size_t *badp)
{
	unsigned long long	 v;
	json_t			*o = json_object();
	char			*line, *colon, *val, *key;
	size_t			 pos = 0, bad = 0;

	while ((line = live_next_line(buf, len, &pos)) != NULL) {
		if (*line == '\0')
			continue;
		if ((colon = strchr(line, ':')) == NULL || colon == line) {
			bad++;
			continue;
		}
		*colon = '\0';
		val = colon + 1 + strspn(colon + 1, " \t");
		if (json_object_size(o) >= max)
			break;
		/* Keys are kernel names; a strange one is still kept. */
		if ((key = util_utf8_lossy(line)) == NULL)
			continue;
		if (kernel_fdinfo_number(key, val, &v))
			json_object_set_new(o, key, json_integer((json_int_t)v));
		else
			json_object_set_new(o, key, live_json_strz(val));
		free(key);
	}
	if (badp != NULL)
		*badp = bad;
	return o;
}

/* The value after "word " on a binfmt line, or NULL when it is another. */
static char *
kernel_binfmt_value(char *line, const char *word)
{
	size_t	n = strlen(word);

	if (strncmp(line, word, n) != 0 || (line[n] != ' ' &&
	    line[n] != ':' && line[n] != '\0'))
		return NULL;
	line += n;
	if (*line == ':')
		line++;
	return line + strspn(line, " ");
}

int
kernel_parse_binfmt(char *buf, size_t len, struct kernel_binfmt *b)
{
	long long	 off;
	char		*line, *v;
	size_t		 pos = 0;

	memset(b, 0, sizeof *b);
	b->enabled = -1;
	b->offset = -1;
	b->flags = "";
	while ((line = live_next_line(buf, len, &pos)) != NULL) {
		if (strcmp(line, "enabled") == 0)
			b->enabled = 1;
		else if (strcmp(line, "disabled") == 0)
			b->enabled = 0;
		else if ((v = kernel_binfmt_value(line, "interpreter")) != NULL)
			b->interpreter = v;
		else if ((v = kernel_binfmt_value(line, "flags")) != NULL)
			b->flags = v;
		else if ((v = kernel_binfmt_value(line, "offset")) != NULL) {
			if (util_parse_int(v, 0, INT_MAX, &off) == 0)
				b->offset = off;
		} else if ((v = kernel_binfmt_value(line, "magic")) != NULL)
			b->magic = v;
		else if ((v = kernel_binfmt_value(line, "mask")) != NULL)
			b->mask = v;
		else if ((v = kernel_binfmt_value(line, "extension")) != NULL)
			b->extension = v;
	}
	return b->enabled == -1 || b->interpreter == NULL ? -1 : 0;
}

int
kernel_parse_aa_profile(char *line, char **name, char **mode)
{
	char	*open;
	size_t	 n = strlen(line);

	if (n < 4 || line[n - 1] != ')' ||
	    (open = strrchr(line, '(')) == NULL || open == line ||
	    open[-1] != ' ' || open + 1 == line + n - 1)
		return -1;
	line[n - 1] = '\0';
	open[-1] = '\0';
	*name = line;
	*mode = open + 1;
	return 0;
}
