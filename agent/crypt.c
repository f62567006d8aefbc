/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * age v1 with X25519 recipients. Header:
 *   age-encryption.org/v1
 *   -> X25519 <base64 ephemeral share>
 *   <base64 ChaCha20-Poly1305(HKDF(shared, share||pk), file key)>
 *   --- <base64 HMAC-SHA-256(HKDF(file key, "header"), header up to "---")>
 * then a 16-byte nonce and the payload in 64 KiB ChaCha20-Poly1305 STREAM
 * chunks keyed by HKDF(file key, nonce, "payload"), the last one flagged.
 * Base64 is the standard alphabet without padding; keys are Bech32.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <sodium.h>

#include "crypt.h"
#include "util.h"

#define AGE_MAGIC	"age-encryption.org/v1"
#define AGE_CHUNK	65536
#define AGE_TAG		crypto_aead_chacha20poly1305_ietf_ABYTES
#define AGE_FILEKEY	16
#define AGE_NONCE	16
#define AGE_HEADER_MAX	(64U << 10)
#define AGE_B64		sodium_base64_VARIANT_ORIGINAL_NO_PADDING

/* Bech32 (BIP 173). */

static const char crypt_b32[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t
crypt_polymod(const unsigned char *v, size_t n)
{
	static const uint32_t	g[5] = { 0x3b6a57b2, 0x26508e6d, 0x1ea119fa,
				    0x3d4233dd, 0x2a1462b3 };
	uint32_t		c = 1, top;
	size_t			i, j;

	for (i = 0; i < n; i++) {
		top = c >> 25;
		c = ((c & 0x1ffffff) << 5) ^ v[i];
		for (j = 0; j < 5; j++)
			if ((top >> j) & 1)
				c ^= g[j];
	}
	return c;
}

/* hrp (lower case) expanded, then data: the checksum input. */
static size_t
crypt_hrp_expand(const char *hrp, const unsigned char *data, size_t n,
    unsigned char *out)
{
	size_t	h = strlen(hrp), i, k = 0;

	for (i = 0; i < h; i++)
		out[k++] = (unsigned char)tolower((unsigned char)hrp[i]) >> 5;
	out[k++] = 0;
	for (i = 0; i < h; i++)
		out[k++] = (unsigned char)tolower((unsigned char)hrp[i]) & 31;
	memcpy(out + k, data, n);
	return k + n;
}

/* 32 bytes as Bech32 with hrp; upper case if asked. Caller frees. */
static char *
crypt_bech32_encode(const char *hrp, const unsigned char *key, int upper)
{
	unsigned char	d[64], v[160];
	uint32_t	acc = 0, mod;
	size_t		n = 0, i, vn;
	int		bits = 0;
	struct buf	b = { 0 };

	for (i = 0; i < CRYPT_KEY_LEN; i++) {
		acc = (acc << 8) | key[i];
		for (bits += 8; bits >= 5; bits -= 5)
			d[n++] = (acc >> (bits - 5)) & 31;
	}
	if (bits > 0)
		d[n++] = (acc << (5 - bits)) & 31;
	vn = crypt_hrp_expand(hrp, d, n, v);
	memset(v + vn, 0, 6);
	mod = crypt_polymod(v, vn + 6) ^ 1;
	for (i = 0; i < 6; i++)
		d[n++] = (mod >> (5 * (5 - i))) & 31;
	buf_addstr(&b, hrp);
	buf_addstr(&b, "1");
	for (i = 0; i < n; i++)
		buf_add(&b, &crypt_b32[d[i]], 1);
	if (upper)
		for (i = 0; i < b.len; i++)
			b.data[i] = (char)toupper((unsigned char)b.data[i]);
	return b.data;
}

/* Decode s (hrp given, case-insensitive, not mixed) into 32 bytes. */
static int
crypt_bech32_decode(const char *hrp, const char *s, unsigned char *key)
{
	unsigned char	d[128] = { 0 }, v[256];
	size_t		hl = strlen(hrp), len = strlen(s), n, i, k = 0;
	uint32_t	acc = 0;
	int		bits = 0, lower = 0, upper = 0;
	const char	*p;

	if (len < hl + 8 || len - hl - 1 > sizeof d ||
	    strncasecmp(s, hrp, hl) != 0 || s[hl] != '1')
		return -1;
	for (i = 0; i < len; i++) {
		lower |= islower((unsigned char)s[i]) != 0;
		upper |= isupper((unsigned char)s[i]) != 0;
	}
	if (lower && upper)
		return -1;
	n = len - hl - 1;
	for (i = 0; i < n; i++) {
		if ((p = strchr(crypt_b32, tolower((unsigned char)s[hl + 1 +
		    i]))) == NULL || *p == '\0')
			return -1;
		d[i] = (unsigned char)(p - crypt_b32);
	}
	if (crypt_polymod(v, crypt_hrp_expand(hrp, d, n, v)) != 1 || n < 6)
		return -1;
	for (i = 0; i < n - 6; i++) {
		acc = (acc << 5) | d[i];
		for (bits += 5; bits >= 8; bits -= 8) {
			if (k == CRYPT_KEY_LEN)
				return -1;
			key[k++] = (unsigned char)(acc >> (bits - 8));
		}
	}
	if (k != CRYPT_KEY_LEN || bits >= 5 || (acc & ((1U << bits) - 1)))
		return -1;
	return 0;
}

int
crypt_recipient_parse(const char *s, unsigned char *pk, char *err,
    size_t errlen)
{
	if (strncmp(s, "age1", 4) != 0 ||
	    crypt_bech32_decode("age", s, pk) == -1) {
		snprintf(err, errlen, "recipient %s: not an age X25519 "
		    "recipient (age1…)", s);
		return -1;
	}
	return 0;
}

void
crypt_keygen(char **identity, char **recipient)
{
	unsigned char	sk[CRYPT_KEY_LEN], pk[CRYPT_KEY_LEN];

	randombytes_buf(sk, sizeof sk);
	crypto_scalarmult_base(pk, sk);
	*identity = crypt_bech32_encode("age-secret-key-", sk, 1);
	*recipient = crypt_bech32_encode("age", pk, 0);
	sodium_memzero(sk, sizeof sk);
}

void
crypt_free_secret(char *s)
{
	if (s != NULL) {
		sodium_memzero(s, strlen(s));
		free(s);
	}
}

/* HKDF-SHA-256 (OpenSSL) of 32 bytes. */
static void
crypt_hkdf(const unsigned char *ikm, size_t ikmlen, const unsigned char *salt,
    size_t saltlen, const char *info, unsigned char *out)
{
	EVP_PKEY_CTX	*c;
	size_t		 outlen = 32;

	if ((c = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL)) == NULL ||
	    EVP_PKEY_derive_init(c) <= 0 ||
	    EVP_PKEY_CTX_set_hkdf_md(c, EVP_sha256()) <= 0 ||
	    (saltlen > 0 &&
	    EVP_PKEY_CTX_set1_hkdf_salt(c, salt, (int)saltlen) <= 0) ||
	    EVP_PKEY_CTX_set1_hkdf_key(c, ikm, (int)ikmlen) <= 0 ||
	    EVP_PKEY_CTX_add1_hkdf_info(c, (const unsigned char *)info,
	    (int)strlen(info)) <= 0 ||
	    EVP_PKEY_derive(c, out, &outlen) <= 0 || outlen != 32)
		fatal("HKDF-SHA-256");
	EVP_PKEY_CTX_free(c);
}

