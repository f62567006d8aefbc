/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of the parsers of collectors/netsock.c: /proc/net/packet,
 * /proc/net/netlink, /proc/net/igmp device lines, the index of
 * /proc/net/dev_snmp6 files and /proc/net/nf_conntrack
 * lines, as the kernel prints them, and malformed lines they must reject.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "network.h"
#include "unit.h"

static void
test_packet(void)
{
	struct netsock_packet	pk;

	CHECK(netsock_parse_packet_line("ffff8f2c0a5b4800 3      3    0003   "
	    "0     1 0      0      869223\n", &pk) == 0);
	CHECK(pk.type == 3 && pk.proto == 3 && pk.ifindex == 0);
	CHECK(pk.running == 1 && pk.uid == 0 && pk.inode == 869223);
	/* kptr_restrict: the address is printed as zeros. */
	CHECK(netsock_parse_packet_line("0000000000000000 3      2    0806   "
	    "2     0 2304   1000   42", &pk) == 0);
	CHECK(pk.type == 2 && pk.proto == 0x806 && pk.ifindex == 2);
	CHECK(pk.running == 0 && pk.rmem == 2304 && pk.uid == 1000);
	CHECK_STR(netsock_ethertype_name(3), "all");
	CHECK_STR(netsock_ethertype_name(0x86dd), "ipv6");
	CHECK(netsock_ethertype_name(0x1234) == NULL);

	/* The header, truncated, garbage after, out of range. */
	CHECK(netsock_parse_packet_line("sk               RefCnt Type Proto  "
	    "Iface R Rmem   User   Inode", &pk) == -1);
	CHECK(netsock_parse_packet_line("ffff8f2c0a5b4800 3 3 0003 0 1 0 0",
	    &pk) == -1);
	CHECK(netsock_parse_packet_line("ffff8f2c0a5b4800 3 3 0003 0 1 0 0 "
	    "12 junk", &pk) == -1);
	CHECK(netsock_parse_packet_line("ffff8f2c0a5b4800 3 3 10003 0 1 0 0 "
	    "12", &pk) == -1);
	CHECK(netsock_parse_packet_line("ffff8f2c0a5b4800 3 3 0003 -1 1 0 0 "
	    "12", &pk) == -1);
	CHECK(netsock_parse_packet_line("ffff8f2c0a5b4800 3 3 0003 0 7 0 0 "
	    "12", &pk) == -1);
	CHECK(netsock_parse_packet_line("", &pk) == -1);
}

static void
test_netlink(void)
{
	struct netsock_netlink	nl;

	CHECK(netsock_parse_netlink_line("ffff8f2c0a5b5000 0   9108       "
	    "00000011 0        0        0     2        0        869224  \n",
	    &nl) == 0);
	CHECK(nl.protocol == 0 && nl.portid == 9108 && nl.groups == 0x11);
	CHECK(nl.refcnt == 2 && nl.inode == 869224 && nl.dump == 0);
	CHECK_STR(netsock_netlink_family(nl.protocol), "route");
	CHECK(netsock_parse_netlink_line("0000000000000000 15  4294967295 "
	    "00000001 0        0        0     2        0        77", &nl) == 0);
	CHECK(nl.portid == 4294967295ULL && nl.groups == 1);
	CHECK_STR(netsock_netlink_family(15), "kobject_uevent");
	CHECK_STR(netsock_netlink_family(9), "audit");
	CHECK_STR(netsock_netlink_family(16), "generic");
	CHECK(netsock_netlink_family(17) == NULL);
	CHECK(netsock_netlink_family(200) == NULL);

	CHECK(netsock_parse_netlink_line("sk               Eth Pid        "
	    "Groups   Rmem     Wmem     Dump  Locks    Drops    Inode",
	    &nl) == -1);
	CHECK(netsock_parse_netlink_line("ffff8f2c0a5b5000 0 1 0 0 0 0 2 0",
	    &nl) == -1);
	CHECK(netsock_parse_netlink_line("ffff8f2c0a5b5000 999 1 0 0 0 0 2 0 "
	    "5", &nl) == -1);
	CHECK(netsock_parse_netlink_line("ffff8f2c0a5b5000 0 1 0 0 0 0 2 0 "
	    "5 x", &nl) == -1);
}

