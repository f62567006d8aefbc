/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * What the artifacts and timeline collectors share: loading the built-in
 * and --artifacts definitions, resolving the profile and reading the
 * root's passwd for interpolation, all through the collect context; and
 * the bodyfile line format, a pure function the unit tests call.
 */
#ifndef ARTIFACTS_H
#define ARTIFACTS_H

#include <sys/stat.h>

#include "artifact.h"
#include "collector.h"
#include "util.h"

struct artifacts_prep {
	struct artifact_reg	*reg;
	struct artifact_plan	 plan;
	struct artifact_users	 users;
	const char		*profile;
};

/*
 * Load the definitions, resolve collect_profile(ctx) and read the users.
 * Problems are recorded through ctx when verbose (the timeline passes 0
 * so they are not reported twice). Returns 0, or -1 when nothing can be
 * collected (then p is freed already).
 */
int	 artifacts_prepare(struct collect_ctx *, int, struct artifacts_prep *);
void	 artifacts_prep_free(struct artifacts_prep *);

#define ARTIFACTS_MAX_HOMES	4096		/* /home entries, SSSD homes */
#define ARTIFACTS_SSSD_READ	(32 << 20)	/* bytes of an SSSD cache */
#define ARTIFACTS_MAX_SSSD	16		/* SSSD caches (domains) read */
#define ARTIFACTS_MAX_HELD	65536		/* files of an ordered source */
#define ARTIFACTS_RC_READ	(256 << 10)	/* bytes of a shell rc file */
#define ARTIFACTS_MAX_HIST	64		/* HISTFILE lines of one */
#define ARTIFACTS_MAX_PROCS	65536		/* environments read */
#define ARTIFACTS_ENVIRON_READ	(128 << 10)	/* bytes of one */

/*
 * The homes of the root: the users of /etc/passwd, then, marked by their
 * origin, /root, each directory of /home and the homes in the SSSD caches
 * that passwd does not name. Free with artifact_users_free.
 */
void	 artifacts_homes(struct collect_ctx *, int, struct artifact_users *);

/* Expand and walk one artefact path; found/stop as in artifact_glob_ops. */
long	 artifacts_walk(struct collect_ctx *, const struct artifacts_prep *,
	    const char *, char, int (*)(void *, const char *,
	    const struct stat *), void *, const char **);

/*
 * Append to b the TSK 3.x bodyfile line of name (the path inside the
 * root) with stx: MD5 "0", the name with '|', '\\', control bytes and
 * invalid UTF-8 written as \xNN so mactime -b can parse every line.
 */
struct statx;
void	 timeline_line(struct buf *, const char *, const struct statx *);
void	 timeline_escape(struct buf *, const char *);

#endif
