/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * timeline: a TSK 3.x bodyfile (timeline/bodyfile.txt, read by stock
 * `mactime -b`) of the trees the profile names in its DIRECTORY sources.
 * The walk (agent/walk.c, the one tree walker) is iterative, with a
 * stack of open directories capped in depth, so memory and descriptors
 * stay bounded whatever the tree; it never follows a symlink, does not
 * trigger automounts, and does not enter pseudo or network file systems
 * (proc, sysfs, cgroup, nfs, cifs, fuse...; tmpfs is real data and is
 * walked). Birth times come
 * from statx (0 when the file system has none). Names are the paths
 * inside the root, with '|', '\' and bytes that are not printable UTF-8
 * written as \xNN so every line stays one parseable record.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "artifacts.h"
#include "os.h"
#include "walk.h"

#define TIMELINE_MAX_ROOTS	256
#define TIMELINE_FLUSH		(64 * 1024)
#define TIMELINE_STATX_MASK	(STATX_BASIC_STATS | STATX_BTIME)

struct timeline {
	struct collect_ctx	*ctx;
	struct collect_stream	*out;
	struct buf		 pending;
	struct walk		 walk;
	char			**roots;
	size_t			 nroots;
	size_t			 entries;
	int			 stopped;
};

void
timeline_escape(struct buf *b, const char *name)
{
	util_escape(b, name, strlen(name), UTIL_ESC_C0, "|\\");
}

static void
timeline_mode(char *out, mode_t m)
{
	static const char	rwx[] = "rwxrwxrwx";
	int			i;

	out[0] = S_ISREG(m) ? '-' : S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' :
	    S_ISCHR(m) ? 'c' : S_ISBLK(m) ? 'b' : S_ISFIFO(m) ? 'p' :
	    S_ISSOCK(m) ? 's' : '?';
	for (i = 0; i < 9; i++)
		out[i + 1] = (m & (0400 >> i)) ? rwx[i] : '-';
	if (m & S_ISUID)
		out[3] = (m & S_IXUSR) ? 's' : 'S';
	if (m & S_ISGID)
		out[6] = (m & S_IXGRP) ? 's' : 'S';
	if (m & S_ISVTX)
		out[9] = (m & S_IXOTH) ? 't' : 'T';
	out[10] = '\0';
}

void
timeline_line(struct buf *b, const char *name, const struct statx *stx)
{
	char	mode[11];

	timeline_mode(mode, stx->stx_mode);
	buf_addstr(b, "0|");
	timeline_escape(b, name);
	buf_printf(b, "|%llu|%s|%u|%u|%llu|%lld|%lld|%lld|%lld\n",
	    (unsigned long long)stx->stx_ino, mode, stx->stx_uid,
	    stx->stx_gid, (unsigned long long)stx->stx_size,
	    (long long)stx->stx_atime.tv_sec, (long long)stx->stx_mtime.tv_sec,
	    (long long)stx->stx_ctime.tv_sec, (stx->stx_mask & STATX_BTIME) ?
	    (long long)stx->stx_btime.tv_sec : 0LL);
}

static void
timeline_flush(struct timeline *t)
{
	if (t->pending.len > 0 && !t->stopped &&
	    collect_stream_write(t->out, t->pending.data, t->pending.len) != 0)
		t->stopped = 1;
	t->pending.len = 0;
}

static void
timeline_emit(struct timeline *t, const char *name, const struct statx *stx)
{
	timeline_line(&t->pending, name, stx);
	t->entries++;
	if (t->pending.len >= TIMELINE_FLUSH)
		timeline_flush(t);
}

/* An entry of the walk: its line. */
static int
timeline_entry(void *arg, const struct walk_entry *e)
{
	struct timeline	*t = arg;

	timeline_emit(t, e->path, e->stx);
	return t->stopped ? WALK_STOP : WALK_NEXT;
}

static int
timeline_stop(void *arg)
{
	struct timeline	*t = arg;

	return t->stopped || collect_expired(t->ctx);
}

/* One tree: its root's line, then everything below it. */
static void
timeline_tree(struct timeline *t, const char *root)
{
	struct statx	stx;
	int		fd;

	if ((fd = collect_open(t->ctx, root, O_PATH)) == -1) {
		if (errno != ENOENT)
			collect_error(t->ctx, root, "timeline: %s",
			    strerror(errno));
		return;
	}
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
	    TIMELINE_STATX_MASK, &stx) == -1) {
		collect_error(t->ctx, root, "timeline: %s", strerror(errno));
		close(fd);
		return;
	}
	close(fd);
	timeline_emit(t, root, &stx);
	if (!S_ISDIR(stx.stx_mode))
		return;
	if ((fd = collect_open(t->ctx, root, O_RDONLY | O_DIRECTORY)) == -1) {
		collect_error(t->ctx, root, "timeline: %s", strerror(errno));
		return;
	}
	switch (walk_tree(&t->walk, fd, root)) {
	case -1:
		t->stopped = 1;
		break;
	case -2:
		collect_log(t->ctx, LOG_INFO, "%s: pseudo or network file "
		    "system, not walked", root);
		break;
	}
}

