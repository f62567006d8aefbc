/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the package database parsers (collectors/pkgdb.h):
 * dpkg status (with its Conffiles), md5sums lines, apk's installed
 * database, pacman desc and mtree lines, rpm header blobs, base64. A root's databases are the suspect's:
 * any bytes. The first byte picks the parser; every string a parser
 * hands out must lie inside the buffer and be NUL-terminated there.
 * Corpus: tests/fuzz/corpus/pkgdb/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkgdb.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	*fuzz_lo, *fuzz_hi;

static void
fuzz_in(const char *s)
{
	if (s != NULL && (s < fuzz_lo || s + strlen(s) >= fuzz_hi))
		fatal("fuzz: a string outside the buffer");
}

/* A string of a binary blob: NUL-terminated inside it. */
static void
fuzz_in2(const char *lo, size_t len, const char *s)
{
	if (s != NULL && (s < lo || s >= lo + len ||
	    memchr(s, '\0', (size_t)(lo + len - s)) == NULL))
		fatal("fuzz: an rpm string outside the blob");
}

static void
fuzz_pkg(const struct pkgdb_pkg *p)
{
	fuzz_in(p->name);
	fuzz_in(p->version);
	fuzz_in(p->arch);
	fuzz_in(p->status);
	fuzz_in(p->source);
}

static int
fuzz_on_pkg(const struct pkgdb_pkg *p, void *arg)
{
	const char	*path;
	unsigned char	 md5[16];
	char		*cur = p->conffiles;
	int		 obs;

	(void)arg;
	fuzz_pkg(p);
	while (pkgdb_conffile_next(&cur, &path, md5, &obs) == 1)
		if (*path != '/')
			fatal("fuzz: a conffile not absolute");
		else
			fuzz_in(path);
	return 0;
}

static int
fuzz_on_file(const struct pkgdb_pkg *p, const char *path,
    const unsigned char *sum, size_t len, void *arg)
{
	(void)arg;
	fuzz_pkg(p);
	if (strlen(path) >= 4096 || (sum != NULL && len != 20))
		fatal("fuzz: a bad apk file");
	return 0;
}

static int
fuzz_on_rpm_file(const char *path, const unsigned char *d, size_t len,
    int config, void *arg)
{
	(void)d;
	(void)config;
	(void)arg;
	if (*path != '/' || strlen(path) >= 4096 || len > 32)
		fatal("fuzz: a bad rpm file");
	return 0;
}

/* A header blob, in a buffer of its exact size (ASan sees overreads). */
static void
fuzz_rpm(const uint8_t *data, size_t len)
{
	struct pkgdb_rpm	 h;
	unsigned char		*blob = xmalloc(len > 0 ? len : 1);

	memcpy(blob, data, len);
	if (pkgdb_rpm_header(blob, len, &h) == 0) {
		fuzz_in2((const char *)blob, len, h.name);
		fuzz_in2((const char *)blob, len, h.version);
		fuzz_in2((const char *)blob, len, h.release);
		fuzz_in2((const char *)blob, len, h.arch);
		pkgdb_rpm_files(&h, fuzz_on_rpm_file, NULL);
	}
	free(blob);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct pkgdb_pkg p;
	struct pkgdb_mtree set;
	unsigned char	 out[64];
	int		 has;
	const char	*path;
	char		*buf, *line, *nl;

	if (len < 1)
		return 0;
	buf = xmalloc(len);
	memcpy(buf, data + 1, len - 1);
	buf[len - 1] = '\0';
	fuzz_lo = buf;
	fuzz_hi = buf + len;
	switch (data[0] % 7) {
	case 0:
		pkgdb_dpkg_status(buf, fuzz_on_pkg, NULL);
		break;
	case 1:
		for (line = buf; line != NULL; line = nl) {
			if ((nl = strchr(line, '\n')) != NULL)
				*nl++ = '\0';
			if (pkgdb_md5sums_line(line, out, &path) == 0)
				fuzz_in(path);
		}
		break;
	case 2:
		pkgdb_apk(buf, fuzz_on_pkg, fuzz_on_file, NULL);
		break;
	case 3:
		if (pkgdb_pacman_desc(buf, &p) == 0)
			fuzz_pkg(&p);
		break;
	case 4:
		if (pkgdb_unbase64(buf, strlen(buf), out, sizeof out) >
		    (long)sizeof out)
			fatal("fuzz: base64 past its buffer");
		break;
	case 5:
		memset(&set, 0, sizeof set);
		for (line = buf; line != NULL; line = nl) {
			if ((nl = strchr(line, '\n')) != NULL)
				*nl++ = '\0';
			if (pkgdb_mtree_line(line, &set, &path, out, out + 32,
			    &has) == 1)
				fuzz_in(path);
		}
		break;
	case 6:
		fuzz_rpm(data + 1, len - 1);
		break;
	}
	free(buf);
	return 0;
}
