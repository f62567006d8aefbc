/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * A process's memory as libyara memory blocks. See procmem.h. libyara's
 * own process iterator reads every byte of every readable mapping: a
 * process that reserves a few hundred gigabytes it never touches makes
 * the scan read zeros until its timeout and never reach what is mapped
 * after them. Here /proc/PID/pagemap says which pages exist (bit 63: in
 * memory, bit 62: in swap); the others are skipped, counted, and never
 * read. Where pagemap cannot be read, every page is read, as before,
 * still within the budget.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procmem.h"
#include "util.h"

#define PROCMEM_MAPS_MAX	(16U << 20)	/* 65,530 mappings fit */
#define PROCMEM_BATCH		512		/* pagemap entries a read */
#define PROCMEM_PRESENT		(3ULL << 62)	/* in memory or in swap */

struct procmem {
	YR_MEMORY_BLOCK_ITERATOR it;
	YR_MEMORY_BLOCK		 block;
	int			 mem, pagemap;
	char			*maps, *line;	/* the next maps line */
	char			*raw;		/* maps as read */
	size_t			 rawlen;
	struct procmap		 map;		/* the current mapping */
	uint64_t		 at, end;	/* rest of the mapping */
	uint64_t		 budget, read, skipped;
	int			 cut;
	uint64_t		 page;
	unsigned char		*buf;
};

static int
procmem_open(int pid, const char *what)
{
	char	path[64];

	snprintf(path, sizeof path, "/proc/%d/%s", pid, what);
	return open(path, O_RDONLY | O_CLOEXEC);
}

struct procmem *
procmem_new(int pid, uint64_t budget)
{
	struct procmem	*pm;
	int		 fd, saved;

	pm = xcalloc(1, sizeof *pm);
	pm->pagemap = -1;
	if ((pm->mem = procmem_open(pid, "mem")) == -1 ||
	    (fd = procmem_open(pid, "maps")) == -1) {
		saved = errno;
		procmem_free(pm);
		errno = saved;
		return NULL;
	}
	pm->raw = util_read_fd(fd, PROCMEM_MAPS_MAX, &pm->rawlen, NULL);
	close(fd);
	if (pm->raw == NULL) {
		saved = errno;
		procmem_free(pm);
		errno = saved;
		return NULL;
	}
	/* Parsed in place: the text as read is kept for procmem_maps. */
	pm->maps = xmalloc(pm->rawlen + 1);
	memcpy(pm->maps, pm->raw, pm->rawlen + 1);
	pm->line = pm->maps;
	pm->pagemap = procmem_open(pid, "pagemap");
	pm->page = (uint64_t)sysconf(_SC_PAGESIZE);
	pm->budget = budget;
	pm->buf = xmalloc(PROCMEM_CHUNK);
	return pm;
}

void
procmem_free(struct procmem *pm)
{
	if (pm == NULL)
		return;
	if (pm->mem != -1)
		close(pm->mem);
	if (pm->pagemap != -1)
		close(pm->pagemap);
	free(pm->maps);
	free(pm->raw);
	free(pm->buf);
	free(pm);
}

int
procmap_parse(char *line, struct procmap *m)
{
	static const char	 del[] = " (deleted)";
	char			*p, *q;
	int			 n = 0;
	size_t			 len;

	memset(m, 0, sizeof *m);
	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %"
	    SCNu64 "%n", &m->start, &m->end, m->perms, &m->offset,
	    &m->dev_major, &m->dev_minor, &m->inode, &n) != 7 || n == 0 ||
	    m->end < m->start || strlen(m->perms) != 4)
		return -1;
	p = line + n;
	/* The path starts after the spaces that pad the columns. */
	while (*p == ' ' || *p == '\t')
		p++;
	if ((q = strchr(p, '\n')) != NULL)
		*q = '\0';
	len = strlen(p);
	if (len >= sizeof del - 1 && p[0] == '/' &&
	    strcmp(p + len - (sizeof del - 1), del) == 0) {
		p[len - (sizeof del - 1)] = '\0';
		m->deleted = 1;
	}
	m->memfd = strncmp(p, "/memfd:", 7) == 0;
	m->path = p;
	return 0;
}

