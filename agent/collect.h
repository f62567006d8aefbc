/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The collector context: made once per run by the pipeline, handed to
 * each collector in turn (collectors/collector.h). First what the
 * collectors call, then what the pipeline does with it.
 */
#ifndef COLLECT_H
#define COLLECT_H

#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include <jansson.h>

#include "config.h"
#include "log.h"
#include "manifest.h"
#include "sink.h"

struct collect_ctx;
struct collector;

/* The collectors' side. */

/* The root files are read under: "/" live, or the --root directory. */
const char	*collect_root(struct collect_ctx *);
/* Whether --root was given (dead-box mode). */
int		 collect_is_deadbox(struct collect_ctx *);

/*
 * Append one record to live/<stream>.jsonl. Takes ownership of rec (a
 * JSON object). Returns 0, or -1 if the run is out of budget or the
 * stream is full (the record is dropped and that is logged once).
 */
int		 collect_record(struct collect_ctx *, const char *, json_t *);

/*
 * Collect the file at path (an absolute path as seen inside the root)
 * into files/<path>. Opened with O_NOFOLLOW|O_NOATIME under the root,
 * never following links; only regular files are copied (others are
 * recorded with an error). Returns 0 when copied, -1 otherwise (already
 * recorded in errors: the caller need not report it again).
 */
int		 collect_file(struct collect_ctx *, const char *);

/*
 * Copy an already-open descriptor into the archive at archive_path
 * (e.g. "live/exe/1234-sshd"), recording source as its origin. Reads at
 * most the max file size; fills sha256 (32 bytes) with the hash of the
 * bytes copied when not NULL. Does not close fd. 0 or -1 (recorded).
 */
int		 collect_file_fd(struct collect_ctx *, int, const char *,
		    const char *, unsigned char *);

/*
 * A text entry written in pieces (e.g. "timeline/bodyfile.txt"). It is
 * spooled in memory (memfd, never the host's disk) and added to the
 * archive, hashed, when closed. collect_stream_open returns NULL if the
 * spool cannot be made (recorded). write returns 0, or -1 once the byte
 * budget is exhausted (further writes are dropped; the entry is marked
 * truncated). close adds the entry and frees the stream: 0 or -1.
 */
struct collect_stream;
struct collect_stream	*collect_stream_open(struct collect_ctx *, const char *);
int		 collect_stream_write(struct collect_stream *, const void *,
		    size_t);
int		 collect_stream_close(struct collect_stream *);
/* Free the stream without adding anything to the archive. */
void		 collect_stream_discard(struct collect_stream *);
/* Close, and sha256 (32 bytes) gets the hash archived (zeros: none). */
int		 collect_stream_close_sum(struct collect_stream *,
		    unsigned char *);

/*
 * The profile asked for (--profile: "triage", "full", or a comma list of
 * artefact names), and the extra definition paths given with --artifacts
 * (NULL-terminated; empty when none). Both belong to the context.
 */
const char	*collect_profile(struct collect_ctx *);
const char *const *collect_artifact_paths(struct collect_ctx *);

/*
 * Open path (absolute, inside the root) for reading: O_RDONLY|O_NOFOLLOW|
 * O_NOATIME|O_CLOEXEC, no symlink in any component. Without O_DIRECTORY
 * or O_PATH in flags, only a regular file is opened (EINVAL otherwise:
 * a FIFO is never opened, so never waited on). -1 with errno set.
 */
int		 collect_open(struct collect_ctx *, const char *, int);
/* Why collect_open failed, for messages (errno value; static text). */
const char	*collect_open_error(int);

/* Record an error for path (may be NULL) in the manifest and the log. */
void		 collect_error(struct collect_ctx *, const char *, const char *,
		    ...) __attribute__((format(printf, 3, 4)));
/* Log a message attributed to the running collector. */
void		 collect_log(struct collect_ctx *, enum log_level, const char *,
		    ...) __attribute__((format(printf, 3, 4)));

