/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * IOC packs (ioc-pack.h): signed ones through rules.c's bundle code with
 * the "iocs" kind, unsigned files and directories an operator names.
 * Every file is capped, a directory walk is bounded in depth and files,
 * and links are not followed.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ioc-pack.h"
#include "util.h"

#define IOC_PACK_DEPTH	8

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

static int
ioc_pack_suffix(const char *name)
{
	size_t	n = strlen(name);

	return (n > 5 && strcmp(name + n - 5, ".json") == 0) ||
	    (n > 4 && strcmp(name + n - 4, ".txt") == 0);
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

static int
ioc_pack_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .json and .txt files under dir, in name order. */
static int
ioc_pack_dir(struct ioc_set *s, const char *dir, int depth, size_t *nfiles,
    char *err, size_t errlen)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	char		**names = NULL, *p;
	size_t		 n = 0, i;
	int		 fd, rc = 0;

	if (depth > IOC_PACK_DEPTH) {
		snprintf(err, errlen, "%s: more than %d levels of folders",
		    dir, IOC_PACK_DEPTH);
		return -1;
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1 || (d = fdopendir(fd)) == NULL) {
		snprintf(err, errlen, "cannot read %s: %s", dir,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (++*nfiles > IOC_PACK_FILES_MAX) {
			snprintf(err, errlen, "%s: more than %d files", dir,
			    IOC_PACK_FILES_MAX);
			rc = -1;
			break;
		}
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof *names, ioc_pack_cmp);
	for (i = 0; i < n && rc == 0; i++) {
		p = xasprintf("%s/%s", dir, names[i]);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rc = ioc_pack_dir(s, p, depth + 1, nfiles, err,
			    errlen);
		else if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) &&
		    ioc_pack_suffix(names[i]))
			rc = ioc_pack_file(s, p, err, errlen);
		free(p);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

struct ioc_set *
ioc_pack_load(const char *path, const char *pubkey, const char *state,
    long long *version, char *err, size_t errlen)
{
	struct rules_bundle	 b;
	struct ioc_set		*s = ioc_set_new();
	struct stat		 st;
	size_t			 nfiles = 0;
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
		rc = ioc_pack_dir(s, path, 0, &nfiles, err, errlen);
	else
		rc = ioc_pack_file(s, path, err, errlen);
	if (rc == -1) {
		ioc_set_free(s);
		return NULL;
	}
	return s;
}