/* The next readable mapping into at, end and map. 0 when there is none. */
static int
procmem_advance(struct procmem *pm)
{
	struct procmap	*m = &pm->map;
	char		*line;

	while ((line = pm->line) != NULL && *line != '\0') {
		if ((pm->line = strchr(line, '\n')) != NULL)
			*pm->line++ = '\0';
		/* [vvar] cannot be read through mem: skip it. */
		if (procmap_parse(line, m) == -1 || m->perms[0] != 'r' ||
		    m->end <= m->start || strcmp(m->path, "[vvar]") == 0)
			continue;
		pm->at = m->start;
		pm->end = m->end;
		return 1;
	}
	return 0;
}

/*
 * From addr, the first page whose presence is not present (so, with
 * present 0: the first page in memory or swap), or end.
 */
static uint64_t
procmem_scan(struct procmem *pm, uint64_t addr, uint64_t end, int present)
{
	uint64_t	e[PROCMEM_BATCH];
	size_t		i, n;
	ssize_t		got;

	if (pm->pagemap == -1)
		return present ? end : addr;
	while (addr < end) {
		n = (size_t)((end - addr) / pm->page);
		if (n > PROCMEM_BATCH)
			n = PROCMEM_BATCH;
		got = pread(pm->pagemap, e, n * sizeof *e,
		    (off_t)(addr / pm->page * sizeof *e));
		if (got <= 0) {		/* unreadable: read the pages */
			close(pm->pagemap);
			pm->pagemap = -1;
			return present ? end : addr;
		}
		n = (size_t)got / sizeof *e;
		for (i = 0; i < n; i++, addr += pm->page)
			if (((e[i] & PROCMEM_PRESENT) != 0) != present)
				return addr;
	}
	return end;
}

static const uint8_t *
procmem_fetch(YR_MEMORY_BLOCK *b)
{
	struct procmem	*pm = b->context;
	size_t		 off = 0;
	ssize_t		 n;

	while (off < b->size) {
		n = pread(pm->mem, pm->buf + off, b->size - off,
		    (off_t)(b->base + off));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (off == 0)
		return NULL;		/* libyara skips the block */
	/* A mapping that shrank while read: the rest as zeros. */
	memset(pm->buf + off, 0, b->size - off);
	pm->read += off;
	return pm->buf;
}

static YR_MEMORY_BLOCK *
procmem_next(YR_MEMORY_BLOCK_ITERATOR *it)
{
	struct procmem	*pm = it->context;
	uint64_t	 start, stop, max;

	it->last_error = ERROR_SUCCESS;
	for (;;) {
		if (pm->at >= pm->end && !procmem_advance(pm))
			return NULL;
		start = procmem_scan(pm, pm->at, pm->end, 0);
		pm->skipped += start - pm->at;
		pm->at = start;
		if (start >= pm->end)
			continue;
		if (pm->budget == 0) {
			pm->cut = 1;
			return NULL;
		}
		max = pm->end - start;
		if (max > PROCMEM_CHUNK)
			max = PROCMEM_CHUNK;
		if (max > pm->budget)
			max = pm->budget;
		stop = procmem_scan(pm, start, start + max, 1);
		pm->budget -= stop - start;
		pm->at = stop;
		pm->block.base = start;
		pm->block.size = (size_t)(stop - start);
		pm->block.context = pm;
		pm->block.fetch_data = procmem_fetch;
		return &pm->block;
	}
}

static YR_MEMORY_BLOCK *
procmem_first(YR_MEMORY_BLOCK_ITERATOR *it)
{
	return procmem_next(it);
}

YR_MEMORY_BLOCK_ITERATOR *
procmem_iterator(struct procmem *pm)
{
	pm->it.context = pm;
	pm->it.first = procmem_first;
	pm->it.next = procmem_next;
	pm->it.file_size = NULL;
	pm->it.last_error = ERROR_SUCCESS;
	return &pm->it;
}

uint64_t
procmem_read(struct procmem *pm)
{
	return pm->read;
}

uint64_t
procmem_skipped(struct procmem *pm)
{
	return pm->skipped;
}

int
procmem_cut(struct procmem *pm)
{
	return pm->cut;
}

const struct procmap *
procmem_map(struct procmem *pm)
{
	return pm->map.path != NULL ? &pm->map : NULL;
}

const char *
procmem_maps(struct procmem *pm, size_t *lenp)
{
	*lenp = pm->rawlen;
	return pm->raw;
}
