/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * firewall: the legacy iptables entry walker on blobs built here as the
 * kernel lays them out (built-in and user chains, a jump, policies, a
 * match, IPv6), and on every truncation and corruption of one (refused
 * with a count, never a read out of bounds); the audit rule decoder on a
 * watch rule and on malformed rules.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/audit.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

#include "firewall.h"
#include "util.h"
#include "unit.h"

/* A blob being built, and where each entry starts. */
struct blob {
	unsigned char	b[4096];
	size_t		len;
	size_t		off[16];
	size_t		n;
};

/*
 * Append an IPv4 entry: src/dst with prefix lengths, proto, a "tcp"
 * match of 16 bytes when match, then a standard target with verdict or
 * (name != NULL) an ERROR target naming a chain.
 */
static void
blob_entry(struct blob *bl, const char *src, int slen, const char *dst,
    int dlen, int proto, int match, int verdict, const char *name)
{
	struct ipt_entry	e;
	struct xt_entry_match	m;
	struct xt_entry_target	t;
	size_t			at = bl->len, pos = sizeof e, tsize;

	memset(&e, 0, sizeof e);
	inet_pton(AF_INET, src, &e.ip.src);
	inet_pton(AF_INET, dst, &e.ip.dst);
	e.ip.smsk.s_addr = slen == 0 ? 0 : htonl(~0U << (32 - slen));
	e.ip.dmsk.s_addr = dlen == 0 ? 0 : htonl(~0U << (32 - dlen));
	e.ip.proto = (uint16_t)proto;
	e.counters.pcnt = 7;
	e.counters.bcnt = 700;
	if (match) {
		memset(&m, 0, sizeof m);
		m.u.user.match_size = XT_ALIGN(sizeof m + 16);
		strcpy(m.u.user.name, "tcp");
		memcpy(bl->b + at + pos, &m, sizeof m);
		memset(bl->b + at + pos + sizeof m, 0xab, 16);
		pos += m.u.user.match_size;
	}
	e.target_offset = (uint16_t)pos;
	memset(&t, 0, sizeof t);
	tsize = name != NULL ? XT_ALIGN(sizeof t + XT_FUNCTION_MAXNAMELEN) :
	    XT_ALIGN(sizeof t + sizeof(int));
	t.u.user.target_size = (uint16_t)tsize;
	memset(bl->b + at + pos, 0, tsize);
	if (name != NULL) {
		strcpy(t.u.user.name, XT_ERROR_TARGET);
		strcpy((char *)bl->b + at + pos + sizeof t, name);
	} else
		memcpy(bl->b + at + pos + sizeof t, &verdict, sizeof verdict);
	memcpy(bl->b + at + pos, &t, sizeof t);
	e.next_offset = (uint16_t)(pos + tsize);
	memcpy(bl->b + at, &e, sizeof e);
	bl->off[bl->n++] = at;
	bl->len += e.next_offset;
}

/*
 * filter with INPUT: a tcp rule from 10.1.2.3 (DROP), a jump to MYCHAIN,
 * the policy (ACCEPT); MYCHAIN: a rule to 198.51.100.0/24 (ACCEPT), its
 * return; the closing ERROR entry.
 */
static void
blob_table(struct blob *bl, struct firewall_ipt_table *t)
{
	memset(bl, 0, sizeof *bl);
	blob_entry(bl, "10.1.2.3", 32, "0.0.0.0", 0, 6, 1, -NF_DROP - 1, NULL);
	blob_entry(bl, "0.0.0.0", 0, "0.0.0.0", 0, 0, 0, 0, NULL); /* jump */
	blob_entry(bl, "0.0.0.0", 0, "0.0.0.0", 0, 0, 0, -NF_ACCEPT - 1, NULL);
	blob_entry(bl, "0.0.0.0", 0, "0.0.0.0", 0, 0, 0, 0, "MYCHAIN");
	blob_entry(bl, "0.0.0.0", 0, "198.51.100.0", 24, 0, 0, -NF_ACCEPT - 1,
	    NULL);
	blob_entry(bl, "0.0.0.0", 0, "0.0.0.0", 0, 0, 0, XT_RETURN, NULL);
	blob_entry(bl, "0.0.0.0", 0, "0.0.0.0", 0, 0, 0, 0, "ERROR");
	/* The jump's verdict: the offset of MYCHAIN's first rule. */
	{
		struct ipt_entry	e;
		int			v = (int)bl->off[4];

		memcpy(&e, bl->b + bl->off[1], sizeof e);
		memcpy(bl->b + bl->off[1] + e.target_offset +
		    sizeof(struct xt_entry_target), &v, sizeof v);
	}
	memset(t, 0, sizeof *t);
	t->family = AF_INET;
	t->name = "filter";
	t->valid_hooks = 1U << NF_INET_LOCAL_IN;
	t->hook_entry[NF_INET_LOCAL_IN] = (unsigned int)bl->off[0];
	t->underflow[NF_INET_LOCAL_IN] = (unsigned int)bl->off[2];
}

