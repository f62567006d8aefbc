/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * export: an archive turned into what other tools read (Timesketch
 * JSONL, a UAC-layout tar, a sha256sum list, a MISP event, a STIX 2.1
 * bundle), written as the archive is verified, through the verify tap.
 * Nothing here decides whether the result is kept: the caller writes to
 * a temporary file and keeps it only when verify_archive found nothing.
 */
#ifndef EXPORT_H
#define EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "verify.h"

enum export_format {
	EXPORT_TIMESKETCH,
	EXPORT_UAC,
	EXPORT_SHA256,
	EXPORT_MISP,
	EXPORT_STIX
};

struct export;

/* The format named (timesketch, uac, sha256, misp, stix), or -1. */
int		 export_format_parse(const char *);
/* The suffix of the default output name (".timesketch.jsonl"...). */
const char	*export_format_suffix(int);
/* An exporter writing format to fd (not closed by it). */
struct export	*export_new(int, int);
/* The tap to give verify_archive; it belongs to the exporter. */
const struct verify_tap *export_tap(struct export *);
/*
 * Once the archive is verified: what needs the whole archive (the
 * manifest's times, MISP and STIX documents, the UAC log) is written.
 * 0, or -1 with err (a write error).
 */
int		 export_finish(struct export *, char *, size_t);
/* What was left out (lines too long, caps reached): a note, or NULL. */
const char	*export_note(struct export *);
void		 export_free(struct export *);

/* Parsers, exposed for the unit tests (export-parse.c). */
struct export_body {
	const char	*md5;
	char		*name;		/* points into the line */
	size_t		 namelen;
	long long	 inode, uid, gid, size;
	const char	*mode;
	long long	 t[4];		/* atime, mtime, ctime, crtime */
};
/*
 * One bodyfile line (no newline) split in place: MD5|name|inode|mode|
 * uid|gid|size|atime|mtime|ctime|crtime, the name being whatever lies
 * between the first field and the last nine (so it may hold '|').
 * 0, or -1 when it is not such a line.
 */
int	 export_body_parse(char *, size_t, struct export_body *);
/*
 * An ISO 8601 UTC time ("2026-11-22T10:15:00Z", with an optional
 * fraction, or "+00:00") as microseconds since the epoch. 0 or -1.
 */
int	 export_time_parse(const char *, int64_t *);
/*
 * Append to b one sha256sum line for digest (64 hex) and name as GNU
 * coreutils writes it: a name with a backslash, newline or carriage
 * return gets a leading backslash on the line and those escaped.
 */
struct buf;
void	 export_sha256_line(struct buf *, const char *, const char *, size_t);

#endif
