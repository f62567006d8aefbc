/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * IOC packs (ioc-pack.h): signed ones through rules.c's bundle code with
 * the "iocs" kind, unsigned files and directories an operator names.
 * Every file is capped, a directory is walked by walk.c (bounded in
 * depth, links not followed) and its files are counted.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ioc-pack.h"
#include "util.h"
#include "walk.h"

int
ioc_pack_add(struct ioc_set *s, const char *path,
    const struct rules_bundle *b, char *err, size_t errlen)
{
	char	*name;
	size_t	 i;
	int	 n;

	for (i = 0; i < b->nfiles; i++) {
		/* PACK:ENTRY names the file in messages and records. */
		name = xasprintf("%s:%s", path, b->files[i].name);
		n = ioc_set_load(s, name, b->files[i].text,
		    strlen(b->files[i].text), err, errlen);
		free(name);
		if (n == -1)
			return -1;
	}
	return 0;
}

/* One unsigned file. */
static int
ioc_pack_file(struct ioc_set *s, const char *path, char *err, size_t errlen)
{
	char	*data;
	size_t	 len;
	int	 n;

	if ((data = util_read_file(path, IOC_PACK_FILE_MAX, &len, err,
	    errlen)) == NULL)
		return -1;
	n = ioc_set_load(s, path, data, len, err, errlen);
	free(data);
	return n == -1 ? -1 : 0;
}

/* A directory being read (walk.c calls back). */
struct ioc_pack_walk {
	struct ioc_set	*s;
	const char	*top;
	size_t		 nfiles;
	char		*err;
	size_t		 errlen;
	int		 failed;
};

static int
ioc_pack_entry(void *arg, const struct walk_entry *e)
{
	struct ioc_pack_walk	*w = arg;
	char			*path, *data = NULL;
	size_t			 len;
	int			 fd = -1, trunc = 0, ok = 0;

	if (!S_ISREG(e->st->st_mode) || !rules_kept(&rules_kind_iocs,
	    e->name))
		return WALK_NEXT;
	/* walk.c's paths start with '/' under the top "". */
	path = xasprintf("%s/%s", w->top, e->path + (e->path[0] == '/'));
	if (++w->nfiles > IOC_PACK_FILES_MAX)
		snprintf(w->err, w->errlen, "%s: more than %d files", w->top,
		    IOC_PACK_FILES_MAX);
	else if ((fd = openat(e->dfd, e->name, O_RDONLY | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC)) == -1 || (data = util_read_fd(fd,
	    IOC_PACK_FILE_MAX, &len, &trunc)) == NULL || trunc)
		snprintf(w->err, w->errlen, "cannot read %s: %s", path,
		    data == NULL ? strerror(errno) : "too large");
	else
		ok = ioc_set_load(w->s, path, data, len, w->err,
		    w->errlen) != -1;
	w->failed = !ok;
	free(data);
	if (fd != -1)
		close(fd);
	free(path);
	return w->failed ? WALK_STOP : WALK_NEXT;
}

static void
ioc_pack_walk_error(void *arg, const char *path, const char *what, int errnum)
{
	struct ioc_pack_walk	*w = arg;

	if (w->failed)
		return;
	snprintf(w->err, w->errlen, "%s/%s: %s: %s", w->top, path +
	    (path[0] == '/'), what, strerror(errnum));
	w->failed = 1;
}

/* The .json and .txt files under dir (walk.c: links not followed). */
static int
ioc_pack_dir(struct ioc_set *s, const char *dir, char *err, size_t errlen)
{
	struct ioc_pack_walk	 w;
	struct walk		 wk;
	int			 fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot read %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	memset(&w, 0, sizeof w);
	w.s = s;
	w.top = dir;
	w.err = err;
	w.errlen = errlen;
	memset(&wk, 0, sizeof wk);
	wk.entry = ioc_pack_entry;
	wk.error = ioc_pack_walk_error;
	wk.arg = &w;
	if (walk_tree(&wk, fd, "") == -2) {
		snprintf(err, errlen, "%s: on a pseudo or network file system: "
		    "not read", dir);
		return -1;
	}
	return w.failed ? -1 : 0;
}

struct ioc_set *
ioc_pack_load(const char *path, const char *pubkey, const char *state,
    long long *version, char *err, size_t errlen)
{
	struct rules_bundle	 b;
	struct ioc_set		*s = ioc_set_new();
	struct stat		 st;
	int			 rc;

	if (version != NULL)
		*version = -1;
	if (rules_is_bundle(path)) {
		if (rules_pack_load(&rules_kind_iocs, path, pubkey, state, &b,
		    err, errlen) == -1) {
			ioc_set_free(s);
			return NULL;
		}
		rc = ioc_pack_add(s, path, &b, err, errlen);
		if (version != NULL)
			*version = b.version;
		rules_bundle_free(&b);
	} else if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
		rc = ioc_pack_dir(s, path, err, errlen);
	else
		rc = ioc_pack_file(s, path, err, errlen);
	if (rc == -1) {
		ioc_set_free(s);
		return NULL;
	}
	return s;
}
