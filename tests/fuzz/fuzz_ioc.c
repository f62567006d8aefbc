/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for indicator files (ioc_set_load): the input is one
 * file of a pack, loaded under each name a pack may give it (the Loki
 * kind comes from the name), then looked up and turned into YARA
 * source, which must hold only the rules' escaped strings and compile
 * with libyara (every group within its limits); each indicator's value,
 * as a match of its group would give it, leads back to it. A load that
 * fails must leave the set as it was. Corpus: tests/fuzz/corpus/ioc/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yara.h>

#include "ioc.h"
#include "log.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const fuzz_names[] = {
	"pack/event.json", "pack/hash-iocs.txt", "pack/filename-iocs.txt",
	"pack/c2-iocs.txt"
};

/* The generated source compiles (no group past libyara's limits). */
static void
fuzz_ioc_compile(const char *src)
{
	static int	 init;
	YR_COMPILER	*c;

	if (!init && yr_initialize() != ERROR_SUCCESS)
		fatal("fuzz: ioc: yr_initialize");
	init = 1;
	if (yr_compiler_create(&c) != ERROR_SUCCESS)
		fatal("fuzz: ioc: yr_compiler_create");
	if (yr_compiler_add_string(c, src, NULL) != 0)
		fatal("fuzz: ioc: the generated YARA source does not compile");
	yr_compiler_destroy(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct ioc_set		*s;
	const struct ioc	*out[4];
	char			 err[512], *src;
	size_t			 i, total;
	int			 t, n;

	if (len > (1U << 20))
		return 0;
	log_init(1, 0);
	s = ioc_set_new();
	for (i = 0; i < sizeof fuzz_names / sizeof fuzz_names[0]; i++) {
		for (total = 0, t = 0; t < IOC_NTYPES; t++)
			total += ioc_set_count(s, t);
		n = ioc_set_load(s, fuzz_names[i], (const char *)data, len,
		    err, sizeof err);
		for (t = 0; t < IOC_NTYPES; t++)
			total -= ioc_set_count(s, t);
		if ((n == -1 && total != 0) || (n >= 0 && (size_t)-total !=
		    (size_t)n))
			fatal("fuzz: ioc: counts disagree with the load");
	}
	ioc_find_hash(s, IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e", out, 4);
	ioc_find_file(s, "/tmp/.x/dropper", out, 4);
	ioc_find_addr(s, "198.51.100.7", out, 4);
	ioc_find_addr(s, "2001:db8::1", out, 4);
	if ((src = ioc_yara_source(s)) != NULL) {
		if (strchr(src, '\n') == NULL || !util_utf8_valid(src))
			fatal("fuzz: ioc: YARA source not plain text");
		if (strlen(src) <= (256U << 10))
			fuzz_ioc_compile(src);
		free(src);
	}
	ioc_by_match(s, "i_0", NULL, out, 4);
	ioc_by_match(s, "d_0", "evil.example", out, 4);
	ioc_by_match(s, "a_0", "198.51.100.7", out, 4);
	ioc_by_match(s, "u_0", "http://evil.example/", out, 4);
	ioc_set_free(s);
	/* The warnings kept for collection.log would grow run after run. */
	log_free();
	return 0;
}
