/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The "firewall" collector: the live packet filter of the agent's network
 * namespace and the kernel's audit configuration.
 *
 *  - nf_tables over netlink with libnftnl and libmnl: tables, chains,
 *    rules (each expression as libnftnl prints it, and the comment from
 *    the rule's userdata), stateful objects (counters, quotas…), sets
 *    and their elements (capped per set);
 *  - legacy iptables (IPv4 and IPv6): the entry blob of each table read
 *    with IPT_SO_GET_INFO/IPT_SO_GET_ENTRIES, one record per rule;
 *  - audit: the status (AUDIT_GET) and the loaded rules
 *    (AUDIT_LIST_RULES) over NETLINK_AUDIT, in live/audit.jsonl.
 *
 * The decoders of what the kernel hands over as bytes (the iptables
 * entries, audit rules) are in firewall-parse.c, apart for the unit
 * tests and the fuzz target.
 *
 * Nothing here may make the kernel load a module: opening
 * NETLINK_NETFILTER, asking for an iptables table not loaded or opening
 * an AF_INET6 socket can each end in request_module. So nf_tables is read
 * only when it is in the kernel already (/sys/module, built in, or a
 * kernel without loadable modules), and iptables only for the tables that
 * /proc/net/ip{,6}_tables_names lists. What is skipped is logged with why.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <linux/netlink.h>

#ifndef FIREWALL_NO_NFT
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter/nf_tables.h>
#endif

#include "collector.h"
#include "firewall.h"
#include "live.h"
#include "util.h"

#define FIREWALL_STREAM		"firewall"
#define FIREWALL_AUDIT_STREAM	"audit"
/* A table's entries (IPT_SO_GET_INFO size), checked before allocating. */
#define FIREWALL_IPT_SIZE_MAX	(64U << 20)
/* Records per kind of nf_tables object, elements per set, audit rules. */
#define FIREWALL_NFT_MAX	100000
#define FIREWALL_ELEM_MAX	4096
#define FIREWALL_AUDIT_MAX	10000
/* A netlink socket that stops answering is given up on after this. */
#define FIREWALL_RECV_TIMEOUT	5

/* The live readers ------------------------------------------------------ */

struct firewall_run {
	struct collect_ctx	*ctx;
	size_t			 nrec;		/* records of the stream */
	size_t			 nbad;		/* malformed, refused */
	int			 partial;
};

static int
firewall_emit(json_t *rec, void *arg)
{
	struct firewall_run	*fr = arg;

	fr->nrec++;
	return collect_record(fr->ctx, FIREWALL_STREAM, rec) == -1 ? -1 : 0;
}

/* A netlink socket of protocol proto whose reads give up after a while. */
static int
firewall_netlink(int proto)
{
	struct timeval		tv = { FIREWALL_RECV_TIMEOUT, 0 };
	struct sockaddr_nl	sa = { .nl_family = AF_NETLINK };
	int			s;

	if ((s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto)) == -1)
		return -1;
	if (setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == -1 ||
	    bind(s, (struct sockaddr *)&sa, sizeof sa) == -1) {
		close(s);
		return -1;
	}
	return s;
}

/* Legacy iptables ------------------------------------------------------- */

static void
firewall_ipt_table(struct firewall_run *fr, int s, int family, const char *name)
{
	struct ipt_getinfo		 info;
	struct ipt_get_entries		*ent = NULL;
	struct firewall_ipt_table	 t;
	socklen_t			 len;
	size_t				 n, nbad;
	int				 level, tries, ok = 0;

	/* The IPv6 structures differ only in their entries' type. */
	level = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	for (tries = 0; tries < 3 && !ok; tries++) {
		memset(&info, 0, sizeof info);
		snprintf(info.name, sizeof info.name, "%s", name);
		len = sizeof info;
		if (getsockopt(s, level, IPT_SO_GET_INFO, &info, &len) == -1)
			break;
		if (info.size > FIREWALL_IPT_SIZE_MAX) {
			errno = EFBIG;
			break;
		}
		free(ent);
		ent = xcalloc(1, sizeof *ent + info.size);
		memcpy(ent->name, info.name, sizeof ent->name);
		ent->size = info.size;
		len = (socklen_t)(sizeof *ent + info.size);
		if (getsockopt(s, level, IPT_SO_GET_ENTRIES, ent, &len) == 0)
			ok = 1;
		else if (errno != EAGAIN)	/* EAGAIN: changed meanwhile */
			break;
	}
	if (!ok) {
		collect_error(fr->ctx, NULL, "iptables %s table %s: %s",
		    family == AF_INET ? "ipv4" : "ipv6", name, errno == EAGAIN ?
		    "the table kept changing" : strerror(errno));
		fr->partial = 1;
		free(ent);
		return;
	}
	t.family = family;
	t.name = name;
	t.valid_hooks = info.valid_hooks;
	memcpy(t.hook_entry, info.hook_entry, sizeof t.hook_entry);
	memcpy(t.underflow, info.underflow, sizeof t.underflow);
	n = firewall_ipt_walk(ent->entrytable, ent->size, &t, firewall_emit,
	    fr, &nbad);
	collect_log(fr->ctx, LOG_INFO, "iptables %s table %s: %zu rules of %u "
	    "entries", family == AF_INET ? "ipv4" : "ipv6", name, n,
	    info.num_entries);
	if (nbad > 0) {
		collect_error(fr->ctx, NULL, "iptables %s table %s: %zu "
		    "malformed entry after %zu rules: the rest of the table "
		    "refused", family == AF_INET ? "ipv4" : "ipv6", name, nbad,
		    n);
		fr->partial = 1;
	}
	free(ent);
}

