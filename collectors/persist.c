/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * persistence: what runs by itself, and the program it runs. Crontabs,
 * systemd units (Exec*=), rc scripts, authorized_keys command="…",
 * /etc/ld.so.preload and udev rules (RUN, PROGRAM, IMPORT{program}; all
 * rule directories, vendor ones included: a rule dropped in
 * /lib/udev/rules.d runs the same) are parsed (persist-parse.c) and the
 * program of each entry is resolved inside the root: an absolute path,
 * or a bare name looked up in a fixed PATH under the root, symlinks
 * followed by reading them and resolving their target again under the
 * root (never out of it). Each target is archived (files/PATH) so its
 * sha256 is the manifest's; live/persistence.jsonl says which entry
 * points to which file. Bounded: bytes and lines per file, files per
 * kind, distinct targets, bytes per target, links per target.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "collector.h"
#include "live.h"
#include "os.h"
#include "passwd.h"
#include "persist.h"
#include "util.h"

#define PERSIST_MAX_FILE	(1U << 20)	/* bytes read per file */
#define PERSIST_MAX_LINES	10000		/* lines per file */
#define PERSIST_MAX_FILES	2000		/* files per kind */
#define PERSIST_MAX_TARGETS	2000		/* distinct programs */
#define PERSIST_MAX_BYTES	(16ULL << 20)	/* archived per target */
#define PERSIST_MAX_LINKS	16		/* symlinks per target */
#define PERSIST_MAX_HOMES	4096
#define PERSIST_MAX_DEPTH	3		/* of a unit directory */
#define PERSIST_MAX_UDEV	16		/* programs per rule line */

enum persist_kind {
	PK_CRON, PK_SYSTEMD, PK_RC, PK_AUTHKEYS, PK_PRELOAD, PK_UDEV, PK_N
};

static const char *const persist_kinds[PK_N] = {
	"cron", "systemd", "rc", "authorized_keys", "ld_preload", "udev"
};

/* Where a bare program name is looked for, under the root. */
static const char *const persist_path[] = {
	"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin",
	"/sbin", "/bin"
};

struct persist_target {
	char	*program;	/* as written */
	char	*path;		/* resolved inside the root, or NULL */
	int	 exists, archived;
	char	 sha256[65];	/* "" when not hashed */
};

struct persist {
	struct collect_ctx	*ctx;
	struct persist_target	*t;
	size_t			 nt;
	size_t			 files[PK_N];
	size_t			 records, toomany, notargets;
	struct hset		 dirs;		/* dev+ino of directories read */
	time_t			 mtime;		/* of the file read, or -1 */
};

/* Fold "." and ".." (clamped at the root) and "//" of an absolute path. */
static int
persist_clean(const char *in, char *out, size_t size)
{
	const char	*c, *e;
	size_t		 o = 0, n;

	if (*in != '/' || size < 2)
		return -1;
	for (c = in; *c != '\0'; c = e) {
		c += strspn(c, "/");
		if (*c == '\0')
			break;
		e = c + strcspn(c, "/");
		n = (size_t)(e - c);
		if (n == 1 && c[0] == '.')
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			continue;
		}
		if (o + 1 + n >= size)
			return -1;
		out[o++] = '/';
		memcpy(out + o, c, n);
		o += n;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return 0;
}

/*
 * Open path (inside the root) as a regular file, its symlinks followed
 * inside the root: each link is read and its target opened again under
 * the root. The final path goes to out. The descriptor, or -1 (errno;
 * *exists tells whether something, not a regular file, is there).
 */
