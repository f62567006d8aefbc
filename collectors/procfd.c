/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * A process's descriptors, mappings and container (see procfd.h): the
 * depth that shows a file opened then deleted, a memfd, a library mapped
 * then unlinked, or code in anonymous memory. Called by the processes
 * collector for each process; every read is capped (descriptors,
 * mappings and bytes per process) and a descriptor or a process that
 * goes away while it is read is counted, never fatal.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector.h"
#include "live.h"
#include "procfd.h"
#include "util.h"

#define PROCFD_FDINFO_MAX	4096	/* pos, flags, mnt_id come first */

static const char *const procfd_types[] = {
	[PROCFD_FILE] = "file",
	[PROCFD_DIR] = "dir",
	[PROCFD_SOCKET] = "socket",
	[PROCFD_PIPE] = "pipe",
	[PROCFD_ANON] = "anon_inode",
	[PROCFD_MEMFD] = "memfd",
	[PROCFD_DEVICE] = "device",
	[PROCFD_OTHER] = "other",
};

const char *
procfd_type_name(enum procfd_type t)
{
	if ((size_t)t >= nitems(procfd_types))
		return "other";
	return procfd_types[t];
}

void
procfd_classify(const char *t, mode_t mode, struct procfd_target *o)
{
	static const char	 del[] = " (deleted)";
	const char		*k;
	size_t			 len = strlen(t), klen;

	memset(o, 0, sizeof *o);
	o->type = PROCFD_OTHER;
	if (live_parse_inode_link(t, "socket", &o->inode) == 0) {
		o->type = PROCFD_SOCKET;
		return;
	}
	if (live_parse_inode_link(t, "pipe", &o->inode) == 0) {
		o->type = PROCFD_PIPE;
		return;
	}
	if (strncmp(t, "anon_inode:", 11) == 0) {
		/* "anon_inode:[eventfd]" or "anon_inode:bpf-map". */
		k = t + 11;
		klen = strlen(k);
		if (klen >= 2 && k[0] == '[' && k[klen - 1] == ']') {
			k++;
			klen -= 2;
		}
		if (klen >= sizeof o->anon)
			klen = sizeof o->anon - 1;
		memcpy(o->anon, k, klen);
		o->anon[klen] = '\0';
		o->type = PROCFD_ANON;
		return;
	}
	/* Anything else not a path ("net:[…]", "[eventpoll]"…). */
	if (t[0] != '/')
		return;
	o->deleted = len >= sizeof del - 1 &&
	    strcmp(t + len - (sizeof del - 1), del) == 0;
	/* The kernel names a memfd "/memfd:NAME (deleted)". */
	if (strncmp(t, "/memfd:", 7) == 0 && o->deleted &&
	    (mode == 0 || S_ISREG(mode))) {
		o->type = PROCFD_MEMFD;
		o->memfd = 1;
		o->deleted = 0;
		return;
	}
	if (S_ISDIR(mode))
		o->type = PROCFD_DIR;
	else if (S_ISCHR(mode) || S_ISBLK(mode))
		o->type = PROCFD_DEVICE;
	else if (S_ISFIFO(mode))
		o->type = PROCFD_PIPE;
	else if (S_ISSOCK(mode))
		o->type = PROCFD_SOCKET;
	else if (mode == 0 && strncmp(t, "/dev/", 5) == 0)
		o->type = PROCFD_DEVICE;
	else
		o->type = PROCFD_FILE;
}

/* "key:\tvalue" at the start of line: the value, or NULL. */
static const char *
procfd_field(const char *line, const char *key)
{
	size_t	n = strlen(key);

	if (strncmp(line, key, n) != 0 || line[n] != ':')
		return NULL;
	line += n + 1;
	while (*line == '\t' || *line == ' ')
		line++;
	return line;
}

