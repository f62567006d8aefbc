/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * timeline: a TSK 3.x bodyfile (timeline/bodyfile.txt, read by stock
 * `mactime -b`) of the trees the profile names in its DIRECTORY sources.
 * The walk is iterative, with an explicit stack of open directories
 * capped in depth, so memory and descriptors stay bounded whatever the
 * tree; it never follows a symlink, does not trigger automounts, and
 * does not enter pseudo or network file systems (proc, sysfs, cgroup,
 * nfs, cifs, fuse...; tmpfs is real data and is walked). Birth times come
 * from statx (0 when the file system has none). Names are the paths
 * inside the root, with '|', '\' and bytes that are not printable UTF-8
 * written as \xNN so every line stays one parseable record.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "artifacts.h"
#include "os.h"

#define TIMELINE_MAX_DEPTH	128	/* directories open at once */
#define TIMELINE_MAX_PATH	4096
#define TIMELINE_MAX_ROOTS	256
#define TIMELINE_FLUSH		(64 * 1024)
#define TIMELINE_STATX_MASK	(STATX_BASIC_STATS | STATX_BTIME)

struct timeline_frame {
	DIR	*d;
	size_t	 len;		/* of path for this directory */
};

struct timeline {
	struct collect_ctx	*ctx;
	struct collect_stream	*out;
	struct buf		 pending;
	char			 path[TIMELINE_MAX_PATH + 1];
	struct timeline_frame	 stack[TIMELINE_MAX_DEPTH];
	size_t			 depth;
	char			**roots;
	size_t			 nroots;
	size_t			 entries, pseudo, toodeep, toolong, errors;
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

/* Open a subdirectory for the walk; -1 when it is not to be entered. */
static int
timeline_enter(struct timeline *t, int dfd, const char *name)
{
	int	fd;

	if (t->depth >= TIMELINE_MAX_DEPTH) {
		t->toodeep++;
		return -1;
	}
	if ((fd = os_openat(dfd, name, O_RDONLY | O_DIRECTORY)) == -1) {
		t->errors++;
		return -1;
	}
	if (os_fs_pseudo(fd)) {
		t->pseudo++;
		close(fd);
		return -1;
	}
	return fd;
}

static void
timeline_push(struct timeline *t, int fd, size_t len)
{
	DIR	*d;

	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		t->errors++;
		return;
	}
	t->stack[t->depth].d = d;
	t->stack[t->depth].len = len;
	t->depth++;
}

/* One entry of the directory on top of the stack. */
static void
timeline_entry(struct timeline *t, const char *name)
{
	struct timeline_frame	*f = &t->stack[t->depth - 1];
	struct statx		 stx;
	size_t			 n = strlen(name), len;
	int			 fd;

	if (f->len + 1 + n > TIMELINE_MAX_PATH) {
		t->toolong++;
		return;
	}
	t->path[f->len] = '/';
	memcpy(t->path + f->len + 1, name, n + 1);
	len = f->len + 1 + n;
	if (statx(dirfd(f->d), name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
	    TIMELINE_STATX_MASK, &stx) == -1) {
		t->errors++;
		return;
	}
	timeline_emit(t, t->path, &stx);
	if (S_ISDIR(stx.stx_mode) &&
	    (fd = timeline_enter(t, dirfd(f->d), name)) != -1)
		timeline_push(t, fd, len);
}

static void
timeline_walk(struct timeline *t)
{
	struct timeline_frame	*f;
	struct dirent		*de;

	while (t->depth > 0 && !t->stopped) {
		f = &t->stack[t->depth - 1];
		if ((de = readdir(f->d)) == NULL) {
			closedir(f->d);
			t->depth--;
			continue;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if ((t->entries & 1023) == 0 && collect_expired(t->ctx)) {
			t->stopped = 1;
			break;
		}
		timeline_entry(t, de->d_name);
	}
	while (t->depth > 0)
		closedir(t->stack[--t->depth].d);
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
	if (os_fs_pseudo(fd)) {
		collect_log(t->ctx, LOG_INFO, "%s: pseudo or network file "
		    "system, not walked", root);
		close(fd);
		return;
	}
	/* "/" is the empty prefix: its children are "/x", not "//x". */
	snprintf(t->path, sizeof t->path, "%s", strcmp(root, "/") == 0 ? "" :
	    root);
	timeline_push(t, fd, strlen(t->path));
	timeline_walk(t);
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
	    "%zu names too long, %zu unreadable%s", t->entries, t->pseudo,
	    t->toodeep, TIMELINE_MAX_DEPTH, t->toolong, t->errors,
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
