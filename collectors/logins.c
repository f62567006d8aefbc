/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The "logins" collector: who is logged in (utmp), who logged in and
 * when the system booted (wtmp), failed logins (btmp) and the last
 * login of each account (lastlog), parsed natively, never with last(1).
 * The files are read under the collection root, so it works on a
 * mounted image. A truncated or garbage record (an attacker editing
 * wtmp leaves those) is skipped with an error naming its offset; the
 * rest of the file is still read. Records go to live/logins.jsonl.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector.h"
#include "util.h"
#include "live.h"

#define LOGINS_ERRORS_MAX	10	/* bad records reported one by one */
#define LOGINS_LASTLOG_MAX	(1U << 24)	/* records read at most */

struct logins_file {
	const char	*path;
	const char	*source;
};

static const struct logins_file logins_files[] = {
	{ "/run/utmp", "utmp" },
	{ "/var/run/utmp", "utmp" },
	{ "/var/log/wtmp", "wtmp" },
	{ "/var/log/wtmp.1", "wtmp" },
	{ "/var/log/btmp", "btmp" },
	{ "/var/log/btmp.1", "btmp" },
};

/* Read up to n bytes; fewer only at the end of the file. -1 on error. */
static ssize_t
logins_read_full(int fd, unsigned char *buf, size_t n)
{
	size_t	got = 0;
	ssize_t	r;

	while (got < n) {
		if ((r = read(fd, buf + got, n - got)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* Open a file under the root: -2 when absent, -1 (recorded) when not
   readable. */
static int
logins_open(struct collect_ctx *ctx, const char *path, int quiet)
{
	struct stat	st;
	int		fd;

	if ((fd = collect_open(ctx, path, 0)) == -1) {
		if (errno == ENOENT || (quiet && errno == ELOOP)) {
			collect_log(ctx, LOG_DEBUG, "%s: not present", path);
			return -2;
		}
		collect_error(ctx, path, "cannot open: %s",
		    collect_open_error(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		collect_error(ctx, path, "not a regular file");
		close(fd);
		return -1;
	}
	return fd;
}

static json_t *
logins_utmp_record(const struct logins_file *f, const struct live_utmp *u)
{
	char	when[40];

	util_iso8601(when, sizeof when, (time_t)u->sec, u->usec);
	return json_pack("{s:s, s:s, s:s, s:i, s:o, s:o, s:o, s:o, s:o, s:s, "
	    "s:i, s:{s:i, s:i}}", "source", f->source, "file", f->path,
	    "type", live_utmp_type_name(u->type), "pid", (int)u->pid,
	    "line", live_json_strz(u->line), "id", live_json_strz(u->id),
	    "user", live_json_strz(u->user), "host", live_json_strz(u->host),
	    "addr", u->addr[0] ? json_string(u->addr) : json_null(),
	    "time", when, "session", (int)u->session, "exit",
	    "termination", u->exit_termination, "status", u->exit_status);
}

/* A bad record: one error each for the first few, then a count. */
static void
logins_bad(struct collect_ctx *ctx, const char *path, size_t *nbad,
    unsigned long long off, const char *why)
{
	if ((*nbad)++ < LOGINS_ERRORS_MAX)
		collect_error(ctx, path, "record at offset %llu: %s, skipped",
		    off, why);
}

/* Every record of one utmp-format file. 1 absent, 0 read, -1 errors. */
static int
logins_utmp_file(struct collect_ctx *ctx, const struct logins_file *f)
{
	unsigned char		rec[LIVE_UTMP_SIZE];
	struct live_utmp	u;
	unsigned long long	off = 0;
	size_t			nbad = 0, n = 0;
	ssize_t			got;
	int			fd, rc;

	if ((fd = logins_open(ctx, f->path, 1)) < 0)
		return fd == -2 ? 1 : -1;
	for (;; off += LIVE_UTMP_SIZE) {
		if (collect_expired(ctx))
			break;
		if ((got = logins_read_full(fd, rec, sizeof rec)) == -1) {
			collect_error(ctx, f->path, "read: %s", strerror(errno));
			nbad++;
			break;
		}
		if (got == 0)
			break;
		rc = live_parse_utmp(rec, (size_t)got, &u);
		if (rc == -1) {
			logins_bad(ctx, f->path, &nbad, off, "truncated");
			break;
		}
		if (rc == -2) {
			logins_bad(ctx, f->path, &nbad, off, "not a valid "
			    "record (garbage)");
			continue;
		}
		if (u.type == 0)
			continue;	/* an empty utmp slot */
		collect_record(ctx, "logins", logins_utmp_record(f, &u));
		n++;
	}
	close(fd);
	if (nbad > LOGINS_ERRORS_MAX)
		collect_error(ctx, f->path, "%zu bad records in all", nbad);
	collect_log(ctx, LOG_INFO, "%s: %zu records, %zu bad", f->path, n,
	    nbad);
	return nbad > 0 ? -1 : 0;
}

/* One lastlog record at uid; 0, or -1 when bad (recorded). */
static int
logins_lastlog_one(struct collect_ctx *ctx, const char *path,
    const unsigned char *rec, unsigned long long uid)
{
	struct live_lastlog	l;
	char			when[40];

	if (live_parse_lastlog(rec, LIVE_LASTLOG_SIZE, &l) != 0) {
		collect_error(ctx, path, "record of uid %llu: not a valid "
		    "record (garbage), skipped", uid);
		return -1;
	}
	if (l.time == 0)
		return 0;	/* never logged in */
	util_iso8601(when, sizeof when, (time_t)l.time, -1);
	collect_record(ctx, "logins", json_pack("{s:s, s:s, s:I, s:o, s:s, "
	    "s:o, s:o}", "source", "lastlog", "file", path, "uid",
	    (json_int_t)uid, "user", live_json_strz(collect_user_name(ctx,
	    (uid_t)uid)), "time", when, "line", live_json_strz(l.line),
	    "host", live_json_strz(l.host)));
	return 0;
}

/*
 * lastlog is indexed by uid and sparse (a 4 GB file of holes is
 * normal): only its data regions are read, record by record, up to the
 * per-file size cap.
 */
static int
logins_lastlog(struct collect_ctx *ctx, const char *path)
{
	unsigned char	rec[LIVE_LASTLOG_SIZE];
	off_t		off = 0, data, end;
	uint64_t	max = collect_max_file_size(ctx), nread = 0;
	ssize_t		got;
	int		fd, bad = 0;

	if ((fd = logins_open(ctx, path, 0)) < 0)
		return fd == -2 ? 1 : -1;
	while (nread < LOGINS_LASTLOG_MAX && !collect_expired(ctx)) {
		if ((data = lseek(fd, off, SEEK_DATA)) == -1)
			break;		/* ENXIO: no more data */
		/* The hole after the data, and the record it starts in. */
		if ((end = lseek(fd, data, SEEK_HOLE)) == -1 || end <= data)
			break;
		off = data - data % LIVE_LASTLOG_SIZE;
		for (; off < end && nread < LOGINS_LASTLOG_MAX; nread++) {
			if ((uint64_t)off >= max)
				goto done;
			if ((got = pread(fd, rec, sizeof rec, off)) <= 0)
				goto done;
			if ((size_t)got < sizeof rec) {
				collect_error(ctx, path, "record of uid %llu: "
				    "truncated, skipped", (unsigned long long)
				    (off / LIVE_LASTLOG_SIZE));
				bad = 1;
				goto done;
			}
			if (logins_lastlog_one(ctx, path, rec,
			    (unsigned long long)(off / LIVE_LASTLOG_SIZE)) == -1)
				bad = 1;
			off += LIVE_LASTLOG_SIZE;
		}
	}
done:
	close(fd);
	return bad ? -1 : 0;
}

static enum collect_result
logins_collect(struct collect_ctx *ctx)
{
	size_t	i;
	int	rc, utmp_done = 0, partial = 0;

	for (i = 0; i < nitems(logins_files); i++) {
		const struct logins_file	*f = &logins_files[i];

		/* /var/run/utmp is /run/utmp on most systems: read once. */
		if (strcmp(f->source, "utmp") == 0 && utmp_done)
			continue;
		rc = logins_utmp_file(ctx, f);
		if (rc != 1 && strcmp(f->source, "utmp") == 0)
			utmp_done = 1;
		if (rc == -1)
			partial = 1;
	}
	if (logins_lastlog(ctx, "/var/log/lastlog") == -1)
		partial = 1;
	return partial ? COLLECT_PARTIAL : COLLECT_OK;
}

const struct collector collector_logins = {
	.name = "logins",
	.description = "sessions, logins, failed logins and last logins "
	    "from utmp, wtmp, btmp and lastlog",
	.flags = 0,
	.run = logins_collect,
};
