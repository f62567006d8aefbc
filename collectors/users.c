/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The "users" collector: the accounts of /etc/passwd and the groups of
 * /etc/group, read under the collection root (so it works on a mounted
 * image too), never through NSS. Each account says whether it has a
 * login shell and an empty password field; accounts with uid 0 are
 * flagged, and one other than root is logged as a warning, being a
 * classic backdoor. Records go to live/users.jsonl with "type" "user"
 * or "group", and "home" for each home the artefacts expand, marked when
 * it is outside passwd (/root, /home/NAME, the SSSD cache).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "artifacts.h"
#include "collector.h"
#include "util.h"
#include "live.h"
#include "passwd.h"

/* Whether shell lets someone log in (not nologin, false or empty). */
static int
users_login_shell(const char *shell)
{
	const char	*base = strrchr(shell, '/');

	base = base != NULL ? base + 1 : shell;
	return *base != '\0' && strcmp(base, "nologin") != 0 &&
	    strcmp(base, "false") != 0 && strcmp(base, "sync") != 0 &&
	    strcmp(base, "halt") != 0 && strcmp(base, "shutdown") != 0;
}

static json_t *
users_passwd_record(struct collect_ctx *ctx, const struct passwd_entry *pw)
{
	json_t	*rec;

	rec = json_pack("{s:s, s:o, s:I, s:I, s:o, s:o, s:o, s:o, s:b, s:b, "
	    "s:b}", "type", "user", "name", live_json_strz(pw->name),
	    "uid", (json_int_t)pw->id, "gid", (json_int_t)pw->gid,
	    "group", live_json_strz(collect_group_name(ctx, (gid_t)pw->gid)),
	    "gecos", live_json_strz(pw->gecos),
	    "home", live_json_strz(pw->dir),
	    "shell", live_json_strz(pw->shell),
	    "login_shell", users_login_shell(pw->shell),
	    "uid0", pw->id == 0,
	    "empty_password", *pw->passwd == '\0');
	if (pw->id == 0 && strcmp(pw->name, "root") != 0)
		collect_log(ctx, LOG_WARN, "account %s has uid 0", pw->name);
	if (*pw->passwd == '\0')
		collect_log(ctx, LOG_WARN, "account %s has an empty password "
		    "field in /etc/passwd", pw->name);
	return rec;
}

static json_t *
users_group_record(const struct passwd_entry *gr)
{
	json_t	*members = json_array();
	char	*m, *p = gr->members;

	while ((m = strsep(&p, ",")) != NULL) {
		if (*m != '\0')
			json_array_append_new(members, live_json_strz(m));
	}
	return json_pack("{s:s, s:o, s:I, s:o}", "type", "group", "name",
	    live_json_strz(gr->name), "gid", (json_int_t)gr->id, "members",
	    members);
}

/* The records of path (the one passwd reader); -1 when unreadable. */
static int
users_file(struct collect_ctx *ctx, const char *path, int group)
{
	struct passwd_file	 pf;
	size_t			 i;
	int			 fd, saved;
	json_t			*rec;

	if ((fd = collect_open(ctx, path, 0)) == -1) {
		if (errno == ENOENT)
			collect_log(ctx, LOG_WARN, "%s: not found", path);
		else
			collect_error(ctx, path, "cannot open: %s",
			    collect_open_error(errno));
		return -1;
	}
	if (passwd_load(&pf, fd, group) == -1) {
		saved = errno;
		close(fd);
		collect_error(ctx, path, "cannot read: %s", strerror(saved));
		return -1;
	}
	close(fd);
	if (pf.truncated)
		collect_error(ctx, path, "longer than %u bytes: the rest is "
		    "not parsed", PASSWD_FILE_MAX);
	for (i = 0; i < pf.n; i++) {
		rec = group ? users_group_record(&pf.v[i]) :
		    users_passwd_record(ctx, &pf.v[i]);
		json_object_set_new(rec, "source", json_string(path));
		collect_record(ctx, "users", rec);
	}
	if (pf.bad > 0)
		collect_log(ctx, LOG_WARN, "%s: %zu malformed lines skipped "
		    "(the first: line %zu)", path, pf.bad, pf.first_bad);
	passwd_free(&pf);
	return 0;
}

/*
 * One "home" record per home directory the artefacts expand: passwd's,
 * then those outside it (in_passwd false), with where each was found.
 */
static void
users_homes(struct collect_ctx *ctx)
{
	struct artifact_users	 u;
	struct stat		 st;
	json_t			*rec;
	size_t			 i, outside = 0;
	int			 fd, in;

	artifacts_homes(ctx, 0, &u);
	for (i = 0; i < u.n; i++) {
		in = strcmp(u.v[i].origin, "passwd") == 0;
		rec = json_pack("{s:s, s:o, s:o, s:b, s:s}", "type", "home",
		    "name", live_json_strz(u.v[i].name), "home",
		    live_json_strz(u.v[i].home), "in_passwd", in, "origin",
		    u.v[i].origin);
		if (in)
			json_object_set_new(rec, "uid",
			    json_integer((json_int_t)u.v[i].uid));
		memset(&st, 0, sizeof st);
		fd = *u.v[i].home == '/' ? collect_open(ctx, u.v[i].home,
		    O_RDONLY | O_DIRECTORY) : -1;
		json_object_set_new(rec, "exists", json_boolean(fd != -1));
		if (fd != -1 && fstat(fd, &st) == 0) {
			json_object_set_new(rec, "owner_uid",
			    json_integer((json_int_t)st.st_uid));
			json_object_set_new(rec, "owner", live_json_strz(
			    collect_user_name(ctx, st.st_uid)));
		}
		if (fd != -1)
			close(fd);
		if (!in) {
			outside++;
			collect_log(ctx, LOG_INFO, "home %s (%s): not in "
			    "/etc/passwd", u.v[i].home, u.v[i].origin);
		}
		collect_record(ctx, "users", rec);
	}
	collect_log(ctx, LOG_INFO, "%zu homes, %zu of them outside /etc/passwd",
	    u.n, outside);
	artifact_users_free(&u);
}

static enum collect_result
users_collect(struct collect_ctx *ctx)
{
	int	failed = 0;

	if (users_file(ctx, "/etc/passwd", 0) == -1)
		failed++;
	if (users_file(ctx, "/etc/group", 1) == -1)
		failed++;
	users_homes(ctx);
	return failed == 2 ? COLLECT_FAILED : failed ? COLLECT_PARTIAL :
	    COLLECT_OK;
}

const struct collector collector_users = {
	.name = "users",
	.description = "accounts and groups from /etc/passwd and /etc/group",
	.flags = 0,
	.run = users_collect,
};
