/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Pure parsers and small helpers shared by the live-response collectors
 * (process.c, network.c, users.c, logins.c, sysinfo.c). Every parser takes
 * bytes from the host (a /proc line, a utmp record, a mountinfo line) and
 * fills a plain structure without touching the system, so that the unit
 * tests and the fuzz targets can feed it anything. Input is untrusted:
 * each parser checks every field and returns -1 rather than guess.
 */
#ifndef LIVE_H
#define LIVE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* INET6_ADDRSTRLEN, without pulling netinet/in.h into every user. */
#define LIVE_ADDRLEN	46

/*
 * A JSON string of len bytes of p. Bytes that are not valid UTF-8 (and
 * NUL) are written as the six characters "\xNN", so the record stays
 * valid JSON and the raw byte is still visible. Never NULL.
 */
json_t	*live_json_str(const char *, size_t);
/* Same for a NUL-terminated string; JSON null when s is NULL. */
json_t	*live_json_strz(const char *);

/* /proc/PID/stat: the fields the collectors use. */
struct live_stat {
	long long		pid;
	char			comm[64];
	char			state;
	long long		ppid;
	long long		pgrp;
	long long		session;
	long long		tty_nr;
	unsigned long long	flags;		/* PF_*: 0x00200000 kthread */
	unsigned long long	utime;
	unsigned long long	stime;
	long long		nice;
	long long		num_threads;
	unsigned long long	starttime;	/* clock ticks after boot */
	unsigned long long	vsize;
	long long		rss;		/* pages */
};
/*
 * Parse a /proc/PID/stat line of len bytes. comm is taken between the
 * first '(' and the last ')', so a name holding ')' or spaces is kept
 * whole. Returns 0, or -1 when the line is malformed.
 */
int	 live_parse_stat(const char *, size_t, struct live_stat *);

/* Ids from /proc/PID/status: real, effective, saved, filesystem. */
struct live_status {
	long long	tgid;
	long long	uid[4];
	long long	gid[4];
};
/* Parse /proc/PID/status. 0, or -1 if Tgid, Uid or Gid is missing. */
int	 live_parse_status(const char *, size_t, struct live_status *);

/*
 * The NUL-separated arguments of /proc/PID/cmdline as a JSON array (a
 * trailing NUL does not add an empty argument). Never NULL.
 */
json_t	*live_parse_cmdline(const char *, size_t);

/*
 * The value of variable name in a NUL-separated environment block, or
 * NULL when not set. Points into buf; *lenp gets its length.
 */
const char *live_environ_get(const char *, size_t, const char *, size_t *);

/*
 * "socket:[12345]" (a /proc/PID/fd link) or "net:[4026531840]" (a
 * /proc/PID/ns link, with the given prefix) to its inode. 0 or -1.
 */
int	 live_parse_inode_link(const char *, const char *, unsigned long long *);

/* A line of /proc/net/{tcp,udp,raw}{,6}. */
struct live_inet {
	int			family;		/* AF_INET or AF_INET6 */
	char			laddr[LIVE_ADDRLEN];
	unsigned int		lport;
	char			raddr[LIVE_ADDRLEN];
	unsigned int		rport;
	int			state;
	unsigned long long	uid;
	unsigned long long	inode;
};
/*
 * Parse one line (not the header) for family (AF_INET or AF_INET6).
 * Addresses are printed by the kernel as 32-bit words in host order;
 * they come out as text. 0, or -1 when malformed.
 */
int	 live_parse_inet_line(const char *, int, struct live_inet *);
/* "ESTABLISHED", "LISTEN"… for a TCP state number; "UNKNOWN" otherwise. */
const char *live_tcp_state_name(int);

/* A line of /proc/net/unix. */
struct live_unix {
	unsigned long		flags;
	int			type;		/* SOCK_STREAM… */
	int			state;		/* SS_UNCONNECTED… */
	unsigned long long	inode;
	char			path[256];	/* "" when unbound; '@' abstract */
};
#define LIVE_UNIX_ACCEPTCON	0x10000		/* __SO_ACCEPTCON: listening */
int	 live_parse_unix_line(const char *, struct live_unix *);

/* A line of /proc/net/route (IPv4) or /proc/net/ipv6_route. */
struct live_route {
	int		family;
	char		iface[32];
	char		dest[LIVE_ADDRLEN];
	int		dest_len;
	char		gateway[LIVE_ADDRLEN];
	char		source[LIVE_ADDRLEN];	/* IPv6 only */
	int		source_len;
	unsigned long	flags;
	unsigned long	metric;
	unsigned long	mtu;
};
int	 live_parse_route_line(const char *, struct live_route *);
int	 live_parse_route6_line(const char *, struct live_route *);

