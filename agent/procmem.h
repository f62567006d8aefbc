/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * A process's memory as libyara memory blocks. Only the readable
 * mappings, and in them only the pages that are in memory or in swap
 * (/proc/PID/pagemap): a mapping of a terabyte reserved and never
 * touched costs nothing and hides nothing mapped after it. Blocks are
 * read through /proc/PID/mem, at most PROCMEM_CHUNK bytes at a time and
 * at most a budget per process.
 */
#ifndef PROCMEM_H
#define PROCMEM_H

#include <stdint.h>

#include <yara.h>

#define PROCMEM_CHUNK	(16U << 20)	/* bytes read and held at once */

struct procmem;

/*
 * One line of /proc/PID/maps, parsed in place. path points into the line
 * (NUL-terminated, "" for an anonymous mapping, "[heap]", "[stack]"…);
 * deleted is set and the " (deleted)" suffix cut when the kernel marks
 * the file gone; memfd when the path is "/memfd:NAME".
 */
struct procmap {
	uint64_t	 start, end, offset, inode;
	unsigned int	 dev_major, dev_minor;
	char		 perms[5];	/* "r-xp" */
	const char	*path;
	int		 deleted, memfd;
};

/* 0, or -1 when the line is not a maps line. */
int		 procmap_parse(char *, struct procmap *);

/*
 * Open the memory of pid for reading (fails as open does: ESRCH,
 * EACCES…). budget caps the bytes read. NULL with errno set.
 */
struct procmem	*procmem_new(int, uint64_t);
void		 procmem_free(struct procmem *);
/* The iterator for yr_scanner_scan_mem_blocks (owned by pm). */
YR_MEMORY_BLOCK_ITERATOR *procmem_iterator(struct procmem *);
/* After a scan: bytes read, bytes of pages not present (skipped). */
uint64_t	 procmem_read(struct procmem *);
uint64_t	 procmem_skipped(struct procmem *);
/* Whether the budget stopped the reading before the end. */
int		 procmem_cut(struct procmem *);
/*
 * The mapping the last block returned by the iterator lies in (owned by
 * pm, valid until the next block), or NULL before the first block. A
 * block never spans two mappings.
 */
const struct procmap *procmem_map(struct procmem *);
/*
 * The text of /proc/PID/maps as read by procmem_new (the one reading the
 * blocks follow; NUL-terminated, owned by pm); *lenp gets its length.
 */
const char	*procmem_maps(struct procmem *, size_t *);

#endif