static void
crypt_b64(struct buf *b, const unsigned char *p, size_t n)
{
	char	s[128];

	sodium_bin2base64(s, sizeof s, p, n, AGE_B64);
	buf_addstr(b, s);
}

/* The X25519 stanza wrapping file_key to pk. -1 on a bad key. */
static int
crypt_stanza(struct buf *h, const unsigned char *pk,
    const unsigned char *file_key)
{
	unsigned char	e[32], share[32], shared[32], salt[64], key[32];
	unsigned char	body[AGE_FILEKEY + AGE_TAG], nonce[12] = { 0 };

	randombytes_buf(e, sizeof e);
	crypto_scalarmult_base(share, e);
	if (crypto_scalarmult(shared, e, pk) != 0)
		return -1;
	memcpy(salt, share, 32);
	memcpy(salt + 32, pk, 32);
	crypt_hkdf(shared, 32, salt, 64, "age-encryption.org/v1/X25519", key);
	crypto_aead_chacha20poly1305_ietf_encrypt(body, NULL, file_key,
	    AGE_FILEKEY, NULL, 0, NULL, nonce, key);
	buf_addstr(h, "-> X25519 ");
	crypt_b64(h, share, 32);
	buf_addstr(h, "\n");
	crypt_b64(h, body, sizeof body);
	buf_addstr(h, "\n");
	sodium_memzero(e, sizeof e);
	sodium_memzero(shared, sizeof shared);
	sodium_memzero(key, sizeof key);
	return 0;
}

