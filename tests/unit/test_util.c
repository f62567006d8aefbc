/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * util: the one UTF-8 decoder (util_utf8_len) and the escaping built on
 * it (util_escape, util_utf8_lossy, util_printable, util_utf8_valid).
 * Host names and records are bytes: every malformed form must come out
 * as \xNN, every valid character of 1 to 4 bytes unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "unit.h"

/* util_utf8_len over the whole of the literal s (without its NUL). */
#define LEN(s)	util_utf8_len((s), sizeof(s) - 1)

static void
test_utf8_valid_forms(void)
{
	CHECK(LEN("A") == 1);
	CHECK(LEN("\x7f") == 1);
	CHECK(util_utf8_len("", 1) == 1);		/* U+0000 */
	CHECK(LEN("\xc2\x80") == 2);			/* U+0080 */
	CHECK(LEN("\xc3\xa9") == 2);			/* é */
	CHECK(LEN("\xdf\xbf") == 2);			/* U+07FF */
	CHECK(LEN("\xe0\xa0\x80") == 3);		/* U+0800 */
	CHECK(LEN("\xe2\x82\xac") == 3);		/* € */
	CHECK(LEN("\xed\x9f\xbf") == 3);		/* U+D7FF */
	CHECK(LEN("\xee\x80\x80") == 3);		/* U+E000 */
	CHECK(LEN("\xef\xbf\xbf") == 3);		/* U+FFFF */
	CHECK(LEN("\xf0\x90\x80\x80") == 4);		/* U+10000 */
	CHECK(LEN("\xf0\x9f\x98\x80") == 4);		/* 😀 */
	CHECK(LEN("\xf4\x8f\xbf\xbf") == 4);		/* U+10FFFF */
	/* Only the first sequence counts. */
	CHECK(LEN("\xc3\xa9\xff") == 2);
	CHECK(util_utf8_valid("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z"));
	CHECK(util_utf8_valid(""));
}

static void
test_utf8_overlong(void)
{
	CHECK(LEN("\xc0\xaf") == 0);			/* '/' in 2 */
	CHECK(LEN("\xc1\xbf") == 0);			/* U+007F in 2 */
	CHECK(LEN("\xc0\x80") == 0);			/* NUL in 2 */
	CHECK(LEN("\xe0\x80\xaf") == 0);		/* '/' in 3 */
	CHECK(LEN("\xe0\x9f\xbf") == 0);		/* U+07FF in 3 */
	CHECK(LEN("\xf0\x80\x80\xaf") == 0);		/* '/' in 4 */
	CHECK(LEN("\xf0\x8f\xbf\xbf") == 0);		/* U+FFFF in 4 */
	CHECK(!util_utf8_valid("a\xc0\xaf" "b"));
}

static void
test_utf8_surrogates(void)
{
	CHECK(LEN("\xed\xa0\x80") == 0);		/* U+D800 */
	CHECK(LEN("\xed\xaf\xbf") == 0);		/* U+DBFF */
	CHECK(LEN("\xed\xb0\x80") == 0);		/* U+DC00 */
	CHECK(LEN("\xed\xbf\xbf") == 0);		/* U+DFFF */
	/* A CESU-8 pair (U+1F600 as two surrogates) is not UTF-8 either. */
	CHECK(!util_utf8_valid("\xed\xa0\xbd\xed\xb8\x80"));
}

static void
test_utf8_too_large(void)
{
	CHECK(LEN("\xf4\x90\x80\x80") == 0);		/* U+110000 */
	CHECK(LEN("\xf4\xbf\xbf\xbf") == 0);
	CHECK(LEN("\xf5\x80\x80\x80") == 0);		/* lead past f4 */
	CHECK(LEN("\xf7\xbf\xbf\xbf") == 0);		/* U+1FFFFF */
	CHECK(LEN("\xf8\x88\x80\x80\x80") == 0);	/* old 5-byte form */
	CHECK(LEN("\xfc\x84\x80\x80\x80\x80") == 0);	/* old 6-byte form */
	CHECK(LEN("\xfe") == 0);
	CHECK(LEN("\xff") == 0);
}

