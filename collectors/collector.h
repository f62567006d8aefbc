/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The collector interface. Each collectors/<name>.c exports one
 * `const struct collector`; collectors/collectors.c lists them in a
 * NULL-terminated table. A collector gets a context and emits records
 * (collect_record) or files (collect_file, collect_file_fd) through it;
 * it never exits, prints to stdout, or creates files, and every error it
 * meets goes to collect_error (manifest "errors" and the log).
 *
 * The context functions are implemented by the agent (agent/collect.c).
 */
#ifndef COLLECTOR_H
#define COLLECTOR_H

#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "log.h"

enum collect_result {
	COLLECT_OK = 0,		/* everything it meant to read was read */
	COLLECT_PARTIAL,	/* some parts failed (each in collect_error) */
	COLLECT_FAILED		/* nothing useful produced */
};

#define COLLECTOR_NEEDS_ROOT	0x01	/* incomplete without root */
#define COLLECTOR_LIVE		0x02	/* reads the running system (/proc,
					   /sys): skipped with --root */
#define COLLECTOR_SLOW		0x04

struct collect_ctx;

struct collector {
	const char		*name;
	const char		*description;
	int			 flags;
	enum collect_result	(*run)(struct collect_ctx *);
};

/* The table, NULL-terminated (collectors.c). */
extern const struct collector *const collectors[];
/* Look a collector up by name; NULL if none. */
const struct collector	*collector_find(const char *);

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
 * The user name of uid from the root's /etc/passwd as collected (never
 * NSS); NULL when unknown. The string belongs to the context.
 */
const char	*collect_user_name(struct collect_ctx *, uid_t);
/* Same for a group id from /etc/group. */
const char	*collect_group_name(struct collect_ctx *, gid_t);

#endif