/* HMAC over the header text up to and including "---". */
static void
crypt_mac(const unsigned char *file_key, const char *text, size_t len,
    unsigned char *mac)
{
	unsigned char	key[32];

	crypt_hkdf(file_key, AGE_FILEKEY, NULL, 0, "header", key);
	crypto_auth_hmacsha256(mac, (const unsigned char *)text, len, key);
	sodium_memzero(key, sizeof key);
}

/* Encrypting stage. */

struct out_age {
	struct out	 out;
	unsigned char	 key[32];	/* payload key */
	unsigned char	 counter[11];
	unsigned char	*chunk;		/* plaintext waiting */
	size_t		 len;
	unsigned char	*sealed;
	struct buf	 header;	/* written before the first chunk */
	int		 header_done;
	int		 closed;
};

static int
out_age_header(struct out_age *a)
{
	if (a->header_done)
		return 0;
	a->header_done = 1;
	return out_write(a->out.next, a->header.data, a->header.len);
}

static int
out_age_seal(struct out_age *a, int last)
{
	unsigned char	nonce[12];
	int		i;

	memcpy(nonce, a->counter, 11);
	nonce[11] = last ? 1 : 0;
	crypto_aead_chacha20poly1305_ietf_encrypt(a->sealed, NULL, a->chunk,
	    a->len, NULL, 0, NULL, nonce, a->key);
	for (i = 10; i >= 0 && ++a->counter[i] == 0; i--)
		;
	if (out_write(a->out.next, a->sealed, a->len + AGE_TAG) == -1)
		return -1;
	a->len = 0;
	return 0;
}

static int
out_age_write(struct out *o, const void *p, size_t n)
{
	struct out_age		*a = (struct out_age *)o;
	const unsigned char	*c = p;
	size_t			 k;

	if (out_age_header(a) == -1)
		return -1;
	while (n > 0) {
		/* A full chunk is sealed only once more data follows it. */
		if (a->len == AGE_CHUNK && out_age_seal(a, 0) == -1)
			return -1;
		k = AGE_CHUNK - a->len < n ? AGE_CHUNK - a->len : n;
		memcpy(a->chunk + a->len, c, k);
		a->len += k;
		c += k;
		n -= k;
	}
	return 0;
}

static int
out_age_close(struct out *o)
{
	struct out_age	*a = (struct out_age *)o;

	if (!a->closed) {
		if (out_age_header(a) == -1 || out_age_seal(a, 1) == -1)
			return -1;
		a->closed = 1;
	}
	return out_close(o->next);
}

static void
out_age_free(struct out *o)
{
	struct out_age	*a = (struct out_age *)o;

	sodium_memzero(a->key, sizeof a->key);
	sodium_memzero(a->chunk, AGE_CHUNK);
	free(a->chunk);
	free(a->sealed);
	buf_free(&a->header);
	free(a);
}

