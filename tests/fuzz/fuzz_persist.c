/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the persistence parsers (collectors/persist.h):
 * crontab lines (user and system format), systemd Exec*= lines,
 * authorized_keys options and udev rule lines, anyone able to persist
 * writes them; and the program of each command found. Also the
 * timeline's security.capability decoder (fileattr.h): root writes any
 * bytes there on some file systems. Each line goes to every parser on
 * its own copy (they cut in place); what they return must stay inside
 * the copy and serialise as JSON. Corpus: tests/fuzz/corpus/persist/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fileattr.h"
#include "fuzz.h"
#include "live.h"
#include "persist.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* cmd must point inside the copy of len bytes at c; then its program. */
static void
fuzz_cmd(const char *c, size_t len, const char *cmd)
{
	char	prog[256];

	if (cmd < c || cmd > c + len)
		fatal("fuzz: a command outside its line");
	fuzz_json(live_json_strz(cmd));
	if (persist_program(cmd, prog, sizeof prog) == 0 && prog[0] == '\0')
		fatal("fuzz: an empty program");
}

static void
fuzz_line(const char *line)
{
	char	*c, *cmd, *cmds[8];
	size_t	 len = strlen(line), n, i;
	int	 sys;

	for (sys = 0; sys < 2; sys++) {
		c = xstrdup(line);
		if (persist_cron_line(c, sys, &cmd) == 1)
			fuzz_cmd(c, len, cmd);
		free(c);
	}
	c = xstrdup(line);
	if (persist_exec_line(c, &cmd) == 1)
		fuzz_cmd(c, len, cmd);
	free(c);
	c = xstrdup(line);
	if (persist_authkeys_line(c, &cmd) == 1)
		fuzz_cmd(c, len, cmd);
	free(c);
	c = xstrdup(line);
	n = persist_udev_line(c, cmds, 8);
	if (n > 8)
		fatal("fuzz: udev over its max");
	for (i = 0; i < n; i++)
		fuzz_cmd(c, len, cmds[i]);
	free(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct buf	 b;
	long long	 rootid;
	char		*text, *line;
	size_t		 pos = 0;

	if (len > 65536)
		return 0;
	memset(&b, 0, sizeof b);
	if (fileattr_caps(data, len, &b, &rootid) == 0)
		fuzz_json(live_json_str(b.data, b.len));
	buf_free(&b);
	text = xstrndup((const char *)data, len);
	(void)fileattr_hidden(text);
	while ((line = live_next_line(text, strlen(text), &pos)) != NULL)
		fuzz_line(line);
	free(text);
	return 0;
}