/* The tables of one family that the kernel has: never others. */
static void
firewall_iptables(struct firewall_run *fr, int family)
{
	const char	*names = family == AF_INET ?
	    "/proc/net/ip_tables_names" : "/proc/net/ip6_tables_names";
	char		*buf, *line;
	size_t		 len, pos = 0;
	int		 s;

	if ((buf = live_read_at(AT_FDCWD, names, 64 * 1024, &len, NULL)) ==
	    NULL) {
		if (errno == ENOENT)
			collect_log(fr->ctx, LOG_INFO, "legacy iptables %s not "
			    "read: %s is absent (%s not loaded; asking for a "
			    "table would load it)", family == AF_INET ? "ipv4" :
			    "ipv6", names, family == AF_INET ? "ip_tables" :
			    "ip6_tables");
		else
			collect_error(fr->ctx, names, "cannot read: %s",
			    strerror(errno));
		return;
	}
	if (len == 0) {
		collect_log(fr->ctx, LOG_INFO, "legacy iptables %s: no table "
		    "in use", family == AF_INET ? "ipv4" : "ipv6");
		free(buf);
		return;
	}
	/* Raw sockets: the getsockopt calls of iptables; root only. */
	if ((s = socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW)) == -1) {
		collect_error(fr->ctx, names, "legacy iptables %s: raw socket: "
		    "%s", family == AF_INET ? "ipv4" : "ipv6", strerror(errno));
		fr->partial = 1;
		free(buf);
		return;
	}
	while ((line = live_next_line(buf, len, &pos)) != NULL &&
	    !collect_expired(fr->ctx)) {
		if (*line == '\0')
			continue;
		if (strlen(line) >= XT_TABLE_MAXNAMELEN) {
			collect_error(fr->ctx, names, "table name too long");
			fr->partial = 1;
			continue;
		}
		firewall_ipt_table(fr, s, family, line);
	}
	close(s);
	free(buf);
}

/* nf_tables -------------------------------------------------------------- */
#ifndef FIREWALL_NO_NFT

/*
 * Whether module name is in the running kernel, so that using it cannot
 * make the kernel load it: NULL when it is not (or cannot be told), else
 * how it is known.
 */
static const char *
firewall_loaded(const char *name)
{
	struct utsname	 u;
	char		 path[PATH_MAX], pat[64], *s;
	const char	*how = NULL;
	size_t		 len;

	snprintf(path, sizeof path, "/sys/module/%s", name);
	if (access(path, F_OK) == 0)
		return "loaded";
	/* Without module support there is nothing the kernel could load. */
	if (access("/proc/modules", F_OK) == -1 && errno == ENOENT)
		return "kernel without loadable modules";
	if (uname(&u) == -1 || snprintf(path, sizeof path,
	    "/lib/modules/%s/modules.builtin", u.release) >= (int)sizeof path)
		return NULL;
	if ((s = live_read_at(AT_FDCWD, path, 4U << 20, &len, NULL)) == NULL)
		return NULL;
	snprintf(pat, sizeof pat, "/%s.ko\n", name);
	if (strstr(s, pat) != NULL)
		how = "built in";
	free(s);
	return how;
}

/* Dumps are read into this; a netlink dump message is at most 32 KiB. */
#define FIREWALL_NL_BUF		(64 * 1024)

struct firewall_nft {
	struct firewall_run	*fr;
	struct mnl_socket	*nl;
	unsigned int		 portid;
	unsigned int		 seq;
	char			*buf;
	size_t			 n;		/* objects of this dump */
	size_t			 dropped;	/* past the cap */
	json_t			*sets;		/* [family, table, name] */
	json_t			*last;		/* the last rule's chain */
	unsigned int		 position;
	const char		*set;		/* elements: whose */
	uint32_t		 key_type;
};

static const char *
firewall_nft_family(unsigned int f)
{
	switch (f) {
	case NFPROTO_INET:	return "inet";
	case NFPROTO_IPV4:	return "ip";
	case NFPROTO_ARP:	return "arp";
	case NFPROTO_NETDEV:	return "netdev";
	case NFPROTO_BRIDGE:	return "bridge";
	case NFPROTO_IPV6:	return "ip6";
	}
	return "unknown";
}