struct out *
out_age_new(struct out *next, const unsigned char (*pks)[CRYPT_KEY_LEN],
    size_t n)
{
	struct out_age	*a;
	unsigned char	 file_key[AGE_FILEKEY], mac[32], nonce[AGE_NONCE];
	size_t		 i;

	if (sodium_init() == -1)
		fatal("sodium_init");
	a = xcalloc(1, sizeof *a);
	a->out.name = "age";
	a->out.write = out_age_write;
	a->out.close = out_age_close;
	a->out.free = out_age_free;
	a->out.next = next;
	a->chunk = xmalloc(AGE_CHUNK);
	a->sealed = xmalloc(AGE_CHUNK + AGE_TAG);
	randombytes_buf(file_key, sizeof file_key);
	buf_addstr(&a->header, AGE_MAGIC "\n");
	for (i = 0; i < n; i++)
		if (crypt_stanza(&a->header, pks[i], file_key) == -1)
			fatal("age recipient %zu is a low-order point", i);
	buf_addstr(&a->header, "---");
	crypt_mac(file_key, a->header.data, a->header.len, mac);
	buf_addstr(&a->header, " ");
	crypt_b64(&a->header, mac, sizeof mac);
	buf_addstr(&a->header, "\n");
	randombytes_buf(nonce, sizeof nonce);
	buf_add(&a->header, nonce, sizeof nonce);
	crypt_hkdf(file_key, AGE_FILEKEY, nonce, sizeof nonce, "payload",
	    a->key);
	sodium_memzero(file_key, sizeof file_key);
	return &a->out;
}

/* Decryption. */

struct crypt_dec {
	int		 fd;
	unsigned char	 key[32];
	unsigned char	 counter[11];
	unsigned char	*in;		/* sealed bytes read ahead */
	size_t		 inlen;
	int		 eof;
	unsigned char	*plain;
	size_t		 plen, ppos;
	int		 done;
	int		 nchunks;
};

struct crypt_ids {
	unsigned char	(*sk)[32];
	size_t		  n;
};

static int
crypt_ids_parse(const char *text, struct crypt_ids *ids)
{
	char	*copy, *p, *line;

	ids->sk = NULL;
	ids->n = 0;
	copy = xstrdup(text);
	for (p = copy; (line = strsep(&p, "\n")) != NULL;) {
		line[strcspn(line, "\r")] = '\0';
		while (isspace((unsigned char)*line))
			line++;
		if (*line == '\0' || *line == '#')
			continue;
		ids->sk = xreallocarray(ids->sk, ids->n + 1, sizeof *ids->sk);
		if (crypt_bech32_decode("age-secret-key-", line,
		    ids->sk[ids->n]) == -1) {
			sodium_memzero(copy, strlen(text));
			free(copy);
			return -1;
		}
		ids->n++;
	}
	sodium_memzero(copy, strlen(text));
	free(copy);
	return ids->n > 0 ? 0 : -1;
}

static void
crypt_ids_free(struct crypt_ids *ids)
{
	if (ids->sk != NULL)
		sodium_memzero(ids->sk, ids->n * sizeof *ids->sk);
	free(ids->sk);
}

/* Fill the read-ahead up to want bytes (or EOF). -1 on read error. */
static int
crypt_fill(struct crypt_dec *d, size_t want)
{
	ssize_t	n;

	while (!d->eof && d->inlen < want) {
		n = read(d->fd, d->in + d->inlen, want - d->inlen);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			d->eof = 1;
		d->inlen += (size_t)n;
	}
	return 0;
}

static int
crypt_b64_decode(const char *s, unsigned char *out, size_t outlen)
{
	size_t	n;

	if (sodium_base642bin(out, outlen, s, strlen(s), NULL, &n, NULL,
	    AGE_B64) != 0 || n != outlen)
		return -1;
	return 0;
}

