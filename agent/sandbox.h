/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The sandbox of a run once set up: no new privileges and a seccomp
 * filter of the system calls collection and upload need (sandbox.c says
 * which are allowed, which kill the process, and why the rest fail).
 */
#ifndef SANDBOX_H
#define SANDBOX_H

#include <stddef.h>

/*
 * Enter the sandbox, for this thread and every thread already running.
 * Irreversible; once in, a later call does nothing. 0, or -1 with the
 * reason in err (the run goes on
 * unsandboxed: an old kernel is no reason to lose the evidence).
 */
int	 sandbox_enter(char *, size_t);

#endif
