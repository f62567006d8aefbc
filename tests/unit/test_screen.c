/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests: the progress bar says no more than it knows: the share of
 * the estimate, never past 100%, the bytes alone without an estimate or
 * past it, a time left only in the files step with a rate to go by.
 */
#include <string.h>

#include "screen.h"
#include "unit.h"

#define MiB	(1024ULL * 1024)

static struct screen
files_step(uint64_t total, uint64_t base)
{
	struct screen	s;

	screen_init(&s, 0, 1);
	s.step = SCREEN_FILES;
	s.total = total;
	s.base = base;
	return s;
}

static void
test_bar_share(void)
{
	struct screen	s = files_step(100 * MiB, 7 * MiB);
	char		out[160];

	screen_bar(&s, 7 * MiB + 42 * MiB, 10, out, sizeof out);
	CHECK_STR(out, "[############..................]  42%  42.0 MiB / "
	    "100.0 MiB  about 14 s left");
	screen_bar(&s, 7 * MiB, 10, out, sizeof out);
	CHECK_STR(out, "[..............................]   0%  0 B / 100.0 MiB");
	screen_bar(&s, 107 * MiB, 10, out, sizeof out);
	CHECK_STR(out, "[##############################] 100%  100.0 MiB / "
	    "100.0 MiB");
	/* No time left before two seconds: no rate yet. */
	screen_bar(&s, 57 * MiB, 1, out, sizeof out);
	CHECK_STR(out, "[###############...............]  50%  50.0 MiB / "
	    "100.0 MiB");
	screen_bar(&s, 17 * MiB, 60, out, sizeof out);
	CHECK(strstr(out, "  10%  10.0 MiB / 100.0 MiB  about 9 min left") !=
	    NULL);
	screen_bar(&s, 8 * MiB, 600, out, sizeof out);
	CHECK(strstr(out, "about 17 h left") != NULL);
}

static void
test_bar_no_lie(void)
{
	struct screen	s = files_step(100 * MiB, 0);
	char		out[160];

	/* Past the estimate: the bytes alone, no percentage. */
	screen_bar(&s, 150 * MiB, 10, out, sizeof out);
	CHECK_STR(out, "150.0 MiB collected");
	s.total = 0;
	screen_bar(&s, 3 * MiB, 10, out, sizeof out);
	CHECK_STR(out, "3.0 MiB collected");
	/* Before the files step, nothing is counted yet. */
	s = files_step(100 * MiB, 0);
	s.step = SCREEN_STATE;
	screen_bar(&s, 5 * MiB, 10, out, sizeof out);
	CHECK_STR(out, "[..............................]   0%  0 B / 100.0 MiB");
	/* After it (sealing): no time left. */
	s.step = SCREEN_SEAL;
	screen_bar(&s, 50 * MiB, 10, out, sizeof out);
	CHECK(strstr(out, "left") == NULL && strstr(out, " 50%") != NULL);
}

static void
test_steps(void)
{
	struct screen	s;

	screen_init(&s, 1, 0);
	CHECK(s.nsteps == 5);
	screen_init(&s, 0, 0);
	CHECK(s.nsteps == 4);
}

int
main(void)
{
	UNIT_RUN(test_bar_share);
	UNIT_RUN(test_bar_no_lie);
	UNIT_RUN(test_steps);
	UNIT_EXIT();
}
