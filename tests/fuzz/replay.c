/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Replay driver: runs a fuzz target's LLVMFuzzerTestOneInput on every
 * file of its corpus, without libFuzzer, so that `make check` (and
 * `make check-asan`, under the sanitizers) replays the corpora with the
 * normal compiler. Prints "PASS fuzz/NAME: …" or "FAIL fuzz/NAME: …"
 * for tests/run.sh; a crash shows the input it was on ("# replaying").
 *
 * usage: replay_NAME NAME DIR|FILE...
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define REPLAY_MAX	(16U << 20)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* One input; 0, or -1 when it cannot be read. */
static int
replay_file(const char *name, const char *path)
{
	char	*data;
	size_t	 len;
	int	 fd, trunc;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		printf("FAIL fuzz/%s: %s: %s\n", name, path, strerror(errno));
		return -1;
	}
	data = util_read_fd(fd, REPLAY_MAX, &len, &trunc);
	close(fd);
	if (data == NULL || trunc) {
		printf("FAIL fuzz/%s: %s: %s\n", name, path, data == NULL ?
		    strerror(errno) : "larger than 16 MiB");
		free(data);
		return -1;
	}
	printf("# replaying %s\n", path);
	fflush(stdout);
	/* A copy of exactly len bytes, so ASan sees a read past the end. */
	{
		uint8_t	*exact = xmalloc(len > 0 ? len : 1);

		memcpy(exact, data, len);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	free(data);
	return 0;
}

static int
replay_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	struct dirent	 *de;
	struct stat	  st;
	DIR		 *d;
	char		**v = NULL, *path;
	size_t		  n = 0, i, done = 0;
	int		  a, bad = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s NAME DIR|FILE...\n", argv[0]);
		return 2;
	}
	for (a = 2; a < argc; a++) {
		if (stat(argv[a], &st) == -1 || !S_ISDIR(st.st_mode)) {
			v = xreallocarray(v, n + 1, sizeof *v);
			v[n++] = xstrdup(argv[a]);
			continue;
		}
		if ((d = opendir(argv[a])) == NULL) {
			printf("FAIL fuzz/%s: %s: %s\n", argv[1], argv[a],
			    strerror(errno));
			return 1;
		}
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			v = xreallocarray(v, n + 1, sizeof *v);
			v[n++] = xasprintf("%s/%s", argv[a], de->d_name);
		}
		closedir(d);
	}
	qsort(v, n, sizeof *v, replay_cmp);
	for (i = 0; i < n; i++) {
		path = v[i];
		if (replay_file(argv[1], path) == 0)
			done++;
		else
			bad = 1;
		free(path);
	}
	free(v);
	if (done == 0 && !bad) {
		printf("FAIL fuzz/%s: empty corpus\n", argv[1]);
		return 1;
	}
	if (!bad)
		printf("PASS fuzz/%s: replayed %zu inputs\n", argv[1], done);
	return bad;
}
