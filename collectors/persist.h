/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The persistence collector's parsers (persist-parse.c): each takes one
 * line (NUL-terminated, changed in place) of a file anyone able to
 * persist on the host may have written, and finds the command it runs.
 */
#ifndef PERSIST_H
#define PERSIST_H

#include <stddef.h>

/*
 * A crontab line; sys: the system format (/etc/crontab, /etc/cron.d),
 * with a user field. 1 with *cmd (cut at cron's first unescaped '%'),
 * 0 for none (blank, comment, variable), -1 when malformed.
 */
int	 persist_cron_line(char *, int, char **);
/*
 * A systemd unit line: 1 with *cmd for an Exec*= key (ExecStart,
 * ExecStartPre…), its -@:+! prefixes stripped; 0 otherwise (an empty
 * value only resets the list: 0 too).
 */
int	 persist_exec_line(char *, char **);
/*
 * An authorized_keys line: 1 with *cmd the value of its command="…"
 * option (\" unescaped), 0 when it has none, -1 when the options are
 * malformed (an unterminated quote).
 */
int	 persist_authkeys_line(char *, char **);
/*
 * A udev rules line: the values of its RUN (RUN{program}) and PROGRAM
 * and IMPORT{program} keys, at most max of them in cmds; their count.
 * RUN{builtin} is not a program. Parsing stops at a malformed pair.
 */
size_t	 persist_udev_line(char *, char **, size_t);
/*
 * The program of a command: its first word (a quoted one unquoted) into
 * out (size bytes). 0, or -1 when there is none or it does not fit.
 */
int	 persist_program(const char *, char *, size_t);

#endif
