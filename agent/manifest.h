/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The manifest (manifest.json of SPEC.md): run metadata, one entry per
 * archived file with its sha256 and the source's metadata, and the
 * errors met. Entries are kept serialised (a compact JSON line each) and
 * compressed, so memory grows by a few dozen bytes per file, never by
 * file size.
 */
#ifndef MANIFEST_H
#define MANIFEST_H

#include <stdint.h>
#include <sys/stat.h>

#include <jansson.h>

struct manifest;

struct manifest_entry {
	const char		*path;		/* inside the archive */
	const char		*source;	/* on the host, or NULL */
	uint64_t		 size;		/* bytes archived */
	unsigned char		 sha256[32];
	const struct stat	*st;		/* the source's, or NULL */
	int			 truncated;	/* cut at the size limit */
	const char		*note;		/* e.g. "shrank while read" */
};

struct manifest	*manifest_new(void);
void		 manifest_free(struct manifest *);
/* Set a top-level field (format, agent, host…); takes value's reference. */
void		 manifest_set(struct manifest *, const char *, json_t *);
void		 manifest_add_entry(struct manifest *,
		    const struct manifest_entry *);
/* Record an error; path and collector may be NULL. */
void		 manifest_add_error(struct manifest *, const char *,
		    const char *, const char *);
/* Record a symbolic link met where a file was expected (not followed). */
void		 manifest_add_link(struct manifest *, const char *,
		    const char *);
/*
 * What was cut and why (summary.json "limits"): what ("file_truncated",
 * "time_limit"…), the path (may be NULL), the reason. Truncated entries
 * are added by manifest_add_entry. manifest_limits gives the first
 * MANIFEST_MAX_LIMITS (borrowed) and *total, the count of all.
 */
#define MANIFEST_MAX_LIMITS	1000
void		 manifest_add_limit(struct manifest *, const char *,
		    const char *, const char *);
json_t		*manifest_limits(struct manifest *, uint64_t *);
size_t		 manifest_nentries(struct manifest *);
size_t		 manifest_nerrors(struct manifest *);
/*
 * manifest.json (entries, errors and links after the fields set, then
 * "stats") is written in pieces through a function, which returns 0 or
 * -1 to stop. manifest_length is the number of bytes manifest_write
 * gives as long as nothing is added or set in between.
 */
typedef int	 manifest_write_fn(void *, const void *, size_t);
uint64_t	 manifest_length(struct manifest *);
int		 manifest_write(struct manifest *, manifest_write_fn *, void *);
/* The whole text at once (for tests and small manifests). Caller frees. */
char		*manifest_dump(struct manifest *, size_t *);

/* The JSON object of one entry, as stored (for verify and tests). */
json_t		*manifest_entry_json(const struct manifest_entry *);

#endif
