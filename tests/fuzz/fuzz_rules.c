/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for signed rule bundles (rules_bundle_load): the input
 * is the bundle, a .tar.zst of .yar files. It is written to a temporary
 * file and signed with a fixed test key and the trusted comment
 * "csirt-collect-rules version=1", so the fuzzer reaches what a holder
 * of the rules key (or a stolen one) controls: the zstd stream and the
 * tar entries (names, types, sizes, links), which must be refused or
 * capped, never written anywhere. Corpus: tests/fuzz/corpus/rules/.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules.h"
#include "sign.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Test keys only (those of the sign corpus). */
static const char fuzz_seckey[] = "RWQAAEIyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAATJF6s9rPZvb8kO9jR3UzegWXjGl1xXfeK5m17F+XZINV37EQQ2hlLWOBe/NR2xC6JZOOedFVAi8lhppmoa9wjPPGt0l1FrkQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
static const char fuzz_pubkey[] = "RWRMkXqz2s9m9mOBe/NR2xC6JZOOedFVAi8lhppmoa9wjPPGt0l1FrkQ";

static struct {
	struct sign_seckey	*sk;
	char			*dir, *state, *bundle, *sig;
} fz;

static void
fuzz_cleanup(void)
{
	unlink(fz.bundle);
	unlink(fz.sig);
	rmdir(fz.state);
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
	const char	*tmp = getenv("TMPDIR");
	char		 err[512];

	if ((fz.sk = sign_seckey_parse(fuzz_seckey, strlen(fuzz_seckey), err,
	    sizeof err)) == NULL)
		fatal("fuzz: key: %s", err);
	fz.dir = xasprintf("%s/fuzz-rules.XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(fz.dir) == NULL)
		fatal("fuzz: mkdtemp %s", fz.dir);
	fz.state = xasprintf("%s/state", fz.dir);
	if (mkdir(fz.state, 0700) == -1)
		fatal("fuzz: mkdir %s", fz.state);
	fz.bundle = xasprintf("%s/rules.tar.zst", fz.dir);
	fz.sig = xasprintf("%s/rules.tar.zst.minisig", fz.dir);
	atexit(fuzz_cleanup);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct rules_bundle	 b;
	char			*sig, err[1024];

	if (len > (4U << 20))
		return 0;
	if (fz.sk == NULL)
		fuzz_init();
	fuzz_write(fz.bundle, data, len);
	sig = sign_buffer(fz.sk, data, len, "csirt-collect-rules version=1");
	fuzz_write(fz.sig, sig, strlen(sig));
	free(sig);
	if (rules_bundle_load(fz.bundle, fuzz_pubkey, fz.state, &b, err,
	    sizeof err) == 0)
		rules_bundle_free(&b);
	return 0;
}