static json_t *
firewall_nft_hook(unsigned int family, unsigned int hook)
{
	static const char *const inet[] = { "prerouting", "input", "forward",
	    "output", "postrouting", "ingress" };
	static const char *const arp[] = { "input", "output", "forward" };
	static const char *const netdev[] = { "ingress", "egress" };

	if (family == NFPROTO_ARP)
		return hook < nitems(arp) ? json_string(arp[hook]) :
		    json_null();
	if (family == NFPROTO_NETDEV)
		return hook < nitems(netdev) ? json_string(netdev[hook]) :
		    json_null();
	return hook < nitems(inet) ? json_string(inet[hook]) : json_null();
}

static json_t *
firewall_nft_verdict(int v)
{
	switch (v) {
	case NF_DROP:		return json_string("drop");
	case NF_ACCEPT:		return json_string("accept");
	case NFT_CONTINUE:	return json_string("continue");
	case NFT_BREAK:		return json_string("break");
	case NFT_JUMP:		return json_string("jump");
	case NFT_GOTO:		return json_string("goto");
	case NFT_RETURN:	return json_string("return");
	}
	return json_integer(v);
}

static json_t *
firewall_nft_str(const char *s)
{
	return s != NULL ? live_json_strz(s) : json_null();
}

/* Past the cap, objects are counted and dropped. */
static int
firewall_nft_room(struct firewall_nft *fn, size_t cap)
{
	if (fn->n >= cap) {
		fn->dropped++;
		return 0;
	}
	fn->n++;
	return 1;
}

static int
firewall_nft_table_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct firewall_nft	*fn = arg;
	struct nftnl_table	*t;

	if (!firewall_nft_room(fn, FIREWALL_NFT_MAX))
		return MNL_CB_OK;
	if ((t = nftnl_table_alloc()) == NULL)
		fatal("out of memory");
	if (nftnl_table_nlmsg_parse(nlh, t) == 0)
		firewall_emit(json_pack("{s:s, s:s, s:o, s:I, s:I, s:I}",
		    "type", "nft_table",
		    "family", firewall_nft_family(nftnl_table_get_u32(t,
		    NFTNL_TABLE_FAMILY)),
		    "name", firewall_nft_str(nftnl_table_get_str(t,
		    NFTNL_TABLE_NAME)),
		    "flags", (json_int_t)nftnl_table_get_u32(t,
		    NFTNL_TABLE_FLAGS),
		    "handle", (json_int_t)nftnl_table_get_u64(t,
		    NFTNL_TABLE_HANDLE),
		    "use", (json_int_t)nftnl_table_get_u32(t,
		    NFTNL_TABLE_USE)), fn->fr);
	nftnl_table_free(t);
	return MNL_CB_OK;
}

static int
firewall_nft_chain_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct firewall_nft	*fn = arg;
	struct nftnl_chain	*c;
	json_t			*rec;
	unsigned int		 family;
	int			 base;

	if (!firewall_nft_room(fn, FIREWALL_NFT_MAX))
		return MNL_CB_OK;
	if ((c = nftnl_chain_alloc()) == NULL)
		fatal("out of memory");
	if (nftnl_chain_nlmsg_parse(nlh, c) != 0) {
		nftnl_chain_free(c);
		return MNL_CB_OK;
	}
	family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
	base = nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM);
	rec = json_pack("{s:s, s:s, s:o, s:o, s:I, s:I}",
	    "type", "nft_chain", "family", firewall_nft_family(family),
	    "table", firewall_nft_str(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE)),
	    "name", firewall_nft_str(nftnl_chain_get_str(c, NFTNL_CHAIN_NAME)),
	    "handle", (json_int_t)nftnl_chain_get_u64(c, NFTNL_CHAIN_HANDLE),
	    "use", (json_int_t)nftnl_chain_get_u32(c, NFTNL_CHAIN_USE));
	/* A regular chain (jumped to) has no hook, priority or policy. */
	json_object_set_new(rec, "hook", base ? firewall_nft_hook(family,
	    nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM)) : json_null());
	json_object_set_new(rec, "priority", base ? json_integer((int32_t)
	    nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO)) : json_null());
	json_object_set_new(rec, "policy", base && nftnl_chain_is_set(c,
	    NFTNL_CHAIN_POLICY) ? firewall_nft_verdict((int)
	    nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY)) : json_null());
	json_object_set_new(rec, "chain_type", firewall_nft_str(
	    nftnl_chain_is_set(c, NFTNL_CHAIN_TYPE) ? nftnl_chain_get_str(c,
	    NFTNL_CHAIN_TYPE) : NULL));
	json_object_set_new(rec, "device", firewall_nft_str(
	    nftnl_chain_is_set(c, NFTNL_CHAIN_DEV) ? nftnl_chain_get_str(c,
	    NFTNL_CHAIN_DEV) : NULL));
	firewall_emit(rec, fn->fr);
	nftnl_chain_free(c);
	return MNL_CB_OK;
}

