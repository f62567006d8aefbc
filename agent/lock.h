/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * One collection at a time: a lock that writes nothing to disk, an
 * abstract-namespace unix socket bound for the life of the process.
 */
#ifndef LOCK_H
#define LOCK_H

#include <sys/types.h>

/*
 * Take the lock of a live collection (root NULL or "/") or of the tree
 * at root (dead box). Returns the socket (kept open until exit: the
 * kernel releases it however the process ends); -1 with *holder the pid
 * of the run holding it (0 when it cannot be known); -2 when no lock can
 * be made here (no unix sockets), with the reason in errno: EPERM when
 * the name is held by a process of another user (*holder its pid), which
 * is no collection of ours and does not stop this one.
 */
int	 lock_take(const char *, pid_t *);

#endif
