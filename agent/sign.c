/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * minisign-compatible keys and signatures on top of libsodium: key
 * generation, reading and writing of public and (unencrypted) secret key
 * files, signing a BLAKE2b-512 prehash ("ED"), and verifying "ED" and
 * legacy "Ed" signatures from a buffer, a prehash or a descriptor.
 * Everything read here may come from a hostile place, so parsing is
 * strict: sizes are capped, each line must have the exact base64 length
 * of its structure, base64 must be canonical, NUL bytes and trailing data
 * are refused. Secret keys stay in sodium_malloc'd memory and every
 * temporary copy is wiped. See sign.h for the formats.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "sign.h"
#include "util.h"

#define SIGN_FILE_MAX		(64 * 1024)	/* key and signature files */
#define SIGN_LEGACY_MAX		((size_t)1 << 30) /* "Ed" messages, as minisign */
#define SIGN_READ_CHUNK		(64 * 1024)

#define SIGN_COMMENT_PREFIX	"untrusted comment: "
#define SIGN_TRUSTED_PREFIX	"trusted comment: "
#define SIGN_PUB_COMMENT	"minisign public key "
/* What stock minisign 0.11 writes, even for an unencrypted (-W) key. */
#define SIGN_SEC_COMMENT	"minisign encrypted secret key"
#define SIGN_SIG_COMMENT	"signature from csirt-collect secret key "

#define SIGN_ALG		"Ed"
#define SIGN_ALG_HASHED		"ED"
#define SIGN_KDF_NONE		"\0\0"
#define SIGN_KDF_SCRYPT		"Sc"
#define SIGN_CHK_ALG		"B2"

#define SIGN_SK_LEN		crypto_sign_ed25519_SECRETKEYBYTES
#define SIGN_CHK_LEN		32

/* Public key: alg[2] keyid[8] pk[32]. */
#define SIGN_PUBRAW_LEN		(2 + SIGN_KEYID_LEN + SIGN_PK_LEN)

/* Secret key: alg kdf chk salt[32] ops[8] mem[8] keyid[8] sk[64] chk[32]. */
#define SIGN_SEC_OFF_KDF	2
#define SIGN_SEC_OFF_CHKALG	4
#define SIGN_SEC_OFF_KEYID	(6 + 32 + 8 + 8)
#define SIGN_SEC_OFF_SK		(SIGN_SEC_OFF_KEYID + SIGN_KEYID_LEN)
#define SIGN_SEC_OFF_CHK	(SIGN_SEC_OFF_SK + SIGN_SK_LEN)
#define SIGN_SECRAW_LEN		(SIGN_SEC_OFF_CHK + SIGN_CHK_LEN)

/* Signature line: alg[2] keyid[8] sig[64]. */
#define SIGN_SIGRAW_LEN		(2 + SIGN_KEYID_LEN + SIGN_SIG_LEN)

#define SIGN_B64_LEN(n)	\
	(sodium_base64_ENCODED_LEN((n), sodium_base64_VARIANT_ORIGINAL) - 1)

struct sign_seckey {
	unsigned char	keyid[SIGN_KEYID_LEN];
	unsigned char	sk[SIGN_SK_LEN];
};

