/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The guard: the opens of files to collect and the reads of large ones,
 * made on a thread of their own (workers_guard, workers.h) and waited
 * for a bounded time, so that a file system that stops answering cannot
 * block the thread that writes the archive. A call its owner gives up
 * on is left in the kernel with its thread; the next call gets a new
 * one.
 */
#ifndef GUARD_H
#define GUARD_H

#include <sys/stat.h>
#include <sys/types.h>

struct guard;

/*
 * Whether to give up on a call that has not returned for idle seconds
 * (asked every GUARD_POLL_MS while it has not).
 */
typedef int	 guard_give_up_fn(void *, double);

#define GUARD_POLL_MS	200

/* A guard asking give_up(arg, …); its thread starts with its first call. */
struct guard	*guard_new(guard_give_up_fn *, void *);
/* Stop the thread (not one given up on) and free; NULL is fine. */
void		 guard_free(struct guard *);
/*
 * os_open_regular(rootfd, path, st), made by the guard: the descriptor,
 * -1 with errno, or -2 when it was given up on after *idle seconds.
 */
int		 guard_open(struct guard *, int, const char *, struct stat *,
		    double *);
/*
 * The sink's reader (sink_read_fn, arg the guard): pread made by the
 * guard, at most its buffer at once (a short read: the sink asks for
 * the rest). -1 with why set when it was given up on.
 */
ssize_t		 guard_pread(void *, int, void *, size_t, off_t, char *,
		    size_t);
/* Calls given up on so far (their threads may still be in the kernel). */
int		 guard_nstuck(const struct guard *);

#endif
