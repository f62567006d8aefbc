/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Logging to stderr and to the in-memory collection.log. The kept log is
 * capped (LOG_MAX bytes) so a flood of errors cannot exhaust memory; the
 * lines dropped past the cap are counted in a last line. Callable from
 * any thread (the upload stage has its own): one lock around each call.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "log.h"
#include "util.h"

#define LOG_MAX		(32U << 20)
#define LOG_PROGRESS_MS	250	/* at most 4 redraws a second */

static struct {
	int		 quiet;
	int		 verbose;
	int		 tty;
	struct buf	 jsonl;
	unsigned long	 dropped;
	unsigned long	 count[LOG_ERROR + 1];
	int		 progress_shown;	/* a status line is on screen */
	struct timespec	 progress_last;
} log_state;

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const log_names[] = { "debug", "info", "warn", "error" };

void
log_init(int quiet, int verbose)
{
	log_state.quiet = quiet;
	log_state.verbose = verbose;
	log_state.tty = isatty(STDERR_FILENO);
}

/*
 * Whether a message goes to stderr: errors always; warnings unless they
 * are details (per-file errors, kept in collection.log and counted in the
 * summary); everything with -v (but not with -q).
 */
static int
log_on_screen(enum log_level level, int detail)
{
	if (level >= LOG_ERROR)
		return 1;
	if (log_state.verbose && !log_state.quiet)
		return 1;
	return level == LOG_WARN && !detail;
}

static void	log_emit(enum log_level, int, const char *, const char *,
		    va_list) __attribute__((format(printf, 4, 0)));

static void
log_emit(enum log_level level, int detail, const char *collector,
    const char *fmt, va_list ap)
{
	char	 now[40], *msg, *line, *safe;
	json_t	*o;

	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("out of memory");
	util_now(now, sizeof now);
	pthread_mutex_lock(&log_lock);
	log_state.count[level]++;

	if (log_on_screen(level, detail)) {
		if (log_state.progress_shown) {
			fputs("\r\033[K", stderr);
			log_state.progress_shown = 0;
		}
		/*
		 * Messages carry names from the host: a file named
		 * "\033[2J…" must not clear the victim's screen or fake a line.
		 */
		safe = util_printable(msg);
		fprintf(stderr, "%.19sZ %-5s %s%s%s\n", now, log_names[level],
		    collector ? collector : "", collector ? ": " : "", safe);
		free(safe);
	}

	if (!util_utf8_valid(msg)) {
		char	*lossy = util_utf8_lossy(msg);

		free(msg);
		msg = lossy;
	}
	o = json_pack("{s:s, s:s, s:s?, s:s}", "time", now,
	    "level", log_names[level], "collector", collector,
	    "message", msg);
	line = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (line != NULL && log_state.jsonl.len + strlen(line) + 1 < LOG_MAX) {
		buf_addstr(&log_state.jsonl, line);
		buf_add(&log_state.jsonl, "\n", 1);
	} else
		log_state.dropped++;
	pthread_mutex_unlock(&log_lock);
	free(line);
	free(msg);
}

void
log_vmsg(enum log_level level, const char *collector, const char *fmt,
    va_list ap)
{
	log_emit(level, 0, collector, fmt, ap);
}

void
log_detail(enum log_level level, const char *collector, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_emit(level, 1, collector, fmt, ap);
	va_end(ap);
}

void
log_msg(enum log_level level, const char *collector, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(level, collector, fmt, ap);
	va_end(ap);
}

const char *
log_jsonl(size_t *len)
{
	if (log_state.dropped > 0) {
		char	now[40];

		util_now(now, sizeof now);
		buf_printf(&log_state.jsonl, "{\"time\":\"%s\",\"level\":"
		    "\"warn\",\"collector\":null,\"message\":\"%lu log lines "
		    "dropped past the %u-byte cap\"}\n", now, log_state.dropped,
		    LOG_MAX);
		log_state.dropped = 0;
	}
	buf_add(&log_state.jsonl, "", 0);
	*len = log_state.jsonl.len;
	return log_state.jsonl.data;
}

unsigned long
log_count(enum log_level level)
{
	return log_state.count[level];
}

void
log_free(void)
{
	buf_free(&log_state.jsonl);
}

void
log_progress(int force, const char *fmt, ...)
{
	struct timespec	now;
	va_list		ap;
	long		ms;

	if (log_state.quiet || !log_state.tty)
		return;
	pthread_mutex_lock(&log_lock);
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - log_state.progress_last.tv_sec) * 1000 +
	    (now.tv_nsec - log_state.progress_last.tv_nsec) / 1000000;
	if (!force && ms < LOG_PROGRESS_MS) {
		pthread_mutex_unlock(&log_lock);
		return;
	}
	log_state.progress_last = now;
	va_start(ap, fmt);
	fputs("\r\033[K", stderr);
	vfprintf(stderr, fmt, ap);
	log_state.progress_shown = 1;
	va_end(ap);
	fflush(stderr);
	pthread_mutex_unlock(&log_lock);
}

int
log_progress_on(void)
{
	return log_state.tty && !log_state.quiet;
}

void
log_step(const char *fmt, ...)
{
	va_list	ap;

	if (log_state.quiet)
		return;
	pthread_mutex_lock(&log_lock);
	if (log_state.progress_shown) {
		fputs("\r\033[K", stderr);
		log_state.progress_shown = 0;
	}
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	pthread_mutex_unlock(&log_lock);
}

void
log_progress_done(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_state.progress_shown) {
		fputs("\r\033[K", stderr);
		log_state.progress_shown = 0;
	}
	pthread_mutex_unlock(&log_lock);
}
