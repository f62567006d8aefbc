/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * kernel collector parsers (collectors/kernel.h): /dev/kmsg records
 * (levels, facilities, continuation lines, malformed prefixes), eBPF fd
 * link names, fdinfo (numbers, octal flags, hex tags, junk lines) and
 * binfmt_misc handlers (magic, extension, malformed), AppArmor profile
 * lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "kernel.h"
#include "util.h"
#include "unit.h"

/* Parse a kmsg record given as a C string (the buffer has the NUL room). */
static int
kmsg(const char *s, char *buf, size_t size, struct kernel_kmsg *k)
{
	snprintf(buf, size, "%s", s);
	return kernel_parse_kmsg(buf, strlen(buf), k);
}

static void
test_kmsg_records(void)
{
	struct kernel_kmsg	k;
	char			b[512];

	CHECK(kmsg("6,339,5140900,-;NET: Registered protocol family 10\n",
	    b, sizeof b, &k) == 0);
	CHECK(k.facility == 0 && k.level == 6 && k.seq == 339 &&
	    k.usec == 5140900 && k.flags == '-');
	CHECK_STR(k.message, "NET: Registered protocol family 10");
	CHECK(k.message_len == 34 && k.nfields == 0);
	CHECK_STR(kernel_level_name(k.level), "info");
	CHECK_STR(kernel_facility_name(k.facility), "kern");

	/* Written by a user to /dev/kmsg: facility user, level warning. */
	CHECK(kmsg("12,440,22216431708,-;csirt-test-x", b, sizeof b, &k) == 0);
	CHECK(k.facility == 1 && k.level == 4);
	CHECK_STR(kernel_facility_name(k.facility), "user");
	CHECK_STR(kernel_level_name(k.level), "warning");
	CHECK_STR(k.message, "csirt-test-x");

	/* Continuation lines, a later prefix field, flag 'c'. */
	CHECK(kmsg("3,7,100,c,caller=T12;usb 1-1: error \\x0a x\n"
	    " SUBSYSTEM=usb\n DEVICE=c189:1\nnot a field\n \n", b, sizeof b,
	    &k) == 0);
	CHECK(k.level == 3 && k.flags == 'c');
	CHECK_STR(k.message, "usb 1-1: error \\x0a x");
	CHECK(k.nfields == 2);
	CHECK_STR(k.field[0], "SUBSYSTEM=usb");
	CHECK_STR(k.field[1], "DEVICE=c189:1");

	/* Empty message and flags. */
	CHECK(kmsg("0,1,2,;", b, sizeof b, &k) == 0);
	CHECK(k.flags == '-' && k.message_len == 0);
	CHECK_STR(kernel_facility_name(23), "local7");
	CHECK(kernel_facility_name(24) == NULL);
}

static void
test_kmsg_fields_cap(void)
{
	struct kernel_kmsg	k;
	struct buf		b = { 0 };
	int			i;

	buf_addstr(&b, "6,1,1,-;many\n");
	for (i = 0; i < KERNEL_KMSG_FIELDS + 5; i++)
		buf_printf(&b, " K%d=v\n", i);
	CHECK(kernel_parse_kmsg(b.data, b.len, &k) == 0);
	CHECK(k.nfields == KERNEL_KMSG_FIELDS && k.fields_dropped == 5);
	buf_free(&b);
}

static void
test_kmsg_malformed(void)
{
	static const char *const bad[] = {
		"", "no semicolon", ";message", "6,1,2;too few",
		"x,1,2,-;prio", "6,-1,2,-;seq", "6,1,2x,-;usec",
		"6,1,2,--;flags", "6,,2,-;empty seq",
		"99999999999999999999,1,2,-;prio overflow",
		"6,1,99999999999999999999999,-;usec overflow",
		"16777216,1,2,-;prio too big", " 6,1,2,-;space",
	};
	struct kernel_kmsg	k;
	char			b[512];
	size_t			i;

	for (i = 0; i < nitems(bad); i++)
		if (kmsg(bad[i], b, sizeof b, &k) != -1) {
			printf("#   accepted: \"%s\"\n", bad[i]);
			CHECK(0);
		}
	/* A NUL inside the prefix. */
	memcpy(b, "6,1\0002,-;x", 10);
	CHECK(kernel_parse_kmsg(b, 10, &k) == -1);
	/* A prefix longer than any the kernel writes. */
	memset(b, '1', 200);
	memcpy(b + 200, ",1,1,-;x", 9);
	CHECK(kernel_parse_kmsg(b, strlen(b), &k) == -1);
}

static void
test_bpf_kind(void)
{
	CHECK_STR(kernel_bpf_kind("anon_inode:bpf-prog"), "prog");
	CHECK_STR(kernel_bpf_kind("anon_inode:bpf-map"), "map");
	CHECK_STR(kernel_bpf_kind("anon_inode:bpf_link"), "link");
	CHECK_STR(kernel_bpf_kind("anon_inode:[bpf-prog]"), "prog");
	CHECK_STR(kernel_bpf_kind("anon_inode:bpf_iter"), "iter");
	CHECK_STR(kernel_bpf_kind("anon_inode:bpf-token"), "token");
	CHECK(kernel_bpf_kind("anon_inode:[eventpoll]") == NULL);
	CHECK(kernel_bpf_kind("anon_inode:bpf-progx") == NULL);
	CHECK(kernel_bpf_kind("socket:[123]") == NULL);
	CHECK(kernel_bpf_kind("/tmp/anon_inode:bpf-prog") == NULL);
	CHECK(kernel_bpf_kind("anon_inode:[]") == NULL);
	CHECK(kernel_bpf_kind("") == NULL);
}

