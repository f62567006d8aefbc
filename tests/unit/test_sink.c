/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests: the output chain, the sink and the manifest, read back
 * with libarchive: entries in order, hashes right, a file that shrinks
 * while read padded and noted, truncation at the size limit, and names
 * that are not UTF-8.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "manifest.h"
#include "out.h"
#include "sink.h"
#include "unit.h"
#include "util.h"

static char	dir[] = "/tmp/cc-unit-sink.XXXXXX";

struct chain {
	struct out	*file, *hash, *zstd;
	struct manifest	*m;
	struct sink	*s;
};

static int
chain_open(struct chain *c, const char *name)
{
	char	err[256];

	memset(c, 0, sizeof *c);
	if ((c->file = out_file_new(dir, name, err, sizeof err)) == NULL)
		return -1;
	c->hash = out_hash_new(c->file);
	c->zstd = out_zstd_new(c->hash, 3, 2);
	c->m = manifest_new();
	c->s = sink_new(c->zstd, c->m, err, sizeof err);
	return c->s ? 0 : -1;
}

static void
chain_free(struct chain *c)
{
	sink_free(c->s);
	manifest_free(c->m);
	out_free(c->zstd);
}

/* Read the archive back: the names in order and the hash of entry n. */
static int
readback(const char *path, char names[][64], size_t *n, unsigned char *sha,
    size_t which, uint64_t *size)
{
	struct archive		*a = archive_read_new();
	struct archive_entry	*e;
	char			 buf[8192];
	la_ssize_t		 r;
	EVP_MD_CTX		*ctx = EVP_MD_CTX_new();

	archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, path, 10240) != ARCHIVE_OK)
		return -1;
	*n = 0;
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		snprintf(names[*n], 64, "%s", archive_entry_pathname(e));
		if (*n == which) {
			*size = 0;
			EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
			while ((r = archive_read_data(a, buf, sizeof buf)) > 0) {
				EVP_DigestUpdate(ctx, buf, (size_t)r);
				*size += (uint64_t)r;
			}
			EVP_DigestFinal_ex(ctx, sha, NULL);
		}
		(*n)++;
	}
	EVP_MD_CTX_free(ctx);
	archive_read_free(a);
	return 0;
}

static void
test_roundtrip(void)
{
	struct chain		 c;
	struct sink_result	 res;
	struct stat		 st;
	char			 names[8][64], path[256], *mtext;
	unsigned char		 sha[32], want[32];
	uint64_t		 size, count;
	size_t			 n, mlen;
	int			 fd;

	snprintf(path, sizeof path, "%s/data", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd != -1);
	{
		char	line[330];

		for (n = 0; n < sizeof line; n++)
			line[n] = (char)('a' + n % 26);
		for (n = 0; n < 3000; n++)	/* ~1 MB: two sink chunks */
			CHECK(write(fd, line, sizeof line) == sizeof line);
	}
	fstat(fd, &st);
	CHECK(chain_open(&c, "a.tar.zst") == 0);
	CHECK(sink_add_buffer(c.s, "live/x.jsonl", "{}\n", 3, NULL) ==
	    SINK_OK);
	CHECK(sink_add_fd(c.s, fd, "files/data", "/data", &st,
	    (uint64_t)st.st_size, UINT64_MAX, &res) == SINK_OK);
	CHECK(res.size == (uint64_t)st.st_size && !res.truncated);
	CHECK(manifest_nentries(c.m) == 2);
	mtext = manifest_dump(c.m, &mlen);
	CHECK(strstr(mtext, "\"path\":\"files/data\"") != NULL);
	CHECK(sink_add_unlisted(c.s, "manifest.json", mtext, mlen) == SINK_OK);
	free(mtext);
	CHECK(sink_close(c.s) == 0);
	CHECK(out_file_commit(c.file) == 0);
	out_hash_result(c.hash, NULL, NULL, &count);
	snprintf(path, sizeof path, "%s/a.tar.zst", dir);
	CHECK(stat(path, &st) == 0 && (uint64_t)st.st_size == count);
	CHECK(readback(path, names, &n, sha, 1, &size) == 0);
	CHECK(n == 3);
	CHECK_STR(names[0], "live/x.jsonl");
	CHECK_STR(names[1], "files/data");
	CHECK_STR(names[2], "manifest.json");
	CHECK(size == 3000 * 330);
	CHECK(memcmp(sha, res.sha256, 32) == 0);
	/* The sha256 the sink reports is the file's. */
	snprintf(path, sizeof path, "%s/data", dir);
	{
		char	*all;
		size_t	 len;

		lseek(fd, 0, SEEK_SET);
		all = util_read_fd(fd, 1 << 24, &len, NULL);
		EVP_Digest(all, len, want, NULL, EVP_sha256(), NULL);
		CHECK(memcmp(want, res.sha256, 32) == 0);
		free(all);
	}
	close(fd);
	chain_free(&c);
}

