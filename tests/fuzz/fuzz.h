/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Helpers shared by the fuzz targets of the live-response parsers.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdlib.h>

#include <jansson.h>

#include "util.h"

/*
 * The JSON value (owned: freed here) must serialise: a NULL here is
 * invalid UTF-8 leaking out of a parser.
 */
static inline void
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

#endif