/* A line of /proc/net/arp. */
struct live_arp {
	char		ip[LIVE_ADDRLEN];
	unsigned long	hw_type;
	unsigned long	flags;
	char		mac[64];
	char		device[32];
};
int	 live_parse_arp_line(const char *, struct live_arp *);

/*
 * utmp/wtmp/btmp records as glibc writes them on 64-bit Linux (and on
 * i386: the layout is the same 384 bytes, with 32-bit times).
 */
#define LIVE_UTMP_SIZE		384
#define LIVE_UTMP_TYPE_MAX	9
struct live_utmp {
	int		type;
	int32_t		pid;
	char		line[33];
	char		id[5];
	char		user[33];
	char		host[257];
	int		exit_termination;
	int		exit_status;
	int32_t		session;
	int64_t		sec;
	int32_t		usec;
	char		addr[LIVE_ADDRLEN];	/* "" when all zero */
};
/*
 * Parse one record. Returns 0; -1 when len is short of a record
 * (truncated); -2 when the bytes are not a plausible record (unknown
 * type, microseconds out of range, control characters in a name).
 */
int	 live_parse_utmp(const unsigned char *, size_t, struct live_utmp *);
/* "USER_PROCESS"… for a type, "UNKNOWN" otherwise. */
const char *live_utmp_type_name(int);

/* lastlog: int32 time, char line[32], char host[256]. */
#define LIVE_LASTLOG_SIZE	292
struct live_lastlog {
	int64_t		time;
	char		line[33];
	char		host[257];
};
/* 0; -1 when short; -2 when garbage (control characters). */
int	 live_parse_lastlog(const unsigned char *, size_t,
	    struct live_lastlog *);

/* A line of /proc/PID/mountinfo, split in place and unescaped (\040). */
struct live_mount {
	long long	 mount_id;
	long long	 parent_id;
	char		*dev;		/* "major:minor" */
	char		*root;
	char		*mount_point;
	char		*options;
	char		*optional;	/* "shared:1 master:2", may be "" */
	char		*fstype;
	char		*source;
	char		*super_options;
};
int	 live_parse_mountinfo_line(char *, struct live_mount *);

/* A line of /proc/modules, split in place. */
struct live_module {
	char		*name;
	unsigned long long size;
	long long	 refcount;
	char		*deps;		/* comma-separated, "" when none */
	char		*state;		/* "Live", "Loading", "Unloading" */
	char		*address;
	char		*taint;		/* "OE" from "(OE)", "" when none */
};
int	 live_parse_modules_line(char *, struct live_module *);

/*
 * A KEY=value line of os-release (shell-like quoting, \ escapes).
 * Split in place; 0, 1 for a blank or comment line, -1 when malformed.
 */
int	 live_parse_kv_line(char *, char **, char **);

/*
 * The letters of the kernel taint mask, as the kernel prints them in
 * oopses ("P", "O", "E"…): out gets one letter per set bit known.
 */
void	 live_taint_letters(unsigned long long, char *, size_t);

/*
 * The processes of the host (process.c): the readdir listing of /proc
 * cross-checked with a probe of every pid up to kernel.pid_max. hidden[i]
 * is set for pid[i] when it exists but readdir does not show it.
 */
struct live_pids {
	unsigned int	*pid;		/* ascending */
	unsigned char	*hidden;
	size_t		 n;
	size_t		 nhidden;
	unsigned int	 pid_max;
	double		 seconds;	/* the probe's duration */
};
/*
 * Fill pids (free with process_pids_free). procfd is /proc, opened by
 * the caller. 0, or -1 with errno when /proc cannot be listed.
 */
int	 process_pids(int, struct live_pids *);
void	 process_pids_free(struct live_pids *);

/*
 * Read the file at path relative to dirfd (O_NOFOLLOW), at most max
 * bytes. Returns a new NUL-terminated buffer (the caller frees it) or
 * NULL with errno set. *lenp gets the length; *truncp (may be NULL) is
 * set when the file was longer.
 */
char	*live_read_at(int, const char *, size_t, size_t *, int *);

/*
 * Split a buffer into lines in place: returns the next line (NUL
 * terminated, without the newline) and advances *pos, or NULL at the end.
 */
char	*live_next_line(char *, size_t, size_t *);

#endif
