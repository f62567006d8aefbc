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
#include <stdint.h>

#include "sign.h"

/*
 * A reader of the entries' bytes as they are checked, so that a command
 * built on verify (report, export) reads the archive once. open is called
 * at each entry (the manifest and its signature included) with its name
 * and declared size; when it returns 1, data gets the entry's bytes in
 * order, then close is called (close(arg, 0) when the whole entry was
 * read, -1 when it could not be). Nothing seen through a tap is
 * trustworthy until verify_archive returns with failed == 0: a tap keeps
 * what it reads aside until then.
 */
struct verify_tap {
	int	(*open)(void *, const char *, uint64_t);
	void	(*data)(void *, const void *, size_t);
	void	(*close)(void *, int);
	void	 *arg;
};

/*
 * How the checks are reported: one line each, tag "ok", "FAILED", "note";
 * tap, when not NULL, sees the entries' bytes.
 */
struct verify_say {
	void			(*line)(void *, const char *, const char *);
	void			 *arg;
	const struct verify_tap	 *tap;
};

struct verify_result {
	int	 failed;
	char	 first[1024];	/* the first failure */
	size_t	 entries;	/* entries checked against the manifest */
	int	 inside;	/* the inside was read (not encrypted, or ids) */
	char	 reference[10];	/* "XXXX XXXX" of the file's sha256, or "" */
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
