/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for `verify`: the input is an archive. It is written
 * to a temporary file and signed with a fixed test key, so that the
 * fuzzer gets past the outer signature into what a forger controls once
 * a key is stolen or an archive merely claims a key: the zstd stream, the
 * tar entries, manifest.json (JSON, path_b64), manifest.json.minisig, and
 * the age layer (the fixed identity of fuzz_crypt.c is given).
 * Corpus: tests/fuzz/corpus/verify/ (archives of `run`, signed with
 * tests/fuzz/corpus/sign/seckey, one encrypted, one not compressed).
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sign.h"
#include "util.h"
#include "verify.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Test keys only (those of the sign and crypt corpora). */
static const char fuzz_seckey[] =
    "untrusted comment: minisign encrypted secret key\n"
    "RWQAAEIyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAATJF6s9rPZvb8kO9jR3UzegWXjGl1xXfeK5m17F+XZINV37EQQ2hlLWOBe/NR2xC6JZOOedFVAi8lhppmoa9wjPPGt0l1FrkQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
static const char fuzz_identity[] =
    "AGE-SECRET-KEY-1NJRCE7GLNEFHEG73QXTGJRHPL0CA9XU9T8GJX0Q27Z929QXACZ2SHUMRPM\n";

static struct {
	struct sign_seckey	*sk;
	struct sign_pubkey	 pk;
	char			*dir, *archive, *sig, *pub, *id;
} fz;

static void
fuzz_cleanup(void)
{
	unlink(fz.archive);
	unlink(fz.sig);
	unlink(fz.pub);
	unlink(fz.id);
	rmdir(fz.dir);
}

static void
fuzz_write(const char *path, const void *p, size_t n)
{
	int	fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1 || util_write_all(fd, p, n) == -1 || close(fd) == -1)
		fatal("fuzz: cannot write %s", path);
}

static void
fuzz_init(void)
{
	const char		*tmp = getenv("TMPDIR");
	char			*text, err[512];

	if ((fz.sk = sign_seckey_parse(fuzz_seckey, strlen(fuzz_seckey), err,
	    sizeof err)) == NULL)
		fatal("fuzz: key: %s", err);
	fz.dir = xasprintf("%s/fuzz-verify.XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(fz.dir) == NULL)
		fatal("fuzz: mkdtemp %s", fz.dir);
	fz.archive = xasprintf("%s/a.tar.zst", fz.dir);
	fz.sig = xasprintf("%s/a.tar.zst.minisig", fz.dir);
	fz.pub = xasprintf("%s/key.pub", fz.dir);
	fz.id = xasprintf("%s/id.txt", fz.dir);
	sign_seckey_pubkey(fz.sk, &fz.pk);
	text = sign_pubkey_format(&fz.pk);
	fuzz_write(fz.pub, text, strlen(text));
	free(text);
	fuzz_write(fz.id, fuzz_identity, strlen(fuzz_identity));
	atexit(fuzz_cleanup);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct verify_result	 res;
	char			*sig;
	int			 fd;

	if (len > (4U << 20))
		return 0;
	if (fz.sk == NULL)
		fuzz_init();
	fuzz_write(fz.archive, data, len);
	sig = sign_buffer(fz.sk, data, len, "fuzz");
	fuzz_write(fz.sig, sig, strlen(sig));
	free(sig);
	if ((fd = open(fz.archive, O_RDONLY | O_CLOEXEC)) == -1)
		fatal("fuzz: %s", fz.archive);
	verify_archive(fd, fz.archive, &fz.pk, fuzz_identity, NULL, &res);
	close(fd);
	return 0;
}