static int
collect(json_t *rec, void *arg)
{
	json_t	*a = arg;
	char	*s;

	/* Every record must serialise (valid UTF-8). */
	if ((s = json_dumps(rec, 0)) == NULL)
		printf("FAIL test_firewall: a record does not serialise\n");
	free(s);
	json_array_append_new(a, rec);
	return 0;
}

static const char *
field(json_t *a, size_t i, const char *k)
{
	return json_string_value(json_object_get(json_array_get(a, i), k));
}

static long long
num(json_t *a, size_t i, const char *k)
{
	return json_integer_value(json_object_get(json_array_get(a, i), k));
}

static void
test_ipt_table(void)
{
	struct blob			bl;
	struct firewall_ipt_table	t;
	json_t				*a = json_array(), *m;
	size_t				n, nbad;

	blob_table(&bl, &t);
	n = firewall_ipt_walk(bl.b, bl.len, &t, collect, a, &nbad);
	CHECK(n == 5 && nbad == 0 && json_array_size(a) == 5);
	CHECK_STR(field(a, 0, "family"), "ipv4");
	CHECK_STR(field(a, 0, "table"), "filter");
	CHECK_STR(field(a, 0, "chain"), "INPUT");
	CHECK(num(a, 0, "rule") == 1);
	CHECK_STR(field(a, 0, "kind"), "rule");
	CHECK_STR(field(a, 0, "src"), "10.1.2.3/32");
	CHECK_STR(field(a, 0, "dst"), "0.0.0.0/0");
	CHECK(num(a, 0, "proto") == 6);
	CHECK_STR(field(a, 0, "target"), "standard");
	CHECK_STR(field(a, 0, "verdict"), "DROP");
	CHECK(num(a, 0, "packets") == 7 && num(a, 0, "bytes") == 700);
	m = json_array_get(json_object_get(json_array_get(a, 0), "matches"), 0);
	CHECK_STR(json_string_value(json_object_get(m, "name")), "tcp");
	CHECK_STR(json_string_value(json_object_get(m, "data")),
	    "abababababababababababababababab");
	CHECK_STR(field(a, 1, "verdict"), "MYCHAIN");
	CHECK(num(a, 1, "rule") == 2);
	CHECK_STR(field(a, 2, "kind"), "policy");
	CHECK_STR(field(a, 2, "verdict"), "ACCEPT");
	CHECK_STR(field(a, 3, "chain"), "MYCHAIN");
	CHECK(num(a, 3, "rule") == 1);
	CHECK_STR(field(a, 3, "dst"), "198.51.100.0/24");
	CHECK_STR(field(a, 4, "chain"), "MYCHAIN");
	CHECK_STR(field(a, 4, "kind"), "return");
	CHECK_STR(field(a, 4, "verdict"), "RETURN");
	json_decref(a);
}

/* Every prefix of the blob: the whole entries before the cut, one bad. */
static void
test_ipt_truncated(void)
{
	struct blob			bl;
	struct firewall_ipt_table	t;
	json_t				*a;
	size_t				len, i, whole, want, n, nbad;
	unsigned char			*copy;

	blob_table(&bl, &t);
	for (len = 0; len < bl.len; len++) {
		/* A copy of exactly len bytes: ASan sees any overread. */
		copy = xmalloc(len + 1);
		memcpy(copy, bl.b, len);
		a = json_array();
		n = firewall_ipt_walk(copy, len, &t, collect, a, &nbad);
		for (whole = 0, want = 0, i = 0; i < bl.n; i++) {
			if (i + 1 < bl.n ? bl.off[i + 1] > len :
			    bl.len > len)
				break;
			whole++;
			if (i != 3 && i != 6)	/* ERROR entries: no record */
				want++;
		}
		/* On an entry boundary nothing is cut: nothing is bad. */
		if (n != want || nbad != (len == bl.off[whole] ? 0U : 1U) ||
		    json_array_size(a) != n) {
			CHECK(!"truncated blob");
			printf("#   len %zu: %zu records (want %zu), %zu bad\n",
			    len, n, want, nbad);
			json_decref(a);
			free(copy);
			break;
		}
		json_decref(a);
		free(copy);
	}
}

