/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * processes (minimal): pid, ppid, uid, name, cmdline and exe of every
 * process listed in /proc, into live/processes.jsonl.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector.h"
#include "util.h"

static char *
processes_read(int dfd, const char *name, size_t *len)
{
	char	*s;
	int	 fd;

	if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return NULL;
	s = util_read_fd(fd, 65536, len, NULL);
	close(fd);
	return s;
}

static json_t *
processes_one(struct collect_ctx *ctx, int dfd, long pid)
{
	json_t	*rec, *argv;
	char	*stat, *status, *cmd, *p, exe[PATH_MAX];
	size_t	 len = 0, off;
	long	 ppid = -1, uid = -1;
	ssize_t	 n;

	if ((stat = processes_read(dfd, "stat", NULL)) == NULL)
		return NULL;
	if ((p = strrchr(stat, ')')) != NULL)
		sscanf(p + 1, " %*c %ld", &ppid);
	status = processes_read(dfd, "status", NULL);
	if (status != NULL && (p = strstr(status, "\nUid:")) != NULL)
		uid = strtol(p + 5, NULL, 10);
	rec = json_pack("{s:I, s:I, s:I}", "pid", (json_int_t)pid,
	    "ppid", (json_int_t)ppid, "uid", (json_int_t)uid);
	if (uid >= 0 && collect_user_name(ctx, (uid_t)uid) != NULL)
		util_json_set_name(rec, "user",
		    collect_user_name(ctx, (uid_t)uid));
	if (status != NULL && strncmp(status, "Name:\t", 6) == 0) {
		status[6 + strcspn(status + 6, "\n")] = '\0';
		util_json_set_name(rec, "name", status + 6);
	}
	argv = json_array();
	if ((cmd = processes_read(dfd, "cmdline", &len)) != NULL)
		for (off = 0; off < len; off += strlen(cmd + off) + 1) {
			char	*a = util_utf8_lossy(cmd + off);

			json_array_append_new(argv, json_string(a));
			free(a);
		}
	json_object_set_new(rec, "cmdline", argv);
	if ((n = readlinkat(dfd, "exe", exe, sizeof exe - 1)) > 0) {
		exe[n] = '\0';
		util_json_set_name(rec, "exe", exe);
	}
	free(stat);
	free(status);
	free(cmd);
	return rec;
}

static enum collect_result
processes_run(struct collect_ctx *ctx)
{
	struct dirent	*de;
	json_t		*rec;
	DIR		*d;
	long		 pid;
	char		*end;
	int		 dfd;

	if ((d = opendir("/proc")) == NULL) {
		collect_error(ctx, "/proc", "cannot list processes");
		return COLLECT_FAILED;
	}
	while ((de = readdir(d)) != NULL && !collect_expired(ctx)) {
		pid = strtol(de->d_name, &end, 10);
		if (*end != '\0' || pid <= 0)
			continue;
		dfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (dfd == -1)
			continue;	/* it exited */
		if ((rec = processes_one(ctx, dfd, pid)) != NULL)
			collect_record(ctx, "processes", rec);
		close(dfd);
	}
	closedir(d);
	return COLLECT_OK;
}

const struct collector collector_processes = {
	.name = "processes",
	.description = "running processes from /proc",
	.flags = COLLECTOR_LIVE | COLLECTOR_NEEDS_ROOT,
	.run = processes_run,
};
