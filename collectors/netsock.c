/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Part of the network collector (network.c calls it): the sockets that
 * are not IP and the conntrack table. A sniffer (BPFDoor and its kind)
 * holds an AF_PACKET socket, often with a classic BPF filter that picks
 * its magic packets: /proc/PID/net/packet of every network namespace
 * gives the socket, the owner's descriptor a copy of its filter. Netlink
 * sockets (/proc/PID/net/netlink) show who listens to routes, audit or
 * uevents. The conntrack table (/proc/PID/net/nf_conntrack) keeps the
 * flows the kernel tracks, closed sockets' too. Records go to
 * live/network.jsonl (proto "packet", "netlink") and live/conntrack.jsonl.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <linux/filter.h>
#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector.h"
#include "util.h"
#include "live.h"
#include "network.h"

#define NETSOCK_TABLE_MAX	(16U << 20)	/* igmp */
#define NETSOCK_CT_BYTES	(64U << 20)	/* nf_conntrack, per netns */
#define NETSOCK_CT_MAX		262144		/* conntrack records, in all */
#define NETSOCK_IF_MAX		4096		/* interfaces named per netns */
#define NETSOCK_FILTER_MAX	4096		/* sockets whose filter is read */
#define NETSOCK_OWNER_TRIES	4		/* holders tried per socket */
#define NETSOCK_BPF_MAXINSNS	4096		/* BPF_MAXINSNS */
#define NETSOCK_ETH_P_ALL	0x0003

static const struct {
	unsigned int	 proto;
	const char	*name;
} netsock_ethertypes[] = {
	{ 0x0003, "all" }, { 0x0004, "802_2" }, { 0x0800, "ip" },
	{ 0x0806, "arp" }, { 0x8035, "rarp" }, { 0x8100, "8021q" },
	{ 0x86dd, "ipv6" }, { 0x8847, "mpls_uc" }, { 0x8863, "pppoe_disc" },
	{ 0x8864, "pppoe_ses" }, { 0x888e, "eapol" }, { 0x88a8, "8021ad" },
	{ 0x88cc, "lldp" }, { 0x0001, "802_3" },
};

const char *
netsock_ethertype_name(unsigned int proto)
{
	size_t	i;

	for (i = 0; i < nitems(netsock_ethertypes); i++)
		if (netsock_ethertypes[i].proto == proto)
			return netsock_ethertypes[i].name;
	return NULL;
}

/* The NETLINK_* numbers of linux/netlink.h. */
static const char *const netsock_nl_families[] = {
	"route", "unused", "usersock", "firewall", "sock_diag", "nflog",
	"xfrm", "selinux", "iscsi", "audit", "fib_lookup", "connector",
	"netfilter", "ip6_fw", "dnrtmsg", "kobject_uevent", "generic", NULL,
	"scsitransport", "ecryptfs", "rdma", "crypto", "smc",
};

const char *
netsock_netlink_family(unsigned int proto)
{
	return proto < nitems(netsock_nl_families) ?
	    netsock_nl_families[proto] : NULL;
}

/* Only blanks may follow the last field. */
static int
netsock_line_end(const char *p)
{
	p += strspn(p, " \t");
	return *p == '\0' || *p == '\n' ? 0 : -1;
}

int
netsock_parse_packet_line(const char *line, struct netsock_packet *pk)
{
	unsigned int	rmem, uid;
	int		refcnt, n = -1;

	memset(pk, 0, sizeof *pk);
	/* sk RefCnt Type Proto Iface R Rmem User Inode */
	if (sscanf(line, "%*x %d %u %x %d %d %u %u %llu%n", &refcnt,
	    &pk->type, &pk->proto, &pk->ifindex, &pk->running, &rmem, &uid,
	    &pk->inode, &n) != 8 || n < 0)
		return -1;
	if (netsock_line_end(line + n) == -1 || pk->type > 0xffff ||
	    pk->proto > 0xffff || pk->ifindex < 0 ||
	    (pk->running != 0 && pk->running != 1) || strchr(line, '-') != NULL)
		return -1;
	pk->rmem = rmem;
	pk->uid = uid;
	return 0;
}

