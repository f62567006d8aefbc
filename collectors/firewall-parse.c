/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The pure decoders of the firewall collector (firewall.h): the entry
 * blob of a legacy iptables table and an audit rule. No system call
 * here: bytes in, JSON records out, every offset checked first.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/audit.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

#include "firewall.h"
#include "live.h"
#include "util.h"

static const char *const firewall_hook_names[5] = {
	"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"
};

/* The fields of an iptables entry that both families share. */
struct firewall_ipt_entry {
	size_t		 off;		/* in the blob */
	size_t		 hdr;		/* sizeof the family's entry */
	unsigned int	 target_offset;
	unsigned int	 next_offset;
	uint64_t	 pcnt, bcnt;
	char		 target[30];	/* "" for the standard target */
	unsigned int	 target_size;
	int		 verdict;	/* standard target only */
	char		 chain[32];	/* ERROR target: the chain it names */
};

/* A user chain: its ERROR head names it; jumps land after the head. */
struct firewall_ipt_chain {
	size_t	start;
	char	name[32];
};

static uint16_t
firewall_u16(const unsigned char *p)
{
	uint16_t	v;

	memcpy(&v, p, sizeof v);
	return v;
}

/* A fixed-size name field: up to its first NUL, at most n bytes. */
static json_t *
firewall_name(const void *p, size_t n)
{
	return live_json_str(p, strnlen(p, n));
}

json_t *
firewall_hex(const void *p, size_t n)
{
	char	hex[2 * FIREWALL_HEX_MAX + 1];

	if (n > FIREWALL_HEX_MAX)
		n = FIREWALL_HEX_MAX;
	util_hex(hex, p, n);
	return json_string(hex);
}

/*
 * Check the entry at off and fill e. Every size and offset is checked
 * against the entry and the blob: -1 when one does not fit.
 */
static int
firewall_ipt_entry(const unsigned char *b, size_t len, size_t off, int family,
    struct firewall_ipt_entry *e)
{
	struct ipt_entry	 e4;
	struct ip6t_entry	 e6;
	struct xt_counters	 c;
	const unsigned char	*t;
	size_t			 m, msize;

	memset(e, 0, sizeof *e);
	e->off = off;
	e->hdr = family == AF_INET ? sizeof e4 : sizeof e6;
	if (off > len || len - off < e->hdr)
		return -1;
	if (family == AF_INET) {
		memcpy(&e4, b + off, sizeof e4);
		e->target_offset = e4.target_offset;
		e->next_offset = e4.next_offset;
		c = e4.counters;
	} else {
		memcpy(&e6, b + off, sizeof e6);
		e->target_offset = e6.target_offset;
		e->next_offset = e6.next_offset;
		c = e6.counters;
	}
	e->pcnt = c.pcnt;
	e->bcnt = c.bcnt;
	if (e->next_offset > len - off || e->target_offset < e->hdr ||
	    e->target_offset > e->next_offset ||
	    e->next_offset - e->target_offset < sizeof(struct xt_entry_target))
		return -1;
	for (m = e->hdr; m < e->target_offset; m += msize) {
		if (e->target_offset - m < sizeof(struct xt_entry_match))
			return -1;
		msize = firewall_u16(b + off + m);
		if (msize < sizeof(struct xt_entry_match) ||
		    msize > e->target_offset - m)
			return -1;
	}
	t = b + off + e->target_offset;
	e->target_size = firewall_u16(t);
	if (e->target_size < sizeof(struct xt_entry_target) ||
	    e->target_size > e->next_offset - e->target_offset)
		return -1;
	memcpy(e->target, t + 2, 29);
	e->target[29] = '\0';
	if (e->target[0] == '\0' && e->target_size >=
	    sizeof(struct xt_entry_target) + sizeof(int))
		memcpy(&e->verdict, t + sizeof(struct xt_entry_target),
		    sizeof e->verdict);
	if (strcmp(e->target, XT_ERROR_TARGET) == 0) {
		msize = e->target_size - sizeof(struct xt_entry_target);
		if (msize > sizeof e->chain - 1)
			msize = sizeof e->chain - 1;
		memcpy(e->chain, t + sizeof(struct xt_entry_target), msize);
		e->chain[msize] = '\0';
	}
	return 0;
}