int
procfd_parse_fdinfo(const char *buf, size_t len, struct procfd_info *fi)
{
	const char		*line = buf, *end = buf + len, *nl, *v;
	char			 tmp[32];
	long long		 ll;
	size_t			 n;
	int			 havepos = 0, haveflags = 0;

	memset(fi, 0, sizeof *fi);
	fi->mnt_id = -1;
	for (; line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', end - line)) == NULL)
			nl = end;
		if ((n = (size_t)(nl - line)) >= sizeof tmp)
			continue;	/* not one of ours (tfd:, inotify…) */
		memcpy(tmp, line, n);
		tmp[n] = '\0';
		if ((v = procfd_field(tmp, "pos")) != NULL) {
			char	*e;

			errno = 0;
			if (*v < '0' || *v > '9')
				return -1;
			fi->pos = strtoull(v, &e, 10);
			if (errno != 0 || *e != '\0')
				return -1;
			havepos = 1;
		} else if ((v = procfd_field(tmp, "flags")) != NULL) {
			if (*v == '\0' || strspn(v, "01234567") != strlen(v) ||
			    strlen(v) >= sizeof fi->flags)
				return -1;
			snprintf(fi->flags, sizeof fi->flags, "%s", v);
			haveflags = 1;
		} else if ((v = procfd_field(tmp, "mnt_id")) != NULL) {
			if (util_parse_int(v, 0, LLONG_MAX, &ll) == -1)
				return -1;
			fi->mnt_id = ll;
		}
	}
	return havepos && haveflags ? 0 : -1;
}