int
netsock_parse_netlink_line(const char *line, struct netsock_netlink *nl)
{
	unsigned int	portid, groups, drops;
	int		rmem, wmem, refcnt, n = -1;

	memset(nl, 0, sizeof *nl);
	/* sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode */
	if (sscanf(line, "%*x %u %u %x %d %d %d %d %u %llu%n", &nl->protocol,
	    &portid, &groups, &rmem, &wmem, &nl->dump, &refcnt, &drops,
	    &nl->inode, &n) != 9 || n < 0)
		return -1;
	if (netsock_line_end(line + n) == -1 || nl->protocol > 255 ||
	    nl->dump < 0 || nl->dump > 1)
		return -1;
	nl->portid = portid;
	nl->groups = groups;
	nl->rmem = rmem;
	nl->wmem = wmem;
	nl->refcnt = refcnt;
	nl->drops = drops;
	return 0;
}

int
netsock_parse_igmp_line(const char *line, int *index, char *name,
    size_t namelen)
{
	long long	 v;
	char		 num[16];
	size_t		 len;

	/* "Idx\tDevice    : Count…", then a device line, then its groups. */
	if ((len = strspn(line, "0123456789")) == 0 || len >= sizeof num ||
	    (line[len] != '\t' && line[len] != ' '))
		return -1;
	memcpy(num, line, len);
	num[len] = '\0';
	if (util_parse_int(num, 1, INT32_MAX, &v) == -1)
		return -1;
	line += len;
	line += strspn(line, " \t");
	/* A device name has no blank, ':' or '/' (dev_valid_name). */
	if ((len = strcspn(line, " \t:/")) == 0 || len >= namelen ||
	    len >= 16)
		return -1;
	memcpy(name, line, len);
	name[len] = '\0';
	line += len;
	line += strspn(line, " \t");
	if (*line != ':')
		return -1;
	*index = (int)v;
	return 0;
}

/* An address of a conntrack tuple, re-printed (IPv6 comes in full). */
static int
netsock_ct_addr(const char *text, unsigned int l3num, char *out)
{
	unsigned char	a[16];
	int		af = l3num == AF_INET6 ? AF_INET6 : AF_INET;

	if (inet_pton(af, text, a) != 1)
		return -1;
	return inet_ntop(af, a, out, LIVE_ADDRLEN) == NULL ? -1 : 0;
}

static void
netsock_ct_dir_init(struct netsock_ct_dir *d)
{
	memset(d, 0, sizeof *d);
	d->sport = d->dport = d->icmp_type = d->icmp_code = d->icmp_id = -1;
	d->packets = d->bytes = d->zone = -1;
}

/* One key=value of a tuple into d. 0, 1 when the key is not its, -1. */
static int
netsock_ct_tuple(struct netsock_ct *ct, struct netsock_ct_dir *d,
    const char *k, const char *v)
{
	static const struct {
		const char	*key;
		size_t		 off;
		long long	 max;
	} nums[] = {
		{ "sport", offsetof(struct netsock_ct_dir, sport), 65535 },
		{ "dport", offsetof(struct netsock_ct_dir, dport), 65535 },
		{ "type", offsetof(struct netsock_ct_dir, icmp_type), 255 },
		{ "code", offsetof(struct netsock_ct_dir, icmp_code), 255 },
		{ "id", offsetof(struct netsock_ct_dir, icmp_id), 65535 },
		{ "packets", offsetof(struct netsock_ct_dir, packets),
		    INT64_MAX },
		{ "bytes", offsetof(struct netsock_ct_dir, bytes), INT64_MAX },
		{ "zone-orig", offsetof(struct netsock_ct_dir, zone), 65535 },
		{ "zone-reply", offsetof(struct netsock_ct_dir, zone), 65535 },
	};
	size_t	i;

	if (strcmp(k, "dst") == 0)
		return netsock_ct_addr(v, ct->l3num, d->dst);
	for (i = 0; i < nitems(nums); i++)
		if (strcmp(k, nums[i].key) == 0)
			return util_parse_int(v, 0, nums[i].max,
			    (long long *)(void *)((char *)d + nums[i].off));
	return 1;
}

