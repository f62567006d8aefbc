/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * timeline: a TSK 3.x bodyfile (timeline/bodyfile.txt, read by stock
 * `mactime -b`) of the trees the profile names in its DIRECTORY sources.
 * The walk (agent/walk.c, the one tree walker) is iterative, with a
 * stack of open directories capped in depth, so memory and descriptors
 * stay bounded whatever the tree; it never follows a symlink, does not
 * trigger automounts, and does not enter pseudo or network file systems
 * (proc, sysfs, cgroup, nfs, cifs, fuse...; tmpfs is real data and is
 * walked). Birth times come
 * from statx (0 when the file system has none). Names are the paths
 * inside the root, with '|', '\' and bytes that are not printable UTF-8
 * written as \xNN so every line stays one parseable record.
 *
 * The same walk notes the notable files (live/file_attributes.jsonl):
 * SUID/SGID regular files, files with capabilities (security.capability,
 * read with fgetxattr on the executable opened without following it),
 * immutable and append-only ones (statx attributes: nothing opened) and
 * hidden names in unusual places (fileattr.h). SUID, SGID and capability
 * executables are archived (files/PATH; at most FILEATTR_MAX_ARCHIVED of
 * at most FILEATTR_MAX_BYTES each): the record gives the manifest's
 * sha256, and their md5 fills the bodyfile's first column, as does that
 * of every file archived whole earlier in the run (collect_file_md5).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "artifacts.h"
#include "fileattr.h"
#include "os.h"
#include "walk.h"

#define TIMELINE_MAX_ROOTS	256
#define TIMELINE_FLUSH		(64 * 1024)
#define TIMELINE_STATX_MASK	(STATX_BASIC_STATS | STATX_BTIME)

#define FILEATTR_MAX_RECORDS	20000	/* notable files per run */
#define FILEATTR_MAX_ARCHIVED	500	/* executables archived */
#define FILEATTR_MAX_BYTES	(16ULL << 20)	/* each */
#define FILEATTR_STREAM		"file_attributes"

struct timeline {
	struct collect_ctx	*ctx;
	struct collect_stream	*out;
	struct buf		 pending;
	struct walk		 walk;
	char			**roots;
	size_t			 nroots;
	size_t			 entries;
	int			 stopped;
	size_t			 nattrs, narchived, attrs_dropped, big;
};

void
timeline_escape(struct buf *b, const char *name)
{
	util_escape(b, name, strlen(name), UTIL_ESC_C0, "|\\");
}

static void
timeline_mode(char *out, mode_t m)
{
	static const char	rwx[] = "rwxrwxrwx";
	int			i;

	out[0] = S_ISREG(m) ? '-' : S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' :
	    S_ISCHR(m) ? 'c' : S_ISBLK(m) ? 'b' : S_ISFIFO(m) ? 'p' :
	    S_ISSOCK(m) ? 's' : '?';
	for (i = 0; i < 9; i++)
		out[i + 1] = (m & (0400 >> i)) ? rwx[i] : '-';
	if (m & S_ISUID)
		out[3] = (m & S_IXUSR) ? 's' : 'S';
	if (m & S_ISGID)
		out[6] = (m & S_IXGRP) ? 's' : 'S';
	if (m & S_ISVTX)
		out[9] = (m & S_IXOTH) ? 't' : 'T';
	out[10] = '\0';
}

/* A line; md5 (16 bytes) fills the first column, 0 when NULL. */
static void
timeline_line_md5(struct buf *b, const unsigned char *md5, const char *name,
    const struct statx *stx)
{
	char	mode[11], hex[33];

	timeline_mode(mode, stx->stx_mode);
	if (md5 != NULL) {
		util_hex(hex, md5, 16);
		buf_printf(b, "%s|", hex);
	} else
		buf_addstr(b, "0|");
	timeline_escape(b, name);
	buf_printf(b, "|%llu|%s|%u|%u|%llu|%lld|%lld|%lld|%lld\n",
	    (unsigned long long)stx->stx_ino, mode, stx->stx_uid,
	    stx->stx_gid, (unsigned long long)stx->stx_size,
	    (long long)stx->stx_atime.tv_sec, (long long)stx->stx_mtime.tv_sec,
	    (long long)stx->stx_ctime.tv_sec, (stx->stx_mask & STATX_BTIME) ?
	    (long long)stx->stx_btime.tv_sec : 0LL);
}

void
timeline_line(struct buf *b, const char *name, const struct statx *stx)
{
	timeline_line_md5(b, NULL, name, stx);
}

static void
timeline_flush(struct timeline *t)
{
	if (t->pending.len > 0 && !t->stopped &&
	    collect_stream_write(t->out, t->pending.data, t->pending.len) != 0)
		t->stopped = 1;
	t->pending.len = 0;
}

