/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Indicators of compromise shared between CSIRTs: packs of MISP event
 * JSON, STIX 2.1 bundles and Loki IOC files, read into one set that a run
 * looks things up in (hashes, names and paths, addresses) and turns into
 * YARA rules (domains, URLs and addresses in logs, files and memory).
 *
 * A set is built before collection (ioc-formats.c; ioc-pack.c: signed
 * packs) and is read-only afterwards, so lookups from several threads
 * need no lock. Memory is bounded: IOC_MAX indicators in a set.
 */
#ifndef IOC_H
#define IOC_H

#include <stddef.h>

#define IOC_MAX		(1U << 21)

enum ioc_type {
	IOC_MD5,
	IOC_SHA1,
	IOC_SHA256,
	IOC_FILENAME,	/* a base name, or a Loki filename regex */
	IOC_PATH,	/* a full path */
	IOC_ADDR,	/* an IPv4 or IPv6 address or CIDR block */
	IOC_DOMAIN,	/* a domain or host name */
	IOC_URL,
	IOC_NTYPES
};

/* One indicator, as the set holds it (strings owned by the set). */
struct ioc {
	enum ioc_type	 type;
	const char	*value;		/* normalised: hex and domains lower case */
	const char	*id;		/* MISP attribute uuid, STIX indicator id,
					   or "FILE:LINE" for Loki */
	const char	*event;		/* MISP event uuid, STIX bundle id, or
					   the Loki file's name */
	const char	*source;	/* the pack (or file) it came from */
	const char	*comment;	/* description, or NULL */
};

struct ioc_set;

struct ioc_set	*ioc_set_new(void);
void		 ioc_set_free(struct ioc_set *);
/*
 * Add the indicators of one file's bytes, its format recognised from
 * the content (MISP event JSON, STIX 2.1 bundle JSON, Loki text); name
 * names the file in messages and as the indicators' source. The number
 * added, or -1 with err (nothing added) when the file is none of them or
 * is damaged.
 */
int		 ioc_set_load(struct ioc_set *, const char *, const char *,
		    size_t, char *, size_t);
/* Indicators of a type in the set. */
size_t		 ioc_set_count(const struct ioc_set *, enum ioc_type);
/* Indicators added from files of a format: "misp", "stix" or "loki". */
size_t		 ioc_set_count_format(const struct ioc_set *, const char *);
/* A type's name in messages and records: "md5", …, "addr", "url". */
const char	*ioc_type_name(enum ioc_type);
/* Whether the set holds indicators of a type (a run computes md5 and
 * sha1 only when they are asked for). */
#define ioc_set_wants(s, t)	((s) != NULL && ioc_set_count((s), (t)) > 0)
/*
 * Lookups: the indicators matching, at most max of them into out; the
 * number found. hash: lower-case hex of the type's digest; name: a base
 * name (exact, or a Loki regex); path: a full path; addr: an address in
 * text form (IPv4 or IPv6; CIDR blocks match the addresses inside).
 */
size_t		 ioc_find_hash(const struct ioc_set *, enum ioc_type,
		    const char *, const struct ioc **, size_t);
size_t		 ioc_find_file(const struct ioc_set *, const char *,
		    const struct ioc **, size_t);
size_t		 ioc_find_addr(const struct ioc_set *, const char *,
		    const struct ioc **, size_t);
/*
 * YARA source for the domain, URL and address indicators, or NULL when
 * there are none; caller frees. Indicators of a kind are grouped as the
 * branches of one regex: strings "$d_G" (domains), "$a_G" (addresses),
 * "$u_G" (URLs), and "$i_N" for a URL too long to group (entry N), in
 * rules "iocs_R" matching any of them.
 */
char		*ioc_yara_source(const struct ioc_set *);
/*
 * The indicators behind a hit of string (its identifier, with or
 * without the '$') that matched text (the bytes matched, as narrow text:
 * a wide match's zero bytes taken out), at most max into out; the number
 * found.
 */
size_t		 ioc_by_match(const struct ioc_set *, const char *,
		    const char *, const struct ioc **, size_t);

#endif /* IOC_H */