/* The words after a tuple: flags and the entry's own key=value. */
static int
netsock_ct_word(struct netsock_ct *ct, char *w)
{
	char	*v;

	if (strcmp(w, "[UNREPLIED]") == 0)
		ct->unreplied = 1;
	else if (strcmp(w, "[ASSURED]") == 0)
		ct->assured = 1;
	else if (strcmp(w, "[OFFLOAD]") == 0)
		ct->offload = 1;
	else if (strcmp(w, "[HW_OFFLOAD]") == 0)
		ct->offload = 2;
	else if (*w == '[')
		return w[strlen(w) - 1] == ']' ? 0 : -1;	/* a new flag */
	else if ((v = strchr(w, '=')) == NULL || v == w)
		return -1;
	else {
		*v++ = '\0';
		if (strcmp(w, "mark") == 0)
			return util_parse_int(v, 0, UINT32_MAX, &ct->mark);
		if (strcmp(w, "zone") == 0)
			return util_parse_int(v, 0, 65535, &ct->zone);
		if (strcmp(w, "use") == 0)
			return util_parse_int(v, 0, UINT32_MAX, &ct->use);
		if (strcmp(w, "secctx") == 0)
			ct->secctx = v;
		/* delta-time=, and keys of later kernels: not kept. */
	}
	return 0;
}

/* The four leading words, the timeout and the state. */
static int
netsock_ct_head(struct netsock_ct *ct, char **words, size_t nw, size_t *ip)
{
	long long	v;
	size_t		i = 4;

	if (nw < 5 || util_parse_int(words[1], 0, 65535, &v) == -1)
		return -1;
	ct->l3proto = words[0];
	ct->l3num = (unsigned int)v;
	if (util_parse_int(words[3], 0, 255, &v) == -1)
		return -1;
	ct->l4proto = words[2];
	ct->l4num = (unsigned int)v;
	if (ct->l3num != AF_INET && ct->l3num != AF_INET6)
		return -1;
	/* An offloaded entry has no timeout. */
	if (words[i][0] >= '0' && words[i][0] <= '9') {
		if (util_parse_int(words[i++], 0, INT32_MAX, &ct->timeout) ==
		    -1)
			return -1;
	}
	if (i < nw && strchr(words[i], '=') == NULL && words[i][0] != '[')
		ct->state = words[i++];
	*ip = i;
	return 0;
}

#define NETSOCK_CT_WORDS	64

int
netsock_parse_conntrack_line(char *line, struct netsock_ct *ct)
{
	struct netsock_ct_dir	*d = NULL;
	char			*words[NETSOCK_CT_WORDS], *save, *w, *v;
	size_t			 nw = 0, i;
	int			 ndir = 0, r;

	memset(ct, 0, sizeof *ct);
	ct->timeout = ct->mark = ct->zone = ct->use = -1;
	netsock_ct_dir_init(&ct->orig);
	netsock_ct_dir_init(&ct->reply);
	for (w = strtok_r(line, " \t\n", &save); w != NULL;
	    w = strtok_r(NULL, " \t\n", &save)) {
		if (nw == nitems(words))
			return -1;
		words[nw++] = w;
	}
	if (netsock_ct_head(ct, words, nw, &i) == -1)
		return -1;
	for (; i < nw; i++) {
		w = words[i];
		if (strncmp(w, "src=", 4) == 0) {
			/* Each "src=" opens a tuple: original, then reply. */
			if (ndir == 2)
				return -1;
			d = ndir++ == 0 ? &ct->orig : &ct->reply;
			if (netsock_ct_addr(w + 4, ct->l3num, d->src) == -1)
				return -1;
			continue;
		}
		if (d != NULL && (v = strchr(w, '=')) != NULL) {
			*v = '\0';
			r = netsock_ct_tuple(ct, d, w, v + 1);
			*v = '=';
			if (r == -1)
				return -1;
			if (r == 0)
				continue;
		}
		if (netsock_ct_word(ct, w) == -1)
			return -1;
	}
	/* Both tuples, each with both addresses, and a use count. */
	if (ndir != 2 || ct->orig.dst[0] == '\0' || ct->reply.dst[0] == '\0' ||
	    ct->use == -1)
		return -1;
	return 0;
}

int
netsock_parse_snmp6_index(const char *text, int *index)
{
	long long	 v;
	char		 num[16];
	size_t		 len;

	/* The first line of /proc/net/dev_snmp6/NAME: "ifIndex  \t2". */
	if (strncmp(text, "ifIndex", 7) != 0 || strchr(" \t", text[7]) == NULL)
		return -1;
	text += 7;
	text += strspn(text, " \t");
	if ((len = strspn(text, "0123456789")) == 0 || len >= sizeof num ||
	    (text[len] != '\n' && text[len] != '\0'))
		return -1;
	memcpy(num, text, len);
	num[len] = '\0';
	if (util_parse_int(num, 1, INT32_MAX, &v) == -1)
		return -1;
	*index = (int)v;
	return 0;
}