static int
firewall_nft_udata_cb(const struct nftnl_udata *attr, void *data)
{
	const struct nftnl_udata	**comment = data;

	if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT)
		*comment = attr;
	return MNL_CB_OK;
}

/* The comment of a rule (userdata, a NUL-terminated string), or null. */
static json_t *
firewall_nft_comment(const struct nftnl_rule *r)
{
	const struct nftnl_udata	*comment = NULL;
	const void			*data;
	uint32_t			 len = 0;

	if (!nftnl_rule_is_set(r, NFTNL_RULE_USERDATA) ||
	    (data = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len)) ==
	    NULL || nftnl_udata_parse(data, len, firewall_nft_udata_cb,
	    &comment) < 0 || comment == NULL)
		return json_null();
	return live_json_str(nftnl_udata_get(comment),
	    strnlen(nftnl_udata_get(comment), nftnl_udata_len(comment)));
}

/* Each expression as "name args", the form of nft --debug=netlink. */
static json_t *
firewall_nft_exprs(const struct nftnl_rule *r)
{
	struct nftnl_expr_iter	*it;
	struct nftnl_expr	*e;
	json_t			*a = json_array();
	char			 text[4096];
	const char		*name;
	int			 n;

	if ((it = nftnl_expr_iter_create(r)) == NULL)
		fatal("out of memory");
	while ((e = nftnl_expr_iter_next(it)) != NULL) {
		name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
		n = nftnl_expr_snprintf(text, sizeof text, e,
		    NFTNL_OUTPUT_DEFAULT, 0);
		if (n < 0)
			text[0] = '\0';
		text[strcspn(text, "\0")] = '\0';
		while (n > 0 && text[strlen(text) - 1] == ' ')
			text[strlen(text) - 1] = '\0';
		json_array_append_new(a, json_sprintf("%s%s%s", name != NULL ?
		    name : "?", text[0] != '\0' ? " " : "", text));
	}
	nftnl_expr_iter_destroy(it);
	return a;
}

static int
firewall_nft_rule_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct firewall_nft	*fn = arg;
	struct nftnl_rule	*r;
	json_t			*rec, *where;

	if (!firewall_nft_room(fn, FIREWALL_NFT_MAX))
		return MNL_CB_OK;
	if ((r = nftnl_rule_alloc()) == NULL)
		fatal("out of memory");
	if (nftnl_rule_nlmsg_parse(nlh, r) != 0) {
		nftnl_rule_free(r);
		return MNL_CB_OK;
	}
	where = json_pack("[s, o, o]", firewall_nft_family(
	    nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY)),
	    firewall_nft_str(nftnl_rule_get_str(r, NFTNL_RULE_TABLE)),
	    firewall_nft_str(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN)));
	/* The kernel dumps a chain's rules in order: number them. */
	if (fn->last != NULL && json_equal(where, fn->last))
		fn->position++;
	else
		fn->position = 1;
	json_decref(fn->last);
	fn->last = where;
	rec = json_pack("{s:s, s:O, s:O, s:O, s:I, s:I}",
	    "type", "nft_rule", "family", json_array_get(where, 0),
	    "table", json_array_get(where, 1),
	    "chain", json_array_get(where, 2),
	    "handle", (json_int_t)nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE),
	    "position", (json_int_t)fn->position);
	json_object_set_new(rec, "expr", firewall_nft_exprs(r));
	json_object_set_new(rec, "comment", firewall_nft_comment(r));
	firewall_emit(rec, fn->fr);
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

static int
firewall_nft_set_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct firewall_nft	*fn = arg;
	struct nftnl_set	*s;
	json_t			*rec;

	if (!firewall_nft_room(fn, FIREWALL_NFT_MAX))
		return MNL_CB_OK;
	if ((s = nftnl_set_alloc()) == NULL)
		fatal("out of memory");
	if (nftnl_set_nlmsg_parse(nlh, s) != 0) {
		nftnl_set_free(s);
		return MNL_CB_OK;
	}
	rec = json_pack("{s:s, s:s, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:I}",
	    "type", "nft_set",
	    "family", firewall_nft_family(nftnl_set_get_u32(s,
	    NFTNL_SET_FAMILY)),
	    "table", firewall_nft_str(nftnl_set_get_str(s, NFTNL_SET_TABLE)),
	    "name", firewall_nft_str(nftnl_set_get_str(s, NFTNL_SET_NAME)),
	    "handle", (json_int_t)nftnl_set_get_u64(s, NFTNL_SET_HANDLE),
	    "flags", (json_int_t)nftnl_set_get_u32(s, NFTNL_SET_FLAGS),
	    "key_type", (json_int_t)nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE),
	    "key_len", (json_int_t)nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN),
	    "data_type", (json_int_t)nftnl_set_get_u32(s, NFTNL_SET_DATA_TYPE),
	    "data_len", (json_int_t)nftnl_set_get_u32(s, NFTNL_SET_DATA_LEN));
	/* Its elements are asked for by name once the dump is over. */
	json_array_append_new(fn->sets, json_pack("[i, O, O, I]",
	    (int)nftnl_set_get_u32(s, NFTNL_SET_FAMILY),
	    json_object_get(rec, "table"), json_object_get(rec, "name"),
	    (json_int_t)nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE)));
	firewall_emit(rec, fn->fr);
	nftnl_set_free(s);
	return MNL_CB_OK;
}

