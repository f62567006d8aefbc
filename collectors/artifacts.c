/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * artifacts: file collection driven by ForensicArtifacts definitions. The
 * profile (or comma list of artefacts) is resolved against the built-in
 * definitions and any --artifacts files; each FILE or PATH source path is
 * interpolated per user of the root's passwd, globbed under the root
 * without following links, and each regular file found is collected once:
 * the same path from two artefacts, or a hard link already taken, is not
 * read again. Symlinks go to collect_file, which records them; FIFOs,
 * sockets and devices are recorded without ever being opened.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "artifacts.h"
#include "collector.h"
#include "live.h"
#include "log.h"
#include "passwd.h"


/* A match of a newest_first or max_total_size source, held to be sorted. */
struct artifacts_match {
	char		*path;
	struct timespec	 mtime;
	off_t		 size;
	dev_t		 dev;
	ino_t		 ino;
	nlink_t		 nlink;
};

struct artifacts_run {
	struct collect_ctx	*ctx;
	struct hset		 paths;
	struct hset		 inodes;
	const char		*artifact;
	const struct artifact_source *src;
	struct artifacts_match	*held;		/* NULL: collected as found */
	size_t			 nheld, capheld;
	size_t			 collected, failed, links, special, dups;
	size_t			 excluded, overflow;
	time_t			 since;		/* changed_within: oldest mtime */
	size_t			 old;		/* left out as older */
};

static const char *
artifacts_type_name(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	return "not a regular file";
}

/* Whether path matches the source's exclude_paths (left to others). */
static int
artifacts_excluded(struct artifacts_run *r, const char *path)
{
	size_t	i;

	for (i = 0; i < r->src->nexclude; i++) {
		if (fnmatch(r->src->exclude[i], path, FNM_PATHNAME) == 0) {
			r->excluded++;
			collect_log(r->ctx, LOG_DEBUG, "%s: excluded by %s "
			    "(exclude_paths)", path, r->artifact);
			return 1;
		}
	}
	return 0;
}

/* Keep a regular file of an ordered source for later (a bounded list). */
static int
artifacts_hold(struct artifacts_run *r, const char *path,
    const struct stat *st)
{
	struct artifacts_match	*m;

	if (r->nheld == r->capheld) {
		r->overflow++;
		return 0;
	}
	m = &r->held[r->nheld++];
	m->path = xstrdup(path);
	m->mtime = st->st_mtim;
	m->size = st->st_size;
	m->dev = st->st_dev;
	m->ino = st->st_ino;
	m->nlink = st->st_nlink;
	return 0;
}

static int
artifacts_newest(const void *a, const void *b)
{
	const struct artifacts_match	*x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? 1 : -1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? 1 : -1;
	return strcmp(x->path, y->path);
}

static int
artifacts_found(void *arg, const char *path, const struct stat *st)
{
	struct artifacts_run	*r = arg;
	uint64_t		 key[2];

	if (S_ISDIR(st->st_mode))
		return 0;
	if (artifacts_excluded(r, path))
		return 0;
	/* mtime, not ctime: a copied tree's ctimes are the copy's. */
	if (r->src->changed_within != 0 && st->st_mtim.tv_sec < r->since) {
		r->old++;
		return 0;
	}
	if (r->capheld > 0 && S_ISREG(st->st_mode))
		return artifacts_hold(r, path, st);
	if (hset_add(&r->paths, path, strlen(path))) {
		r->dups++;
		return 0;
	}
	if (S_ISLNK(st->st_mode)) {
		r->links++;
		collect_file(r->ctx, path);	/* records the link */
		return 0;
	}
	if (!S_ISREG(st->st_mode)) {
		r->special++;
		collect_error(r->ctx, path, "%s (%s): never opened",
		    artifacts_type_name(st->st_mode), r->artifact);
		return 0;
	}
	key[0] = (uint64_t)st->st_dev;
	key[1] = (uint64_t)st->st_ino;
	if (hset_add(&r->inodes, key, sizeof key) && st->st_nlink > 1) {
		r->dups++;
		collect_log(r->ctx, LOG_DEBUG, "%s: a hard link of a file "
		    "already collected", path);
		return 0;
	}
	if (collect_file(r->ctx, path) == 0)
		r->collected++;
	else
		r->failed++;
	return 0;
}

