/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests: the run lock. Held once per tree (or live system), the
 * second taker learns the holder's pid, another tree is free, and closing
 * the socket (what exit does) releases it. Nothing is written to disk.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "lock.h"
#include "unit.h"

static char	dir_a[PATH_MAX], dir_b[PATH_MAX];

static void
test_lock_tree(void)
{
	pid_t	holder = -1;
	int	fd, fd2;

	fd = lock_take(dir_a, &holder);
	CHECK(fd >= 0);
	CHECK(holder == 0);
	fd2 = lock_take(dir_a, &holder);
	CHECK(fd2 == -1);
	CHECK(holder == getpid());
	/* The same tree by another name is the same lock. */
	{
		char	alias[PATH_MAX + 8];

		snprintf(alias, sizeof alias, "%s/.", dir_a);
		CHECK(lock_take(alias, &holder) == -1);
	}
	fd2 = lock_take(dir_b, &holder);
	CHECK(fd2 >= 0);
	close(fd2);
	close(fd);
	fd = lock_take(dir_a, &holder);
	CHECK(fd >= 0);
	close(fd);
}

static void
test_lock_nothing_on_disk(void)
{
	char	cmd[PATH_MAX + 32];
	pid_t	holder;
	int	fd;

	fd = lock_take(dir_b, &holder);
	CHECK(fd >= 0);
	/* Both temporary directories are still empty. */
	snprintf(cmd, sizeof cmd, "test -z \"$(ls -A %s)\"", dir_b);
	CHECK(system(cmd) == 0);
	close(fd);
}

int
main(void)
{
	const char	*tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	if (sodium_init() == -1)
		return 1;
	snprintf(dir_a, sizeof dir_a, "%s/cc-lock-a.XXXXXX", tmp);
	snprintf(dir_b, sizeof dir_b, "%s/cc-lock-b.XXXXXX", tmp);
	if (mkdtemp(dir_a) == NULL || mkdtemp(dir_b) == NULL)
		return 1;
	UNIT_RUN(test_lock_tree);
	UNIT_RUN(test_lock_nothing_on_disk);
	rmdir(dir_a);
	rmdir(dir_b);
	UNIT_EXIT();
}
