/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * procmem: the one /proc/PID/maps line parser (files, anonymous and
 * special mappings, deleted files, memfd, names with spaces, malformed
 * lines), this process's own maps parsed whole, and its memory read in
 * blocks that each name their mapping.
 */
#include <sys/mman.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procmem.h"
#include "util.h"
#include "unit.h"

static void
test_procmap_lines(void)
{
	struct procmap	m;
	char		l[512];

	strcpy(l, "55d0c1a00000-55d0c1a28000 r-xp 00002000 fe:01 1311 "
	    "   /usr/bin/cat\n");
	CHECK(procmap_parse(l, &m) == 0);
	CHECK(m.start == 0x55d0c1a00000ULL && m.end == 0x55d0c1a28000ULL);
	CHECK(m.offset == 0x2000 && m.dev_major == 0xfe && m.dev_minor == 1);
	CHECK(m.inode == 1311);
	CHECK_STR(m.perms, "r-xp");
	CHECK_STR(m.path, "/usr/bin/cat");
	CHECK(!m.deleted && !m.memfd);

	strcpy(l, "7f00000000-7f00001000 rw-p 00000000 00:00 0 ");
	CHECK(procmap_parse(l, &m) == 0);
	CHECK_STR(m.path, "");
	strcpy(l, "7ffc0000-7ffc2000 rw-p 00000000 00:00 0   [stack]");
	CHECK(procmap_parse(l, &m) == 0);
	CHECK_STR(m.path, "[stack]");

	strcpy(l, "1000-2000 r-xp 00000000 08:01 77 /tmp/evil lib.so "
	    "(deleted)");
	CHECK(procmap_parse(l, &m) == 0);
	CHECK_STR(m.path, "/tmp/evil lib.so");
	CHECK(m.deleted && !m.memfd);

	strcpy(l, "1000-2000 rwxs 00000000 00:01 9 /memfd:payload (deleted)");
	CHECK(procmap_parse(l, &m) == 0);
	CHECK_STR(m.path, "/memfd:payload");
	CHECK(m.deleted && m.memfd);

	/* Not a deleted file: the suffix only on an anonymous name. */
	strcpy(l, "1000-2000 r--p 00000000 00:00 0 [anon: (deleted)]");
	CHECK(procmap_parse(l, &m) == 0 && !m.deleted);

	strcpy(l, "");
	CHECK(procmap_parse(l, &m) == -1);
	strcpy(l, "2000-1000 r-xp 00000000 08:01 77 /x");
	CHECK(procmap_parse(l, &m) == -1);
	strcpy(l, "1000-2000 r-xpq 00000000 08:01 77 /x");
	CHECK(procmap_parse(l, &m) == -1);
	strcpy(l, "1000-2000 r-xp 00000000 08:01");
	CHECK(procmap_parse(l, &m) == -1);
	strcpy(l, "zz-2000 r-xp 00000000 08:01 77 /x");
	CHECK(procmap_parse(l, &m) == -1);
}

static void
test_procmap_self(void)
{
	struct procmap	 m;
	char		*buf, *line, *next;
	int		 fd, n = 0, bad = 0, exec = 0;

	CHECK((fd = open("/proc/self/maps", O_RDONLY)) != -1);
	if (fd == -1)
		return;
	buf = util_read_fd(fd, 16U << 20, NULL, NULL);
	close(fd);
	CHECK(buf != NULL);
	for (line = buf; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (procmap_parse(line, &m) == -1)
			bad++;
		else {
			n++;
			if (m.perms[2] == 'x' && strstr(m.path, "test_procmem"))
				exec++;
		}
	}
	CHECK(n > 5 && bad == 0 && exec == 1);
	free(buf);
}

/*
 * The blocks of this process: each lies in the mapping procmem_map
 * names, and the page holding a marker in an anonymous RWX mapping is
 * read with it; procmem_maps is the maps text, whole.
 */
static void
test_procmem_blocks(void)
{
	YR_MEMORY_BLOCK_ITERATOR	*it;
	YR_MEMORY_BLOCK			*b;
	const struct procmap		*m;
	struct procmem			*pm;
	const uint8_t			*d;
	unsigned char			*rwx;
	const char			*maps;
	size_t				 len;
	int				 inside = 1, found = 0, anon = 0;

	rwx = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE | PROT_EXEC,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(rwx != MAP_FAILED);
	if (rwx == MAP_FAILED)
		return;
	memcpy(rwx + 8192 + 7, "procmem-marker", 14);
	CHECK((pm = procmem_new(getpid(), 1ULL << 30)) != NULL);
	if (pm == NULL)
		return;
	CHECK(procmem_map(pm) == NULL);
	maps = procmem_maps(pm, &len);
	CHECK(maps != NULL && len == strlen(maps) && len > 0 &&
	    maps[len - 1] == '\n');
	it = procmem_iterator(pm);
	for (b = it->first(it); b != NULL; b = it->next(it)) {
		m = procmem_map(pm);
		if (m == NULL || b->base < m->start ||
		    b->base + b->size > m->end) {
			inside = 0;
			continue;
		}
		if (b->base > (uint64_t)(uintptr_t)(rwx + 8192) ||
		    b->base + b->size <= (uint64_t)(uintptr_t)(rwx + 8192))
			continue;
		anon = strcmp(m->perms, "rwxp") == 0 && m->path[0] == '\0';
		d = b->fetch_data(b);
		found = d != NULL && memcmp(d + ((uintptr_t)(rwx + 8192 + 7) -
		    b->base), "procmem-marker", 14) == 0;
	}
	CHECK(inside);
	CHECK(anon && found);
	procmem_free(pm);
	munmap(rwx, 1 << 16);
}

int
main(void)
{
	UNIT_RUN(test_procmap_lines);
	UNIT_RUN(test_procmap_self);
	UNIT_RUN(test_procmem_blocks);
	return unit_any_failed;
}
