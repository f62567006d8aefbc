/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * One run: set-up (fails fast, exit 2), collectors in order of
 * volatility, manifest and signatures, rename into place, summary.
 */
#ifndef PIPELINE_H
#define PIPELINE_H

#include "config.h"

struct upload;

/* Run with cfg; returns the exit status of SPEC.md. */
int	 pipeline_run(struct config *);
/*
 * The checks of run's set-up that do not depend on the host (keys,
 * upload settings, recipients, profile, rules key), by the same code: 0,
 * or -1 with err (what run would refuse with exit 2). If up is not NULL,
 * it receives the upload checked (caller frees with upload_free), or
 * NULL when there is no upload target.
 */
int	 pipeline_check(const struct config *, struct upload **, char *,
	    size_t);

#endif
