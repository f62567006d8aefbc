/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Signed IOC packs: a .tar.zst of MISP/STIX .json and Loki .txt files
 * signed with stock `minisign -S -t "csirt-collect-iocs version=N"`,
 * checked like rule bundles (rules.c: the key, the version floor per key
 * in the state directory, the entries), then read into an indicator set
 * (ioc.c). An operator may also name an unsigned file or directory.
 */
#ifndef IOC_PACK_H
#define IOC_PACK_H

#include <stddef.h>

#include "ioc.h"
#include "rules.h"

#define IOC_PACK_FILE_MAX	(64U << 20)	/* one unsigned file */
#define IOC_PACK_FILES_MAX	10000		/* files of a directory */

/* Add the files of a verified pack b (named path) to s: 0, or -1. */
int		 ioc_pack_add(struct ioc_set *, const char *,
		    const struct rules_bundle *, char *, size_t);
/*
 * The indicators at path: a signed pack (.tar.zst, verified with pubkey
 * against the floor in state; nothing written), else an unsigned file
 * or a directory of .json and .txt files (sub-folders read, links not
 * followed). A new set (caller frees), or NULL with err naming the file
 * and why; *version gets the pack's version (-1 unsigned) if not NULL.
 */
struct ioc_set	*ioc_pack_load(const char *, const char *, const char *,
		    long long *, char *, size_t);

#endif
