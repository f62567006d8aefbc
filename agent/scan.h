/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * YARA scanning with libyara. A rule set is compiled once per run
 * (scan_new) from the built-in rules, a directory of .yar/.yara files, or
 * one file, with the external variables Loki and THOR define (filename,
 * filepath, extension, filetype, owner, md5: SPEC.md) declared with
 * empty defaults. Each thread that scans holds its own scan_thread (one
 * YR_SCANNER). A scan returns the match records of SPEC.md ("YARA match
 * records") as a JSON array for the caller to write.
 *
 * Identical content is scanned once: results are cached by the sha256 of
 * the content, joined with the values of the externals the rules name
 * that depend on the file rather than its bytes (filename, filepath,
 * extension, owner, md5), so a cached result is always the one a fresh
 * scan would give. A (content, path) pair already reported is not
 * reported again (a file collected and also swept).
 */
#ifndef SCAN_H
#define SCAN_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/*
 * Bytes of a file that are scanned: a larger file is scanned on its
 * first SCAN_CAP bytes (and that is logged). Memory per scanning thread
 * is at most this much.
 */
#define SCAN_CAP		(64ULL << 20)
/*
 * Files up to this size are read whole by a scanning thread; a larger
 * one (up to SCAN_CAP) is read by one thread at a time, into memory
 * given back after it, so the peak is bounded whatever the files.
 */
#define SCAN_BIG		(8ULL << 20)
#define SCAN_FILE_TIMEOUT	60	/* seconds per file */
#define SCAN_PROC_TIMEOUT	60	/* seconds per process */
/* Bytes of process memory read at most per process (pages present). */
#define SCAN_PROC_BUDGET	(4ULL << 30)

#define SCAN_OK		0
#define SCAN_TIMEOUT	1
#define SCAN_ERROR	(-1)

struct scan;
struct scan_thread;

/* The rule texts a run starts from (rules_builtin.c). */
struct scan_builtin {
	const char	*name;
	const char	*text;
};
extern const struct scan_builtin scan_rules_builtin[];

/*
 * Compile the rules at path (a directory, walked recursively without
 * following symlinks, taking *.yar and *.yara; or one file), or the
 * built-in rules when path is NULL. NULL with "FILE:LINE: message" in
 * err when a file does not compile (or cannot be read). Warnings go to
 * the log. The caller frees the result with scan_free.
 */
struct scan	*scan_new(const char *, char *, size_t);
/*
 * Compile n rule texts (the .yar files of a verified bundle, in order),
 * recorded in the manifest as source and version. As scan_new.
 */
struct scan	*scan_new_texts(const char *, const char *,
		    const struct scan_builtin *, size_t, char *, size_t);
/*
 * The namespace of the rules made from indicators of compromise (ioc.h):
 * their matches are sightings (iocs/matches.jsonl), not YARA matches.
 */
#define SCAN_NS_IOCS	"iocs"
/*
 * As scan_new (files NULL: path, or the built-in rules when NULL) or
 * scan_new_texts (files, nfiles, from the bundle path at version), with
 * the indicators' rules iocs (ioc_yara_source; NULL: none) compiled too
 * under namespace SCAN_NS_IOCS. own 0: the indicators' rules alone (YARA
 * turned off: --no-yara).
 */
struct scan	*scan_new_iocs(const char *, const char *,
		    const struct scan_builtin *, size_t, int, const char *,
		    char *, size_t);
void		 scan_free(struct scan *);
/* {source, version, sha256, files, rules} for the manifest; new ref. */
json_t		*scan_rules_info(struct scan *);
/*
 * Whether a rule reads the "md5" external: if not, scan_file takes a NULL
 * md5 and callers need not compute it.
 */
int		 scan_uses_md5(struct scan *);
/* Number of rules compiled. */
size_t		 scan_nrules(struct scan *);

/* A scanner for one thread; freed with scan_thread_free. */
struct scan_thread *scan_thread_new(struct scan *);
void		 scan_thread_free(struct scan_thread *);

/* A file as the scanner sees it: all fields required but owner. */
struct scan_file {
	const char		*path;		/* inside the root */
	const char		*owner;		/* user name, NULL: uid */
	unsigned int		 uid;
	const unsigned char	*sha256;	/* 32 bytes of the content */
	const unsigned char	*md5;		/* 16 bytes of the content, or
						   NULL if !scan_uses_md5 */
	uint64_t		 size;		/* the whole file's size */
};

/*
 * Scan len bytes at p (the start of the file f, at most SCAN_CAP). On
 * SCAN_OK *out is a new JSON array of match records (empty when nothing
 * matched or the pair was reported before). SCAN_TIMEOUT or SCAN_ERROR
 * set *out to NULL and say why in err.
 */
int		 scan_file(struct scan_thread *, const void *, size_t,
		    const struct scan_file *, json_t **, char *, size_t);

/*
 * Scan the memory of process pid (name and exe describe it; exe may be
 * NULL). Externals are their defaults (empty), as in Loki. Same results
 * as scan_file.
 */
int		 scan_process(struct scan_thread *, int, const char *,
		    const char *, json_t **, char *, size_t);

/*
 * The Loki/THOR "filetype" of content starting with p (len bytes):
 * "ELF", "ZIP", "PHP"… or "UNKNOWN". A static string.
 */
const char	*scan_filetype(const void *, size_t);
/* Loki's "extension": lower case with its dot (".php"), or "". */
void		 scan_extension(const char *, char *, size_t);

#endif
