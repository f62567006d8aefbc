/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The logger: the one mutable global of the program. Every message is
 * kept as a JSON line (time, level, collector, message) for the archive's
 * collection.log, and shown on stderr unless --quiet (errors always).
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/*
 * On stderr by default: warnings and errors (info and debug lines only
 * with verbose); quiet: not even verbose ones.
 */
void	 log_init(int, int);
void	 log_msg(enum log_level, const char *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* A detail (a per-file error): in collection.log; on stderr only with -v. */
void	 log_detail(enum log_level, const char *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	 log_vmsg(enum log_level, const char *, const char *, va_list)
	    __attribute__((format(printf, 3, 0)));
/*
 * The collection.log text gathered so far (JSON lines). The buffer
 * belongs to the logger and stays valid until the next log call.
 */
const char *log_jsonl(size_t *);
/* Number of messages at a level so far. */
unsigned long log_count(enum log_level);

/*
 * Progress: on a terminal, one status line redrawn in place (at most
 * four times a second); nothing when stderr is not a terminal or with
 * --quiet. Never on stdout. force draws now.
 */
void	 log_progress(int, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Whether log_progress draws anything (a terminal, not --quiet). */
int	 log_progress_on(void);
/*
 * A step line for the person at the keyboard ("[2/4] …"), on stderr
 * above the status line, terminal or not; nothing with --quiet.
 */
void	 log_step(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Erase the status line (before the final summary). */
void	 log_progress_done(void);
void	 log_free(void);

#endif
