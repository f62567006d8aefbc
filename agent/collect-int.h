/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Inside the collector context: the context object and the helpers that
 * collect.c (records, files, the reader pool) and sweep.c (the YARA
 * sweep through that pool) share. Not for other modules: they use
 * collect.h and sweep.h.
 */
#ifndef COLLECT_INT_H
#define COLLECT_INT_H

#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/evp.h>

#include "collect.h"
#include "passwd.h"
#include "util.h"
#include "workers.h"

struct guard;
struct scan;

/*
 * A file read a second time (sweep.c): collect_file, while the context
 * points to it, streams the file and checks its first len bytes against
 * sha256 (sink_set_expect), leaving the result in changed (1: they
 * differ, 0: the same, -1: not compared).
 */
struct collect_recheck {
	char		*path;
	uint64_t	 len;
	unsigned char	 sha256[32];
	int		 changed;
};

/*
 * The md5 of each whole file the pool archived, by a keyed hash of its
 * source path, for the bodyfile's MD5 column: at most COLLECT_MD5_MAX
 * files (a table of at most 2 * COLLECT_MD5_MAX slots of 32 bytes: 4 MiB).
 */
#define COLLECT_MD5_MAX		65536
struct collect_md5 {
	unsigned char	key[16];	/* never all zeros when used */
	unsigned char	md5[16];
};

/* Files up to this size go to the reader pool; larger ones stream. */
#define COLLECT_SMALL		(8ULL << 20)
/*
 * Bytes the reader pool may hold at once (read, not yet archived): its
 * ring. At least two of the largest files it takes.
 */
#define COLLECT_INFLIGHT	(2 * COLLECT_SMALL)

/* A process whose memory a rule matched: COLLECT_MATCH_* kinds. */
struct collect_pidmatch {
	pid_t		 pid;
	int		 kinds;
};

struct collect_ctx {
	const struct config	*cfg;
	struct sink		*sink;
	struct manifest		*m;
	int			 rootfd;
	int			 deadbox;
	const char		*root;
	const char		*collector;
	volatile sig_atomic_t	*stop;
	time_t			 deadline;
	const char		*cut;
	int			 failed;
	uint64_t		 nfiles;
	uint64_t		 nbytes;	/* dry run: sizes seen */
	struct collect_stream	*streams;	/* open record streams */
	struct hset		 seen;		/* archive paths */
	int			 ids_loaded;
	struct passwd_file	 users, groups;	/* for owner names */
	const char *const	*artifact_paths;
	struct scan		*scan;		/* NULL: no YARA */
	const struct ioc_set	*iocs;		/* NULL: no indicators */
	struct collect_iocm	*iocm;		/* sightings (collect-ioc.c) */
	int			 scan_files;
	struct collect_stream	*matches;	/* yara/matches.jsonl */
	json_t			*match_counts;	/* rule → matches */
	uint64_t		 nmatches;
	struct collect_pidmatch	*matched;	/* processes with a match */
	size_t			 nmatched;
	unsigned char		*tap;		/* first SCAN_CAP bytes */
	size_t			 taplen, tapcap;
	int			 tapbusy;	/* a reader is scanning it */
	uint64_t		 tapseen;
	EVP_MD_CTX		*tapmd5, *tapsha1;
	int			 tapscan;	/* the tap keeps bytes to scan */
	int			 tapioc;	/* WORKERS_HASH_*: for indicators */
	struct workers		*pool;		/* readers of small files */
	struct guard		*guard;		/* opens, large reads */
	int			 nstuck;	/* calls given up on */
	pid_t			 supervisor;	/* 0: none */
	double			 stall;		/* COLLECT_STALL */
	char			*exdir;		/* our output directory */
	dev_t			 exdev;		/* our archive */
	ino_t			 exino;
	int			 exfile;
	uint64_t		 nexcluded;
	struct collect_recheck	*sweep_big;	/* matched, archived at the end */
	size_t			 nsweep_big;
	struct collect_recheck	*recheck;	/* collect_file's, or NULL */
	struct collect_md5	*md5s;		/* source → md5 (bodyfile) */
	size_t			 nmd5, md5cap, md5dropped;
	unsigned char		 md5key[16];
	uint64_t		 file_cap;	/* an artefact's, 0: none */
	struct findings		*findings;	/* red flags of the records */
};

