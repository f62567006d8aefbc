/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The timeline's file attribute helpers (collectors/fileattr.h): the
 * security.capability value of each revision (what setcap writes),
 * malformed ones, and hidden names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileattr.h"
#include "util.h"
#include "unit.h"

static void
le32(unsigned char *p, unsigned int v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = (v >> 24) & 0xff;
}

/* The text of a value, NUL-terminated in a static buffer; NULL: -1. */
static const char *
caps(const unsigned char *v, size_t len, long long *rootid)
{
	static char	out[512];
	struct buf	b;
	int		rc;

	memset(&b, 0, sizeof b);
	rc = fileattr_caps(v, len, &b, rootid);
	snprintf(out, sizeof out, "%.*s", (int)b.len, b.len ? b.data : "");
	buf_free(&b);
	return rc == 0 ? out : NULL;
}

static void
test_caps(void)
{
	unsigned char	v[24];
	long long	r;

	/* setcap cap_setuid+ep: rev 2, effective, permitted bit 7. */
	memset(v, 0, sizeof v);
	le32(v, 0x02000001);
	le32(v + 4, 1U << 7);
	CHECK_STR(caps(v, 20, &r), "cap_setuid+ep");
	CHECK(r == -1);

	/* Two caps in one group, one inheritable only, no effective bit. */
	le32(v, 0x02000000);
	le32(v + 4, (1U << 13) | (1U << 7));
	le32(v + 8, 1U << 0);
	CHECK_STR(caps(v, 20, &r), "cap_chown+i cap_setuid,cap_net_raw+p");

	/* rev 3: a namespaced root id; a cap above 31 (cap_bpf is 39). */
	memset(v, 0, sizeof v);
	le32(v, 0x03000001);
	le32(v + 12, 1U << (39 - 32));
	le32(v + 20, 100000);
	CHECK_STR(caps(v, 24, &r), "cap_bpf+ep");
	CHECK(r == 100000);

	/* A cap the table does not name. */
	le32(v + 12, 1U << (63 - 32));
	CHECK_STR(caps(v, 24, &r), "cap_63+ep");

	/* rev 1: 32 bits only; p and i both, effective. */
	memset(v, 0, sizeof v);
	le32(v, 0x01000001);
	le32(v + 4, 1U << 10);
	le32(v + 8, 1U << 10);
	CHECK_STR(caps(v, 12, &r), "cap_net_bind_service+eip");

	/* An empty set is still a value. */
	memset(v, 0, sizeof v);
	le32(v, 0x02000000);
	CHECK_STR(caps(v, 20, &r), "=");
}

static void
test_caps_malformed(void)
{
	unsigned char	v[24];
	long long	r;

	memset(v, 0, sizeof v);
	CHECK(caps(v, 0, &r) == NULL);
	CHECK(caps(v, 3, &r) == NULL);
	le32(v, 0x02000001);
	CHECK(caps(v, 12, &r) == NULL);	/* rev 2, short */
	CHECK(caps(v, 24, &r) == NULL);	/* rev 2, long */
	le32(v, 0x03000001);
	CHECK(caps(v, 20, &r) == NULL);	/* rev 3 without its root id */
	le32(v, 0x04000001);
	CHECK(caps(v, 20, &r) == NULL);	/* unknown revision */
	le32(v, 0x00000001);
	CHECK(caps(v, 20, &r) == NULL);
}

static void
test_hidden(void)
{
	CHECK(fileattr_hidden("/tmp/.x") == 1);
	CHECK(fileattr_hidden("/tmp/a/b/.x") == 1);
	CHECK(fileattr_hidden("/var/tmp/.cache") == 1);
	CHECK(fileattr_hidden("/dev/shm/.y") == 1);
	CHECK(fileattr_hidden("/dev/.hid") == 1);
	CHECK(fileattr_hidden("/usr/lib/.so") == 1);
	CHECK(fileattr_hidden("/lib64/.x") == 1);
	CHECK(fileattr_hidden("/lib/.x") == 1);
	CHECK(fileattr_hidden("/etc/cron.d/.x") == 1);
	CHECK(fileattr_hidden("/var/spool/cron/.x") == 1);
	CHECK(fileattr_hidden("/bin/.sshd") == 1);
	/* Dots and spaces only: anywhere. */
	CHECK(fileattr_hidden("/home/alice/...") == 1);
	CHECK(fileattr_hidden("/root/. ") == 1);
	CHECK(fileattr_hidden("/srv/  ") == 1);
	/* Usual places for dot-names, and the system's own. */
	CHECK(fileattr_hidden("/home/alice/.bashrc") == 0);
	CHECK(fileattr_hidden("/root/.ssh") == 0);
	CHECK(fileattr_hidden("/etc/.pwd.lock") == 0);
	CHECK(fileattr_hidden("/etc/crontab") == 0);
	CHECK(fileattr_hidden("/tmp/.X11-unix") == 0);
	CHECK(fileattr_hidden("/tmp/.ICE-unix") == 0);
	CHECK(fileattr_hidden("/tmp/.X11-unix/.x") == 1);
	CHECK(fileattr_hidden("/tmpfoo/.x") == 0);
	CHECK(fileattr_hidden("/libfoo") == 0);
	CHECK(fileattr_hidden("/tmp/x.y") == 0);
	CHECK(fileattr_hidden("/tmp") == 0);
	CHECK(fileattr_hidden("/") == 0);
	CHECK(fileattr_hidden("") == 0);
	CHECK(fileattr_hidden("/tmp/..") == 0);
}

int
main(void)
{
	UNIT_RUN(test_caps);
	UNIT_RUN(test_caps_malformed);
	UNIT_RUN(test_hidden);
	UNIT_EXIT();
}
