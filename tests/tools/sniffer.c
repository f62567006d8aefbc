/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Test tool for t-netdepth: a sniffer as BPFDoor holds one. Opens an
 * AF_PACKET raw socket for every ethertype (ETH_P_ALL) with a classic
 * BPF filter of known instructions (SO_ATTACH_FILTER) and a NETLINK_ROUTE
 * socket bound to the link and IPv4 address groups, prints "ready PID"
 * and waits until killed. With -d: only an AF_PACKET datagram socket for
 * ARP bound to lo, no filter (the plain socket of a second namespace).
 * With -e: only an AF_PACKET raw socket for IPv4 with an eBPF program
 * (SO_ATTACH_BPF), which has no classic form; prints "nobpf PID" instead
 * when the kernel refuses to load it.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Keep the IPv4 UDP frames: the instructions t-netdepth.sh expects. */
static struct sock_filter sniffer_prog[] = {
	{ 0x28, 0, 0, 0x0000000c },	/* ldh [12] */
	{ 0x15, 0, 3, 0x00000800 },	/* jeq #0x800, jf +3 */
	{ 0x30, 0, 0, 0x00000017 },	/* ldb [23] */
	{ 0x15, 0, 1, 0x00000011 },	/* jeq #17, jf +1 */
	{ 0x06, 0, 0, 0x0000ffff },	/* ret #65535 */
	{ 0x06, 0, 0, 0x00000000 },	/* ret #0 */
};

/* A packet socket with an eBPF program "return 0": 0, or -1 (no bpf). */
static int
sniffer_ebpf(void)
{
	struct bpf_insn		insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr		attr;
	int			s, prog;

	memset(&attr, 0, sizeof attr);
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insn_cnt = 2;
	attr.insns = (unsigned long)insns;
	attr.license = (unsigned long)"GPL";
	if ((s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_IP))) == -1) {
		perror("sniffer: socket");
		return -2;
	}
	if ((prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr,
	    sizeof attr)) == -1 || setsockopt(s, SOL_SOCKET, SO_ATTACH_BPF,
	    &prog, sizeof prog) == -1)
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct sock_fprog	prog = { sizeof sniffer_prog /
	    sizeof sniffer_prog[0], sniffer_prog };
	struct sockaddr_nl	nl;
	struct sockaddr_ll	ll;
	int			s, n;

	if (argc > 1 && strcmp(argv[1], "-e") == 0) {
		if ((n = sniffer_ebpf()) == -2)
			return 1;
		printf("%s %d\n", n == 0 ? "ready" : "nobpf", (int)getpid());
		fflush(stdout);
		for (;;)
			pause();
	}
	if (argc > 1 && strcmp(argv[1], "-d") == 0) {
		memset(&ll, 0, sizeof ll);
		ll.sll_family = AF_PACKET;
		ll.sll_protocol = htons(ETH_P_ARP);
		ll.sll_ifindex = (int)if_nametoindex("lo");
		if ((s = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ARP))) ==
		    -1 || bind(s, (struct sockaddr *)&ll, sizeof ll) == -1) {
			perror("sniffer: socket");
			return 1;
		}
	} else {
		if ((s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL))) == -1 ||
		    setsockopt(s, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
		    sizeof prog) == -1) {
			perror("sniffer: packet socket");
			return 1;
		}
		memset(&nl, 0, sizeof nl);
		nl.nl_family = AF_NETLINK;
		nl.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR;
		if ((n = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)) == -1 ||
		    bind(n, (struct sockaddr *)&nl, sizeof nl) == -1) {
			perror("sniffer: netlink socket");
			return 1;
		}
	}
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	for (;;)
		pause();
}
