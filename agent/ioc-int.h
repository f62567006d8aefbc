/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Inside indicator sets: the set, its entries and a file being loaded,
 * shared by ioc.c (the set, values, lookups, YARA) and ioc-formats.c
 * (MISP, STIX and Loki files).
 */
#ifndef IOC_INT_H
#define IOC_INT_H

#include <regex.h>
#include <stdint.h>

#include <jansson.h>
#include <sodium.h>

#include "ioc.h"

#define IOC_VALUE_MAX	4096		/* a path; URLs and names are less */
#define IOC_TEXT_MAX	256		/* ids and comments are cut there */
#define IOC_BYTES_MAX	(256U << 20)	/* strings held by a set */
#define IOC_REGEX_MAX	512		/* a Loki filename regex */
#define IOC_REGEX_NODES	4096		/* what regcomp may make of it */
#define IOC_REGEX_DEPTH	32		/* its groups in groups */
#define IOC_REGEX_GROUPS 8		/* its repeated groups */
#define IOC_CMP_MAX	64		/* comparisons in a STIX pattern */
#define IOC_WARN_MAX	10		/* warnings per file on stderr */
#define IOC_DETAIL_MAX	1000		/* and in collection.log */
#define IOC_NONE	UINT32_MAX
#define IOC_BLOCK	65536		/* the set's strings, stored in blocks */

enum ioc_format { IOC_FMT_MISP, IOC_FMT_STIX, IOC_FMT_LOKI, IOC_NFORMATS };

struct ioc_ent {
	struct ioc	 pub;
	uint64_t	 hash;
	uint32_t	 next;		/* chain in the table, or IOC_NONE */
	unsigned char	 scanned;	/* in the scan list, not the table */
	unsigned char	 format;
	unsigned char	 family;	/* addresses: AF_INET or AF_INET6 */
	unsigned char	 prefix;	/* blocks: prefix length */
	unsigned char	 addr[16];
	regex_t		*re, *fp;	/* Loki: the regex and its false
					   positives' */
};

struct ioc_set {
	struct ioc_ent	*ent;
	size_t		 n, cap;
	uint32_t	*bucket;	/* chain heads; IOC_NONE: empty */
	size_t		 nbucket;	/* a power of two */
	uint32_t	*scan;		/* blocks and regexes */
	size_t		 nscan, capscan;
	char		**blk;		/* blocks of strings (ioc_store) */
	size_t		 nblk, used;	/* used: bytes of the last block */
	char		**pool;		/* event and source names, shared */
	size_t		 npool;
	size_t		 count[IOC_NTYPES];
	size_t		 nformat[IOC_NFORMATS];
	size_t		 bytes;
	unsigned char	 key[crypto_shorthash_KEYBYTES];
};

/* One file being loaded. */
struct ioc_load {
	struct ioc_set	*s;
	const char	*source;
	const char	*event;
	enum ioc_format	 format;
	size_t		 skipped;
	char		*err;
	size_t		 errlen;
};

/* Free what an entry holds (not the entry). */
void		 ioc_ent_free(struct ioc_ent *);
/*
 * The normalised value of an indicator into out (IOC_VALUE_MAX + 1
 * bytes), e's address fields set for addresses. 0, or -1 with why.
 */
int		 ioc_norm(enum ioc_type, const char *, char *, struct ioc_ent *,
		    const char **);
/* A skipped indicator: warned (on stderr for the first few). */
void		 ioc_warn(struct ioc_load *, const char *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
/* Append e (value normalised; its strings copied) to the set: 0, or -1
 * at a cap. */
int		 ioc_push(struct ioc_load *, struct ioc_ent *);
/*
 * Add one indicator from raw text: 0 added, 1 skipped (warned), -1 at a
 * cap (err set, the load fails).
 */
int		 ioc_add(struct ioc_load *, enum ioc_type, const char *,
		    const char *, const char *);
/* A file's name without folders, nor the pack of "PACK:ENTRY". */
const char	*ioc_base(const char *);

/* ioc-formats.c: the indicators of one file, 0 or -1 with l->err. */
int		 ioc_misp(struct ioc_load *, json_t *);
int		 ioc_stix(struct ioc_load *, json_t *);
int		 ioc_loki(struct ioc_load *, char *);

#endif /* IOC_INT_H */