/* Whether s (n bytes) is exactly 64 hex digits. */
static int
procfd_hex64(const char *s, size_t n)
{
	size_t	i;

	if (n != 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* c (n bytes) is PREFIX<64 hex>[.scope]: the id into id. */
static int
procfd_scoped(const char *c, size_t n, const char *prefix, char *id,
    size_t size)
{
	size_t	plen = strlen(prefix), rn;

	if (n < plen || memcmp(c, prefix, plen) != 0)
		return 0;
	c += plen;
	rn = n - plen;
	if (rn == 70 && memcmp(c + 64, ".scope", 6) == 0)
		rn = 64;
	if (!procfd_hex64(c, rn))
		return 0;
	snprintf(id, size, "%.*s", (int)rn, c);
	return 1;
}

/* The runtime of one cgroup path (NUL-terminated), or NULL. */
static const char *
procfd_container_path(const char *path, char *id, size_t size)
{
	static const struct {
		const char	*prefix, *runtime;
	} scoped[] = {
		{ "docker-", "docker" },
		{ "cri-containerd-", "containerd" },
		{ "crio-", "cri-o" },		/* not crio-conmon- */
		{ "libpod-", "podman" },	/* not libpod-conmon- */
	};
	const char	*c, *e, *prev = "", *colon;
	size_t		 n, plen = 0, i;

	for (c = path; *c != '\0'; c = *e == '/' ? e + 1 : e) {
		if ((e = strchr(c, '/')) == NULL)
			e = c + strlen(c);
		if ((n = (size_t)(e - c)) == 0)
			continue;
		for (i = 0; i < nitems(scoped); i++)
			if (procfd_scoped(c, n, scoped[i].prefix, id, size))
				return scoped[i].runtime;
		/* The systemd driver of kubelet with containerd:
		   "kubepods-…-pod<uid>.slice:cri-containerd:<id>". */
		if (n > 64 && (colon = memchr(c, ':', n)) != NULL &&
		    procfd_scoped(colon, (size_t)(e - colon),
		    ":cri-containerd:", id, size))
			return "containerd";
		if (procfd_hex64(c, n)) {
			snprintf(id, size, "%.*s", (int)n, c);
			if (plen == 6 && memcmp(prev, "docker", 6) == 0)
				return "docker";
			if (plen >= 3 && (memcmp(prev, "pod", 3) == 0 ||
			    (plen >= 8 && memcmp(prev, "kubepods", 8) == 0)))
				return "kubernetes";
			id[0] = '\0';
		}
		/* LXC: /lxc/NAME, /lxc.payload/NAME, /lxc.payload.NAME. */
		if (n > 12 && memcmp(c, "lxc.payload.", 12) == 0) {
			snprintf(id, size, "%.*s", (int)(n - 12), c + 12);
			return "lxc";
		}
		if ((plen == 3 && memcmp(prev, "lxc", 3) == 0) ||
		    (plen == 11 && memcmp(prev, "lxc.payload", 11) == 0)) {
			snprintf(id, size, "%.*s", (int)n, c);
			return "lxc";
		}
		prev = c;
		plen = n;
	}
	return NULL;
}

const char *
procfd_container(const char *buf, size_t len, char *id, size_t size)
{
	const char	*line = buf, *end = buf + len, *nl, *p, *rt;
	char		*copy;

	id[0] = '\0';
	if (size < 2)
		return NULL;
	for (; line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', end - line)) == NULL)
			nl = end;
		/* "hierarchy:controllers:path"; the path may hold ':'. */
		if ((p = memchr(line, ':', nl - line)) == NULL ||
		    (p = memchr(p + 1, ':', nl - p - 1)) == NULL)
			continue;
		copy = xstrndup(p + 1, (size_t)(nl - p - 1));
		rt = procfd_container_path(copy, id, size);
		free(copy);
		if (rt != NULL)
			return rt;
	}
	id[0] = '\0';
	return NULL;
}

static int
procfd_cmp(const void *a, const void *b)
{
	unsigned int	x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

int
procfd_list(int dfd, size_t cap, unsigned int **fdsp, size_t *np, int *cutp)
{
	struct dirent	*de;
	DIR		*d;
	unsigned int	*fds = NULL;
	size_t		 n = 0, room = 0;
	long long	 v;
	int		 fd;

	*fdsp = NULL;
	*np = 0;
	*cutp = 0;
	if ((fd = openat(dfd, "fd", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (util_parse_int(de->d_name, 0, INT_MAX, &v) == -1)
			continue;
		if (n == cap) {
			*cutp = 1;
			break;
		}
		if (n == room) {
			room = room ? room * 2 : 64;
			fds = xreallocarray(fds, room, sizeof *fds);
		}
		fds[n++] = (unsigned int)v;
	}
	closedir(d);
	if (n > 0)
		qsort(fds, n, sizeof *fds, procfd_cmp);
	*fdsp = fds;
	*np = n;
	return 0;
}

int
procfd_anon_exec(const struct procmap *m)
{
	if (m->perms[2] != 'x' || m->inode != 0 || m->memfd)
		return 0;
	if (m->path[0] == '/')		/* a file (inode 0 on some fs) */
		return 0;
	return strcmp(m->path, "[vdso]") != 0 &&
	    strcmp(m->path, "[vsyscall]") != 0 &&
	    strcmp(m->path, "[uprobes]") != 0;
}

/* The stat of what a fd link leads to, without waiting on NFS. */
static int
procfd_stat(int dfd, const char *rel, struct stat *st)
{
	struct statx	sx;

	if (statx(dfd, rel, AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &sx) == -1)
		return -1;
	memset(st, 0, sizeof *st);
	st->st_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	st->st_ino = (ino_t)sx.stx_ino;
	st->st_mode = sx.stx_mode;
	st->st_nlink = sx.stx_nlink;
	st->st_size = (off_t)sx.stx_size;
	return 0;
}

int
procfd_open_file(int dfd, const char *rel, const struct stat *want)
{
	struct stat	st;
	char		self[64];
	int		pfd, fd, saved;

	/* O_PATH has no effect on the file; the reopen below is of that
	   same file, so the type checked is the type opened. */
	if ((pfd = openat(dfd, rel, O_PATH | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(pfd, &st) == -1) {
		saved = errno;
		close(pfd);
		errno = saved;
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_dev != want->st_dev ||
	    st.st_ino != want->st_ino) {
		close(pfd);
		errno = ESTALE;
		return -1;
	}
	snprintf(self, sizeof self, "/proc/self/fd/%d", pfd);
	fd = open(self, O_RDONLY | O_NOATIME | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC);
	if (fd == -1 && errno == EPERM)	/* not the owner: no O_NOATIME */
		fd = open(self, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	saved = errno;
	close(pfd);
	errno = saved;
	return fd;
}

/* A read under /proc/PID failed: vanished, or kept for the caller. */
static void
procfd_failed(struct procfd_proc *p, const char *what, unsigned int n,
    int err)
{
	if (err == ENOENT) {
		if (p->nvanished++ == 0)
			p->vanished = n;
	} else if (p->err_what == NULL) {
		snprintf(p->whatbuf, sizeof p->whatbuf, "%s", what);
		p->err_what = p->whatbuf;
		p->err_no = err;
	}
}

/* pos, flags and mnt_id of descriptor n into rec (null if unread). */
static void
procfd_fdinfo(struct procfd_proc *p, unsigned int n, json_t *rec)
{
	struct procfd_info	 fi;
	char			 rel[32], *s;
	size_t			 len;
	int			 ok;

	snprintf(rel, sizeof rel, "fdinfo/%u", n);
	if ((s = live_read_at(p->dfd, rel, PROCFD_FDINFO_MAX, &len,
	    NULL)) == NULL)
		procfd_failed(p, rel, n, errno);
	ok = s != NULL && procfd_parse_fdinfo(s, len, &fi) == 0;
	free(s);
	json_object_set_new(rec, "pos", ok ?
	    json_integer((json_int_t)fi.pos) : json_null());
	json_object_set_new(rec, "flags", ok ?
	    json_string(fi.flags) : json_null());
	json_object_set_new(rec, "mnt_id", ok && fi.mnt_id >= 0 ?
	    json_integer(fi.mnt_id) : json_null());
}

/* The record of descriptor n. -1 when the stream takes no more. */
static int
procfd_one(struct procfd_proc *p, unsigned int n)
{
	struct procfd_target	 t;
	struct stat		 st;
	const char		*copy = NULL, *sha = NULL;
	char			 rel[32], target[PATH_MAX + 1];
	json_t			*rec;
	ssize_t			 len;
	int			 have;

	snprintf(rel, sizeof rel, "fd/%u", n);
	if ((len = readlinkat(p->dfd, rel, target, sizeof target - 1)) ==
	    -1) {
		procfd_failed(p, rel, n, errno);
		return 0;
	}
	target[len] = '\0';
	have = procfd_stat(p->dfd, rel, &st) == 0;
	procfd_classify(target, have ? st.st_mode : 0, &t);
	/* No name left: only this descriptor holds the data. */
	if (have && t.type == PROCFD_FILE && st.st_nlink == 0)
		t.deleted = 1;
	rec = json_object();
	json_object_set_new(rec, "pid", json_integer(p->pid));
	json_object_set_new(rec, "process", live_json_strz(p->comm));
	json_object_set_new(rec, "fd", json_integer(n));
	json_object_set_new(rec, "target", live_json_str(target, (size_t)len));
	json_object_set_new(rec, "type", json_string(procfd_type_name(t.type)));
	json_object_set_new(rec, "deleted", json_boolean(t.deleted));
	json_object_set_new(rec, "memfd", json_boolean(t.memfd));
	if (t.type == PROCFD_SOCKET && t.inode != 0)
		json_object_set_new(rec, "socket_inode",
		    json_integer((json_int_t)t.inode));
	if (t.type == PROCFD_PIPE && t.inode != 0)
		json_object_set_new(rec, "pipe_inode",
		    json_integer((json_int_t)t.inode));
	if (t.type == PROCFD_ANON)
		json_object_set_new(rec, "anon_inode", live_json_strz(t.anon));
	if (have && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
		json_object_set_new(rec, "inode",
		    json_integer((json_int_t)st.st_ino));
		json_object_set_new(rec, "size",
		    json_integer((json_int_t)st.st_size));
	}
	procfd_fdinfo(p, n, rec);
	if ((t.deleted || t.memfd) && have && S_ISREG(st.st_mode) &&
	    p->copy != NULL)
		copy = p->copy(p->arg, p->dfd, rel, &st, n, &sha);
	json_object_set_new(rec, "copy", live_json_strz(copy));
	if (sha != NULL)
		json_object_set_new(rec, "sha256", json_string(sha));
	p->nfds++;
	p->ndeleted += t.deleted && t.type == PROCFD_FILE;
	p->nmemfd += t.memfd;
	p->ncopied += copy != NULL;
	return collect_record(p->ctx, "process_fds", rec);
}

int
procfd_fds(struct procfd_proc *p)
{
	unsigned int	*fds;
	size_t		 n, i;

	if (procfd_list(p->dfd, PROCFD_FDS_MAX, &fds, &n, &p->fds_cut) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if ((i & 1023) == 1023 && collect_expired(p->ctx))
			break;
		if (procfd_one(p, fds[i]) == -1)
			break;
	}
	free(fds);
	if (p->fds_cut)
		collect_log(p->ctx, LOG_WARN, "process %u (%s): more than %d "
		    "descriptors: only the first %d are recorded", p->pid,
		    p->comm, PROCFD_FDS_MAX, PROCFD_FDS_MAX);
	return 0;
}

/* The record of one mapping. -1 when the stream takes no more. */
static int
procfd_map(struct procfd_proc *p, const struct procmap *m)
{
	json_t	*rec = json_object();
	char	 hex[24], dev[24];
	int	 anon;

	json_object_set_new(rec, "pid", json_integer(p->pid));
	json_object_set_new(rec, "process", live_json_strz(p->comm));
	snprintf(hex, sizeof hex, "%llx", (unsigned long long)m->start);
	json_object_set_new(rec, "start", json_string(hex));
	snprintf(hex, sizeof hex, "%llx", (unsigned long long)m->end);
	json_object_set_new(rec, "end", json_string(hex));
	json_object_set_new(rec, "perms", json_string(m->perms));
	json_object_set_new(rec, "offset", json_integer((json_int_t)m->offset));
	snprintf(dev, sizeof dev, "%02x:%02x", m->dev_major, m->dev_minor);
	json_object_set_new(rec, "dev", json_string(dev));
	json_object_set_new(rec, "inode", json_integer((json_int_t)m->inode));
	json_object_set_new(rec, "path", m->path[0] == '\0' ? json_null() :
	    live_json_strz(m->path));
	json_object_set_new(rec, "deleted", json_boolean(m->deleted &&
	    !m->memfd));
	json_object_set_new(rec, "memfd", json_boolean(m->memfd));
	anon = procfd_anon_exec(m);
	json_object_set_new(rec, "anonymous_exec", json_boolean(anon));
	p->nmaps++;
	p->nanonexec += anon;
	return collect_record(p->ctx, "process_maps", rec);
}

int
procfd_maps(struct procfd_proc *p)
{
	struct procmap	 m;
	char		*s, *line;
	size_t		 len, pos = 0;
	int		 trunc = 0;

	if ((s = live_read_at(p->dfd, "maps", PROCFD_MAPS_BYTES, &len,
	    &trunc)) == NULL)
		return -1;
	/* Cut at the byte cap: the last line is partial, not a mapping. */
	while (trunc && len > 0 && s[len - 1] != '\n')
		len--;
	while ((line = live_next_line(s, len, &pos)) != NULL) {
		if (*line == '\0')
			continue;
		if (p->nmaps >= PROCFD_MAPS_MAX) {
			trunc = 1;
			break;
		}
		if (procmap_parse(line, &m) == -1) {
			if (p->err_what == NULL) {
				p->err_what = "maps";
				p->err_no = EBADMSG;
			}
			continue;
		}
		if (procfd_map(p, &m) == -1)
			break;
	}
	free(s);
	if ((p->maps_cut = trunc))
		collect_log(p->ctx, LOG_WARN, "process %u (%s): more than %d "
		    "mappings or %u bytes of maps: the rest is not recorded",
		    p->pid, p->comm, PROCFD_MAPS_MAX, PROCFD_MAPS_BYTES);
	return 0;
}