static void
netsock_if_add(struct network_run *nr, int index, const char *name)
{
	size_t	i;

	for (i = 0; i < nr->nifs; i++)
		if (nr->ifs[i].index == index)
			return;
	if (nr->nifs >= NETSOCK_IF_MAX || strlen(name) >= sizeof nr->ifs->name)
		return;
	nr->ifs = xreallocarray(nr->ifs, nr->nifs + 1, sizeof *nr->ifs);
	nr->ifs[nr->nifs].index = index;
	snprintf(nr->ifs[nr->nifs++].name, sizeof nr->ifs->name, "%s", name);
}

/* Every device with IPv6 (up or down): /proc/PID/net/dev_snmp6/NAME. */
static void
netsock_ifs_snmp6(struct network_run *nr, size_t ns)
{
	struct dirent	*de;
	DIR		*d;
	char		 path[64], *buf;
	int		 dfd, index;

	snprintf(path, sizeof path, "%u/net/dev_snmp6", nr->netns_pid[ns]);
	if ((dfd = openat(nr->procfd, path, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) == -1)
		return;
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return;
	}
	while ((de = readdir(d)) != NULL && nr->nifs < NETSOCK_IF_MAX) {
		if (de->d_name[0] == '.')
			continue;
		if ((buf = live_read_at(dfd, de->d_name, 256, NULL, NULL)) ==
		    NULL)
			continue;
		if (netsock_parse_snmp6_index(buf, &index) == 0)
			netsock_if_add(nr, index, de->d_name);
		free(buf);
	}
	closedir(d);
}

/*
 * The names of the interfaces of namespace ns, which if_indextoname
 * cannot give outside the agent's own: dev_snmp6 lists the devices with
 * IPv6, igmp those up with IPv4.
 */
void
netsock_ifs_load(struct network_run *nr, size_t ns)
{
	char	 path[64], *buf, *line, name[16];
	size_t	 len, pos = 0;
	int	 index;

	free(nr->ifs);
	nr->ifs = NULL;
	nr->nifs = 0;
	netsock_ifs_snmp6(nr, ns);
	snprintf(path, sizeof path, "%u/net/igmp", nr->netns_pid[ns]);
	if ((buf = live_read_at(nr->procfd, path, NETSOCK_TABLE_MAX, &len,
	    NULL)) == NULL)
		return;
	while ((line = live_next_line(buf, len, &pos)) != NULL)
		/* Not the header, nor the group lines. */
		if (netsock_parse_igmp_line(line, &index, name, sizeof name) ==
		    0)
			netsock_if_add(nr, index, name);
	free(buf);
}

/*
 * A copy of a holder's descriptor of socket inode (pidfd_open, then
 * pidfd_getfd), checked to be that very socket. -1 and *why if none.
 */
static int
netsock_dup(struct network_run *nr, unsigned long long inode,
    const char **why)
{
	const struct network_owner	*o;
	size_t				 no, i;
	int				 fd = -1;
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_getfd)
	struct stat			 st;
	int				 pidfd, err = ESRCH;
#endif

	*why = "no process holds it";
	o = network_owners(nr, inode, &no);
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_getfd)
	for (i = 0; i < no && i < NETSOCK_OWNER_TRIES && fd == -1; i++) {
		if ((pidfd = (int)syscall(SYS_pidfd_open, o[i].pid, 0)) == -1) {
			err = errno;
			continue;
		}
		fd = (int)syscall(SYS_pidfd_getfd, pidfd, o[i].fd, 0);
		err = errno;
		close(pidfd);
		/* The descriptor may have been closed and reused since. */
		if (fd != -1 && (fstat(fd, &st) == -1 || !S_ISSOCK(st.st_mode) ||
		    st.st_ino != inode)) {
			close(fd);
			fd = -1;
			err = ESTALE;
		}
	}
	if (fd == -1 && no > 0)
		*why = err == ENOSYS ? "pidfd_getfd: not in this kernel" :
		    err == ESTALE ? "the descriptor changed" : strerror(err);
#else
	(void)i;
	if (no > 0)
		*why = "pidfd_getfd: not built in (old system headers)";
#endif
	return fd;
}