static void
timeline_emit(struct timeline *t, const char *name, const struct statx *stx,
    const unsigned char *md5)
{
	timeline_line_md5(&t->pending, md5, name, stx);
	t->entries++;
	if (t->pending.len >= TIMELINE_FLUSH)
		timeline_flush(t);
}

/*
 * Archive the executable fd (a SUID, SGID or capability file) into
 * files/PATH: rec gets sha256 (the manifest's) and archive_path, *md5
 * its md5 when the whole file was copied. 1 when md5 is set.
 */
static int
fileattr_archive(struct timeline *t, const struct walk_entry *e, int fd,
    json_t *rec, unsigned char *md5)
{
	unsigned char	 sum[32], zero[32];
	char		 hex[65], *apath;
	int		 rc = 0;

	json_object_set_new(rec, "archived", json_false());
	if (collect_excluded(t->ctx, e->path, e->st))
		return 0;
	/* Whole or not at all: the md5 and sha256 are the file's. */
	if (e->stx->stx_size > FILEATTR_MAX_BYTES ||
	    e->stx->stx_size > collect_max_file_size(t->ctx)) {
		t->big++;
		return 0;
	}
	if (t->narchived >= FILEATTR_MAX_ARCHIVED)
		return 0;
	memset(sum, 0, sizeof sum);
	memset(zero, 0, sizeof zero);
	apath = xasprintf("files%s", e->path);
	if (collect_file_fd(t->ctx, fd, e->path, apath, sum) == 0) {
		t->narchived++;
		json_object_set_new(rec, "archived", json_true());
		util_json_set_name(rec, "archive_path", apath);
		/* Zeros: archived already (artefacts): hashed here again. */
		if (memcmp(sum, zero, sizeof sum) != 0 || util_digest_fd(fd,
		    EVP_sha256(), e->stx->stx_size, sum) == 0) {
			util_hex(hex, sum, sizeof sum);
			json_object_set_new(rec, "sha256", json_string(hex));
		}
		if (util_digest_fd(fd, EVP_md5(), e->stx->stx_size, md5) == 0) {
			util_hex(hex, md5, 16);
			json_object_set_new(rec, "md5", json_string(hex));
			rc = 1;
		}
	}
	free(apath);
	return rc;
}

/* The kinds of a notable file, as bits (1 << kind) of a mask. */
enum { FA_SUID, FA_SGID, FA_CAPS, FA_IMMUTABLE, FA_APPEND, FA_HIDDEN };
static const char *const fileattr_kinds[] = {
	"suid", "sgid", "capabilities", "immutable", "append_only", "hidden"
};

/* The record of e, of kinds k, before its hashes. */
static json_t *
fileattr_record(const struct walk_entry *e, int k, const struct buf *caps,
    long long rootid)
{
	const struct statx	*x = e->stx;
	json_t			*rec, *kinds;
	char			 iso[40], mode[8];
	size_t			 i;

	kinds = json_array();
	for (i = 0; i < sizeof fileattr_kinds / sizeof fileattr_kinds[0]; i++)
		if (k & (1 << i))
			json_array_append_new(kinds,
			    json_string(fileattr_kinds[i]));
	rec = json_object();
	util_json_set_name(rec, "path", e->path);
	json_object_set_new(rec, "kinds", kinds);
	snprintf(mode, sizeof mode, "%04o", x->stx_mode & 07777);
	json_object_set_new(rec, "mode", json_string(mode));
	json_object_set_new(rec, "type", json_string(S_ISDIR(x->stx_mode) ?
	    "dir" : S_ISREG(x->stx_mode) ? "file" : S_ISLNK(x->stx_mode) ?
	    "symlink" : "other"));
	json_object_set_new(rec, "uid", json_integer(x->stx_uid));
	json_object_set_new(rec, "gid", json_integer(x->stx_gid));
	json_object_set_new(rec, "size", json_integer((json_int_t)x->stx_size));
	util_iso8601(iso, sizeof iso, (time_t)x->stx_mtime.tv_sec,
	    (long)x->stx_mtime.tv_nsec / 1000);
	json_object_set_new(rec, "mtime", json_string(iso));
	json_object_set_new(rec, "capabilities", caps->len > 0 ?
	    json_stringn(caps->data, caps->len) : json_null());
	if (rootid >= 0)
		json_object_set_new(rec, "capabilities_rootid",
		    json_integer(rootid));
	return rec;
}

/*
 * The file attributes record of e if it is notable; *md5 gets the md5
 * of an archived executable (1 returned), for the bodyfile.
 */
