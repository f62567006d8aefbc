/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Red flags, computed from the records as they are emitted: each record
 * of a stream (live/NAME.jsonl, yara/matches.jsonl) is shown to
 * findings_record, which keeps at most FINDINGS_KEEP findings per kind
 * and counts them all, counts the records by stream, groups the YARA
 * matches by rule and the logins by source address. The same code
 * rebuilds the findings of an older archive from its records.
 */
#ifndef FINDINGS_H
#define FINDINGS_H

#include <stdint.h>
#include <time.h>

#include <jansson.h>

#define FINDINGS_DAYS		30	/* "recent" persistence, in days */
#define FINDINGS_KEEP		100	/* findings listed per kind */
#define FINDINGS_TARGETS	20	/* targets listed per YARA rule */

struct findings;

/*
 * An observer: persistence changed within days before now (0: the
 * current time) is reported.
 */
struct findings	*findings_new(int, time_t);
void		 findings_free(struct findings *);
/*
 * Look at one record (borrowed) of stream: a name as given to
 * collect_record ("processes"), "yara/matches" for a YARA match, or an
 * archive entry ("live/processes.jsonl", "yara/matches.jsonl").
 */
void		 findings_record(struct findings *, const char *, json_t *);
/*
 * A new object with "findings" (array), "findings_total" (kind → N,
 * every kind) and "logins" ({"by_source": [...]}), as in summary.json.
 */
json_t		*findings_json(struct findings *);
/* Kind → N, every kind (a new reference); *total gets the sum. */
json_t		*findings_counts(struct findings *, uint64_t *);
/* {"matches": N, "rules": [{rule, count, targets}]} (new reference). */
json_t		*findings_yara(struct findings *);
/*
 * {"matches": N, "indicators": [{id, type, value, count}]}, from the
 * sightings of iocs/matches.jsonl, indicators in the order first seen
 * (a new reference).
 */
json_t		*findings_iocs(struct findings *);
/* Archive entry → records seen (a new reference). */
json_t		*findings_records(struct findings *);
/*
 * The fields of rec (borrowed) named in keys (NULL-terminated), copied
 * into a new object with their _b64 twins (the raw bytes of a name that
 * was not UTF-8): a record's identifying fields.
 */
json_t		*findings_pick(json_t *, const char *const *);
/* Records seen in all. */
uint64_t	 findings_nrecords(struct findings *);

#endif
