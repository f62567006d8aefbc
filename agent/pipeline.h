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

/* Run with cfg; returns the exit status of SPEC.md. */
int	 pipeline_run(struct config *);

#endif