/* Corrupt one field at a time: refused, counted, never followed. */
static void
test_ipt_garbage(void)
{
	struct blob			bl;
	struct firewall_ipt_table	t;
	struct ipt_entry		e;
	json_t				*a;
	size_t				n, nbad, i;
	uint16_t			v;
	unsigned int			seed = 1;
	static const struct {
		size_t		where;	/* offset in entry 0 */
		uint16_t	value;
	} bad[] = {
		{ offsetof(struct ipt_entry, next_offset), 0 },	/* loop */
		{ offsetof(struct ipt_entry, next_offset), 60000 },
		{ offsetof(struct ipt_entry, target_offset), 0 },
		{ offsetof(struct ipt_entry, target_offset), 4000 },
		{ sizeof(struct ipt_entry), 0 },		/* match_size */
		{ sizeof(struct ipt_entry), 4000 },
		{ sizeof(struct ipt_entry), 8 },
	};

	for (i = 0; i < nitems(bad); i++) {
		blob_table(&bl, &t);
		v = bad[i].value;
		memcpy(bl.b + bad[i].where, &v, sizeof v);
		a = json_array();
		n = firewall_ipt_walk(bl.b, bl.len, &t, collect, a, &nbad);
		CHECK(n == 0 && nbad == 1 && json_array_size(a) == 0);
		json_decref(a);
	}
	/* The target's size past the entry's end. */
	blob_table(&bl, &t);
	memcpy(&e, bl.b, sizeof e);
	v = 4000;
	memcpy(bl.b + e.target_offset, &v, sizeof v);
	a = json_array();
	n = firewall_ipt_walk(bl.b, bl.len, &t, collect, a, &nbad);
	CHECK(n == 0 && nbad == 1);
	json_decref(a);
	/* A jump to nowhere is shown as an offset, not followed. */
	blob_table(&bl, &t);
	memcpy(&e, bl.b + bl.off[1], sizeof e);
	i = 999999;
	memcpy(bl.b + bl.off[1] + e.target_offset +
	    sizeof(struct xt_entry_target), &(int){ (int)i }, sizeof(int));
	a = json_array();
	n = firewall_ipt_walk(bl.b, bl.len, &t, collect, a, &nbad);
	CHECK(n == 5 && nbad == 0);
	CHECK_STR(field(a, 1, "verdict"), "offset 999999");
	json_decref(a);
	/* Random bytes: whatever comes out, it serialises; no crash. */
	for (i = 0; i < 2000; i++) {
		size_t	k;

		for (k = 0; k < sizeof bl.b; k++)
			bl.b[k] = (unsigned char)(rand_r(&seed) >> 3);
		a = json_array();
		n = firewall_ipt_walk(bl.b, (size_t)(rand_r(&seed) %
		    (int)sizeof bl.b), &t, collect, a, &nbad);
		CHECK(n == json_array_size(a));
		json_decref(a);
	}
}

static void
test_ipt_ipv6(void)
{
	unsigned char			 b[512];
	struct ip6t_entry		 e;
	struct xt_entry_target		 tg;
	struct firewall_ipt_table	 t = { .family = AF_INET6,
	    .name = "filter", .valid_hooks = 1U << NF_INET_LOCAL_IN };
	json_t				*a = json_array();
	int				 v = -NF_DROP - 1;
	size_t				 n, nbad, ts = XT_ALIGN(sizeof tg + sizeof v);

	memset(b, 0, sizeof b);
	memset(&e, 0, sizeof e);
	inet_pton(AF_INET6, "2001:db8::7", &e.ipv6.src);
	memset(&e.ipv6.smsk, 0xff, sizeof e.ipv6.smsk);
	strcpy(e.ipv6.iniface, "eth0");
	memset(e.ipv6.iniface_mask, 0xff, 5);	/* the NUL too: exact */
	strcpy(e.ipv6.outiface, "ppp");
	memset(e.ipv6.outiface_mask, 0xff, 3);	/* "ppp+" */
	e.target_offset = sizeof e;
	e.next_offset = (uint16_t)(sizeof e + ts);
	memcpy(b, &e, sizeof e);
	memset(&tg, 0, sizeof tg);
	tg.u.user.target_size = (uint16_t)ts;
	memcpy(b + sizeof e, &tg, sizeof tg);
	memcpy(b + sizeof e + sizeof tg, &v, sizeof v);
	/* The policy is the same entry: a one-rule chain. */
	t.underflow[NF_INET_LOCAL_IN] = 99999;
	n = firewall_ipt_walk(b, e.next_offset, &t, collect, a, &nbad);
	CHECK(n == 1 && nbad == 0);
	CHECK_STR(field(a, 0, "family"), "ipv6");
	CHECK_STR(field(a, 0, "src"), "2001:db8::7/128");
	CHECK_STR(field(a, 0, "dst"), "::/0");
	CHECK_STR(field(a, 0, "in_iface"), "eth0");
	CHECK_STR(field(a, 0, "out_iface"), "ppp+");
	CHECK_STR(field(a, 0, "verdict"), "DROP");
	json_decref(a);
	/* Cut short of the IPv6 header: refused. */
	a = json_array();
	n = firewall_ipt_walk(b, sizeof e - 1, &t, collect, a, &nbad);
	CHECK(n == 0 && nbad == 1);
	json_decref(a);
}