static void
test_utf8_truncated(void)
{
	/* Cut short by the length given, not by a terminator. */
	CHECK(util_utf8_len("\xc3\xa9", 1) == 0);
	CHECK(util_utf8_len("\xe2\x82\xac", 2) == 0);
	CHECK(util_utf8_len("\xf0\x9f\x98\x80", 3) == 0);
	CHECK(util_utf8_len("\xf0\x9f\x98\x80", 1) == 0);
	CHECK(util_utf8_len("A", 0) == 0);
	/* Cut short by a byte that is not a continuation. */
	CHECK(LEN("\xe2\x82" "A") == 0);
	CHECK(LEN("\xf0\x9f\x98" "A") == 0);
	CHECK(util_utf8_len("\xc3\0", 2) == 0);
	/* A stray continuation byte. */
	CHECK(LEN("\x80") == 0);
	CHECK(LEN("\xbf") == 0);
	CHECK(!util_utf8_valid("ab\xe2\x82"));
	CHECK(!util_utf8_valid("\xf0\x9f\x98"));
}

static void
test_escape(void)
{
	struct buf	 b = { 0 };
	char		*s;

	/* Each byte of a bad sequence on its own; the good ones kept. */
	s = util_utf8_lossy("a\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82"
	    "\xc3\xa9\n\\");
	CHECK_STR(s, "a\\xc0\\xaf\\xed\\xa0\\x80\\xf4\\x90\\x80\\x80\\xe2\\x82"
	    "\xc3\xa9\n\\");
	free(s);
	/* Printable: C0, DEL, C1 (U+0080 to U+009F) and '\' too. */
	s = util_printable("a\x1b[1m\x7f\xc2\x85\xc2\xa0\\\xe2\x82\xac");
	CHECK_STR(s, "a\\x1b[1m\\x7f\\xc2\\x85\xc2\xa0\\x5c\xe2\x82\xac");
	free(s);
	/* NUL is always escaped; a sequence cut by len is not read past. */
	util_escape(&b, "a\0|\xc3\xa9", 4, 0, "|");
	CHECK(b.len == 13 && memcmp(b.data, "a\\x00\\x7c\\xc3", 13) == 0);
	CHECK(b.data[b.len] == '\0');
	buf_free(&b);
	memset(&b, 0, sizeof b);
	util_escape(&b, "", 0, UTIL_ESC_C0, "");
	CHECK_STR(b.data, "");
	buf_free(&b);
}

/* What lines_feed handed over: the lines joined by '|', '#' a long one. */
static void
test_lines_cb(void *arg, char *s, size_t len)
{
	struct buf	*seen = arg;

	if (s == NULL)
		buf_addstr(seen, "#|");
	else {
		CHECK(s[len] == '\0');
		buf_add(seen, s, len);
		buf_addstr(seen, "|");
	}
}

static void
test_lines(void)
{
	struct lines	 l = { .max = 8 };
	struct buf	 seen = { 0 };

	/* Lines cut across pieces; empty lines dropped; one of 9 > 8 skipped. */
	lines_feed(&l, "ab", 2, test_lines_cb, &seen);
	lines_feed(&l, "c\n\nde", 5, test_lines_cb, &seen);
	lines_feed(&l, "\n12345", 6, test_lines_cb, &seen);
	lines_feed(&l, "6789\n12345678\nxy", 16, test_lines_cb, &seen);
	CHECK_STR(seen.data, "abc|de|#|12345678|");
	/* The end hands over the last line without '\n'. */
	lines_end(&l, test_lines_cb, &seen);
	CHECK_STR(seen.data, "abc|de|#|12345678|xy|");
	/* A long last line is counted at the end; then all is reset. */
	lines_feed(&l, "123456789", 9, test_lines_cb, &seen);
	lines_end(&l, test_lines_cb, &seen);
	CHECK_STR(seen.data, "abc|de|#|12345678|xy|#|");
	lines_feed(&l, "z", 1, test_lines_cb, &seen);
	lines_reset(&l);
	lines_end(&l, test_lines_cb, &seen);
	CHECK_STR(seen.data, "abc|de|#|12345678|xy|#|");
	buf_free(&l.buf);
	buf_free(&seen);
}

int
main(void)
{
	UNIT_RUN(test_utf8_valid_forms);
	UNIT_RUN(test_utf8_overlong);
	UNIT_RUN(test_utf8_surrogates);
	UNIT_RUN(test_utf8_too_large);
	UNIT_RUN(test_utf8_truncated);
	UNIT_RUN(test_escape);
	UNIT_RUN(test_lines);
	return unit_any_failed;
}