static int
fileattr_entry(struct timeline *t, const struct walk_entry *e,
    unsigned char *md5)
{
	const struct statx	*x = e->stx;
	json_t			*rec;
	struct buf		 caps;
	unsigned char		 v[64];
	long long		 rootid = -1;
	ssize_t			 n;
	int			 fd = -1, reg = S_ISREG(x->stx_mode), exe, rc = 0;
	int			 k = 0;

	memset(&caps, 0, sizeof caps);
	if (reg && (x->stx_mode & S_ISUID))
		k |= 1 << FA_SUID;
	if (reg && (x->stx_mode & S_ISGID))
		k |= 1 << FA_SGID;
	/* Capabilities only act on exec: only executables are opened. */
	if (reg && (x->stx_mode & 0111) && (fd = os_openat(e->dfd, e->name,
	    O_RDONLY | O_NONBLOCK)) != -1) {
		n = fgetxattr(fd, "security.capability", v, sizeof v);
		if (n > 0 && fileattr_caps(v, (size_t)n, &caps, &rootid) == 0)
			k |= 1 << FA_CAPS;
		else if (n > 0)
			collect_error(t->ctx, e->path, "security.capability: "
			    "malformed (%zd bytes)", n);
	}
	if ((x->stx_attributes_mask & STATX_ATTR_IMMUTABLE) &&
	    (x->stx_attributes & STATX_ATTR_IMMUTABLE))
		k |= 1 << FA_IMMUTABLE;
	if ((x->stx_attributes_mask & STATX_ATTR_APPEND) &&
	    (x->stx_attributes & STATX_ATTR_APPEND))
		k |= 1 << FA_APPEND;
	if (fileattr_hidden(e->path))
		k |= 1 << FA_HIDDEN;
	if (k == 0)
		goto out;
	if (t->nattrs >= FILEATTR_MAX_RECORDS) {
		t->attrs_dropped++;
		goto out;
	}
	exe = (k & (1 << FA_SUID | 1 << FA_SGID | 1 << FA_CAPS)) != 0;
	t->nattrs++;
	rec = fileattr_record(e, k, &caps, rootid);
	json_object_set_new(rec, "sha256", json_null());
	if (exe && fd != -1)
		rc = fileattr_archive(t, e, fd, rec, md5);
	else if (exe && reg) {
		/* SUID/SGID without any x bit: still worth the bytes. */
		if ((fd = os_openat(e->dfd, e->name, O_RDONLY | O_NONBLOCK)) !=
		    -1)
			rc = fileattr_archive(t, e, fd, rec, md5);
		else
			json_object_set_new(rec, "archived", json_false());
	}
	collect_record(t->ctx, FILEATTR_STREAM, rec);
out:
	if (fd != -1)
		close(fd);
	buf_free(&caps);
	return rc;
}

/* An entry of the walk: its line. */
static int
timeline_entry(void *arg, const struct walk_entry *e)
{
	struct timeline	*t = arg;
	unsigned char	 md5[16];

	collect_ioc_path(t->ctx, e->path);
	/* MD5: of what the timeline archived, or the pool earlier. */
	timeline_emit(t, e->path, e->stx, fileattr_entry(t, e, md5) ||
	    (S_ISREG(e->stx->stx_mode) && collect_file_md5(t->ctx, e->path,
	    md5) == 0) ? md5 : NULL);
	return t->stopped ? WALK_STOP : WALK_NEXT;
}

static int
timeline_stop(void *arg)
{
	struct timeline	*t = arg;

	return t->stopped || collect_expired(t->ctx);
}

/* One tree: its root's line, then everything below it. */
static void
timeline_tree(struct timeline *t, const char *root)
{
	struct statx	stx;
	int		fd;

	if ((fd = collect_open(t->ctx, root, O_PATH)) == -1) {
		if (errno != ENOENT)
			collect_error(t->ctx, root, "timeline: %s",
			    strerror(errno));
		return;
	}
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
	    TIMELINE_STATX_MASK, &stx) == -1) {
		collect_error(t->ctx, root, "timeline: %s", strerror(errno));
		close(fd);
		return;
	}
	close(fd);
	timeline_emit(t, root, &stx, NULL);
	if (!S_ISDIR(stx.stx_mode))
		return;
	if ((fd = collect_open(t->ctx, root, O_RDONLY | O_DIRECTORY)) == -1) {
		collect_error(t->ctx, root, "timeline: %s", strerror(errno));
		return;
	}
	switch (walk_tree(&t->walk, fd, root)) {
	case -1:
		t->stopped = 1;
		break;
	case -2:
		collect_log(t->ctx, LOG_INFO, "%s: pseudo or network file "
		    "system, not walked", root);
		break;
	}
}

