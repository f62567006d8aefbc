/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the INI configuration (config_parse over libinih,
 * then the key table's value parsers: sizes, integers, lists, booleans,
 * secrets). A config may come with a bundle made by someone else, so it
 * is untrusted input. Corpus: tests/fuzz/corpus/config/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "config.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct config	 c;
	char		 err[512], *text;

	if (len > (1U << 20))	/* config_load caps files at 1 MiB */
		return 0;
	text = xstrndup((const char *)data, len);
	config_init(&c);
	(void)config_parse(&c, "fuzz.ini", text, err, sizeof err);
	/* A second file over the first: layers must free what they replace. */
	(void)config_parse(&c, "fuzz2.ini", text, err, sizeof err);
	config_free(&c);
	free(text);
	return 0;
}
