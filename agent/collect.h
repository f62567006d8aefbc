/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The collector context (collectors/collector.h) as the pipeline sees
 * it: made once per run, handed to each collector in turn.
 */
#ifndef COLLECT_H
#define COLLECT_H

#include <signal.h>
#include <stdint.h>
#include <time.h>

#include "collector.h"
#include "config.h"
#include "manifest.h"
#include "sink.h"

struct collect_ctx;

/*
 * A context over sink and manifest (not owned), reading under rootfd
 * (owned: closed by collect_free). stop is polled by collect_expired.
 */
struct collect_ctx *collect_new(const struct config *, struct sink *,
		    struct manifest *, int, volatile sig_atomic_t *);
void		 collect_free(struct collect_ctx *);
/* Name the collector now running (for logs and errors). */
void		 collect_begin(struct collect_ctx *, const struct collector *);
/*
 * Add the record streams written so far (live/NAME.jsonl) to the archive.
 * 0, or -1 if the output failed.
 */
int		 collect_flush(struct collect_ctx *);
/* Non-zero once the output has failed: the run must stop. */
int		 collect_output_failed(struct collect_ctx *);
/* Why collection stopped early: NULL, "time limit", "size limit"… */
const char	*collect_cut_reason(struct collect_ctx *);
/* Counters for the summary. */
uint64_t	 collect_nfiles(struct collect_ctx *);

#endif
