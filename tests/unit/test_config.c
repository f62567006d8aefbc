/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests: config parsing (INI, keys, values, errors) and the size
 * and number parsers it relies on.
 */
#include <stdint.h>
#include <stdlib.h>

#include "config.h"
#include "unit.h"
#include "util.h"

static void
test_sizes(void)
{
	uint64_t	v;

	CHECK(util_parse_size("0", &v) == 0 && v == 0);
	CHECK(util_parse_size("123", &v) == 0 && v == 123);
	CHECK(util_parse_size("10K", &v) == 0 && v == 10240);
	CHECK(util_parse_size("5M", &v) == 0 && v == 5ULL << 20);
	CHECK(util_parse_size("2G", &v) == 0 && v == 2ULL << 30);
	CHECK(util_parse_size("2g", &v) == 0 && v == 2ULL << 30);
	CHECK(util_parse_size("10MB", &v) == 0 && v == 10ULL << 20);
	CHECK(util_parse_size("10MiB", &v) == 0 && v == 10ULL << 20);
	CHECK(util_parse_size("", &v) == -1);
	CHECK(util_parse_size("-1", &v) == -1);
	CHECK(util_parse_size("1X", &v) == -1);
	CHECK(util_parse_size("1KK", &v) == -1);
	CHECK(util_parse_size(" 1", &v) == -1);
	CHECK(util_parse_size("99999999999999999999", &v) == -1);
	CHECK(util_parse_size("17179869184G", &v) == -1);	/* overflow */
	CHECK(util_parse_size(NULL, &v) == -1);
}

static void
test_ints(void)
{
	long long	v;

	CHECK(util_parse_int("10", 0, 19, &v) == 0 && v == 10);
	CHECK(util_parse_int("-20", -20, 19, &v) == 0 && v == -20);
	CHECK(util_parse_int("20", -20, 19, &v) == -1);
	CHECK(util_parse_int("1e3", 0, 10000, &v) == -1);
	CHECK(util_parse_int("", 0, 1, &v) == -1);
}

static void
test_parse_good(void)
{
	struct config	c;
	char		err[512];

	config_init(&c);
	CHECK(config_parse(&c, "t.ini",
	    "; comment\n[case]\nid = CERT-42\n[output]\ndir=/mnt/usb\n"
	    "[limits]\nmax_file_size = 512M\ntime_limit = 60\nnice = 5\n"
	    "[encryption]\nrecipients = age1aaa, age1bbb age1ccc\n"
	    "[scan]\nyara = no\n", err, sizeof err) == 0);
	CHECK_STR(c.case_id, "CERT-42");
	CHECK_STR(c.output_dir, "/mnt/usb");
	CHECK(c.max_file_size == 512ULL << 20);
	CHECK(c.time_limit == 60);
	CHECK(c.nice == 5);
	CHECK(c.recipients.n == 3);
	CHECK(c.recipients.n == 3 && strcmp(c.recipients.v[2], "age1ccc") == 0);
	CHECK(c.no_yara == 1);
	CHECK_STR(c.profile, "triage");	/* default kept */
	/* A later layer overrides. */
	CHECK(config_set(&c, "case.id", "OPT", err, sizeof err) == 0);
	CHECK_STR(c.case_id, "OPT");
	config_free(&c);
}

static void
test_parse_errors(void)
{
	struct config	c;
	char		err[512];

	config_init(&c);
	CHECK(config_parse(&c, "t.ini", "[case]\nid = X\n[output]\nfoo = 1\n",
	    err, sizeof err) == -1);
	CHECK_STR(err, "t.ini:4: [output] foo: unknown key");
	CHECK(config_parse(&c, "t.ini", "[nosuch]\nid = 1\n", err,
	    sizeof err) == -1);
	CHECK_STR(err, "t.ini:2: [nosuch] id: unknown key");
	CHECK(config_parse(&c, "t.ini", "[limits]\nnice = 40\n", err,
	    sizeof err) == -1);
	CHECK(strstr(err, "t.ini:2: [limits] nice: bad number") == err);
	CHECK(config_parse(&c, "t.ini", "[limits]\nmax_total_size = big\n",
	    err, sizeof err) == -1);
	CHECK(strstr(err, "max_total_size: bad size") != NULL);
	CHECK(config_parse(&c, "t.ini", "[case\nid = 1\n", err,
	    sizeof err) == -1);
	CHECK(strstr(err, "t.ini:1:") == err);
	CHECK(config_parse(&c, "t.ini", "[case]\nid\n", err, sizeof err) == -1);
	CHECK(config_parse(&c, "t.ini", "[case]\nid =\n", err,
	    sizeof err) == -1);
	CHECK(config_parse(&c, "t.ini", "[scan]\nyara = maybe\n", err,
	    sizeof err) == -1);
	CHECK(config_set(&c, "nodot", "1", err, sizeof err) == -1);
	CHECK(config_set(&c, "case.nokey", "1", err, sizeof err) == -1);
	/* Only the first error is reported, with its own line. */
	CHECK(config_parse(&c, "t.ini", "[case]\nid = A\nbad1 = 1\nbad2 = 2\n",
	    err, sizeof err) == -1);
	CHECK(strstr(err, "t.ini:3: [case] bad1") == err);
	config_free(&c);
}

