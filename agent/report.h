/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * report ARCHIVE: one self-contained HTML page (English and French) built
 * from an archive as it is verified. The entries the page shows are kept
 * aside through the verify tap, each capped, and written out only once
 * the whole archive proved sound.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "verify.h"

/* The file events of the bodyfile kept: the most recent ones. */
#define REPORT_FILE_EVENTS	200000
/* Each table: at most this many records and bytes of record text. */
#define REPORT_ROWS_MAX		20000
#define REPORT_STREAM_BYTES	(8U << 20)

struct report;

/* A new report, lang "en" or "fr" the page's first language. */
struct report	*report_new(const char *);
void		 report_free(struct report *);
/* The phone reference verify computed ("XXXX XXXX"), shown in the page. */
void		 report_set_reference(struct report *, const char *);
/* The tap that feeds r: give it to verify_archive in a verify_say. */
void		 report_tap(struct report *, struct verify_tap *);
/*
 * Write the page to fd, archive the name shown. Only once verify_archive
 * returned with failed == 0. 0, or -1 on a write error (errno).
 */
int		 report_write(struct report *, const char *, int);

/*
 * A bodyfile line of len bytes: tm its atime, mtime, ctime and crtime,
 * the name at s + *noff, *nlen bytes. 0, or -1 when it is not one.
 */
int		 report_body_line(const char *, size_t, long long[4], size_t *,
		    size_t *);

/* The page (report-html.c, made from agent/report.html). */
extern const char report_html[];

#endif