/* The glob callbacks' argument: the context and the caller's found(). */
struct artifacts_walkarg {
	struct collect_ctx	*ctx;
	int			(*found)(void *, const char *, const struct stat *);
	void			*arg;
};

static int
artifacts_walk_stop(void *arg)
{
	struct artifacts_walkarg	*w = arg;

	return collect_expired(w->ctx);
}

static int
artifacts_walk_open(void *arg, const char *path)
{
	struct artifacts_walkarg	*w = arg;

	return collect_open(w->ctx, path, O_RDONLY | O_DIRECTORY);
}

static int
artifacts_walk_found(void *arg, const char *path, const struct stat *st)
{
	struct artifacts_walkarg	*w = arg;

	return w->found(w->arg, path, st);
}

/* A listed name gone (or unreadable) before its lstat: recorded. */
static void
artifacts_walk_unseen(void *arg, const char *path, int err)
{
	struct artifacts_walkarg	*w = arg;

	if (err == ENOENT)
		collect_error(w->ctx, path, "listed in its directory, then "
		    "vanished before it could be read");
	else
		collect_error(w->ctx, path, "listed in its directory, but "
		    "cannot be looked at: %s", strerror(err));
}

long
artifacts_walk(struct collect_ctx *ctx, const struct artifacts_prep *p,
    const char *pattern, char sep, int (*found)(void *, const char *,
    const struct stat *), void *arg, const char **why)
{
	struct artifact_glob_ops	 ops = { artifacts_walk_open,
					     artifacts_walk_found,
					     artifacts_walk_stop,
					     artifacts_walk_unseen };
	struct artifacts_walkarg	 w = { ctx, found, arg };
	struct artifact_glob		 g;
	char				**v, **e;
	long				 n, total = 0;

	if (artifact_expand(pattern, sep, &p->users, &v, why) < 0)
		return -2;
	for (e = v; *e != NULL && total >= 0; e++) {
		if (artifact_glob_parse(*e, &g) != 0) {
			*why = "bad glob pattern";
			continue;
		}
		n = artifact_glob_walk(&g, &ops, &w);
		artifact_glob_free(&g);
		total = n < 0 ? -1 : total + n;
	}
	artifact_strv_free(v);
	return total;
}

/* Users of the root's passwd; none if unreadable. */
static void
artifacts_passwd(struct collect_ctx *ctx, int verbose,
    struct artifact_users *u)
{
	struct passwd_file	pf;
	int			fd, rc;

	if ((fd = collect_open(ctx, "/etc/passwd", O_RDONLY)) == -1) {
		if (verbose)
			collect_log(ctx, LOG_WARN, "/etc/passwd: %s: only the "
			    "homes found outside it are expanded",
			    strerror(errno));
		return;
	}
	rc = passwd_load(&pf, fd, 0);
	close(fd);
	if (rc == -1)
		return;
	artifact_users_from(&pf, u);
	passwd_free(&pf);
	if (verbose)
		collect_log(ctx, LOG_INFO, "%zu users in /etc/passwd", u->n);
}

/* Each directory of /home (not a symlink) as a home. */
static size_t
artifacts_home_dirs(struct collect_ctx *ctx, struct artifact_users *u)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	char		 path[PATH_MAX];
	size_t		 n = 0, seen = 0;
	int		 fd;

	if ((fd = collect_open(ctx, "/home", O_RDONLY | O_DIRECTORY)) == -1)
		return 0;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d)) != NULL && seen++ < ARTIFACTS_MAX_HOMES) {
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1 || !S_ISDIR(st.st_mode))
			continue;
		if ((size_t)snprintf(path, sizeof path, "/home/%s",
		    de->d_name) >= sizeof path)
			continue;
		n += artifact_users_add(u, de->d_name, path, "home_dir");
	}
	if (de != NULL)
		collect_log(ctx, LOG_WARN, "/home: more than %d entries: the "
		    "rest not taken as homes", ARTIFACTS_MAX_HOMES);
	closedir(d);
	return n;
}

struct artifacts_sssd {
	struct artifact_users	*u;
	size_t			 n;
};

static void
artifacts_sssd_home(void *arg, const char *home)
{
	struct artifacts_sssd	*s = arg;
	const char		*base = strrchr(home, '/');

	s->n += artifact_users_add(s->u, base != NULL && base[1] != '\0' ?
	    base + 1 : home, home, "sssd");
}

