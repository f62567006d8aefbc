/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Parsers for what the live-response collectors read from the host:
 * /proc/PID/{stat,status,cmdline,environ}, /proc/net tables, utmp and lastlog
 * records, mountinfo, /proc/modules, os-release.
 * None of them touches the system; they are fed bytes and reject what
 * does not look right. See live.h.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "live.h"

json_t *
live_json_str(const char *s, size_t n)
{
	struct buf	 b = { 0 };
	json_t		*j;

	util_escape(&b, s, n, 0, "");
	if ((j = json_stringn(b.data, b.len)) == NULL)
		fatal("json_stringn");
	buf_free(&b);
	return j;
}

json_t *
live_json_strz(const char *s)
{
	if (s == NULL)
		return json_null();
	return live_json_str(s, strlen(s));
}

/* Parse a signed decimal field at *pp, then skip one space. 0 or -1. */
static int
live_field_ll(char **pp, long long *out)
{
	char	*end;

	errno = 0;
	if (**pp == ' ' || **pp == '\0')
		return -1;
	*out = strtoll(*pp, &end, 10);
	if (errno != 0 || end == *pp || (*end != ' ' && *end != '\0' &&
	    *end != '\n'))
		return -1;
	*pp = *end == ' ' ? end + 1 : end;
	return 0;
}

int
live_parse_stat(const char *buf, size_t len, struct live_stat *st)
{
	char		 line[4096], *p, *open, *close;
	long long	 v[21];
	size_t		 i;

	memset(st, 0, sizeof *st);
	if (len == 0 || len >= sizeof line || memchr(buf, '\0', len) != NULL)
		return -1;
	memcpy(line, buf, len);
	line[len] = '\0';
	if ((open = strchr(line, '(')) == NULL ||
	    (close = strrchr(line, ')')) == NULL || close < open ||
	    (size_t)(close - open - 1) >= sizeof st->comm)
		return -1;
	*open = '\0';
	p = line;
	if (live_field_ll(&p, &st->pid) == -1 || st->pid <= 0 || *p != '\0')
		return -1;
	memcpy(st->comm, open + 1, close - open - 1);
	st->comm[close - open - 1] = '\0';
	p = close + 1;
	if (p[0] != ' ' || p[1] == '\0' || p[1] == ' ' || p[2] != ' ')
		return -1;
	st->state = p[1];
	p += 3;
	/* Fields 4 (ppid) to 24 (rss); rsslim and later are not needed. */
	for (i = 0; i < nitems(v); i++) {
		if (live_field_ll(&p, &v[i]) == -1)
			return -1;
	}
	st->ppid = v[0];
	st->pgrp = v[1];
	st->session = v[2];
	st->tty_nr = v[3];
	st->flags = (unsigned long long)v[5];
	st->utime = (unsigned long long)v[10];
	st->stime = (unsigned long long)v[11];
	st->nice = v[15];
	st->num_threads = v[16];
	st->starttime = (unsigned long long)v[18];
	st->vsize = (unsigned long long)v[19];
	st->rss = v[20];
	if (st->ppid < 0 || st->num_threads < 0 || v[10] < 0 || v[18] < 0)
		return -1;
	return 0;
}

/* Parse "a\tb\tc\td" ids after a "Uid:" label. 0 or -1. */
static int
live_status_ids(const char *p, long long out[4])
{
	char	*end;
	int	 i;

	for (i = 0; i < 4; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		errno = 0;
		out[i] = strtoll(p, &end, 10);
		if (errno != 0 || end == p || out[i] < 0 || out[i] > UINT32_MAX)
			return -1;
		p = end;
	}
	return (*p == '\n' || *p == '\0') ? 0 : -1;
}

int
live_parse_status(const char *buf, size_t len, struct live_status *st)
{
	char	*copy, *line;
	size_t	 pos = 0, clen;
	int	 seen = 0;

	memset(st, 0, sizeof *st);
	copy = xstrndup(buf, len);
	clen = strlen(copy);
	while ((line = live_next_line(copy, clen, &pos)) != NULL) {
		if (strncmp(line, "Tgid:", 5) == 0) {
			if (util_parse_int(line + 5 + strspn(line + 5, " \t"),
			    1, INT32_MAX, &st->tgid) == 0)
				seen |= 1;
		} else if (strncmp(line, "Uid:", 4) == 0) {
			if (live_status_ids(line + 4, st->uid) == 0)
				seen |= 2;
		} else if (strncmp(line, "Gid:", 4) == 0) {
			if (live_status_ids(line + 4, st->gid) == 0)
				seen |= 4;
		}
	}
	free(copy);
	return seen == 7 ? 0 : -1;
}

