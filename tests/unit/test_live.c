/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of the live-response parsers (collectors/live.c): /proc
 * stat/status/cmdline/environ, /proc/net tables, utmp and lastlog
 * records, passwd/group, mountinfo, modules and os-release lines. Each
 * parser gets well-formed input with a known answer and hostile input
 * (truncated, garbage, names with ')' and spaces) that it must reject.
 */
#include <sys/socket.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "live.h"
#include "unit.h"

static int
stat_of(const char *s, struct live_stat *st)
{
	return live_parse_stat(s, strlen(s), st);
}

static void
test_stat(void)
{
	struct live_stat	st;
	const char		*ok = "1234 (sleep) S 1 1234 1234 34816 1234 "
	    "4194304 93 0 0 0 5 7 0 0 20 0 1 0 987654 2260992 128 "
	    "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";

	CHECK(stat_of(ok, &st) == 0);
	CHECK(st.pid == 1234);
	CHECK_STR(st.comm, "sleep");
	CHECK(st.state == 'S');
	CHECK(st.ppid == 1);
	CHECK(st.utime == 5 && st.stime == 7);
	CHECK(st.num_threads == 1);
	CHECK(st.starttime == 987654);
	CHECK(st.vsize == 2260992);
	CHECK(st.rss == 128);

	/* A hostile comm: ')' and spaces and a fake field list inside. */
	CHECK(stat_of("77 (a) R 1 2 (x) Z 999 5 5 0 -1 0 0 0 0 0 1 2 0 0 "
	    "20 0 3 0 555 100 9 18446744073709551615", &st) == 0);
	CHECK_STR(st.comm, "a) R 1 2 (x");
	CHECK(st.state == 'Z');
	CHECK(st.ppid == 999);
	CHECK(st.num_threads == 3);
	CHECK(st.starttime == 555);
	CHECK(stat_of("8 ( ) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 1 1",
	    &st) == 0);
	CHECK_STR(st.comm, " ");
	CHECK(stat_of("9 () S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 1 1",
	    &st) == 0);
	CHECK_STR(st.comm, "");

	/* Malformed: each must be rejected. */
	CHECK(stat_of("", &st) == -1);
	CHECK(stat_of("1234 (sleep) S 1 1234", &st) == -1);	/* truncated */
	CHECK(stat_of("1234 sleep S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 "
	    "1 1", &st) == -1);					/* no parens */
	CHECK(stat_of("x (a) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 1 1",
	    &st) == -1);
	CHECK(stat_of("0 (a) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 1 1",
	    &st) == -1);
	CHECK(stat_of("5 junk (a) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 "
	    "1 1", &st) == -1);
	CHECK(stat_of("5 (a)S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 1 1",
	    &st) == -1);
	CHECK(stat_of("5 (a) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 x 1 1",
	    &st) == -1);
	CHECK(stat_of("5 (a) S -4 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 1 1",
	    &st) == -1);
	CHECK(stat_of("5 (a) S 99999999999999999999 1 1 0 -1 0 0 0 0 0 0 0 0 "
	    "0 20 0 1 0 1 1 1", &st) == -1);
	CHECK(stat_of("5 )a( S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 1 1",
	    &st) == -1);
	/* An embedded NUL is not a stat line. */
	CHECK(live_parse_stat("5 (a)\0 S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 "
	    "1 1 1", 44, &st) == -1);
	{
		char	big[5000];

		memset(big, 'a', sizeof big);
		CHECK(live_parse_stat(big, sizeof big, &st) == -1);
		/* comm longer than the field: rejected, not truncated. */
		memcpy(big, "5 (", 3);
		big[3 + 100] = ')';
		memcpy(big + 104, " S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 1 1",
		    46);
		CHECK(live_parse_stat(big, 150, &st) == -1);
	}
}