static void
test_load_file(void)
{
	struct config	c;
	char		err[512];

	config_init(&c);
	CHECK(config_load(&c, "/nonexistent/x.ini", err, sizeof err) == -1);
	CHECK(strstr(err, "/nonexistent/x.ini") != NULL);
	CHECK(config_load(&c, "/", err, sizeof err) == -1);
	config_free(&c);
}

/* Long values continue on indented lines (libinih caps lines at 200). */
static void
test_continuations(void)
{
	struct config	 c, d;
	char		 err[512], *text;

	config_init(&c);
	c.layer = SRC_FILE;
	CHECK(config_parse(&c, "t.ini", "[encryption]\nrecipients = a1, a2\n"
	    "\ta3\n  a4\n[signing]\nsecret_key = base64:aGVsbG8g\n"
	    "\td29ybGQ=\n[case]\nid = X\n", err, sizeof err) == 0);
	CHECK(c.recipients.n == 4);
	CHECK(c.recipients.n == 4 && strcmp(c.recipients.v[3], "a4") == 0);
	CHECK_STR(c.sign_key, "hello world");
	CHECK_STR(c.case_id, "X");
	/* A secret at the end of the text is applied too. */
	CHECK(config_parse(&c, "t.ini", "[upload]\nidentity = base64:eA==\n",
	    err, sizeof err) == 0);
	CHECK_STR(c.identity, "x");
	CHECK(config_parse(&c, "t.ini", "[upload]\nidentity = base64:!!\n",
	    err, sizeof err) == -1);
	CHECK(strstr(err, "identity") != NULL);
	/* Serialise and read back: the same values. */
	CHECK(config_set(&c, "case.id", "CERT-1", err, sizeof err) == 0);
	text = config_serialize(&c, err, sizeof err);
	CHECK(text != NULL);
	config_init(&d);
	CHECK(text != NULL && config_parse(&d, "s", text, err,
	    sizeof err) == 0);
	CHECK_STR(d.case_id, "CERT-1");
	CHECK_STR(d.sign_key, "hello world");
	CHECK(d.recipients.n == 4);
	config_free_text(text);
	config_free(&d);
	config_free(&c);
}

/*
 * A line over libinih's limit is an error naming its line, never split:
 * the tail of a long value would be parsed as a line of its own (here a
 * key that the value only contained).
 */
static void
test_long_line(void)
{
	struct config	 c;
	struct buf	 b = { 0 };
	char		 err[512];
	size_t		 n;

	config_init(&c);
	buf_addstr(&b, "[case]\nid = ");
	for (n = 5; n < 199 - 8; n++)
		buf_addstr(&b, "a");
	buf_addstr(&b, "nice=-5\n");	/* 199 bytes: the limit */
	CHECK(config_parse(&c, "t.ini", b.data, err, sizeof err) == 0);
	CHECK(c.case_id != NULL && strlen(c.case_id) == 193);
	CHECK(c.nice == 10);
	buf_free(&b);
	buf_addstr(&b, "[case]\nid = ");
	for (n = 5; n < 199 - 8 + 1; n++)
		buf_addstr(&b, "a");
	buf_addstr(&b, "nice=-5\n[limits]\nnice = 3\n");	/* 200 bytes */
	CHECK(config_parse(&c, "t.ini", b.data, err, sizeof err) == -1);
	CHECK_STR(err, "t.ini:2: line longer than 199 bytes: continue a long "
	    "value on indented lines");
	buf_free(&b);
	/* The last line, without its newline. */
	buf_addstr(&b, "[case]\nid = ");
	for (n = 5; n < 200; n++)
		buf_addstr(&b, "b");
	CHECK(config_parse(&c, "t.ini", b.data, err, sizeof err) == -1);
	CHECK(strstr(err, "t.ini:2: line longer") != NULL);
	buf_free(&b);
	config_free(&c);
}

