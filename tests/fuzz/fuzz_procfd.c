/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the descriptor and container parsers
 * (collectors/procfd.h): /proc/PID/fd link targets (a file name is any
 * bytes a user chose), fdinfo, /proc/PID/cgroup (cgroup names are chosen
 * by whoever may create a cgroup), and the anonymous-exec test of a maps
 * line. What comes out must serialise as JSON (valid UTF-8).
 * Corpus: tests/fuzz/corpus/procfd/.
 */
#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "live.h"
#include "procfd.h"
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

static void
fuzz_line(const char *line)
{
	static const mode_t	 modes[] = { 0, S_IFREG, S_IFDIR, S_IFCHR,
	    S_IFIFO, S_IFSOCK };
	struct procfd_target	 t;
	struct procmap		 m;
	char			*copy;
	size_t			 i;

	for (i = 0; i < nitems(modes); i++) {
		procfd_classify(line, modes[i], &t);
		if (strlen(t.anon) >= sizeof t.anon)
			fatal("fuzz: anon kind not terminated");
		fuzz_json(live_json_strz(t.anon));
		(void)procfd_type_name(t.type);
	}
	copy = xstrdup(line);
	if (procmap_parse(copy, &m) == 0)
		(void)procfd_anon_exec(&m);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct procfd_info	 fi;
	const char		*rt;
	char			*text, *line, id[256], small[8];
	size_t			 pos = 0;

	if (len > 65536)
		return 0;
	if (procfd_parse_fdinfo((const char *)data, len, &fi) == 0 &&
	    strlen(fi.flags) >= sizeof fi.flags)
		fatal("fuzz: flags not terminated");
	if ((rt = procfd_container((const char *)data, len, id,
	    sizeof id)) != NULL) {
		fuzz_json(live_json_strz(id));
		fuzz_json(json_string(rt));
	}
	(void)procfd_container((const char *)data, len, small, sizeof small);
	text = xstrndup((const char *)data, len);
	while ((line = live_next_line(text, strlen(text), &pos)) != NULL)
		fuzz_line(line);
	free(text);
	return 0;
}
