/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The inside of export: the exporter's state, shared by export.c (the
 * tap, the output, the UAC tar), export-ts.c (Timesketch events and the
 * matches kept) and export-share.c (MISP and STIX documents).
 */
#ifndef EXPORT_INT_H
#define EXPORT_INT_H

#include <stdint.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "export.h"
#include "util.h"

#define EXPORT_FINDINGS_MAX	10000

enum {
	EXPORT_K_NONE,
	EXPORT_K_BODY,
	EXPORT_K_LOGINS,
	EXPORT_K_PROCS,
	EXPORT_K_PKGS,
	EXPORT_K_YARA,
	EXPORT_K_IOCS,
	EXPORT_K_LOG,
	EXPORT_K_MANIFEST
};

/* A YARA or IOC match, kept until the archive is verified. */
struct export_finding {
	int		 ioc;		/* from iocs/matches.jsonl */
	json_t		*rec;		/* the record */
	const char	*path;		/* in rec, or NULL */
	const char	*sha256;	/* in rec (64 hex), or NULL */
	const char	*md5;
	const char	*addr;
	int64_t		 time;		/* the record's, -1 when none */
	int64_t		 mtime;		/* the file's (manifest), -1 */
	char		 md5buf[33];	/* md5 of the archived copy */
	int		 truncated;	/* the copy is not the whole file */
};

/* The md5 of a files/ entry, keyed by a BLAKE2b-128 of its name. */
struct export_md5 {
	unsigned char	 key[16];
	unsigned char	 md5[16];
};
#define EXPORT_MD5_MAX		(1U << 20)

struct export {
	int			 fmt;
	int			 fd;
	time_t			 now;
	struct verify_tap	 tap;
	/* The entry being read. */
	int			 kind;
	char			*name;
	struct lines		 lines;
	int			 hashing;
	int			 copying;
	EVP_MD_CTX		*sha;
	/* MISP and STIX: md5 of each files/ entry, for the matched ones. */
	int			 md5ing;
	EVP_MD_CTX		*md5;
	struct export_md5	 md5cur;
	struct export_md5	*md5s;
	size_t			 nmd5, md5_dropped;
	/* Output. */
	struct buf		 out;
	int			 werr;
	char			 werrmsg[256];
	struct archive		*w;
	/* Kept for export_finish. */
	struct buf		 manifest;
	int			 manifest_over;
	struct buf		 uaclog;
	int			 uaclog_over;
	struct export_finding	*f;
	size_t			 nf, f_dropped;
	/* Left out. */
	size_t			 long_lines, bad_lines;
	char			 note[512];
};

void	 export_flush(struct export *);
void	 export_emit(struct export *, const char *, size_t);
void	 export_emit_json(struct export *, json_t *, size_t);
char	*export_uac_name(const char *);
void	 export_uac_log(struct export *, const char *, size_t);
void	 export_uac_finish(struct export *);

/* export-ts.c */
void	 export_ts_body(struct export *, char *, size_t);
void	 export_ts_record(struct export *, int, json_t *);
void	 export_ts_findings(struct export *, json_t *);
void	 export_finding_add(struct export *, int, json_t *);
void	 export_finding_clear(struct export_finding *);
void	 export_findings_sort(struct export *);
void	 export_md5_key(unsigned char *, const char *, const char *);
void	 export_findings_md5(struct export *);
void	 export_manifest_entry(void *, json_t *);
/* "2026-11-22T10:15:00.000000Z" for t microseconds. */
void	 export_iso(char *, size_t, int64_t);

/* export-share.c */
void	 export_misp(struct export *, json_t *);
void	 export_stix(struct export *, json_t *);

#endif
