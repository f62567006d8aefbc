/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * sshkey: recognise a private key by its content (never by its name) and
 * describe it from the bytes in clear: type, whether it is encrypted,
 * bits or curve, the comment of an unencrypted OpenSSH key, and the
 * SHA256 fingerprint of the public part. Pure functions on bytes, for the
 * collection (which never archives such a file) and the ssh_keys
 * collector; the caller wipes its buffer.
 */
#ifndef SSHKEY_H
#define SSHKEY_H

#include <stddef.h>

/* Bytes of a file read to describe a key (a 16384-bit RSA key is ~13K). */
#define SSHKEY_READ_MAX		(64 * 1024)
/* Bytes enough to recognise the armour. */
#define SSHKEY_PREFIX		256

struct sshkey_info {
	const char	*format;	/* "openssh", "pem", "pkcs8", "putty", "ssh2" */
	const char	*type;		/* rsa, ed25519, ecdsa, dsa, unknown */
	int		 encrypted;	/* 1, 0, or -1: unknown */
	unsigned	 bits;		/* 0: unknown */
	char		 curve[16];	/* "nistp256"..., or "" */
	char		 comment[256];	/* unencrypted OpenSSH only, or "" */
	char		 fingerprint[80]; /* "SHA256:...", or "" */
};

/*
 * Whether buf (len bytes, the start of a file) is a private key: its first
 * line, after blank space, is a PEM or SSH2 armour naming a PRIVATE KEY,
 * or a PuTTY key file header. 1 or 0.
 */
int	 sshkey_is_private(const void *, size_t);

/*
 * Describe the private key in buf (len bytes). Returns 0 with info filled,
 * or -1 if buf is no private key. Fields that cannot be read from the
 * bytes in clear (a cut or damaged key) stay unknown.
 */
int	 sshkey_parse(const void *, size_t, struct sshkey_info *);

#endif
