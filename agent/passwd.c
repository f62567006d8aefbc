/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The one passwd and group reader (see passwd.h): a bounded read of a
 * file opened without following links, a strict line parser, and an
 * index by id for name lookups.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "passwd.h"
#include "util.h"

struct passwd_index {
	unsigned int	 id;
	size_t		 i;		/* in v, so in file order */
};

int
passwd_parse_line(char *line, int group, struct passwd_entry *e)
{
	char		*f[7];
	size_t		 i, nf = group ? 4 : 7;
	long long	 id, gid = 0;

	memset(e, 0, sizeof *e);
	line[strcspn(line, "\r\n")] = '\0';
	for (i = 0; i < nf; i++)
		f[i] = strsep(&line, ":");
	/* Too few fields leave a NULL, too many leave the rest in line. */
	if (f[nf - 1] == NULL || line != NULL || *f[0] == '\0')
		return -1;
	if (util_parse_int(f[2], 0, UINT32_MAX, &id) == -1 ||
	    (!group && util_parse_int(f[3], 0, UINT32_MAX, &gid) == -1))
		return -1;
	e->name = f[0];
	e->passwd = f[1];
	e->id = (unsigned int)id;
	e->gid = group ? (unsigned int)id : (unsigned int)gid;
	e->gecos = group ? "" : f[4];
	e->dir = group ? "" : f[5];
	e->shell = group ? "" : f[6];
	e->members = group ? f[3] : "";
	return 0;
}

/* By id, then by line: the first line of an id comes first. */
static int
passwd_index_cmp(const void *a, const void *b)
{
	const struct passwd_index	*x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static void
passwd_add(struct passwd_file *pf, const struct passwd_entry *e,
    size_t *cap)
{
	if (pf->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		pf->v = xreallocarray(pf->v, *cap, sizeof *pf->v);
	}
	pf->v[pf->n++] = *e;
}

void
passwd_parse(struct passwd_file *pf, char *text, size_t len, int group)
{
	struct passwd_entry	 e;
	char			*p = text, *end = text + len, *nl;
	size_t			 llen, lineno, cap = 0, i;

	memset(pf, 0, sizeof *pf);
	pf->text = text;
	for (lineno = 1; p < end; lineno++, p += llen + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		llen = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		p[llen] = '\0';		/* the '\n', or the NUL after text */
		if (llen == 0 || *p == '#')
			continue;
		if (memchr(p, '\0', llen) == NULL &&
		    passwd_parse_line(p, group, &e) == 0) {
			e.line = lineno;
			passwd_add(pf, &e, &cap);
		} else if (pf->bad++ == 0)
			pf->first_bad = lineno;
	}
	if (pf->n == 0)
		return;
	pf->byid = xreallocarray(NULL, pf->n, sizeof *pf->byid);
	for (i = 0; i < pf->n; i++) {
		pf->byid[i].id = pf->v[i].id;
		pf->byid[i].i = i;
	}
	qsort(pf->byid, pf->n, sizeof *pf->byid, passwd_index_cmp);
}

int
passwd_load(struct passwd_file *pf, int fd, int group)
{
	char	*text;
	size_t	 len;
	int	 trunc;

	memset(pf, 0, sizeof *pf);
	if ((text = util_read_fd(fd, PASSWD_FILE_MAX, &len, &trunc)) == NULL)
		return -1;
	passwd_parse(pf, text, len, group);
	pf->truncated = trunc;
	return 0;
}

const struct passwd_entry *
passwd_lookup(const struct passwd_file *pf, unsigned int id)
{
	size_t	lo = 0, hi = pf->n, mid;

	/* The first index entry of id: lo ends on it when it is there. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (pf->byid[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < pf->n && pf->byid[lo].id == id)
		return &pf->v[pf->byid[lo].i];
	return NULL;
}

void
passwd_free(struct passwd_file *pf)
{
	if (pf == NULL)
		return;
	free(pf->text);
	free(pf->v);
	free(pf->byid);
	memset(pf, 0, sizeof *pf);
}