/*
 * The homes of the users SSSD cached (/var/lib/sss/db/cache_*.ldb, one a
 * domain): the first ARTIFACTS_SSSD_READ bytes of each of the first
 * ARTIFACTS_MAX_SSSD files.
 */
static size_t
artifacts_sssd_homes(struct collect_ctx *ctx, struct artifact_users *u)
{
	struct artifacts_sssd	 s = { u, 0 };
	struct dirent		*de;
	DIR			*d;
	char			 path[PATH_MAX];
	char			*buf;
	size_t			 len, nfiles = 0, n;
	int			 dfd, fd, cut;

	if ((dfd = collect_open(ctx, "/var/lib/sss/db", O_RDONLY |
	    O_DIRECTORY)) == -1)
		return 0;
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return 0;
	}
	while ((de = readdir(d)) != NULL && nfiles < ARTIFACTS_MAX_SSSD) {
		n = strlen(de->d_name);
		if (strncmp(de->d_name, "cache_", 6) != 0 || n < 10 ||
		    strcmp(de->d_name + n - 4, ".ldb") != 0)
			continue;
		nfiles++;
		snprintf(path, sizeof path, "/var/lib/sss/db/%s", de->d_name);
		if ((fd = collect_open(ctx, path, O_RDONLY)) == -1)
			continue;
		buf = util_read_fd(fd, ARTIFACTS_SSSD_READ, &len, &cut);
		close(fd);
		if (buf == NULL)
			continue;
		if (cut)
			collect_log(ctx, LOG_WARN, "%s: only the first %d "
			    "bytes searched for homes", path,
			    ARTIFACTS_SSSD_READ);
		artifact_sssd_homes(buf, len, ARTIFACTS_MAX_HOMES,
		    artifacts_sssd_home, &s);
		free(buf);
	}
	closedir(d);
	return s.n;
}

void
artifacts_homes(struct collect_ctx *ctx, int verbose,
    struct artifact_users *u)
{
	size_t	root, home, sssd;

	memset(u, 0, sizeof *u);
	artifacts_passwd(ctx, verbose, u);
	root = artifact_users_add(u, "root", "/root", "root");
	home = artifacts_home_dirs(ctx, u);
	sssd = artifacts_sssd_homes(ctx, u);
	if (verbose)
		collect_log(ctx, LOG_INFO, "homes outside /etc/passwd: %zu "
		    "(/root: %zu, under /home: %zu, SSSD cache: %zu)",
		    root + home + sssd, root, home, sssd);
}

static void
artifacts_prep_report(struct collect_ctx *ctx, struct artifacts_prep *p)
{
	struct artifact_plan	*plan = &p->plan;
	size_t			 i;

	for (i = 0; i < p->reg->nwarnings; i++)
		collect_log(ctx, LOG_WARN, "%s", p->reg->warnings[i]);
	for (i = 0; i < plan->nunknown; i++)
		collect_error(ctx, NULL, "unknown artifact or profile: %s",
		    plan->unknown[i]);
	for (i = 0; i < plan->ncycles; i++)
		collect_log(ctx, LOG_WARN, "artifact group cycle broken: %s",
		    plan->cycles[i]);
	collect_log(ctx, LOG_INFO, "profile %s: %zu definitions loaded, "
	    "%zu artifacts used, %zu file sources, %zu timeline trees; "
	    "sources skipped: %zu for other systems, %zu of other types, "
	    "%zu COMMAND (never run)", p->profile, p->reg->n,
	    plan->nartifacts, plan->nfiles, plan->ndirs, plan->skipped_os,
	    plan->skipped_type, plan->skipped_command);
}

/*
 * A --root tree of an ESXi host collected with a Linux profile: said in
 * the log and on screen (a warning), never switched silently, so that the
 * archive holds what was asked for.
 */