/* A key file and its inline value: one per layer, the upper one wins. */
static void
test_partners(void)
{
	struct config	c;
	char		err[512];

	config_init(&c);
	c.layer = SRC_FILE;
	CHECK(config_parse(&c, "t.ini", "[upload]\nidentity_file = /k\n"
	    "identity = text\n", err, sizeof err) == -1);
	CHECK_STR(err, "t.ini:3: [upload] identity: conflicts with [upload] "
	    "identity_file, set too; give only one of the two");
	config_free(&c);
	config_init(&c);
	c.layer = SRC_FILE;
	CHECK(config_parse(&c, "t.ini", "[signing]\nsecret_key = k\n"
	    "secret_key_file = /k\n", err, sizeof err) == -1);
	CHECK(strstr(err, "t.ini:3: [signing] secret_key_file: conflicts "
	    "with [signing] secret_key") == err);
	config_free(&c);
	/* Embedded inline identity, then an option naming a file. */
	config_init(&c);
	c.layer = SRC_EMBEDDED;
	CHECK(config_parse(&c, "e", "[upload]\nidentity = text\n", err,
	    sizeof err) == 0);
	c.layer = SRC_OPTION;
	CHECK(config_set(&c, "upload.identity_file", "/k", err,
	    sizeof err) == 0);
	CHECK(c.identity == NULL);
	CHECK_STR(c.identity_file, "/k");
	config_free(&c);
	/* And the other way round: a file's key file, an inline key above. */
	config_init(&c);
	c.layer = SRC_FILE;
	CHECK(config_set(&c, "upload.identity_file", "/k", err,
	    sizeof err) == 0);
	c.layer = SRC_OPTION;
	CHECK(config_set(&c, "upload.identity", "text2", err,
	    sizeof err) == 0);
	CHECK(c.identity_file == NULL);
	CHECK_STR(c.identity, "text2");
	config_free(&c);
}

/* The dump caps: defaults, sizes, and a cap of 0 refused. */
static void
test_dump_caps(void)
{
	struct config	c;
	char		err[512];

	config_init(&c);
	CHECK(c.process_dump_max == 256ULL << 20);
	CHECK(c.process_dump_total == 1ULL << 30);
	CHECK(!c.no_process_dump);
	CHECK(config_parse(&c, "t.ini", "[limits]\nprocess_dump_max = 64K\n"
	    "process_dump_total = 2G\n[collection]\nprocess_dump = no\n",
	    err, sizeof err) == 0);
	CHECK(c.process_dump_max == 65536 && c.process_dump_total == 2ULL << 30);
	CHECK(c.no_process_dump);
	CHECK(config_parse(&c, "t.ini", "[limits]\nprocess_dump_max = 0\n",
	    err, sizeof err) == -1);
	CHECK_STR(err, "t.ini:2: [limits] process_dump_max: bad size \"0\" "
	    "(at least 1)");
	CHECK(config_parse(&c, "t.ini", "\n[limits]\nprocess_dump_total = x\n",
	    err, sizeof err) == -1);
	CHECK(strstr(err, "t.ini:3: [limits] process_dump_total: bad size") ==
	    err);
	/* The other sizes still take 0 (no limit). */
	CHECK(config_parse(&c, "t.ini", "[limits]\nmax_total_size = 0\n",
	    err, sizeof err) == 0);
	config_free(&c);
}

int
main(void)
{
	UNIT_RUN(test_sizes);
	UNIT_RUN(test_ints);
	UNIT_RUN(test_parse_good);
	UNIT_RUN(test_parse_errors);
	UNIT_RUN(test_load_file);
	UNIT_RUN(test_continuations);
	UNIT_RUN(test_long_line);
	UNIT_RUN(test_partners);
	UNIT_RUN(test_dump_caps);
	UNIT_EXIT();
}
