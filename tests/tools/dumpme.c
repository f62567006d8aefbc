/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * dumpme: a suspect process for the tests (t-procdump). It maps an
 * anonymous region readable, writable and executable (as injected code
 * would be), fills its pages and puts a marker in it, prints
 * "ready ADDRESS" (the marker's address, hex) and waits for a signal or
 * at most SECONDS.
 *
 * The marker written is the command-line MARKER reversed, so the binary
 * never holds it and its argv (on the stack) does not either: finding
 * it in a dump means the region itself was dumped.
 *
 * -p: run with LD_PRELOAD set to the C library it already has mapped
 * (harmless: loaded once either way), by re-executing itself.
 * -H: no anonymous region; a page of the heap made executable instead
 * (its mapping is named [heap], not anonymous in the maps text).
 *
 * usage: dumpme [-Hp] [-s SECONDS] MARKER
 */
#include <sys/mman.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DUMPME_SIZE	(1U << 20)	/* all pages touched */
#define DUMPME_AT	(3 * 4096 + 100)	/* the marker's offset */

/* The path of the C library mapped in this process, into out. */
static int
dumpme_libc(char *out, size_t size)
{
	FILE	*f;
	char	 line[PATH_MAX + 128], *p;
	int	 rc = -1;

	if ((f = fopen("/proc/self/maps", "r")) == NULL)
		return -1;
	while (rc == -1 && fgets(line, sizeof line, f) != NULL) {
		if ((p = strchr(line, '/')) == NULL || strstr(p, "/libc") ==
		    NULL || strstr(p, ".so") == NULL)
			continue;
		p[strcspn(p, "\n")] = '\0';
		if (strlen(p) < size) {
			strcpy(out, p);
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

int
main(int argc, char **argv)
{
	char		 lib[PATH_MAX];
	unsigned char	*m;
	const char	*marker;
	size_t		 len, i;
	int		 ch, heap = 0, preload = 0, secs = 300;

	while ((ch = getopt(argc, argv, "Hps:")) != -1) {
		switch (ch) {
		case 'H':
			heap = 1;
			break;
		case 'p':
			preload = 1;
			break;
		case 's':
			secs = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1)
		goto usage;
	marker = argv[optind];
	if (preload && getenv("LD_PRELOAD") == NULL) {
		if (dumpme_libc(lib, sizeof lib) == -1) {
			fprintf(stderr, "dumpme: no C library in my maps\n");
			return 1;
		}
		setenv("LD_PRELOAD", lib, 1);
		execv("/proc/self/exe", argv);
		perror("dumpme: execv");
		return 1;
	}
	len = strlen(marker);
	if (len == 0 || len > 256)
		goto usage;
	if (heap) {
		/* Below the mmap threshold: from the brk heap. */
		if ((m = aligned_alloc(4096, 4 * 4096)) == NULL ||
		    mprotect(m, 4 * 4096, PROT_READ | PROT_WRITE |
		    PROT_EXEC) == -1) {
			perror("dumpme: heap page");
			return 1;
		}
		for (i = 0; i < len; i++)
			m[4096 + i] = (unsigned char)marker[len - 1 - i];
		printf("ready %lx\n", (unsigned long)(m + 4096));
		fflush(stdout);
		sleep((unsigned int)secs);
		return 0;
	}
	m = mmap(NULL, DUMPME_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		perror("dumpme: mmap");
		return 1;
	}
	for (i = 0; i < DUMPME_SIZE; i++)
		m[i] = (unsigned char)(i * 131 + 7);
	for (i = 0; i < len; i++)
		m[DUMPME_AT + i] = (unsigned char)marker[len - 1 - i];
	printf("ready %lx\n", (unsigned long)(m + DUMPME_AT));
	fflush(stdout);
	sleep((unsigned int)secs);
	return 0;
usage:
	fprintf(stderr, "usage: dumpme [-Hp] [-s SECONDS] MARKER\n");
	return 2;
}
