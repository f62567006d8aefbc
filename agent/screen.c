/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The victim's screen: one line per step of the run, and one progress
 * bar for the whole run, the bytes of the files step against the
 * estimate made from metadata before collecting. The bar never claims
 * more than it knows: no percentage without an estimate or past it, never
 * more than 100%, a time left only once there is a rate to go by.
 */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "log.h"
#include "screen.h"
#include "util.h"

#define SCREEN_BAR_WIDTH	30
#define SCREEN_BAR_MS		250	/* at most four redraws a second */

void
screen_init(struct screen *s, int upload, int dead_box)
{
	memset(s, 0, sizeof *s);
	s->nsteps = upload ? SCREEN_SEND : SCREEN_SEAL;
	s->dead_box = dead_box;
}

static const char *
screen_label(const struct screen *s, int step)
{
	switch (step) {
	case SCREEN_CHECK:
		return i18n("Checking the set-up");
	case SCREEN_STATE:
		return s->dead_box ? i18n("System state (users, logins)") :
		    i18n("Live state (processes, network, users)");
	case SCREEN_FILES:
		return i18n("Files and scans");
	case SCREEN_SEAL:
		return i18n("Sealing the archive (manifest, signature)");
	default:
		return i18n("Sending to the CSIRT");
	}
}

void
screen_step(struct screen *s, int step, uint64_t bytes)
{
	if (step <= s->step)
		return;
	s->step = step;
	log_step("[%d/%d] %s", step, s->nsteps, screen_label(s, step));
	if (step == SCREEN_FILES) {
		s->base = bytes;
		clock_gettime(CLOCK_MONOTONIC, &s->t0);
	}
	memset(&s->last, 0, sizeof s->last);	/* redraw at once */
}

/* "  about 3 min left" for secs seconds, into out. */
static void
screen_eta(char *out, size_t len, double secs)
{
	if (secs < 60)
		snprintf(out, len, i18n("  about %d s left"), (int)secs + 1);
	else if (secs < 5400)
		snprintf(out, len, i18n("  about %d min left"),
		    (int)(secs / 60 + 0.5));
	else
		snprintf(out, len, i18n("  about %d h left"),
		    (int)(secs / 3600 + 0.5));
}

void
screen_bar(const struct screen *s, uint64_t bytes, double secs, char *out,
    size_t len)
{
	char		bar[SCREEN_BAR_WIDTH + 1], done[24], total[24];
	char		eta[64] = "";
	uint64_t	n = 0, pct;

	if (s->step >= SCREEN_FILES && bytes > s->base)
		n = bytes - s->base;
	util_human(done, sizeof done, n);
	if (s->total == 0 || n > s->total) {
		snprintf(out, len, i18n("%s collected"), done);
		return;
	}
	util_human(total, sizeof total, s->total);
	pct = n * 100 / s->total;
	memset(bar, '.', SCREEN_BAR_WIDTH);
	memset(bar, '#', (size_t)(pct * SCREEN_BAR_WIDTH / 100));
	bar[SCREEN_BAR_WIDTH] = '\0';
	if (s->step == SCREEN_FILES && n > 0 && n < s->total && secs >= 2)
		screen_eta(eta, sizeof eta, secs * (double)(s->total - n) /
		    (double)n);
	snprintf(out, len, "[%s] %3u%%  %s / %s%s", bar, (unsigned)pct, done,
	    total, eta);
}

void
screen_progress(struct screen *s, uint64_t bytes)
{
	struct timespec	now;
	char		line[160];

	if (!log_progress_on() || s->step < SCREEN_STATE)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((now.tv_sec - s->last.tv_sec) * 1000 +
	    (now.tv_nsec - s->last.tv_nsec) / 1000000 < SCREEN_BAR_MS)
		return;
	s->last = now;
	screen_bar(s, bytes, (double)(now.tv_sec - s->t0.tv_sec) +
	    (double)(now.tv_nsec - s->t0.tv_nsec) / 1e9, line, sizeof line);
	log_progress(1, "%s", line);
}
