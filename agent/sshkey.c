/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * sshkey: private keys recognised by content and described from their
 * clear parts. The OpenSSH format ("openssh-key-v1") keeps the cipher
 * name and the public key in clear, and the comment inside the private
 * section (readable only when the cipher is "none"); PEM keys say
 * "Proc-Type: 4,ENCRYPTED" in a header, PKCS#8 ones "ENCRYPTED PRIVATE
 * KEY" in the armour. Decoded bytes are wiped before returning.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "sshkey.h"
#include "util.h"

/* The first line of buf, blank space before it skipped; 0 if none. */
static size_t
sshkey_first_line(const char *buf, size_t len, const char **line)
{
	size_t	i = 0, j;

	while (i < len && isspace((unsigned char)buf[i]))
		i++;
	for (j = i; j < len && buf[j] != '\n' && buf[j] != '\r'; j++)
		;
	*line = buf + i;
	return j - i;
}

static int
sshkey_has(const char *s, size_t len, const char *what)
{
	size_t	n = strlen(what), i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(s + i, what, n) == 0)
			return 1;
	return 0;
}

static int
sshkey_starts(const char *s, size_t len, const char *what)
{
	size_t	n = strlen(what);

	return len >= n && memcmp(s, what, n) == 0;
}

int
sshkey_is_private(const void *buf, size_t len)
{
	const char	*l;
	size_t		 n;

	n = sshkey_first_line(buf, len, &l);
	if (sshkey_starts(l, n, "PuTTY-User-Key-File-"))
		return 1;
	/* PEM "-----BEGIN ", SSH2 (RFC 4716) "---- BEGIN ". */
	if (!sshkey_starts(l, n, "-----BEGIN ") &&
	    !sshkey_starts(l, n, "---- BEGIN "))
		return 0;
	return sshkey_has(l, n, "PRIVATE KEY");
}

/* A reader of SSH wire data (RFC 4251 strings and integers). */
struct sshkey_rd {
	const uint8_t	*p;
	size_t		 n;
};