/* Stateful objects: counters, quotas, limits, ct helpers… */
static int
firewall_nft_obj_cb(const struct nlmsghdr *nlh, void *arg)
{
	static const char *const types[] = { "unspec", "counter", "quota",
	    "ct helper", "limit", "connlimit", "tunnel", "ct timeout",
	    "secmark", "ct expectation", "synproxy" };
	struct firewall_nft	*fn = arg;
	struct nftnl_obj	*o;
	char			 text[1024];
	uint32_t		 type;

	if (!firewall_nft_room(fn, FIREWALL_NFT_MAX))
		return MNL_CB_OK;
	if ((o = nftnl_obj_alloc()) == NULL)
		fatal("out of memory");
	if (nftnl_obj_nlmsg_parse(nlh, o) != 0) {
		nftnl_obj_free(o);
		return MNL_CB_OK;
	}
	type = nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE);
	if (nftnl_obj_snprintf(text, sizeof text, o, NFTNL_OUTPUT_DEFAULT,
	    0) < 0)
		text[0] = '\0';
	firewall_emit(json_pack("{s:s, s:s, s:o, s:o, s:I, s:o, s:I, s:o}",
	    "type", "nft_object",
	    "family", firewall_nft_family(nftnl_obj_get_u32(o,
	    NFTNL_OBJ_FAMILY)),
	    "table", firewall_nft_str(nftnl_obj_get_str(o, NFTNL_OBJ_TABLE)),
	    "name", firewall_nft_str(nftnl_obj_get_str(o, NFTNL_OBJ_NAME)),
	    "handle", (json_int_t)nftnl_obj_get_u64(o, NFTNL_OBJ_HANDLE),
	    "obj_type", type < nitems(types) ? json_string(types[type]) :
	    json_integer(type),
	    "use", (json_int_t)nftnl_obj_get_u32(o, NFTNL_OBJ_USE),
	    "text", live_json_strz(text)), fn->fr);
	nftnl_obj_free(o);
	return MNL_CB_OK;
}

/* A key as an address or port when the set's type says so, else hex. */
static json_t *
firewall_nft_key(uint32_t type, const unsigned char *k, uint32_t len)
{
	char		a[LIVE_ADDRLEN];
	uint16_t	port;

	/* nft's datatypes: 7 ipv4_addr, 8 ipv6_addr, 13 inet_service. */
	if ((type == 7 && len == 4 && inet_ntop(AF_INET, k, a, sizeof a)) ||
	    (type == 8 && len == 16 && inet_ntop(AF_INET6, k, a, sizeof a)))
		return json_string(a);
	if (type == 13 && len == 2) {
		memcpy(&port, k, sizeof port);
		return json_integer(ntohs(port));
	}
	return firewall_hex(k, len);
}

static int
firewall_nft_elem_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct firewall_nft		*fn = arg;
	struct nftnl_set		*s;
	struct nftnl_set_elems_iter	*it;
	struct nftnl_set_elem		*e;
	const void			*p;
	json_t				*rec;
	uint32_t			 len;

	if ((s = nftnl_set_alloc()) == NULL)
		fatal("out of memory");
	if (nftnl_set_elems_nlmsg_parse(nlh, s) != 0 ||
	    (it = nftnl_set_elems_iter_create(s)) == NULL) {
		nftnl_set_free(s);
		return MNL_CB_OK;
	}
	/* _next returns the current element, then moves on. */
	while ((e = nftnl_set_elems_iter_next(it)) != NULL) {
		if (!firewall_nft_room(fn, FIREWALL_ELEM_MAX))
			continue;
		rec = json_pack("{s:s, s:s, s:o, s:o}", "type", "nft_element",
		    "family", firewall_nft_family(nftnl_set_get_u32(s,
		    NFTNL_SET_FAMILY)),
		    "table", firewall_nft_str(nftnl_set_get_str(s,
		    NFTNL_SET_TABLE)),
		    "set", live_json_strz(fn->set));
		if ((p = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len)) !=
		    NULL)
			json_object_set_new(rec, "key",
			    firewall_nft_key(fn->key_type, p, len));
		if ((p = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY_END,
		    &len)) != NULL)
			json_object_set_new(rec, "key_end",
			    firewall_nft_key(fn->key_type, p, len));
		if ((p = nftnl_set_elem_get(e, NFTNL_SET_ELEM_DATA, &len)) !=
		    NULL)
			json_object_set_new(rec, "data", firewall_hex(p, len));
		if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_VERDICT))
			json_object_set_new(rec, "verdict",
			    firewall_nft_verdict((int)nftnl_set_elem_get_u32(e,
			    NFTNL_SET_ELEM_VERDICT)));
		if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_CHAIN))
			json_object_set_new(rec, "chain", firewall_nft_str(
			    nftnl_set_elem_get_str(e, NFTNL_SET_ELEM_CHAIN)));
		/* get_u32 reads through NULL for an attribute not set. */
		if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS))
			json_object_set_new(rec, "flags", json_integer(
			    nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS)));
		firewall_emit(rec, fn->fr);
	}
	nftnl_set_elems_iter_destroy(it);
	nftnl_set_free(s);
	return MNL_CB_OK;
}

