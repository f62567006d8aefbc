/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of scan.c: compile errors name file and line, the Loki
 * externals as rules see them, identical content scanned once, and the
 * built-in rules equal the .yar files of rules/ (they cannot drift).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "log.h"
#include "scan.h"
#include "util.h"
#include "unit.h"

static const char *
top(void)
{
	const char	*t = getenv("CC_TOP");

	return t ? t : ".";
}

static char *
read_file(const char *path, size_t *lenp)
{
	char	*text;
	int	 fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return NULL;
	text = util_read_fd(fd, 1 << 24, lenp, NULL);
	close(fd);
	return text;
}

/* A temporary directory with one file name holding text. */
static char *
write_rules(const char *name, const char *text)
{
	char	*dir, *p;
	int	 fd;

	dir = xstrdup("/tmp/cc-test-scan.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return NULL;
	p = xasprintf("%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd == -1 || util_write_all(fd, text, strlen(text)) == -1)
		printf("# cannot write %s\n", p);
	if (fd != -1)
		close(fd);
	free(p);
	return dir;
}

static void
remove_rules(char *dir, const char *name)
{
	char	*p = xasprintf("%s/%s", dir, name);

	unlink(p);
	rmdir(dir);
	free(p);
	free(dir);
}

static void
test_compile_error(void)
{
	char		 err[512], *dir, *want;
	struct scan	*s;

	dir = write_rules("bad.yar", "rule a { condition: true }\n\n"
	    "rule b {\n condition: nosuchthing\n}\n");
	s = scan_new(dir, err, sizeof err);
	CHECK(s == NULL);
	want = xasprintf("%s/bad.yar:4:", dir);
	if (strstr(err, want) == NULL)
		printf("# message: %s\n", err);
	CHECK(strstr(err, want) != NULL);
	CHECK(strstr(err, "nosuchthing") != NULL);
	free(want);
	remove_rules(dir, "bad.yar");
	CHECK(scan_new("/nonexistent/rules", err, sizeof err) == NULL);
	CHECK(strstr(err, "/nonexistent/rules") != NULL);
}

static void
hashes(const char *p, size_t len, unsigned char *sha, unsigned char *md5,
    char *md5hex)
{
	EVP_Digest(p, len, sha, NULL, EVP_sha256(), NULL);
	EVP_Digest(p, len, md5, NULL, EVP_md5(), NULL);
	util_hex(md5hex, md5, 16);
}

static void
test_externals(void)
{
	const char		*data = "<?php echo 1; ?>\n";
	unsigned char		 sha[32], md5[16];
	char			 md5hex[33], err[256], *dir, *text;
	struct scan		*s;
	struct scan_thread	*t;
	struct scan_file	 f;
	json_t			*out = NULL;

	hashes(data, strlen(data), sha, md5, md5hex);
	text = xasprintf("rule F { condition: filename == \"a.PHP\" and "
	    "filepath == \"/var/www\" and extension == \".php\" and "
	    "filetype == \"PHP\" and owner == \"www-data\" and "
	    "md5 == \"%s\" }\nrule G { condition: filepath == \"/\" }\n",
	    md5hex);
	dir = write_rules("ext.yar", text);
	s = scan_new(dir, err, sizeof err);
	if (s == NULL)
		printf("# %s\n", err);
	CHECK(s != NULL);
	if (s == NULL)
		goto cleanup;
	t = scan_thread_new(s);
	memset(&f, 0, sizeof f);
	f.path = "/var/www/a.PHP";
	f.owner = "www-data";
	f.sha256 = sha;
	f.md5 = md5;
	f.size = strlen(data);
	CHECK(scan_file(t, data, strlen(data), &f, &out, err, sizeof err) ==
	    SCAN_OK);
	CHECK(json_array_size(out) == 1);
	CHECK_STR(json_string_value(json_object_get(json_array_get(out, 0),
	    "rule")), "F");
	CHECK_STR(json_string_value(json_object_get(json_array_get(out, 0),
	    "namespace")), "ext.yar");
	json_decref(out);
	f.path = "/top";	/* a file in the root directory */
	CHECK(scan_file(t, data, strlen(data), &f, &out, err, sizeof err) ==
	    SCAN_OK);
	CHECK(json_array_size(out) == 1);
	CHECK_STR(json_string_value(json_object_get(json_array_get(out, 0),
	    "rule")), "G");
	json_decref(out);
	scan_thread_free(t);
	scan_free(s);
cleanup:
	remove_rules(dir, "ext.yar");
	free(text);
}

/* Compile text; whether its rules read the md5 external (-1: no compile). */
static int
uses_md5(const char *text)
{
	struct scan_builtin	 b[2] = { { "t.yar", text }, { NULL, NULL } };
	struct scan		*s;
	char			 err[256];
	int			 r;

	if ((s = scan_new_texts("test", NULL, b, 1, err, sizeof err)) == NULL) {
		printf("# %s\n", err);
		return -1;
	}
	r = scan_uses_md5(s);
	scan_free(s);
	return r;
}

/*
 * The md5 of each file is computed only when a condition reads it: not
 * when "md5" is only in a string, a regex, a comment, metadata or a
 * string's name, as in signature-base.
 */
static void
test_uses_md5(void)
{
	CHECK(uses_md5("rule a { meta: md5 = \"x\" hash = \"md5\" "
	    "strings: $md5 = \"md5(md5($p))\" $r = /md5 [a-f]+/ "
	    "condition: $md5 or #md5 > 1 or $r } // md5\n"
	    "/* md5 == \"\" */ rule b { condition: filename == \"md5\" }") == 0);
	CHECK(uses_md5("rule a { condition: md5 == "
	    "\"d41d8cd98f00b204e9800998ecf8427e\" }") == 1);
	CHECK(uses_md5("rule a { strings: $a = \"x\" condition: $a }\n"
	    "rule b {\n meta:\n  author = \"/\"\n condition:\n"
	    "  md5 != \"\" }") == 1);
	CHECK(uses_md5("rule a { strings: $a = \"\\\"md5\" condition: $a "
	    "and filesize \\ 2 > 1 }") == 0);
}

static void
test_filetype_extension(void)
{
	char	ext[32];

	CHECK_STR(scan_filetype("\x7f" "ELF\x02", 5), "ELF");
	CHECK_STR(scan_filetype("MZ\x90", 3), "EXE");
	CHECK_STR(scan_filetype("PK\x03\x04\x0a", 5), "ZIP");
	CHECK_STR(scan_filetype("#!/bin/sh", 9), "UNIX SCRIPT");
	CHECK_STR(scan_filetype("<?php", 5), "PHP");
	CHECK_STR(scan_filetype("hello", 5), "UNKNOWN");
	CHECK_STR(scan_filetype("\x7f", 1), "UNKNOWN");
	scan_extension("a.TAR.Gz", ext, sizeof ext);
	CHECK_STR(ext, ".gz");
	scan_extension(".bashrc", ext, sizeof ext);
	CHECK_STR(ext, "");
	scan_extension("noext", ext, sizeof ext);
	CHECK_STR(ext, "");
}

/* Same content: the second scan comes from the cache. */
static void
test_dedupe(void)
{
	const char		*data = "xx hello-cc-dedupe xx";
	unsigned char		 sha[32], md5[16];
	char			 md5hex[33], err[256], *dir;
	struct scan		*s;
	struct scan_thread	*t;
	struct scan_file	 f;
	json_t			*out = NULL;

	hashes(data, strlen(data), sha, md5, md5hex);
	dir = write_rules("d.yar", "rule D { strings: $a = \"hello-cc-dedupe\""
	    " condition: $a }\n");
	if ((s = scan_new(dir, err, sizeof err)) == NULL) {
		printf("# %s\n", err);
		CHECK(0);
		remove_rules(dir, "d.yar");
		return;
	}
	t = scan_thread_new(s);
	memset(&f, 0, sizeof f);
	f.path = "/a";
	f.sha256 = sha;
	f.md5 = md5;
	CHECK(scan_file(t, data, strlen(data), &f, &out, err, sizeof err) ==
	    SCAN_OK && json_array_size(out) == 1);
	json_decref(out);
	/* Same hash, other bytes: a match proves no second scan ran. */
	f.path = "/b";
	CHECK(scan_file(t, "nothing here", 12, &f, &out, err, sizeof err) ==
	    SCAN_OK && json_array_size(out) == 1);
	CHECK_STR(json_string_value(json_object_get(json_array_get(out, 0),
	    "path")), "/b");
	json_decref(out);
	/* The same file again: already reported. */
	CHECK(scan_file(t, data, strlen(data), &f, &out, err, sizeof err) ==
	    SCAN_OK && json_array_size(out) == 0);
	json_decref(out);
	scan_thread_free(t);
	scan_free(s);
	remove_rules(dir, "d.yar");
}

static void
test_builtin_equals_files(void)
{
	const struct scan_builtin	*b;
	char				*p, *text, err[256];
	size_t				 len, nb = 0, nf = 0;
	DIR				*d;
	struct dirent			*de;
	struct scan			*s;

	for (b = scan_rules_builtin; b->name != NULL; b++) {
		nb++;
		p = xasprintf("%s/rules/%s", top(), b->name);
		text = read_file(p, &len);
		if (text == NULL || len != strlen(b->text) ||
		    memcmp(text, b->text, len) != 0) {
			printf("# %s differs from the built-in copy: run "
			    "sh rules/gen.sh\n", p);
			CHECK(0);
		}
		free(text);
		free(p);
	}
	p = xasprintf("%s/rules", top());
	CHECK((d = opendir(p)) != NULL);
	while (d != NULL && (de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len > 4 && strcmp(de->d_name + len - 4, ".yar") == 0)
			nf++;
	}
	if (d != NULL)
		closedir(d);
	free(p);
	CHECK(nb == nf);
	CHECK(nb >= 5);
	s = scan_new(NULL, err, sizeof err);
	CHECK(s != NULL && scan_nrules(s) >= 10);
	scan_free(s);
}

/*
 * The indicators' rules (scan_new_iocs): compiled after the built-in
 * ones in namespace "iocs", or alone; a hit says its namespace.
 */
static void
test_iocs_namespace(void)
{
	const char		*data = "evil.example evil.example GET "
				    "http://evil.example/x from host\n";
	const char		*src = "rule iocs_0 { strings: $ioc_7 = "
				    "\"evil.example\" $ioc_9 = \"GET\" "
				    "condition: any of them }\n";
	unsigned char		 sha[32], md5[16];
	char			 md5hex[33], err[256];
	struct scan		*s, *alone;
	struct scan_thread	*t;
	struct scan_file	 f;
	json_t			*out = NULL, *hit;

	hashes(data, strlen(data), sha, md5, md5hex);
	s = scan_new_iocs(NULL, NULL, NULL, 0, 1, src, err, sizeof err);
	CHECK(s != NULL);
	alone = scan_new_iocs(NULL, NULL, NULL, 0, 0, src, err, sizeof err);
	CHECK(alone != NULL);
	if (s == NULL || alone == NULL)
		goto cleanup;
	CHECK(scan_nrules(alone) == 1);
	CHECK(scan_nrules(s) > 1);
	t = scan_thread_new(alone);
	memset(&f, 0, sizeof f);
	f.path = "/var/log/syslog";
	f.sha256 = sha;
	f.md5 = md5;
	f.size = strlen(data);
	CHECK(scan_file(t, data, strlen(data), &f, &out, err, sizeof err) ==
	    SCAN_OK);
	CHECK(json_array_size(out) == 1);
	hit = json_array_get(out, 0);
	CHECK_STR(json_string_value(json_object_get(hit, "namespace")),
	    SCAN_NS_IOCS);
	CHECK_STR(json_string_value(json_object_get(hit, "rule")), "iocs_0");
	/* Each string once, at its first hit: none hidden by another's. */
	CHECK(json_array_size(json_object_get(hit, "strings")) == 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(
	    json_object_get(hit, "strings"), 0), "id")), "$ioc_7");
	CHECK(json_integer_value(json_object_get(json_array_get(
	    json_object_get(hit, "strings"), 0), "offset")) == 0);
	CHECK(json_integer_value(json_object_get(hit, "strings_total")) == 4);
	json_decref(out);
	scan_thread_free(t);
	/* A broken source is an error, not a run without indicators. */
	CHECK(scan_new_iocs(NULL, NULL, NULL, 0, 0, "rule {", err,
	    sizeof err) == NULL);
cleanup:
	scan_free(alone);
	scan_free(s);
}

int
main(void)
{
	log_init(1, 0);
	UNIT_RUN(test_compile_error);
	UNIT_RUN(test_externals);
	UNIT_RUN(test_uses_md5);
	UNIT_RUN(test_filetype_extension);
	UNIT_RUN(test_dedupe);
	UNIT_RUN(test_builtin_equals_files);
	UNIT_RUN(test_iocs_namespace);
	UNIT_EXIT();
}
