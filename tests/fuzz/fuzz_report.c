/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the report's tap (agent/report.c): whatever bytes
 * an archive's entries hold (a forged archive is read through the tap
 * before verify says it is forged), the tap keeps them within its caps
 * and the page is written. The first byte picks the entry (bodyfile, a
 * line stream, manifest.json, summary.json), the second the size of the
 * chunks the bytes come in. Corpus: tests/fuzz/corpus/report/.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "report.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const char *const names[] = { "timeline/bodyfile.txt",
	    "live/processes.jsonl", "collection.log", "manifest.json",
	    "summary.json", "yara/matches.jsonl" };
	struct report		*r;
	struct verify_tap	 t;
	size_t			 chunk, i, n;
	int			 fd;

	if (len < 2)
		return 0;
	r = report_new(data[0] & 0x80 ? "fr" : "en");
	report_tap(r, &t);
	chunk = (size_t)data[1] + 1;
	if (t.open(t.arg, names[data[0] % 6], len - 2)) {
		for (i = 2; i < len; i += n) {
			n = len - i < chunk ? len - i : chunk;
			t.data(t.arg, data + i, n);
		}
		t.close(t.arg, 0);
	}
	if ((fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1)
		fatal("fuzz: /dev/null");
	if (report_write(r, "fuzz.tar.zst", fd) == -1)
		fatal("fuzz: the page could not be written");
	close(fd);
	report_free(r);
	return 0;
}
