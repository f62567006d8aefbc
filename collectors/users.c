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
 * or "group".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector.h"
#include "util.h"
#include "live.h"

#define USERS_FILE_MAX	(16U << 20)

/* The whole of a file under the root, capped; NULL when unreadable. */
static char *
users_read(struct collect_ctx *ctx, const char *path, size_t *lenp)
{
	char	*s;
	int	 fd, trunc = 0, saved;

	if ((fd = collect_open(ctx, path, 0)) == -1) {
		if (errno == ENOENT)
			collect_log(ctx, LOG_WARN, "%s: not found", path);
		else
			collect_error(ctx, path, "cannot open: %s",
			    collect_open_error(errno));
		return NULL;
	}
	s = util_read_fd(fd, USERS_FILE_MAX, lenp, &trunc);
	saved = errno;
	close(fd);
	if (s == NULL)
		collect_error(ctx, path, "cannot read: %s", strerror(saved));
	else if (trunc)
		collect_error(ctx, path, "longer than %u bytes: the rest is "
		    "not parsed", USERS_FILE_MAX);
	return s;
}

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
users_passwd_record(struct collect_ctx *ctx, const struct live_passwd *pw)
{
	json_t	*rec;

	rec = json_pack("{s:s, s:o, s:I, s:I, s:o, s:o, s:o, s:o, s:b, s:b, "
	    "s:b}", "type", "user", "name", live_json_strz(pw->name),
	    "uid", (json_int_t)pw->uid, "gid", (json_int_t)pw->gid,
	    "group", live_json_strz(collect_group_name(ctx, (gid_t)pw->gid)),
	    "gecos", live_json_strz(pw->gecos),
	    "home", live_json_strz(pw->dir),
	    "shell", live_json_strz(pw->shell),
	    "login_shell", users_login_shell(pw->shell),
	    "uid0", pw->uid == 0,
	    "empty_password", *pw->passwd == '\0');
	if (pw->uid == 0 && strcmp(pw->name, "root") != 0)
		collect_log(ctx, LOG_WARN, "account %s has uid 0", pw->name);
	if (*pw->passwd == '\0')
		collect_log(ctx, LOG_WARN, "account %s has an empty password "
		    "field in /etc/passwd", pw->name);
	return rec;
}

static json_t *
users_group_record(const struct live_group *gr)
{
	json_t	*members = json_array();
	char	*m, *p = gr->members;

	while ((m = strsep(&p, ",")) != NULL) {
		if (*m != '\0')
			json_array_append_new(members, live_json_strz(m));
	}
	return json_pack("{s:s, s:o, s:I, s:o}", "type", "group", "name",
	    live_json_strz(gr->name), "gid", (json_int_t)gr->gid, "members",
	    members);
}

/* Parse path line by line; -1 when it could not be read. */
static int
users_file(struct collect_ctx *ctx, const char *path, int group)
{
	struct live_passwd	 pw;
	struct live_group	 gr;
	char			*buf, *line;
	size_t			 len, pos = 0, lineno = 0, bad = 0, first = 0;
	json_t			*rec;

	if ((buf = users_read(ctx, path, &len)) == NULL)
		return -1;
	while ((line = live_next_line(buf, len, &pos)) != NULL) {
		lineno++;
		if (*line == '\0' || *line == '#')
			continue;
		if (group)
			rec = live_parse_group_line(line, &gr) == 0 ?
			    users_group_record(&gr) : NULL;
		else
			rec = live_parse_passwd_line(line, &pw) == 0 ?
			    users_passwd_record(ctx, &pw) : NULL;
		if (rec == NULL) {
			if (bad++ == 0)
				first = lineno;
			continue;
		}
		json_object_set_new(rec, "source", json_string(path));
		collect_record(ctx, "users", rec);
	}
	free(buf);
	if (bad > 0)
		collect_log(ctx, LOG_WARN, "%s: %zu malformed lines skipped "
		    "(the first: line %zu)", path, bad, first);
	return 0;
}

static enum collect_result
users_collect(struct collect_ctx *ctx)
{
	int	failed = 0;

	if (users_file(ctx, "/etc/passwd", 0) == -1)
		failed++;
	if (users_file(ctx, "/etc/group", 1) == -1)
		failed++;
	return failed == 2 ? COLLECT_FAILED : failed ? COLLECT_PARTIAL :
	    COLLECT_OK;
}

const struct collector collector_users = {
	.name = "users",
	.description = "accounts and groups from /etc/passwd and /etc/group",
	.flags = 0,
	.run = users_collect,
};