/* Try every identity on one X25519 stanza. 0 with file_key set. */
static int
crypt_unwrap(const struct crypt_ids *ids, const char *share64,
    const char *body64, unsigned char *file_key)
{
	unsigned char	share[32], body[AGE_FILEKEY + AGE_TAG], pk[32];
	unsigned char	shared[32], salt[64], key[32], nonce[12] = { 0 };
	size_t		i;
	int		rc = -1;

	if (crypt_b64_decode(share64, share, 32) == -1 ||
	    crypt_b64_decode(body64, body, sizeof body) == -1)
		return -1;
	for (i = 0; i < ids->n && rc == -1; i++) {
		crypto_scalarmult_base(pk, ids->sk[i]);
		if (crypto_scalarmult(shared, ids->sk[i], share) != 0)
			continue;
		memcpy(salt, share, 32);
		memcpy(salt + 32, pk, 32);
		crypt_hkdf(shared, 32, salt, 64, "age-encryption.org/v1/X25519",
		    key);
		if (crypto_aead_chacha20poly1305_ietf_decrypt(file_key, NULL,
		    NULL, body, sizeof body, NULL, 0, nonce, key) == 0)
			rc = 0;
	}
	sodium_memzero(shared, sizeof shared);
	sodium_memzero(key, sizeof key);
	return rc;
}

/*
 * Parse the header in d->in (read ahead); on success the payload key is
 * set and the header and nonce are consumed.
 */
static int
crypt_header(struct crypt_dec *d, const struct crypt_ids *ids, char *err,
    size_t errlen)
{
	char		*text, *p, *line, *args[3], *end;
	unsigned char	 file_key[AGE_FILEKEY], mac[32], want[32];
	size_t		 hlen, maclen;
	int		 found = 0, nstanza = 0, rc = -1;

	if ((end = memmem(d->in, d->inlen, "\n--- ", 5)) == NULL ||
	    (p = memchr(end + 1, '\n', d->inlen - (size_t)(end + 1 -
	    (char *)d->in))) == NULL) {
		snprintf(err, errlen, "not an age file (no header end)");
		return -1;
	}
	hlen = (size_t)(p - (char *)d->in) + 1;
	maclen = (size_t)(end + 4 - (char *)d->in);	/* through "---" */
	text = xstrndup((char *)d->in, hlen - 1);
	p = text;
	line = strsep(&p, "\n");
	if (strcmp(line, AGE_MAGIC) != 0) {
		snprintf(err, errlen, "not an age v1 file");
		goto done;
	}
	while ((line = strsep(&p, "\n")) != NULL && strncmp(line, "-> ", 3)
	    == 0) {
		char	*body = strsep(&p, "\n"), *a = line + 3;
		int	 na;

		nstanza++;
		for (na = 0; na < 3 && (args[na] = strsep(&a, " ")) != NULL;)
			na++;
		if (body == NULL)
			break;
		if (!found && na == 2 && strcmp(args[0], "X25519") == 0 &&
		    strlen(body) < 64 &&
		    crypt_unwrap(ids, args[1], body, file_key) == 0)
			found = 1;
	}
	if (line == NULL || strncmp(line, "--- ", 4) != 0 || nstanza == 0) {
		snprintf(err, errlen, "damaged age header");
		goto done;
	}
	if (!found) {
		snprintf(err, errlen, "no identity matches a recipient of this "
		    "file");
		goto done;
	}
	crypt_mac(file_key, (char *)d->in, maclen, want);
	if (crypt_b64_decode(line + 4, mac, sizeof mac) == -1 ||
	    sodium_memcmp(mac, want, sizeof mac) != 0) {
		snprintf(err, errlen, "header MAC mismatch: the file was "
		    "altered");
		goto done;
	}
	if (d->inlen < hlen + AGE_NONCE) {
		snprintf(err, errlen, "truncated age file (no payload)");
		goto done;
	}
	crypt_hkdf(file_key, AGE_FILEKEY, d->in + hlen, AGE_NONCE, "payload",
	    d->key);
	memmove(d->in, d->in + hlen + AGE_NONCE, d->inlen - hlen - AGE_NONCE);
	d->inlen -= hlen + AGE_NONCE;
	rc = 0;
done:
	sodium_memzero(file_key, sizeof file_key);
	free(text);
	return rc;
}

