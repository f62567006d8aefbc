/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the red-flag observer (agent/findings.c), which a
 * responder tool feeds with the records of an archive it received: any
 * JSON at all, in any stream. Input: lines "STREAM<TAB>JSON"; each JSON
 * that parses is shown to findings_record, then the summary parts must
 * serialise. Corpus: tests/fuzz/corpus/findings/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "findings.h"
#include "fuzz.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct findings	*f = findings_new(30, 1796119291);
	char		*text, *line, *next, *tab;
	json_t		*rec;

	text = xmalloc(len + 1);
	memcpy(text, data, len);
	text[len] = '\0';
	for (line = text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((tab = strchr(line, '\t')) == NULL)
			continue;
		*tab++ = '\0';
		if ((rec = json_loads(tab, JSON_DECODE_ANY, NULL)) == NULL)
			continue;
		findings_record(f, line, rec);
		json_decref(rec);
	}
	fuzz_json(findings_json(f));
	fuzz_json(findings_yara(f));
	fuzz_json(findings_records(f));
	fuzz_json(findings_counts(f, NULL));
	findings_free(f);
	free(text);
	return 0;
}