static void	 sign_err(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* sodium_init() is idempotent and thread-safe; call it on every entry. */
static void
sign_init(void)
{
	if (sodium_init() < 0)
		fatal("cannot initialise libsodium");
}

static void
sign_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	/* A message cut short is still a message: truncation is harmless. */
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* "<name>: not a minisign <kind> (<why>)", name left out when NULL. */
static void
sign_err_bad(char *err, size_t errlen, const char *name, const char *kind,
    const char *why)
{
	sign_err(err, errlen, "%s%snot a minisign %s (%s)",
	    name != NULL ? name : "", name != NULL ? ": " : "", kind, why);
}

static uint64_t
sign_le64(const unsigned char *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/*
 * The next line of text[0..len) from *off: a line ends with "\n" or
 * "\r\n" (not part of it) or at the end of the text. -1 at the end.
 */
static int
sign_next_line(const char *text, size_t len, size_t *off, const char **line,
    size_t *linelen)
{
	const char	*start, *nl;
	size_t		 n;

	if (*off >= len)
		return -1;
	start = text + *off;
	if ((nl = memchr(start, '\n', len - *off)) == NULL) {
		n = len - *off;
		*off = len;
	} else {
		n = (size_t)(nl - start);
		*off += n + 1;
	}
	if (n > 0 && start[n - 1] == '\r')
		n--;
	*line = start;
	*linelen = n;
	return 0;
}

static int
sign_has_prefix(const char *line, size_t linelen, const char *prefix)
{
	size_t	n = strlen(prefix);

	return linelen >= n && memcmp(line, prefix, n) == 0;
}

/* Checks shared by every text parser. Returns why it is refused, or NULL. */
static const char *
sign_text_check(const char *text, size_t len)
{
	if (text == NULL || len == 0)
		return "empty";
	if (len > SIGN_FILE_MAX)
		return "over 64 KiB";
	if (memchr(text, '\0', len) != NULL)
		return "NUL byte";
	return NULL;
}

/*
 * Decode one base64 line that must hold exactly binlen bytes, in
 * canonical padded standard base64. The alphabet is checked here first:
 * libsodium 1.0.18 decodes a byte with the high bit set as if it were a
 * base64 character, which would make signature files malleable.
 * Returns why the line is refused, or NULL.
 */
static const char *
sign_b64_decode(const char *line, size_t linelen, unsigned char *bin,
    size_t binlen)
{
	unsigned char	 tmp[SIGN_SECRAW_LEN + 6];
	const char	*end, *why = NULL;
	size_t		 i, got;
	unsigned int	 c, bad = 0;

	if (binlen > SIGN_SECRAW_LEN)
		fatal("sign_b64_decode: %zu bytes", binlen);
	/* Without branching on each character: a secret key goes by here. */
	for (i = 0; i < linelen; i++) {
		c = (unsigned char)line[i];
		bad |= !((c - 'A' < 26) | (c - 'a' < 26) | (c - '0' < 10) |
		    (c == '+') | (c == '/') | (c == '='));
	}
	if (bad)
		return "bad base64";
	/* Decode up to a few bytes more, to tell a bad length apart. */
	if (linelen > SIGN_B64_LEN(binlen) + 4)
		return "bad length";
	if (sodium_base642bin(tmp, sizeof tmp, line, linelen, NULL, &got,
	    &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != line + linelen)
		why = "bad base64";
	else if (got != binlen)
		why = "bad length";
	else
		memcpy(bin, tmp, binlen);
	sodium_memzero(tmp, sizeof tmp);
	return why;
}

/* base64 of n bytes into a new string (caller frees). */
static char *
sign_b64_encode(const unsigned char *bin, size_t n)
{
	size_t	 len = SIGN_B64_LEN(n) + 1;
	char	*s;

	s = xmalloc(len);
	sodium_bin2base64(s, len, bin, n, sodium_base64_VARIANT_ORIGINAL);
	return s;
}

/*
 * The base64 line of a key text: the line after an "untrusted comment: "
 * line, or the only line (an inline value). Returns why it is refused.
 */
static const char *
sign_key_line(const char *text, size_t len, const char **line,
    size_t *linelen)
{
	const char	*why;
	size_t		 off = 0;

	if ((why = sign_text_check(text, len)) != NULL)
		return why;
	if (sign_next_line(text, len, &off, line, linelen) == -1)
		return "empty";
	if (sign_has_prefix(*line, *linelen, SIGN_COMMENT_PREFIX) &&
	    sign_next_line(text, len, &off, line, linelen) == -1)
		return "no key after the comment line";
	if (off != len)
		return "trailing data";
	return NULL;
}

void
sign_keyid_hex(const unsigned char *keyid, char *out)
{
	/* As minisign prints it: no leading zeros. */
	(void)snprintf(out, SIGN_KEYID_HEXLEN, "%" PRIX64, sign_le64(keyid));
}

/* Public keys. */

static int
sign_pubkey_decode(const char *text, size_t len, struct sign_pubkey *pk,
    const char *name, char *err, size_t errlen)
{
	unsigned char	 raw[SIGN_PUBRAW_LEN];
	const char	*line, *why;
	size_t		 linelen;

	memset(pk, 0, sizeof *pk);
	if ((why = sign_key_line(text, len, &line, &linelen)) == NULL &&
	    (why = sign_b64_decode(line, linelen, raw, sizeof raw)) == NULL &&
	    memcmp(raw, SIGN_ALG, 2) != 0)
		why = "unsupported signature algorithm";
	if (why != NULL) {
		sign_err_bad(err, errlen, name, "public key", why);
		return -1;
	}
	memcpy(pk->keyid, raw + 2, SIGN_KEYID_LEN);
	memcpy(pk->pk, raw + 2 + SIGN_KEYID_LEN, SIGN_PK_LEN);
	return 0;
}

int
sign_pubkey_parse(const char *text, size_t len, struct sign_pubkey *pk,
    char *err, size_t errlen)
{
	sign_init();
	return sign_pubkey_decode(text, len, pk, NULL, err, errlen);
}

char *
sign_pubkey_base64(const struct sign_pubkey *pk)
{
	unsigned char	raw[SIGN_PUBRAW_LEN];

	sign_init();
	memcpy(raw, SIGN_ALG, 2);
	memcpy(raw + 2, pk->keyid, SIGN_KEYID_LEN);
	memcpy(raw + 2 + SIGN_KEYID_LEN, pk->pk, SIGN_PK_LEN);
	return sign_b64_encode(raw, sizeof raw);
}

char *
sign_pubkey_format(const struct sign_pubkey *pk)
{
	char	 hex[SIGN_KEYID_HEXLEN];
	char	*b64, *text;

	sign_keyid_hex(pk->keyid, hex);
	b64 = sign_pubkey_base64(pk);
	text = xasprintf("%s%s%s\n%s\n", SIGN_COMMENT_PREFIX, SIGN_PUB_COMMENT,
	    hex, b64);
	free(b64);
	return text;
}

/* Secret keys. */

struct sign_seckey *
sign_seckey_generate(void)
{
	struct sign_seckey	*sk;
	unsigned char		 pk[crypto_sign_ed25519_PUBLICKEYBYTES];

	sign_init();
	if ((sk = sodium_malloc(sizeof *sk)) == NULL)
		fatal("sodium_malloc: out of memory");
	randombytes_buf(sk->keyid, sizeof sk->keyid);
	if (crypto_sign_ed25519_keypair(pk, sk->sk) != 0)
		fatal("crypto_sign_ed25519_keypair failed");
	return sk;
}

void
sign_seckey_free(struct sign_seckey *sk)
{
	/* sodium_free wipes the pages before releasing them. */
	if (sk != NULL)
		sodium_free(sk);
}

void
sign_seckey_pubkey(const struct sign_seckey *sk, struct sign_pubkey *pk)
{
	memcpy(pk->keyid, sk->keyid, SIGN_KEYID_LEN);
	if (crypto_sign_ed25519_sk_to_pk(pk->pk, sk->sk) != 0)
		fatal("crypto_sign_ed25519_sk_to_pk failed");
}

/* BLAKE2b-256("Ed" || keyid || sk), minisign's secret key checksum. */
static void
sign_seckey_checksum(const unsigned char *keyid, const unsigned char *sk,
    unsigned char *chk)
{
	crypto_generichash_state	hs;

	crypto_generichash_init(&hs, NULL, 0, SIGN_CHK_LEN);
	crypto_generichash_update(&hs, (const unsigned char *)SIGN_ALG, 2);
	crypto_generichash_update(&hs, keyid, SIGN_KEYID_LEN);
	crypto_generichash_update(&hs, sk, SIGN_SK_LEN);
	crypto_generichash_final(&hs, chk, SIGN_CHK_LEN);
	sodium_memzero(&hs, sizeof hs);
}

/*
 * Check a decoded secret key structure. minisign 0.11 leaves the checksum
 * zero in an unencrypted key (and ignores it when reading one), so a zero
 * checksum is accepted; any other must match. Either way the public half
 * stored in sk must be the one its seed derives, so a damaged key is
 * refused rather than producing signatures nobody can verify.
 */
static const char *
sign_seckey_check(const unsigned char *raw)
{
	unsigned char	chk[SIGN_CHK_LEN];
	unsigned char	seed[crypto_sign_ed25519_SEEDBYTES];
	unsigned char	pk[crypto_sign_ed25519_PUBLICKEYBYTES];
	unsigned char	sk[SIGN_SK_LEN];
	const char	*why = NULL;

	if (memcmp(raw, SIGN_ALG, 2) != 0)
		return "unsupported signature algorithm";
	if (memcmp(raw + SIGN_SEC_OFF_KDF, SIGN_KDF_NONE, 2) != 0)
		return "unsupported key derivation function";
	if (memcmp(raw + SIGN_SEC_OFF_CHKALG, SIGN_CHK_ALG, 2) != 0)
		return "unsupported checksum function";
	sign_seckey_checksum(raw + SIGN_SEC_OFF_KEYID, raw + SIGN_SEC_OFF_SK,
	    chk);
	if (!sodium_is_zero(raw + SIGN_SEC_OFF_CHK, SIGN_CHK_LEN) &&
	    sodium_memcmp(chk, raw + SIGN_SEC_OFF_CHK, SIGN_CHK_LEN) != 0)
		why = "bad checksum";
	else {
		memcpy(seed, raw + SIGN_SEC_OFF_SK, sizeof seed);
		crypto_sign_ed25519_seed_keypair(pk, sk, seed);
		if (sodium_memcmp(sk, raw + SIGN_SEC_OFF_SK, SIGN_SK_LEN) != 0)
			why = "public half does not match the seed";
	}
	sodium_memzero(chk, sizeof chk);
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(sk, sizeof sk);
	return why;
}

static struct sign_seckey *
sign_seckey_decode(const char *text, size_t len, const char *name, char *err,
    size_t errlen)
{
	struct sign_seckey	*sk = NULL;
	unsigned char		 raw[SIGN_SECRAW_LEN];
	const char		*line, *why;
	size_t			 linelen;

	if ((why = sign_key_line(text, len, &line, &linelen)) != NULL ||
	    (why = sign_b64_decode(line, linelen, raw, sizeof raw)) != NULL)
		goto bad;
	if (memcmp(raw, SIGN_ALG, 2) == 0 &&
	    memcmp(raw + SIGN_SEC_OFF_KDF, SIGN_KDF_SCRYPT, 2) == 0) {
		sign_err(err, errlen, "secret key%s%s is encrypted with a "
		    "password; make an unencrypted key with minisign -G -W or "
		    AGENT_NAME " keygen", name != NULL ? " " : "",
		    name != NULL ? name : "");
		goto cleanup;
	}
	if ((why = sign_seckey_check(raw)) != NULL)
		goto bad;
	if ((sk = sodium_malloc(sizeof *sk)) == NULL)
		fatal("sodium_malloc: out of memory");
	memcpy(sk->keyid, raw + SIGN_SEC_OFF_KEYID, SIGN_KEYID_LEN);
	memcpy(sk->sk, raw + SIGN_SEC_OFF_SK, SIGN_SK_LEN);
	goto cleanup;
bad:
	sign_err_bad(err, errlen, name, "secret key", why);
cleanup:
	sodium_memzero(raw, sizeof raw);
	return sk;
}

struct sign_seckey *
sign_seckey_parse(const char *text, size_t len, char *err, size_t errlen)
{
	sign_init();
	return sign_seckey_decode(text, len, NULL, err, errlen);
}

char *
sign_seckey_format(const struct sign_seckey *sk)
{
	unsigned char	 raw[SIGN_SECRAW_LEN];
	size_t		 clen, blen;
	char		*text;

	sign_init();
	memset(raw, 0, sizeof raw);	/* no KDF: salt and limits zero */
	memcpy(raw, SIGN_ALG, 2);
	memcpy(raw + SIGN_SEC_OFF_KDF, SIGN_KDF_NONE, 2);
	memcpy(raw + SIGN_SEC_OFF_CHKALG, SIGN_CHK_ALG, 2);
	memcpy(raw + SIGN_SEC_OFF_KEYID, sk->keyid, SIGN_KEYID_LEN);
	memcpy(raw + SIGN_SEC_OFF_SK, sk->sk, SIGN_SK_LEN);
	sign_seckey_checksum(sk->keyid, sk->sk, raw + SIGN_SEC_OFF_CHK);

	/* Built in guarded memory: the text is the secret key. */
	clen = strlen(SIGN_COMMENT_PREFIX SIGN_SEC_COMMENT "\n");
	blen = SIGN_B64_LEN(sizeof raw);
	if ((text = sodium_malloc(clen + blen + 2)) == NULL)
		fatal("sodium_malloc: out of memory");
	memcpy(text, SIGN_COMMENT_PREFIX SIGN_SEC_COMMENT "\n", clen);
	sodium_bin2base64(text + clen, blen + 1, raw, sizeof raw,
	    sodium_base64_VARIANT_ORIGINAL);
	text[clen + blen] = '\n';
	text[clen + blen + 1] = '\0';
	sodium_memzero(raw, sizeof raw);
	return text;
}

void
sign_free_secret_text(char *text)
{
	if (text == NULL)
		return;
	sodium_memzero(text, strlen(text));
	sodium_free(text);
}

/* Files. */

/*
 * Open a key file for reading: no symlink, no blocking on a FIFO, a
 * regular file no larger than the cap. Returns the descriptor or -1.
 */
static int
sign_open_file(const char *path, const char *what, char *err, size_t errlen)
{
	struct stat	st;
	int		fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1) {
		sign_err(err, errlen, "cannot read %s %s: %s", what, path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		sign_err(err, errlen, "cannot read %s %s: %s", what, path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		sign_err(err, errlen, "cannot read %s %s: not a regular file",
		    what, path);
		close(fd);
		return -1;
	}
	if (st.st_size > SIGN_FILE_MAX) {
		sign_err(err, errlen, "cannot read %s %s: larger than 64 KiB",
		    what, path);
		close(fd);
		return -1;
	}
	return fd;
}

int
sign_pubkey_load(const char *path, struct sign_pubkey *pk, char *err,
    size_t errlen)
{
	char	*text = NULL;
	size_t	 len;
	int	 fd, trunc, ret = -1;

	sign_init();
	memset(pk, 0, sizeof *pk);
	if ((fd = sign_open_file(path, "public key", err, errlen)) == -1)
		return -1;
	if ((text = util_read_fd(fd, SIGN_FILE_MAX, &len, &trunc)) == NULL) {
		sign_err(err, errlen, "cannot read public key %s: %s", path,
		    strerror(errno));
		goto cleanup;
	}
	if (trunc) {
		sign_err(err, errlen, "cannot read public key %s: larger "
		    "than 64 KiB", path);
		goto cleanup;
	}
	ret = sign_pubkey_decode(text, len, pk, path, err, errlen);
cleanup:
	free(text);
	close(fd);
	return ret;
}

/*
 * Read a secret key file into guarded memory. util_read_fd is not used
 * because its growing buffer would leave copies of the key in freed heap.
 */
struct sign_seckey *
sign_seckey_load(const char *path, char *err, size_t errlen)
{
	struct sign_seckey	*sk = NULL;
	char			*text;
	size_t			 len = 0;
	ssize_t			 n;
	int			 fd;

	sign_init();
	if ((fd = sign_open_file(path, "secret key", err, errlen)) == -1)
		return NULL;
	if ((text = sodium_malloc(SIGN_FILE_MAX + 1)) == NULL)
		fatal("sodium_malloc: out of memory");
	while (len < SIGN_FILE_MAX + 1) {
		n = read(fd, text + len, SIGN_FILE_MAX + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			sign_err(err, errlen, "cannot read secret key %s: %s",
			    path, strerror(errno));
			goto cleanup;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > SIGN_FILE_MAX) {
		sign_err(err, errlen, "cannot read secret key %s: larger "
		    "than 64 KiB", path);
		goto cleanup;
	}
	sk = sign_seckey_decode(text, len, path, err, errlen);
cleanup:
	sodium_memzero(text, SIGN_FILE_MAX + 1);
	sodium_free(text);
	close(fd);
	return sk;
}

/*
 * Write text to a new file (or, with force, over an existing regular
 * file) with exactly the given mode. *created is set once the path holds
 * a file of ours, so the caller knows what to remove on failure.
 */
static int
sign_write_file(const char *path, const char *what, const char *text,
    mode_t mode, int force, int *created, char *err, size_t errlen)
{
	struct stat	st;
	int		fd, flags;

	flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
	flags |= force ? O_TRUNC : O_EXCL;
	if ((fd = open(path, flags, mode)) == -1) {
		sign_err(err, errlen, "cannot create %s %s: %s", what, path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		sign_err(err, errlen, "cannot create %s %s: not a regular file",
		    what, path);
		close(fd);
		return -1;
	}
	*created = 1;
	/* Exact mode even over an old file or under a loose umask. */
	if (fchmod(fd, mode) == -1 ||
	    util_write_all(fd, text, strlen(text)) == -1 ||
	    fsync(fd) == -1) {
		sign_err(err, errlen, "cannot write %s %s: %s", what, path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd) == -1) {
		sign_err(err, errlen, "cannot write %s %s: %s", what, path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
sign_keygen_files(const char *pubpath, const char *secpath, int force,
    unsigned char *keyid, char *err, size_t errlen)
{
	struct sign_seckey	*sk;
	struct sign_pubkey	 pk;
	char			*sectext, *pubtext;
	int			 sec_created = 0, pub_created = 0, ret = -1;

	sk = sign_seckey_generate();
	sign_seckey_pubkey(sk, &pk);
	sectext = sign_seckey_format(sk);
	pubtext = sign_pubkey_format(&pk);
	if (strcmp(pubpath, secpath) == 0) {
		sign_err(err, errlen, "public and secret key paths are the "
		    "same: %s", pubpath);
		goto cleanup;
	}
	if (sign_write_file(secpath, "secret key", sectext, 0600, force,
	    &sec_created, err, errlen) == -1)
		goto cleanup;
	if (sign_write_file(pubpath, "public key", pubtext, 0644, force,
	    &pub_created, err, errlen) == -1)
		goto cleanup;
	if (keyid != NULL)
		memcpy(keyid, pk.keyid, SIGN_KEYID_LEN);
	ret = 0;
cleanup:
	if (ret == -1) {
		/* A half-written key is no use: leave nothing behind. */
		if (pub_created)
			(void)unlink(pubpath);
		if (sec_created)
			(void)unlink(secpath);
	}
	sign_free_secret_text(sectext);
	free(pubtext);
	sign_seckey_free(sk);
	return ret;
}

/* Signing. */

/*
 * The trusted comment goes on one line of the file: a "\n" would end it
 * and a final "\r" would be eaten as part of "\r\n" by every reader, so
 * either would make a signature that cannot verify. A caller passing
 * one has a bug; trusted comments built from host data must be cleaned.
 */
char *
sign_prehashed(const struct sign_seckey *sk, const unsigned char *hash,
    const char *tc)
{
	unsigned char	 raw[SIGN_SIGRAW_LEN], gsig[SIGN_SIG_LEN];
	unsigned char	*sig = raw + 2 + SIGN_KEYID_LEN, *gmsg;
	char		 hex[SIGN_KEYID_HEXLEN];
	char		*b64sig, *b64gsig, *text;
	size_t		 tclen;

	sign_init();
	if (tc == NULL)
		tc = "";
	if (strpbrk(tc, "\r\n") != NULL)
		fatal("sign_prehashed: trusted comment holds a line break");
	tclen = strlen(tc);
	memcpy(raw, SIGN_ALG_HASHED, 2);
	memcpy(raw + 2, sk->keyid, SIGN_KEYID_LEN);
	if (crypto_sign_ed25519_detached(sig, NULL, hash, SIGN_HASH_LEN,
	    sk->sk) != 0)
		fatal("crypto_sign_ed25519_detached failed");

	if (tclen > SIZE_MAX - SIGN_SIG_LEN)
		fatal("sign_prehashed: trusted comment too long");
	gmsg = xmalloc(SIGN_SIG_LEN + tclen);
	memcpy(gmsg, sig, SIGN_SIG_LEN);
	memcpy(gmsg + SIGN_SIG_LEN, tc, tclen);
	if (crypto_sign_ed25519_detached(gsig, NULL, gmsg,
	    SIGN_SIG_LEN + tclen, sk->sk) != 0)
		fatal("crypto_sign_ed25519_detached failed");
	free(gmsg);

	sign_keyid_hex(sk->keyid, hex);
	b64sig = sign_b64_encode(raw, sizeof raw);
	b64gsig = sign_b64_encode(gsig, sizeof gsig);
	text = xasprintf("%s%s%s\n%s\n%s%s\n%s\n", SIGN_COMMENT_PREFIX,
	    SIGN_SIG_COMMENT, hex, b64sig, SIGN_TRUSTED_PREFIX, tc, b64gsig);
	free(b64sig);
	free(b64gsig);
	return text;
}

char *
sign_buffer(const struct sign_seckey *sk, const void *msg, size_t len,
    const char *tc)
{
	unsigned char	hash[SIGN_HASH_LEN];

	sign_init();
	crypto_generichash(hash, sizeof hash, msg, len, NULL, 0);
	return sign_prehashed(sk, hash, tc);
}

/* Signature files. */

int
sign_sig_parse(const char *text, size_t len, struct sign_sig *sig, char *err,
    size_t errlen)
{
	unsigned char	 raw[SIGN_SIGRAW_LEN];
	const char	*line, *why;
	size_t		 linelen, off = 0, plen = strlen(SIGN_TRUSTED_PREFIX);

	sign_init();
	memset(sig, 0, sizeof *sig);
	if ((why = sign_text_check(text, len)) != NULL)
		goto bad;
	why = "no untrusted comment line";
	if (sign_next_line(text, len, &off, &line, &linelen) == -1 ||
	    !sign_has_prefix(line, linelen, SIGN_COMMENT_PREFIX))
		goto bad;
	why = "no signature line";
	if (sign_next_line(text, len, &off, &line, &linelen) == -1 ||
	    (why = sign_b64_decode(line, linelen, raw, sizeof raw)) != NULL)
		goto bad;
	why = "unsupported signature algorithm";
	if (memcmp(raw, SIGN_ALG, 2) != 0 &&
	    memcmp(raw, SIGN_ALG_HASHED, 2) != 0)
		goto bad;
	why = "no trusted comment";
	if (sign_next_line(text, len, &off, &line, &linelen) == -1 ||
	    !sign_has_prefix(line, linelen, SIGN_TRUSTED_PREFIX))
		goto bad;
	sig->trusted_comment = xstrndup(line + plen, linelen - plen);
	why = "no trusted comment signature";
	if (sign_next_line(text, len, &off, &line, &linelen) == -1 ||
	    (why = sign_b64_decode(line, linelen, sig->global_sig,
	    sizeof sig->global_sig)) != NULL)
		goto bad;
	why = "trailing data";
	if (off != len)
		goto bad;
	memcpy(sig->alg, raw, 2);
	memcpy(sig->keyid, raw + 2, SIGN_KEYID_LEN);
	memcpy(sig->sig, raw + 2 + SIGN_KEYID_LEN, SIGN_SIG_LEN);
	return 0;
bad:
	sign_err_bad(err, errlen, NULL, "signature", why);
	sign_sig_free(sig);
	memset(sig, 0, sizeof *sig);
	return -1;
}

void
sign_sig_free(struct sign_sig *sig)
{
	if (sig == NULL)
		return;
	free(sig->trusted_comment);
	sig->trusted_comment = NULL;
}

/* Verification. */

/* What can be checked before looking at the message. */
static int
sign_verify_pre(const struct sign_pubkey *pk, const struct sign_sig *sig,
    char *err, size_t errlen)
{
	char	sighex[SIGN_KEYID_HEXLEN], pkhex[SIGN_KEYID_HEXLEN];

	sign_init();
	if ((memcmp(sig->alg, SIGN_ALG, 2) != 0 &&
	    memcmp(sig->alg, SIGN_ALG_HASHED, 2) != 0) ||
	    sig->trusted_comment == NULL) {
		sign_err(err, errlen, "not a parsed minisign signature");
		return -1;
	}
	if (memcmp(sig->keyid, pk->keyid, SIGN_KEYID_LEN) != 0) {
		sign_keyid_hex(sig->keyid, sighex);
		sign_keyid_hex(pk->keyid, pkhex);
		sign_err(err, errlen, "signature key id %s does not match the "
		    "public key id %s", sighex, pkhex);
		return -1;
	}
	return 0;
}

/* The signature over msg (the prehash for "ED"), then the global one. */
static int
sign_verify_msg(const struct sign_pubkey *pk, const struct sign_sig *sig,
    const unsigned char *msg, size_t len, char *err, size_t errlen)
{
	unsigned char	*gmsg;
	size_t		 tclen = strlen(sig->trusted_comment);
	int		 ret;

	if (crypto_sign_ed25519_verify_detached(sig->sig, msg, len,
	    pk->pk) != 0) {
		sign_err(err, errlen, "signature verification failed");
		return -1;
	}
	if (tclen > SIZE_MAX - SIGN_SIG_LEN)
		fatal("sign_verify: trusted comment too long");
	gmsg = xmalloc(SIGN_SIG_LEN + tclen);
	memcpy(gmsg, sig->sig, SIGN_SIG_LEN);
	memcpy(gmsg + SIGN_SIG_LEN, sig->trusted_comment, tclen);
	ret = crypto_sign_ed25519_verify_detached(sig->global_sig, gmsg,
	    SIGN_SIG_LEN + tclen, pk->pk);
	free(gmsg);
	if (ret != 0) {
		sign_err(err, errlen, "trusted comment signature verification "
		    "failed");
		return -1;
	}
	return 0;
}

int
sign_verify_prehash(const struct sign_pubkey *pk, const struct sign_sig *sig,
    const unsigned char *hash, char *err, size_t errlen)
{
	if (sign_verify_pre(pk, sig, err, errlen) == -1)
		return -1;
	if (memcmp(sig->alg, SIGN_ALG_HASHED, 2) != 0) {
		sign_err(err, errlen, "legacy (\"Ed\") signature: it cannot be "
		    "checked against a prehash");
		return -1;
	}
	return sign_verify_msg(pk, sig, hash, SIGN_HASH_LEN, err, errlen);
}

int
sign_verify_buffer(const struct sign_pubkey *pk, const struct sign_sig *sig,
    const void *msg, size_t len, char *err, size_t errlen)
{
	unsigned char	hash[SIGN_HASH_LEN];

	if (sign_verify_pre(pk, sig, err, errlen) == -1)
		return -1;
	if (memcmp(sig->alg, SIGN_ALG, 2) == 0)
		return sign_verify_msg(pk, sig, msg, len, err, errlen);
	crypto_generichash(hash, sizeof hash, msg, len, NULL, 0);
	return sign_verify_msg(pk, sig, hash, sizeof hash, err, errlen);
}

/*
 * BLAKE2b-512 of fd to its end, and its SHA-256 into sha256 when not
 * NULL (the same read). 0 or -1 (errno set).
 */
static int
sign_hash_fd(int fd, unsigned char *hash, unsigned char *sha256)
{
	crypto_generichash_state	 hs;
	crypto_hash_sha256_state	 ss;
	unsigned char			*chunk;
	ssize_t				 n;
	int				 ret = -1;

	chunk = xmalloc(SIGN_READ_CHUNK);
	crypto_generichash_init(&hs, NULL, 0, SIGN_HASH_LEN);
	crypto_hash_sha256_init(&ss);
	for (;;) {
		n = read(fd, chunk, SIGN_READ_CHUNK);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto cleanup;
		if (n == 0)
			break;
		crypto_generichash_update(&hs, chunk, (size_t)n);
		if (sha256 != NULL)
			crypto_hash_sha256_update(&ss, chunk, (size_t)n);
	}
	crypto_generichash_final(&hs, hash, SIGN_HASH_LEN);
	if (sha256 != NULL)
		crypto_hash_sha256_final(&ss, sha256);
	ret = 0;
cleanup:
	free(chunk);
	return ret;
}

int
sign_verify_fd(const struct sign_pubkey *pk, const struct sign_sig *sig,
    int fd, char *err, size_t errlen)
{
	return sign_verify_fd_sum(pk, sig, fd, NULL, err, errlen);
}

int
sign_verify_fd_sum(const struct sign_pubkey *pk, const struct sign_sig *sig,
    int fd, unsigned char *sha256, char *err, size_t errlen)
{
	unsigned char	 hash[SIGN_HASH_LEN];
	char		*msg;
	size_t		 len;
	int		 trunc, ret;

	if (sha256 != NULL)
		memset(sha256, 0, 32);
	if (sign_verify_pre(pk, sig, err, errlen) == -1)
		return -1;
	if (memcmp(sig->alg, SIGN_ALG_HASHED, 2) == 0) {
		if (sign_hash_fd(fd, hash, sha256) == -1) {
			sign_err(err, errlen, "cannot read the signed data: %s",
			    strerror(errno));
			return -1;
		}
		return sign_verify_msg(pk, sig, hash, sizeof hash, err,
		    errlen);
	}
	/* Legacy "Ed" signs the message itself: it has to be in memory. */
	if ((msg = util_read_fd(fd, SIGN_LEGACY_MAX, &len, &trunc)) == NULL) {
		sign_err(err, errlen, "cannot read the signed data: %s",
		    strerror(errno));
		return -1;
	}
	if (sha256 != NULL && !trunc)
		crypto_hash_sha256(sha256, (unsigned char *)msg, len);
	if (trunc) {
		sign_err(err, errlen, "legacy (\"Ed\") signature over more "
		    "than 1 GiB: refused (sign with the prehashed format)");
		ret = -1;
	} else
		ret = sign_verify_msg(pk, sig, (unsigned char *)msg, len, err,
		    errlen);
	free(msg);
	return ret;
}