json_t *
live_parse_cmdline(const char *buf, size_t len)
{
	json_t		*a = json_array();
	const char	*p = buf, *end = buf + len, *nul;

	if (a == NULL)
		fatal("json_array");
	while (p < end) {
		if ((nul = memchr(p, '\0', end - p)) == NULL)
			nul = end;
		json_array_append_new(a, live_json_str(p, nul - p));
		p = nul + 1;
	}
	return a;
}

const char *
live_environ_get(const char *buf, size_t len, const char *name,
    size_t *lenp)
{
	const char	*p = buf, *end = buf + len, *nul;
	size_t		 nlen = strlen(name);

	while (p < end) {
		if ((nul = memchr(p, '\0', end - p)) == NULL)
			nul = end;
		if ((size_t)(nul - p) > nlen && memcmp(p, name, nlen) == 0 &&
		    p[nlen] == '=') {
			*lenp = nul - p - nlen - 1;
			return p + nlen + 1;
		}
		p = nul + 1;
	}
	return NULL;
}

int
live_parse_inode_link(const char *link, const char *prefix,
    unsigned long long *inode)
{
	size_t		 plen = strlen(prefix);
	const char	*p;
	char		*end;

	if (strncmp(link, prefix, plen) != 0 || link[plen] != ':' ||
	    link[plen + 1] != '[')
		return -1;
	p = link + plen + 2;
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	*inode = strtoull(p, &end, 10);
	if (errno != 0 || end[0] != ']' || end[1] != '\0')
		return -1;
	return 0;
}

