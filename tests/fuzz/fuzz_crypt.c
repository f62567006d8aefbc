/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for age decryption (crypt_dec_new, crypt_dec_read):
 * the input is an age file, read through a memfd as `decrypt` and
 * `verify -i` read one, with a fixed identity. Then the input is taken
 * as plaintext, encrypted by the output stage (out_age_new) to the same
 * identity and a second recipient, and must decrypt to the same bytes.
 * Corpus: tests/fuzz/corpus/crypt/ (stock `age -r` output).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "crypt.h"
#include "out.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A test identity only: the corpus files are encrypted to it. */
static const char fuzz_identity[] =
    "# fuzz identity\n"
    "AGE-SECRET-KEY-1NJRCE7GLNEFHEG73QXTGJRHPL0CA9XU9T8GJX0Q27Z929QXACZ2SHUMRPM\n";
static const char fuzz_recipients[2][63] = {
	"age18upmyg99nlu04pz6qnejl2dk6mt0e0txeeex72ufyh42grfuusps29vx3g",
	"age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
};

/* The last stage of the chain: a memfd. */
struct fuzz_out {
	struct out	o;
	int		fd;
};

static int
fuzz_out_write(struct out *o, const void *p, size_t n)
{
	return util_write_all(((struct fuzz_out *)o)->fd, p, n);
}

static int
fuzz_out_close(struct out *o)
{
	(void)o;
	return 0;
}

static void
fuzz_out_free(struct out *o)
{
	(void)o;
}

static int
fuzz_memfd(const void *data, size_t len)
{
	int	fd;

	if ((fd = memfd_create("fuzz", MFD_CLOEXEC)) == -1)
		fatal("memfd_create");
	if (len > 0 && util_write_all(fd, data, len) == -1)
		fatal("write memfd");
	if (lseek(fd, 0, SEEK_SET) == -1)
		fatal("lseek");
	return fd;
}

/* Decrypt fd; the plaintext into *out (may be NULL). 0 or -1. */
static int
fuzz_decrypt(int fd, struct buf *out)
{
	struct crypt_dec	*d;
	char			 err[512], chunk[4096];
	ssize_t			 n;

	if ((d = crypt_dec_new(fd, fuzz_identity, err, sizeof err)) == NULL)
		return -1;
	while ((n = crypt_dec_read(d, chunk, sizeof chunk, err,
	    sizeof err)) > 0)
		if (out != NULL)
			buf_add(out, chunk, n);
	crypt_dec_free(d);
	return n == 0 ? 0 : -1;
}

static void
fuzz_roundtrip(const uint8_t *data, size_t len)
{
	unsigned char		 pks[2][CRYPT_KEY_LEN];
	struct fuzz_out		 fo;
	struct out		*age;
	struct buf		 plain = { 0 };
	char			 err[512];
	size_t			 i;

	for (i = 0; i < 2; i++)
		if (crypt_recipient_parse(fuzz_recipients[i], pks[i], err,
		    sizeof err) == -1)
			fatal("fuzz: recipient: %s", err);
	memset(&fo, 0, sizeof fo);
	fo.o.name = "fuzz";
	fo.o.write = fuzz_out_write;
	fo.o.close = fuzz_out_close;
	fo.o.free = fuzz_out_free;
	fo.fd = fuzz_memfd(NULL, 0);
	age = out_age_new(&fo.o, (const unsigned char (*)[CRYPT_KEY_LEN])pks,
	    2);
	/* In two writes, to cross the chunk logic at an odd place. */
	if (out_write(age, data, len / 3) == -1 ||
	    out_write(age, data + len / 3, len - len / 3) == -1 ||
	    out_close(age) == -1)
		fatal("fuzz: encrypt: %s", out_error(age));
	out_free(age);
	if (lseek(fo.fd, 0, SEEK_SET) == -1 || fuzz_decrypt(fo.fd, &plain))
		fatal("fuzz: own age file does not decrypt");
	if (plain.len != len || (len > 0 && memcmp(plain.data, data, len)))
		fatal("fuzz: age round trip differs");
	buf_free(&plain);
	close(fo.fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	int	fd;

	if (len > (1U << 20))
		return 0;
	fd = fuzz_memfd(data, len);
	(void)fuzz_decrypt(fd, NULL);
	close(fd);
	fuzz_roundtrip(data, len);
	return 0;
}