/*
 * Send the dump request nlh and run cb on each reply until the dump is
 * done. 0, or -1 with errno (EPERM without CAP_NET_ADMIN, EAGAIN when
 * the kernel stops answering).
 */
static int
firewall_nft_dump(struct firewall_nft *fn, struct nlmsghdr *nlh, mnl_cb_t cb)
{
	ssize_t	n;
	int	ret;

	fn->n = 0;
	fn->dropped = 0;
	if (mnl_socket_sendto(fn->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		if ((n = mnl_socket_recvfrom(fn->nl, fn->buf,
		    FIREWALL_NL_BUF)) <= 0) {
			if (n == 0)
				errno = EPROTO;
			return -1;
		}
		ret = mnl_cb_run(fn->buf, (size_t)n, fn->seq, fn->portid, cb,
		    fn);
	} while (ret > MNL_CB_STOP && !collect_expired(fn->fr->ctx));
	return ret < 0 ? -1 : 0;
}

/* Dump one kind of object (family: all); log what it found. */
static int
firewall_nft_kind(struct firewall_nft *fn, uint16_t type, const char *what,
    mnl_cb_t cb)
{
	struct nlmsghdr	*nlh;

	if (collect_expired(fn->fr->ctx))
		return -1;
	nlh = nftnl_nlmsg_build_hdr(fn->buf, type, NFPROTO_UNSPEC,
	    NLM_F_DUMP, ++fn->seq);
	if (firewall_nft_dump(fn, nlh, cb) == -1) {
		collect_error(fn->fr->ctx, NULL, "nf_tables %s: %s%s", what,
		    strerror(errno), errno == EPERM ? " (needs CAP_NET_ADMIN)" :
		    "");
		fn->fr->partial = 1;
		return -1;
	}
	collect_log(fn->fr->ctx, LOG_INFO, "nf_tables: %zu %s", fn->n, what);
	if (fn->dropped > 0) {
		collect_error(fn->fr->ctx, NULL, "nf_tables: %zu %s past the "
		    "cap of %u not recorded", fn->dropped, what,
		    FIREWALL_NFT_MAX);
		fn->fr->partial = 1;
	}
	return 0;
}

/* The elements of each set found, capped per set. */
static void
firewall_nft_elems(struct firewall_nft *fn)
{
	struct nftnl_set	*s;
	struct nlmsghdr		*nlh;
	json_t			*v;
	size_t			 i, total = 0;

	json_array_foreach(fn->sets, i, v) {
		if (collect_expired(fn->fr->ctx))
			break;
		if ((s = nftnl_set_alloc()) == NULL)
			fatal("out of memory");
		fn->set = json_string_value(json_array_get(v, 2));
		fn->key_type = (uint32_t)json_integer_value(json_array_get(v,
		    3));
		nftnl_set_set_str(s, NFTNL_SET_TABLE,
		    json_string_value(json_array_get(v, 1)));
		nftnl_set_set_str(s, NFTNL_SET_NAME, fn->set);
		nlh = nftnl_nlmsg_build_hdr(fn->buf, NFT_MSG_GETSETELEM,
		    (uint16_t)json_integer_value(json_array_get(v, 0)),
		    NLM_F_DUMP, ++fn->seq);
		nftnl_set_elems_nlmsg_build_payload(nlh, s);
		nftnl_set_free(s);
		if (firewall_nft_dump(fn, nlh, firewall_nft_elem_cb) == -1) {
			collect_error(fn->fr->ctx, NULL, "nf_tables set %s: "
			    "elements: %s", fn->set, strerror(errno));
			fn->fr->partial = 1;
			continue;
		}
		total += fn->n;
		if (fn->dropped > 0) {
			collect_error(fn->fr->ctx, NULL, "nf_tables set %s: "
			    "%zu elements past the cap of %u not recorded",
			    fn->set, fn->dropped, FIREWALL_ELEM_MAX);
			fn->fr->partial = 1;
		}
	}
	collect_log(fn->fr->ctx, LOG_INFO, "nf_tables: %zu set elements in "
	    "%zu sets", total, json_array_size(fn->sets));
}

static void
firewall_nftables(struct firewall_run *fr)
{
	struct firewall_nft	 fn = { .fr = fr };
	struct timeval		 tv = { FIREWALL_RECV_TIMEOUT, 0 };
	const char		*how;

	if ((how = firewall_loaded("nf_tables")) == NULL) {
		collect_log(fr->ctx, LOG_INFO, "nf_tables not read: the module "
		    "is not loaded (opening NETLINK_NETFILTER could load it)");
		return;
	}
	if ((fn.nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC)) ==
	    NULL || setsockopt(mnl_socket_get_fd(fn.nl), SOL_SOCKET,
	    SO_RCVTIMEO, &tv, sizeof tv) == -1 ||
	    mnl_socket_bind(fn.nl, 0, MNL_SOCKET_AUTOPID) == -1) {
		collect_error(fr->ctx, NULL, "nf_tables: netlink socket: %s",
		    strerror(errno));
		fr->partial = 1;
		if (fn.nl != NULL)
			mnl_socket_close(fn.nl);
		return;
	}
	collect_log(fr->ctx, LOG_INFO, "nf_tables (%s): reading the ruleset "
	    "of the agent's network namespace", how);
	fn.portid = mnl_socket_get_portid(fn.nl);
	fn.buf = xmalloc(FIREWALL_NL_BUF);
	fn.sets = json_array();
	if (firewall_nft_kind(&fn, NFT_MSG_GETTABLE, "tables",
	    firewall_nft_table_cb) == 0) {
		firewall_nft_kind(&fn, NFT_MSG_GETCHAIN, "chains",
		    firewall_nft_chain_cb);
		firewall_nft_kind(&fn, NFT_MSG_GETRULE, "rules",
		    firewall_nft_rule_cb);
		firewall_nft_kind(&fn, NFT_MSG_GETOBJ, "objects",
		    firewall_nft_obj_cb);
		if (firewall_nft_kind(&fn, NFT_MSG_GETSET, "sets",
		    firewall_nft_set_cb) == 0)
			firewall_nft_elems(&fn);
	}
	json_decref(fn.sets);
	json_decref(fn.last);
	free(fn.buf);
	mnl_socket_close(fn.nl);
}

