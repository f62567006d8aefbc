/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The "network" collector: sockets, interfaces, routes and the ARP table,
 * read natively (never netstat or ss). TCP, UDP and RAW over IPv4 and
 * IPv6 and UNIX sockets come from the /proc/PID/net tables of every
 * network namespace in use (so a container's listener is seen too), and
 * each socket is mapped to the process(es) holding it through the
 * "socket:[inode]" links in /proc/PID/fd. Records go to
 * live/network.jsonl, live/interfaces.jsonl, live/routes.jsonl and
 * live/arp.jsonl. AF_PACKET and netlink sockets and the conntrack table
 * are read by netsock.c.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <net/if.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/if_packet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector.h"
#include "util.h"
#include "live.h"
#include "network.h"

#define NETWORK_TABLE_MAX	(64U << 20)
#define NETWORK_FD_MAX		65536	/* fds looked at per process */

static int
network_owner_cmp(const void *a, const void *b)
{
	const struct network_owner	*x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* Remember the first pid seen in each network namespace. */
static void
network_add_netns(struct network_run *nr, int dfd, unsigned int pid)
{
	unsigned long long	ino;
	char			link[64];
	ssize_t			n;
	size_t			i;

	if ((n = readlinkat(dfd, "ns/net", link, sizeof link - 1)) == -1)
		return;
	link[n] = '\0';
	if (live_parse_inode_link(link, "net", &ino) == -1)
		return;
	for (i = 0; i < nr->nnetns; i++)
		if (nr->netns[i] == ino)
			return;
	nr->netns = xreallocarray(nr->netns, nr->nnetns + 1,
	    sizeof *nr->netns);
	nr->netns_pid = xreallocarray(nr->netns_pid, nr->nnetns + 1,
	    sizeof *nr->netns_pid);
	nr->netns[nr->nnetns] = ino;
	nr->netns_pid[nr->nnetns++] = pid;
}

/* The socket inodes among the descriptors of dfd's process. */
static void
network_scan_fds(struct network_run *nr, int dfd, unsigned int pid)
{
	unsigned long long	 ino;
	struct dirent		*de;
	DIR			*d;
	char			 link[64];
	ssize_t			 n;
	size_t			 count = 0;
	int			 fdd;

	if ((fdd = openat(dfd, "fd", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1 || (d = fdopendir(fdd)) == NULL) {
		if (fdd != -1)
			close(fdd);
		if (errno == EACCES || errno == EPERM)
			nr->ndenied++;
		return;
	}
	while ((de = readdir(d)) != NULL && count++ < NETWORK_FD_MAX) {
		if ((n = readlinkat(fdd, de->d_name, link, sizeof link - 1)) ==
		    -1)
			continue;
		link[n] = '\0';
		if (live_parse_inode_link(link, "socket", &ino) == -1)
			continue;
		nr->own = xreallocarray(nr->own, nr->nown + 1, sizeof *nr->own);
		nr->own[nr->nown].inode = ino;
		nr->own[nr->nown].fd = (int)strtol(de->d_name, NULL, 10);
		nr->own[nr->nown++].pid = pid;
	}
	closedir(d);
}

/* Socket owners, process names and network namespaces of every pid. */
static int
network_scan(struct network_run *nr)
{
	struct live_pids	 pids;
	struct network_proc	*p;
	char			 name[16], *comm;
	size_t			 i;
	int			 dfd;

	if (process_pids(nr->procfd, &pids) == -1)
		return -1;
	nr->procs = xreallocarray(NULL, pids.n + 1, sizeof *nr->procs);
	for (i = 0; i < pids.n; i++) {
		snprintf(name, sizeof name, "%u", pids.pid[i]);
		if ((dfd = openat(nr->procfd, name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC)) == -1)
			continue;
		p = &nr->procs[nr->nprocs++];
		p->pid = pids.pid[i];
		p->comm[0] = '\0';
		if ((comm = live_read_at(dfd, "comm", 256, NULL, NULL)) !=
		    NULL) {
			comm[strcspn(comm, "\n")] = '\0';
			snprintf(p->comm, sizeof p->comm, "%s", comm);
			free(comm);
		}
		network_add_netns(nr, dfd, p->pid);
		network_scan_fds(nr, dfd, p->pid);
		close(dfd);
	}
	process_pids_free(&pids);
	if (nr->nown > 0)
		qsort(nr->own, nr->nown, sizeof *nr->own, network_owner_cmp);
	return 0;
}

static const char *
network_comm(struct network_run *nr, unsigned int pid)
{
	size_t	lo = 0, hi = nr->nprocs;

	while (lo < hi) {
		size_t	mid = lo + (hi - lo) / 2;

		if (nr->procs[mid].pid == pid)
			return nr->procs[mid].comm;
		if (nr->procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct network_owner *
network_owners(struct network_run *nr, unsigned long long inode, size_t *np)
{
	size_t	lo = 0, hi = nr->nown, i;

	while (lo < hi) {
		size_t	mid = lo + (hi - lo) / 2;

		if (nr->own[mid].inode < inode)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; inode != 0 && i < nr->nown && nr->own[i].inode == inode;
	    i++)
		;
	*np = i - lo;
	return nr->own + lo;
}

void
network_set_owners(struct network_run *nr, json_t *rec,
    unsigned long long inode)
{
	const struct network_owner	*o;
	json_t				*all = json_array();
	size_t				 n, i;

	o = network_owners(nr, inode, &n);
	json_object_set_new(rec, "pid", json_null());
	json_object_set_new(rec, "process", json_null());
	for (i = 0; i < n; i++) {
		const char	*comm = network_comm(nr, o[i].pid);

		if (i > 0 && o[i].pid == o[i - 1].pid)
			continue;
		if (json_array_size(all) == 0) {
			json_object_set_new(rec, "pid", json_integer(o[i].pid));
			json_object_set_new(rec, "process", live_json_strz(comm));
		}
		json_array_append_new(all, json_pack("{s:I, s:o}", "pid",
		    (json_int_t)o[i].pid, "name", live_json_strz(comm)));
	}
	json_object_set_new(rec, "processes", all);
}

/* One of the socket tables under /proc/PID/net. */
struct network_table {
	const char	*file;
	const char	*proto;
	int		 family;	/* AF_UNIX for /proc/net/unix… */
};

static const struct network_table network_tables[] = {
	{ "tcp", "tcp", AF_INET },
	{ "tcp6", "tcp6", AF_INET6 },
	{ "udp", "udp", AF_INET },
	{ "udp6", "udp6", AF_INET6 },
	{ "udplite", "udplite", AF_INET },
	{ "udplite6", "udplite6", AF_INET6 },
	{ "raw", "raw", AF_INET },
	{ "raw6", "raw6", AF_INET6 },
	{ "unix", "unix", AF_UNIX },
	{ "packet", "packet", AF_PACKET },	/* netsock.c */
	{ "netlink", "netlink", AF_NETLINK },
};

static json_t *
network_inet_record(const struct network_table *t, const struct live_inet *in)
{
	int		 tcp = strncmp(t->proto, "tcp", 3) == 0;
	int		 listening;
	const char	*state;

	if (tcp) {
		state = live_tcp_state_name(in->state);
		listening = in->state == 10;
	} else {
		/* Datagram and raw sockets: CLOSE means unconnected. */
		state = in->state == 7 ? "UNCONN" :
		    live_tcp_state_name(in->state);
		listening = in->state == 7;
	}
	return json_pack("{s:s, s:s, s:s, s:i, s:s, s:i, s:s, s:b, s:I, s:I}",
	    "proto", t->proto, "family", t->family == AF_INET ? "inet" :
	    "inet6", "local_addr", in->laddr, "local_port", (int)in->lport,
	    "remote_addr", in->raddr, "remote_port", (int)in->rport,
	    "state", state, "listening", listening,
	    "uid", (json_int_t)in->uid, "inode", (json_int_t)in->inode);
}

static json_t *
network_unix_record(const struct live_unix *u)
{
	static const char *const types[] = { NULL, "stream", "dgram", "raw",
	    "rdm", "seqpacket" };
	static const char *const states[] = { "FREE", "UNCONNECTED",
	    "CONNECTING", "CONNECTED", "DISCONNECTING" };
	json_t	*rec;

	rec = json_pack("{s:s, s:s, s:o, s:n, s:n, s:n, s:s, s:b, s:I}",
	    "proto", "unix", "family", "unix",
	    "local_addr", u->path[0] != '\0' ? live_json_strz(u->path) :
	    json_null(), "local_port", "remote_addr", "remote_port",
	    "state", u->state >= 0 && (size_t)u->state < nitems(states) ?
	    states[u->state] : "UNKNOWN",
	    "listening", (u->flags & LIVE_UNIX_ACCEPTCON) != 0,
	    "inode", (json_int_t)u->inode);
	json_object_set_new(rec, "type", u->type > 0 &&
	    (size_t)u->type < nitems(types) ? json_string(types[u->type]) :
	    json_integer(u->type));
	return rec;
}

/* Every line of one table of one namespace; malformed ones are logged. */
static void
network_table(struct network_run *nr, const struct network_table *t,
    size_t ns)
{
	struct live_inet	 in;
	struct live_unix	 u;
	unsigned long long	 inode = 0;
	json_t			*rec;
	char			 path[64], *buf, *line;
	size_t			 len, pos = 0, bad = 0;
	int			 first = 1;

	snprintf(path, sizeof path, "%u/net/%s", nr->netns_pid[ns], t->file);
	if ((buf = live_read_at(nr->procfd, path, NETWORK_TABLE_MAX, &len,
	    NULL)) == NULL) {
		/* A table the kernel lacks (no IPv6) or a process gone. */
		if (errno == ENOENT && ns == 0 && t->family == AF_PACKET)
			collect_log(nr->ctx, LOG_INFO, "/proc/%s absent: no "
			    "AF_PACKET in this kernel", path);
		else if (errno != ENOENT && errno != ESRCH) {
			collect_error(nr->ctx, NULL, "/proc/%s: %s", path,
			    strerror(errno));
			nr->partial = 1;
		}
		return;
	}
	while ((line = live_next_line(buf, len, &pos)) != NULL) {
		if (first || *line == '\0') {
			first = 0;
			continue;
		}
		if (t->family == AF_UNIX) {
			rec = live_parse_unix_line(line, &u) == 0 ?
			    network_unix_record(&u) : NULL;
			inode = u.inode;
		} else if (t->family == AF_PACKET || t->family == AF_NETLINK)
			rec = netsock_record(nr, t->family, line, &inode);
		else {
			rec = live_parse_inet_line(line, t->family, &in) == 0 ?
			    network_inet_record(t, &in) : NULL;
			inode = in.inode;
		}
		if (rec == NULL) {
			bad++;
			continue;
		}
		network_set_owners(nr, rec, inode);
		json_object_set_new(rec, "netns", json_integer(
		    (json_int_t)nr->netns[ns]));
		if (t->family == AF_PACKET)
			netsock_log_sniffer(nr, rec);
		collect_record(nr->ctx, "network", rec);
	}
	if (bad > 0)
		collect_log(nr->ctx, LOG_WARN, "/proc/%s: %zu malformed lines "
		    "skipped", path, bad);
	free(buf);
}

static int
network_prefix_len(const struct sockaddr *sa)
{
	const unsigned char	*p;
	size_t			 n, i;
	int			 bits = 0;

	if (sa == NULL)
		return -1;
	if (sa->sa_family == AF_INET) {
		p = (const unsigned char *)
		    &((const struct sockaddr_in *)sa)->sin_addr;
		n = 4;
	} else if (sa->sa_family == AF_INET6) {
		p = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		n = 16;
	} else
		return -1;
	for (i = 0; i < n; i++)
		bits += __builtin_popcount(p[i]);
	return bits;
}

/* One address of getifaddrs into the interface's record. */
static void
network_if_addr(json_t *rec, const struct ifaddrs *i)
{
	const struct sockaddr_ll	*ll;
	char				 text[LIVE_ADDRLEN + 8];
	const void			*a;
	struct buf			 b = { 0 };
	int				 fam = i->ifa_addr->sa_family, k;

	if (fam == AF_PACKET) {
		ll = (const struct sockaddr_ll *)i->ifa_addr;
		for (k = 0; k < ll->sll_halen && k < 8; k++)
			buf_printf(&b, "%s%02x", k ? ":" : "", ll->sll_addr[k]);
		json_object_set_new(rec, "mac", json_string(b.data ? b.data :
		    ""));
		buf_free(&b);
		return;
	}
	if (fam == AF_INET)
		a = &((const struct sockaddr_in *)i->ifa_addr)->sin_addr;
	else if (fam == AF_INET6)
		a = &((const struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
	else
		return;
	if (inet_ntop(fam, a, text, sizeof text) == NULL)
		return;
	json_array_append_new(json_object_get(rec, "addresses"),
	    json_pack("{s:s, s:s, s:i}", "family", fam == AF_INET ? "inet" :
	    "inet6", "address", text, "prefixlen",
	    network_prefix_len(i->ifa_netmask)));
}

/* mtu and operstate from /sys/class/net/NAME. */
static void
network_if_sys(json_t *rec, const char *name)
{
	long long	 v;
	char		 path[128], *s;

	snprintf(path, sizeof path, "/sys/class/net/%s/mtu", name);
	if ((s = live_read_at(AT_FDCWD, path, 64, NULL, NULL)) != NULL) {
		s[strcspn(s, "\n")] = '\0';
		if (util_parse_int(s, 0, INT32_MAX, &v) == 0)
			json_object_set_new(rec, "mtu", json_integer(v));
		free(s);
	}
	snprintf(path, sizeof path, "/sys/class/net/%s/operstate", name);
	if ((s = live_read_at(AT_FDCWD, path, 64, NULL, NULL)) != NULL) {
		s[strcspn(s, "\n")] = '\0';
		json_object_set_new(rec, "operstate", live_json_strz(s));
		free(s);
	}
}

static void
network_interfaces(struct network_run *nr)
{
	struct ifaddrs	*ifa, *i;
	json_t		*all = json_object(), *rec;
	const char	*key;

	if (getifaddrs(&ifa) == -1) {
		collect_error(nr->ctx, NULL, "interfaces: %s", strerror(errno));
		nr->partial = 1;
		json_decref(all);
		return;
	}
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if ((rec = json_object_get(all, i->ifa_name)) == NULL) {
			rec = json_pack("{s:o, s:i, s:b, s:b, s:b, s:[]}",
			    "name", live_json_strz(i->ifa_name), "index",
			    (int)if_nametoindex(i->ifa_name), "up",
			    (i->ifa_flags & IFF_UP) != 0, "loopback",
			    (i->ifa_flags & IFF_LOOPBACK) != 0, "promiscuous",
			    (i->ifa_flags & IFF_PROMISC) != 0, "addresses");
			network_if_sys(rec, i->ifa_name);
			json_object_set_new_nocheck(all, i->ifa_name, rec);
		}
		if (i->ifa_addr != NULL)
			network_if_addr(rec, i);
	}
	freeifaddrs(ifa);
	json_object_foreach(all, key, rec) {
		if (json_is_true(json_object_get(rec, "promiscuous")))
			collect_log(nr->ctx, LOG_WARN, "interface %s is in "
			    "promiscuous mode (a sniffer?)", key);
		collect_record(nr->ctx, "interfaces", json_incref(rec));
	}
	json_decref(all);
}

/* Route or ARP records from one table of the agent's namespace. */
static void
network_simple_table(struct network_run *nr, const char *file)
{
	struct live_route	 r;
	struct live_arp		 a;
	json_t			*rec;
	char			 path[64], *buf, *line;
	size_t			 len, pos = 0, bad = 0;
	int			 v6 = strcmp(file, "ipv6_route") == 0, arp, n = 0;

	arp = strcmp(file, "arp") == 0;
	snprintf(path, sizeof path, "%d/net/%s", (int)getpid(), file);
	if ((buf = live_read_at(nr->procfd, path, NETWORK_TABLE_MAX, &len,
	    NULL)) == NULL) {
		if (errno != ENOENT)
			collect_error(nr->ctx, NULL, "/proc/net/%s: %s", file,
			    strerror(errno));
		return;
	}
	while ((line = live_next_line(buf, len, &pos)) != NULL) {
		if ((n++ == 0 && !v6) || *line == '\0')
			continue;	/* the header */
		rec = NULL;
		if (arp && live_parse_arp_line(line, &a) == 0)
			rec = json_pack("{s:s, s:I, s:I, s:s, s:o}", "ip", a.ip,
			    "hw_type", (json_int_t)a.hw_type, "flags",
			    (json_int_t)a.flags, "mac", a.mac, "device",
			    live_json_strz(a.device));
		else if (!arp && (v6 ? live_parse_route6_line(line, &r) :
		    live_parse_route_line(line, &r)) == 0)
			rec = json_pack("{s:s, s:o, s:s, s:i, s:s, s:I, s:I, "
			    "s:I}", "family", v6 ? "inet6" : "inet", "iface",
			    live_json_strz(r.iface), "destination", r.dest,
			    "prefixlen", r.dest_len, "gateway", r.gateway,
			    "flags", (json_int_t)r.flags, "metric",
			    (json_int_t)r.metric, "mtu", (json_int_t)r.mtu);
		if (rec == NULL)
			bad++;
		else
			collect_record(nr->ctx, arp ? "arp" : "routes", rec);
	}
	if (bad > 0)
		collect_log(nr->ctx, LOG_WARN, "/proc/net/%s: %zu malformed "
		    "lines skipped", file, bad);
	free(buf);
}

static void
network_run_free(struct network_run *nr)
{
	free(nr->own);
	free(nr->procs);
	free(nr->netns);
	free(nr->netns_pid);
	free(nr->ifs);
	if (nr->procfd != -1)
		close(nr->procfd);
}

static enum collect_result
network_collect(struct collect_ctx *ctx)
{
	struct network_run	nr = { .ctx = ctx, .procfd = -1 };
	size_t			i, t;

	if ((nr.procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1 || network_scan(&nr) == -1) {
		collect_error(ctx, "/proc", "cannot list: %s", strerror(errno));
		network_run_free(&nr);
		return COLLECT_FAILED;
	}
	if (nr.nnetns == 0) {
		/* Not even our own namespace readable: use ours by pid. */
		nr.netns = xcalloc(1, sizeof *nr.netns);
		nr.netns_pid = xcalloc(1, sizeof *nr.netns_pid);
		nr.netns_pid[0] = (unsigned int)getpid();
		nr.nnetns = 1;
	}
	collect_log(ctx, LOG_INFO, "%zu socket descriptors in %zu processes, "
	    "%zu network namespaces", nr.nown, nr.nprocs, nr.nnetns);
	for (i = 0; i < nr.nnetns && !collect_expired(ctx); i++) {
		netsock_ifs_load(&nr, i);
		for (t = 0; t < nitems(network_tables); t++)
			network_table(&nr, &network_tables[t], i);
	}
	netsock_conntrack(&nr);
	network_interfaces(&nr);
	network_simple_table(&nr, "route");
	network_simple_table(&nr, "ipv6_route");
	network_simple_table(&nr, "arp");
	if (nr.ndenied > 0) {
		collect_log(ctx, LOG_WARN, "descriptors of %zu processes could "
		    "not be read: their sockets have no pid", nr.ndenied);
		nr.partial = 1;
	}
	network_run_free(&nr);
	return nr.partial ? COLLECT_PARTIAL : COLLECT_OK;
}

const struct collector collector_network = {
	.name = "network",
	.description = "sockets with their processes (packet and netlink "
	    "too), interfaces, routes, the ARP and conntrack tables",
	.flags = COLLECTOR_LIVE | COLLECTOR_NEEDS_ROOT,
	.run = network_collect,
};
