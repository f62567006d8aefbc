/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Pure parsers of the kernel collector (collectors/kernel.c): /dev/kmsg
 * records, /proc/PID/fdinfo of eBPF objects, /proc/PID/fd link names,
 * binfmt_misc handler files and AppArmor profile lines. Each takes bytes
 * from the host and splits them in place without touching the system, so
 * that the unit tests (test_kernel) and the fuzz target (fuzz_kernel) can
 * feed it anything. Any user can write to /dev/kmsg and root any bytes to
 * binfmt_misc: the input is untrusted, and each parser returns -1 rather
 * than guess.
 */
#ifndef KERNEL_H
#define KERNEL_H

#include <stddef.h>

#include <jansson.h>

/* The continuation lines (" KEY=value") kept per kmsg record. */
#define KERNEL_KMSG_FIELDS	16

/* One /dev/kmsg record: "prio,seq,usec,flags[,…];message\n[ KEY=value\n]…". */
struct kernel_kmsg {
	unsigned int		 facility;	/* prio >> 3 */
	unsigned int		 level;		/* prio & 7 */
	unsigned long long	 seq;
	unsigned long long	 usec;		/* since boot */
	char			 flags;		/* '-', 'c' (continued)… */
	char			*message;	/* NUL-terminated, in place */
	size_t			 message_len;
	char			*field[KERNEL_KMSG_FIELDS];	/* "KEY=value" */
	size_t			 nfields;
	size_t			 fields_dropped;	/* past the cap */
};
/*
 * Parse one record of len bytes (as one read(2) of /dev/kmsg returns
 * it), splitting rec in place: rec must have room for len + 1 bytes
 * (a NUL is written at rec[len]). 0, or -1 when the prefix is malformed.
 */
int	 kernel_parse_kmsg(char *, size_t, struct kernel_kmsg *);
/* "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug". */
const char *kernel_level_name(unsigned int);
/* "kern", "user"… for a syslog facility; "local0"… ; NULL past 23. */
const char *kernel_facility_name(unsigned int);

/*
 * The kind of eBPF object a /proc/PID/fd link names: "prog", "map",
 * "link", "iter", "token" for "anon_inode:bpf-prog", "anon_inode:bpf_link",
 * "anon_inode:[bpf-map]"…; NULL when it is not an eBPF object.
 */
const char *kernel_bpf_kind(const char *);

/*
 * A /proc/PID/fdinfo/N file ("key:\tvalue" lines) as a JSON object: the
 * value is an integer when it is all decimal digits without a leading
 * zero and fits (never for a key ending in "tag"), a string otherwise (kept as bytes: invalid UTF-8 as \xNN). Lines without a ':'
 * are skipped and counted in *badp (may be NULL). At most max keys. Never
 * NULL; the caller owns it.
 */
json_t	*kernel_parse_fdinfo(char *, size_t, size_t, size_t *);

/* A /proc/sys/fs/binfmt_misc/NAME file, split in place. */
struct kernel_binfmt {
	int		 enabled;	/* 1, 0, or -1 when not said */
	char		*interpreter;	/* NULL when absent */
	char		*flags;		/* "OCF"…, "" for none */
	long long	 offset;	/* -1 when absent */
	char		*magic;		/* hex; NULL for an extension handler */
	char		*mask;
	char		*extension;	/* NULL for a magic handler */
};
/* 0, or -1 when it says neither enabled nor disabled, or no interpreter. */
int	 kernel_parse_binfmt(char *, size_t, struct kernel_binfmt *);

/*
 * A line of /sys/kernel/security/apparmor/profiles, "NAME (MODE)", split
 * in place (a name may hold spaces and parentheses: the mode is the last
 * parenthesised word). 0 or -1.
 */
int	 kernel_parse_aa_profile(char *, char **, char **);

#endif