static void
timeline_add_root(struct timeline *t, const char *path)
{
	size_t	i;

	for (i = 0; i < t->nroots; i++)
		if (strcmp(t->roots[i], path) == 0)
			return;
	if (t->nroots >= TIMELINE_MAX_ROOTS) {
		collect_log(t->ctx, LOG_WARN, "%s: more than %d timeline "
		    "trees: ignored", path, TIMELINE_MAX_ROOTS);
		return;
	}
	t->roots = xreallocarray(t->roots, t->nroots + 1, sizeof *t->roots);
	t->roots[t->nroots++] = xstrdup(path);
}

static int
timeline_found_root(void *arg, const char *path, const struct stat *st)
{
	if (S_ISDIR(st->st_mode))
		timeline_add_root(arg, path);
	return 0;
}

/* Whether root lies inside (or is) another tree of the list. */
static int
timeline_covered(struct timeline *t, size_t k)
{
	const char	*r = t->roots[k], *o;
	size_t		 i, n;

	for (i = 0; i < t->nroots; i++) {
		if (i == k || (o = t->roots[i]) == NULL)
			continue;
		n = strlen(o);
		if (strcmp(o, "/") == 0 || (strncmp(r, o, n) == 0 &&
		    r[n] == '/'))
			return 1;
	}
	return 0;
}

static void
timeline_roots(struct timeline *t, const struct artifacts_prep *p)
{
	const struct artifact_source	*s;
	const char			*why;
	char				**v;
	size_t				 i, j, k;

	for (i = 0; i < p->plan.ndirs; i++) {
		s = p->plan.dirs[i].source;
		for (j = 0; j < s->npaths; j++) {
			if (strpbrk(s->paths[j], "*?[") != NULL) {
				artifacts_walk(t->ctx, p, s->paths[j],
				    s->separator, timeline_found_root, t, &why);
				continue;
			}
			if (artifact_expand(s->paths[j], s->separator,
			    &p->users, &v, &why) < 0)
				continue;
			for (k = 0; v[k] != NULL; k++)
				timeline_add_root(t, v[k]);
			artifact_strv_free(v);
		}
	}
	for (k = 0; k < t->nroots; k++) {
		if (t->roots[k] != NULL && timeline_covered(t, k)) {
			free(t->roots[k]);
			t->roots[k] = NULL;
		}
	}
}

static enum collect_result
timeline_run(struct collect_ctx *ctx)
{
	struct artifacts_prep	 p;
	struct timeline		*t;
	enum collect_result	 rc = COLLECT_OK;
	size_t			 i;

	if (artifacts_prepare(ctx, 0, &p) != 0)
		return COLLECT_FAILED;
	t = xcalloc(1, sizeof *t);
	t->ctx = ctx;
	t->walk.entry = timeline_entry;
	t->walk.stop = timeline_stop;
	t->walk.arg = t;
	timeline_roots(t, &p);
	if (t->nroots == 0) {
		collect_log(ctx, LOG_INFO, "profile %s names no tree: no "
		    "bodyfile", p.profile);
		goto cleanup;
	}
	if ((t->out = collect_stream_open(ctx, "timeline/bodyfile.txt")) ==
	    NULL) {
		rc = COLLECT_FAILED;
		goto cleanup;
	}
	for (i = 0; i < t->nroots && !t->stopped; i++)
		if (t->roots[i] != NULL)
			timeline_tree(t, t->roots[i]);
	timeline_flush(t);
	if (collect_stream_close(t->out) != 0 || t->stopped)
		rc = COLLECT_PARTIAL;
	collect_log(ctx, LOG_INFO, "bodyfile: %zu entries; not entered: %zu "
	    "pseudo or network file systems, %zu directories deeper than %d; "
	    "%zu names too long, %zu unreadable%s", t->entries,
	    t->walk.pseudo, t->walk.toodeep, WALK_MAX_DEPTH, t->walk.toolong,
	    t->walk.errors,
	    t->stopped ? "; stopped early (time or size limit)" : "");
	collect_log(ctx, LOG_INFO, "file attributes: %zu notable files "
	    "(%zu over the cap of %d not recorded), %zu executables archived "
	    "(at most %d), %zu over %llu bytes not archived", t->nattrs,
	    t->attrs_dropped, FILEATTR_MAX_RECORDS, t->narchived,
	    FILEATTR_MAX_ARCHIVED, t->big, FILEATTR_MAX_BYTES);
cleanup:
	for (i = 0; i < t->nroots; i++)
		free(t->roots[i]);
	free(t->roots);
	buf_free(&t->pending);
	free(t);
	artifacts_prep_free(&p);
	return rc;
}

const struct collector collector_timeline = {
	.name = "timeline",
	.description = "TSK bodyfile (mactime -b) of the profile's trees",
	.flags = COLLECTOR_SLOW,
	.run = timeline_run,
};
