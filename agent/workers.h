/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The reader pool: threads that read a small file whole (each byte once),
 * hash it (SHA-256, and MD5 for the YARA external) and scan it, while the
 * one writer thread packs what is ready. Jobs come back in the order they
 * were submitted, so the archive's order does not depend on thread
 * timing. Only the writer touches the sink, the manifest and the log:
 * workers report through the job.
 *
 * Memory is bounded: contents are read into one ring of a fixed size,
 * mapped once and reused (no allocation, zeroing or page faults per
 * file), and at most WORKERS_MAXJOBS jobs (each holding an open file) are
 * pending. A job's space is released when it is freed, which the writer
 * does in order, as it takes them back.
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
	/*
	 * Or only scan: buf (the caller's) holds got bytes already archived,
	 * fd is -1, sha256 and md5 (of the whole file) are set, want is 0.
	 */
	int			 scanonly;
	unsigned char		 md5[16];
	/* Set by the worker. */
	unsigned char		*buf;		/* want bytes (zero-filled) */
	size_t			 off;		/* of buf in the ring */
	uint64_t		 got;		/* bytes really read */
	int			 rerrno;
	unsigned char		 sha256[32];
	json_t			*matches;	/* YARA records, or NULL */
	char			 scan_err[256];
	int			 finished;
	struct workers		*pool;
	struct workers_job	*next;
};

#define WORKERS_MAXJOBS		256

struct workers;

/*
 * n threads; scan (may be NULL) gives each its own scanner; ring bytes
 * for the contents in flight (a job's want can be at most this much).
 */
struct workers		*workers_new(int, struct scan *, size_t);
/* Stop the threads (after the pending jobs) and free the pool. */
void			 workers_free(struct workers *);
/*
 * Queue a job (never blocks). -1 when the ring has no room for its want
 * bytes or WORKERS_MAXJOBS are pending: take a job back and free it,
 * then submit again.
 */
int			 workers_submit(struct workers *, struct workers_job *);
/*
 * The oldest job submitted if it is finished (the caller frees it with
 * workers_job_free before taking the next), or NULL when it is not
 * (wait 0) or none is pending at all (wait 1).
 */
struct workers_job	*workers_done(struct workers *, int);
/* Bytes of the jobs submitted and not yet taken back. */
uint64_t		 workers_inflight(struct workers *);
void			 workers_job_free(struct workers_job *);

#endif