/* "10.0.0.0/8", or "10.0.0.0/255.0.255.0" for a mask with holes. */
static json_t *
firewall_ipt_addr(int family, const void *addr, const unsigned char *mask)
{
	char		a[LIVE_ADDRLEN], mk[LIVE_ADDRLEN];
	size_t		i, n = family == AF_INET ? 4 : 16;
	unsigned int	bits = 0, hole = 0;

	if (inet_ntop(family, addr, a, sizeof a) == NULL)
		return json_null();
	for (i = 0; i < n * 8; i++) {
		if (mask[i / 8] & (0x80 >> (i % 8))) {
			if (hole)
				break;
			bits++;
		} else
			hole = 1;
	}
	if (i < n * 8) {
		if (inet_ntop(family, mask, mk, sizeof mk) == NULL)
			return json_null();
		return json_sprintf("%s/%s", a, mk);
	}
	return json_sprintf("%s/%u", a, bits);
}

/*
 * An interface name, with iptables' "+" when only its prefix is matched:
 * the mask covers the name's bytes but not the NUL after it. iptables
 * stores the "+" in the name already (unmasked); another writer may not.
 */
static json_t *
firewall_ipt_iface(const char *name, const unsigned char *mask)
{
	char	wild[IFNAMSIZ + 1];
	size_t	n = strnlen(name, IFNAMSIZ);

	if (n == 0 || n == IFNAMSIZ || mask[n] != 0 || name[n - 1] == '+')
		return live_json_str(name, n);
	memcpy(wild, name, n);
	wild[n] = '+';
	return live_json_str(wild, n + 1);
}

/* The standard target's verdict: a chain, ACCEPT, DROP, RETURN… */
static json_t *
firewall_ipt_verdict(const struct firewall_ipt_entry *e,
    const struct firewall_ipt_chain *ch, size_t nch)
{
	static const char *const v[] = { "DROP", "ACCEPT", "STOLEN", "QUEUE",
	    "REPEAT", "STOP" };
	size_t	i;

	if (e->verdict == XT_RETURN)
		return json_string("RETURN");
	if (e->verdict < 0 && e->verdict >= -(int)nitems(v))
		return json_string(v[-e->verdict - 1]);
	if (e->verdict < 0)
		return json_sprintf("verdict %d", e->verdict);
	for (i = 0; i < nch; i++)
		if (ch[i].start == (size_t)e->verdict)
			return live_json_strz(ch[i].name);
	/* A jump to the next entry is how iptables writes a fall-through. */
	return json_sprintf("offset %d", e->verdict);
}

/* The matches of an entry (checked by firewall_ipt_entry). */
static json_t *
firewall_ipt_matches(const unsigned char *b, const struct firewall_ipt_entry *e)
{
	json_t			*a = json_array();
	const unsigned char	*p;
	size_t			 m, size;

	for (m = e->hdr; m < e->target_offset; m += size) {
		p = b + e->off + m;
		size = firewall_u16(p);
		json_array_append_new(a, json_pack("{s:o, s:i, s:I, s:o}",
		    "name", firewall_name(p + 2, 29),
		    "revision", p[31],
		    "size", (json_int_t)size,
		    "data", firewall_hex(p + sizeof(struct xt_entry_match),
		    size - sizeof(struct xt_entry_match))));
	}
	return a;
}