static void
test_status(void)
{
	struct live_status	st;
	const char		*s = "Name:\tbash\nUmask:\t0022\nState:\tS "
	    "(sleeping)\nTgid:\t4242\nNgid:\t0\nPid:\t4243\nPPid:\t1\n"
	    "Uid:\t1000\t0\t1000\t0\nGid:\t100\t101\t102\t103\n";

	CHECK(live_parse_status(s, strlen(s), &st) == 0);
	CHECK(st.tgid == 4242);
	CHECK(st.uid[0] == 1000 && st.uid[1] == 0 && st.uid[3] == 0);
	CHECK(st.gid[0] == 100 && st.gid[1] == 101 && st.gid[3] == 103);
	CHECK(live_parse_status("Tgid:\t1\nUid:\t0\t0\t0\t0\n", 22, &st) == -1);
	s = "Tgid:\t1\nUid:\t0\t0\t0\nGid:\t0\t0\t0\t0\n";
	CHECK(live_parse_status(s, strlen(s), &st) == -1);
	s = "Tgid:\t1\nUid:\t-1\t0\t0\t0\nGid:\t0\t0\t0\t0\n";
	CHECK(live_parse_status(s, strlen(s), &st) == -1);
	CHECK(live_parse_status("", 0, &st) == -1);
}

static char *
dump(json_t *j)
{
	char	*s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);

	json_decref(j);
	return s;
}

static void
test_cmdline(void)
{
	char		*s;
	const char	*v;
	size_t		 len;
	const char	 env[] = "PATH=/bin\0LD_PRELOAD=/tmp/x.so\0LD_PRELOADX=1"
	    "\0LD_LIBRARY_PATH=";

	s = dump(live_parse_cmdline("sleep\0" "300\0", 10));
	CHECK_STR(s, "[\"sleep\",\"300\"]");
	free(s);
	s = dump(live_parse_cmdline("a b\0\0c", 6));
	CHECK_STR(s, "[\"a b\",\"\",\"c\"]");
	free(s);
	s = dump(live_parse_cmdline("", 0));
	CHECK_STR(s, "[]");
	free(s);
	s = dump(live_parse_cmdline("\xff\xc3\xa9\0", 4));
	CHECK_STR(s, "[\"\\\\xff\xc3\xa9\"]");
	free(s);
	s = dump(live_json_str("a\0b\xc0\xaf", 5));
	CHECK_STR(s, "\"a\\\\x00b\\\\xc0\\\\xaf\"");
	free(s);

	v = live_environ_get(env, sizeof env - 1, "LD_PRELOAD", &len);
	CHECK(v != NULL && len == 9 && memcmp(v, "/tmp/x.so", 9) == 0);
	v = live_environ_get(env, sizeof env - 1, "LD_LIBRARY_PATH", &len);
	CHECK(v != NULL && len == 0);
	CHECK(live_environ_get(env, sizeof env - 1, "HOME", &len) == NULL);
	CHECK(live_environ_get(env, sizeof env - 1, "PAT", &len) == NULL);
}

static void
test_links(void)
{
	unsigned long long	ino = 0;

	CHECK(live_parse_inode_link("socket:[12345]", "socket", &ino) == 0);
	CHECK(ino == 12345);
	CHECK(live_parse_inode_link("net:[4026531840]", "net", &ino) == 0);
	CHECK(ino == 4026531840ULL);
	CHECK(live_parse_inode_link("pipe:[5]", "socket", &ino) == -1);
	CHECK(live_parse_inode_link("socket:[5", "socket", &ino) == -1);
	CHECK(live_parse_inode_link("socket:[5]x", "socket", &ino) == -1);
	CHECK(live_parse_inode_link("socket:[]", "socket", &ino) == -1);
	CHECK(live_parse_inode_link("socket:[-5]", "socket", &ino) == -1);
	CHECK(live_parse_inode_link("/dev/null", "socket", &ino) == -1);
}

