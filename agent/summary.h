/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * summary.json: what a responder reads first (docs/records.md). The
 * run's head fields, each collector's status and timing as the pipeline
 * runs them, what was cut, the counts, and the red flags of the records
 * (findings.h), written into the archive before the manifest.
 */
#ifndef SUMMARY_H
#define SUMMARY_H

#include <jansson.h>

struct collect_ctx;
struct manifest;
struct sink;

struct summary;

/* The collectors' results, about ctx writing to sink and m (not owned). */
struct summary	*summary_new(struct collect_ctx *, struct sink *,
		    struct manifest *);
void		 summary_free(struct summary *);
/* A head field ("agent", "host"…), value owned. */
void		 summary_set(struct summary *, const char *, json_t *);
/* The collector name starts now. */
void		 summary_begin(struct summary *, const char *);
/*
 * It ended with status ("ok", "error", "cut", "stuck"); note says why
 * (may be NULL).
 */
void		 summary_end(struct summary *, const char *, const char *);
/* The collector name did not run: status "skipped" or "cut", why. */
void		 summary_skip(struct summary *, const char *, const char *,
		    const char *);
/*
 * The whole summary (a new reference): yara says whether YARA was on,
 * finished is the end time (ISO 8601).
 */
json_t		*summary_json(struct summary *, int, const char *);

#endif
