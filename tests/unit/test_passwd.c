/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * passwd: the one passwd and group reader. Lines (field counts, ids,
 * names), whole files (comments, malformed lines counted, a NUL inside a
 * line, no final newline), the lookup by id of a file of 100,000
 * entries, and the bounded read of a descriptor.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "passwd.h"
#include "util.h"
#include "unit.h"

static void
test_passwd_line(void)
{
	struct passwd_entry	pw, gr;
	char			l[256];

	strcpy(l, "root:x:0:0:root:/root:/bin/bash\n");
	CHECK(passwd_parse_line(l, 0, &pw) == 0);
	CHECK_STR(pw.name, "root");
	CHECK(pw.id == 0 && pw.gid == 0);
	CHECK_STR(pw.dir, "/root");
	CHECK_STR(pw.shell, "/bin/bash");
	strcpy(l, "toor::0:0:::");
	CHECK(passwd_parse_line(l, 0, &pw) == 0);
	CHECK_STR(pw.passwd, "");
	CHECK_STR(pw.shell, "");
	strcpy(l, "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin");
	CHECK(passwd_parse_line(l, 0, &pw) == 0 && pw.id == 65534);
	strcpy(l, "bad:x:0:0:root:/root");
	CHECK(passwd_parse_line(l, 0, &pw) == -1);
	strcpy(l, "bad:x:0:0:root:/root:/bin/sh:extra");
	CHECK(passwd_parse_line(l, 0, &pw) == -1);
	strcpy(l, "bad:x:-1:0:root:/root:/bin/sh");
	CHECK(passwd_parse_line(l, 0, &pw) == -1);
	strcpy(l, "bad:x:4294967296:0:root:/root:/bin/sh");
	CHECK(passwd_parse_line(l, 0, &pw) == -1);
	strcpy(l, ":x:0:0:root:/root:/bin/sh");
	CHECK(passwd_parse_line(l, 0, &pw) == -1);
	strcpy(l, "+@netgroup");
	CHECK(passwd_parse_line(l, 0, &pw) == -1);

	strcpy(l, "sudo:x:27:alice,bob");
	CHECK(passwd_parse_line(l, 1, &gr) == 0);
	CHECK_STR(gr.name, "sudo");
	CHECK(gr.id == 27);
	CHECK_STR(gr.members, "alice,bob");
	strcpy(l, "sudo:x:27");
	CHECK(passwd_parse_line(l, 1, &gr) == -1);
	strcpy(l, "sudo:x:abc:");
	CHECK(passwd_parse_line(l, 1, &gr) == -1);
}


/* passwd_parse on a copy of len bytes of s. */
static void
parse(struct passwd_file *pf, const char *s, size_t len, int group)
{
	char	*text = xmalloc(len + 1);

	memcpy(text, s, len);
	text[len] = '\0';
	passwd_parse(pf, text, len, group);
}

static void
test_passwd_file(void)
{
	static const char	 text[] =
	    "# comment\n"
	    "root:x:0:0:root:/root:/bin/bash\n"
	    "\n"
	    "short:x:1:1\n"
	    "alice:x:1000:1000::/home/alice:/bin/sh\r\n"
	    "nul:x:7:7::/h\0:/bin/sh\n"
	    "toor:x:0:0::/root:/bin/sh\n"
	    "last:x:1005:100::/home/last:/bin/sh";
	struct passwd_file		 pf;
	const struct passwd_entry	*e;

	parse(&pf, text, sizeof text - 1, 0);
	CHECK(pf.n == 4 && pf.bad == 2 && pf.first_bad == 4);
	CHECK(pf.n == 4 && pf.v[1].line == 5 && pf.v[3].line == 8);
	CHECK_STR(pf.n == 4 ? pf.v[1].dir : NULL, "/home/alice");
	/* The first line of an id is the one named. */
	CHECK((e = passwd_lookup(&pf, 0)) != NULL && strcmp(e->name,
	    "root") == 0);
	CHECK((e = passwd_lookup(&pf, 1005)) != NULL && e->gid == 100);
	CHECK(passwd_lookup(&pf, 7) == NULL);
	CHECK(passwd_lookup(&pf, 1) == NULL);
	CHECK(passwd_lookup(&pf, 4294967295U) == NULL);
	passwd_free(&pf);
	passwd_free(&pf);

	parse(&pf, "", 0, 1);
	CHECK(pf.n == 0 && pf.bad == 0 && passwd_lookup(&pf, 0) == NULL);
	passwd_free(&pf);
	parse(&pf, "wheel:x:10:root\nadm:x:4:\n", 24, 1);
	CHECK(pf.n == 2 && (e = passwd_lookup(&pf, 4)) != NULL &&
	    strcmp(e->name, "adm") == 0 && strcmp(e->members, "") == 0);
	passwd_free(&pf);
}

/* 100,000 entries in reverse order with duplicates: every id found. */
static void
test_passwd_many(void)
{
	struct buf			 b = { 0 };
	struct passwd_file		 pf;
	const struct passwd_entry	*e;
	unsigned int			 i;
	int				 ok = 1;

	for (i = 100000; i > 0; i--)
		buf_printf(&b, "u%u:x:%u:1::/:/bin/sh\n", i, i / 2);
	passwd_parse(&pf, b.data, b.len, 0);
	CHECK(pf.n == 100000);
	for (i = 0; i <= 50000 && ok; i++) {
		e = passwd_lookup(&pf, i);
		/* Ids 2i and 2i+1 both map to i: the first line is 2i+1. */
		ok = e != NULL && e->id == i && (i == 0 ? e->line == 100000 :
		    i == 50000 ? e->line == 1 : e->line == 100000 - 2 * i);
	}
	CHECK(ok);
	CHECK(passwd_lookup(&pf, 50001) == NULL);
	passwd_free(&pf);
}

static void
test_passwd_load(void)
{
	char			 path[] = "/tmp/test_passwd.XXXXXX";
	struct passwd_file	 pf;
	int			 fd;

	fd = mkstemp(path);
	CHECK(fd != -1);
	if (fd == -1)
		return;
	CHECK(util_write_all(fd, "a:x:1:2::/h:/s\nb:x:3", 20) == 0);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(passwd_load(&pf, fd, 0) == 0);
	CHECK(pf.n == 1 && pf.bad == 1 && !pf.truncated);
	passwd_free(&pf);
	close(fd);
	unlink(path);
	CHECK(passwd_load(&pf, -1, 0) == -1 && errno == EBADF);
	CHECK(pf.n == 0 && pf.text == NULL);
	passwd_free(&pf);
}

int
main(void)
{
	UNIT_RUN(test_passwd_line);
	UNIT_RUN(test_passwd_file);
	UNIT_RUN(test_passwd_many);
	UNIT_RUN(test_passwd_load);
	return unit_any_failed;
}
