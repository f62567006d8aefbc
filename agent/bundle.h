/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * A pre-configured agent: a copy of the binary with an INI configuration
 * appended as a checksummed payload. Layout at the end of the file:
 *
 *   payload (INI text) | trailer: magic[16] "CSIRT-COLLECT-C1",
 *   length (u64 little-endian), sha256(payload)[32], zero[8]
 *
 * The ELF loader ignores bytes after the last segment, so the copy runs
 * as the original does; the agent reads its own file at start.
 */
#ifndef BUNDLE_H
#define BUNDLE_H

#include <stddef.h>

#define BUNDLE_MAX	(1U << 20)

/*
 * The embedded configuration of the running binary: 1 with *text set
 * (caller frees with config_free_text), 0 when there is none, -1 with
 * err when a payload is there but damaged.
 */
int	 bundle_read(char **, char *, size_t);
/*
 * Parse config file cfgpath, inline the files it names, and write a copy
 * of the running binary with it embedded to out (mode 0700, O_EXCL).
 * 0, or -1 with err (nothing left behind).
 */
int	 bundle_write(const char *, const char *, char *, size_t);
/* Same, reading the payload of the binary at path (tests, fuzzing). */
int	 bundle_read_file(const char *, char **, char *, size_t);

#endif
