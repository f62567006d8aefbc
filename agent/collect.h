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
#include <sys/types.h>
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
/*
 * Never collect the agent's own output: the directory dir (its path
 * inside the root; NULL when it is outside) and the file st (the archive
 * being written; NULL for none). Also for collectors that read files
 * themselves: collect_excluded says if path (with its metadata st, may
 * be NULL) is one of them.
 */
void		 collect_exclude(struct collect_ctx *, const char *,
		    const struct stat *);
int		 collect_excluded(struct collect_ctx *, const char *,
		    const struct stat *);
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
/*
 * The agent's own processes, never scanned: this one and the process
 * supervising it (pipeline.c), set with collect_set_supervisor.
 */
void		 collect_set_supervisor(struct collect_ctx *, pid_t);
int		 collect_is_agent(struct collect_ctx *, pid_t);
/*
 * Reads and opens given up on because they blocked (a file system that
 * does not answer): their threads may still be stuck in the kernel.
 */
int		 collect_nstuck(struct collect_ctx *);
/* Counters for the summary (files; bytes seen in a dry run). */
uint64_t	 collect_nfiles(struct collect_ctx *);
uint64_t	 collect_nbytes(struct collect_ctx *);

/*
 * YARA. collect_set_scanner makes every collected file scanned (through
 * the sink's tap) with scan (not owned; NULL: no scanning) and opens
 * yara/matches.jsonl, kept open for the run and added to the archive by
 * collect_matches_close (at the end of the run, before the manifest).
 */
struct scan;
void		 collect_set_scanner(struct collect_ctx *, struct scan *);
/* The run's rules, or NULL when YARA is off. */
struct scan	*collect_scanner(struct collect_ctx *);
/* The --scan-path trees (NULL-terminated; empty when none). */
const char *const *collect_scan_paths(struct collect_ctx *);
/* Whether process memory is scanned: YARA on, live, no --no-process-memory. */
int		 collect_scan_processes(struct collect_ctx *);
/* Turn the scanning of collected files on or off; the old setting. */
int		 collect_scan_files(struct collect_ctx *, int);
/*
 * Write one match record (owned) to yara/matches.jsonl and count it by
 * rule. Not thread-safe: callers on other threads serialise. 0 or -1.
 */
int		 collect_match(struct collect_ctx *, json_t *);
/* Matches so far; *counts (borrowed, may be NULL) by rule. */
uint64_t	 collect_matches(struct collect_ctx *, json_t **);
/* Add yara/matches.jsonl to the archive. 0, or -1 if the output failed. */
int		 collect_matches_close(struct collect_ctx *);

#endif
