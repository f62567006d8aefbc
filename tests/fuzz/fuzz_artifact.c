/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the parsers of untrusted artefact input: the
 * ForensicArtifacts YAML loader and resolver, the passwd parser, path
 * interpolation and glob parsing, and the bodyfile name escaping. The
 * same bytes feed each of them. Corpus: tests/fuzz/corpus/artifact/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "artifact.h"
#include "artifacts.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_paths(const char *text, const struct artifact_users *u)
{
	struct artifact_glob	  g;
	struct buf		  b = { 0 };
	const char		 *why;
	char			**v;
	size_t			  i;

	if (artifact_expand(text, '/', u, &v, &why) >= 0) {
		for (i = 0; v[i] != NULL; i++)
			if (artifact_glob_parse(v[i], &g) == 0)
				artifact_glob_free(&g);
		artifact_strv_free(v);
	}
	if (artifact_glob_parse(text, &g) == 0)
		artifact_glob_free(&g);
	timeline_escape(&b, text);
	buf_free(&b);
}

/* A path the HISTFILE or SSSD readers give: absolute, no "..". */
static void
fuzz_home(void *arg, const char *path)
{
	struct artifact_users	*u = arg;

	if (*path != '/' || strstr(path, "/../") != NULL)
		fatal("fuzz: a bad path from a home reader: %s", path);
	artifact_users_add(u, "x", path, "sssd");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct artifact_reg	*reg;
	struct artifact_plan	 plan;
	struct artifact_users	 u;
	char			 err[512], *text;
	size_t			 i;

	reg = artifact_reg_new();
	if (artifact_reg_load_buf(reg, "fuzz.yaml", data, len, err,
	    sizeof err) > 0) {
		for (i = 0; i < reg->n && i < 8; i++) {
			artifact_resolve(reg, reg->list[i]->name, &plan);
			artifact_plan_free(&plan);
		}
	}
	artifact_reg_free(reg);
	artifact_passwd_parse((const char *)data, len, &u);
	artifact_histfile_rc((const char *)data, len, "/home/x", 64,
	    fuzz_home, &u);
	artifact_histfile_rc((const char *)data, len, NULL, 64, fuzz_home,
	    &u);
	artifact_sssd_homes(data, len, 64, fuzz_home, &u);
	text = xstrndup((const char *)data, len > 4096 ? 4096 : len);
	fuzz_paths(text, &u);
	free(text);
	artifact_users_free(&u);
	return 0;
}
