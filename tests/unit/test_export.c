/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of export's parsers and writers (agent/export-parse.c): a
 * bodyfile line (names holding '|', short and garbage lines), ISO 8601
 * times (fractions, offsets, garbage) and sha256sum lines in GNU
 * coreutils' escaped form; and the UAC layout's names (agent/export.c).
 */
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "export-int.h"
#include "util.h"
#include "unit.h"

static int
body(const char *s, struct export_body *b, char *copy, size_t cap)
{
	snprintf(copy, cap, "%s", s);
	return export_body_parse(copy, strlen(copy), b);
}

static void
test_body(void)
{
	struct export_body	b;
	char			l[512];

	CHECK(body("d41d8cd98f00b204e9800998ecf8427e|/etc/hosts|12|"
	    "-rw-r--r--|0|0|40|1577836800|1672628645|1700000000|0", &b, l,
	    sizeof l) == 0);
	CHECK_STR(b.md5, "d41d8cd98f00b204e9800998ecf8427e");
	CHECK_STR(b.name, "/etc/hosts");
	CHECK(b.namelen == 10);
	CHECK_STR(b.mode, "-rw-r--r--");
	CHECK(b.inode == 12 && b.uid == 0 && b.gid == 0 && b.size == 40);
	CHECK(b.t[0] == 1577836800 && b.t[1] == 1672628645);
	CHECK(b.t[2] == 1700000000 && b.t[3] == 0);
	/* A name holding '|': the fields are counted from the right. */
	CHECK(body("0|/tmp/a|b|c|5|-rw-r--r--|1000|1000|3|1|2|3|4", &b, l,
	    sizeof l) == 0);
	CHECK_STR(b.name, "/tmp/a|b|c");
	CHECK(b.inode == 5 && b.uid == 1000 && b.t[3] == 4);
	/* CRLF, negative times (before 1970) */
	CHECK(body("0|/x|1|d|0|0|0|-5|2|3|4\r", &b, l, sizeof l) == 0);
	CHECK(b.t[0] == -5 && b.t[3] == 4);
	/* Too few fields, a field not a number, an empty name, garbage. */
	CHECK(body("0|/x|1|d|0|0|0|1|2|3", &b, l, sizeof l) == -1);
	CHECK(body("0|/x|1|d|0|zero|0|1|2|3|4", &b, l, sizeof l) == -1);
	CHECK(body("0||1|d|0|0|0|1|2|3|4", &b, l, sizeof l) == -1);
	CHECK(body("", &b, l, sizeof l) == -1);
	CHECK(body("||||||||||", &b, l, sizeof l) == -1);
	CHECK(body("0|/x|1|d|0|0|0|1|2|3|99999999999999999999", &b, l,
	    sizeof l) == -1);
}

static void
test_time(void)
{
	int64_t	t;

	CHECK(export_time_parse("1970-01-01T00:00:00Z", &t) == 0 && t == 0);
	CHECK(export_time_parse("2026-11-22T10:15:00Z", &t) == 0);
	CHECK(t == 1795342500LL * 1000000);
	CHECK(export_time_parse("2026-11-22T10:15:00.5Z", &t) == 0);
	CHECK(t == 1795342500LL * 1000000 + 500000);
	CHECK(export_time_parse("2026-11-22T10:15:00.123456789Z", &t) == 0);
	CHECK(t == 1795342500LL * 1000000 + 123456);
	CHECK(export_time_parse("2026-11-22T10:15:00+00:00", &t) == 0);
	CHECK(export_time_parse("2026-11-22T10:15:00", &t) == -1);
	CHECK(export_time_parse("2026-11-22T10:15:00+01:00", &t) == -1);
	CHECK(export_time_parse("2026-13-22T10:15:00Z", &t) == -1);
	CHECK(export_time_parse("2026-11-22T10:15:00.Z", &t) == -1);
	CHECK(export_time_parse("garbage", &t) == -1);
	CHECK(export_time_parse(NULL, &t) == -1);
	CHECK(export_time_parse("2026-11-22T10:15:00Zjunk", &t) == -1);
}

static void
test_sha256_line(void)
{
	struct buf	b = { 0 };
	const char	*h = "e3b0c44298fc1c149afbf4c8996fb924"
			    "27ae41e4649b934ca495991b7852b855";
	char		*want;

	export_sha256_line(&b, h, "files/etc/hosts", 15);
	want = xasprintf("%s  files/etc/hosts\n", h);
	CHECK_STR(b.data, want);
	free(want);
	b.len = 0;
	export_sha256_line(&b, h, "a\\b\nc\rd", 7);
	want = xasprintf("\\%s  a\\\\b\\nc\\rd\n", h);
	CHECK_STR(b.data, want);
	free(want);
	b.len = 0;
	/* A leading dash, spaces and invalid UTF-8 stay as they are. */
	export_sha256_line(&b, h, "-x y\xff", 5);
	want = xasprintf("%s  -x y\xff\n", h);
	CHECK_STR(b.data, want);
	free(want);
	buf_free(&b);
}

static void
test_uac_name(void)
{
	char	*s;

	CHECK_STR((s = export_uac_name("files/etc/hosts")), "[root]/etc/hosts");
	free(s);
	CHECK_STR((s = export_uac_name("timeline/bodyfile.txt")),
	    "bodyfile/bodyfile.txt");
	free(s);
	CHECK_STR((s = export_uac_name("live/processes.jsonl")),
	    "live_response/process/processes.jsonl");
	free(s);
	CHECK_STR((s = export_uac_name("live/users.jsonl")),
	    "live_response/system/users.jsonl");
	free(s);
	CHECK_STR((s = export_uac_name("memory/42/maps")),
	    "memory_dump/42/maps");
	free(s);
	CHECK_STR((s = export_uac_name("manifest.json")),
	    "live_response/csirt-collect/manifest.json");
	free(s);
	CHECK(export_format_parse("uac") == EXPORT_UAC);
	CHECK(export_format_parse("UAC") == -1);
	CHECK(export_format_parse("") == -1);
}

int
main(void)
{
	UNIT_RUN(test_body);
	UNIT_RUN(test_time);
	UNIT_RUN(test_sha256_line);
	UNIT_RUN(test_uac_name);
	UNIT_EXIT();
}