static void
artifacts_esxi_hint(struct collect_ctx *ctx, const char *profile)
{
	static const char	*marks[] = { "/etc/vmware/esx.conf",
				    "/usr/lib/vmware" };
	size_t			 i;
	int			 fd;

	if (!collect_is_deadbox(ctx) || strstr(profile, "esxi") != NULL ||
	    strstr(profile, "ESXi") != NULL)
		return;
	for (i = 0; i < sizeof marks / sizeof marks[0]; i++) {
		if ((fd = collect_open(ctx, marks[i], O_PATH)) == -1)
			continue;
		close(fd);
		collect_log(ctx, LOG_WARN, "this tree looks like an ESXi host "
		    "(%s is there) but the profile is %s, made for Linux: "
		    "run again with -p esxi", marks[i], profile);
		return;
	}
}

int
artifacts_prepare(struct collect_ctx *ctx, int verbose,
    struct artifacts_prep *p)
{
	const char *const	*paths;
	char			 err[1024];
	int			 rc;

	memset(p, 0, sizeof *p);
	p->profile = collect_profile(ctx);
	if (p->profile == NULL || *p->profile == '\0')
		p->profile = "triage";
	p->reg = artifact_reg_new();
	if (artifact_reg_load_builtin(p->reg, err, sizeof err) != 0) {
		collect_error(ctx, NULL, "built-in definitions: %s", err);
		goto fail;
	}
	for (paths = collect_artifact_paths(ctx); paths != NULL &&
	    *paths != NULL; paths++) {
		rc = artifact_reg_load_path(p->reg, *paths, err, sizeof err);
		if (rc < 0 && verbose)
			collect_error(ctx, *paths, "%s", err);
		else if (verbose)
			collect_log(ctx, LOG_INFO, "%s: %d artifacts loaded",
			    *paths, rc);
	}
	rc = artifact_resolve(p->reg, p->profile, &p->plan);
	if (verbose) {
		artifacts_prep_report(ctx, p);
		artifacts_esxi_hint(ctx, p->profile);
	}
	if (rc != 0)
		goto fail;
	artifacts_homes(ctx, verbose, &p->users);
	return 0;
fail:
	artifacts_prep_free(p);
	return -1;
}

void
artifacts_prep_free(struct artifacts_prep *p)
{
	artifact_plan_free(&p->plan);
	artifact_users_free(&p->users);
	artifact_reg_free(p->reg);
	p->reg = NULL;
}

/*
 * Collect the files held for an ordered source: newest first when asked,
 * each at most max_file_size, until max_total_size bytes are taken.
 */
static void
artifacts_held(struct artifacts_run *r, const struct artifact_source *src)
{
	struct artifacts_match	*m;
	struct stat		 st;
	uint64_t		 taken = 0, want, cap;
	size_t			 i, left = 0, before;

	if (r->overflow > 0)
		collect_log(r->ctx, LOG_WARN, "%s: more than %d files: %zu "
		    "not collected", r->artifact, ARTIFACTS_MAX_HELD,
		    r->overflow);
	r->capheld = 0;		/* artifacts_found collects now */
	if (src->newest_first)
		qsort(r->held, r->nheld, sizeof *r->held, artifacts_newest);
	cap = src->max_file_size != 0 ? src->max_file_size : UINT64_MAX;
	collect_set_file_cap(r->ctx, src->max_file_size);
	for (i = 0; i < r->nheld; i++) {
		m = &r->held[i];
		want = (uint64_t)m->size < cap ? (uint64_t)m->size : cap;
		if (src->max_total_size != 0 &&
		    taken + want > src->max_total_size) {
			left++;
			continue;
		}
		if (collect_expired(r->ctx))
			break;
		memset(&st, 0, sizeof st);
		st.st_mode = S_IFREG;
		st.st_mtim = m->mtime;
		st.st_size = m->size;
		st.st_dev = m->dev;
		st.st_ino = m->ino;
		st.st_nlink = m->nlink;
		before = r->collected;
		artifacts_found(r, m->path, &st);
		if (r->collected > before)
			taken += want;
	}
	collect_set_file_cap(r->ctx, 0);
	if (left > 0)
		collect_log(r->ctx, LOG_WARN, "%s: %zu files not collected: "
		    "the artifact's max_total_size (%llu bytes) was reached",
		    r->artifact, left,
		    (unsigned long long)src->max_total_size);
	for (i = 0; i < r->nheld; i++)
		free(r->held[i].path);
	free(r->held);
	r->held = NULL;
	r->nheld = r->overflow = 0;
}