/* A file shorter than its declared size (it shrank) is zero-filled. */
static void
test_shrunk_and_truncated(void)
{
	struct chain		c;
	struct sink_result	res;
	struct stat		st;
	char			names[8][64], path[256];
	unsigned char		sha[32];
	uint64_t		size;
	size_t			n;
	int			fd;

	snprintf(path, sizeof path, "%s/small", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(write(fd, "hello world", 11) == 11);
	fstat(fd, &st);
	CHECK(chain_open(&c, "b.tar.zst") == 0);
	/* Declared 100 bytes, 11 there. */
	CHECK(sink_add_fd(c.s, fd, "files/shrunk", "/shrunk", &st, 100,
	    UINT64_MAX, &res) == SINK_WARN);
	CHECK(strstr(res.note, "shrank") != NULL);
	CHECK(res.size == 100);
	/* Size limit 5: truncated. */
	CHECK(sink_add_fd(c.s, fd, "files/cut", "/cut", &st, 11, 5,
	    &res) == SINK_OK);
	CHECK(res.truncated && res.size == 5);
	CHECK(sink_close(c.s) == 0);
	CHECK(out_file_commit(c.file) == 0);
	snprintf(path, sizeof path, "%s/b.tar.zst", dir);
	CHECK(readback(path, names, &n, sha, 1, &size) == 0);
	CHECK(n == 2 && size == 5);
	CHECK(readback(path, names, &n, sha, 0, &size) == 0);
	CHECK(size == 100);
	close(fd);
	chain_free(&c);
}

/*
 * sink_set_expect: the first len bytes of the next entry checked against
 * a SHA-256 (a file read a second time): the same bytes, other bytes, a
 * shorter file, a size limit under len, and no expectation.
 */
static void
test_expect(void)
{
	struct chain		c;
	struct sink_result	res;
	struct stat		st;
	char			path[256];
	unsigned char		h5[32], hx[32];
	int			fd;

	snprintf(path, sizeof path, "%s/expect", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(write(fd, "hello world", 11) == 11);
	fstat(fd, &st);
	EVP_Digest("hello", 5, h5, NULL, EVP_sha256(), NULL);
	EVP_Digest("HELLO", 5, hx, NULL, EVP_sha256(), NULL);
	CHECK(chain_open(&c, "e.tar.zst") == 0);
	sink_set_expect(c.s, 5, h5);
	CHECK(sink_add_fd(c.s, fd, "files/same", "/same", &st, 11,
	    UINT64_MAX, &res) == SINK_OK);
	CHECK(res.changed == 0 && res.note[0] == '\0');
	sink_set_expect(c.s, 5, hx);
	CHECK(sink_add_fd(c.s, fd, "files/other", "/other", &st, 11,
	    UINT64_MAX, &res) == SINK_WARN);
	CHECK(res.changed == 1);
	CHECK(strstr(res.note, "changed between scan and copy: the first 5 "
	    "bytes") != NULL);
	/* The expectation is for one entry only. */
	CHECK(sink_add_fd(c.s, fd, "files/next", "/next", &st, 11,
	    UINT64_MAX, &res) == SINK_OK);
	CHECK(res.changed == -1);
	/* Scanned 20 bytes, 11 now: it changed (and shrank). */
	sink_set_expect(c.s, 20, h5);
	CHECK(sink_add_fd(c.s, fd, "files/short", "/short", &st, 11,
	    UINT64_MAX, &res) == SINK_WARN);
	CHECK(res.changed == 1);
	/* A limit of 3 bytes: nothing to compare with. */
	sink_set_expect(c.s, 5, hx);
	CHECK(sink_add_fd(c.s, fd, "files/cut", "/cut", &st, 11, 3,
	    &res) == SINK_OK);
	CHECK(res.changed == -1 && res.note[0] == '\0');
	CHECK(sink_close(c.s) == 0);
	CHECK(out_file_commit(c.file) == 0);
	close(fd);
	chain_free(&c);
}

static void
test_manifest_names(void)
{
	struct manifest		*m = manifest_new();
	struct manifest_entry	 e = { 0 };
	char			*text;
	size_t			 len;

	e.path = "files/bad\xff\xfename";
	e.source = "/bad\xff\xfename";
	manifest_add_entry(m, &e);
	manifest_add_error(m, "/x\ny", "files", "err \xff");
	text = manifest_dump(m, &len);
	CHECK(strstr(text, "\"path\":\"files/bad\\\\xff\\\\xfename\"") != NULL);
	CHECK(strstr(text, "\"path_b64\":\"ZmlsZXMvYmFk//5uYW1l\"") != NULL);
	CHECK(strstr(text, "\"errors\": [") != NULL);
	CHECK(manifest_nerrors(m) == 1);
	{
		json_error_t	 jerr;
		json_t		*j = json_loadb(text, len, 0, &jerr);

		CHECK(j != NULL);
		CHECK(json_integer_value(json_object_get(json_object_get(j,
		    "stats"), "entries")) == 1);
		json_decref(j);
	}
	free(text);
	manifest_free(m);
}

/* Count and collect what manifest_write gives; fail after stop bytes. */
struct mw {
	size_t	len, calls, stop;
	char	*text;
};

static int
mw_fn(void *arg, const void *p, size_t n)
{
	struct mw	*w = arg;

	if (w->stop != 0 && w->len + n > w->stop)
		return -1;
	if (w->text != NULL)
		memcpy(w->text + w->len, p, n);
	w->len += n;
	w->calls++;
	return 0;
}

/*
 * Many entries: the lists are kept in several compressed frames and
 * written back whole, in order, as announced by manifest_length.
 */
static void
test_manifest_many(void)
{
	struct manifest		*m = manifest_new();
	struct manifest_entry	 e = { 0 };
	struct mw		 w = { 0 };
	json_error_t		 jerr;
	json_t			*j, *list;
	char			 path[64], *dump;
	size_t			 i, len, n = 20000, bad = 0;
	uint64_t		 mlen;

	manifest_set(m, "format", json_string("test"));
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "files/dir/file-%06zu", i);
		e.path = path;
		e.source = path + 5;
		e.size = i;
		memset(e.sha256, (int)(i & 0xff), sizeof e.sha256);
		manifest_add_entry(m, &e);
		if (i % 7 == 0)
			manifest_add_error(m, path, "files", "an error");
	}
	manifest_add_link(m, "/etc/x", "../y");
	mlen = manifest_length(m);
	dump = manifest_dump(m, &len);
	CHECK(len == mlen);
	CHECK(strlen(dump) == len);
	/* 20,000 lines are several frames of text. */
	CHECK(len > 4 * (256U << 10));
	w.text = malloc(len + 1);
	CHECK(manifest_write(m, mw_fn, &w) == 0);
	CHECK(w.len == len && memcmp(w.text, dump, len) == 0);
	CHECK(w.calls > 10);
	j = json_loadb(dump, len, 0, &jerr);
	CHECK(j != NULL);
	list = json_object_get(j, "entries");
	CHECK(json_array_size(list) == n);
	for (i = 0; i < json_array_size(list); i++) {
		snprintf(path, sizeof path, "files/dir/file-%06zu", i);
		if (strcmp(json_string_value(json_object_get(json_array_get(
		    list, i), "path")), path) != 0 || json_integer_value(
		    json_object_get(json_array_get(list, i), "size")) !=
		    (json_int_t)i)
			bad++;
	}
	CHECK(bad == 0);
	CHECK(json_array_size(json_object_get(j, "errors")) == (n + 6) / 7);
	CHECK(json_array_size(json_object_get(j, "links")) == 1);
	CHECK(json_integer_value(json_object_get(json_object_get(j,
	    "stats"), "entries")) == (json_int_t)n);
	json_decref(j);
	free(w.text);
	/* A writer that fails midway stops the write. */
	memset(&w, 0, sizeof w);
	w.stop = len / 2;
	CHECK(manifest_write(m, mw_fn, &w) == -1);
	CHECK(w.len <= len / 2);
	free(dump);
	manifest_free(m);
}

/* An empty manifest is still valid JSON of the announced length. */
static void
test_manifest_empty(void)
{
	struct manifest	*m = manifest_new();
	json_error_t	 jerr;
	json_t		*j;
	char		*dump;
	size_t		 len;

	dump = manifest_dump(m, &len);
	CHECK(len == manifest_length(m));
	CHECK((j = json_loadb(dump, len, 0, &jerr)) != NULL);
	CHECK(json_array_size(json_object_get(j, "entries")) == 0);
	json_decref(j);
	free(dump);
	manifest_free(m);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	UNIT_RUN(test_roundtrip);
	UNIT_RUN(test_shrunk_and_truncated);
	UNIT_RUN(test_expect);
	UNIT_RUN(test_manifest_names);
	UNIT_RUN(test_manifest_many);
	UNIT_RUN(test_manifest_empty);
	{
		char	cmd[300];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return 1;
	}
	UNIT_EXIT();
}
