/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The collection runs in a child the agent's process supervises: a
 * thread stuck in a stalled file system cannot hold the run's exit.
 * Signals: the first SIGINT or SIGTERM stops collecting (the archive is
 * finished, signed), a second deletes the partial files and exits.
 */
#ifndef SUPERVISE_H
#define SUPERVISE_H

#include <signal.h>
#include <sys/types.h>

/*
 * Fork the collecting child. Returns -1 in the child (or when no child
 * could be made: the run goes on unsupervised), else, in the parent,
 * the exit status of the run once the child reported it or ended. In
 * the parent, *lockfd (the child's) is closed and set to -1. SIGINT and
 * SIGTERM are left blocked in the child: supervise_unblock.
 */
int		 supervise_fork(int *);
/* In the child: the supervising process (0 when unsupervised). */
pid_t		 supervise_parent(void);
/*
 * Install the handlers of SIGINT and SIGTERM (the first: stop; the
 * second: delete the partial files, exit); ignore SIGHUP and SIGPIPE.
 */
void		 supervise_signals(void);
/* SIGINT and SIGTERM, blocked around the fork, delivered again. */
void		 supervise_unblock(void);
/* The first SIGINT or SIGTERM received (its number), or 0. */
volatile sig_atomic_t *supervise_stop(void);
/*
 * The partial files (archive, .minisig, .pub; NULL for none) the
 * handler deletes on a second signal. Copied.
 */
void		 supervise_parts(const char *, const char *, const char *);
/*
 * The end of a child whose nstuck threads are stuck in the kernel: it
 * is not reaped until they return, so it closes *lockfd (set to -1),
 * lets go of the terminal and reports status to the parent now.
 */
void		 supervise_detach(int *, int, int);

#endif
