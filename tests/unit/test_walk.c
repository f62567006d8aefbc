/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The tree walker: every entry once with its path and lstat, symlinks
 * reported and not followed, the depth and path caps counted and
 * reported, WALK_SKIP and WALK_STOP, the stop callback, a pseudo file
 * system not walked.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "walk.h"
#include "unit.h"

static char	root[64];

struct seen {
	char	*paths[512];
	mode_t	 modes[512];
	size_t	 n;
	size_t	 nerr;
	char	 what[8][64];
	int	 err[8];
	size_t	 stop_after;	/* WALK_STOP at this entry (0: never) */
	const char *skip;	/* WALK_SKIP this path */
	int	 statok;	/* each st agreed with lstat */
};

static int
seen_entry(void *arg, const struct walk_entry *e)
{
	struct seen	*s = arg;
	struct stat	 st;

	if (fstatat(e->dfd, e->name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    st.st_ino != e->st->st_ino || st.st_dev != e->st->st_dev ||
	    st.st_mode != e->st->st_mode || st.st_size != e->st->st_size ||
	    st.st_mtim.tv_sec != e->st->st_mtim.tv_sec ||
	    e->stx->stx_ino != st.st_ino)
		s->statok = 0;
	if (s->n < 512) {
		s->paths[s->n] = xstrdup(e->path);
		s->modes[s->n] = e->st->st_mode;
	}
	s->n++;
	if (s->stop_after != 0 && s->n == s->stop_after)
		return WALK_STOP;
	if (s->skip != NULL && strcmp(e->path, s->skip) == 0)
		return WALK_SKIP;
	return WALK_NEXT;
}

static void
seen_error(void *arg, const char *path, const char *what, int err)
{
	struct seen	*s = arg;

	(void)path;
	if (s->nerr < 8) {
		snprintf(s->what[s->nerr], sizeof s->what[0], "%s", what);
		s->err[s->nerr] = err;
	}
	s->nerr++;
}

static int
seen_has(struct seen *s, const char *path)
{
	size_t	i;

	for (i = 0; i < s->n && i < 512; i++)
		if (strcmp(s->paths[i], path) == 0)
			return 1;
	return 0;
}

static void
seen_free(struct seen *s)
{
	size_t	i;

	for (i = 0; i < s->n && i < 512; i++)
		free(s->paths[i]);
}

static int
walk_run(struct seen *s, struct walk *w, const char *top)
{
	char	*p = xasprintf("%s%s", root, top);
	int	 fd, rc;

	memset(w, 0, sizeof *w);
	w->entry = seen_entry;
	w->error = seen_error;
	w->arg = s;
	s->statok = 1;
	fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd != -1);
	free(p);
	rc = walk_tree(w, fd, top);
	return rc;
}

static void
mkfile(const char *path)
{
	char	*p = xasprintf("%s%s", root, path);
	int	 fd;

	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd != -1);
	if (fd != -1) {
		CHECK(util_write_all(fd, "x\n", 2) == 0);
		close(fd);
	}
	free(p);
}

static void
mkd(const char *path)
{
	char	*p = xasprintf("%s%s", root, path);

	CHECK(mkdir(p, 0755) == 0);
	free(p);
}

/* A chain of n directories named name below dir (relative: no PATH_MAX). */
static void
mkchain(const char *dir, const char *name, int n)
{
	char	*p = xasprintf("%s%s", root, dir);
	int	 fd, next, i;

	fd = open(p, O_RDONLY | O_DIRECTORY);
	CHECK(fd != -1);
	free(p);
	for (i = 0; i < n && fd != -1; i++) {
		CHECK(mkdirat(fd, name, 0755) == 0);
		next = openat(fd, name, O_RDONLY | O_DIRECTORY);
		close(fd);
		fd = next;
	}
	if (fd != -1)
		close(fd);
}