/*
 * The classic BPF program attached to packet socket inode, read from a
 * copy of a holder's descriptor (netsock_dup) with
 * getsockopt(SO_GET_FILTER), which hands back the program as it was
 * attached. Chosen over NETLINK_SOCK_DIAG with PACKET_DIAG_FILTER
 * (what ss -b does) because that works only inside the socket's own
 * namespace (setns, which the sandbox forbids) and because opening it
 * makes the kernel load packet_diag when it is a module that is not
 * loaded. Nothing on the socket changes: the copy is only read, then
 * closed. Returns the instructions [{code, jt, jf, k}] and sets *lenp;
 * NULL and *why when it cannot be read, or when none is attached
 * (*lenp 0, *why NULL).
 */
static json_t *
netsock_filter(struct network_run *nr, unsigned long long inode,
    long long *lenp, const char **why)
{
	struct sock_filter	*f;
	socklen_t		 n;
	json_t			*prog = NULL;
	size_t			 i;
	int			 fd;

	*lenp = -1;
	if ((fd = netsock_dup(nr, inode, why)) == -1)
		return NULL;
	n = 0;
	if (getsockopt(fd, SOL_SOCKET, SO_GET_FILTER, NULL, &n) == -1) {
		/* EACCES: an eBPF program, which has no classic form. */
		*why = errno == EACCES ? "eBPF program (no classic form)" :
		    strerror(errno);
		close(fd);
		return NULL;
	}
	*why = NULL;
	*lenp = n;
	if (n == 0) {
		close(fd);
		return NULL;
	}
	if (n > NETSOCK_BPF_MAXINSNS) {
		*why = "longer than BPF_MAXINSNS";
		close(fd);
		return NULL;
	}
	/* The length is counted in instructions, not bytes. */
	f = xcalloc(n, sizeof *f);
	if (getsockopt(fd, SOL_SOCKET, SO_GET_FILTER, f, &n) == -1 ||
	    n > NETSOCK_BPF_MAXINSNS) {
		*why = "filter changed while read";
		goto out;
	}
	*lenp = n;
	prog = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(prog, json_pack("{s:i, s:i, s:i, s:I}",
		    "code", (int)f[i].code, "jt", (int)f[i].jt, "jf",
		    (int)f[i].jf, "k", (json_int_t)f[i].k));
out:
	free(f);
	close(fd);
	return prog;
}

static json_t *
netsock_packet_record(struct network_run *nr, const struct netsock_packet *pk)
{
	static const char *const types[] = { NULL, "stream", "dgram", "raw",
	    "rdm", "seqpacket", NULL, NULL, NULL, NULL, "packet" };
	const char	*name = netsock_ethertype_name(pk->proto), *why = NULL;
	const char	*ifname = NULL;
	json_t		*rec, *prog = NULL;
	long long	 flen = -1;
	char		 hex[8];
	size_t		 i;

	snprintf(hex, sizeof hex, "0x%04x", pk->proto);
	for (i = 0; i < nr->nifs; i++)
		if (nr->ifs[i].index == pk->ifindex)
			ifname = nr->ifs[i].name;
	rec = json_pack("{s:s, s:s, s:s, s:I, s:i, s:b, s:I, s:I}",
	    "proto", "packet", "family", "packet", "protocol",
	    name != NULL ? name : hex, "ethertype", (json_int_t)pk->proto,
	    "interface_index", pk->ifindex, "running", pk->running,
	    "uid", (json_int_t)pk->uid, "inode", (json_int_t)pk->inode);
	json_object_set_new(rec, "type", pk->type < nitems(types) &&
	    types[pk->type] != NULL ? json_string(types[pk->type]) :
	    json_integer(pk->type));
	json_object_set_new(rec, "interface", pk->ifindex == 0 ?
	    json_string("any") : live_json_strz(ifname));
	if (nr->nfilters++ < NETSOCK_FILTER_MAX)
		prog = netsock_filter(nr, pk->inode, &flen, &why);
	else
		why = "too many packet sockets: filter not read";
	json_object_set_new(rec, "bpf_filter", prog != NULL ? prog :
	    json_null());
	json_object_set_new(rec, "bpf_filter_len", flen >= 0 ?
	    json_integer(flen) : json_null());
	if (why != NULL)
		json_object_set_new(rec, "bpf_filter_error", json_string(why));
	/* Every frame of the host (ETH_P_ALL), or picked by a program. */
	json_object_set_new(rec, "sniffer", json_boolean(
	    pk->proto == NETSOCK_ETH_P_ALL || flen > 0 || (why != NULL &&
	    strncmp(why, "eBPF", 4) == 0)));
	return rec;
}