static int
persist_open(struct collect_ctx *ctx, const char *path, char *out,
    size_t size, int *exists)
{
	char		 cur[PATH_MAX], link[PATH_MAX], next[2 * PATH_MAX + 2];
	struct stat	 st;
	ssize_t		 n;
	char		*slash;
	int		 i, pfd, fd;

	*out = '\0';
	if (persist_clean(path, cur, sizeof cur) == -1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (i = 0; i <= PERSIST_MAX_LINKS; i++) {
		/* The path reached so far (a dangling link: where it points). */
		*exists = 0;
		if (snprintf(out, size, "%s", cur) >= (int)size) {
			*out = '\0';
			errno = ENAMETOOLONG;
			return -1;
		}
		if ((pfd = collect_open(ctx, cur, O_PATH)) == -1)
			return -1;
		if (fstat(pfd, &st) == -1) {
			close(pfd);
			return -1;
		}
		*exists = 1;
		if (!S_ISLNK(st.st_mode)) {
			close(pfd);
			if (!S_ISREG(st.st_mode)) {
				errno = EINVAL;
				return -1;
			}
			if ((fd = collect_open(ctx, cur, 0)) == -1)
				return -1;
			return fd;
		}
		n = readlinkat(pfd, "", link, sizeof link - 1);
		close(pfd);
		if (n <= 0)
			return -1;
		link[n] = '\0';
		if (link[0] == '/')
			snprintf(next, sizeof next, "%s", link);
		else {
			slash = strrchr(cur, '/');
			snprintf(next, sizeof next, "%.*s/%s",
			    (int)(slash - cur), cur, link);
		}
		if (persist_clean(next, cur, sizeof cur) == -1) {
			errno = ENAMETOOLONG;
			return -1;
		}
	}
	errno = ELOOP;
	return -1;
}

/* Archive the target fd (path inside the root): sha256 and archived. */
static void
persist_archive(struct persist *p, struct persist_target *t, int fd)
{
	unsigned char	 sum[32], zero[32];
	struct stat	 st;
	char		*apath;

	if (fstat(fd, &st) == -1)
		return;
	if ((uint64_t)st.st_size > PERSIST_MAX_BYTES) {
		collect_log(p->ctx, LOG_INFO, "%s: over %llu bytes: not "
		    "archived", t->path, PERSIST_MAX_BYTES);
		return;
	}
	if (collect_excluded(p->ctx, t->path, &st))
		return;
	memset(sum, 0, sizeof sum);
	memset(zero, 0, sizeof zero);
	apath = xasprintf("files%s", t->path);
	if (collect_file_fd(p->ctx, fd, t->path, apath, sum) == 0) {
		t->archived = 1;
		/* Zeros: archived already (artefacts); hashed here again. */
		if (memcmp(sum, zero, sizeof sum) != 0 ||
		    util_digest_fd(fd, EVP_sha256(), (uint64_t)st.st_size,
		    sum) == 0)
			util_hex(t->sha256, sum, sizeof sum);
	}
	free(apath);
}

/* The target of program, resolved once per run. NULL past the cap. */
static struct persist_target *
persist_target(struct persist *p, const char *program)
{
	struct persist_target	*t;
	char			 path[PATH_MAX], out[PATH_MAX];
	size_t			 i;
	int			 fd = -1, exists = 0;

	*out = '\0';
	for (i = 0; i < p->nt; i++)
		if (strcmp(p->t[i].program, program) == 0)
			return &p->t[i];
	if (p->nt >= PERSIST_MAX_TARGETS) {
		p->notargets++;
		return NULL;
	}
	p->t = xreallocarray(p->t, p->nt + 1, sizeof *p->t);
	t = &p->t[p->nt++];
	memset(t, 0, sizeof *t);
	t->program = xstrdup(program);
	if (program[0] == '/')
		fd = persist_open(p->ctx, program, out, sizeof out, &exists);
	else if (strchr(program, '/') == NULL) {
		for (i = 0; i < sizeof persist_path / sizeof persist_path[0];
		    i++) {
			if (snprintf(path, sizeof path, "%s/%s",
			    persist_path[i], program) >= (int)sizeof path)
				break;
			fd = persist_open(p->ctx, path, out, sizeof out,
			    &exists);
			if (exists)
				break;
		}
	}
	/* A relative path (./run): the working directory is unknown. */
	t->exists = exists;
	if ((exists || program[0] == '/') && *out != '\0')
		t->path = xstrdup(out);
	if (fd != -1) {
		persist_archive(p, t, fd);
		close(fd);
	}
	return t;
}

/* One entry: source (file:line), the command it runs. */
static void
persist_emit(struct persist *p, enum persist_kind k, const char *file,
    size_t line, const char *cmd, const char *program)
{
	struct persist_target	*t = NULL;
	json_t			*rec;
	char			 prog[PATH_MAX], udev[PATH_MAX + 16], *src;
	char			 when[40];
	int			 fd;

	if (program == NULL && persist_program(cmd, prog, sizeof prog) == 0)
		program = prog;
	/* udev runs a bare name from its own directory, not from PATH. */
	if (program != NULL && k == PK_UDEV && strchr(program, '/') == NULL) {
		snprintf(udev, sizeof udev, "/lib/udev/%s", program);
		if ((fd = collect_open(p->ctx, udev, O_PATH)) == -1)
			snprintf(udev, sizeof udev, "/usr/lib/udev/%s",
			    program);
		else
			close(fd);
		t = persist_target(p, udev);
	} else if (program != NULL)
		t = persist_target(p, program);
	rec = json_object();
	src = line > 0 ? xasprintf("%s:%zu", file, line) : xstrdup(file);
	util_json_set_name(rec, "source", src);
	free(src);
	json_object_set_new(rec, "kind", json_string(persist_kinds[k]));
	util_json_set_name(rec, "command", cmd);
	if (program != NULL)
		util_json_set_name(rec, "program", program);
	else
		json_object_set_new(rec, "program", json_null());
	if (t != NULL && t->path != NULL)
		util_json_set_name(rec, "target", t->path);
	else
		json_object_set_new(rec, "target", json_null());
	json_object_set_new(rec, "exists", json_boolean(t != NULL &&
	    t->exists));
	json_object_set_new(rec, "sha256", t != NULL && t->sha256[0] != '\0' ?
	    json_string(t->sha256) : json_null());
	json_object_set_new(rec, "archived", json_boolean(t != NULL &&
	    t->archived));
	/* When the entry's file last changed: recent ones are red flags. */
	if (p->mtime != -1) {
		util_iso8601(when, sizeof when, p->mtime, -1);
		json_object_set_new(rec, "mtime", json_string(when));
	} else
		json_object_set_new(rec, "mtime", json_null());
	p->records++;
	collect_record(p->ctx, "persistence", rec);
}

/* The entries of one file's text (len bytes), by kind. */
static void
persist_text(struct persist *p, enum persist_kind k, const char *file,
    char *text, size_t len, int syscron)
{
	char	*line, *cmd, *cmds[PERSIST_MAX_UDEV];
	size_t	 pos = 0, n = 0, i, c;

	while ((line = live_next_line(text, len, &pos)) != NULL) {
		if (++n > PERSIST_MAX_LINES) {
			collect_log(p->ctx, LOG_WARN, "%s: more than %d "
			    "lines: the rest not read", file,
			    PERSIST_MAX_LINES);
			break;
		}
		switch (k) {
		case PK_CRON:
			if (persist_cron_line(line, syscron, &cmd) == 1)
				persist_emit(p, k, file, n, cmd, NULL);
			break;
		case PK_SYSTEMD:
			if (persist_exec_line(line, &cmd) == 1)
				persist_emit(p, k, file, n, cmd, NULL);
			break;
		case PK_AUTHKEYS:
			if (persist_authkeys_line(line, &cmd) == 1)
				persist_emit(p, k, file, n, cmd, NULL);
			break;
		case PK_PRELOAD:
			/* Entries split by blanks or ':'. */
			line[strcspn(line, "#")] = '\0';
			for (cmd = strtok(line, " \t:"); cmd != NULL;
			    cmd = strtok(NULL, " \t:"))
				persist_emit(p, k, file, n, cmd, cmd);
			break;
		case PK_UDEV:
			c = persist_udev_line(line, cmds, PERSIST_MAX_UDEV);
			for (i = 0; i < c; i++)
				persist_emit(p, k, file, n, cmds[i], NULL);
			break;
		default:
			break;
		}
	}
}

/* Read the open file fd (a regular file) named file, by kind. */
static void
persist_fd(struct persist *p, enum persist_kind k, const char *file, int fd,
    int syscron)
{
	struct stat	 st;
	char		*text;
	size_t		 len;
	int		 trunc = 0;

	if (p->files[k]++ >= PERSIST_MAX_FILES) {
		if (p->files[k] == PERSIST_MAX_FILES + 1)
			collect_log(p->ctx, LOG_WARN, "%s: more than %d "
			    "files: the rest not read", persist_kinds[k],
			    PERSIST_MAX_FILES);
		return;
	}
	p->mtime = fstat(fd, &st) == 0 ? st.st_mtime : -1;
	if (k == PK_RC) {
		persist_emit(p, k, file, 0, file, file);
		return;
	}
	if ((text = util_read_fd(fd, PERSIST_MAX_FILE, &len, &trunc)) ==
	    NULL) {
		collect_error(p->ctx, file, "persistence: %s",
		    strerror(errno));
		return;
	}
	if (trunc)
		collect_log(p->ctx, LOG_WARN, "%s: over %u bytes: the rest "
		    "not read", file, PERSIST_MAX_FILE);
	persist_text(p, k, file, text, len, syscron);
	free(text);
}

static void
persist_file(struct persist *p, enum persist_kind k, const char *file,
    int syscron)
{
	int	fd;

	if ((fd = collect_open(p->ctx, file, 0)) == -1) {
		if (errno != ENOENT && errno != ENOTDIR)
			collect_error(p->ctx, file, "persistence: %s",
			    collect_open_error(errno));
		return;
	}
	persist_fd(p, k, file, fd, syscron);
	close(fd);
}

/* Where units are read anyway: a link to them is no news. */
static int
persist_unit_dir(const char *path)
{
	return strncmp(path, "/etc/systemd/", 13) == 0 ||
	    strncmp(path, "/lib/systemd/", 13) == 0 ||
	    strncmp(path, "/usr/lib/systemd/", 17) == 0;
}

/*
 * A unit linked from elsewhere (systemctl enable /opt/x.service makes
 * one): its file, found inside the root, read under the link's name.
 */
static void
persist_unit_link(struct persist *p, const char *link, int syscron)
{
	char	out[PATH_MAX];
	int	fd, exists;

	if ((fd = persist_open(p->ctx, link, out, sizeof out, &exists)) ==
	    -1)
		return;
	if (!persist_unit_dir(out))
		persist_fd(p, PK_SYSTEMD, link, fd, syscron);
	close(fd);
}

/* The regular files of a directory (and its subdirectories to depth). */
static void
persist_dir_fd(struct persist *p, enum persist_kind k, const char *dir,
    int dfd, int depth, int syscron)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	char		*path;
	dev_t		 key[2];
	int		 fd;

	if (fstat(dfd, &st) == -1) {
		close(dfd);
		return;
	}
	/* /lib is often /usr/lib: each directory is read once. */
	key[0] = st.st_dev;
	key[1] = (dev_t)st.st_ino;
	if (hset_add(&p->dirs, key, sizeof key) || (d = fdopendir(dfd)) ==
	    NULL) {
		close(dfd);
		return;
	}
	while ((de = readdir(d)) != NULL && !collect_expired(p->ctx)) {
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ==
		    -1)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (S_ISLNK(st.st_mode) && k == PK_SYSTEMD)
			persist_unit_link(p, path, syscron);
		else if (S_ISDIR(st.st_mode) && depth > 0) {
			if ((fd = os_openat(dirfd(d), de->d_name, O_RDONLY |
			    O_DIRECTORY)) != -1)
				persist_dir_fd(p, k, path, fd, depth - 1,
				    syscron);
		} else if (S_ISREG(st.st_mode) && (fd = os_openat(dirfd(d),
		    de->d_name, O_RDONLY | O_NONBLOCK)) != -1) {
			if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
				persist_fd(p, k, path, fd, syscron);
			close(fd);
		}
		free(path);
	}
	closedir(d);
}

