/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of agent/sign.c: sign and verify round trips (buffer,
 * prehash, descriptor, legacy "Ed"), forgeries that must fail (every
 * single-byte change of a signature file, a wrong key), key format round
 * trips against a golden minisign key, hostile key and signature texts,
 * file loading and key pair creation, and interoperability with the stock
 * minisign binary in both directions. Files live in a mkdtemp directory
 * removed at the end. minisign missing is a failure, not a skip.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "sign.h"
#include "util.h"
#include "unit.h"

/* A key made by stock minisign 0.11: keyid bytes bb fe dc 04 64 72 6f 5a. */
#define GOLDEN_PUB	"RWS7/twEZHJvWrFRNHGbD9REkmdjW/7zvvUxj3aVo6LAdXd8DCOj7eSv"
#define GOLDEN_KEYID	"5A6F726404DCFEBB"

static char	 tmpdir[256];
static int	 have_minisign;

static char *
tpath(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static void
write_file(const char *path, const void *data, size_t len)
{
	int	fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1 || util_write_all(fd, data, len) == -1 || close(fd) == -1)
		fatal("cannot write %s: %s", path, strerror(errno));
}

static char *
read_file(const char *path, size_t *lenp)
{
	char	*s;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	s = util_read_fd(fd, 64 << 20, lenp, NULL);
	close(fd);
	return s;
}

/* Run a shell command, output to tmpdir/log. Returns its exit status. */
static int
run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int
run(const char *fmt, ...)
{
	va_list	 ap;
	char	*cmd, *full;
	int	 st;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) == -1)
		fatal("out of memory");
	va_end(ap);
	full = xasprintf("%s </dev/null >>'%s/log' 2>&1", cmd, tmpdir);
	st = system(full);
	free(cmd);
	free(full);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* First line of a command's output, newline removed; caller frees. */
