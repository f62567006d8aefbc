/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The collector interface. Each collectors/<name>.c exports one
 * `const struct collector`; collectors/collectors.c lists them in a
 * NULL-terminated table. A collector gets a context and emits records
 * (collect_record) or files (collect_file, collect_file_fd) through it;
 * it never exits, prints to stdout, or creates files, and every error it
 * meets goes to collect_error (manifest "errors" and the log).
 *
 * The context functions are the agent's: declared in agent/collect.h,
 * with the code that implements them (agent/collect.c).
 */
#ifndef COLLECTOR_H
#define COLLECTOR_H

#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "collect.h"

enum collect_result {
	COLLECT_OK = 0,		/* everything it meant to read was read */
	COLLECT_PARTIAL,	/* some parts failed (each in collect_error) */
	COLLECT_FAILED		/* nothing useful produced */
};

#define COLLECTOR_NEEDS_ROOT	0x01	/* incomplete without root */
#define COLLECTOR_LIVE		0x02	/* reads the running system (/proc,
					   /sys): skipped with --root */
#define COLLECTOR_SLOW		0x04

struct collect_ctx;

struct collector {
	const char		*name;
	const char		*description;
	int			 flags;
	enum collect_result	(*run)(struct collect_ctx *);
};

/* The table, NULL-terminated (collectors.c). */
extern const struct collector *const collectors[];
/* Look a collector up by name; NULL if none. */
const struct collector	*collector_find(const char *);

#endif