static json_t *
firewall_ipt_record(const unsigned char *b, const struct firewall_ipt_table *t,
    const struct firewall_ipt_entry *e, const char *chain, unsigned int num,
    const char *kind, const struct firewall_ipt_chain *ch, size_t nch)
{
	struct ipt_entry	 e4;
	struct ip6t_entry	 e6;
	json_t			*rec;
	const unsigned char	*tg = b + e->off + e->target_offset;
	const char		*in, *out;
	const unsigned char	*inm, *outm;
	unsigned int		 proto, inv;

	rec = json_pack("{s:s, s:s, s:o, s:o, s:I, s:s}",
	    "type", "iptables", "family", t->family == AF_INET ? "ipv4" : "ipv6",
	    "table", live_json_strz(t->name), "chain", live_json_strz(chain),
	    "rule", (json_int_t)num, "kind", kind);
	if (t->family == AF_INET) {
		memcpy(&e4, b + e->off, sizeof e4);
		json_object_set_new(rec, "src", firewall_ipt_addr(AF_INET,
		    &e4.ip.src, (const unsigned char *)&e4.ip.smsk));
		json_object_set_new(rec, "dst", firewall_ipt_addr(AF_INET,
		    &e4.ip.dst, (const unsigned char *)&e4.ip.dmsk));
		in = e4.ip.iniface;
		out = e4.ip.outiface;
		inm = e4.ip.iniface_mask;
		outm = e4.ip.outiface_mask;
		proto = e4.ip.proto;
		inv = e4.ip.invflags;
	} else {
		memcpy(&e6, b + e->off, sizeof e6);
		json_object_set_new(rec, "src", firewall_ipt_addr(AF_INET6,
		    &e6.ipv6.src, e6.ipv6.smsk.s6_addr));
		json_object_set_new(rec, "dst", firewall_ipt_addr(AF_INET6,
		    &e6.ipv6.dst, e6.ipv6.dmsk.s6_addr));
		in = e6.ipv6.iniface;
		out = e6.ipv6.outiface;
		inm = e6.ipv6.iniface_mask;
		outm = e6.ipv6.outiface_mask;
		proto = e6.ipv6.proto;
		inv = e6.ipv6.invflags;
	}
	json_object_set_new(rec, "in_iface", firewall_ipt_iface(in, inm));
	json_object_set_new(rec, "out_iface", firewall_ipt_iface(out, outm));
	json_object_set_new(rec, "proto", json_integer(proto));
	json_object_set_new(rec, "invflags", json_integer(inv));
	json_object_set_new(rec, "matches", firewall_ipt_matches(b, e));
	if (e->target[0] == '\0') {
		json_object_set_new(rec, "target", json_string("standard"));
		json_object_set_new(rec, "verdict",
		    firewall_ipt_verdict(e, ch, nch));
	} else {
		json_object_set_new(rec, "target", firewall_name(e->target, 29));
		json_object_set_new(rec, "verdict", json_null());
	}
	json_object_set_new(rec, "target_revision", json_integer(tg[31]));
	json_object_set_new(rec, "target_data", firewall_hex(tg +
	    sizeof(struct xt_entry_target),
	    e->target_size - sizeof(struct xt_entry_target)));
	json_object_set_new(rec, "packets", json_integer((json_int_t)e->pcnt));
	json_object_set_new(rec, "bytes", json_integer((json_int_t)e->bcnt));
	json_object_set_new(rec, "offset", json_integer((json_int_t)e->off));
	return rec;
}

/*
 * First pass: check every entry and find the user chains (for the names
 * of jumps). Returns the length of the well-formed prefix of the blob.
 */
static size_t
firewall_ipt_scan(const unsigned char *b, size_t len, int family,
    struct firewall_ipt_chain **chp, size_t *nchp, size_t *nbad)
{
	struct firewall_ipt_entry	 e;
	struct firewall_ipt_chain	*ch = NULL;
	size_t				 off = 0, n = 0, nch = 0;

	while (off < len && n++ < FIREWALL_IPT_MAX_ENTRIES) {
		if (firewall_ipt_entry(b, len, off, family, &e) == -1) {
			(*nbad)++;
			break;
		}
		if (e.chain[0] != '\0' && strcmp(e.target, XT_ERROR_TARGET) ==
		    0) {
			ch = xreallocarray(ch, nch + 1, sizeof *ch);
			ch[nch].start = off + e.next_offset;
			memcpy(ch[nch].name, e.chain, sizeof ch[nch].name);
			nch++;
		}
		off += e.next_offset;
	}
	*chp = ch;
	*nchp = nch;
	return off < len ? off : len;
}

