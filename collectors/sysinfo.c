/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The "system" collector: one record of host state in live/system.jsonl
 * (hostname, os-release, kernel, machine-id, boot_id, uptime, boot time,
 * timezone, kernel command line, taint, /etc/ld.so.preload), the loaded
 * kernel modules in live/modules.jsonl and the mounts in
 * live/mounts.jsonl. What lives in files (/etc) is read under the
 * collection root, so a mounted image still gets its identity; what
 * only the running kernel knows (/proc, /sys) is skipped in dead-box
 * mode. A module that /sys/module shows as loaded but /proc/modules
 * does not list is reported hidden (a rootkit unlinking itself).
 */
#include <sys/stat.h>
#include <sys/utsname.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "util.h"
#include "live.h"

#define SYSINFO_FILE_MAX	(1U << 20)
#define SYSINFO_TABLE_MAX	(16U << 20)

/* A file under the collection root, capped; NULL when absent. */
static char *
sysinfo_root_file(struct collect_ctx *ctx, const char *path, size_t *lenp)
{
	char	*s;
	int	 fd, saved;

	if ((fd = collect_open(ctx, path, 0)) == -1) {
		if (errno != ENOENT && errno != ELOOP)
			collect_error(ctx, path, "cannot open: %s",
			    collect_open_error(errno));
		return NULL;
	}
	s = util_read_fd(fd, SYSINFO_FILE_MAX, lenp, NULL);
	saved = errno;
	close(fd);
	if (s == NULL)
		collect_error(ctx, path, "cannot read: %s", strerror(saved));
	return s;
}

/* The first line of a small kernel file (/proc, /sys); NULL if none. */
static char *
sysinfo_line(const char *path)
{
	char	*s;

	if ((s = live_read_at(AT_FDCWD, path, 64 * 1024, NULL, NULL)) != NULL)
		s[strcspn(s, "\n")] = '\0';
	return s;
}

/* Set key to the first line of a file; null when unreadable. */
static void
sysinfo_set_line(json_t *rec, const char *key, char *s)
{
	json_object_set_new(rec, key, live_json_strz(s));
	free(s);
}

static void
sysinfo_os_release(struct collect_ctx *ctx, json_t *rec)
{
	json_t	*o = json_object();
	char	*buf, *line, *k, *v;
	size_t	 len, pos = 0;

	/* /etc/os-release is usually a link: links are not followed. */
	if ((buf = sysinfo_root_file(ctx, "/etc/os-release", &len)) == NULL)
		buf = sysinfo_root_file(ctx, "/usr/lib/os-release", &len);
	if (buf == NULL) {
		json_decref(o);
		json_object_set_new(rec, "os_release", json_null());
		return;
	}
	while ((line = live_next_line(buf, len, &pos)) != NULL) {
		if (live_parse_kv_line(line, &k, &v) == 0)
			json_object_set_new(o, k, live_json_strz(v));
	}
	free(buf);
	json_object_set_new(rec, "os", json_incref(json_object_get(o,
	    "PRETTY_NAME")));
	json_object_set_new(rec, "os_release", o);
}

/* /etc/timezone, else the zone /etc/localtime links to. */
static void
sysinfo_timezone(struct collect_ctx *ctx, json_t *rec)
{
	const char	*root = collect_root(ctx), *z;
	char		*s, path[PATH_MAX], link[PATH_MAX];
	ssize_t		 n;

	if ((s = sysinfo_root_file(ctx, "/etc/timezone", NULL)) != NULL) {
		s[strcspn(s, "\n")] = '\0';
		sysinfo_set_line(rec, "timezone", s);
		return;
	}
	if (snprintf(path, sizeof path, "%s/etc/localtime",
	    strcmp(root, "/") == 0 ? "" : root) >= (int)sizeof path ||
	    (n = readlink(path, link, sizeof link - 1)) == -1) {
		json_object_set_new(rec, "timezone", json_null());
		return;
	}
	link[n] = '\0';
	z = strstr(link, "zoneinfo/");
	json_object_set_new(rec, "timezone", live_json_strz(z != NULL ?
	    z + 9 : link));
}

