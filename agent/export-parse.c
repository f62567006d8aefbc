/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The small parsers and writers of export: a bodyfile line, an ISO 8601
 * time, a sha256sum line. Pure functions over bytes that came from an
 * archive (verified, but written on a hostile host), with unit tests and
 * a fuzz target.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "export.h"
#include "util.h"

/* A decimal (optionally negative) field of s..e, or -1 when it is not. */
static int
export_num(const char *s, const char *e, long long *out)
{
	long long	v = 0;
	int		neg = 0;

	if (s < e && *s == '-') {
		neg = 1;
		s++;
	}
	if (s == e || e - s > 18)
		return -1;
	for (; s < e; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = neg ? -v : v;
	return 0;
}

int
export_body_parse(char *line, size_t len, struct export_body *b)
{
	char		*bar[10], *p, *first;
	long long	*num[] = { &b->inode, NULL, &b->uid, &b->gid, &b->size,
			    &b->t[0], &b->t[1], &b->t[2], &b->t[3] };
	size_t		 i;
	int		 k;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	if ((first = memchr(line, '|', len)) == NULL)
		return -1;
	/* The last nine separators, from the right. */
	p = line + len;
	for (k = 9; k > 0; k--) {
		while (p > first && p[-1] != '|')
			p--;
		if (p == first)
			return -1;
		bar[k] = --p;
	}
	bar[0] = first;
	if (bar[1] == first || bar[1] == first + 1)
		return -1;	/* nine separators only, or an empty name */
	for (i = 0; i < 9; i++) {
		char	*s = bar[i + 1] + 1;
		char	*e = i == 8 ? line + len : bar[i + 2];

		if (num[i] == NULL) {
			*e = '\0';
			b->mode = s;
			continue;
		}
		if (export_num(s, e, num[i]) == -1)
			return -1;
	}
	*first = '\0';
	b->md5 = line;
	b->name = first + 1;
	b->namelen = (size_t)(bar[1] - first - 1);
	b->name[b->namelen] = '\0';
	return 0;
}

int
export_time_parse(const char *s, int64_t *usec)
{
	struct tm	tm;
	const char	*p;
	long		frac = 0, scale = 100000;
	int		n = 0;
	time_t		t;

	memset(&tm, 0, sizeof tm);
	if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
	    &n) != 6 || n != 19)
		return -1;
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60 || tm.tm_year < 1)
		return -1;
	p = s + n;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			frac += (*p - '0') * scale;
			scale /= 10;
		}
		if (p[-1] == '.')
			return -1;
	}
	if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon--;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	*usec = (int64_t)t * 1000000 + frac;
	return 0;
}

void
export_sha256_line(struct buf *b, const char *hex, const char *name,
    size_t len)
{
	size_t	i;
	int	esc = 0;

	for (i = 0; i < len; i++)
		if (name[i] == '\\' || name[i] == '\n' || name[i] == '\r')
			esc = 1;
	if (esc)
		buf_add(b, "\\", 1);
	buf_addstr(b, hex);
	buf_add(b, "  ", 2);
	for (i = 0; i < len; i++) {
		if (!esc)
			buf_add(b, name + i, 1);
		else if (name[i] == '\\')
			buf_add(b, "\\\\", 2);
		else if (name[i] == '\n')
			buf_add(b, "\\n", 2);
		else if (name[i] == '\r')
			buf_add(b, "\\r", 2);
		else
			buf_add(b, name + i, 1);
	}
	buf_add(b, "\n", 1);
}