static void
test_inet(void)
{
	struct live_inet	in;

	CHECK(live_parse_inet_line("   0: 0100007F:1F90 00000000:0000 0A "
	    "00000000:00000000 00:00000000 00000000  1000        0 104 1 "
	    "000000002959f6c7 100 0 0 10 0", AF_INET, &in) == 0);
	CHECK_STR(in.laddr, "127.0.0.1");
	CHECK(in.lport == 8080);
	CHECK_STR(in.raddr, "0.0.0.0");
	CHECK(in.rport == 0);
	CHECK(in.state == 10);
	CHECK_STR(live_tcp_state_name(in.state), "LISTEN");
	CHECK(in.uid == 1000 && in.inode == 104);
	CHECK(live_parse_inet_line("  12: 0102A8C0:D431 0A01A8C0:0016 01 "
	    "00000000:00000000 02:000A6F41 00000000     0        0 99887 2 "
	    "0000000000000000 20 4 30 10 -1", AF_INET, &in) == 0);
	CHECK_STR(in.laddr, "192.168.2.1");
	CHECK_STR(in.raddr, "192.168.1.10");
	CHECK(in.lport == 54321 && in.rport == 22);
	CHECK_STR(live_tcp_state_name(in.state), "ESTABLISHED");
	CHECK(live_parse_inet_line("   0: 00000000000000000000000001000000:"
	    "0016 00000000000000000000000000000000:0000 0A 00000000:00000000 "
	    "00:00000000 00000000     0        0 5555 1 0 100 0 0 10 0",
	    AF_INET6, &in) == 0);
	CHECK_STR(in.laddr, "::1");
	CHECK_STR(in.raddr, "::");
	CHECK(in.lport == 22 && in.inode == 5555);
	CHECK(live_parse_inet_line("   1: 0000000000000000FFFF00000100007F:"
	    "0050 0000000000000000FFFF00000200007F:C350 01 00000000:00000000 "
	    "00:00000000 00000000     0        0 6 1 0 100 0 0 10 0",
	    AF_INET6, &in) == 0);
	CHECK_STR(in.laddr, "::ffff:127.0.0.1");
	CHECK_STR(in.raddr, "::ffff:127.0.0.2");
	CHECK(in.rport == 50000);
	CHECK(live_parse_inet_line("   0: 000080FE00000000FF005452020035FE:"
	    "0016 00000000000000000000000000000000:0000 0A 00000000:00000000 "
	    "00:00000000 00000000     0        0 7 1 0 100 0 0 10 0",
	    AF_INET6, &in) == 0);
	CHECK_STR(in.laddr, "fe80::5254:ff:fe35:2");

	/* Headers, truncated and hostile lines. */
	CHECK(live_parse_inet_line("  sl  local_address rem_address   st "
	    "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
	    AF_INET, &in) == -1);
	CHECK(live_parse_inet_line("   0: 0100007F:1F90 00000000:0000 0A",
	    AF_INET, &in) == -1);
	CHECK(live_parse_inet_line("   0: 0100007G:1F90 00000000:0000 0A "
	    "00000000:00000000 00:00000000 00000000 0 0 104", AF_INET,
	    &in) == -1);
	CHECK(live_parse_inet_line("   0: 0100007F1F90 00000000:0000 0A "
	    "00000000:00000000 00:00000000 00000000 0 0 104", AF_INET,
	    &in) == -1);
	CHECK(live_parse_inet_line("   0: 0100007F:1F90 00000000:0000 0A "
	    "00000000:00000000 00:00000000 00000000 0 0 104", AF_INET6,
	    &in) == -1);
	CHECK(live_parse_inet_line("", AF_INET, &in) == -1);
	CHECK_STR(live_tcp_state_name(0), "UNKNOWN");
	CHECK_STR(live_tcp_state_name(99), "UNKNOWN");
	CHECK_STR(live_tcp_state_name(-1), "UNKNOWN");
}

static void
test_unix(void)
{
	struct live_unix	u;

	CHECK(live_parse_unix_line("0000000035ce1967: 00000002 00000000 "
	    "00010000 0001 01 20911 /run/systemd/notify", &u) == 0);
	CHECK(u.flags == LIVE_UNIX_ACCEPTCON && u.type == 1 && u.state == 1);
	CHECK(u.inode == 20911);
	CHECK_STR(u.path, "/run/systemd/notify");
	CHECK(live_parse_unix_line("000000003a5ae0be: 00000003 00000000 "
	    "00000000 0001 03  1527", &u) == 0);
	CHECK(u.state == 3 && u.inode == 1527);
	CHECK_STR(u.path, "");
	CHECK(live_parse_unix_line("000000003a5ae0be: 00000003 00000000 "
	    "00000000 0002 03 88 @/tmp/.X11-unix/X0\n", &u) == 0);
	CHECK_STR(u.path, "@/tmp/.X11-unix/X0");
	CHECK(live_parse_unix_line("Num       RefCount Protocol Flags    Type "
	    "St Inode Path", &u) == -1);
	CHECK(live_parse_unix_line("0000000035ce1967: 00000002 00000000 "
	    "00010000 0001", &u) == -1);
	CHECK(live_parse_unix_line("0000000035ce1967: 00000002 00000000 "
	    "00010000 0001 01 20911x", &u) == -1);
}

