/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the kernel collector's parsers (collectors/
 * kernel.h): a /dev/kmsg record (any user may write to /dev/kmsg), an
 * fdinfo file, a binfmt_misc handler file (root writes any bytes there),
 * AppArmor profile lines and fd link names. Every input goes to each
 * parser on its own copy (they split in place). The JSON made from them
 * must always serialise. Corpus: tests/fuzz/corpus/kernel/.
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

static void
fuzz_json(json_t *j)
{
	char	*s;

	if (j == NULL)
		fatal("fuzz: NULL JSON value");
	if ((s = json_dumps(j, JSON_ENCODE_ANY)) == NULL)
		fatal("fuzz: JSON value does not serialise");
	free(s);
	json_decref(j);
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
fuzz_kmsg(const uint8_t *data, size_t len)
{
	struct kernel_kmsg	 k;
	char			*p = fuzz_copy(data, len);
	size_t			 i;

	if (kernel_parse_kmsg(p, len, &k) == 0) {
		if (k.message + k.message_len > p + len ||
		    k.nfields > KERNEL_KMSG_FIELDS)
			fatal("fuzz: kmsg record out of bounds");
		fuzz_json(live_json_str(k.message, k.message_len));
		(void)kernel_level_name(k.level);
		(void)kernel_facility_name(k.facility);
		for (i = 0; i < k.nfields; i++)
			fuzz_json(live_json_strz(k.field[i]));
	}
	free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct kernel_binfmt	 b;
	char			*p, *line, *name, *mode;
	size_t			 pos = 0;

	fuzz_kmsg(data, len);

	p = fuzz_copy(data, len);
	fuzz_json(kernel_parse_fdinfo(p, len, 64, NULL));
	free(p);

	p = fuzz_copy(data, len);
	if (kernel_parse_binfmt(p, len, &b) == 0)
		fuzz_json(json_pack("{s:o, s:o, s:o, s:o, s:o}", "interpreter",
		    live_json_strz(b.interpreter), "flags",
		    live_json_strz(b.flags), "magic", live_json_strz(b.magic),
		    "mask", live_json_strz(b.mask), "extension",
		    live_json_strz(b.extension)));
	free(p);

	p = fuzz_copy(data, len);
	while ((line = live_next_line(p, len, &pos)) != NULL) {
		(void)kernel_bpf_kind(line);
		if (kernel_parse_aa_profile(line, &name, &mode) == 0) {
			fuzz_json(live_json_strz(name));
			fuzz_json(live_json_strz(mode));
		}
	}
	free(p);
	return 0;
}
