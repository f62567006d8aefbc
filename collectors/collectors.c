/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The collector table, in order of volatility (RFC 3227): live state
 * first, files after. Adding a collector is one file and one line here.
 */
#include <string.h>

#include "collector.h"

extern const struct collector collector_system;
extern const struct collector collector_processes;
extern const struct collector collector_containers;
extern const struct collector collector_network;
extern const struct collector collector_kernel;
extern const struct collector collector_firewall;
extern const struct collector collector_users;
extern const struct collector collector_sshkeys;
extern const struct collector collector_logins;
extern const struct collector collector_packages;
extern const struct collector collector_artifacts;
extern const struct collector collector_persist;
extern const struct collector collector_yara;
extern const struct collector collector_procdump;
extern const struct collector collector_timeline;

const struct collector *const collectors[] = {
	&collector_system,
	&collector_processes,
	&collector_containers,
	&collector_network,
	&collector_kernel,
	&collector_firewall,
	&collector_users,
	&collector_sshkeys,
	&collector_logins,
	&collector_packages,
	&collector_artifacts,
	&collector_persist,
	&collector_yara,
	&collector_procdump,	/* after yara: its process hits */
	&collector_timeline,
	NULL
};

const struct collector *
collector_find(const char *name)
{
	const struct collector *const	*c;

	for (c = collectors; *c != NULL; c++)
		if (strcmp((*c)->name, name) == 0)
			return *c;
	return NULL;
}