#else	/* FIREWALL_NO_NFT */

static void
firewall_nftables(struct firewall_run *fr)
{
	collect_log(fr->ctx, LOG_WARN, "nf_tables not read: this agent was "
	    "built without libnftnl (a static build: Debian ships no "
	    "libmnl.a)");
}

#endif	/* FIREWALL_NO_NFT */

/* Audit ----------------------------------------------------------------- */

#define FIREWALL_AUDIT_BUF	(64 * 1024)

static int
firewall_audit_send(int s, uint16_t type, uint32_t seq)
{
	struct nlmsghdr		h = { .nlmsg_len = NLMSG_LENGTH(0),
	    .nlmsg_type = type, .nlmsg_flags = NLM_F_REQUEST,
	    .nlmsg_seq = seq };
	struct sockaddr_nl	sa = { .nl_family = AF_NETLINK };

	return sendto(s, &h, h.nlmsg_len, 0, (struct sockaddr *)&sa,
	    sizeof sa) == -1 ? -1 : 0;
}

/*
 * Read the kernel's answers to request seq: emit each message of type
 * want (payload, length), one if !multi, else until NLMSG_DONE. 0, or
 * -1 with errno (the kernel's error, or EAGAIN when it stops answering).
 */
static int
firewall_audit_recv(struct firewall_run *fr, int s, uint32_t seq,
    uint16_t want, int multi, void (*emit)(struct firewall_run *,
    const void *, size_t))
{
	struct sockaddr_nl	 sa;
	struct nlmsghdr		*h;
	struct nlmsgerr		 err;
	socklen_t		 salen;
	char			*buf = xmalloc(FIREWALL_AUDIT_BUF);
	ssize_t			 n;
	size_t			 left;

	for (;;) {
		salen = sizeof sa;
		if ((n = recvfrom(s, buf, FIREWALL_AUDIT_BUF, 0,
		    (struct sockaddr *)&sa, &salen)) == -1)
			break;
		if (sa.nl_pid != 0)	/* only the kernel speaks here */
			continue;
		left = (size_t)n;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, left);
		    h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE) {
				free(buf);
				return 0;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				if (h->nlmsg_len < NLMSG_LENGTH(sizeof err))
					continue;
				memcpy(&err, NLMSG_DATA(h), sizeof err);
				if (err.error == 0)	/* an ack */
					continue;
				free(buf);
				errno = -err.error;
				return -1;
			}
			if (h->nlmsg_type != want)
				continue;
			emit(fr, NLMSG_DATA(h), h->nlmsg_len - NLMSG_HDRLEN);
			if (!multi) {
				free(buf);
				return 0;
			}
			if (collect_expired(fr->ctx)) {
				free(buf);
				errno = ETIME;
				return -1;
			}
		}
	}
	free(buf);
	return -1;
}

