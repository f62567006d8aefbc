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
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "artifacts.h"
#include "collector.h"
#include "log.h"
#include "passwd.h"


struct artifacts_run {
	struct collect_ctx	*ctx;
	struct hset		 paths;
	struct hset		 inodes;
	const char		*artifact;
	size_t			 collected, failed, links, special, dups;
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

static int
artifacts_found(void *arg, const char *path, const struct stat *st)
{
	struct artifacts_run	*r = arg;
	uint64_t		 key[2];

	if (S_ISDIR(st->st_mode))
		return 0;
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

/* Users of the root's passwd; none (only literal paths) if unreadable. */
static void
artifacts_users(struct collect_ctx *ctx, int verbose,
    struct artifact_users *u)
{
	struct passwd_file	pf;
	int			fd, rc;

	memset(u, 0, sizeof *u);
	if ((fd = collect_open(ctx, "/etc/passwd", O_RDONLY)) == -1) {
		if (verbose)
			collect_log(ctx, LOG_WARN, "/etc/passwd: %s: "
			    "%%%%users.*%%%% paths not expanded",
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
	if (verbose)
		artifacts_prep_report(ctx, p);
	if (rc != 0)
		goto fail;
	artifacts_users(ctx, verbose, &p->users);
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

static void
artifacts_source(struct artifacts_run *r, const struct artifacts_prep *p,
    const struct artifact_use *u, size_t *skipped)
{
	const char	*why;
	size_t		 i;
	long		 n;

	r->artifact = u->artifact->name;
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
