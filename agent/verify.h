/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Verification of an archive made by `run`.
 */
#ifndef VERIFY_H
#define VERIFY_H

/*
 * Verify archive with the public key at pubpath (NULL: the .pub beside
 * the archive). Prints what it checks on stderr; returns 0 when all is
 * valid, EXIT_VERIFY (4) on any mismatch, EXIT_USAGE (2) when the key
 * or the archive cannot be read at all.
 */
int	 verify_main(const char *, const char *);

#endif
