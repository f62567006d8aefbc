/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the live-response parsers (collectors/live.h):
 * /proc/PID/stat, status, cmdline and environ, fd and ns links, the
 * /proc/net tables (tcp, udp, unix, route, ipv6_route, arp), utmp and
 * lastlog records, passwd, group, mountinfo, modules and os-release
 * lines; fd link targets, fdinfo and cgroup (procfd.h: a file or cgroup
 * name is any bytes its maker chose). A process can put any bytes in
 * its comm, cmdline and environ,
 * and an attacker with root any bytes in utmp, so all are untrusted. The
 * JSON made from them must always serialise (valid UTF-8).
 * Corpus: tests/fuzz/corpus/live/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <jansson.h>

#include "fuzz.h"
#include "live.h"
#include "passwd.h"
#include "procfd.h"
#include "procmem.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_records(const uint8_t *data, size_t len)
{
	struct live_utmp	u;
	struct live_lastlog	ll;
	size_t			off;

	for (off = 0; off < len; off += LIVE_UTMP_SIZE)
		if (live_parse_utmp(data + off, len - off, &u) == 0) {
			fuzz_json(live_json_strz(u.user));
			fuzz_json(live_json_strz(u.host));
			fuzz_json(live_json_strz(u.line));
			fuzz_json(live_json_strz(u.addr));
			(void)live_utmp_type_name(u.type);
		}
	for (off = 0; off < len; off += LIVE_LASTLOG_SIZE)
		if (live_parse_lastlog(data + off, len - off, &ll) == 0) {
			fuzz_json(live_json_strz(ll.line));
			fuzz_json(live_json_strz(ll.host));
		}
}

/* The parsers that take one line, NUL-terminated and split in place. */
static void
fuzz_line(const char *line)
{
	struct live_inet	 in;
	struct live_unix	 un;
	struct live_route	 rt;
	struct live_arp		 arp;
	struct passwd_entry	 pw, gr;
	struct live_mount	 mnt;
	struct procmap		 map;
	struct procfd_target	 fdt;
	struct live_module	 mod;
	unsigned long long	 ino;
	char			*copy, *k, *v;

	if (live_parse_inet_line(line, AF_INET, &in) == 0)
		(void)live_tcp_state_name(in.state);
	if (live_parse_inet_line(line, AF_INET6, &in) == 0)
		(void)live_tcp_state_name(in.state);
	if (live_parse_unix_line(line, &un) == 0)
		fuzz_json(live_json_strz(un.path));
	(void)live_parse_route_line(line, &rt);
	(void)live_parse_route6_line(line, &rt);
	(void)live_parse_arp_line(line, &arp);
	(void)live_parse_inode_link(line, "socket", &ino);
	(void)live_parse_inode_link(line, "net", &ino);

	copy = xstrdup(line);
	if (passwd_parse_line(copy, 0, &pw) == 0)
		fuzz_json(live_json_strz(pw.gecos));
	free(copy);
	copy = xstrdup(line);
	if (passwd_parse_line(copy, 1, &gr) == 0)
		fuzz_json(live_json_strz(gr.members));
	free(copy);
	copy = xstrdup(line);
	if (live_parse_mountinfo_line(copy, &mnt) == 0)
		fuzz_json(live_json_strz(mnt.mount_point));
	free(copy);
	copy = xstrdup(line);
	if (live_parse_modules_line(copy, &mod) == 0)
		fuzz_json(live_json_strz(mod.name));
	free(copy);
	copy = xstrdup(line);
	if (live_parse_kv_line(copy, &k, &v) == 0)
		fuzz_json(live_json_strz(v));
	free(copy);
	copy = xstrdup(line);
	if (procmap_parse(copy, &map) == 0) {
		fuzz_json(live_json_strz(map.path));
		(void)procfd_anon_exec(&map);
	}
	free(copy);
	procfd_classify(line, 0, &fdt);
	fuzz_json(live_json_strz(fdt.anon));
	procfd_classify(line, S_IFREG, &fdt);
	(void)procfd_type_name(fdt.type);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct live_stat	 st;
	struct live_status	 sts;
	struct procfd_info	 fdi;
	const char		*val, *rt;
	unsigned long long	 mask = 0;
	char			*text, *line, taint[64], id[256];
	size_t			 pos = 0, vlen, i;

	if (len > 65536)
		return 0;
	text = xstrndup((const char *)data, len);
	if (live_parse_stat((const char *)data, len, &st) == 0)
		fuzz_json(live_json_strz(st.comm));
	(void)live_parse_status((const char *)data, len, &sts);
	fuzz_json(live_parse_cmdline((const char *)data, len));
	if ((val = live_environ_get((const char *)data, len, "LD_PRELOAD",
	    &vlen)) != NULL)
		fuzz_json(live_json_str(val, vlen));
	fuzz_json(live_json_str((const char *)data, len));
	if (procfd_parse_fdinfo((const char *)data, len, &fdi) == 0)
		fuzz_json(json_string(fdi.flags));
	if ((rt = procfd_container((const char *)data, len, id,
	    sizeof id)) != NULL)
		fuzz_json(live_json_strz(id));
	fuzz_records(data, len);
	for (i = 0; i < len && i < sizeof mask; i++)
		mask = mask << 8 | data[i];
	live_taint_letters(mask, taint, sizeof taint);
	/* The text as /proc/net or passwd lines, as the collectors split it. */
	while ((line = live_next_line(text, strlen(text), &pos)) != NULL)
		fuzz_line(line);
	free(text);
	return 0;
}