/* n hex digits at p into *out (at most 8); 0 or -1. */
static int
live_hex32(const char *p, int n, uint32_t *out)
{
	uint32_t	v = 0;
	int		i;

	for (i = 0; i < n; i++) {
		int	c = (unsigned char)p[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = (v << 4) | (uint32_t)d;
	}
	*out = v;
	return 0;
}

/*
 * "0100007F:1F90" (or 32 hex digits for IPv6) to text and a port. The
 * kernel prints each 32-bit word of the address as a host-order integer,
 * so storing the parsed word back in host order restores the bytes.
 */
static int
live_inet_endpoint(const char *p, int family, char *addr, unsigned int *port)
{
	struct in6_addr	a6;
	struct in_addr	a4;
	uint32_t	w, prt;
	int		i, words = family == AF_INET ? 1 : 4;

	for (i = 0; i < words; i++) {
		if (live_hex32(p + 8 * i, 8, &w) == -1)
			return -1;
		if (family == AF_INET)
			memcpy(&a4, &w, 4);
		else
			memcpy(&a6.s6_addr[4 * i], &w, 4);
	}
	p += 8 * words;
	if (*p != ':' || live_hex32(p + 1, 4, &prt) == -1 ||
	    (p[5] != ' ' && p[5] != '\0'))
		return -1;
	*port = prt;
	if (inet_ntop(family, family == AF_INET ? (void *)&a4 : (void *)&a6,
	    addr, LIVE_ADDRLEN) == NULL)
		return -1;
	return 0;
}

int
live_parse_inet_line(const char *line, int family, struct live_inet *in)
{
	char		 la[64], ra[64];
	unsigned int	 st;
	unsigned long	 sl, uid;
	unsigned long long inode;
	size_t		 alen = family == AF_INET ? 13 : 37;
	int		 n;

	memset(in, 0, sizeof *in);
	if (family != AF_INET && family != AF_INET6)
		return -1;
	/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
	if (sscanf(line, " %lu: %63s %63s %x %*x:%*x %*x:%*x %*x %lu %*d "
	    "%llu%n", &sl, la, ra, &st, &uid, &inode, &n) != 6)
		return -1;
	if (strlen(la) != alen || strlen(ra) != alen || st > 0xff ||
	    uid > UINT32_MAX)
		return -1;
	if (live_inet_endpoint(la, family, in->laddr, &in->lport) == -1 ||
	    live_inet_endpoint(ra, family, in->raddr, &in->rport) == -1)
		return -1;
	in->family = family;
	in->state = (int)st;
	in->uid = uid;
	in->inode = inode;
	return 0;
}

const char *
live_tcp_state_name(int st)
{
	static const char *const names[] = {
		NULL, "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
		"FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK",
		"LISTEN", "CLOSING", "NEW_SYN_RECV", "BOUND_INACTIVE"
	};

	if (st <= 0 || (size_t)st >= nitems(names))
		return "UNKNOWN";
	return names[st];
}

int
live_parse_unix_line(const char *line, struct live_unix *u)
{
	unsigned long	 flags;
	unsigned int	 type, state;
	unsigned long long inode;
	int		 n;
	const char	*p;
	size_t		 len;

	memset(u, 0, sizeof *u);
	/* Num: RefCount Protocol Flags Type St Inode [Path] */
	if (sscanf(line, "%*x: %*x %*x %lx %x %x %llu%n", &flags, &type,
	    &state, &inode, &n) != 4)
		return -1;
	if (type > 0xffff || state > 0xff)
		return -1;
	p = line + n;
	if (*p != '\0' && *p != ' ' && *p != '\n')
		return -1;
	p += strspn(p, " ");
	len = strcspn(p, "\n");
	if (len >= sizeof u->path)
		len = sizeof u->path - 1;
	memcpy(u->path, p, len);
	u->path[len] = '\0';
	u->flags = flags;
	u->type = (int)type;
	u->state = (int)state;
	u->inode = inode;
	return 0;
}

/* Text of an IPv4 address held as a host-order word from /proc/net/route. */
static int
live_route4_addr(const char *hex, char *out, uint32_t *wp)
{
	struct in_addr	a;
	uint32_t	w;

	if (strlen(hex) != 8 || live_hex32(hex, 8, &w) == -1)
		return -1;
	memcpy(&a, &w, 4);
	if (wp != NULL)
		*wp = w;
	return inet_ntop(AF_INET, &a, out, LIVE_ADDRLEN) == NULL ? -1 : 0;
}

int
live_parse_route_line(const char *line, struct live_route *r)
{
	char		 iface[32], dst[16], gw[16], mask[16];
	unsigned long	 flags, metric, mtu;
	uint32_t	 m;

	memset(r, 0, sizeof *r);
	if (sscanf(line, "%31s %15s %15s %lx %*d %*u %lu %15s %lu", iface,
	    dst, gw, &flags, &metric, mask, &mtu) != 7)
		return -1;
	if (live_route4_addr(dst, r->dest, NULL) == -1 ||
	    live_route4_addr(gw, r->gateway, NULL) == -1 ||
	    live_route4_addr(mask, r->source, &m) == -1)
		return -1;
	r->source[0] = '\0';
	/* The mask is in network order in memory: count its leading ones. */
	m = ntohl(m);
	r->dest_len = 0;
	while (r->dest_len < 32 && (m & (0x80000000U >> r->dest_len)) != 0)
		r->dest_len++;
	r->family = AF_INET;
	memcpy(r->iface, iface, sizeof r->iface);
	r->flags = flags;
	r->metric = metric;
	r->mtu = mtu;
	return 0;
}

/* 32 hex digits in byte order (as ipv6_route and if_inet6 print them). */
static int
live_hex_in6(const char *hex, char *out)
{
	struct in6_addr	a;
	uint32_t	b;
	int		i;

	if (strlen(hex) != 32)
		return -1;
	for (i = 0; i < 16; i++) {
		if (live_hex32(hex + 2 * i, 2, &b) == -1)
			return -1;
		a.s6_addr[i] = (uint8_t)b;
	}
	return inet_ntop(AF_INET6, &a, out, LIVE_ADDRLEN) == NULL ? -1 : 0;
}

int
live_parse_route6_line(const char *line, struct live_route *r)
{
	char		 dst[40], src[40], gw[40], iface[32];
	unsigned int	 dlen, slen;
	unsigned long	 metric, flags;

	memset(r, 0, sizeof *r);
	/* dst dst_len src src_len gw metric refcnt use flags iface */
	if (sscanf(line, "%39s %x %39s %x %39s %lx %*x %*x %lx %31s", dst,
	    &dlen, src, &slen, gw, &metric, &flags, iface) != 8)
		return -1;
	if (dlen > 128 || slen > 128 || live_hex_in6(dst, r->dest) == -1 ||
	    live_hex_in6(src, r->source) == -1 ||
	    live_hex_in6(gw, r->gateway) == -1)
		return -1;
	r->family = AF_INET6;
	r->dest_len = (int)dlen;
	r->source_len = (int)slen;
	r->metric = metric;
	r->flags = flags;
	memcpy(r->iface, iface, sizeof r->iface);
	return 0;
}

int
live_parse_arp_line(const char *line, struct live_arp *a)
{
	unsigned char	tmp[sizeof(struct in6_addr)];

	memset(a, 0, sizeof *a);
	/* IP address, HW type, Flags, HW address, Mask, Device */
	if (sscanf(line, "%45s %lx %lx %63s %*s %31s", a->ip, &a->hw_type,
	    &a->flags, a->mac, a->device) != 5)
		return -1;
	if (inet_pton(AF_INET, a->ip, tmp) != 1)
		return -1;
	return 0;
}

const char *
live_utmp_type_name(int type)
{
	static const char *const names[] = {
		"EMPTY", "RUN_LVL", "BOOT_TIME", "NEW_TIME", "OLD_TIME",
		"INIT_PROCESS", "LOGIN_PROCESS", "USER_PROCESS",
		"DEAD_PROCESS", "ACCOUNTING"
	};

	if (type < 0 || (size_t)type >= nitems(names))
		return "UNKNOWN";
	return names[type];
}

/*
 * Copy a fixed-size, maybe unterminated name field. -1 if it holds a
 * control character before its end (garbage, not a name).
 */
static int
live_fixed_str(char *out, const unsigned char *p, size_t n)
{
	size_t	i, len = strnlen((const char *)p, n);

	for (i = 0; i < len; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			return -1;
	}
	memcpy(out, p, len);
	out[len] = '\0';
	return 0;
}

static int32_t
live_le32(const unsigned char *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 |
	    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

/* ut_addr_v6: one IPv4 word, or an IPv6 address, in network order. */
static void
live_utmp_addr(const unsigned char *p, char *out)
{
	static const unsigned char	zero[16];
	int				v4;

	out[0] = '\0';
	if (memcmp(p, zero, 16) == 0)
		return;
	v4 = memcmp(p + 4, zero, 12) == 0;
	inet_ntop(v4 ? AF_INET : AF_INET6, p, out, LIVE_ADDRLEN);
}

int
live_parse_utmp(const unsigned char *p, size_t len, struct live_utmp *u)
{
	memset(u, 0, sizeof *u);
	if (len < LIVE_UTMP_SIZE)
		return -1;
	/* Offsets of glibc's struct utmp (little-endian: x86, arm64). */
	u->type = (int16_t)(p[0] | p[1] << 8);
	u->pid = live_le32(p + 4);
	u->exit_termination = (int16_t)(p[332] | p[333] << 8);
	u->exit_status = (int16_t)(p[334] | p[335] << 8);
	u->session = live_le32(p + 336);
	u->sec = (uint32_t)live_le32(p + 340);
	u->usec = live_le32(p + 344);
	if (u->type < 0 || u->type > LIVE_UTMP_TYPE_MAX ||
	    u->usec < 0 || u->usec > 999999 || u->pid < 0)
		return -2;
	if (live_fixed_str(u->line, p + 8, 32) == -1 ||
	    live_fixed_str(u->id, p + 40, 4) == -1 ||
	    live_fixed_str(u->user, p + 44, 32) == -1 ||
	    live_fixed_str(u->host, p + 76, 256) == -1)
		return -2;
	live_utmp_addr(p + 348, u->addr);
	return 0;
}

int
live_parse_lastlog(const unsigned char *p, size_t len, struct live_lastlog *l)
{
	memset(l, 0, sizeof *l);
	if (len < LIVE_LASTLOG_SIZE)
		return -1;
	l->time = (uint32_t)live_le32(p);
	if (live_fixed_str(l->line, p + 4, 32) == -1 ||
	    live_fixed_str(l->host, p + 36, 256) == -1)
		return -2;
	return 0;
}

/* Undo the kernel's octal escapes ("\040" for a space) in place. */
static void
live_unescape(char *s)
{
	char	*o = s;

	while (*s != '\0') {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
			    (s[3] - '0'));
			s += 4;
		} else
			*o++ = *s++;
	}
	*o = '\0';
}