/* Non-zero once the deadline or byte budget is hit, or a signal came. */
int		 collect_expired(struct collect_ctx *);
/* The per-file cap (bytes; UINT64_MAX when unlimited). */
uint64_t	 collect_max_file_size(struct collect_ctx *);
/*
 * Lower the per-file cap to cap bytes for the files collected next (an
 * artefact's max_file_size); 0 restores the configured one.
 */
void		 collect_set_file_cap(struct collect_ctx *, uint64_t);
/* Bytes the run's size budget still takes (UINT64_MAX: no budget). */
uint64_t	 collect_room_left(struct collect_ctx *);

/*
 * The user name of uid from the root's /etc/passwd as collected (never
 * NSS); NULL when unknown. The string belongs to the context.
 */
const char	*collect_user_name(struct collect_ctx *, uid_t);
/* Same for a group id from /etc/group. */
const char	*collect_group_name(struct collect_ctx *, gid_t);

/*
 * Hash a file without archiving it: fd (owned from here: closed), the
 * regular file at path (inside the root) with metadata st, is read whole
 * by a reader of the pool (never by the caller, never archived) and the
 * digests asked for (COLLECT_HASH_* bits; only those are computed) are
 * handed to cb, on this thread, from a later collect_hash_file or
 * collect_hash_end. A read given up on (it blocked), or not begun when
 * the run was cut, comes back with err set. arg is the caller's.
 * 0, or -1 when the run is cut, its output failed or there is none (a
 * dry run): fd closed, cb not called; count it as not checked.
 */
#define COLLECT_HASH_MD5	0x01
#define COLLECT_HASH_SHA1	0x02
#define COLLECT_HASH_SHA256	0x04
/*
 * Also the digests the indicators want (ioc.h), from the same read: for
 * executables. Digests computed anyway are looked up whatever the flag.
 */
#define COLLECT_HASH_IOC	0x08
struct collect_digest {
	const char		*path;
	const struct stat	*st;
	uint64_t		 got;		/* bytes hashed */
	int			 err;		/* 0, an errno, or -1: given up */
	int			 short_read;	/* got < st_size */
	unsigned char		 md5[16];
	unsigned char		 sha1[20];
	unsigned char		 sha256[32];
};
typedef void	 collect_hash_cb(struct collect_ctx *,
		    const struct collect_digest *, void *);
int		 collect_hash_file(struct collect_ctx *, int,
		    const struct stat *, const char *, int, collect_hash_cb *,
		    void *);
/* Wait for every hash job (their callbacks called). 0, or -1. */
int		 collect_hash_end(struct collect_ctx *);

/*
 * The md5 (16 bytes) of the file at path (inside the root) when this run
 * archived all of it through the reader pool: 0, or -1 when unknown.
 */
int		 collect_file_md5(struct collect_ctx *, const char *,
		    unsigned char *);

/* The pipeline's side. */


/*
 * A context over sink and manifest (not owned), reading under rootfd
 * (owned: closed by collect_free). stop is polled by collect_expired.
 */
struct collect_ctx *collect_new(const struct config *, struct sink *,
		    struct manifest *, int, volatile sig_atomic_t *);
/*
 * Never collect the agent's own output: the directory dir (its path
 * inside the root; NULL when it is outside) and the file st (the archive
 * being written; NULL for none). Also for collectors that read files
 * themselves: collect_excluded says if path (with its metadata st, may
 * be NULL) is one of them.
 */
void		 collect_exclude(struct collect_ctx *, const char *,
		    const struct stat *);
int		 collect_excluded(struct collect_ctx *, const char *,
		    const struct stat *);
void		 collect_free(struct collect_ctx *);
/* Name the collector now running (for logs and errors). */
void		 collect_begin(struct collect_ctx *, const struct collector *);
/*
 * Add the record streams written so far (live/NAME.jsonl) to the archive.
 * 0, or -1 if the output failed.
 */
int		 collect_flush(struct collect_ctx *);
/* Non-zero once the output has failed: the run must stop. */
int		 collect_output_failed(struct collect_ctx *);
/* Why collection stopped early: NULL, "time limit", "size limit"… */
const char	*collect_cut_reason(struct collect_ctx *);
/*
 * The agent's own processes, never scanned: this one and the process
 * supervising it (supervise.c), set with collect_set_supervisor.
 */