static void
firewall_audit_status(struct firewall_run *fr, const void *p, size_t len)
{
	struct audit_status	st;

	/* Older kernels send a shorter structure: the rest stays 0. */
	memset(&st, 0, sizeof st);
	memcpy(&st, p, len < sizeof st ? len : sizeof st);
	collect_record(fr->ctx, FIREWALL_AUDIT_STREAM, json_pack("{s:s, s:I, "
	    "s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "type", "status",
	    "enabled", (json_int_t)st.enabled,
	    "failure", (json_int_t)st.failure,
	    "pid", (json_int_t)st.pid,
	    "rate_limit", (json_int_t)st.rate_limit,
	    "backlog_limit", (json_int_t)st.backlog_limit,
	    "lost", (json_int_t)st.lost,
	    "backlog", (json_int_t)st.backlog,
	    "backlog_wait_time", (json_int_t)st.backlog_wait_time));
	if (st.enabled == 2)
		collect_log(fr->ctx, LOG_INFO, "audit configuration is locked "
		    "(enabled 2): rules cannot change until reboot");
}

static void
firewall_audit_rule_emit(struct firewall_run *fr, const void *p, size_t len)
{
	json_t	*rec;

	if (fr->nrec >= FIREWALL_AUDIT_MAX)
		return;
	if ((rec = firewall_audit_rule(p, len)) == NULL) {
		fr->nbad++;
		return;
	}
	fr->nrec++;
	collect_record(fr->ctx, FIREWALL_AUDIT_STREAM, rec);
}

static void
firewall_audit(struct firewall_run *fr)
{
	struct firewall_run	ar = { .ctx = fr->ctx };
	int			s;

	if ((s = firewall_netlink(NETLINK_AUDIT)) == -1) {
		if (errno == EPROTONOSUPPORT)
			collect_log(fr->ctx, LOG_INFO, "audit not read: the "
			    "kernel has no audit support (NETLINK_AUDIT: %s)",
			    strerror(errno));
		else {
			collect_error(fr->ctx, NULL, "audit: netlink socket: %s",
			    strerror(errno));
			fr->partial = 1;
		}
		return;
	}
	if (firewall_audit_send(s, AUDIT_GET, 1) == -1 ||
	    firewall_audit_recv(&ar, s, 1, AUDIT_GET, 0,
	    firewall_audit_status) == -1) {
		/* ECONNREFUSED: asked from outside the initial namespaces. */
		collect_error(fr->ctx, NULL, "audit status: %s%s",
		    strerror(errno), errno == EPERM ? " (needs "
		    "CAP_AUDIT_CONTROL)" : "");
		fr->partial = 1;
		close(s);
		return;
	}
	if (firewall_audit_send(s, AUDIT_LIST_RULES, 2) == -1 ||
	    firewall_audit_recv(&ar, s, 2, AUDIT_LIST_RULES, 1,
	    firewall_audit_rule_emit) == -1) {
		collect_error(fr->ctx, NULL, "audit rules: %s",
		    strerror(errno));
		fr->partial = 1;
	}
	collect_log(fr->ctx, LOG_INFO, "audit: %zu rules", ar.nrec);
	if (ar.nbad > 0 || ar.nrec >= FIREWALL_AUDIT_MAX) {
		collect_error(fr->ctx, NULL, "audit: %zu malformed rules "
		    "refused%s", ar.nbad, ar.nrec >=
		    FIREWALL_AUDIT_MAX ? ", and rules past the cap dropped" :
		    "");
		fr->partial = 1;
	}
	close(s);
}

static enum collect_result
firewall_collect(struct collect_ctx *ctx)
{
	struct firewall_run	fr = { .ctx = ctx };

	firewall_nftables(&fr);
	firewall_iptables(&fr, AF_INET);
	firewall_iptables(&fr, AF_INET6);
	collect_log(ctx, LOG_INFO, "%zu firewall records", fr.nrec);
	firewall_audit(&fr);
	return fr.partial ? COLLECT_PARTIAL : COLLECT_OK;
}

const struct collector collector_firewall = {
	.name = "firewall",
	.description = "the nf_tables and legacy iptables rulesets and the "
	    "audit status and rules",
	.flags = COLLECTOR_LIVE | COLLECTOR_NEEDS_ROOT,
	.run = firewall_collect,
};