/* The next space-separated token of *pp, or NULL. */
static char *
live_token(char **pp)
{
	char	*p = *pp, *t;

	while (*p == ' ')
		p++;
	if (*p == '\0')
		return NULL;
	t = p;
	while (*p != ' ' && *p != '\0')
		p++;
	if (*p == ' ')
		*p++ = '\0';
	*pp = p;
	return t;
}

int
live_parse_mountinfo_line(char *line, struct live_mount *m)
{
	char	*p = line, *f[6], *t, *opt_start = NULL, *opt_end = NULL;
	int	 i;

	memset(m, 0, sizeof *m);
	line[strcspn(line, "\n")] = '\0';
	for (i = 0; i < 6; i++) {
		if ((f[i] = live_token(&p)) == NULL)
			return -1;
	}
	if (util_parse_int(f[0], 0, INT32_MAX, &m->mount_id) == -1 ||
	    util_parse_int(f[1], 0, INT32_MAX, &m->parent_id) == -1 ||
	    strchr(f[2], ':') == NULL)
		return -1;
	/* Optional fields up to the lone "-". */
	for (;;) {
		if ((t = live_token(&p)) == NULL)
			return -1;
		if (strcmp(t, "-") == 0)
			break;
		if (opt_start == NULL)
			opt_start = t;
		opt_end = t + strlen(t);
	}
	/* Re-join the optional fields the tokenizer split. */
	if (opt_start != NULL) {
		for (t = opt_start; t < opt_end; t++)
			if (*t == '\0')
				*t = ' ';
	}
	m->optional = opt_start != NULL ? opt_start : "";
	if ((m->fstype = live_token(&p)) == NULL ||
	    (m->source = live_token(&p)) == NULL ||
	    (m->super_options = live_token(&p)) == NULL)
		return -1;
	m->dev = f[2];
	m->root = f[3];
	m->mount_point = f[4];
	m->options = f[5];
	live_unescape(m->root);
	live_unescape(m->mount_point);
	live_unescape(m->source);
	return 0;
}