static void
artifacts_source(struct artifacts_run *r, const struct artifacts_prep *p,
    const struct artifact_use *u, size_t *skipped)
{
	const struct artifact_source	*src = u->source;
	const char			*why;
	size_t				 i;
	long				 n;

	r->artifact = u->artifact->name;
	r->src = src;
	r->old = 0;
	r->since = time(NULL) - (time_t)src->changed_within;
	if (src->newest_first || src->max_total_size != 0 ||
	    src->max_file_size != 0) {
		r->capheld = ARTIFACTS_MAX_HELD;
		r->held = xreallocarray(NULL, r->capheld, sizeof *r->held);
	}
	for (i = 0; i < u->source->npaths && !collect_expired(r->ctx); i++) {
		why = NULL;
		n = artifacts_walk(r->ctx, p, u->source->paths[i],
		    u->source->separator, artifacts_found, r, &why);
		if (n == -2) {
			(*skipped)++;
			collect_log(r->ctx, LOG_DEBUG, "%s: %s: skipped: %s",
			    u->artifact->name, u->source->paths[i], why);
		} else if (why != NULL)
			collect_log(r->ctx, LOG_DEBUG, "%s: %s: %s",
			    u->artifact->name, u->source->paths[i], why);
	}
	if (r->held != NULL)
		artifacts_held(r, src);
	if (src->changed_within != 0)
		collect_log(r->ctx, LOG_INFO, "%s: %zu files left out: not "
		    "modified in the last %lld days (changed_within)",
		    r->artifact, r->old,
		    (long long)(src->changed_within / 86400));
}

/* The HISTFILE search: the run, the prep, and counts. */
struct artifacts_hist {
	struct artifacts_run		*r;
	const struct artifacts_prep	*p;
	size_t				 named;
};

/* A HISTFILE target: collected like an artefact's file (once). */
static void
artifacts_hist_take(void *arg, const char *path)
{
	struct artifacts_hist	*h = arg;
	const char		*why = NULL;

	h->named++;
	collect_log(h->r->ctx, LOG_DEBUG, "HISTFILE names %s", path);
	artifacts_walk(h->r->ctx, h->p, path, '/', artifacts_found, h->r,
	    &why);
}

/* The first ARTIFACTS_RC_READ bytes of a start-up file, or NULL. */
static char *
artifacts_hist_read(struct artifacts_hist *h, const char *path, size_t *len)
{
	char	*buf;
	int	 fd;

	if ((fd = collect_open(h->r->ctx, path, O_RDONLY)) == -1)
		return NULL;
	buf = util_read_fd(fd, ARTIFACTS_RC_READ, len, NULL);
	close(fd);
	return buf;
}

/* HISTFILE in the environment of each running process (live only). */
static size_t
artifacts_hist_environ(struct artifacts_hist *h)
{
	struct dirent	*de;
	DIR		*d;
	const char	*v;
	char		 p[64], line[PATH_MAX + 16], *env;
	size_t		 len, vlen, nproc = 0, before = h->named;
	int		 procfd;

	if ((procfd = collect_open(h->r->ctx, "/proc", O_RDONLY |
	    O_DIRECTORY)) == -1)
		return 0;
	if ((d = fdopendir(procfd)) == NULL) {
		close(procfd);
		return 0;
	}
	while ((de = readdir(d)) != NULL && nproc < ARTIFACTS_MAX_PROCS &&
	    !collect_expired(h->r->ctx)) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		nproc++;
		snprintf(p, sizeof p, "%.20s/environ", de->d_name);
		if ((env = live_read_at(dirfd(d), p, ARTIFACTS_ENVIRON_READ,
		    &len, NULL)) == NULL)
			continue;
		v = live_environ_get(env, len, "HISTFILE", &vlen);
		if (v != NULL && vlen > 0 && vlen < PATH_MAX) {
			/* Quoted: the rc parser checks the value. */
			len = (size_t)snprintf(line, sizeof line,
			    "HISTFILE='%.*s'", (int)vlen, v);
			artifact_histfile_rc(line, len, NULL, 1,
			    artifacts_hist_take, h);
		}
		free(env);
	}
	closedir(d);
	return h->named - before;
}

/*
 * Shell histories kept under another name: the HISTFILE of the users'
 * and the system's start-up files (with --root too) and of the running
 * processes' environments (live), each collected once.
 */
