/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The reader pool: threads that read a small file whole (each byte once),
 * hash it (SHA-256, and MD5 for the YARA external) and scan it, while the
 * one writer thread packs what is ready. A job's disposition says what
 * the writer does with it: archive it; scan only (what the writer has
 * read and archived itself, or a process's memory); or, for the YARA
 * sweep, archive it only if a rule matched, from the bytes read here. Jobs come back in the order they
 * were submitted, so the archive's order does not depend on thread
 * timing. Only the writer touches the sink, the manifest and the log:
 * workers report through the job.
 *
 * Memory is bounded: contents are read into one ring of a fixed size,
 * mapped once and reused (no allocation, zeroing or page faults per
 * file), and at most WORKERS_MAXJOBS jobs (each holding an open file) are
 * pending. A job's space is released when it is freed, which the writer
 * does in order, as it takes them back.
 *
 * A read can block for ever (a FUSE or network file system whose server
 * does not answer), and a thread waiting in the kernel for it cannot be
 * stopped, joined or even killed. So the writer never has to wait for
 * one: workers_wait waits a bounded time and says how far the oldest job
 * got; workers_abandon gives up on it. The stuck thread is left behind
 * with the job (it frees it if its read ever returns), its ring space is
 * never reused, and a new thread takes its place.
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
	/*
	 * The sweep's dispositions. sweep: a file read, hashed and scanned
	 * as above, archived by the writer only if a rule matched (its
	 * bytes are not counted in workers_inflight: they are not the
	 * archive's unless it matches). pid > 0: a process, scanned in its
	 * memory (scan_process; fd -1, want 0, source its exe, name its
	 * command). arg is the caller's.
	 */
	int			 sweep;
	int			 pid;
	char			*name;
	void			*arg;
	/*
	 * Or only hash (collect_hash_file): hash is the WORKERS_HASH_*
	 * digests wanted; the file is read whole (up to st_size) in pieces
	 * through the thread's own buffer, never the ring (want is 0), and
	 * never archived. md5, sha1, sha256 get the digests asked for.
	 */
	int			 hash;
	unsigned char		 sha1[20];
	/*
	 * Digests the indicators ask for (WORKERS_HASH_MD5, _SHA1) of a job
	 * read into the ring, made from the same bytes (md5, sha1).
	 */
	int			 iochash;
	/* Set by the worker. */
	unsigned char		*buf;		/* want bytes (zero-filled) */
	size_t			 off;		/* of buf in the ring */
	uint64_t		 got;		/* bytes really read */
	int			 rerrno;
	unsigned char		 sha256[32];
	json_t			*matches;	/* YARA records, or NULL */
	int			 scan_rc;	/* SCAN_OK… */
	char			 scan_err[256];
	int			 finished;
	int			 phase;		/* WORKERS_QUEUED… (atomic) */
	int			 abandoned;	/* (atomic) */
	int			 thread;	/* the pool's thread reading it */
	int64_t			 since;		/* ms of its last progress (atomic) */
	struct workers		*pool;
	struct workers_job	*next;
};

#define WORKERS_HASH_MD5	0x01
#define WORKERS_HASH_SHA1	0x02
#define WORKERS_HASH_SHA256	0x04

#define WORKERS_MAXJOBS		256
/* Stuck threads replaced by new ones; past this, not. */
#define WORKERS_MAXSTUCK	4

/* Where the oldest job is (workers_wait). */
struct workers_state {
	int		 phase;		/* WORKERS_QUEUED… */
	uint64_t	 got;		/* bytes read */
	double		 idle;		/* seconds since it last moved on */
};

#define WORKERS_QUEUED		0	/* no thread has taken it yet */
#define WORKERS_READING		1	/* a thread reads it: got grows */
#define WORKERS_BUSY		2	/* hashed or scanned: no I/O */

/* What is left of an abandoned job, for the caller to record. */
struct workers_lost {
	char			*source;	/* owned by the caller */
	char			*apath;		/* owned by the caller */
	struct stat		 st;
	uint64_t		 want, got;
	int			 truncated;
	int			 phase;		/* when it was abandoned */
	int			 scanonly, sweep, hash;
	void			*arg;
	unsigned char		*data;		/* its first got bytes, owned */
};

struct workers;

/*
 * n threads; scan (may be NULL) gives each its own scanner; ring bytes
 * for the contents in flight (a job's want can be at most this much).
 */
struct workers		*workers_new(int, struct scan *, size_t);
/*
 * Stop the threads (after the pending jobs) and free the pool. With
 * threads stuck in a read, the pool is left allocated for them (they
 * may still return; the process's exit ends them).
 */
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
/*
 * Wait at most ms milliseconds for the oldest job. 1: *jp is it,
 * finished and taken back (as workers_done); 0: not finished yet, state
 * says where it is, how much it has read and since when it is stalled;
 * -1: no job is pending.
 */
int			 workers_wait(struct workers *, int,
			    struct workers_job **, struct workers_state *);
/*
 * Give up on the oldest job (its read blocks): it leaves the queue and
 * lost (freed with workers_lost_free) gets what it was and had read. A
 * thread stuck in its read is left behind and replaced (up to
 * WORKERS_MAXSTUCK). 0; 1 if it has finished meanwhile (workers_wait
 * takes it); -1 if none is pending.
 */
int			 workers_abandon(struct workers *, struct workers_lost *);
void			 workers_lost_free(struct workers_lost *);
/* Threads left stuck in a read. */
int			 workers_nstuck(struct workers *);
/* Bytes of the jobs submitted and not yet taken back. */
uint64_t		 workers_inflight(struct workers *);
void			 workers_job_free(struct workers_job *);

/*
 * A guard: one thread that makes, for its caller, one call at a time
 * that may block for ever (the open of a file, a read of one), so the
 * caller can wait for it a bounded time and give up. Given up on, the
 * guard belongs to its thread, which frees it (and closes what the call
 * opened) if the call ever returns; the caller starts a new guard.
 */
#define WORKERS_GUARD_BUF	(1U << 20)	/* largest read */

struct workers_guard;

struct workers_guard	*workers_guard_new(void);
/* Stop the thread and free the guard (not one given up on). */
void			 workers_guard_free(struct workers_guard *);
/* Start os_open_regular(rootfd, path) on the guard's thread. */
void			 workers_guard_open(struct workers_guard *, int,
			    const char *);
/* Start a pread of len bytes (at most WORKERS_GUARD_BUF) of fd at off. */
void			 workers_guard_pread(struct workers_guard *, int,
			    size_t, off_t);
/*
 * Wait at most ms for the call. 1: it returned *ret (the fd opened, or
 * the bytes read into *buf, the guard's) with errno *err, and st the
 * file's metadata for an open; 0: not yet.
 */
int			 workers_guard_wait(struct workers_guard *, int,
			    long long *, int *, struct stat *,
			    const unsigned char **);
/* Give up on the call in progress: the guard is its thread's now. */
void			 workers_guard_abandon(struct workers_guard *);

#endif