/* /etc/ld.so.preload: every line, and a warning when it is not empty. */
static void
sysinfo_preload(struct collect_ctx *ctx, json_t *rec)
{
	json_t	*libs = json_array();
	char	*buf, *line;
	size_t	 len, pos = 0;

	if ((buf = sysinfo_root_file(ctx, "/etc/ld.so.preload", &len)) ==
	    NULL) {
		json_object_set_new(rec, "ld_so_preload", json_null());
		json_decref(libs);
		return;
	}
	while ((line = live_next_line(buf, len, &pos)) != NULL) {
		line += strspn(line, " \t");
		if (*line != '\0' && *line != '#')
			json_array_append_new(libs, live_json_strz(line));
	}
	free(buf);
	if (json_array_size(libs) > 0)
		collect_log(ctx, LOG_WARN, "/etc/ld.so.preload loads %zu "
		    "libraries into every program (a userland rootkit?)",
		    json_array_size(libs));
	json_object_set_new(rec, "ld_so_preload", libs);
}

static void
sysinfo_uptime(json_t *rec)
{
	struct timespec	 now;
	char		*s, *end, when[40];
	double		 up, boot;

	json_object_set_new(rec, "uptime", json_null());
	json_object_set_new(rec, "boot_time", json_null());
	if ((s = sysinfo_line("/proc/uptime")) == NULL)
		return;
	errno = 0;
	up = strtod(s, &end);
	if (errno == 0 && end != s && up >= 0) {
		clock_gettime(CLOCK_REALTIME, &now);
		boot = (double)now.tv_sec + now.tv_nsec / 1e9 - up;
		util_iso8601(when, sizeof when, (time_t)boot, -1);
		json_object_set_new(rec, "uptime", json_real(up));
		json_object_set_new(rec, "boot_time", json_string(when));
	}
	free(s);
}

static void
sysinfo_taint(struct collect_ctx *ctx, json_t *rec)
{
	long long	 v;
	char		*s, letters[32];

	if ((s = sysinfo_line("/proc/sys/kernel/tainted")) == NULL ||
	    util_parse_int(s, 0, LLONG_MAX, &v) == -1) {
		json_object_set_new(rec, "tainted", json_null());
		free(s);
		return;
	}
	free(s);
	live_taint_letters((unsigned long long)v, letters, sizeof letters);
	json_object_set_new(rec, "tainted", json_pack("{s:I, s:s}", "value",
	    (json_int_t)v, "flags", letters));
	if (v & (1 << 12 | 1 << 13))
		collect_log(ctx, LOG_WARN, "kernel tainted by an out-of-tree "
		    "or unsigned module (%s)", letters);
}

/* What only the running kernel knows. */
static void
sysinfo_live(struct collect_ctx *ctx, json_t *rec)
{
	struct utsname	u;

	sysinfo_set_line(rec, "hostname",
	    sysinfo_line("/proc/sys/kernel/hostname"));
	sysinfo_set_line(rec, "domainname",
	    sysinfo_line("/proc/sys/kernel/domainname"));
	if (uname(&u) == 0)
		json_object_set_new(rec, "kernel", json_pack("{s:o, s:o, s:o, "
		    "s:o}", "sysname", live_json_strz(u.sysname), "release",
		    live_json_strz(u.release), "version",
		    live_json_strz(u.version), "machine",
		    live_json_strz(u.machine)));
	sysinfo_set_line(rec, "boot_id",
	    sysinfo_line("/proc/sys/kernel/random/boot_id"));
	sysinfo_set_line(rec, "cmdline", sysinfo_line("/proc/cmdline"));
	sysinfo_set_line(rec, "modules_disabled",
	    sysinfo_line("/proc/sys/kernel/modules_disabled"));
	sysinfo_uptime(rec);
	sysinfo_taint(ctx, rec);
}

/* Whether name is in the (sorted-free, small) list of /proc/modules. */
static int
sysinfo_listed(json_t *names, const char *name)
{
	return json_object_get(names, name) != NULL;
}

/* Modules loaded per /sys/module (initstate) but absent from the list. */
static void
sysinfo_hidden_modules(struct collect_ctx *ctx, json_t *names)
{
	struct dirent	*de;
	DIR		*d;
	char		 path[PATH_MAX], *state;

	if ((d = opendir("/sys/module")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || sysinfo_listed(names, de->d_name))
			continue;
		snprintf(path, sizeof path, "/sys/module/%s/initstate",
		    de->d_name);
		/* Built-in modules have no initstate. */
		if ((state = sysinfo_line(path)) == NULL)
			continue;
		collect_log(ctx, LOG_WARN, "module %s is loaded (%s) but "
		    "hidden from /proc/modules", de->d_name, state);
		collect_record(ctx, "modules", json_pack("{s:o, s:o, s:b}",
		    "name", live_json_strz(de->d_name), "state",
		    live_json_strz(state), "hidden", 1));
		free(state);
	}
	closedir(d);
}