static json_t *
netsock_netlink_record(const struct netsock_netlink *nl)
{
	const char	*fam = netsock_netlink_family(nl->protocol);
	json_t		*rec;

	rec = json_pack("{s:s, s:I, s:I, s:I, s:b, s:I, s:I}",
	    "proto", "netlink", "protocol", (json_int_t)nl->protocol,
	    "portid", (json_int_t)nl->portid, "groups", (json_int_t)nl->groups,
	    "kernel", nl->portid == 0, "drops", (json_int_t)nl->drops,
	    "inode", (json_int_t)nl->inode);
	json_object_set_new(rec, "family", fam != NULL ? json_string(fam) :
	    json_integer(nl->protocol));
	return rec;
}

/* Say which process holds a sniffer, as for a promiscuous interface. */
void
netsock_log_sniffer(struct network_run *nr, json_t *rec)
{
	json_t	*pid = json_object_get(rec, "pid");

	if (!json_is_true(json_object_get(rec, "sniffer")))
		return;
	collect_log(nr->ctx, LOG_WARN, "packet socket %lld (protocol %s, "
	    "filter of %lld instructions) held by pid %lld (%s): a sniffer?",
	    (long long)json_integer_value(json_object_get(rec, "inode")),
	    json_string_value(json_object_get(rec, "protocol")),
	    (long long)json_integer_value(json_object_get(rec,
	    "bpf_filter_len")), json_is_integer(pid) ?
	    (long long)json_integer_value(pid) : -1LL,
	    json_is_string(json_object_get(rec, "process")) ?
	    json_string_value(json_object_get(rec, "process")) : "?");
}

json_t *
netsock_record(struct network_run *nr, int family, const char *line,
    unsigned long long *inode)
{
	struct netsock_packet	 pk;
	struct netsock_netlink	 nl;
	json_t			*rec;

	if (family == AF_PACKET) {
		if (netsock_parse_packet_line(line, &pk) == -1)
			return NULL;
		*inode = pk.inode;
		rec = netsock_packet_record(nr, &pk);
	} else {
		if (netsock_parse_netlink_line(line, &nl) == -1)
			return NULL;
		*inode = nl.inode;
		rec = netsock_netlink_record(&nl);
	}
	/* The fields every network record has (SPEC.md): none apply. */
	json_object_set_new(rec, "local_addr", json_null());
	json_object_set_new(rec, "local_port", json_null());
	json_object_set_new(rec, "remote_addr", json_null());
	json_object_set_new(rec, "remote_port", json_null());
	json_object_set_new(rec, "state", json_null());
	json_object_set_new(rec, "listening", json_false());
	return rec;
}

static json_t *
netsock_ct_dir_json(const struct netsock_ct_dir *d)
{
	static const struct {
		const char	*key;
		size_t		 off;
	} nums[] = {
		{ "sport", offsetof(struct netsock_ct_dir, sport) },
		{ "dport", offsetof(struct netsock_ct_dir, dport) },
		{ "icmp_type", offsetof(struct netsock_ct_dir, icmp_type) },
		{ "icmp_code", offsetof(struct netsock_ct_dir, icmp_code) },
		{ "icmp_id", offsetof(struct netsock_ct_dir, icmp_id) },
		{ "packets", offsetof(struct netsock_ct_dir, packets) },
		{ "bytes", offsetof(struct netsock_ct_dir, bytes) },
		{ "zone", offsetof(struct netsock_ct_dir, zone) },
	};
	json_t		*o;
	long long	 v;
	size_t		 i;

	o = json_pack("{s:s, s:s}", "src", d->src, "dst", d->dst);
	/* Only the fields the kernel printed for this protocol. */
	for (i = 0; i < nitems(nums); i++) {
		memcpy(&v, (const char *)d + nums[i].off, sizeof v);
		if (v >= 0)
			json_object_set_new(o, nums[i].key, json_integer(v));
	}
	return o;
}

