/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * What the person at the keyboard sees of a run: numbered steps and one
 * progress bar, on stderr (log.c draws them).
 */
#ifndef SCREEN_H
#define SCREEN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* The steps of a run, in order. */
enum screen_step {
	SCREEN_CHECK = 1, SCREEN_STATE, SCREEN_FILES, SCREEN_SEAL, SCREEN_SEND
};

struct screen {
	int		 step;		/* the last one shown */
	int		 nsteps;
	int		 dead_box;	/* --root: no live state */
	uint64_t	 total;		/* estimated bytes of the files step */
	uint64_t	 base;		/* byte count when the files began */
	struct timespec	 t0;		/* when the files began */
	struct timespec	 last;		/* the bar last drawn */
};

/* Steps for a run with an upload or not, live or dead box. */
void	 screen_init(struct screen *, int, int);
/*
 * Show the line of step s ("[3/5] Files and scans") once: steps only go
 * forward. bytes: the count of collected bytes now.
 */
void	 screen_step(struct screen *, int, uint64_t);
/* Redraw the bar for bytes collected, when due (a terminal, 4 a second). */
void	 screen_progress(struct screen *, uint64_t);
/*
 * The bar's text for bytes collected, secs after the files began:
 * "[#####.....]  42%  1.2 GiB / 2.9 GiB  about 3 min left", or the bytes
 * alone without an estimate or past it.
 */
void	 screen_bar(const struct screen *, uint64_t, double, char *, size_t);

#endif