static void
timeline_add_root(struct timeline *t, const char *path)
{
	size_t	i;

	for (i = 0; i < t->nroots; i++)
		if (strcmp(t->roots[i], path) == 0)
			return;
	if (t->nroots >= TIMELINE_MAX_ROOTS) {
		collect_log(t->ctx, LOG_WARN, "%s: more than %d timeline "
		    "trees: ignored", path, TIMELINE_MAX_ROOTS);
		return;
	}
	t->roots = xreallocarray(t->roots, t->nroots + 1, sizeof *t->roots);
	t->roots[t->nroots++] = xstrdup(path);
}

static int
timeline_found_root(void *arg, const char *path, const struct stat *st)
{
	if (S_ISDIR(st->st_mode))
		timeline_add_root(arg, path);
	return 0;
}

/* Whether root lies inside (or is) another tree of the list. */
static int
timeline_covered(struct timeline *t, size_t k)
{
	const char	*r = t->roots[k], *o;
	size_t		 i, n;

	for (i = 0; i < t->nroots; i++) {
		if (i == k || (o = t->roots[i]) == NULL)
			continue;
		n = strlen(o);
		if (strcmp(o, "/") == 0 || (strncmp(r, o, n) == 0 &&
		    r[n] == '/'))
			return 1;
	}
	return 0;
}

static void
timeline_roots(struct timeline *t, const struct artifacts_prep *p)
{
	const struct artifact_source	*s;
	const char			*why;
	char				**v;
	size_t				 i, j, k;

	for (i = 0; i < p->plan.ndirs; i++) {
		s = p->plan.dirs[i].source;
		for (j = 0; j < s->npaths; j++) {
			if (strpbrk(s->paths[j], "*?[") != NULL) {
				artifacts_walk(t->ctx, p, s->paths[j],
				    s->separator, timeline_found_root, t, &why);
				continue;
			}
			if (artifact_expand(s->paths[j], s->separator,
			    &p->users, &v, &why) < 0)
				continue;
			for (k = 0; v[k] != NULL; k++)
				timeline_add_root(t, v[k]);
			artifact_strv_free(v);
		}
	}
	for (k = 0; k < t->nroots; k++) {
		if (t->roots[k] != NULL && timeline_covered(t, k)) {
			free(t->roots[k]);
			t->roots[k] = NULL;
		}
	}
}

static enum collect_result
timeline_run(struct collect_ctx *ctx)
{
	struct artifacts_prep	 p;
	struct timeline		*t;
	enum collect_result	 rc = COLLECT_OK;
	size_t			 i;

	if (artifacts_prepare(ctx, 0, &p) != 0)
		return COLLECT_FAILED;
	t = xcalloc(1, sizeof *t);
	t->ctx = ctx;
	t->walk.entry = timeline_entry;
	t->walk.stop = timeline_stop;
	t->walk.arg = t;
	timeline_roots(t, &p);
	if (t->nroots == 0) {
		collect_log(ctx, LOG_INFO, "profile %s names no tree: no "
		    "bodyfile", p.profile);
		goto cleanup;
	}
	if ((t->out = collect_stream_open(ctx, "timeline/bodyfile.txt")) ==
	    NULL) {
		rc = COLLECT_FAILED;
		goto cleanup;
	}
	for (i = 0; i < t->nroots && !t->stopped; i++)
		if (t->roots[i] != NULL)
			timeline_tree(t, t->roots[i]);
	timeline_flush(t);
	if (collect_stream_close(t->out) != 0 || t->stopped)
		rc = COLLECT_PARTIAL;
	collect_log(ctx, LOG_INFO, "bodyfile: %zu entries; not entered: %zu "
	    "pseudo or network file systems, %zu directories deeper than %d; "
	    "%zu names too long, %zu unreadable%s", t->entries,
	    t->walk.pseudo, t->walk.toodeep, WALK_MAX_DEPTH, t->walk.toolong,
	    t->walk.errors,
	    t->stopped ? "; stopped early (time or size limit)" : "");
cleanup:
	for (i = 0; i < t->nroots; i++)
		free(t->roots[i]);
	free(t->roots);
	buf_free(&t->pending);
	free(t);
	artifacts_prep_free(&p);
	return rc;
}

const struct collector collector_timeline = {
	.name = "timeline",
	.description = "TSK bodyfile (mactime -b) of the profile's trees",
	.flags = COLLECTOR_SLOW,
	.run = timeline_run,
};