static json_t *
netsock_ct_record(const struct netsock_ct *ct, unsigned long long netns)
{
	json_t	*rec;

	rec = json_pack("{s:o, s:i, s:o, s:i, s:o, s:o, s:o, s:b, s:b, s:i}",
	    "l3proto", live_json_strz(ct->l3proto), "l3num", (int)ct->l3num,
	    "l4proto", live_json_strz(ct->l4proto), "l4num", (int)ct->l4num,
	    "state", live_json_strz(ct->state),
	    "orig", netsock_ct_dir_json(&ct->orig),
	    "reply", netsock_ct_dir_json(&ct->reply),
	    "unreplied", ct->unreplied, "assured", ct->assured,
	    "offload", ct->offload);
	json_object_set_new(rec, "timeout", ct->timeout >= 0 ?
	    json_integer(ct->timeout) : json_null());
	json_object_set_new(rec, "mark", ct->mark >= 0 ?
	    json_integer(ct->mark) : json_null());
	json_object_set_new(rec, "zone", json_integer(ct->zone >= 0 ?
	    ct->zone : 0));
	json_object_set_new(rec, "use", json_integer(ct->use));
	if (ct->secctx != NULL)
		json_object_set_new(rec, "secctx", live_json_strz(ct->secctx));
	json_object_set_new(rec, "netns", json_integer((json_int_t)netns));
	return rec;
}

/* Records of one namespace's table; -1 when it has none (ENOENT). */
static int
netsock_ct_table(struct network_run *nr, size_t ns, size_t *total)
{
	struct netsock_ct	 ct;
	char			 path[64], *buf, *line;
	size_t			 len, pos = 0, bad = 0;
	int			 trunc = 0;

	snprintf(path, sizeof path, "%u/net/nf_conntrack", nr->netns_pid[ns]);
	if ((buf = live_read_at(nr->procfd, path, NETSOCK_CT_BYTES, &len,
	    &trunc)) == NULL) {
		if (errno == ENOENT || errno == ESRCH)
			return -1;
		collect_error(nr->ctx, NULL, "/proc/%s: %s", path,
		    strerror(errno));
		nr->partial = 1;
		return 0;
	}
	while ((line = live_next_line(buf, len, &pos)) != NULL) {
		if (*line == '\0')
			continue;
		if (*total >= NETSOCK_CT_MAX || collect_expired(nr->ctx)) {
			trunc = 1;
			break;
		}
		if (netsock_parse_conntrack_line(line, &ct) == -1) {
			bad++;
			continue;
		}
		(*total)++;
		collect_record(nr->ctx, "conntrack", netsock_ct_record(&ct,
		    nr->netns[ns]));
	}
	if (bad > 0)
		collect_log(nr->ctx, LOG_WARN, "/proc/%s: %zu malformed lines "
		    "skipped", path, bad);
	if (trunc)
		collect_log(nr->ctx, LOG_WARN, "/proc/%s: cut at %u MB or %d "
		    "entries", path, NETSOCK_CT_BYTES >> 20, NETSOCK_CT_MAX);
	free(buf);
	return 0;
}

/* Whether path exists (under /sys or /proc: never a module load). */
static int
netsock_exists(const char *path)
{
	struct stat	st;

	return fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

void
netsock_conntrack(struct network_run *nr)
{
	size_t	ns, total = 0, have = 0;

	for (ns = 0; ns < nr->nnetns && !collect_expired(nr->ctx); ns++)
		if (netsock_ct_table(nr, ns, &total) == 0)
			have++;
	if (have > 0) {
		collect_log(nr->ctx, LOG_INFO, "conntrack: %zu entries in %zu "
		    "network namespaces", total, have);
		return;
	}
	/*
	 * No /proc/net/nf_conntrack. ctnetlink is not read: opening it
	 * can make the kernel load nfnetlink and nf_conntrack_netlink.
	 */
	if (!netsock_exists("/sys/module/nf_conntrack") &&
	    !netsock_exists("/proc/sys/net/netfilter/nf_conntrack_max"))
		collect_log(nr->ctx, LOG_INFO, "no conntrack table: "
		    "nf_conntrack is not loaded (the agent never loads a "
		    "module)");
	else
		collect_log(nr->ctx, LOG_INFO, "no conntrack table: "
		    "nf_conntrack is loaded but /proc/net/nf_conntrack is "
		    "absent (kernel without CONFIG_NF_CONNTRACK_PROCFS); "
		    "ctnetlink%s is not read", netsock_exists(
		    "/sys/module/nf_conntrack_netlink") ? "" :
		    " (nf_conntrack_netlink not loaded)");
}