static void
test_tree(void)
{
	struct seen	s = { 0 };
	struct walk	w;
	char		*t;

	mkd("/t");
	mkd("/t/d1");
	mkd("/t/d1/d2");
	mkfile("/t/a.txt");
	mkfile("/t/d1/b.txt");
	mkfile("/t/d1/d2/c.txt");
	t = xasprintf("%s/t/link", root);
	CHECK(symlink("d1", t) == 0);
	free(t);
	t = xasprintf("%s/t/fifo", root);
	CHECK(mkfifo(t, 0600) == 0);
	free(t);
	CHECK(walk_run(&s, &w, "/t/") == 0);	/* a trailing slash: dropped */
	CHECK(s.n == 7);
	CHECK(w.entries == 7);
	CHECK(seen_has(&s, "/t/a.txt"));
	CHECK(seen_has(&s, "/t/d1"));
	CHECK(seen_has(&s, "/t/d1/b.txt"));
	CHECK(seen_has(&s, "/t/d1/d2/c.txt"));
	CHECK(seen_has(&s, "/t/link"));
	CHECK(seen_has(&s, "/t/fifo"));
	CHECK(!seen_has(&s, "/t/link/b.txt"));	/* never followed */
	CHECK(!seen_has(&s, "/t"));		/* the top is not reported */
	CHECK(s.statok);
	CHECK(s.nerr == 0 && w.errors == 0 && w.toodeep == 0 &&
	    w.toolong == 0 && w.pseudo == 0);
	seen_free(&s);
}

static void
test_skip_stop(void)
{
	struct seen	s = { 0 };
	struct walk	w;

	s.skip = "/t/d1";
	CHECK(walk_run(&s, &w, "/t") == 0);
	CHECK(seen_has(&s, "/t/d1"));
	CHECK(!seen_has(&s, "/t/d1/b.txt"));
	CHECK(s.n == 4);
	seen_free(&s);

	memset(&s, 0, sizeof s);
	s.stop_after = 2;
	CHECK(walk_run(&s, &w, "/t") == -1);
	CHECK(s.n == 2);
	seen_free(&s);
}

static int
stop_now(void *arg)
{
	(void)arg;
	return 1;
}

static void
test_stop_fn(void)
{
	struct seen	s = { 0 };
	struct walk	w;
	char		*p = xasprintf("%s/t", root);
	int		 fd;

	memset(&w, 0, sizeof w);
	w.entry = seen_entry;
	w.stop = stop_now;
	w.arg = &s;
	fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(p);
	CHECK(walk_tree(&w, fd, "/t") == -1);
	CHECK(s.n == 0);
}

static void
test_depth(void)
{
	struct seen	s = { 0 };
	struct walk	w;

	mkd("/deep");
	mkchain("/deep", "n", WALK_MAX_DEPTH + 5);
	CHECK(walk_run(&s, &w, "/deep") == 0);
	/* The stack holds the top and WALK_MAX_DEPTH - 1 below it. */
	CHECK(w.toodeep == 1);
	CHECK(s.n == WALK_MAX_DEPTH);
	CHECK(s.nerr == 1);
	CHECK_STR(s.what[0], "too deep or unreadable");
	CHECK(s.err[0] == ELOOP);
	seen_free(&s);
}

static void
test_path_cap(void)
{
	struct seen	s = { 0 };
	struct walk	w;
	char		name[201];

	memset(name, 'L', 200);
	name[200] = '\0';
	mkd("/long");
	/* 25 components of 201 bytes: past WALK_MAX_PATH at the 21st. */
	mkchain("/long", name, 25);
	CHECK(walk_run(&s, &w, "/long") == 0);
	CHECK(w.toolong == 1);
	CHECK(s.n == (WALK_MAX_PATH - strlen("/long")) / 201);
	CHECK(s.nerr == 1);
	CHECK_STR(s.what[0], "path");
	CHECK(s.err[0] == ENAMETOOLONG);
	seen_free(&s);
}

static void
test_pseudo(void)
{
	struct seen	s = { 0 };
	struct walk	w;
	int		fd;

	memset(&w, 0, sizeof w);
	w.entry = seen_entry;
	w.arg = &s;
	if ((fd = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		UNIT_SKIP("no /proc here");
		return;
	}
	CHECK(walk_tree(&w, fd, "/proc/self") == -2);
	CHECK(s.n == 0);
}

static void
cleanup(void)
{
	char	*cmd;
	int	 rc;

	/* The chains are deeper than rm's paths may be: rm -r copes. */
	cmd = xasprintf("rm -rf '%s'", root);
	rc = system(cmd);
	(void)rc;
	free(cmd);
}

int
main(void)
{
	snprintf(root, sizeof root, "/tmp/test_walk.XXXXXX");
	if (mkdtemp(root) == NULL) {
		printf("FAIL test_walk.c: mkdtemp\n");
		return 1;
	}
	UNIT_RUN(test_tree);
	UNIT_RUN(test_skip_stop);
	UNIT_RUN(test_stop_fn);
	UNIT_RUN(test_depth);
	UNIT_RUN(test_path_cap);
	UNIT_RUN(test_pseudo);
	cleanup();
	return unit_any_failed;
}