/* Whether the entry at off is an ERROR one (a chain head or the end). */
static int
firewall_ipt_is_head(const unsigned char *b, size_t len, size_t off, int family)
{
	struct firewall_ipt_entry	e;

	return off >= len || (firewall_ipt_entry(b, len, off, family, &e) ==
	    0 && strcmp(e.target, XT_ERROR_TARGET) == 0);
}

size_t
firewall_ipt_walk(const void *blob, size_t len,
    const struct firewall_ipt_table *t, int (*emit)(json_t *, void *),
    void *arg, size_t *nbad)
{
	const unsigned char		*b = blob;
	struct firewall_ipt_entry	 e;
	struct firewall_ipt_chain	*ch;
	size_t				 nch, end, off, nrec = 0;
	unsigned int			 h, num = 0;
	const char			*chain = NULL, *kind;
	char				 uchain[sizeof e.chain];
	int				 user = 0;

	*nbad = 0;
	if (t->family != AF_INET && t->family != AF_INET6)
		return 0;
	end = firewall_ipt_scan(b, len, t->family, &ch, &nch, nbad);
	for (off = 0; off < end; off += e.next_offset) {
		if (firewall_ipt_entry(b, end, off, t->family, &e) == -1)
			break;
		kind = "rule";
		for (h = 0; h < 5; h++) {
			if (!(t->valid_hooks & (1U << h)))
				continue;
			if (t->hook_entry[h] == off) {
				chain = firewall_hook_names[h];
				user = 0;
				num = 0;
			}
			if (t->underflow[h] == off)
				kind = "policy";
		}
		if (strcmp(e.target, XT_ERROR_TARGET) == 0) {
			/* A user chain starts; "ERROR" itself ends the table. */
			memcpy(uchain, e.chain, sizeof uchain);
			chain = uchain;
			user = 1;
			num = 0;
			continue;
		}
		if (user && e.target[0] == '\0' && e.verdict == XT_RETURN &&
		    firewall_ipt_is_head(b, end, off + e.next_offset, t->family))
			kind = "return";
		num++;
		nrec++;
		if (emit(firewall_ipt_record(b, t, &e, chain != NULL ? chain :
		    "?", num, kind, ch, nch), arg) != 0)
			break;
	}
	free(ch);
	return nrec;
}

/* Audit rules ---------------------------------------------------------- */

static const struct {
	unsigned int	 field;
	const char	*name;
} firewall_audit_fields[] = {
	{ AUDIT_PID, "pid" }, { AUDIT_UID, "uid" }, { AUDIT_EUID, "euid" },
	{ AUDIT_SUID, "suid" }, { AUDIT_FSUID, "fsuid" }, { AUDIT_GID, "gid" },
	{ AUDIT_EGID, "egid" }, { AUDIT_SGID, "sgid" },
	{ AUDIT_FSGID, "fsgid" }, { AUDIT_LOGINUID, "auid" },
	{ AUDIT_PERS, "pers" }, { AUDIT_ARCH, "arch" },
	{ AUDIT_MSGTYPE, "msgtype" }, { AUDIT_SUBJ_USER, "subj_user" },
	{ AUDIT_SUBJ_ROLE, "subj_role" }, { AUDIT_SUBJ_TYPE, "subj_type" },
	{ AUDIT_SUBJ_SEN, "subj_sen" }, { AUDIT_SUBJ_CLR, "subj_clr" },
	{ AUDIT_PPID, "ppid" }, { AUDIT_OBJ_USER, "obj_user" },
	{ AUDIT_OBJ_ROLE, "obj_role" }, { AUDIT_OBJ_TYPE, "obj_type" },
	{ AUDIT_OBJ_LEV_LOW, "obj_lev_low" },
	{ AUDIT_OBJ_LEV_HIGH, "obj_lev_high" },
	{ AUDIT_LOGINUID_SET, "auid_set" }, { AUDIT_SESSIONID, "ses" },
	{ AUDIT_FSTYPE, "fstype" }, { AUDIT_DEVMAJOR, "devmajor" },
	{ AUDIT_DEVMINOR, "devminor" }, { AUDIT_INODE, "inode" },
	{ AUDIT_EXIT, "exit" }, { AUDIT_SUCCESS, "success" },
	{ AUDIT_WATCH, "path" }, { AUDIT_PERM, "perm" }, { AUDIT_DIR, "dir" },
	{ AUDIT_FILETYPE, "filetype" }, { AUDIT_OBJ_UID, "obj_uid" },
	{ AUDIT_OBJ_GID, "obj_gid" }, { AUDIT_FIELD_COMPARE, "field_compare" },
	{ AUDIT_EXE, "exe" }, { AUDIT_ARG0, "a0" }, { AUDIT_ARG1, "a1" },
	{ AUDIT_ARG2, "a2" }, { AUDIT_ARG3, "a3" },
	{ AUDIT_FILTERKEY, "key" },
};

