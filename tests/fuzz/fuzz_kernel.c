/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the kernel collector's parsers (collectors/
 * kernel.h): a /dev/kmsg record (any user may write to /dev/kmsg), an
 * fdinfo file, a binfmt_misc handler file (root writes any bytes there),
 * AppArmor profile lines and fd link names. Every input goes to each
 * parser on its own copy (they split in place). The JSON made from them
 * is gathered in one array, which must serialise (valid UTF-8).
 * Corpus: tests/fuzz/corpus/kernel/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "kernel.h"
#include "live.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Keep a value made from the input; NULL means a parser built bad JSON. */
static void
fuzz_add(json_t *out, json_t *j)
{
	if (j == NULL || json_array_append_new(out, j) == -1)
		fatal("fuzz: a JSON value could not be made");
}

/* A fresh NUL-terminated copy with room for the parsers' NUL. */
static char *
fuzz_copy(const uint8_t *data, size_t len)
{
	char	*p = xmalloc(len + 1);

	memcpy(p, data, len);
	p[len] = '\0';
	return p;
}

static void
fuzz_kmsg(const uint8_t *data, size_t len, json_t *out)
{
	struct kernel_kmsg	 k;
	char			*p = fuzz_copy(data, len);
	size_t			 i;

	if (kernel_parse_kmsg(p, len, &k) == 0) {
		if (k.message + k.message_len > p + len ||
		    k.nfields > KERNEL_KMSG_FIELDS)
			fatal("fuzz: kmsg record out of bounds");
		fuzz_add(out, live_json_str(k.message, k.message_len));
		(void)kernel_level_name(k.level);
		(void)kernel_facility_name(k.facility);
		for (i = 0; i < k.nfields; i++)
			fuzz_add(out, live_json_strz(k.field[i]));
	}
	free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct kernel_binfmt	 b;
	json_t			*out = json_array();
	char			*p, *line, *name, *mode;
	size_t			 pos = 0;

	fuzz_kmsg(data, len, out);

	p = fuzz_copy(data, len);
	fuzz_add(out, kernel_parse_fdinfo(p, len, 64, NULL));
	free(p);

	p = fuzz_copy(data, len);
	if (kernel_parse_binfmt(p, len, &b) == 0)
		fuzz_add(out, json_pack("{s:o, s:o, s:o, s:o, s:o}",
		    "interpreter", live_json_strz(b.interpreter), "flags",
		    live_json_strz(b.flags), "magic", live_json_strz(b.magic),
		    "mask", live_json_strz(b.mask), "extension",
		    live_json_strz(b.extension)));
	free(p);

	p = fuzz_copy(data, len);
	while ((line = live_next_line(p, len, &pos)) != NULL) {
		(void)kernel_bpf_kind(line);
		if (kernel_parse_aa_profile(line, &name, &mode) == 0) {
			fuzz_add(out, live_json_strz(name));
			fuzz_add(out, live_json_strz(mode));
		}
	}
	free(p);
	if ((p = json_dumps(out, 0)) == NULL)
		fatal("fuzz: JSON does not serialise");
	free(p);
	json_decref(out);
	return 0;
}