static void
test_routes(void)
{
	struct live_route	r;
	struct live_arp		a;

	CHECK(live_parse_route_line("eth0\t00000000\t010200C0\t0003\t0\t0\t"
	    "100\t00000000\t0\t0\t0", &r) == 0);
	CHECK_STR(r.iface, "eth0");
	CHECK_STR(r.dest, "0.0.0.0");
	CHECK(r.dest_len == 0);
	CHECK_STR(r.gateway, "192.0.2.1");
	CHECK(r.flags == 3 && r.metric == 100);
	CHECK(live_parse_route_line("eth0\t000200C0\t00000000\t0001\t0\t0\t0\t"
	    "00FFFFFF\t0\t0\t0", &r) == 0);
	CHECK_STR(r.dest, "192.0.2.0");
	CHECK(r.dest_len == 24);
	CHECK(live_parse_route_line("Iface\tDestination\tGateway \tFlags\t"
	    "RefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT", &r) == -1);
	CHECK(live_parse_route_line("eth0\t0002\t00000000\t0001\t0\t0\t0\t"
	    "00FFFFFF\t0\t0\t0", &r) == -1);

	CHECK(live_parse_route6_line("fd000000000000000000000000000000 40 "
	    "00000000000000000000000000000000 00 "
	    "00000000000000000000000000000000 00000100 00000001 00000000 "
	    "00000001     eth0", &r) == 0);
	CHECK_STR(r.dest, "fd00::");
	CHECK(r.dest_len == 64 && r.metric == 256);
	CHECK_STR(r.gateway, "::");
	CHECK_STR(r.iface, "eth0");
	CHECK(live_parse_route6_line("00000000000000000000000000000000 00 "
	    "00000000000000000000000000000000 00 "
	    "fd000000000000000000000000000001 00000400 00000002 00000000 "
	    "00000003     eth0", &r) == 0);
	CHECK_STR(r.gateway, "fd00::1");
	CHECK(r.dest_len == 0 && r.metric == 1024 && r.flags == 3);
	CHECK(live_parse_route6_line("fd00 40 00 00 00 1 1 0 1 eth0", &r) == -1);
	CHECK(live_parse_route6_line("fd000000000000000000000000000000 99 "
	    "00000000000000000000000000000000 00 "
	    "00000000000000000000000000000000 00000100 00000001 00000000 "
	    "00000001     eth0", &r) == -1);

	CHECK(live_parse_arp_line("192.0.2.1        0x1         0x2         "
	    "02:fc:00:00:00:05     *        eth0", &a) == 0);
	CHECK_STR(a.ip, "192.0.2.1");
	CHECK_STR(a.mac, "02:fc:00:00:00:05");
	CHECK_STR(a.device, "eth0");
	CHECK(a.hw_type == 1 && a.flags == 2);
	CHECK(live_parse_arp_line("IP address       HW type     Flags       "
	    "HW address            Mask     Device", &a) == -1);
	CHECK(live_parse_arp_line("192.0.2.1 0x1 0x2", &a) == -1);
}

/* Build a utmp record the way glibc lays it out (little-endian). */
static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

static void
make_utmp(unsigned char *r, int type, int pid, const char *line,
    const char *user, const char *host, uint32_t sec)
{
	memset(r, 0, LIVE_UTMP_SIZE);
	r[0] = type & 0xff;
	r[1] = (type >> 8) & 0xff;
	put32(r + 4, (uint32_t)pid);
	memcpy(r + 8, line, strnlen(line, 32));
	memcpy(r + 40, "ts/1", 4);
	memcpy(r + 44, user, strnlen(user, 32));
	memcpy(r + 76, host, strnlen(host, 256));
	put32(r + 336, 77);
	put32(r + 340, sec);
	put32(r + 344, 123456);
}

