/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The persistence parsers (collectors/persist.h): crontab lines of both
 * formats (variables, @reboot, '%', malformed), systemd Exec*= prefixes,
 * authorized_keys options (escaped quotes, no options, unterminated),
 * udev keys (RUN, RUN{builtin}, PROGRAM, IMPORT{program}, the cap) and
 * the program of a command.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "persist.h"
#include "unit.h"

static char	line[1024];

/* A writable copy for the in-place parsers. */
static char *
L(const char *s)
{
	snprintf(line, sizeof line, "%s", s);
	return line;
}

static void
test_cron(void)
{
	char	*cmd;

	CHECK(persist_cron_line(L("*/5 * * * * /opt/x --q >/dev/null 2>&1"),
	    0, &cmd) == 1);
	CHECK_STR(cmd, "/opt/x --q >/dev/null 2>&1");
	CHECK(persist_cron_line(L("0 3 * * mon-fri root  /usr/bin/b a"), 1,
	    &cmd) == 1);
	CHECK_STR(cmd, "/usr/bin/b a");
	CHECK(persist_cron_line(L("@reboot root /opt/y%stdin%more"), 1,
	    &cmd) == 1);
	CHECK_STR(cmd, "/opt/y");
	CHECK(persist_cron_line(L("@daily /opt/z 50\\% "), 0, &cmd) == 1);
	CHECK_STR(cmd, "/opt/z 50\\%");
	CHECK(persist_cron_line(L("  # a comment"), 0, &cmd) == 0);
	CHECK(persist_cron_line(L(""), 0, &cmd) == 0);
	CHECK(persist_cron_line(L("MAILTO=root"), 0, &cmd) == 0);
	CHECK(persist_cron_line(L("PATH = /bin:/usr/bin"), 1, &cmd) == 0);
	/* Malformed: too few fields, no command, junk in a time field. */
	CHECK(persist_cron_line(L("* * * *"), 0, &cmd) == -1);
	CHECK(persist_cron_line(L("* * * * * root"), 1, &cmd) == -1);
	CHECK(persist_cron_line(L("@reboot"), 0, &cmd) == -1);
	CHECK(persist_cron_line(L("* * * * * %stdin"), 0, &cmd) == -1);
	CHECK(persist_cron_line(L("* * $ * * /x"), 0, &cmd) == -1);
}

static void
test_exec(void)
{
	char	*cmd;

	CHECK(persist_exec_line(L("ExecStart=/usr/sbin/d -x"), &cmd) == 1);
	CHECK_STR(cmd, "/usr/sbin/d -x");
	CHECK(persist_exec_line(L("ExecStartPre=-@:+!/bin/pre a b"), &cmd) ==
	    1);
	CHECK_STR(cmd, "/bin/pre a b");
	CHECK(persist_exec_line(L("  ExecStop = !!/bin/stop  "), &cmd) == 1);
	CHECK_STR(cmd, "/bin/stop");
	CHECK(persist_exec_line(L("ExecReload="), &cmd) == 0);
	CHECK(persist_exec_line(L("Exec=/x"), &cmd) == 0);
	CHECK(persist_exec_line(L("ExecStart /x"), &cmd) == 0);
	CHECK(persist_exec_line(L("Description=ExecStart=/x"), &cmd) == 0);
	CHECK(persist_exec_line(L("# ExecStart=/x"), &cmd) == 0);
}

static void
test_authkeys(void)
{
	char	*cmd;

	CHECK(persist_authkeys_line(L("no-pty,command=\"/opt/k \\\"a\\\"\","
	    "from=\"10.0.0.1\" ssh-ed25519 AAAA x"), &cmd) == 1);
	CHECK_STR(cmd, "/opt/k \"a\"");
	CHECK(persist_authkeys_line(L("COMMAND=\"/x\" ssh-rsa AAAA"), &cmd) ==
	    1);
	CHECK_STR(cmd, "/x");
	CHECK(persist_authkeys_line(L("restrict,pty ssh-ed25519 AAAA"), &cmd)
	    == 0);
	CHECK(persist_authkeys_line(L("ssh-ed25519 AAAA command=\"/x\""),
	    &cmd) == 0);
	CHECK(persist_authkeys_line(L("ecdsa-sha2-nistp256 AAAA"), &cmd) ==
	    0);
	CHECK(persist_authkeys_line(L("# command=\"/x\" ssh-rsa"), &cmd) == 0);
	CHECK(persist_authkeys_line(L(""), &cmd) == 0);
	/* Malformed: unterminated quote, no key after the options. */
	CHECK(persist_authkeys_line(L("command=\"/x ssh-rsa AAAA"), &cmd) ==
	    -1);
	CHECK(persist_authkeys_line(L("command=/x ssh-rsa AAAA"), &cmd) ==
	    -1);
	CHECK(persist_authkeys_line(L("no-pty"), &cmd) == -1);
}

static void
test_udev(void)
{
	char	*c[4];

	CHECK(persist_udev_line(L("ACTION==\"add\", RUN+=\"/opt/r %k\", "
	    "RUN{builtin}+=\"kmod load x\", PROGRAM=\"h\", "
	    "IMPORT{program}=\"i a\", IMPORT{file}=\"/f\""), c, 4) == 3);
	CHECK_STR(c[0], "/opt/r %k");
	CHECK_STR(c[1], "h");
	CHECK_STR(c[2], "i a");
	CHECK(persist_udev_line(L("RUN{program}=\"/p\""), c, 4) == 1);
	CHECK_STR(c[0], "/p");
	CHECK(persist_udev_line(L("# RUN+=\"/x\""), c, 4) == 0);
	CHECK(persist_udev_line(L("RUN+=\"\""), c, 4) == 0);
	/* The cap, and parsing stops at a malformed pair. */
	CHECK(persist_udev_line(L("RUN+=\"a\",RUN+=\"b\",RUN+=\"c\""), c, 2)
	    == 2);
	CHECK(persist_udev_line(L("RUN+=\"/a\", GARBAGE, RUN+=\"/b\""), c, 4)
	    == 1);
	CHECK(persist_udev_line(L("RUN+=\"/unterminated"), c, 4) == 0);
	CHECK(persist_udev_line(L("RUN+=/noquote"), c, 4) == 0);
}

static void
test_program(void)
{
	char	p[16];

	CHECK(persist_program("  /bin/sh -c x", p, sizeof p) == 0);
	CHECK_STR(p, "/bin/sh");
	CHECK(persist_program("\"/opt/a b\" x", p, sizeof p) == 0);
	CHECK_STR(p, "/opt/a b");
	CHECK(persist_program("'/q'", p, sizeof p) == 0);
	CHECK_STR(p, "/q");
	CHECK(persist_program("name", p, sizeof p) == 0);
	CHECK_STR(p, "name");
	CHECK(persist_program("", p, sizeof p) == -1);
	CHECK(persist_program("   ", p, sizeof p) == -1);
	CHECK(persist_program("\"unterminated", p, sizeof p) == -1);
	CHECK(persist_program("\"\" x", p, sizeof p) == -1);
	CHECK(persist_program("/a/very/long/program/name", p, sizeof p) ==
	    -1);
}

int
main(void)
{
	UNIT_RUN(test_cron);
	UNIT_RUN(test_exec);
	UNIT_RUN(test_authkeys);
	UNIT_RUN(test_udev);
	UNIT_RUN(test_program);
	UNIT_EXIT();
}