static char *
run_line(const char *cmd)
{
	FILE	*fp;
	char	 line[1024];
	char	*ret = NULL;

	if ((fp = popen(cmd, "r")) == NULL)
		return NULL;
	if (fgets(line, sizeof line, fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		ret = xstrdup(line);
	}
	if (pclose(fp) != 0) {
		free(ret);
		ret = NULL;
	}
	return ret;
}

static int
rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static char *
b64(const unsigned char *bin, size_t len)
{
	size_t	 n = sodium_base64_ENCODED_LEN(len,
		    sodium_base64_VARIANT_ORIGINAL);
	char	*s = xmalloc(n);

	sodium_bin2base64(s, n, bin, len, sodium_base64_VARIANT_ORIGINAL);
	return s;
}

static int
sig_of(const char *text, struct sign_sig *sig, char *err, size_t errlen)
{
	return sign_sig_parse(text, strlen(text), sig, err, errlen);
}

/* A legacy "Ed" signature made with libsodium directly. */
static char *
legacy_sign(const unsigned char *sk, const unsigned char *keyid,
    const void *msg, size_t len, const char *tc)
{
	unsigned char	 raw[74], gsig[64], gmsg[64 + 256];
	char		*s1, *s2, *text;

	memcpy(raw, "Ed", 2);
	memcpy(raw + 2, keyid, 8);
	crypto_sign_detached(raw + 10, NULL, msg, len, sk);
	memcpy(gmsg, raw + 10, 64);
	memcpy(gmsg + 64, tc, strlen(tc));
	crypto_sign_detached(gsig, NULL, gmsg, 64 + strlen(tc), sk);
	s1 = b64(raw, sizeof raw);
	s2 = b64(gsig, sizeof gsig);
	text = xasprintf("untrusted comment: legacy\n%s\ntrusted comment: "
	    "%s\n%s\n", s1, tc, s2);
	free(s1);
	free(s2);
	return text;
}

/* A secret key text around a raw 158-byte structure. */
static char *
seckey_text(const unsigned char *raw)
{
	char	*s = b64(raw, 158), *text;

	text = xasprintf("untrusted comment: test key\n%s\n", s);
	free(s);
	return text;
}

/* A raw unencrypted key structure (checksum zero) of a new key pair. */
static void
seckey_raw(unsigned char *raw, unsigned char *pk)
{
	memset(raw, 0, 158);
	memcpy(raw, "Ed\0\0B2", 6);
	randombytes_buf(raw + 54, 8);
	crypto_sign_keypair(pk, raw + 62);
}

static void
test_roundtrip_buffer(void)
{
	struct sign_seckey	*sk = sign_seckey_generate();
	struct sign_pubkey	 pk;
	struct sign_sig		 sig;
	const char		 msg[] = "evidence of something";
	char			 err[256], hex[SIGN_KEYID_HEXLEN], *text, *want;

	sign_seckey_pubkey(sk, &pk);
	text = sign_buffer(sk, msg, sizeof msg - 1, "file:x.tar\tsize:21");
	CHECK(text != NULL);
	sign_keyid_hex(pk.keyid, hex);
	want = xasprintf("untrusted comment: signature from csirt-collect "
	    "secret key %s\n", hex);
	CHECK(strncmp(text, want, strlen(want)) == 0);
	CHECK(sig_of(text, &sig, err, sizeof err) == 0);
	CHECK(memcmp(sig.alg, "ED", 2) == 0);
	CHECK(memcmp(sig.keyid, pk.keyid, SIGN_KEYID_LEN) == 0);
	CHECK_STR(sig.trusted_comment, "file:x.tar\tsize:21");
	CHECK(sign_verify_buffer(&pk, &sig, msg, sizeof msg - 1, err,
	    sizeof err) == 0);
	sign_sig_free(&sig);
	sign_sig_free(&sig);	/* twice is harmless */
	free(text);

	/* Empty message, NULL (empty) trusted comment. */
	text = sign_buffer(sk, "", 0, NULL);
	CHECK(sig_of(text, &sig, err, sizeof err) == 0);
	CHECK_STR(sig.trusted_comment, "");
	CHECK(sign_verify_buffer(&pk, &sig, "", 0, err, sizeof err) == 0);
	CHECK(sign_verify_buffer(&pk, &sig, "x", 1, err, sizeof err) == -1);
	sign_sig_free(&sig);
	free(text);
	free(want);
	sign_seckey_free(sk);
	sign_seckey_free(NULL);
}

static void
test_roundtrip_prehash(void)
{
	struct sign_seckey	*sk = sign_seckey_generate();
	struct sign_pubkey	 pk;
	struct sign_sig		 sig;
	unsigned char		 hash[SIGN_HASH_LEN];
	const char		 msg[] = "a large archive, hashed as it streamed";
	char			 err[256], *text;

	sign_seckey_pubkey(sk, &pk);
	crypto_generichash(hash, sizeof hash, (const unsigned char *)msg,
	    sizeof msg - 1, NULL, 0);
	text = sign_prehashed(sk, hash, "prehashed");
	CHECK(sig_of(text, &sig, err, sizeof err) == 0);
	CHECK(sign_verify_prehash(&pk, &sig, hash, err, sizeof err) == 0);
	CHECK(sign_verify_buffer(&pk, &sig, msg, sizeof msg - 1, err,
	    sizeof err) == 0);
	hash[0] ^= 1;
	CHECK(sign_verify_prehash(&pk, &sig, hash, err, sizeof err) == -1);
	CHECK_STR(err, "signature verification failed");
	sign_sig_free(&sig);
	free(text);
	sign_seckey_free(sk);
}

static void
test_roundtrip_fd(void)
{
	struct sign_seckey	*sk = sign_seckey_generate();
	struct sign_pubkey	 pk;
	struct sign_sig		 sig;
	size_t			 len = 300 * 1024 + 7, i;
	unsigned char		*msg = xmalloc(len);
	char			 err[256], *text, *path = tpath("fd.bin");
	int			 fd;

	for (i = 0; i < len; i++)
		msg[i] = (unsigned char)(i * 31 + (i >> 9));
	write_file(path, msg, len);
	sign_seckey_pubkey(sk, &pk);
	text = sign_buffer(sk, msg, len, "fd");
	CHECK(sig_of(text, &sig, err, sizeof err) == 0);
	CHECK((fd = open(path, O_RDONLY)) != -1);
	CHECK(sign_verify_fd(&pk, &sig, fd, err, sizeof err) == 0);
	close(fd);

	msg[len / 2] ^= 0x40;
	write_file(path, msg, len);
	CHECK((fd = open(path, O_RDONLY)) != -1);
	CHECK(sign_verify_fd(&pk, &sig, fd, err, sizeof err) == -1);
	close(fd);
	/* A descriptor that cannot be read. */
	CHECK(sign_verify_fd(&pk, &sig, -1, err, sizeof err) == -1);
	CHECK(strstr(err, "cannot read") != NULL);
	sign_sig_free(&sig);
	free(text);
	free(msg);
	free(path);
	sign_seckey_free(sk);
}

static void
test_legacy(void)
{
	struct sign_pubkey	pk;
	struct sign_sig		sig;
	unsigned char		sk[64], hash[SIGN_HASH_LEN];
	const char		msg[] = "legacy message";
	char			err[256], *text, *path = tpath("legacy.bin");
	int			fd;

	randombytes_buf(pk.keyid, sizeof pk.keyid);
	crypto_sign_keypair(pk.pk, sk);
	text = legacy_sign(sk, pk.keyid, msg, sizeof msg - 1, "old style");
	CHECK(sig_of(text, &sig, err, sizeof err) == 0);
	CHECK(memcmp(sig.alg, "Ed", 2) == 0);
	CHECK(sign_verify_buffer(&pk, &sig, msg, sizeof msg - 1, err,
	    sizeof err) == 0);
	CHECK(sign_verify_buffer(&pk, &sig, msg, sizeof msg - 2, err,
	    sizeof err) == -1);
	crypto_generichash(hash, sizeof hash, (const unsigned char *)msg,
	    sizeof msg - 1, NULL, 0);
	CHECK(sign_verify_prehash(&pk, &sig, hash, err, sizeof err) == -1);
	CHECK(strstr(err, "legacy") != NULL);
	write_file(path, msg, sizeof msg - 1);
	CHECK((fd = open(path, O_RDONLY)) != -1);
	CHECK(sign_verify_fd(&pk, &sig, fd, err, sizeof err) == 0);
	close(fd);
	sign_sig_free(&sig);
	free(text);
	free(path);
	sodium_memzero(sk, sizeof sk);
}

/*
 * Every single-bit change anywhere after the untrusted comment must make
 * parsing or verification fail.
 */
static void
test_tamper_every_byte(void)
{
	struct sign_seckey	*sk = sign_seckey_generate();
	struct sign_pubkey	 pk;
	struct sign_sig		 sig;
	const unsigned char	 masks[] = { 0x01, 0x02, 0x04, 0x08, 0x10, 0x20,
	    0x40, 0x80 };
	const char		 msg[] = "do not forge me";
	char			 err[256], *text, *copy;
	size_t			 len, start, i, m, accepted = 0;

	sign_seckey_pubkey(sk, &pk);
	text = sign_buffer(sk, msg, sizeof msg - 1, "timestamp:1\tfile:m");
	len = strlen(text);
	copy = xmalloc(len + 1);
	start = (size_t)(strchr(text, '\n') - text);	/* the first "\n" */
	for (i = start; i < len; i++) {
		for (m = 0; m < nitems(masks); m++) {
			memcpy(copy, text, len + 1);
			copy[i] ^= (char)masks[m];
			if (sign_sig_parse(copy, len, &sig, err,
			    sizeof err) == 0 &&
			    sign_verify_buffer(&pk, &sig, msg, sizeof msg - 1,
			    err, sizeof err) == 0) {
				printf("#   accepted: byte %zu ^ 0x%02x\n", i,
				    masks[m]);
				accepted++;
			}
			sign_sig_free(&sig);
		}
	}
	CHECK(accepted == 0);

	/* The untrusted comment is not covered, as in minisign. */
	memcpy(copy, text, len + 1);
	copy[start - 1] ^= 0x01;
	CHECK(sig_of(copy, &sig, err, sizeof err) == 0);
	CHECK(sign_verify_buffer(&pk, &sig, msg, sizeof msg - 1, err,
	    sizeof err) == 0);
	sign_sig_free(&sig);
	free(copy);
	free(text);
	sign_seckey_free(sk);
}

static void
test_tamper_parts(void)
{
	struct sign_seckey	*sk = sign_seckey_generate();
	struct sign_pubkey	 pk;
	struct sign_sig		 sig;
	char			 msg[] = "the message", err[256], *text, *tc;

	sign_seckey_pubkey(sk, &pk);
	text = sign_buffer(sk, msg, strlen(msg), "comment");
	CHECK(sig_of(text, &sig, err, sizeof err) == 0);
	CHECK(sign_verify_buffer(&pk, &sig, msg, strlen(msg), err,
	    sizeof err) == 0);

	msg[3] ^= 1;
	CHECK(sign_verify_buffer(&pk, &sig, msg, strlen(msg), err,
	    sizeof err) == -1);
	CHECK_STR(err, "signature verification failed");
	msg[3] ^= 1;

	sig.sig[17] ^= 0x10;
	CHECK(sign_verify_buffer(&pk, &sig, msg, strlen(msg), err,
	    sizeof err) == -1);
	sig.sig[17] ^= 0x10;

	tc = sig.trusted_comment;
	sig.trusted_comment = xstrdup("commenT");
	CHECK(sign_verify_buffer(&pk, &sig, msg, strlen(msg), err,
	    sizeof err) == -1);
	CHECK_STR(err, "trusted comment signature verification failed");
	free(sig.trusted_comment);
	sig.trusted_comment = tc;

	sig.global_sig[63] ^= 0x01;
	CHECK(sign_verify_buffer(&pk, &sig, msg, strlen(msg), err,
	    sizeof err) == -1);
	CHECK_STR(err, "trusted comment signature verification failed");
	sig.global_sig[63] ^= 0x01;

	/* "ED" relabelled "Ed" must not verify against the raw message. */
	sig.alg[1] = 'd';
	CHECK(sign_verify_buffer(&pk, &sig, msg, strlen(msg), err,
	    sizeof err) == -1);
	sig.alg[1] = 'X';
	CHECK(sign_verify_buffer(&pk, &sig, msg, strlen(msg), err,
	    sizeof err) == -1);
	sig.alg[1] = 'D';

	CHECK(sign_verify_buffer(&pk, &sig, msg, strlen(msg), err,
	    sizeof err) == 0);
	sign_sig_free(&sig);
	free(text);
	sign_seckey_free(sk);
}

static void
test_wrong_key(void)
{
	struct sign_seckey	*sk1 = sign_seckey_generate();
	struct sign_seckey	*sk2 = sign_seckey_generate();
	struct sign_pubkey	 pk1, pk2;
	struct sign_sig		 sig;
	char			 err[256], *text;

	sign_seckey_pubkey(sk1, &pk1);
	sign_seckey_pubkey(sk2, &pk2);
	text = sign_buffer(sk1, "m", 1, "c");
	CHECK(sig_of(text, &sig, err, sizeof err) == 0);
	CHECK(sign_verify_buffer(&pk2, &sig, "m", 1, err, sizeof err) == -1);
	CHECK(strstr(err, "key id") != NULL);
	/* Same key id, other key: the signature itself must fail. */
	memcpy(pk2.keyid, pk1.keyid, SIGN_KEYID_LEN);
	CHECK(sign_verify_buffer(&pk2, &sig, "m", 1, err, sizeof err) == -1);
	CHECK_STR(err, "signature verification failed");
	CHECK(sign_verify_buffer(&pk1, &sig, "m", 1, err, sizeof err) == 0);
	sign_sig_free(&sig);
	free(text);
	sign_seckey_free(sk1);
	sign_seckey_free(sk2);
}

static void
test_key_roundtrip(void)
{
	struct sign_seckey	*sk = sign_seckey_generate(), *sk2;
	struct sign_pubkey	 pk, pk2;
	struct sign_sig		 sig;
	char			 err[256], hex[SIGN_KEYID_HEXLEN];
	char			*text, *b, *crlf, *s, *line;

	/* Golden: a public key from stock minisign. */
	CHECK(sign_pubkey_parse(GOLDEN_PUB, strlen(GOLDEN_PUB), &pk, err,
	    sizeof err) == 0);
	sign_keyid_hex(pk.keyid, hex);
	CHECK_STR(hex, GOLDEN_KEYID);
	text = sign_pubkey_format(&pk);
	CHECK_STR(text, "untrusted comment: minisign public key "
	    GOLDEN_KEYID "\n" GOLDEN_PUB "\n");
	free(text);

	sign_seckey_pubkey(sk, &pk);
	text = sign_pubkey_format(&pk);
	CHECK(sign_pubkey_parse(text, strlen(text), &pk2, err,
	    sizeof err) == 0);
	CHECK(memcmp(&pk, &pk2, sizeof pk) == 0);
	/* Without the final newline. */
	CHECK(sign_pubkey_parse(text, strlen(text) - 1, &pk2, err,
	    sizeof err) == 0);
	b = sign_pubkey_base64(&pk);
	CHECK(strncmp(b, "RW", 2) == 0 && strlen(b) == 56);
	CHECK(sign_pubkey_parse(b, strlen(b), &pk2, err, sizeof err) == 0);
	CHECK(memcmp(&pk, &pk2, sizeof pk) == 0);
	crlf = xasprintf("untrusted comment: x\r\n%s\r\n", b);
	CHECK(sign_pubkey_parse(crlf, strlen(crlf), &pk2, err,
	    sizeof err) == 0);
	CHECK(memcmp(&pk, &pk2, sizeof pk) == 0);
	free(crlf);
	free(b);
	free(text);

	s = sign_seckey_format(sk);
	CHECK(strncmp(s, "untrusted comment: minisign encrypted secret key\n",
	    49) == 0);
	CHECK((sk2 = sign_seckey_parse(s, strlen(s), err, sizeof err)) != NULL);
	if (sk2 != NULL) {
		sign_seckey_pubkey(sk2, &pk2);
		CHECK(memcmp(&pk, &pk2, sizeof pk) == 0);
		text = sign_buffer(sk2, "x", 1, "from parsed");
		CHECK(sig_of(text, &sig, err, sizeof err) == 0);
		CHECK(sign_verify_buffer(&pk, &sig, "x", 1, err,
		    sizeof err) == 0);
		sign_sig_free(&sig);
		free(text);
		sign_seckey_free(sk2);
	}
	/* The base64 line alone, as an inline config value. */
	line = strchr(s, '\n') + 1;
	CHECK((sk2 = sign_seckey_parse(line, strlen(line) - 1, err,
	    sizeof err)) != NULL);
	sign_seckey_free(sk2);
	sign_free_secret_text(s);
	sign_free_secret_text(NULL);
	sign_seckey_free(sk);
}

/* Text that must be refused by every parser without crashing. */
static void
refuse_all(const char *text, size_t len)
{
	struct sign_pubkey	 pk;
	struct sign_seckey	*sk;
	struct sign_sig		 sig;
	char			 err[256];

	CHECK(sign_pubkey_parse(text, len, &pk, err, sizeof err) == -1);
	CHECK((sk = sign_seckey_parse(text, len, err, sizeof err)) == NULL);
	sign_seckey_free(sk);
	CHECK(sign_sig_parse(text, len, &sig, err, sizeof err) == -1);
	CHECK(sig.trusted_comment == NULL);
}

static void
test_malformed_pubkey(void)
{
	struct sign_pubkey	pk;
	unsigned char		raw[43];
	char			err[256], *s, *t;
	const char		*hostile[] = {
		"", "\n", "\r\n", "garbage", "untrusted comment: x\n",
		"untrusted comment: x\n\n", "RW", "RWS7/twEZHJvWrFRNHGbD9R",
		GOLDEN_PUB "=", " " GOLDEN_PUB, GOLDEN_PUB " ",
		GOLDEN_PUB "\n\n", GOLDEN_PUB "\nextra\n",
		"untrusted comment: x\n" GOLDEN_PUB "\nuntrusted comment: y\n",
		"RWS7/twEZHJvWrFRNHGbD9REkmdjW/7zvvUxj3aVo6LAdXd8DCOj7eS*",
		"RWS7/twEZHJvWrFRNHGbD9REkmdjW/7zvvUxj3aVo6LAdXd8DCOj7e\nSv",
	};
	size_t			i;

	refuse_all(NULL, 0);
	for (i = 0; i < nitems(hostile); i++)
		refuse_all(hostile[i], strlen(hostile[i]));
	CHECK(sign_pubkey_parse("", 0, &pk, err, sizeof err) == -1);
	CHECK_STR(err, "not a minisign public key (empty)");

	/* Wrong lengths: 41 and 43 bytes. */
	memset(raw, 7, sizeof raw);
	memcpy(raw, "Ed", 2);
	s = b64(raw, 41);
	CHECK(sign_pubkey_parse(s, strlen(s), &pk, err, sizeof err) == -1);
	CHECK_STR(err, "not a minisign public key (bad length)");
	free(s);
	s = b64(raw, 43);
	CHECK(sign_pubkey_parse(s, strlen(s), &pk, err, sizeof err) == -1);
	free(s);
	/* Right length, wrong algorithm. */
	memcpy(raw, "Ex", 2);
	s = b64(raw, 42);
	CHECK(sign_pubkey_parse(s, strlen(s), &pk, err, sizeof err) == -1);
	CHECK_STR(err, "not a minisign public key (unsupported signature "
	    "algorithm)");
	free(s);
	/* Right length, not base64. */
	CHECK(sign_pubkey_parse(hostile[14], strlen(hostile[14]), &pk, err,
	    sizeof err) == -1);
	CHECK_STR(err, "not a minisign public key (bad base64)");
	/* A NUL byte inside. */
	t = xstrdup(GOLDEN_PUB);
	t[10] = '\0';
	CHECK(sign_pubkey_parse(t, strlen(GOLDEN_PUB), &pk, err,
	    sizeof err) == -1);
	CHECK_STR(err, "not a minisign public key (NUL byte)");
	free(t);
}

static void
test_malformed_seckey(void)
{
	struct sign_seckey	*sk;
	unsigned char		 raw[158], pk[32], chk[32];
	crypto_generichash_state hs;
	char			 err[512], *t;

	/* minisign -W style: checksum left zero, accepted. */
	seckey_raw(raw, pk);
	t = seckey_text(raw);
	CHECK((sk = sign_seckey_parse(t, strlen(t), err, sizeof err)) != NULL);
	sign_seckey_free(sk);
	free(t);

	/* A correct checksum is accepted, a wrong one refused. */
	crypto_generichash_init(&hs, NULL, 0, 32);
	crypto_generichash_update(&hs, raw, 2);
	crypto_generichash_update(&hs, raw + 54, 8 + 64);
	crypto_generichash_final(&hs, chk, 32);
	memcpy(raw + 126, chk, 32);
	t = seckey_text(raw);
	CHECK((sk = sign_seckey_parse(t, strlen(t), err, sizeof err)) != NULL);
	sign_seckey_free(sk);
	free(t);
	raw[130] ^= 1;
	t = seckey_text(raw);
	CHECK(sign_seckey_parse(t, strlen(t), err, sizeof err) == NULL);
	CHECK_STR(err, "not a minisign secret key (bad checksum)");
	free(t);
	memset(raw + 126, 0, 32);

	/* Public half not matching the seed (zero checksum). */
	raw[62 + 40] ^= 1;
	t = seckey_text(raw);
	CHECK(sign_seckey_parse(t, strlen(t), err, sizeof err) == NULL);
	CHECK(strstr(err, "public half") != NULL);
	free(t);
	raw[62 + 40] ^= 1;

	/* Encrypted with a password. */
	memcpy(raw + 2, "Sc", 2);
	t = seckey_text(raw);
	CHECK(sign_seckey_parse(t, strlen(t), err, sizeof err) == NULL);
	CHECK_STR(err, "secret key is encrypted with a password; make an "
	    "unencrypted key with minisign -G -W or csirt-collect keygen");
	free(t);
	/* Other KDF, checksum and signature algorithms. */
	memcpy(raw + 2, "Xx", 2);
	t = seckey_text(raw);
	CHECK(sign_seckey_parse(t, strlen(t), err, sizeof err) == NULL);
	free(t);
	memcpy(raw + 2, "\0\0B3", 4);
	t = seckey_text(raw);
	CHECK(sign_seckey_parse(t, strlen(t), err, sizeof err) == NULL);
	free(t);
	memcpy(raw, "ED\0\0B2", 6);
	t = seckey_text(raw);
	CHECK(sign_seckey_parse(t, strlen(t), err, sizeof err) == NULL);
	free(t);
	/* Lengths. */
	memcpy(raw, "Ed", 2);
	t = b64(raw, 157);
	CHECK(sign_seckey_parse(t, strlen(t), err, sizeof err) == NULL);
	CHECK_STR(err, "not a minisign secret key (bad length)");
	free(t);
	sodium_memzero(raw, sizeof raw);
}

/* Flip the lowest bit of a base64 character's value. */
static char
b64_flip_low(char c)
{
	static const char	alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char		*p = strchr(alpha, c);

	return p == NULL ? c : alpha[(p - alpha) ^ 1];
}

static void
test_malformed_sig(void)
{
	struct sign_seckey	*sk = sign_seckey_generate();
	struct sign_pubkey	 pk;
	struct sign_sig		 sig;
	char			 err[256], *text, *t, *l2, *l3, *l4, *big;
	size_t			 len, i, n, bad;

	sign_seckey_pubkey(sk, &pk);
	text = sign_buffer(sk, "m", 1, "tc");
	len = strlen(text);
	l2 = strchr(text, '\n') + 1;
	l3 = strchr(l2, '\n') + 1;
	l4 = strchr(l3, '\n') + 1;

	/* Every truncation fails, except dropping the last newline. */
	for (i = 0, bad = 0; i + 1 < len; i++) {
		if (sign_sig_parse(text, i, &sig, err, sizeof err) == 0)
			bad++;
		sign_sig_free(&sig);
	}
	CHECK(bad == 0);
	CHECK(sign_sig_parse(text, len - 1, &sig, err, sizeof err) == 0);
	sign_sig_free(&sig);

	/* signify style: no trusted comment. */
	t = xstrndup(text, (size_t)(l3 - text));
	CHECK(sig_of(t, &sig, err, sizeof err) == -1);
	CHECK_STR(err, "not a minisign signature (no trusted comment)");
	free(t);
	/* Trailing data. */
	t = xasprintf("%sx\n", text);
	CHECK(sig_of(t, &sig, err, sizeof err) == -1);
	CHECK_STR(err, "not a minisign signature (trailing data)");
	free(t);
	/* No "untrusted comment: " first line. */
	CHECK(sig_of(l2, &sig, err, sizeof err) == -1);
	/* Trusted comment prefix misspelt. */
	t = xstrdup(text);
	t[l3 - text] = 'T';
	CHECK(sig_of(t, &sig, err, sizeof err) == -1);
	free(t);
	/* Unknown algorithm: "RU" (ED) becomes "RV". */
	t = xstrdup(text);
	CHECK(t[l2 - text] == 'R' && t[l2 - text + 1] == 'U');
	t[l2 - text + 1] = 'X';
	CHECK(sig_of(t, &sig, err, sizeof err) == -1);
	CHECK_STR(err, "not a minisign signature (unsupported signature "
	    "algorithm)");
	free(t);
	/* Non-canonical base64 in the global signature (before "=="). */
	t = xstrdup(text);
	n = (size_t)(l4 - text) + 85;
	CHECK(t[n + 1] == '=' && t[n + 2] == '=');
	t[n] = b64_flip_low(t[n]);
	CHECK(sig_of(t, &sig, err, sizeof err) == -1);
	CHECK_STR(err, "not a minisign signature (bad base64)");
	free(t);
	/*
	 * A byte with the high bit set in place of a base64 character
	 * (libsodium 1.0.18 alone would decode it like the character).
	 */
	t = xstrdup(text);
	t[l2 - text + 30] |= (char)0x80;
	CHECK(sig_of(t, &sig, err, sizeof err) == -1);
	CHECK_STR(err, "not a minisign signature (bad base64)");
	free(t);
	t = xstrdup(text);
	t[l4 - text + 30] |= (char)0x80;
	CHECK(sig_of(t, &sig, err, sizeof err) == -1);
	free(t);
	/* CRLF line endings are fine. */
	t = xasprintf("untrusted comment: x\r\n%.*s\r\ntrusted comment: tc\r\n"
	    "%.*s\r\n", (int)(l3 - l2 - 1), l2, 88, l4);
	CHECK(sig_of(t, &sig, err, sizeof err) == 0);
	CHECK_STR(sig.trusted_comment, "tc");
	CHECK(sign_verify_buffer(&pk, &sig, "m", 1, err, sizeof err) == 0);
	sign_sig_free(&sig);
	free(t);
	/* A NUL in the trusted comment. */
	t = xstrdup(text);
	t[l3 - text + 17] = '\0';
	CHECK(sign_sig_parse(t, len, &sig, err, sizeof err) == -1);
	free(t);
	/* Huge: a 70 KiB trusted comment. */
	big = xmalloc(70 * 1024 + 1);
	memset(big, 'a', 70 * 1024);
	big[70 * 1024] = '\0';
	t = xasprintf("untrusted comment: x\n%.*s\ntrusted comment: %s\n%s",
	    (int)(l3 - l2 - 1), l2, big, l4);
	CHECK(sig_of(t, &sig, err, sizeof err) == -1);
	CHECK_STR(err, "not a minisign signature (over 64 KiB)");
	refuse_all(t, strlen(t));
	refuse_all(big, 70 * 1024);
	free(t);
	free(big);
	free(text);
	sign_seckey_free(sk);
}

/*
 * A soup of likely tokens may well make a valid public key (the golden
 * one, with or without a comment line): anything accepted must be it.
 */
static void
soup(const char *text, size_t len)
{
	struct sign_pubkey	 pk;
	struct sign_seckey	*sk;
	struct sign_sig		 sig;
	char			 err[256], hex[SIGN_KEYID_HEXLEN];

	if (sign_pubkey_parse(text, len, &pk, err, sizeof err) == 0) {
		sign_keyid_hex(pk.keyid, hex);
		CHECK_STR(hex, GOLDEN_KEYID);
	}
	CHECK((sk = sign_seckey_parse(text, len, err, sizeof err)) == NULL);
	sign_seckey_free(sk);
	CHECK(sign_sig_parse(text, len, &sig, err, sizeof err) == -1);
}

/* Random bytes and random line soups: no crash (ASan/valgrind). */
static void
test_fuzz_smoke(void)
{
	const char	*parts[] = { "untrusted comment: ", "trusted comment: ",
	    "\n", "\r\n", "\r", "RW", "RU", "ED", "Ed", "==", "=", "A", "/",
	    GOLDEN_PUB, "\0" };
	unsigned char	 buf[600];
	struct buf	 b;
	size_t		 i, j, n;
	uint32_t	 r;

	for (i = 0; i < 3000; i++) {
		n = randombytes_uniform(sizeof buf);
		randombytes_buf(buf, n);
		refuse_all((char *)buf, n);
		memset(&b, 0, sizeof b);
		for (j = randombytes_uniform(12); j > 0; j--) {
			r = randombytes_uniform(nitems(parts));
			buf_add(&b, parts[r], r == nitems(parts) - 1 ? 1 :
			    strlen(parts[r]));
		}
		if (b.data != NULL)
			soup(b.data, b.len);
		buf_free(&b);
	}
}

static void
test_load_files(void)
{
	struct sign_seckey	*sk = sign_seckey_generate(), *sk2;
	struct sign_pubkey	 pk, pk2;
	char			 err[512], *want, *s, *p, *big;
	char			*sec = tpath("load.key"), *pub = tpath("load.pub");
	char			*none = tpath("nonexistent.key");
	char			*link = tpath("link.key"), *dir = tpath("dir");
	char			*fifo = tpath("fifo"), *huge = tpath("huge.key");
	char			*junk = tpath("junk.key");

	sign_seckey_pubkey(sk, &pk);
	s = sign_seckey_format(sk);
	write_file(sec, s, strlen(s));
	sign_free_secret_text(s);
	p = sign_pubkey_format(&pk);
	write_file(pub, p, strlen(p));
	free(p);

	CHECK((sk2 = sign_seckey_load(sec, err, sizeof err)) != NULL);
	CHECK(sign_pubkey_load(pub, &pk2, err, sizeof err) == 0);
	CHECK(memcmp(&pk, &pk2, sizeof pk) == 0);
	sign_seckey_free(sk2);

	CHECK(sign_seckey_load(none, err, sizeof err) == NULL);
	want = xasprintf("cannot read secret key %s: No such file or "
	    "directory", none);
	CHECK_STR(err, want);
	free(want);
	CHECK(sign_pubkey_load(none, &pk2, err, sizeof err) == -1);
	CHECK(strncmp(err, "cannot read public key ", 23) == 0);

	CHECK(symlink(sec, link) == 0);
	CHECK(sign_seckey_load(link, err, sizeof err) == NULL);
	want = xasprintf("cannot read secret key %s: %s", link,
	    strerror(ELOOP));
	CHECK_STR(err, want);
	free(want);
	CHECK(sign_pubkey_load(link, &pk2, err, sizeof err) == -1);

	CHECK(mkdir(dir, 0700) == 0);
	CHECK(sign_seckey_load(dir, err, sizeof err) == NULL);
	CHECK(strstr(err, "not a regular file") != NULL);
	CHECK(mkfifo(fifo, 0600) == 0);
	CHECK(sign_pubkey_load(fifo, &pk2, err, sizeof err) == -1);
	CHECK(strstr(err, "not a regular file") != NULL);
	CHECK(sign_seckey_load(fifo, err, sizeof err) == NULL);

	big = xmalloc(65 * 1024);
	memset(big, 'A', 65 * 1024);
	write_file(huge, big, 65 * 1024);
	free(big);
	CHECK(sign_seckey_load(huge, err, sizeof err) == NULL);
	CHECK(strstr(err, "larger than 64 KiB") != NULL);
	CHECK(sign_pubkey_load(huge, &pk2, err, sizeof err) == -1);
	CHECK(strstr(err, "larger than 64 KiB") != NULL);

	write_file(junk, "untrusted comment: x\nAAAA\n", 26);
	CHECK(sign_seckey_load(junk, err, sizeof err) == NULL);
	want = xasprintf("%s: not a minisign secret key (bad length)", junk);
	CHECK_STR(err, want);
	free(want);
	CHECK(sign_pubkey_load(junk, &pk2, err, sizeof err) == -1);
	want = xasprintf("%s: not a minisign public key (bad length)", junk);
	CHECK_STR(err, want);
	free(want);

	free(sec);
	free(pub);
	free(none);
	free(link);
	free(dir);
	free(fifo);
	free(huge);
	free(junk);
	sign_seckey_free(sk);
}

static mode_t
mode_of(const char *path)
{
	struct stat	st;

	if (lstat(path, &st) == -1)
		return (mode_t)-1;
	return st.st_mode & 07777;
}

static void
test_keygen_files(void)
{
	struct sign_seckey	*sk;
	struct sign_pubkey	 pk, pk2;
	unsigned char		 id1[SIGN_KEYID_LEN], id2[SIGN_KEYID_LEN];
	char			 err[512], *before, *after;
	char			*pub = tpath("kg.pub"), *sec = tpath("kg.key");
	char			*sec2 = tpath("kg2.key");
	char			*nodir = tpath("nodir/kg.pub");
	char			*lnk = tpath("kg-link.key");
	size_t			 l1, l2;
	mode_t			 old = umask(022);

	CHECK(sign_keygen_files(pub, sec, 0, id1, err, sizeof err) == 0);
	CHECK(mode_of(sec) == 0600);
	CHECK(mode_of(pub) == 0644);
	CHECK((sk = sign_seckey_load(sec, err, sizeof err)) != NULL);
	CHECK(sign_pubkey_load(pub, &pk, err, sizeof err) == 0);
	CHECK(memcmp(pk.keyid, id1, SIGN_KEYID_LEN) == 0);
	if (sk != NULL) {
		sign_seckey_pubkey(sk, &pk2);
		CHECK(memcmp(&pk, &pk2, sizeof pk) == 0);
	}
	sign_seckey_free(sk);

	/* Existing files without force: refused, left as they were. */
	before = read_file(sec, &l1);
	CHECK(sign_keygen_files(pub, sec, 0, id2, err, sizeof err) == -1);
	CHECK(strstr(err, strerror(EEXIST)) != NULL);
	after = read_file(sec, &l2);
	CHECK(before != NULL && after != NULL && l1 == l2 &&
	    memcmp(before, after, l1) == 0);
	free(after);

	/* With force: replaced, and the secret key back to 0600. */
	CHECK(chmod(sec, 0644) == 0);
	CHECK(sign_keygen_files(pub, sec, 1, id2, err, sizeof err) == 0);
	CHECK(memcmp(id1, id2, SIGN_KEYID_LEN) != 0);
	CHECK(mode_of(sec) == 0600);
	after = read_file(sec, &l2);
	CHECK(after != NULL && (l1 != l2 || memcmp(before, after, l1) != 0));
	free(after);
	free(before);

	/* Public key cannot be written: the new secret key is removed. */
	CHECK(sign_keygen_files(nodir, sec2, 0, NULL, err, sizeof err) == -1);
	CHECK(access(sec2, F_OK) == -1 && errno == ENOENT);
	/* Public key exists: same, and the public key is not touched. */
	before = read_file(pub, &l1);
	CHECK(sign_keygen_files(pub, sec2, 0, NULL, err, sizeof err) == -1);
	CHECK(access(sec2, F_OK) == -1 && errno == ENOENT);
	after = read_file(pub, &l2);
	CHECK(before != NULL && after != NULL && l1 == l2 &&
	    memcmp(before, after, l1) == 0);
	free(before);
	free(after);
	/* A symlink in place of the secret key, with force: refused. */
	CHECK(symlink(pub, lnk) == 0);
	CHECK(sign_keygen_files(sec2, lnk, 1, NULL, err, sizeof err) == -1);
	CHECK(mode_of(lnk) != (mode_t)-1 && access(sec2, F_OK) == -1);
	CHECK(sign_pubkey_load(pub, &pk2, err, sizeof err) == 0);
	/* Same path for both. */
	CHECK(sign_keygen_files(sec2, sec2, 0, NULL, err, sizeof err) == -1);
	CHECK(access(sec2, F_OK) == -1);

	umask(old);
	free(pub);
	free(sec);
	free(sec2);
	free(nodir);
	free(lnk);
}

static void
test_minisign_present(void)
{
	CHECK(have_minisign);
	if (!have_minisign)
		printf("#   stock minisign not found in PATH\n");
}

/* (1) A key of stock minisign -G -W signs with us; minisign verifies. */
static void
test_interop_stock_key(void)
{
	struct sign_seckey	*sk = NULL;
	struct sign_pubkey	 pk, pk2;
	char			 err[512], *text, *cmd, *line;
	char			*p = tpath("i1.pub"), *s = tpath("i1.key");
	char			*m = tpath("i1.msg"), *x = tpath("i1.msg.minisig");
	const char		 msg[] = "collected evidence\n";

	CHECK(have_minisign);
	if (!have_minisign)
		goto cleanup;
	CHECK(run("minisign -G -W -p '%s' -s '%s'", p, s) == 0);
	CHECK((sk = sign_seckey_load(s, err, sizeof err)) != NULL);
	if (sk == NULL) {
		printf("#   %s\n", err);
		goto cleanup;
	}
	CHECK(sign_pubkey_load(p, &pk, err, sizeof err) == 0);
	sign_seckey_pubkey(sk, &pk2);
	CHECK(memcmp(&pk, &pk2, sizeof pk) == 0);

	write_file(m, msg, sizeof msg - 1);
	text = sign_buffer(sk, msg, sizeof msg - 1, "csirt-collect test 1");
	write_file(x, text, strlen(text));
	free(text);
	CHECK(run("minisign -V -m '%s' -p '%s'", m, p) == 0);
	CHECK(run("minisign -V -H -m '%s' -x '%s' -p '%s'", m, x, p) == 0);
	cmd = xasprintf("minisign -V -Q -m '%s' -p '%s' 2>/dev/null", m, p);
	line = run_line(cmd);
	CHECK_STR(line, "csirt-collect test 1");
	free(line);
	free(cmd);
	text = sign_pubkey_base64(&pk);
	CHECK(run("minisign -V -m '%s' -P '%s'", m, text) == 0);
	free(text);
	/* And it does notice a change. */
	write_file(m, "collected evidencE\n", sizeof msg - 1);
	CHECK(run("minisign -V -m '%s' -p '%s'", m, p) != 0);
cleanup:
	sign_seckey_free(sk);
	free(p);
	free(s);
	free(m);
	free(x);
}

/* Verify a stock signature file over path both ways; 0 when all agree. */
static void
verify_stock(const struct sign_pubkey *pk, const char *m, const char *x,
    const char *alg, const char *tc)
{
	struct sign_sig	 sig;
	char		 err[512], *text, *msg;
	size_t		 tlen, mlen;
	int		 fd;

	CHECK((text = read_file(x, &tlen)) != NULL);
	CHECK((msg = read_file(m, &mlen)) != NULL);
	if (text == NULL || msg == NULL)
		goto cleanup;
	CHECK(sign_sig_parse(text, tlen, &sig, err, sizeof err) == 0);
	CHECK(memcmp(sig.alg, alg, 2) == 0);
	CHECK_STR(sig.trusted_comment, tc);
	CHECK(sign_verify_buffer(pk, &sig, msg, mlen, err, sizeof err) == 0);
	CHECK((fd = open(m, O_RDONLY)) != -1);
	CHECK(sign_verify_fd(pk, &sig, fd, err, sizeof err) == 0);
	close(fd);
	/* One byte changed: refused. */
	msg[mlen / 3] ^= 0x01;
	write_file(m, msg, mlen);
	CHECK(sign_verify_buffer(pk, &sig, msg, mlen, err, sizeof err) == -1);
	CHECK((fd = open(m, O_RDONLY)) != -1);
	CHECK(sign_verify_fd(pk, &sig, fd, err, sizeof err) == -1);
	CHECK_STR(err, "signature verification failed");
	close(fd);
	msg[mlen / 3] ^= 0x01;
	write_file(m, msg, mlen);
	sign_sig_free(&sig);
cleanup:
	free(text);
	free(msg);
}

/* (2, 4) Files signed by stock minisign (prehashed and legacy). */
static void
test_interop_stock_sig(void)
{
	struct sign_pubkey	 pk;
	unsigned char		*msg;
	size_t			 len = 200 * 1024 + 3, i;
	char			 err[512];
	char			*p = tpath("i2.pub"), *s = tpath("i2.key");
	char			*m = tpath("i2.msg"), *x = tpath("i2.ED.minisig");
	char			*xl = tpath("i2.Ed.minisig");

	CHECK(have_minisign);
	if (!have_minisign)
		goto cleanup;
	msg = xmalloc(len);
	for (i = 0; i < len; i++)
		msg[i] = (unsigned char)(i ^ (i >> 8));
	write_file(m, msg, len);
	free(msg);
	CHECK(run("minisign -G -W -p '%s' -s '%s'", p, s) == 0);
	CHECK(sign_pubkey_load(p, &pk, err, sizeof err) == 0);
	CHECK(run("minisign -S -s '%s' -m '%s' -x '%s' -t 'some comment'",
	    s, m, x) == 0);
	verify_stock(&pk, m, x, "ED", "some comment");
	CHECK(run("minisign -S -l -s '%s' -m '%s' -x '%s' -t 'legacy one'",
	    s, m, xl) == 0);
	verify_stock(&pk, m, xl, "Ed", "legacy one");
cleanup:
	free(p);
	free(s);
	free(m);
	free(x);
	free(xl);
}

/* (3) Our key pair files used by stock minisign to sign and verify. */
static void
test_interop_our_key(void)
{
	struct sign_pubkey	 pk, pk2;
	unsigned char		 keyid[SIGN_KEYID_LEN];
	char			 err[512], *a, *b;
	char			*p = tpath("i3.pub"), *s = tpath("i3.key");
	char			*pr = tpath("i3-recreated.pub");
	char			*m = tpath("i3.msg"), *x = tpath("i3.msg.minisig");
	size_t			 la, lb;

	CHECK(have_minisign);
	if (!have_minisign)
		goto cleanup;
	CHECK(sign_keygen_files(p, s, 0, keyid, err, sizeof err) == 0);
	CHECK(sign_pubkey_load(p, &pk, err, sizeof err) == 0);
	write_file(m, "signed by minisign with our key\n", 32);
	CHECK(run("minisign -S -s '%s' -m '%s' -t 'ours'", s, m) == 0);
	CHECK(run("minisign -V -m '%s' -p '%s'", m, p) == 0);
	verify_stock(&pk, m, x, "ED", "ours");
	/*
	 * minisign -R makes the same public key file, byte for byte, except
	 * that minisign 0.11 leaves out the final newline there (not in -G).
	 */
	CHECK(run("minisign -R -s '%s' -p '%s'", s, pr) == 0);
	a = read_file(p, &la);
	b = read_file(pr, &lb);
	CHECK(a != NULL && b != NULL && la > 0 && a[la - 1] == '\n');
	if (a != NULL && b != NULL && lb > 0 && b[lb - 1] != '\n')
		la--;
	CHECK(a != NULL && b != NULL && la == lb && memcmp(a, b, la) == 0);
	CHECK(sign_pubkey_load(pr, &pk2, err, sizeof err) == 0);
	CHECK(memcmp(&pk, &pk2, sizeof pk) == 0);
	free(a);
	free(b);
cleanup:
	free(p);
	free(s);
	free(pr);
	free(m);
	free(x);
}

int
main(void)
{
	const char	*t = getenv("TMPDIR");
	char		*log, *text, *line;
	size_t		 loglen;
	int		 n;

	if (t == NULL || *t == '\0' || strchr(t, '\'') != NULL)
		t = "/tmp";
	n = snprintf(tmpdir, sizeof tmpdir, "%s/test_sign.XXXXXX", t);
	if (n < 0 || (size_t)n >= sizeof tmpdir || mkdtemp(tmpdir) == NULL)
		fatal("mkdtemp %s: %s", tmpdir, strerror(errno));
	if (sodium_init() < 0)
		fatal("sodium_init");
	have_minisign = system("command -v minisign >/dev/null 2>&1") == 0;

	UNIT_RUN(test_roundtrip_buffer);
	UNIT_RUN(test_roundtrip_prehash);
	UNIT_RUN(test_roundtrip_fd);
	UNIT_RUN(test_legacy);
	UNIT_RUN(test_tamper_every_byte);
	UNIT_RUN(test_tamper_parts);
	UNIT_RUN(test_wrong_key);
	UNIT_RUN(test_key_roundtrip);
	UNIT_RUN(test_malformed_pubkey);
	UNIT_RUN(test_malformed_seckey);
	UNIT_RUN(test_malformed_sig);
	UNIT_RUN(test_fuzz_smoke);
	UNIT_RUN(test_load_files);
	UNIT_RUN(test_keygen_files);
	UNIT_RUN(test_minisign_present);
	UNIT_RUN(test_interop_stock_key);
	UNIT_RUN(test_interop_stock_sig);
	UNIT_RUN(test_interop_our_key);

	/* On failure, show what minisign said, as comment lines. */
	log = tpath("log");
	if (unit_any_failed && (text = read_file(log, &loglen)) != NULL) {
		for (line = strtok(text, "\n"); line != NULL;
		    line = strtok(NULL, "\n"))
			printf("#   minisign: %s\n", line);
		free(text);
	}
	free(log);
	nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	UNIT_EXIT();
}
