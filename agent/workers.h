/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The reader pool: threads that read a small file whole (each byte once),
 * hash it (SHA-256, and MD5 for the YARA external) and scan it, while the
 * one writer thread packs what is ready. The caller bounds the bytes in
 * flight; jobs come back in completion order. Only the writer touches the
 * sink, the manifest and the log: workers report through the job.
 */
#ifndef WORKERS_H
#define WORKERS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <jansson.h>

#include "scan.h"

struct workers_job {
	/* Set by the caller. */
	int			 fd;		/* owned: closed by the pool */
	struct stat		 st;
	char			*source;
	char			*apath;
	uint64_t		 want;		/* bytes to archive */
	int			 truncated;	/* want < st_size */
	int			 scan;		/* scan the content */
	const char		*owner;		/* user name for YARA, or NULL */
	/* Set by the worker. */
	unsigned char		*buf;		/* want bytes (zero-filled) */
	uint64_t		 got;		/* bytes really read */
	int			 rerrno;
	unsigned char		 sha256[32];
	json_t			*matches;	/* YARA records, or NULL */
	char			 scan_err[256];
	struct workers_job	*next;
};

struct workers;

/* n threads; scan (may be NULL) gives each its own scanner. */
struct workers		*workers_new(int, struct scan *);
/* Stop the threads (after the pending jobs) and free the pool. */
void			 workers_free(struct workers *);
/* Queue a job (never blocks: the caller bounds the bytes in flight). */
void			 workers_submit(struct workers *, struct workers_job *);
/*
 * The next finished job (the caller frees it with workers_job_free), or
 * NULL when none is ready (wait 0) or none is pending at all (wait 1).
 */
struct workers_job	*workers_done(struct workers *, int);
/* Bytes of the jobs submitted and not yet taken back. */
uint64_t		 workers_inflight(struct workers *);
void			 workers_job_free(struct workers_job *);

#endif
