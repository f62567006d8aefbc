/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Verification of an archive made by `run`, and decryption of an age
 * file. These read hostile bytes and report what they find through the
 * caller; they print nothing and decide no exit code (the CLI does:
 * cli-verify.c).
 */
#ifndef VERIFY_H
#define VERIFY_H

#include <stddef.h>

#include "sign.h"

/* How the checks are reported: one line each, tag "ok", "FAILED", "note". */
struct verify_say {
	void	(*line)(void *, const char *, const char *);
	void	 *arg;
};

struct verify_result {
	int	 failed;
	char	 first[1024];	/* the first failure */
	size_t	 entries;	/* entries checked against the manifest */
	int	 inside;	/* the inside was read (not encrypted, or ids) */
};

/*
 * Check the archive open on fd (archive: its path, whose .minisig beside
 * it is the outer signature) with pub: the outer signature, then, unless
 * it is age-encrypted and ids (age identities, text) is NULL, the
 * manifest's signature and every entry's sha256 and size against it,
 * with no entry missing or extra. Memory is bounded whatever the archive
 * declares.
 */
void	 verify_archive(int, const char *, const struct sign_pubkey *,
	    const char *, const struct verify_say *, struct verify_result *);
/* Whether fd starts with an age header. */
int	 verify_is_age(int);
/*
 * Decrypt the age file on fd with ids (text) to ofd. 0, or -1 with err
 * on a damaged or forged file or a write error.
 */
int	 verify_decrypt(int, const char *, int, char *, size_t);

#endif