static int
sshkey_u32(struct sshkey_rd *r, uint32_t *v)
{
	if (r->n < 4)
		return -1;
	*v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	    (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->n -= 4;
	return 0;
}

static int
sshkey_str(struct sshkey_rd *r, const uint8_t **s, size_t *len)
{
	uint32_t	n;

	if (sshkey_u32(r, &n) == -1 || n > r->n)
		return -1;
	*s = r->p;
	*len = n;
	r->p += n;
	r->n -= n;
	return 0;
}

static int
sshkey_streq(const uint8_t *s, size_t len, const char *what)
{
	return len == strlen(what) && memcmp(s, what, len) == 0;
}

/* Bits of a big-endian unsigned integer (an mpint's leading 0 skipped). */
static unsigned
sshkey_intbits(const uint8_t *s, size_t len)
{
	unsigned	b;

	while (len > 0 && *s == 0) {
		s++;
		len--;
	}
	if (len == 0)
		return 0;
	for (b = 8; b > 0 && !(*s & (1u << (b - 1))); b--)
		;
	return (unsigned)((len - 1) * 8) + b;
}

static void
sshkey_copy(char *dst, size_t size, const uint8_t *s, size_t len)
{
	size_t	i, o = 0;

	/* Printable ASCII only: the comment goes into a record. */
	for (i = 0; i < len && o + 1 < size; i++)
		dst[o++] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
	dst[o] = '\0';
}

/* Type, bits or curve from an OpenSSH public key blob. */
static void
sshkey_blob(const uint8_t *blob, size_t len, struct sshkey_info *k)
{
	struct sshkey_rd	 r = { blob, len };
	const uint8_t		*t, *a, *b;
	size_t			 tl, al, bl;
	unsigned char		 h[crypto_hash_sha256_BYTES];
	char			 b64[64];

	crypto_hash_sha256(h, blob, len);
	sodium_bin2base64(b64, sizeof b64, h, sizeof h,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	snprintf(k->fingerprint, sizeof k->fingerprint, "SHA256:%s", b64);
	if (sshkey_str(&r, &t, &tl) == -1)
		return;
	if (sshkey_streq(t, tl, "ssh-ed25519")) {
		k->type = "ed25519";
		k->bits = 256;
	} else if (sshkey_streq(t, tl, "ssh-rsa")) {
		k->type = "rsa";
		if (sshkey_str(&r, &a, &al) == 0 &&
		    sshkey_str(&r, &b, &bl) == 0)
			k->bits = sshkey_intbits(b, bl);
	} else if (sshkey_streq(t, tl, "ssh-dss")) {
		k->type = "dsa";
		if (sshkey_str(&r, &a, &al) == 0)
			k->bits = sshkey_intbits(a, al);
	} else if (tl > 11 && memcmp(t, "ecdsa-sha2-", 11) == 0) {
		k->type = "ecdsa";
		if (sshkey_str(&r, &a, &al) == 0)
			sshkey_copy(k->curve, sizeof k->curve, a, al);
	} else if (sshkey_has((const char *)t, tl, "ed25519"))
		k->type = "ed25519";	/* sk-ssh-ed25519@openssh.com */
	else if (sshkey_has((const char *)t, tl, "ecdsa"))
		k->type = "ecdsa";
}

/* Skip one key's private fields (after its type name) in r. */
static int
sshkey_skip_private(struct sshkey_rd *r, const char *type)
{
	const uint8_t	*s;
	size_t		 len;
	int		 n, i;

	if (strcmp(type, "ed25519") == 0)
		n = 2;		/* pk, sk */
	else if (strcmp(type, "rsa") == 0)
		n = 6;		/* n, e, d, iqmp, p, q */
	else if (strcmp(type, "ecdsa") == 0)
		n = 3;		/* curve, Q, d */
	else if (strcmp(type, "dsa") == 0)
		n = 5;		/* p, q, g, y, x */
	else
		return -1;
	for (i = 0; i < n; i++)
		if (sshkey_str(r, &s, &len) == -1)
			return -1;
	return 0;
}

/* The decoded "openssh-key-v1" data. */
static void
sshkey_openssh(const uint8_t *d, size_t len, struct sshkey_info *k)
{
	static const char	 magic[] = "openssh-key-v1";
	struct sshkey_rd	 r;
	const uint8_t		*cipher, *kdf, *opts, *pub, *priv, *s;
	size_t			 cl, kl, ol, pl, vl, sl;
	uint32_t		 nkeys, c1, c2;

	if (len < sizeof magic || memcmp(d, magic, sizeof magic) != 0)
		return;
	r.p = d + sizeof magic;
	r.n = len - sizeof magic;
	if (sshkey_str(&r, &cipher, &cl) == -1)
		return;
	k->encrypted = !sshkey_streq(cipher, cl, "none");
	if (sshkey_str(&r, &kdf, &kl) == -1 ||
	    sshkey_str(&r, &opts, &ol) == -1 ||
	    sshkey_u32(&r, &nkeys) == -1 || nkeys < 1 ||
	    sshkey_str(&r, &pub, &pl) == -1)
		return;
	sshkey_blob(pub, pl, k);
	if (k->encrypted || nkeys != 1 || sshkey_str(&r, &priv, &vl) == -1)
		return;
	r.p = priv;
	r.n = vl;
	if (sshkey_u32(&r, &c1) == -1 || sshkey_u32(&r, &c2) == -1 ||
	    c1 != c2 || sshkey_str(&r, &s, &sl) == -1 ||
	    sshkey_skip_private(&r, k->type) == -1 ||
	    sshkey_str(&r, &s, &sl) == -1)
		return;
	sshkey_copy(k->comment, sizeof k->comment, s, sl);
}

/* A DER length and header; -1 if malformed. */
static int
sshkey_der(struct sshkey_rd *r, uint8_t tag, const uint8_t **v, size_t *len)
{
	size_t	n, i, nb;

	if (r->n < 2 || r->p[0] != tag)
		return -1;
	n = r->p[1];
	r->p += 2;
	r->n -= 2;
	if (n & 0x80) {
		nb = n & 0x7f;
		if (nb == 0 || nb > 4 || nb > r->n)
			return -1;
		for (n = 0, i = 0; i < nb; i++)
			n = n << 8 | r->p[i];
		r->p += nb;
		r->n -= nb;
	}
	if (n > r->n)
		return -1;
	*v = r->p;
	*len = n;
	r->p += n;
	r->n -= n;
	return 0;
}

/* Bits of a PKCS#1 RSA key: SEQUENCE { version, n, ... }. */
static void
sshkey_pkcs1_rsa(const uint8_t *d, size_t len, struct sshkey_info *k)
{
	struct sshkey_rd	 r = { d, len }, in;
	const uint8_t		*v;
	size_t			 vl;

	if (sshkey_der(&r, 0x30, &v, &vl) == -1)
		return;
	in.p = v;
	in.n = vl;
	if (sshkey_der(&in, 0x02, &v, &vl) == 0 &&
	    sshkey_der(&in, 0x02, &v, &vl) == 0)
		k->bits = sshkey_intbits(v, vl);
}

/* The type of an unencrypted PKCS#8 key, from its algorithm OID. */
static void
sshkey_pkcs8(const uint8_t *d, size_t len, struct sshkey_info *k)
{
	static const uint8_t	rsa[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
				    0x01, 0x01, 0x01 };
	static const uint8_t	ec[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
				    0x01 };
	static const uint8_t	dsa[] = { 0x2a, 0x86, 0x48, 0xce, 0x38, 0x04,
				    0x01 };
	static const uint8_t	ed[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
	size_t			cap = len < 64 ? len : 64;

	if (memmem(d, cap, ed, sizeof ed) != NULL)
		k->type = "ed25519";
	else if (memmem(d, cap, rsa, sizeof rsa) != NULL)
		k->type = "rsa";
	else if (memmem(d, cap, ec, sizeof ec) != NULL)
		k->type = "ecdsa";
	else if (memmem(d, cap, dsa, sizeof dsa) != NULL)
		k->type = "dsa";
}

/*
 * Decode the base64 body after the armour line (and any "Key: value"
 * headers, up to a blank line) into d. The length decoded, 0 if none.
 */
static size_t
sshkey_body(const char *buf, size_t len, uint8_t *d, size_t dsize)
{
	const char	*p = buf, *end = buf + len, *nl, *b64end;
	size_t		 dl = 0;

	/* The armour line. */
	if ((nl = memchr(p, '\n', len)) == NULL)
		return 0;
	p = nl + 1;
	/* RFC 1421 / 4716 headers: lines with ':' (continued by '\'). */
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (memchr(p, ':', (size_t)(nl - p)) == NULL &&
		    (nl == p || nl[-1] != '\\'))
			break;
		p = nl + 1;
	}
	if (p >= end)
		return 0;
	if (sodium_base642bin(d, dsize, p, (size_t)(end - p), " \t\r\n",
	    &dl, &b64end, sodium_base64_VARIANT_ORIGINAL) != 0)
		return 0;
	return dl;
}

int
sshkey_parse(const void *buf, size_t len, struct sshkey_info *k)
{
	uint8_t		 d[SSHKEY_READ_MAX];
	const char	*l;
	size_t		 n, dl;

	memset(k, 0, sizeof *k);
	k->type = "unknown";
	k->encrypted = -1;
	k->format = "pem";
	if (!sshkey_is_private(buf, len))
		return -1;
	n = sshkey_first_line(buf, len, &l);
	if (sshkey_starts(l, n, "PuTTY-User-Key-File-")) {
		k->format = "putty";
		if (sshkey_has(l, n, "ssh-ed25519"))
			k->type = "ed25519";
		else if (sshkey_has(l, n, "ssh-rsa"))
			k->type = "rsa";
		else if (sshkey_has(l, n, "ecdsa"))
			k->type = "ecdsa";
		else if (sshkey_has(l, n, "ssh-dss"))
			k->type = "dsa";
		/* "Encryption: none" on the next lines. */
		n = len < SSHKEY_PREFIX * 4 ? len : SSHKEY_PREFIX * 4;
		if (sshkey_has(buf, n, "Encryption: none"))
			k->encrypted = 0;
		else if (sshkey_has(buf, n, "Encryption: "))
			k->encrypted = 1;
		return 0;
	}
	if (*l == '-' && l[4] == ' ') {
		k->format = "ssh2";
		k->encrypted = sshkey_has(l, n, "ENCRYPTED") ? 1 : -1;
		return 0;
	}
	/* The decoded bytes are secret: wiped below. */
	dl = sshkey_body((const char *)l, len - (size_t)(l - (const char *)buf),
	    d, sizeof d);
	if (sshkey_has(l, n, "OPENSSH PRIVATE KEY")) {
		k->format = "openssh";
		sshkey_openssh(d, dl, k);
	} else if (sshkey_has(l, n, "ENCRYPTED PRIVATE KEY")) {
		k->format = "pkcs8";
		k->encrypted = 1;
	} else if (sshkey_starts(l, n, "-----BEGIN PRIVATE KEY")) {
		k->format = "pkcs8";
		k->encrypted = 0;
		sshkey_pkcs8(d, dl, k);
	} else {
		if (sshkey_has(l, n, "RSA PRIVATE"))
			k->type = "rsa";
		else if (sshkey_has(l, n, "EC PRIVATE"))
			k->type = "ecdsa";
		else if (sshkey_has(l, n, "DSA PRIVATE"))
			k->type = "dsa";
		n = len < SSHKEY_PREFIX * 4 ? len : SSHKEY_PREFIX * 4;
		k->encrypted = sshkey_has(buf, n, "Proc-Type: 4,ENCRYPTED");
		if (!k->encrypted && strcmp(k->type, "rsa") == 0)
			sshkey_pkcs1_rsa(d, dl, k);
	}
	sodium_memzero(d, sizeof d);
	return 0;
}