struct crypt_dec *
crypt_dec_new(int fd, const char *identities, char *err, size_t errlen)
{
	struct crypt_dec	*d;
	struct crypt_ids	 ids;

	if (sodium_init() == -1)
		fatal("sodium_init");
	if (crypt_ids_parse(identities, &ids) == -1) {
		snprintf(err, errlen, "not an age identity file "
		    "(AGE-SECRET-KEY-1… lines)");
		crypt_ids_free(&ids);
		return NULL;
	}
	d = xcalloc(1, sizeof *d);
	d->fd = fd;
	d->in = xmalloc(AGE_HEADER_MAX + AGE_CHUNK + AGE_TAG + 1);
	d->plain = xmalloc(AGE_CHUNK);
	if (crypt_fill(d, AGE_HEADER_MAX) == -1) {
		snprintf(err, errlen, "read error: %s", strerror(errno));
		goto fail;
	}
	if (crypt_header(d, &ids, err, errlen) == -1)
		goto fail;
	crypt_ids_free(&ids);
	return d;
fail:
	crypt_ids_free(&ids);
	crypt_dec_free(d);
	return NULL;
}

/* Open the next chunk into d->plain. 0, or -1 with err. */
static int
crypt_next(struct crypt_dec *d, char *err, size_t errlen)
{
	unsigned char		nonce[12];
	unsigned long long	plen;
	size_t			take;
	int			last, i;

	if (crypt_fill(d, AGE_CHUNK + AGE_TAG + 1) == -1) {
		snprintf(err, errlen, "read error: %s", strerror(errno));
		return -1;
	}
	last = d->inlen <= AGE_CHUNK + AGE_TAG;
	take = last ? d->inlen : AGE_CHUNK + AGE_TAG;
	if (take < AGE_TAG || (last && take == AGE_TAG && d->nchunks > 0)) {
		snprintf(err, errlen, "truncated age file");
		return -1;
	}
	memcpy(nonce, d->counter, 11);
	nonce[11] = (unsigned char)last;
	if (crypto_aead_chacha20poly1305_ietf_decrypt(d->plain, &plen, NULL,
	    d->in, take, NULL, 0, nonce, d->key) != 0) {
		snprintf(err, errlen, last ? "truncated or altered age file "
		    "(the last chunk does not authenticate)" : "altered age "
		    "file (chunk %d does not authenticate)", d->nchunks);
		return -1;
	}
	for (i = 10; i >= 0 && ++d->counter[i] == 0; i--)
		;
	memmove(d->in, d->in + take, d->inlen - take);
	d->inlen -= take;
	d->plen = (size_t)plen;
	d->ppos = 0;
	d->nchunks++;
	d->done = last;
	return 0;
}

ssize_t
crypt_dec_read(struct crypt_dec *d, void *buf, size_t len, char *err,
    size_t errlen)
{
	size_t	k;

	while (d->ppos == d->plen) {
		if (d->done)
			return 0;
		if (crypt_next(d, err, errlen) == -1)
			return -1;
	}
	k = d->plen - d->ppos < len ? d->plen - d->ppos : len;
	memcpy(buf, d->plain + d->ppos, k);
	d->ppos += k;
	return (ssize_t)k;
}

void
crypt_dec_free(struct crypt_dec *d)
{
	if (d == NULL)
		return;
	sodium_memzero(d->key, sizeof d->key);
	sodium_memzero(d->plain, AGE_CHUNK);
	free(d->plain);
	free(d->in);
	free(d);
}