static void
persist_dir(struct persist *p, enum persist_kind k, const char *dir,
    int depth, int syscron)
{
	int	fd;

	if ((fd = collect_open(p->ctx, dir, O_RDONLY | O_DIRECTORY)) == -1) {
		if (errno != ENOENT && errno != ENOTDIR)
			collect_error(p->ctx, dir, "persistence: %s",
			    strerror(errno));
		return;
	}
	persist_dir_fd(p, k, dir, fd, depth, syscron);
}

/* The homes of /etc/passwd: authorized_keys, user units. */
static void
persist_homes(struct persist *p)
{
	struct passwd_file	 pf;
	struct hset		 seen;
	const char		*home;
	char			*path;
	size_t			 i, n = 0;
	int			 fd;

	memset(&pf, 0, sizeof pf);
	memset(&seen, 0, sizeof seen);
	if ((fd = collect_open(p->ctx, "/etc/passwd", 0)) == -1) {
		collect_log(p->ctx, LOG_INFO, "/etc/passwd: %s: no home read",
		    collect_open_error(errno));
		return;
	}
	if (passwd_load(&pf, fd, 0) == -1) {
		close(fd);
		return;
	}
	close(fd);
	for (i = 0; i < pf.n && n < PERSIST_MAX_HOMES; i++) {
		home = pf.v[i].dir;
		if (home == NULL || home[0] != '/' || strcmp(home, "/") == 0 ||
		    hset_add(&seen, home, strlen(home)))
			continue;
		n++;
		path = xasprintf("%s/.ssh/authorized_keys", home);
		persist_file(p, PK_AUTHKEYS, path, 0);
		free(path);
		path = xasprintf("%s/.ssh/authorized_keys2", home);
		persist_file(p, PK_AUTHKEYS, path, 0);
		free(path);
		path = xasprintf("%s/.config/systemd/user", home);
		persist_dir(p, PK_SYSTEMD, path, PERSIST_MAX_DEPTH, 0);
		free(path);
	}
	hset_free(&seen);
	passwd_free(&pf);
}

