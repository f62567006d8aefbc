/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The timeline's notable files (live/file_attributes.jsonl): pure
 * helpers, kept apart for the unit tests and the fuzz target. The
 * security.capability value (struct vfs_cap_data, revisions 1 to 3,
 * little-endian) becomes libcap-like text ("cap_net_raw,cap_setuid+ep"),
 * and a name is "hidden" when it is a dot-name in a tree where such
 * names are unusual, or made only of dots and spaces anywhere.
 */
#ifndef FILEATTR_H
#define FILEATTR_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/*
 * The text of the capability set in the xattr value (len bytes) added
 * to b, and its root id (rev 3) in *rootid (-1 when none). 0, or -1
 * when the value is malformed (b unchanged).
 */
int	 fileattr_caps(const void *, size_t, struct buf *, long long *);
/* Whether the entry at path (inside the root) is a hidden name worth a
   record: 1 or 0. */
int	 fileattr_hidden(const char *);

#endif
