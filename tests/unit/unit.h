/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * A minimal unit-test harness: each test file defines test functions and
 * a main() that calls UNIT_RUN(fn) for each. Every test prints one line,
 * "PASS <file>: <name>" or "FAIL <file>: <name>: <what>", which
 * tests/run.sh counts. CHECK records a failure and goes on.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <string.h>

static int	unit_failed;
static int	unit_any_failed;
static const char *unit_name;
static const char *unit_skip;	/* why the test did not run, or NULL */

/* Say the test cannot run here (missing data): SKIP, never PASS. */
#define UNIT_SKIP(why)	(unit_skip = (why))

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		if (!unit_failed)					\
			printf("FAIL %s: %s: line %d: %s\n", __FILE__,	\
			    unit_name, __LINE__, #cond);		\
		else							\
			printf("#   also line %d: %s\n", __LINE__, #cond); \
		unit_failed = 1;					\
	}								\
} while (0)

#define CHECK_STR(a, b) do {						\
	const char *unit_a_ = (a), *unit_b_ = (b);			\
	if (unit_a_ == NULL || unit_b_ == NULL ||			\
	    strcmp(unit_a_, unit_b_) != 0) {				\
		printf("%s %s: %s: line %d: \"%s\" != \"%s\"\n",	\
		    unit_failed ? "#   also" : "FAIL", __FILE__, unit_name, \
		    __LINE__, unit_a_ ? unit_a_ : "(null)",		\
		    unit_b_ ? unit_b_ : "(null)");			\
		unit_failed = 1;					\
	}								\
} while (0)

#define UNIT_RUN(fn) do {						\
	unit_failed = 0;						\
	unit_skip = NULL;						\
	unit_name = #fn;						\
	fflush(stdout);							\
	fn();								\
	if (!unit_failed && unit_skip != NULL)				\
		printf("SKIP %s: %s: %s\n", __FILE__, #fn, unit_skip);	\
	else if (!unit_failed)						\
		printf("PASS %s: %s\n", __FILE__, #fn);			\
	else								\
		unit_any_failed = 1;					\
	fflush(stdout);							\
} while (0)

#define UNIT_EXIT()	return (unit_any_failed ? 1 : 0)

#endif
