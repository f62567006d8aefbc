/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the embedded configuration of a bundled agent
 * (bundle_read_file): the trailer at the end of the binary (magic,
 * length, SHA-256) and the configuration text it carries. A copy of the
 * agent can be damaged or tampered with in transit. The input is read
 * as a whole file, and again with a valid trailer appended: the reader
 * must then give back exactly the input (or refuse it for a NUL byte,
 * an empty or an oversized text), and the text goes to config_parse.
 * Corpus: tests/fuzz/corpus/bundle/.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "bundle.h"
#include "config.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	*fuzz_path;

static void
fuzz_cleanup(void)
{
	unlink(fuzz_path);
}

static void
fuzz_write(const void *p, size_t n, const void *p2, size_t n2)
{
	int	fd;

	if ((fd = open(fuzz_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1 || util_write_all(fd, p, n) == -1 ||
	    util_write_all(fd, p2, n2) == -1 || close(fd) == -1)
		fatal("fuzz: cannot write %s", fuzz_path);
}

static int
fuzz_read(char **text)
{
	struct config	 c;
	char		 err[512];
	int		 rc;

	rc = bundle_read_file(fuzz_path, text, err, sizeof err);
	if (rc == 1) {
		config_init(&c);
		(void)config_parse(&c, "(embedded)", *text, err, sizeof err);
		config_free(&c);
	}
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	unsigned char	 t[64];
	const char	*tmp = getenv("TMPDIR");
	char		*text = NULL;
	int		 i, rc;

	if (len > BUNDLE_MAX + 128)
		return 0;
	if (fuzz_path == NULL) {
		fuzz_path = xasprintf("%s/fuzz-bundle.%ld", tmp ? tmp : "/tmp",
		    (long)getpid());
		atexit(fuzz_cleanup);
	}
	fuzz_write(data, len, "", 0);
	(void)fuzz_read(&text);
	config_free_text(text);
	text = NULL;

	/* The same bytes as a payload with a valid trailer. */
	memset(t, 0, sizeof t);
	memcpy(t, "CSIRT-COLLECT-C1", 16);
	for (i = 0; i < 8; i++)
		t[16 + i] = (unsigned char)((uint64_t)len >> (8 * i));
	EVP_Digest(data, len, t + 24, NULL, EVP_sha256(), NULL);
	fuzz_write(data, len, t, sizeof t);
	rc = fuzz_read(&text);
	if (len > 0 && len <= BUNDLE_MAX && memchr(data, '\0', len) == NULL) {
		if (rc != 1 || strlen(text) != len || memcmp(text, data, len))
			fatal("fuzz: a valid payload was not read back");
	} else if (rc == 1)
		fatal("fuzz: an invalid payload was accepted");
	config_free_text(text);
	return 0;
}
