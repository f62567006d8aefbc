/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for export's parsers (agent/export-parse.c): bodyfile
 * lines and ISO 8601 times come from an archive, whose records were made
 * from a hostile host's names and files, and sha256sum lines are written
 * from its entry names. Each input line is tried as all three; what is
 * written must stay one line.
 * Corpus: tests/fuzz/corpus/export/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "fuzz.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct export_body	 b;
	struct buf		 out = { 0 };
	const char		*h = "0000000000000000000000000000000000000000"
				    "000000000000000000000000";
	char			*s;
	int64_t			 t;

	s = xmalloc(len + 1);
	memcpy(s, data, len);
	s[len] = '\0';
	export_sha256_line(&out, h, s, len);
	if (memchr(out.data, '\n', out.len) != out.data + out.len - 1)
		abort();
	if (strlen(s) == len)
		(void)export_time_parse(s, &t);
	if (export_body_parse(s, len, &b) == 0 && (b.name[b.namelen] != '\0' ||
	    b.name + b.namelen > s + len))
		abort();
	buf_free(&out);
	free(s);
	return 0;
}
