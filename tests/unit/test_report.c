/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of report.c: the bodyfile line parser, and the tap fed by
 * hand (as verify would) then the page written and its data read back:
 * the caps (rows, most recent file events, long lines), '<' never raw,
 * a manifest too large to parse giving its run facts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "report.h"
#include "unit.h"
#include "util.h"

static void
test_body_line(void)
{
	const char	*l = "d41d8cd98f00b204e9800998ecf8427e|/tmp/a|b c|"
	    "12|-rw-r--r--|0|0|5|100|200|300|0";
	long long	 tm[4];
	size_t		 off, len;

	CHECK(report_body_line(l, strlen(l), tm, &off, &len) == 0);
	CHECK(len == 10 && memcmp(l + off, "/tmp/a|b c", len) == 0);
	CHECK(tm[0] == 100 && tm[1] == 200 && tm[2] == 300 && tm[3] == 0);
	l = "0|/x|1|-rw-r--r--|0|0|5|100|200|300";
	CHECK(report_body_line(l, strlen(l), tm, &off, &len) == -1);
	l = "0|/x|1|-rw-r--r--|0|0|5|1x0|200|300|0";
	CHECK(report_body_line(l, strlen(l), tm, &off, &len) == -1);
	l = "0|/x|1|-rw-r--r--|0|0|5|100|200|300|";
	CHECK(report_body_line(l, strlen(l), tm, &off, &len) == -1);
	l = "no bars at all";
	CHECK(report_body_line(l, strlen(l), tm, &off, &len) == -1);
	l = "0||1|-|0|0|5|-7|1|1|1";
	CHECK(report_body_line(l, strlen(l), tm, &off, &len) == 0);
	CHECK(len == 0 && tm[0] == -7);
}

/* One entry through the tap, in chunks of 7 bytes (lines cut anywhere). */
static void
feed(struct verify_tap *t, const char *name, const char *data, size_t len)
{
	size_t	i, n;

	if (!t->open(t->arg, name, len))
		return;
	for (i = 0; i < len; i += n) {
		n = len - i < 7 ? len - i : 7;
		t->data(t->arg, data + i, n);
	}
	t->close(t->arg, 0);
}

/* The page's data block, parsed; *raw set when a '<' was in it. */
static json_t *
page_data(struct report *r, int *raw)
{
	FILE		*f = tmpfile();
	char		*page, *s, *e;
	size_t		 len;
	json_t		*j;
	int		 err;

	if (f == NULL || report_write(r, "/x/a.tar.zst", fileno(f)) == -1)
		return NULL;
	lseek(fileno(f), 0, SEEK_SET);
	page = util_read_fd(fileno(f), 256U << 20, &len, &err);
	fclose(f);
	if (page == NULL)
		return NULL;
	s = strstr(page, "<script type=\"application/json\" id=\"data\">");
	e = s != NULL ? strstr(s, "</script>") : NULL;
	if (s == NULL || e == NULL) {
		free(page);
		return NULL;
	}
	s = strchr(s, '>') + 1;
	*e = '\0';
	*raw = strchr(s, '<') != NULL;
	j = json_loads(s, 0, NULL);
	free(page);
	return j;
}