/* An audit watch rule as the kernel lists it, strings in its buffer. */
static size_t
audit_watch(unsigned char *out, size_t cap)
{
	struct audit_rule_data	r;
	const char		*strs = "/etc/passwdk1";

	memset(&r, 0, sizeof r);
	r.flags = AUDIT_FILTER_EXIT;
	r.action = AUDIT_ALWAYS;
	r.field_count = 4;
	r.fields[0] = AUDIT_ARCH;
	r.values[0] = AUDIT_ARCH_X86_64;
	r.fieldflags[0] = AUDIT_EQUAL;
	r.fields[1] = AUDIT_WATCH;
	r.values[1] = 11;
	r.fieldflags[1] = AUDIT_EQUAL;
	r.fields[2] = AUDIT_PERM;
	r.values[2] = AUDIT_PERM_WRITE | AUDIT_PERM_ATTR;
	r.fieldflags[2] = AUDIT_EQUAL;
	r.fields[3] = AUDIT_FILTERKEY;
	r.values[3] = 2;
	r.fieldflags[3] = AUDIT_EQUAL;
	r.mask[59 / 32] |= 1U << (59 % 32);
	r.mask[2 / 32] |= 1U << 2;
	r.buflen = 13;
	if (cap < sizeof r + r.buflen)
		return 0;
	memcpy(out, &r, sizeof r);
	memcpy(out + sizeof r, strs, r.buflen);
	return sizeof r + r.buflen;
}

static void
test_audit_rule(void)
{
	unsigned char		 b[2048];
	struct audit_rule_data	 r;
	json_t			*rec;
	size_t			 len = audit_watch(b, sizeof b);

	rec = firewall_audit_rule(b, len);
	CHECK(rec != NULL);
	CHECK_STR(json_string_value(json_object_get(rec, "text")),
	    "-a always,exit -F arch=b64 -F path=/etc/passwd -F perm=wa "
	    "-S 2,59 -k k1");
	CHECK_STR(json_string_value(json_object_get(rec, "key")), "k1");
	CHECK_STR(json_string_value(json_object_get(rec, "list")), "exit");
	CHECK(json_array_size(json_object_get(rec, "syscalls")) == 2);
	CHECK(json_array_size(json_object_get(rec, "fields")) == 4);
	json_decref(rec);

	/* Every syscall: "all". */
	memcpy(&r, b, sizeof r);
	memset(r.mask, 0xff, sizeof r.mask);
	memcpy(b, &r, sizeof r);
	rec = firewall_audit_rule(b, len);
	CHECK(rec != NULL && strstr(json_string_value(json_object_get(rec,
	    "text")), "-S all") != NULL);
	json_decref(rec);

	/* Malformed: short, strings past the buffer, too many fields. */
	CHECK(firewall_audit_rule(b, sizeof r - 1) == NULL);
	CHECK(firewall_audit_rule(b, len - 1) == NULL);	/* buflen > len */
	len = audit_watch(b, sizeof b);
	memcpy(&r, b, sizeof r);
	r.values[1] = 12;			/* path + key > buflen */
	memcpy(b, &r, sizeof r);
	CHECK(firewall_audit_rule(b, len) == NULL);
	r.values[1] = 11;
	r.field_count = AUDIT_MAX_FIELDS + 1;
	memcpy(b, &r, sizeof r);
	CHECK(firewall_audit_rule(b, len) == NULL);
	r.field_count = 4;
	r.values[3] = 0xffffffffU;		/* a huge key length */
	memcpy(b, &r, sizeof r);
	CHECK(firewall_audit_rule(b, len) == NULL);
}

int
main(void)
{
	UNIT_RUN(test_ipt_table);
	UNIT_RUN(test_ipt_truncated);
	UNIT_RUN(test_ipt_garbage);
	UNIT_RUN(test_ipt_ipv6);
	UNIT_RUN(test_audit_rule);
	return unit_any_failed;
}