static void
test_fdinfo(void)
{
	char	 b[] = "pos:\t0\nflags:\t02000002\nmnt_id:\t17\n"
	    "prog_type:\t1\nprog_jited:\t1\nprog_tag:\t1234567890123456\n"
	    "memlock:\t4096\nprog_id:\t42\nmap_flags:\t0x0\n"
	    "junk line\n:novalue\nbig:\t99999999999999999999\n\n"
	    "name:\t\xff\xfe\n";
	json_t	*o;
	char	*s;
	size_t	 bad = 0;

	o = kernel_parse_fdinfo(b, strlen(b), 64, &bad);
	CHECK(bad == 2);
	CHECK(json_integer_value(json_object_get(o, "prog_type")) == 1);
	CHECK(json_integer_value(json_object_get(o, "prog_id")) == 42);
	CHECK(json_integer_value(json_object_get(o, "pos")) == 0);
	CHECK_STR(json_string_value(json_object_get(o, "flags")), "02000002");
	CHECK_STR(json_string_value(json_object_get(o, "prog_tag")),
	    "1234567890123456");
	CHECK_STR(json_string_value(json_object_get(o, "map_flags")), "0x0");
	CHECK_STR(json_string_value(json_object_get(o, "big")),
	    "99999999999999999999");
	CHECK((s = json_dumps(o, 0)) != NULL);
	free(s);
	json_decref(o);

	/* The key cap. */
	{
		char	c[] = "a:1\nb:2\nc:3\nd:4\n";

		o = kernel_parse_fdinfo(c, strlen(c), 2, NULL);
		CHECK(json_object_size(o) == 2);
		json_decref(o);
	}
}

static void
test_binfmt(void)
{
	struct kernel_binfmt	b;
	char			m[] = "enabled\ninterpreter /usr/bin/qemu-arm\n"
	    "flags: OCF\noffset 0\nmagic 7f454c4601010100\n"
	    "mask ffffffffffffff00\n";
	char			e[] = "disabled\ninterpreter /usr/bin/wine\n"
	    "flags: \nextension .exe\n";
	char			bad1[] = "interpreter /bin/true\n";
	char			bad2[] = "enabled\nflags: F\n";
	char			bad3[] = "";

	CHECK(kernel_parse_binfmt(m, strlen(m), &b) == 0);
	CHECK(b.enabled == 1 && b.offset == 0);
	CHECK_STR(b.interpreter, "/usr/bin/qemu-arm");
	CHECK_STR(b.flags, "OCF");
	CHECK_STR(b.magic, "7f454c4601010100");
	CHECK_STR(b.mask, "ffffffffffffff00");
	CHECK(b.extension == NULL);

	CHECK(kernel_parse_binfmt(e, strlen(e), &b) == 0);
	CHECK(b.enabled == 0 && b.offset == -1);
	CHECK_STR(b.interpreter, "/usr/bin/wine");
	CHECK_STR(b.flags, "");
	CHECK_STR(b.extension, ".exe");
	CHECK(b.magic == NULL && b.mask == NULL);

	CHECK(kernel_parse_binfmt(bad1, strlen(bad1), &b) == -1);
	CHECK(kernel_parse_binfmt(bad2, strlen(bad2), &b) == -1);
	CHECK(kernel_parse_binfmt(bad3, 0, &b) == -1);
}

static void
test_aa_profile(void)
{
	char	 l1[] = "/usr/sbin/cupsd (enforce)";
	char	 l2[] = "snap.foo (bar) (complain)";
	char	 l3[] = "noparen", l4[] = "x ()", l5[] = "(enforce)";
	char	*name, *mode;

	CHECK(kernel_parse_aa_profile(l1, &name, &mode) == 0);
	CHECK_STR(name, "/usr/sbin/cupsd");
	CHECK_STR(mode, "enforce");
	CHECK(kernel_parse_aa_profile(l2, &name, &mode) == 0);
	CHECK_STR(name, "snap.foo (bar)");
	CHECK_STR(mode, "complain");
	CHECK(kernel_parse_aa_profile(l3, &name, &mode) == -1);
	CHECK(kernel_parse_aa_profile(l4, &name, &mode) == -1);
	CHECK(kernel_parse_aa_profile(l5, &name, &mode) == -1);
}

int
main(void)
{
	UNIT_RUN(test_kmsg_records);
	UNIT_RUN(test_kmsg_fields_cap);
	UNIT_RUN(test_kmsg_malformed);
	UNIT_RUN(test_bpf_kind);
	UNIT_RUN(test_fdinfo);
	UNIT_RUN(test_binfmt);
	UNIT_RUN(test_aa_profile);
	UNIT_EXIT();
}