static void
test_tap(void)
{
	struct report		*r = report_new("fr");
	struct verify_tap	 t;
	struct buf		 b = { 0 };
	json_t			*d, *ev, *log;
	size_t			 i;
	int			 raw = 1;

	report_tap(r, &t);
	/* 250,000 bodyfile lines, line i at time i: the most recent kept */
	for (i = 1; i <= 250000; i++)
		buf_printf(&b, "0|/f%zu|1|-rw-r--r--|0|0|1|%zu|%zu|%zu|%zu\n",
		    i, i, i, i, i);
	feed(&t, "timeline/bodyfile.txt", b.data, b.len);
	b.len = 0;
	for (i = 0; i < 25000; i++)
		buf_printf(&b, "{\"time\":\"2026-01-01T00:00:00Z\",\"level\":"
		    "\"warn\",\"message\":\"<script>alert(%zu)</script>\"}\n", i);
	buf_addstr(&b, "{\"message\":\"");
	for (i = 0; i < 70000; i++)
		buf_addstr(&b, "x");
	buf_addstr(&b, "\"}\nnot json\n");
	feed(&t, "collection.log", b.data, b.len);
	feed(&t, "files/etc/passwd", "root:x:0:0::/:/bin/sh\n", 22);
	b.len = 0;
	buf_addstr(&b, "{\"format\":1,\"host\":{\"hostname\":\"h<1>\"},"
	    "\"entries\":[");
	for (i = 0; i < 200000; i++)
		buf_printf(&b, "%s{\"path\":\"files/%0100zu\"}", i ? "," : "", i);
	buf_addstr(&b, "],\"errors\":[]}");
	CHECK(b.len > (16U << 20));
	feed(&t, "manifest.json", b.data, b.len);
	buf_free(&b);

	d = page_data(r, &raw);
	CHECK(d != NULL);
	CHECK(raw == 0);
	CHECK_STR(json_string_value(json_object_get(d, "lang")), "fr");
	ev = json_object_get(json_object_get(d, "files"), "events");
	CHECK(json_array_size(ev) == REPORT_FILE_EVENTS);
	CHECK(json_integer_value(json_array_get(json_array_get(ev, 0), 0)) ==
	    250000 - REPORT_FILE_EVENTS + 1);
	CHECK(json_integer_value(json_array_get(json_array_get(ev,
	    REPORT_FILE_EVENTS - 1), 0)) == 250000);
	CHECK_STR(json_string_value(json_array_get(json_array_get(ev, 0), 1)),
	    "macb");
	CHECK(json_integer_value(json_object_get(json_object_get(d, "files"),
	    "total")) == 250000);
	log = json_object_get(json_object_get(d, "streams"), "log");
	CHECK(json_array_size(json_object_get(log, "rows")) == REPORT_ROWS_MAX);
	CHECK(json_integer_value(json_object_get(log, "total")) == 25002);
	CHECK_STR(json_string_value(json_object_get(json_array_get(
	    json_object_get(log, "rows"), 0), "message")),
	    "<script>alert(0)</script>");
	CHECK(json_is_true(json_object_get(d, "manifest_cut")));
	CHECK_STR(json_string_value(json_object_get(json_object_get(
	    json_object_get(d, "manifest"), "host"), "hostname")), "h<1>");
	CHECK(json_is_null(json_object_get(d, "summary")));
	json_decref(d);
	report_free(r);
}

/* Over the caps only by line length: the long line and junk are "bad". */
static void
test_bad_lines(void)
{
	struct report		*r = report_new("en");
	struct verify_tap	 t;
	struct buf		 b = { 0 };
	json_t			*d, *p;
	size_t			 i;
	int			 raw = 1;

	report_tap(r, &t);
	buf_addstr(&b, "{\"pid\":1,\"cmdline\":[\"a\",\"b c\"],\"environ\":"
	    "{\"X\":1}}\n{\"pid\":\"");
	for (i = 0; i < 70000; i++)
		buf_addstr(&b, "9");
	buf_addstr(&b, "\"}\n[1]\n{\"pid\":2}");	/* no final newline */
	feed(&t, "live/processes.jsonl", b.data, b.len);
	feed(&t, "summary.json", "{\"findings\":[]", 14);	/* broken */
	buf_free(&b);
	d = page_data(r, &raw);
	CHECK(d != NULL && raw == 0);
	p = json_object_get(json_object_get(d, "streams"), "processes");
	CHECK(json_array_size(json_object_get(p, "rows")) == 2);
	CHECK(json_integer_value(json_object_get(p, "bad")) == 2);
	CHECK(json_integer_value(json_object_get(p, "total")) == 4);
	CHECK_STR(json_string_value(json_object_get(json_array_get(
	    json_object_get(p, "rows"), 0), "cmdline")), "a b c");
	CHECK(json_object_get(json_array_get(json_object_get(p, "rows"), 0),
	    "environ") == NULL);
	CHECK(json_is_true(json_object_get(d, "summary_bad")));
	CHECK(json_is_false(json_object_get(json_object_get(d, "files"),
	    "present")));
	json_decref(d);
	report_free(r);
}

int
main(void)
{
	UNIT_RUN(test_body_line);
	UNIT_RUN(test_tap);
	UNIT_RUN(test_bad_lines);
	return unit_any_failed;
}