static void
test_igmp(void)
{
	char	name[16];
	int	idx;

	CHECK(netsock_parse_igmp_line("1\tlo        :     1      V3", &idx,
	    name, sizeof name) == 0);
	CHECK(idx == 1);
	CHECK_STR(name, "lo");
	CHECK(netsock_parse_igmp_line("12\tveth-a_1  :     2      V2", &idx,
	    name, sizeof name) == 0);
	CHECK(idx == 12);
	CHECK_STR(name, "veth-a_1");
	CHECK(netsock_parse_igmp_line("Idx\tDevice    : Count Querier\tGroup  "
	    "  Users Timer\tReporter", &idx, name, sizeof name) == -1);
	CHECK(netsock_parse_igmp_line("\t\t\t\t010000E0     1 0:00000000\t\t0",
	    &idx, name, sizeof name) == -1);
	CHECK(netsock_parse_igmp_line("0\tlo        :     1      V3", &idx,
	    name, sizeof name) == -1);
	CHECK(netsock_parse_igmp_line("3\taveryveryverylongname :", &idx,
	    name, sizeof name) == -1);
	CHECK(netsock_parse_igmp_line("3\teth0", &idx, name, sizeof name) ==
	    -1);
}

static void
test_snmp6(void)
{
	int	idx = 0;

	CHECK(netsock_parse_snmp6_index("ifIndex                         "
	    "\t1\nIp6InReceives                   \t0\n", &idx) == 0);
	CHECK(idx == 1);
	CHECK(netsock_parse_snmp6_index("ifIndex\t42", &idx) == 0);
	CHECK(idx == 42);
	CHECK(netsock_parse_snmp6_index("Ip6InReceives\t0\n", &idx) == -1);
	CHECK(netsock_parse_snmp6_index("ifIndexes\t3\n", &idx) == -1);
	CHECK(netsock_parse_snmp6_index("ifIndex\t0\n", &idx) == -1);
	CHECK(netsock_parse_snmp6_index("ifIndex\t3x\n", &idx) == -1);
	CHECK(netsock_parse_snmp6_index("ifIndex\t99999999999\n", &idx) ==
	    -1);
	CHECK(netsock_parse_snmp6_index("", &idx) == -1);
}

static int
ct_of(const char *s, struct netsock_ct *ct, char **copy)
{
	free(*copy);
	*copy = xstrdup(s);
	return netsock_parse_conntrack_line(*copy, ct);
}

