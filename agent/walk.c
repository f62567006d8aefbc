/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The tree walker (walk.h). The path of the entry being looked at is
 * built in one buffer; each open directory on the stack remembers the
 * length of its own path in it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "os.h"
#include "util.h"
#include "walk.h"

#define WALK_STATX_MASK	(STATX_BASIC_STATS | STATX_BTIME)

struct walk_frame {
	DIR	*d;
	size_t	 len;		/* of the path of this directory */
};

struct walk_state {
	struct walk		*w;
	char			 path[WALK_MAX_PATH + 1];
	struct walk_frame	 stack[WALK_MAX_DEPTH];
	size_t			 depth;
};

static void
walk_error(struct walk *w, const char *path, const char *what, int err)
{
	if (w->error != NULL)
		w->error(w->arg, path, what, err);
}

/* The fields of a statx a struct stat has. */
static void
walk_stat(const struct statx *stx, struct stat *st)
{
	memset(st, 0, sizeof *st);
	st->st_dev = makedev(stx->stx_dev_major, stx->stx_dev_minor);
	st->st_ino = stx->stx_ino;
	st->st_mode = stx->stx_mode;
	st->st_nlink = stx->stx_nlink;
	st->st_uid = stx->stx_uid;
	st->st_gid = stx->stx_gid;
	st->st_rdev = makedev(stx->stx_rdev_major, stx->stx_rdev_minor);
	st->st_size = (off_t)stx->stx_size;
	st->st_blksize = (blksize_t)stx->stx_blksize;
	st->st_blocks = (blkcnt_t)stx->stx_blocks;
	st->st_atim.tv_sec = stx->stx_atime.tv_sec;
	st->st_atim.tv_nsec = stx->stx_atime.tv_nsec;
	st->st_mtim.tv_sec = stx->stx_mtime.tv_sec;
	st->st_mtim.tv_nsec = stx->stx_mtime.tv_nsec;
	st->st_ctim.tv_sec = stx->stx_ctime.tv_sec;
	st->st_ctim.tv_nsec = stx->stx_ctime.tv_nsec;
}

/* Push the directory fd (owned), whose path is s->path[0..len). */
static void
walk_push(struct walk_state *s, int fd, size_t len)
{
	DIR	*d;

	if ((d = fdopendir(fd)) == NULL) {
		s->w->errors++;
		walk_error(s->w, s->path, "too deep or unreadable", errno);
		close(fd);
		return;
	}
	s->stack[s->depth].d = d;
	s->stack[s->depth].len = len;
	s->depth++;
}

/* Enter the directory name of dfd (s->path, len bytes), if it may be. */
static void
walk_enter(struct walk_state *s, int dfd, const char *name, size_t len)
{
	int	fd;

	if (s->depth >= WALK_MAX_DEPTH) {
		s->w->toodeep++;
		walk_error(s->w, s->path, "too deep or unreadable", ELOOP);
		return;
	}
	if ((fd = os_openat(dfd, name, O_RDONLY | O_DIRECTORY)) == -1) {
		s->w->errors++;
		walk_error(s->w, s->path, "open directory", errno);
		return;
	}
	if (os_fs_pseudo(fd)) {
		s->w->pseudo++;
		close(fd);
		return;
	}
	walk_push(s, fd, len);
}

/* One entry of the directory on top of the stack: WALK_NEXT… */
static int
walk_entry(struct walk_state *s, const char *name)
{
	struct walk_frame	*f = &s->stack[s->depth - 1];
	struct walk_entry	 e;
	struct statx		 stx;
	struct stat		 st;
	size_t			 n = strlen(name), len = f->len + 1 + n;
	int			 rc;

	if (len > WALK_MAX_PATH) {
		s->w->toolong++;
		s->path[f->len] = '\0';
		walk_error(s->w, s->path, "path", ENAMETOOLONG);
		return WALK_NEXT;
	}
	s->path[f->len] = '/';
	memcpy(s->path + f->len + 1, name, n + 1);
	if (statx(dirfd(f->d), name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
	    WALK_STATX_MASK, &stx) == -1) {
		s->w->errors++;
		walk_error(s->w, s->path, "stat", errno);
		return WALK_NEXT;
	}
	walk_stat(&stx, &st);
	e.dfd = dirfd(f->d);
	e.name = name;
	e.path = s->path;
	e.stx = &stx;
	e.st = &st;
	s->w->entries++;
	if ((rc = s->w->entry(s->w->arg, &e)) != WALK_NEXT)
		return rc;
	if (S_ISDIR(stx.stx_mode))
		walk_enter(s, dirfd(f->d), name, len);
	return WALK_NEXT;
}

int
walk_tree(struct walk *w, int fd, const char *top)
{
	struct walk_state	*s;
	struct dirent		*de;
	size_t			 len, n = 0;
	int			 rc = 0;

	if (os_fs_pseudo(fd)) {
		close(fd);
		return -2;
	}
	s = xcalloc(1, sizeof *s);
	s->w = w;
	/* "/" is the empty prefix: its children are "/x", not "//x". */
	len = strlen(top);
	while (len > 0 && top[len - 1] == '/')
		len--;
	if (len > WALK_MAX_PATH)
		len = WALK_MAX_PATH;
	memcpy(s->path, top, len);
	s->path[len] = '\0';
	walk_push(s, fd, len);
	while (s->depth > 0) {
		if (w->stop != NULL && (n++ % WALK_POLL) == 0 &&
		    w->stop(w->arg)) {
			rc = -1;
			break;
		}
		if ((de = readdir(s->stack[s->depth - 1].d)) == NULL) {
			closedir(s->stack[--s->depth].d);
			continue;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (walk_entry(s, de->d_name) == WALK_STOP) {
			rc = -1;
			break;
		}
	}
	while (s->depth > 0)
		closedir(s->stack[--s->depth].d);
	free(s);
	return rc;
}