static const char *
firewall_audit_field(unsigned int f)
{
	size_t	i;

	for (i = 0; i < nitems(firewall_audit_fields); i++)
		if (firewall_audit_fields[i].field == f)
			return firewall_audit_fields[i].name;
	return NULL;
}

/* Fields whose value is a length of text in the rule's buffer. */
static int
firewall_audit_is_str(unsigned int f)
{
	return (f >= AUDIT_SUBJ_USER && f <= AUDIT_SUBJ_CLR) ||
	    (f >= AUDIT_OBJ_USER && f <= AUDIT_OBJ_LEV_HIGH) ||
	    f == AUDIT_WATCH || f == AUDIT_DIR || f == AUDIT_FILTERKEY ||
	    f == AUDIT_EXE;
}

static const char *
firewall_audit_op(unsigned int op)
{
	switch (op) {
	case AUDIT_BIT_MASK:		return "&";
	case AUDIT_LESS_THAN:		return "<";
	case AUDIT_GREATER_THAN:	return ">";
	case AUDIT_NOT_EQUAL:		return "!=";
	case AUDIT_EQUAL:		return "=";
	case AUDIT_BIT_TEST:		return "&=";
	case AUDIT_LESS_THAN_OR_EQUAL:	return "<=";
	case AUDIT_GREATER_THAN_OR_EQUAL: return ">=";
	}
	return "?";
}

static const char *
firewall_audit_list(unsigned int l)
{
	static const char *const n[] = { "user", "task", "entry", "watch",
	    "exit", "exclude", "filesystem", "io_uring" };

	return l < nitems(n) ? n[l] : "unknown";
}

/* The syscall bitmap: numbers, or "all" when every bit is set. */
static json_t *
firewall_audit_syscalls(const struct audit_rule_data *r, struct buf *text)
{
	json_t		*a = json_array();
	unsigned int	 i, all = 1;

	for (i = 0; i < AUDIT_BITMASK_SIZE; i++)
		if (r->mask[i] != ~0U)
			all = 0;
	if (all) {
		buf_addstr(text, " -S all");
		json_decref(a);
		return json_string("all");
	}
	for (i = 0; i < AUDIT_BITMASK_SIZE * 32; i++) {
		if (!(r->mask[i / 32] & (1U << (i % 32))))
			continue;
		buf_printf(text, "%s%u", json_array_size(a) == 0 ? " -S " : ",",
		    i);
		json_array_append_new(a, json_integer(i));
	}
	return a;
}