/* collect.c, for sweep.c. */

/* Start the reader pool if it is not running yet. */
void		 collect_pool(struct collect_ctx *);
/* Queue j (owned), archiving the oldest jobs while the pool is full. */
void		 collect_queue(struct collect_ctx *, struct workers_job *);
/* Archive the oldest pending job, waiting for it. -1 if none is pending. */
int		 collect_take(struct collect_ctx *);
/*
 * Archive the jobs the readers have finished: those ready (all 0), or
 * every pending one (all 1). -1 once the output has failed.
 */
int		 collect_drain(struct collect_ctx *, int);
/*
 * Archive the first len bytes (at most want) a reader read of j, with
 * their sha256, under apath; a short read is noted. 0, or -1 once the
 * output has failed.
 */
int		 collect_pack(struct collect_ctx *, struct workers_job *,
		    const char *, uint64_t, const unsigned char *);
/* Add apath to the set; 0 if it is new, 1 if it was there already. */
int		 collect_seen(struct collect_ctx *, const char *);
/* What the budget leaves for a file of at most max bytes. */
uint64_t	 collect_room(struct collect_ctx *, uint64_t);
/*
 * The one tap buffer, for want bytes: waits for the scan of the last
 * big file to end, then grows it if needed.
 */
void		 collect_tap_reserve(struct collect_ctx *, size_t);
/*
 * A job (the caller's) scanning the got bytes of the tap buffer, read
 * from source (st): only scanned, its hashes left to the caller.
 */
struct workers_job *collect_tap_job(struct collect_ctx *, const char *,
		    const struct stat *, uint64_t);
/* After a scan: memory kept for a big file is given back. */
void		 collect_tap_end(struct collect_ctx *);

/* A hash job's callback (collect_hash_file), its arg. */
struct collect_hashreq {
	collect_hash_cb	*cb;
	void		*arg;
};

/* collect-ioc.c: indicators seen in the single pass (ioc.h). */

/* Sightings written at most (then counted, and that is logged once). */
#define COLLECT_IOC_MAX		100000
/*
 * The file at path (inside the root) with the digests of its whole
 * content (each may be NULL: not computed, or not of the whole file):
 * its hashes, base name and path looked up. The number found.
 */
size_t		 collect_ioc_file(struct collect_ctx *, const char *,
		    const unsigned char *, const unsigned char *,
		    const unsigned char *);
/*
 * The record rec (borrowed) about to be written to live/<stream>.jsonl:
 * its addresses (network, routes, arp, neighbours, conntrack) and a
 * process's exe_sha256 looked up.
 */
void		 collect_ioc_record(struct collect_ctx *, const char *,
		    json_t *);
/*
 * A YARA match record of the indicators' rules (namespace SCAN_NS_IOCS):
 * written as sightings, 2 (1 when no indicator was behind it). 0 for
 * another rule's. rec stays the caller's.
 */
int		 collect_ioc_yara(struct collect_ctx *, json_t *);
/* The digests (WORKERS_HASH_* bits: md5, sha1) the set asks for. */
int		 collect_ioc_digests(struct collect_ctx *);
void		 collect_ioc_free(struct collect_ctx *);

/* sweep.c, for the pool's results. */

/* A sweep job back: count it, record its matches, archive if matched. */
int		 sweep_done(struct collect_ctx *, struct workers_job *);
/* A sweep job given up on: not begun (the run was cut), or stuck. */
void		 sweep_lost(struct collect_ctx *, struct workers_lost *, double);

#endif
