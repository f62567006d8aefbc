/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * files: a small built-in list of logs and configuration files, and the
 * regular files directly inside a few directories. Paths are taken
 * inside the root; links are recorded, never followed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector.h"
#include "util.h"

static const char *const files_paths[] = {
	"/etc/passwd", "/etc/group", "/etc/hosts", "/etc/hostname",
	"/etc/resolv.conf", "/etc/os-release", "/etc/fstab", "/etc/crontab",
	"/etc/ld.so.preload", "/etc/sudoers", "/etc/ssh/sshd_config",
	"/etc/rc.local", "/etc/timezone", "/etc/machine-id",
	"/root/.bash_history", "/root/.ssh/authorized_keys",
	"/var/log/auth.log", "/var/log/secure", "/var/log/syslog",
	"/var/log/messages", "/var/log/kern.log", "/var/log/wtmp",
	"/var/log/btmp", "/var/log/lastlog", "/var/log/dpkg.log",
	"/var/log/audit/audit.log", "/var/run/utmp",
};

/* Directories whose regular files (not sub-directories) are taken. */
static const char *const files_dirs[] = {
	"/etc/cron.d", "/etc/cron.daily", "/etc/cron.hourly",
	"/var/spool/cron/crontabs", "/etc/sudoers.d", "/etc/profile.d",
};

/* Collect the regular files of dir. -1 if the dir could not be read. */
static int
files_dir(struct collect_ctx *ctx, const char *dir)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	char		*path;
	int		 fd;

	if ((fd = collect_open(ctx, dir, O_RDONLY | O_DIRECTORY)) == -1) {
		if (errno != ENOENT)
			collect_error(ctx, dir, "cannot open: %s",
			    strerror(errno));
		return errno == ENOENT ? 0 : -1;
	}
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL && !collect_expired(ctx)) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1 || S_ISDIR(st.st_mode))
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		collect_file(ctx, path);
		free(path);
	}
	closedir(d);
	return 0;
}

static enum collect_result
files_run(struct collect_ctx *ctx)
{
	size_t	i, failed = 0;
	int	fd;

	for (i = 0; i < nitems(files_paths) && !collect_expired(ctx); i++) {
		/* Absent files are normal: only try those that exist. */
		fd = collect_open(ctx, files_paths[i], O_PATH);
		if (fd == -1 && errno == ENOENT)
			continue;
		if (fd != -1)
			close(fd);
		if (collect_file(ctx, files_paths[i]) == -1)
			failed++;
	}
	for (i = 0; i < nitems(files_dirs) && !collect_expired(ctx); i++)
		if (files_dir(ctx, files_dirs[i]) == -1)
			failed++;
	return failed ? COLLECT_PARTIAL : COLLECT_OK;
}

const struct collector collector_files = {
	.name = "files",
	.description = "built-in list of logs and configuration files",
	.flags = COLLECTOR_NEEDS_ROOT,
	.run = files_run,
};
