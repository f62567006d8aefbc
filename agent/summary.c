/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * summary.json (summary.h). The collectors' figures are differences of
 * the run's counters taken when each starts and ends, so no collector
 * counts anything itself; records and red flags come from the findings
 * observer that collect_record feeds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "collect.h"
#include "findings.h"
#include "manifest.h"
#include "sink.h"
#include "summary.h"
#include "util.h"

/* The run's counters at one moment. */
struct summary_at {
	struct timespec	t;
	uint64_t	records, files, bytes, errors;
	int		stuck;
};

struct summary {
	struct collect_ctx	*ctx;
	struct sink		*sink;
	struct manifest		*m;
	json_t			*head;
	json_t			*collectors;
	const char		*name;		/* running, or NULL */
	char			 started[40];
	struct summary_at	 at0;
};

struct summary *
summary_new(struct collect_ctx *ctx, struct sink *sink, struct manifest *m)
{
	struct summary	*s;

	s = xcalloc(1, sizeof *s);
	s->ctx = ctx;
	s->sink = sink;
	s->m = m;
	s->head = json_object();
	s->collectors = json_array();
	return s;
}

void
summary_free(struct summary *s)
{
	if (s == NULL)
		return;
	json_decref(s->head);
	json_decref(s->collectors);
	free(s);
}

void
summary_set(struct summary *s, const char *key, json_t *v)
{
	json_object_set_new(s->head, key, v);
}

static void
summary_now(struct summary *s, struct summary_at *a)
{
	clock_gettime(CLOCK_MONOTONIC, &a->t);
	a->records = findings_nrecords(collect_findings(s->ctx));
	a->files = collect_nfiles(s->ctx);
	a->bytes = sink_bytes(s->sink);
	a->errors = manifest_nerrors(s->m);
	a->stuck = collect_nstuck(s->ctx);
}

void
summary_begin(struct summary *s, const char *name)
{
	s->name = name;
	util_now(s->started, sizeof s->started);
	summary_now(s, &s->at0);
}

void
summary_end(struct summary *s, const char *status, const char *note)
{
	struct summary_at	a;

	if (s->name == NULL)
		return;
	summary_now(s, &a);
	if (a.stuck > s->at0.stuck && strcmp(status, "ok") == 0) {
		status = "stuck";
		note = "a read blocked and was given up on";
	}
	json_array_append_new(s->collectors, json_pack("{s:s, s:s, s:s, s:f, "
	    "s:I, s:I, s:I, s:I, s:s?}", "name", s->name, "status", status,
	    "started", s->started, "seconds",
	    (double)(a.t.tv_sec - s->at0.t.tv_sec) +
	    (double)(a.t.tv_nsec - s->at0.t.tv_nsec) / 1e9,
	    "records", (json_int_t)(a.records - s->at0.records),
	    "files", (json_int_t)(a.files - s->at0.files),
	    "bytes", (json_int_t)(a.bytes - s->at0.bytes),
	    "errors", (json_int_t)(a.errors - s->at0.errors), "note", note));
	s->name = NULL;
}

void
summary_skip(struct summary *s, const char *name, const char *status,
    const char *note)
{
	json_array_append_new(s->collectors, json_pack("{s:s, s:s, s:n, s:n, "
	    "s:I, s:I, s:I, s:I, s:s?}", "name", name, "status", status,
	    "started", "seconds", "records", (json_int_t)0, "files",
	    (json_int_t)0, "bytes", (json_int_t)0, "errors", (json_int_t)0,
	    "note", note));
}

json_t *
summary_json(struct summary *s, int yara, const char *finished)
{
	struct findings	*f = collect_findings(s->ctx);
	const char	*cut = collect_cut_reason(s->ctx);
	json_t		*o, *fj;
	uint64_t	 nlimits;

	o = json_deep_copy(s->head);
	json_object_set_new(o, "format", json_integer(1));
	json_object_set_new(o, "finished", json_string(finished));
	json_object_set_new(o, "cut", cut ? json_string(cut) : json_null());
	json_object_set_new(o, "collectors", json_incref(s->collectors));
	json_object_set_new(o, "limits",
	    json_incref(manifest_limits(s->m, &nlimits)));
	json_object_set_new(o, "limits_total",
	    json_integer((json_int_t)nlimits));
	json_object_set_new(o, "counts", json_pack("{s:I, s:I, s:I, s:o}",
	    "files", (json_int_t)collect_nfiles(s->ctx),
	    "bytes", (json_int_t)sink_bytes(s->sink),
	    "errors", (json_int_t)manifest_nerrors(s->m),
	    "records", findings_records(f)));
	fj = findings_json(f);
	json_object_update(o, fj);
	json_decref(fj);
	json_object_set_new(o, "yara", yara ? findings_yara(f) : json_null());
	json_object_set_new(o, "iocs", collect_iocs(s->ctx) != NULL ?
	    findings_iocs(f) : json_null());
	return o;
}