static void
test_utmp(void)
{
	unsigned char		r[LIVE_UTMP_SIZE];
	struct live_utmp	u;
	struct live_lastlog	l;
	size_t			i;

	make_utmp(r, 7, 4321, "pts/3", "alice", "203.0.113.9", 1700000000);
	r[348] = 203; r[349] = 0; r[350] = 113; r[351] = 9;
	CHECK(live_parse_utmp(r, sizeof r, &u) == 0);
	CHECK(u.type == 7 && u.pid == 4321 && u.session == 77);
	CHECK_STR(live_utmp_type_name(u.type), "USER_PROCESS");
	CHECK_STR(u.line, "pts/3");
	CHECK_STR(u.id, "ts/1");
	CHECK_STR(u.user, "alice");
	CHECK_STR(u.host, "203.0.113.9");
	CHECK(u.sec == 1700000000 && u.usec == 123456);
	CHECK_STR(u.addr, "203.0.113.9");
	/* A 2040 time (past int32) is read as unsigned, not negative. */
	make_utmp(r, 8, 1, "pts/3", "", "", 2208988800U);
	r[348] = 0x20; r[349] = 0x01; r[350] = 0x0d; r[351] = 0xb8;
	r[363] = 1;
	CHECK(live_parse_utmp(r, sizeof r, &u) == 0);
	CHECK(u.sec == 2208988800LL);
	CHECK_STR(u.addr, "2001:db8::1");
	CHECK_STR(u.user, "");
	/* Full-width names with no NUL are kept whole, not overrun. */
	make_utmp(r, 7, 1, "0123456789abcdef0123456789abcdef",
	    "UUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUU", "h", 1);
	CHECK(live_parse_utmp(r, sizeof r, &u) == 0);
	CHECK(strlen(u.line) == 32 && strlen(u.user) == 32);
	CHECK_STR(u.id, "ts/1");

	/* Truncated, then garbage. */
	CHECK(live_parse_utmp(r, LIVE_UTMP_SIZE - 1, &u) == -1);
	CHECK(live_parse_utmp(r, 0, &u) == -1);
	make_utmp(r, 10, 1, "pts/1", "bob", "", 1);
	CHECK(live_parse_utmp(r, sizeof r, &u) == -2);
	make_utmp(r, -1, 1, "pts/1", "bob", "", 1);
	CHECK(live_parse_utmp(r, sizeof r, &u) == -2);
	make_utmp(r, 7, 1, "pts/1", "b\x01ob", "", 1);
	CHECK(live_parse_utmp(r, sizeof r, &u) == -2);
	make_utmp(r, 7, 1, "pts/1", "bob", "", 1);
	put32(r + 344, 1000000);
	CHECK(live_parse_utmp(r, sizeof r, &u) == -2);
	for (i = 0; i < sizeof r; i++)
		r[i] = (unsigned char)(i * 131 + 17);
	CHECK(live_parse_utmp(r, sizeof r, &u) == -2);
	memset(r, 0xff, sizeof r);
	CHECK(live_parse_utmp(r, sizeof r, &u) == -2);
	CHECK_STR(live_utmp_type_name(42), "UNKNOWN");

	memset(r, 0, sizeof r);
	put32(r, 1600000000);
	memcpy(r + 4, "pts/0", 5);
	memcpy(r + 36, "10.0.0.1", 8);
	CHECK(live_parse_lastlog(r, LIVE_LASTLOG_SIZE, &l) == 0);
	CHECK(l.time == 1600000000);
	CHECK_STR(l.line, "pts/0");
	CHECK_STR(l.host, "10.0.0.1");
	CHECK(live_parse_lastlog(r, LIVE_LASTLOG_SIZE - 1, &l) == -1);
	r[40] = '\n';
	CHECK(live_parse_lastlog(r, LIVE_LASTLOG_SIZE, &l) == -2);
}