/* One field: {field, op, value}; text gets " -F name=value". */
static json_t *
firewall_audit_one(const struct audit_rule_data *r, unsigned int i,
    size_t *boff, struct buf *text)
{
	const char	*name = firewall_audit_field(r->fields[i]);
	const char	*op = firewall_audit_op(r->fieldflags[i]);
	json_t		*v;
	struct buf	 s = { 0 };
	uint32_t	 val = r->values[i];

	if (firewall_audit_is_str(r->fields[i])) {
		if (val > r->buflen - *boff)
			return NULL;
		util_escape(&s, r->buf + *boff, val, UTIL_ESC_C0, "");
		*boff += val;
		v = json_string(s.data != NULL ? s.data : "");
	} else if (r->fields[i] == AUDIT_ARCH && (val == AUDIT_ARCH_X86_64 ||
	    val == AUDIT_ARCH_AARCH64))
		v = json_string("b64");
	else if (r->fields[i] == AUDIT_ARCH && (val == AUDIT_ARCH_I386 ||
	    val == AUDIT_ARCH_ARM))
		v = json_string("b32");
	else if (r->fields[i] == AUDIT_PERM) {
		buf_printf(&s, "%s%s%s%s", val & AUDIT_PERM_READ ? "r" : "",
		    val & AUDIT_PERM_WRITE ? "w" : "",
		    val & AUDIT_PERM_EXEC ? "x" : "",
		    val & AUDIT_PERM_ATTR ? "a" : "");
		v = json_string(s.data != NULL ? s.data : "");
	} else
		v = json_integer((json_int_t)(int32_t)val);
	if (json_is_string(v))
		buf_printf(text, " -F %s%s%s", name != NULL ? name : "?", op,
		    json_string_value(v));
	else
		buf_printf(text, " -F %s%s%d", name != NULL ? name : "?", op,
		    (int32_t)val);
	buf_free(&s);
	return json_pack("{s:o, s:I, s:s, s:o}", "field", name != NULL ?
	    json_string(name) : json_null(), "number",
	    (json_int_t)r->fields[i], "op", op, "value", v);
}

json_t *
firewall_audit_rule(const void *p, size_t len)
{
	struct audit_rule_data	*r;
	json_t			*rec, *fields, *f, *key = NULL;
	struct buf		 text = { 0 }, keytext = { 0 };
	size_t			 boff = 0;
	unsigned int		 i, list, action;

	if (len < sizeof *r)
		return NULL;
	/* A copy: the message need not be aligned for the structure. */
	r = xmalloc(len);
	memcpy(r, p, len);
	if (r->field_count > AUDIT_MAX_FIELDS || r->buflen > len - sizeof *r) {
		free(r);
		return NULL;
	}
	list = r->flags & ~AUDIT_FILTER_PREPEND;
	action = r->action;
	buf_printf(&text, "-a %s,%s", action == AUDIT_ALWAYS ? "always" :
	    action == AUDIT_NEVER ? "never" : "possible",
	    firewall_audit_list(list));
	rec = json_pack("{s:s, s:s, s:s}", "type", "rule",
	    "list", firewall_audit_list(list), "action",
	    action == AUDIT_ALWAYS ? "always" : action == AUDIT_NEVER ?
	    "never" : "possible");
	fields = json_array();
	for (i = 0; i < r->field_count; i++) {
		/* The key goes last, as auditctl -l puts it. */
		if ((f = firewall_audit_one(r, i, &boff, r->fields[i] ==
		    AUDIT_FILTERKEY ? &keytext : &text)) == NULL)
			goto bad;
		if (r->fields[i] == AUDIT_FILTERKEY && key == NULL)
			key = json_incref(json_object_get(f, "value"));
		json_array_append_new(fields, f);
	}
	if (list == AUDIT_FILTER_EXIT || list == AUDIT_FILTER_ENTRY)
		json_object_set_new(rec, "syscalls",
		    firewall_audit_syscalls(r, &text));
	if (key != NULL)
		buf_printf(&text, " -k %s", json_string_value(key));
	json_object_set_new(rec, "fields", fields);
	json_object_set_new(rec, "key", key != NULL ? key : json_null());
	json_object_set_new(rec, "text", json_string(text.data));
	buf_free(&text);
	buf_free(&keytext);
	free(r);
	return rec;
bad:
	json_decref(fields);
	json_decref(rec);
	json_decref(key);
	buf_free(&text);
	buf_free(&keytext);
	free(r);
	return NULL;
}