void		 collect_set_supervisor(struct collect_ctx *, pid_t);
int		 collect_is_agent(struct collect_ctx *, pid_t);
/*
 * Reads and opens given up on because they blocked (a file system that
 * does not answer): their threads may still be stuck in the kernel.
 */
int		 collect_nstuck(struct collect_ctx *);
/* Counters for the summary (files; bytes seen in a dry run). */
uint64_t	 collect_nfiles(struct collect_ctx *);
uint64_t	 collect_nbytes(struct collect_ctx *);

/*
 * YARA. collect_set_scanner makes every collected file scanned (through
 * the sink's tap) with scan (not owned; NULL: no scanning) and opens
 * yara/matches.jsonl, kept open for the run and added to the archive by
 * collect_matches_close (at the end of the run, before the manifest).
 */
struct scan;
void		 collect_set_scanner(struct collect_ctx *, struct scan *);
/* The run's rules, or NULL when YARA is off. */
struct scan	*collect_scanner(struct collect_ctx *);
/* The --scan-path trees (NULL-terminated; empty when none). */
const char *const *collect_scan_paths(struct collect_ctx *);
/* Whether process memory is scanned: YARA on, live, no --no-process-memory. */
int		 collect_scan_processes(struct collect_ctx *);
/* Turn the scanning of collected files on or off; the old setting. */
int		 collect_scan_files(struct collect_ctx *, int);
/*
 * Write one match record (owned) to yara/matches.jsonl and count it by
 * rule. Not thread-safe: callers on other threads serialise. 0 or -1.
 */
int		 collect_match(struct collect_ctx *, json_t *);
/*
 * What matched the memory of process pid so far: COLLECT_MATCH_YARA (a
 * rule), COLLECT_MATCH_IOC (an indicator), or 0.
 */
#define COLLECT_MATCH_YARA	0x1
#define COLLECT_MATCH_IOC	0x2
int		 collect_process_matched(struct collect_ctx *, pid_t);
/*
 * Whether suspect processes are dumped (live, no --no-process-dump);
 * *per and *total get the caps ([limits] process_dump_max, _total).
 */
int		 collect_process_dump(struct collect_ctx *, uint64_t *,
		    uint64_t *);
/*
 * The caps on containers' writable layers copied ([limits]
 * container_upper_max, _total: bytes; container_upper_files: files per
 * container).
 */
void		 collect_container_caps(struct collect_ctx *, uint64_t *,
		    uint64_t *, uint64_t *);
/*
 * Indicators of compromise (ioc.h): the run's set (not owned; NULL: none),
 * looked up by the collectors and the readers; read-only once set.
 */
struct ioc_set;
void		 collect_set_iocs(struct collect_ctx *, const struct ioc_set *);
const struct ioc_set *collect_iocs(struct collect_ctx *);
/*
 * Sightings of indicators so far: those in iocs/matches.jsonl and those
 * past its cap (by indicator: findings_iocs, from the records written).
 */
uint64_t	 collect_ioc_matches(struct collect_ctx *);
/*
 * A file a collector walks without reading it (the timeline), path inside
 * the root: its base name and path looked up in the indicators.
 */
void		 collect_ioc_path(struct collect_ctx *, const char *);
/*
 * Add iocs/matches.jsonl to the archive (called by collect_matches_close;
 * present whenever the run has a set). 0, or -1 if the output failed.
 */
int		 collect_ioc_close(struct collect_ctx *);
/* Matches so far; *counts (borrowed, may be NULL) by rule. */
uint64_t	 collect_matches(struct collect_ctx *, json_t **);
/*
 * The red flags seen in the records and matches so far (findings.h),
 * the records counted by stream: the context's.
 */
struct findings;
struct findings	*collect_findings(struct collect_ctx *);
/* Add yara/matches.jsonl to the archive. 0, or -1 if the output failed. */
int		 collect_matches_close(struct collect_ctx *);

/* The YARA sweep through the same readers: sweep.h. */

#endif