int
live_parse_modules_line(char *line, struct live_module *mod)
{
	char		*p = line, *f[6], *t;
	long long	 v;
	int		 i;

	memset(mod, 0, sizeof *mod);
	line[strcspn(line, "\n")] = '\0';
	for (i = 0; i < 6; i++) {
		if ((f[i] = live_token(&p)) == NULL)
			return -1;
	}
	if (util_parse_int(f[1], 0, LLONG_MAX, &v) == -1 ||
	    util_parse_int(f[2], -1, INT32_MAX, &mod->refcount) == -1)
		return -1;
	mod->size = (unsigned long long)v;
	mod->name = f[0];
	mod->deps = strcmp(f[3], "-") == 0 ? "" : f[3];
	if (*mod->deps != '\0' && mod->deps[strlen(mod->deps) - 1] == ',')
		mod->deps[strlen(mod->deps) - 1] = '\0';
	mod->state = f[4];
	mod->address = f[5];
	mod->taint = "";
	if ((t = live_token(&p)) != NULL) {
		size_t	len = strlen(t);

		if (len < 2 || t[0] != '(' || t[len - 1] != ')')
			return -1;
		t[len - 1] = '\0';
		mod->taint = t + 1;
	}
	return live_token(&p) == NULL ? 0 : -1;
}

int
live_parse_kv_line(char *line, char **key, char **value)
{
	char	*eq, *v, *o, quote = '\0';

	line[strcspn(line, "\r\n")] = '\0';
	line += strspn(line, " \t");
	if (*line == '\0' || *line == '#')
		return 1;
	if ((eq = strchr(line, '=')) == NULL || eq == line)
		return -1;
	*eq = '\0';
	if (line[strspn(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_")] != '\0')
		return -1;
	v = o = eq + 1;
	if (*v == '"' || *v == '\'')
		quote = *v++;
	for (; *v != '\0' && *v != quote; v++) {
		if (*v == '\\' && quote != '\'' && v[1] != '\0')
			v++;
		*o++ = *v;
	}
	if (quote != '\0' && *v != quote)
		return -1;
	*o = '\0';
	*key = line;
	*value = eq + 1;
	return 0;
}

void
live_taint_letters(unsigned long long mask, char *out, size_t len)
{
	/* kernel/panic.c taint_flags, bit by bit. */
	static const char	letters[] = "PFSRMBUDAWCIOELKXTN";
	size_t			i, o = 0;

	for (i = 0; i < sizeof letters - 1 && o + 1 < len; i++) {
		if (mask & (1ULL << i))
			out[o++] = letters[i];
	}
	if (len > 0)
		out[o] = '\0';
}

char *
live_read_at(int dirfd, const char *path, size_t max, size_t *lenp,
    int *truncp)
{
	char	*data;
	int	 fd, saved;

	if ((fd = openat(dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY)) == -1)
		return NULL;
	data = util_read_fd(fd, max, lenp, truncp);
	saved = errno;
	close(fd);
	errno = saved;
	return data;
}

char *
live_next_line(char *buf, size_t len, size_t *pos)
{
	char	*line, *nl;

	if (*pos >= len)
		return NULL;
	line = buf + *pos;
	if ((nl = memchr(line, '\n', len - *pos)) != NULL) {
		*nl = '\0';
		*pos = nl - buf + 1;
	} else
		*pos = len;
	return line;
}