static void
sysinfo_modules(struct collect_ctx *ctx)
{
	struct live_module	 m;
	json_t			*names = json_object();
	char			*buf, *line;
	size_t			 len, pos = 0;

	/* No /proc/modules: a kernel without module support. */
	if ((buf = live_read_at(AT_FDCWD, "/proc/modules", SYSINFO_TABLE_MAX,
	    &len, NULL)) != NULL) {
		while ((line = live_next_line(buf, len, &pos)) != NULL) {
			if (live_parse_modules_line(line, &m) == -1)
				continue;
			json_object_set_new_nocheck(names, m.name, json_true());
			collect_record(ctx, "modules", json_pack("{s:o, s:I, "
			    "s:I, s:o, s:o, s:o, s:o, s:b}", "name",
			    live_json_strz(m.name), "size",
			    (json_int_t)m.size, "refcount",
			    (json_int_t)m.refcount, "deps",
			    live_json_strz(m.deps), "state",
			    live_json_strz(m.state), "address",
			    live_json_strz(m.address), "taint",
			    live_json_strz(m.taint), "hidden", 0));
		}
		free(buf);
	}
	sysinfo_hidden_modules(ctx, names);
	json_decref(names);
}

static void
sysinfo_mounts(struct collect_ctx *ctx)
{
	struct live_mount	 m;
	char			 path[64], *buf, *line;
	size_t			 len, pos = 0;

	snprintf(path, sizeof path, "/proc/%d/mountinfo", (int)getpid());
	if ((buf = live_read_at(AT_FDCWD, path, SYSINFO_TABLE_MAX, &len,
	    NULL)) == NULL) {
		collect_error(ctx, path, "cannot read: %s", strerror(errno));
		return;
	}
	while ((line = live_next_line(buf, len, &pos)) != NULL) {
		if (live_parse_mountinfo_line(line, &m) == -1)
			continue;
		collect_record(ctx, "mounts", json_pack("{s:I, s:I, s:s, s:o, "
		    "s:o, s:o, s:o, s:o, s:o, s:o}", "mount_id",
		    (json_int_t)m.mount_id, "parent_id", (json_int_t)m.parent_id,
		    "dev", m.dev, "root", live_json_strz(m.root), "mount_point",
		    live_json_strz(m.mount_point), "options",
		    live_json_strz(m.options), "optional",
		    live_json_strz(m.optional), "fstype",
		    live_json_strz(m.fstype), "source",
		    live_json_strz(m.source), "super_options",
		    live_json_strz(m.super_options)));
	}
	free(buf);
}

static enum collect_result
sysinfo_collect(struct collect_ctx *ctx)
{
	json_t	*rec = json_object();
	char	*s;

	if (!collect_is_deadbox(ctx))
		sysinfo_live(ctx, rec);
	if ((s = sysinfo_root_file(ctx, "/etc/hostname", NULL)) != NULL)
		s[strcspn(s, "\n")] = '\0';
	if (json_object_get(rec, "hostname") == NULL)
		json_object_set_new(rec, "hostname", live_json_strz(s));
	sysinfo_set_line(rec, "etc_hostname", s);
	if ((s = sysinfo_root_file(ctx, "/etc/machine-id", NULL)) != NULL)
		s[strcspn(s, "\n")] = '\0';
	sysinfo_set_line(rec, "machine_id", s);
	sysinfo_os_release(ctx, rec);
	sysinfo_timezone(ctx, rec);
	sysinfo_preload(ctx, rec);
	collect_record(ctx, "system", rec);
	if (!collect_is_deadbox(ctx)) {
		sysinfo_modules(ctx);
		sysinfo_mounts(ctx);
	}
	return COLLECT_OK;
}

const struct collector collector_system = {
	.name = "system",
	.description = "host identity and state: hostname, OS, kernel, ids, "
	    "uptime, taint, ld.so.preload, modules, mounts",
	.flags = 0,
	.run = sysinfo_collect,
};
