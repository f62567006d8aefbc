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
 * the archive). An encrypted archive is checked inside too when the age
 * identity file idpath is given. Prints what it checks on stderr;
 * returns 0 when all is valid, EXIT_VERIFY (4) on any mismatch,
 * EXIT_USAGE (2) when the key or the archive cannot be read at all.
 */
int	 verify_main(const char *, const char *, const char *);
/*
 * Decrypt the age file in with the identity file idpath to outpath
 * (created, 0600; NULL: stdout). 0, EXIT_VERIFY on a damaged or forged
 * file (outpath removed), EXIT_USAGE when a file cannot be opened.
 */
int	 verify_decrypt(const char *, const char *, const char *);

#endif
