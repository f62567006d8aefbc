/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Inside the network collector: the run state network.c builds (socket
 * owners, namespaces) and netsock.c uses for the sockets that are not
 * IP (AF_PACKET, netlink) and the conntrack table. Also the pure line
 * parsers of netsock.c, for the unit tests and the fuzz target. Not an
 * interface for other collectors.
 */
#ifndef NETWORK_H
#define NETWORK_H

#include <stddef.h>

#include <jansson.h>

#include "collector.h"
#include "live.h"

/* An interface of a namespace (its /proc/net/dev_snmp6 and igmp). */
struct netsock_if {
	int	index;
	char	name[16];
};

/* A socket inode held by a process, as descriptor fd. */
struct network_owner {
	unsigned long long	inode;
	unsigned int		pid;
	int			fd;
};

struct network_proc {
	unsigned int		pid;
	char			comm[64];
};

struct network_run {
	struct collect_ctx	*ctx;
	int			 procfd;
	struct network_owner	*own;		/* by inode, then pid */
	size_t			 nown;
	struct network_proc	*procs;		/* ascending pid */
	size_t			 nprocs;
	unsigned long long	*netns;		/* distinct, with a pid each */
	unsigned int		*netns_pid;
	size_t			 nnetns;
	size_t			 ndenied;
	size_t			 nfilters;	/* BPF filters looked up */
	struct netsock_if	*ifs;		/* of the namespace being read */
	size_t			 nifs;
	int			 partial;
};

/*
 * The holders of socket inode (network.c): a pointer into nr->own and
 * their number in *np (0 when no process holds it).
 */
const struct network_owner *network_owners(struct network_run *,
	    unsigned long long, size_t *);
/* pid, process and processes [{pid, name}] of the socket inode. */
void	 network_set_owners(struct network_run *, json_t *,
	    unsigned long long);

/*
 * netsock.c. netsock_ifs_load: the interfaces of namespace number ns
 * into nr->ifs, for the packet records that follow. netsock_record: the
 * record of a /proc/net/packet (family AF_PACKET) or netlink line, with
 * its inode; NULL when malformed. netsock_log_sniffer: a warning when
 * the record (owners set) is a sniffer's. netsock_conntrack: the
 * conntrack table of every namespace into live/conntrack.jsonl.
 */
void	 netsock_ifs_load(struct network_run *, size_t);
json_t	*netsock_record(struct network_run *, int, const char *,
	    unsigned long long *);
void	 netsock_log_sniffer(struct network_run *, json_t *);
void	 netsock_conntrack(struct network_run *);

/* A line of /proc/net/packet. */
struct netsock_packet {
	unsigned int		type;		/* SOCK_RAW, SOCK_DGRAM… */
	unsigned int		proto;		/* ethertype, host order */
	int			ifindex;	/* 0: every interface */
	int			running;
	unsigned long long	rmem;
	unsigned long long	uid;
	unsigned long long	inode;
};
/* Parse one line (not the header): 0, or -1 when malformed. */
int	 netsock_parse_packet_line(const char *, struct netsock_packet *);
/* "all", "ip", "arp", "ipv6"… for an ethertype; NULL when not named. */
const char *netsock_ethertype_name(unsigned int);

/* A line of /proc/net/netlink. */
struct netsock_netlink {
	unsigned int		protocol;	/* NETLINK_ROUTE… */
	unsigned long long	portid;
	unsigned long long	groups;		/* first 32 groups, a mask */
	long long		rmem;
	long long		wmem;
	int			dump;
	long long		refcnt;
	unsigned long long	drops;
	unsigned long long	inode;
};
int	 netsock_parse_netlink_line(const char *, struct netsock_netlink *);
/* "route", "audit", "generic"… for a netlink protocol; NULL if unknown. */
const char *netsock_netlink_family(unsigned int);

/* One device line of /proc/net/igmp ("2\teth0      :     1      V3"). */
int	 netsock_parse_igmp_line(const char *, int *, char *, size_t);
/* The index in /proc/net/dev_snmp6/NAME ("ifIndex\t2\n…"). 0 or -1. */
int	 netsock_parse_snmp6_index(const char *, int *);

/* One direction of a conntrack entry; -1 in a number means absent. */
struct netsock_ct_dir {
	char			src[LIVE_ADDRLEN];
	char			dst[LIVE_ADDRLEN];
	long long		sport;
	long long		dport;
	long long		icmp_type;
	long long		icmp_code;
	long long		icmp_id;
	long long		packets;
	long long		bytes;
	long long		zone;
};
/* A line of /proc/net/nf_conntrack; strings point into the line. */
struct netsock_ct {
	char			*l3proto;	/* "ipv4", "ipv6" */
	unsigned int		 l3num;
	char			*l4proto;	/* "tcp", "udp", "icmp"… */
	unsigned int		 l4num;
	long long		 timeout;	/* seconds; -1 when offloaded */
	char			*state;		/* TCP/SCTP/DCCP; NULL if none */
	struct netsock_ct_dir	 orig;
	struct netsock_ct_dir	 reply;
	int			 unreplied;
	int			 assured;
	int			 offload;	/* 1 offload, 2 hardware */
	long long		 mark;
	long long		 zone;
	long long		 use;
	char			*secctx;
};
/*
 * Parse one line, split in place. Addresses come out in the usual
 * (compressed) text form. 0, or -1 when malformed.
 */
int	 netsock_parse_conntrack_line(char *, struct netsock_ct *);

#endif