static void
test_mounts_modules(void)
{
	struct live_mount	m;
	struct live_module	mod;
	char			l[512];

	strcpy(l, "36 35 98:0 /mnt1 /mnt\\0402 rw,noatime master:1 shared:7 - "
	    "ext3 /dev/root rw,errors=continue\n");
	CHECK(live_parse_mountinfo_line(l, &m) == 0);
	CHECK(m.mount_id == 36 && m.parent_id == 35);
	CHECK_STR(m.dev, "98:0");
	CHECK_STR(m.root, "/mnt1");
	CHECK_STR(m.mount_point, "/mnt 2");
	CHECK_STR(m.options, "rw,noatime");
	CHECK_STR(m.optional, "master:1 shared:7");
	CHECK_STR(m.fstype, "ext3");
	CHECK_STR(m.source, "/dev/root");
	CHECK_STR(m.super_options, "rw,errors=continue");
	strcpy(l, "21 26 0:20 / /proc rw,relatime - proc proc rw");
	CHECK(live_parse_mountinfo_line(l, &m) == 0);
	CHECK_STR(m.optional, "");
	CHECK_STR(m.fstype, "proc");
	strcpy(l, "21 26 0:20 / /proc rw,relatime proc proc rw");
	CHECK(live_parse_mountinfo_line(l, &m) == -1);
	strcpy(l, "21 26 0:20 / /proc rw,relatime - proc");
	CHECK(live_parse_mountinfo_line(l, &m) == -1);
	strcpy(l, "x 26 0:20 / /proc rw - proc proc rw");
	CHECK(live_parse_mountinfo_line(l, &m) == -1);

	strcpy(l, "nf_tables 372736 3 nft_chain_nat,nft_compat, Live "
	    "0xffffffffc0a00000 (OE)\n");
	CHECK(live_parse_modules_line(l, &mod) == 0);
	CHECK_STR(mod.name, "nf_tables");
	CHECK(mod.size == 372736 && mod.refcount == 3);
	CHECK_STR(mod.deps, "nft_chain_nat,nft_compat");
	CHECK_STR(mod.state, "Live");
	CHECK_STR(mod.taint, "OE");
	strcpy(l, "loop 40960 0 - Live 0x0000000000000000");
	CHECK(live_parse_modules_line(l, &mod) == 0);
	CHECK_STR(mod.deps, "");
	CHECK_STR(mod.taint, "");
	strcpy(l, "loop 40960 0 - Live");
	CHECK(live_parse_modules_line(l, &mod) == -1);
	strcpy(l, "loop big 0 - Live 0x0");
	CHECK(live_parse_modules_line(l, &mod) == -1);
	strcpy(l, "loop 1 0 - Live 0x0 OE");
	CHECK(live_parse_modules_line(l, &mod) == -1);
	strcpy(l, "loop 1 0 - Live 0x0 (O) extra");
	CHECK(live_parse_modules_line(l, &mod) == -1);
}

static void
test_kv_taint_lines(void)
{
	char	 l[128], *k, *v, buf[] = "a\nbb\n\nc", *line, t[32];
	size_t	 pos = 0, blen = strlen(buf);

	strcpy(l, "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n");
	CHECK(live_parse_kv_line(l, &k, &v) == 0);
	CHECK_STR(k, "PRETTY_NAME");
	CHECK_STR(v, "Debian GNU/Linux 12 (bookworm)");
	strcpy(l, "ID=debian");
	CHECK(live_parse_kv_line(l, &k, &v) == 0);
	CHECK_STR(v, "debian");
	strcpy(l, "X='a \\b'");
	CHECK(live_parse_kv_line(l, &k, &v) == 0);
	CHECK_STR(v, "a \\b");
	strcpy(l, "X=\"a \\\"q\\\"\"");
	CHECK(live_parse_kv_line(l, &k, &v) == 0);
	CHECK_STR(v, "a \"q\"");
	strcpy(l, "# comment");
	CHECK(live_parse_kv_line(l, &k, &v) == 1);
	strcpy(l, "   ");
	CHECK(live_parse_kv_line(l, &k, &v) == 1);
	strcpy(l, "X=\"unterminated");
	CHECK(live_parse_kv_line(l, &k, &v) == -1);
	strcpy(l, "no equals");
	CHECK(live_parse_kv_line(l, &k, &v) == -1);
	strcpy(l, "BAD KEY=1");
	CHECK(live_parse_kv_line(l, &k, &v) == -1);

	live_taint_letters(0, t, sizeof t);
	CHECK_STR(t, "");
	live_taint_letters(1 | 1 << 12 | 1 << 13, t, sizeof t);
	CHECK_STR(t, "POE");
	live_taint_letters(1ULL << 63 | 1 << 9, t, sizeof t);
	CHECK_STR(t, "W");
	live_taint_letters(0x3ffff, t, 4);
	CHECK_STR(t, "PFS");

	line = live_next_line(buf, blen, &pos);
	CHECK_STR(line, "a");
	line = live_next_line(buf, blen, &pos);
	CHECK_STR(line, "bb");
	line = live_next_line(buf, blen, &pos);
	CHECK_STR(line, "");
	line = live_next_line(buf, blen, &pos);
	CHECK_STR(line, "c");
	CHECK(live_next_line(buf, blen, &pos) == NULL);
}

int
main(void)
{
	UNIT_RUN(test_stat);
	UNIT_RUN(test_status);
	UNIT_RUN(test_cmdline);
	UNIT_RUN(test_links);
	UNIT_RUN(test_inet);
	UNIT_RUN(test_unix);
	UNIT_RUN(test_routes);
	UNIT_RUN(test_utmp);
	UNIT_RUN(test_mounts_modules);
	UNIT_RUN(test_kv_taint_lines);
	UNIT_EXIT();
}