static void
artifacts_histfiles(struct artifacts_run *r, const struct artifacts_prep *p)
{
	static const char		*user_rc[] = { ".bashrc",
					    ".bash_profile", ".bash_login",
					    ".profile", ".zshrc", ".zshenv",
					    ".zprofile", ".kshrc", ".mkshrc" };
	static const char		*sys_rc[] = { "/etc/profile",
					    "/etc/bash.bashrc", "/etc/bashrc",
					    "/etc/zsh/zshrc", "/etc/zsh/zshenv",
					    "/etc/zshrc" };
	static const struct artifact_source none;
	struct artifacts_hist		 h = { r, p, 0 };
	const char			*home;
	char				 path[PATH_MAX], *sys[6], *buf;
	size_t				 i, j, rc, env = 0, len, syslen[6];

	r->artifact = "HISTFILE";
	r->src = &none;
	for (j = 0; j < 6; j++)
		sys[j] = artifacts_hist_read(&h, sys_rc[j], &syslen[j]);
	for (i = 0; i < p->users.n && !collect_expired(r->ctx); i++) {
		home = p->users.v[i].home;
		for (j = 0; j < sizeof user_rc / sizeof user_rc[0]; j++) {
			if (*home != '/' || (size_t)snprintf(path, sizeof path,
			    "%s/%s", home, user_rc[j]) >= sizeof path ||
			    (buf = artifacts_hist_read(&h, path, &len)) ==
			    NULL)
				continue;
			artifact_histfile_rc(buf, len, home,
			    ARTIFACTS_MAX_HIST, artifacts_hist_take, &h);
			free(buf);
		}
		/* The system's files: $HOME is each user's. */
		for (j = 0; j < 6; j++)
			if (sys[j] != NULL)
				artifact_histfile_rc(sys[j], syslen[j], home,
				    ARTIFACTS_MAX_HIST, artifacts_hist_take,
				    &h);
	}
	for (j = 0; j < 6; j++)
		free(sys[j]);
	rc = h.named;
	if (!collect_is_deadbox(r->ctx))
		env = artifacts_hist_environ(&h);
	collect_log(r->ctx, LOG_INFO, "HISTFILE: %zu paths named by start-up "
	    "files, %zu by process environments%s", rc, env,
	    collect_is_deadbox(r->ctx) ? " (not read with --root)" : "");
}

static enum collect_result
artifacts_run(struct collect_ctx *ctx)
{
	struct artifacts_prep	p;
	struct artifacts_run	r;
	size_t			i, skipped = 0;
	int			unknown;

	if (artifacts_prepare(ctx, 1, &p) != 0)
		return COLLECT_FAILED;
	memset(&r, 0, sizeof r);
	r.ctx = ctx;
	for (i = 0; i < p.plan.nfiles && !collect_expired(ctx); i++)
		artifacts_source(&r, &p, &p.plan.files[i], &skipped);
	for (i = 0; i < p.plan.nfiles; i++)
		if (strcmp(p.plan.files[i].artifact->name,
		    "LinuxShellHistories") == 0)
			break;
	if (i < p.plan.nfiles && !collect_expired(ctx))
		artifacts_histfiles(&r, &p);
	if (collect_expired(ctx))
		log_detail(LOG_WARN, "artifacts", "stopped early: %s",
		    collect_cut_reason(ctx) ? collect_cut_reason(ctx) :
		    "output failed");
	collect_log(ctx, LOG_INFO, "%zu files collected, %zu failed, %zu "
	    "symlinks recorded, %zu FIFOs/sockets/devices not opened, %zu "
	    "duplicates (same path or hard link) skipped, %zu paths not "
	    "applicable to Linux", r.collected, r.failed, r.links, r.special,
	    r.dups, skipped);
	unknown = p.plan.nunknown > 0;
	hset_free(&r.paths);
	hset_free(&r.inodes);
	artifacts_prep_free(&p);
	return r.failed > 0 || unknown ? COLLECT_PARTIAL :
	    COLLECT_OK;
}

const struct collector collector_artifacts = {
	.name = "artifacts",
	.description = "files named by the profile's ForensicArtifacts "
	    "definitions",
	.flags = COLLECTOR_NEEDS_ROOT,
	.run = artifacts_run,
};
