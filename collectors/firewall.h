/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The pure decoders of the firewall collector (firewall-parse.c): the entry
 * blob of a legacy iptables table (IPT_SO_GET_ENTRIES, IP6T_ same) and
 * an audit rule (struct audit_rule_data). Both are kernel memory handed
 * over as bytes: every offset and size in them is checked before use, so
 * the unit tests and the fuzz target can feed them anything.
 */
#ifndef FIREWALL_H
#define FIREWALL_H

#include <stddef.h>

#include <jansson.h>

/* The head of a table, as IPT_SO_GET_INFO gives it. */
struct firewall_ipt_table {
	int		 family;		/* AF_INET or AF_INET6 */
	const char	*name;			/* "filter"… */
	unsigned int	 valid_hooks;		/* bit per NF_INET_* hook */
	unsigned int	 hook_entry[5];		/* offset of each chain */
	unsigned int	 underflow[5];		/* offset of its policy */
};

/* Caps: entries walked per table, bytes of match or target data shown. */
#define FIREWALL_IPT_MAX_ENTRIES	65536
#define FIREWALL_HEX_MAX		64

/* Lower-case hex of the first FIREWALL_HEX_MAX bytes of p, as JSON. */
json_t	*firewall_hex(const void *, size_t);

/*
 * Walk len bytes of table t's entries, calling emit with one record per
 * rule (the record passes to emit; a non-zero return stops the walk).
 * ERROR entries name user chains and are not records of their own.
 * Returns the number of records emitted. *nbad gets the number of
 * malformed entries met: the walk stops at the first, since the offset
 * of the next one cannot be trusted, and nothing is read out of bounds.
 */
size_t	 firewall_ipt_walk(const void *, size_t,
	    const struct firewall_ipt_table *, int (*)(json_t *, void *),
	    void *, size_t *);

/*
 * One audit rule of len bytes (struct audit_rule_data and its strings)
 * as a record: list, action, fields, syscalls, key and a text in the
 * form of `auditctl -l`. NULL when malformed (short, a field count or a
 * string length past the end).
 */
json_t	*firewall_audit_rule(const void *, size_t);

#endif