static void
test_conntrack(void)
{
	struct netsock_ct	 ct;
	char			*c = NULL;

	CHECK(ct_of("ipv4     2 tcp      6 431999 ESTABLISHED src=10.0.0.1 "
	    "dst=10.0.0.2 sport=22 dport=50000 packets=10 bytes=2000 "
	    "src=10.0.0.2 dst=10.0.0.1 sport=50000 dport=22 packets=8 "
	    "bytes=900 [ASSURED] mark=7 secctx=system_u:object_r:x:s0 "
	    "zone=3 delta-time=12 use=2\n", &ct, &c) == 0);
	CHECK_STR(ct.l3proto, "ipv4");
	CHECK_STR(ct.l4proto, "tcp");
	CHECK(ct.l3num == 2 && ct.l4num == 6 && ct.timeout == 431999);
	CHECK_STR(ct.state, "ESTABLISHED");
	CHECK_STR(ct.orig.src, "10.0.0.1");
	CHECK_STR(ct.orig.dst, "10.0.0.2");
	CHECK(ct.orig.sport == 22 && ct.orig.dport == 50000);
	CHECK(ct.orig.packets == 10 && ct.orig.bytes == 2000);
	CHECK_STR(ct.reply.src, "10.0.0.2");
	CHECK(ct.reply.sport == 50000 && ct.reply.dport == 22);
	CHECK(ct.reply.packets == 8 && ct.reply.bytes == 900);
	CHECK(ct.assured && !ct.unreplied && ct.offload == 0);
	CHECK(ct.mark == 7 && ct.zone == 3 && ct.use == 2);
	CHECK_STR(ct.secctx, "system_u:object_r:x:s0");

	/* IPv6 in the kernel's full form comes out compressed. */
	CHECK(ct_of("ipv6     10 udp      17 29 src=0000:0000:0000:0000:0000:"
	    "0000:0000:0001 dst=0000:0000:0000:0000:0000:0000:0000:0001 "
	    "sport=57637 dport=9998 [UNREPLIED] src=0000:0000:0000:0000:0000:"
	    "0000:0000:0001 dst=0000:0000:0000:0000:0000:0000:0000:0001 "
	    "sport=9998 dport=57637 mark=0 zone=0 use=2", &ct, &c) == 0);
	CHECK_STR(ct.orig.src, "::1");
	CHECK(ct.state == NULL && ct.unreplied && !ct.assured);
	CHECK(ct.reply.sport == 9998 && ct.orig.packets == -1);

	/* ICMP, zones per direction, an offloaded flow without a timeout. */
	CHECK(ct_of("ipv4     2 icmp     1 29 src=192.0.2.1 dst=192.0.2.2 "
	    "type=8 code=0 id=4242 zone-orig=1 src=192.0.2.2 dst=192.0.2.1 "
	    "type=0 code=0 id=4242 zone-reply=2 mark=0 use=1", &ct, &c) == 0);
	CHECK(ct.orig.icmp_type == 8 && ct.reply.icmp_type == 0);
	CHECK(ct.orig.icmp_id == 4242 && ct.orig.sport == -1);
	CHECK(ct.orig.zone == 1 && ct.reply.zone == 2 && ct.zone == -1);
	CHECK(ct_of("ipv4     2 tcp      6 src=10.0.0.1 dst=10.0.0.2 sport=1 "
	    "dport=2 src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1 [OFFLOAD] "
	    "mark=0 use=3", &ct, &c) == 0);
	CHECK(ct.timeout == -1 && ct.offload == 1 && ct.state == NULL);
	CHECK(ct_of("ipv4 2 gre 47 170 src=10.0.0.1 dst=10.0.0.2 "
	    "srckey=0x0 dstkey=0x0 src=10.0.0.2 dst=10.0.0.1 srckey=0x0 "
	    "dstkey=0x0 [NEW_FLAG] use=2", &ct, &c) == 0);

	/* Malformed: each must be rejected. */
	CHECK(ct_of("", &ct, &c) == -1);
	CHECK(ct_of("ipv4 2 tcp 6 10 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 "
	    "sport=1 dport=2 use=2", &ct, &c) == -1);	/* one tuple */
	CHECK(ct_of("ipv4 2 tcp 6 10 src=10.0.0.1 dst=10.0.0.2 sport=1 "
	    "dport=2 src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1", &ct,
	    &c) == -1);					/* no use= */
	CHECK(ct_of("ipv4 2 tcp 6 10 src=10.0.0.999 dst=10.0.0.2 sport=1 "
	    "dport=2 src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1 use=1", &ct,
	    &c) == -1);					/* bad address */
	CHECK(ct_of("ipv4 2 tcp 6 10 src=10.0.0.1 dst=10.0.0.2 sport=70000 "
	    "dport=2 src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1 use=1", &ct,
	    &c) == -1);					/* port range */
	CHECK(ct_of("ipv4 x tcp 6 10 src=10.0.0.1 dst=10.0.0.2 sport=1 "
	    "dport=2 src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1 use=1", &ct,
	    &c) == -1);					/* l3 number */
	CHECK(ct_of("ipv4 2 tcp 6 10 src=10.0.0.1 dst=10.0.0.2 src=10.0.0.2 "
	    "dst=10.0.0.1 src=10.0.0.3 dst=10.0.0.4 use=1", &ct, &c) == -1);
	CHECK(ct_of("ipv4 2 tcp 6 10 src=10.0.0.1 dst=10.0.0.2 sport=1 "
	    "dport=2 src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1 [BROKEN use=1",
	    &ct, &c) == -1);
	CHECK(ct_of("ipv4 2 tcp 6 10 src=10.0.0.1 dst=10.0.0.2 sport=1 "
	    "dport=2 src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1 junk use=1",
	    &ct, &c) == -1);
	CHECK(ct_of("ipv6 10 udp 17 10 src=10.0.0.1 dst=10.0.0.2 sport=1 "
	    "dport=2 src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1 use=1", &ct,
	    &c) == -1);				/* family mismatch */
	free(c);
}

int
main(void)
{
	UNIT_RUN(test_packet);
	UNIT_RUN(test_netlink);
	UNIT_RUN(test_igmp);
	UNIT_RUN(test_snmp6);
	UNIT_RUN(test_conntrack);
	UNIT_EXIT();
}
