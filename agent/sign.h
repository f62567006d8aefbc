/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * minisign-compatible Ed25519 keys and signatures, built on libsodium.
 *
 * Formats (https://jedisct1.github.io/minisign/):
 *   public key  "untrusted comment: …\n" + base64("Ed" keyid[8] pk[32])
 *   secret key  "untrusted comment: …\n" + base64("Ed" kdf[2] "B2" salt[32]
 *               ops[8] mem[8] keyid[8] sk[64] checksum[32]); only
 *               unencrypted keys (kdf "\0\0", as `minisign -G -W`) are read
 *               and written; an encrypted one is refused with a message.
 *   signature   "untrusted comment: …\n" + base64(alg[2] keyid[8] sig[64])
 *               + "\ntrusted comment: …\n" + base64(global_sig[64]) + "\n"
 *               alg "ED": sig over BLAKE2b-512(message) (prehashed, what we
 *               make); alg "Ed": sig over the message (legacy, verified too).
 *               global_sig = Ed25519(sig || trusted comment).
 *
 * Secret keys live in sodium_malloc'd memory and are wiped when freed.
 * Functions taking (char *err, size_t errlen) write a one-line English
 * message there on failure, naming the file when one is involved.
 */
#ifndef SIGN_H
#define SIGN_H

#include <stddef.h>
#include <stdint.h>

#define SIGN_KEYID_LEN		8
#define SIGN_PK_LEN		32
#define SIGN_SIG_LEN		64
#define SIGN_HASH_LEN		64	/* BLAKE2b-512 prehash */
#define SIGN_KEYID_HEXLEN	17	/* up to 16 hex digits and NUL */

struct sign_pubkey {
	unsigned char	keyid[SIGN_KEYID_LEN];
	unsigned char	pk[SIGN_PK_LEN];
};

struct sign_seckey;		/* opaque, in guarded memory */

struct sign_sig {
	unsigned char	 alg[2];		/* "ED" or "Ed" */
	unsigned char	 keyid[SIGN_KEYID_LEN];
	unsigned char	 sig[SIGN_SIG_LEN];
	char		*trusted_comment;	/* after "trusted comment: " */
	unsigned char	 global_sig[SIGN_SIG_LEN];
};

/* A fresh random key pair. Never fails (aborts if libsodium cannot). */
struct sign_seckey	*sign_seckey_generate(void);
/*
 * Parse an unencrypted minisign secret key from text (the whole file, or
 * the base64 line alone, as in an inline config value). NULL on error.
 */
struct sign_seckey	*sign_seckey_parse(const char *, size_t, char *, size_t);
/* Read and parse a secret key file (O_NOFOLLOW, capped). NULL on error. */
struct sign_seckey	*sign_seckey_load(const char *, char *, size_t);
void			 sign_seckey_free(struct sign_seckey *);
/* The public half of a secret key. */
void			 sign_seckey_pubkey(const struct sign_seckey *,
			    struct sign_pubkey *);

/*
 * Parse a public key: file contents with its comment line, or the bare
 * "RW…" base64 string. 0 or -1.
 */
int	 sign_pubkey_parse(const char *, size_t, struct sign_pubkey *,
	    char *, size_t);
/* Read and parse a public key file. 0 or -1. */
int	 sign_pubkey_load(const char *, struct sign_pubkey *, char *, size_t);

/* Key id as minisign prints it (upper-case hex, no leading zeros). */
void	 sign_keyid_hex(const unsigned char *, char *);
/* The "RW…" base64 form of a public key; caller frees. */
char	*sign_pubkey_base64(const struct sign_pubkey *);
/* Whole file texts in minisign's format; caller frees (the secret one
 * with sign_free_secret_text, which wipes it). */
char	*sign_pubkey_format(const struct sign_pubkey *);
char	*sign_seckey_format(const struct sign_seckey *);
void	 sign_free_secret_text(char *);

/*
 * Write a new key pair to pubpath and secpath (secret key 0600,
 * O_EXCL unless force). 0 or -1; on error nothing is left behind.
 * If keyid is not NULL it receives the key id.
 */
int	 sign_keygen_files(const char *, const char *, int, unsigned char *,
	    char *, size_t);

/*
 * Sign a BLAKE2b-512 prehash: returns the whole .minisig text (caller
 * frees). The trusted comment must not contain a newline.
 */
char	*sign_prehashed(const struct sign_seckey *, const unsigned char *,
	    const char *);
/* Same, hashing the buffer first. */
char	*sign_buffer(const struct sign_seckey *, const void *, size_t,
	    const char *);

/* Parse a .minisig text. 0 or -1. Free with sign_sig_free. */
int	 sign_sig_parse(const char *, size_t, struct sign_sig *, char *,
	    size_t);
void	 sign_sig_free(struct sign_sig *);

/*
 * Verify sig with pk: key id match, the signature over the message
 * (prehash for "ED", raw bytes for "Ed"), and the global signature over
 * the trusted comment. 0 when valid, -1 otherwise (err says which part).
 */
int	 sign_verify_buffer(const struct sign_pubkey *, const struct sign_sig *,
	    const void *, size_t, char *, size_t);
/* Same for an "ED" signature given the message's BLAKE2b-512. */
int	 sign_verify_prehash(const struct sign_pubkey *, const struct sign_sig *,
	    const unsigned char *, char *, size_t);
/* Same, reading the message from fd to its end (streamed for "ED"). */
int	 sign_verify_fd(const struct sign_pubkey *, const struct sign_sig *,
	    int, char *, size_t);
/*
 * Same, and sha256 (32 bytes) gets the SHA-256 of the bytes read (all
 * zeros when the file was not read through): the archive's reference.
 */
int	 sign_verify_fd_sum(const struct sign_pubkey *,
	    const struct sign_sig *, int, unsigned char *, char *, size_t);

#endif
