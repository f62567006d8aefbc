/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The guard (guard.h): one call at a time on the thread workers.c keeps
 * for it, waited for in slices of GUARD_POLL_MS; the owner decides, from
 * how long it has not moved, when it is given up on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guard.h"
#include "util.h"
#include "workers.h"

struct guard {
	struct workers_guard	*wg;		/* NULL until a call */
	guard_give_up_fn	*give_up;
	void			*arg;
	int			 nstuck;
};

struct guard *
guard_new(guard_give_up_fn *give_up, void *arg)
{
	struct guard	*g;

	g = xcalloc(1, sizeof *g);
	g->give_up = give_up;
	g->arg = arg;
	return g;
}

void
guard_free(struct guard *g)
{
	if (g == NULL)
		return;
	workers_guard_free(g->wg);
	free(g);
}

int
guard_nstuck(const struct guard *g)
{
	return g != NULL ? g->nstuck : 0;
}

static struct workers_guard *
guard_thread(struct guard *g)
{
	if (g->wg == NULL)
		g->wg = workers_guard_new();
	return g->wg;
}

/*
 * Wait for the call. 1: it returned (*ret, errno set from it); 0: given
 * up on, its thread dropped, *idle the seconds it was blocked.
 */
static int
guard_wait(struct guard *g, long long *ret, struct stat *st,
    const unsigned char **buf, double *idle)
{
	struct timespec	t0, t1;
	int		err;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (workers_guard_wait(g->wg, GUARD_POLL_MS, ret, &err, st,
		    buf) == 1) {
			errno = err;
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		*idle = (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (g->give_up(g->arg, *idle))
			break;
	}
	workers_guard_abandon(g->wg);
	g->wg = NULL;
	g->nstuck++;
	return 0;
}

int
guard_open(struct guard *g, int rootfd, const char *path, struct stat *st,
    double *idle)
{
	long long	ret;

	workers_guard_open(guard_thread(g), rootfd, path);
	if (guard_wait(g, &ret, st, NULL, idle) == 1)
		return (int)ret;
	return -2;
}

ssize_t
guard_pread(void *arg, int fd, void *buf, size_t len, off_t off, char *why,
    size_t whylen)
{
	struct guard		*g = arg;
	const unsigned char	*p;
	long long		 ret;
	double			 idle;

	workers_guard_pread(guard_thread(g), fd, len, off);
	if (guard_wait(g, &ret, NULL, &p, &idle) == 0) {
		snprintf(why, whylen, "abandoned: read blocked for %d s",
		    (int)(idle + 0.5));
		return -1;
	}
	if (ret > 0)
		memcpy(buf, p, (size_t)ret);
	return (ssize_t)ret;
}