static enum collect_result
persist_run(struct collect_ctx *ctx)
{
	struct persist	p;
	size_t		i, k, archived = 0;

	memset(&p, 0, sizeof p);
	p.ctx = ctx;
	persist_file(&p, PK_CRON, "/etc/crontab", 1);
	persist_dir(&p, PK_CRON, "/etc/cron.d", 0, 1);
	persist_dir(&p, PK_CRON, "/var/spool/cron/crontabs", 0, 0);
	persist_dir(&p, PK_CRON, "/var/spool/cron", 0, 0);
	persist_dir(&p, PK_SYSTEMD, "/etc/systemd/system", PERSIST_MAX_DEPTH,
	    0);
	persist_dir(&p, PK_SYSTEMD, "/etc/systemd/user", PERSIST_MAX_DEPTH, 0);
	persist_dir(&p, PK_SYSTEMD, "/lib/systemd/system", PERSIST_MAX_DEPTH,
	    0);
	persist_dir(&p, PK_SYSTEMD, "/usr/lib/systemd/system",
	    PERSIST_MAX_DEPTH, 0);
	persist_file(&p, PK_RC, "/etc/rc.local", 0);
	persist_dir(&p, PK_RC, "/etc/init.d", 0, 0);
	persist_file(&p, PK_PRELOAD, "/etc/ld.so.preload", 0);
	persist_dir(&p, PK_UDEV, "/etc/udev/rules.d", 0, 0);
	persist_dir(&p, PK_UDEV, "/lib/udev/rules.d", 0, 0);
	persist_dir(&p, PK_UDEV, "/usr/lib/udev/rules.d", 0, 0);
	persist_homes(&p);
	for (i = 0; i < p.nt; i++)
		archived += p.t[i].archived;
	collect_log(ctx, LOG_INFO, "persistence: %zu entries, %zu programs "
	    "(%zu archived, %zu not resolved past the cap of %d); files read: "
	    "cron %zu, systemd %zu, rc %zu, authorized_keys %zu, ld_preload "
	    "%zu, udev %zu", p.records, p.nt, archived, p.notargets,
	    PERSIST_MAX_TARGETS, p.files[PK_CRON], p.files[PK_SYSTEMD],
	    p.files[PK_RC], p.files[PK_AUTHKEYS], p.files[PK_PRELOAD],
	    p.files[PK_UDEV]);
	for (k = 0; k < p.nt; k++) {
		free(p.t[k].program);
		free(p.t[k].path);
	}
	free(p.t);
	hset_free(&p.dirs);
	return COLLECT_OK;
}

const struct collector collector_persist = {
	.name = "persist",
	.description = "persistence entries and the programs they run",
	.flags = 0,
	.run = persist_run,
};
