/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * age v1 encryption (https://age-encryption.org/v1) to X25519
 * recipients, built from libsodium (X25519, ChaCha20-Poly1305,
 * HMAC-SHA-256) and OpenSSL (HKDF-SHA-256): an output stage that
 * encrypts in the single pass of the archive, with one 64 KiB chunk
 * of memory, and a streaming decryptor for `decrypt` and `verify`.
 * Stock `age -d` reads what we write; we read what stock `age -r` writes.
 */
#ifndef CRYPT_H
#define CRYPT_H

#include <stddef.h>
#include <sys/types.h>

#include "out.h"

#define CRYPT_KEY_LEN	32

/* "age1…" into a public key. 0 or -1 with err naming the recipient. */
int		 crypt_recipient_parse(const char *, unsigned char *, char *,
		    size_t);

/*
 * An encrypting stage to n recipients (32-byte public keys); the header
 * is written with the first bytes. NULL never: aborts on RNG failure.
 */
struct out	*out_age_new(struct out *, const unsigned char (*)[CRYPT_KEY_LEN],
		    size_t);

/*
 * A new identity: *identity gets "AGE-SECRET-KEY-1…" (caller frees with
 * crypt_free_secret), *recipient "age1…" (caller frees).
 */
void		 crypt_keygen(char **, char **);
void		 crypt_free_secret(char *);

/* Streaming decryption of an age file read from fd. */
struct crypt_dec;
/*
 * Read the header from fd and unwrap the file key with one of the
 * identities in text (an identity file: comments and
 * AGE-SECRET-KEY-1… lines). NULL with err.
 */
struct crypt_dec *crypt_dec_new(int, const char *, char *, size_t);
/*
 * Up to len plaintext bytes into buf: the count, 0 at the authenticated
 * end, -1 with err on a damaged, truncated or forged file.
 */
ssize_t		 crypt_dec_read(struct crypt_dec *, void *, size_t, char *,
		    size_t);
void		 crypt_dec_free(struct crypt_dec *);

#endif
