/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Building manifest.json. Fields are a jansson object; entries, errors
 * and links are appended as serialised lines and spliced in at the end.
 * The lines are kept zstd-compressed in frames of MANIFEST_FRAME bytes
 * (a line is mostly names, times and a hash: about 10 to 1), so 100,000
 * files cost a few MiB, not the 40 MiB of their text, and the text is
 * streamed out at the end, never held whole.
 */
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "manifest.h"
#include "util.h"

#define MANIFEST_MAX_ERRORS	200000
#define MANIFEST_FRAME		(256U << 10)	/* text per zstd frame */
#define MANIFEST_LEVEL		3

/* One list: its latest lines as text, the older ones compressed. */
struct manifest_list {
	struct buf	 text;
	struct buf	 z;		/* zstd frames, one after the other */
	uint64_t	 len;		/* text bytes in all */
	size_t		 n;		/* lines */
};

struct manifest {
	json_t			*fields;
	struct manifest_list	 entries;
	struct manifest_list	 errors;
	struct manifest_list	 links;
	size_t		 dropped_errors;
	uint64_t	 bytes;
	size_t		 ntruncated;
	json_t		*limits;	/* the first MANIFEST_MAX_LIMITS */
	uint64_t	 nlimits;
};

struct manifest *
manifest_new(void)
{
	struct manifest	*m;

	m = xcalloc(1, sizeof *m);
	m->fields = json_object();
	m->limits = json_array();
	return m;
}

static void
manifest_list_free(struct manifest_list *l)
{
	buf_free(&l->text);
	buf_free(&l->z);
}

void
manifest_free(struct manifest *m)
{
	if (m == NULL)
		return;
	json_decref(m->fields);
	json_decref(m->limits);
	manifest_list_free(&m->entries);
	manifest_list_free(&m->errors);
	manifest_list_free(&m->links);
	free(m);
}

void
manifest_set(struct manifest *m, const char *key, json_t *value)
{
	json_object_set_new(m->fields, key, value);
}

static json_t *
manifest_time(const struct timespec *ts)
{
	char	s[48];

	util_iso8601(s, sizeof s, ts->tv_sec, ts->tv_nsec / 1000);
	return json_string(s);
}

json_t *
manifest_entry_json(const struct manifest_entry *e)
{
	json_t	*o;
	char	 hex[65];

	o = json_object();
	util_json_set_name(o, "path", e->path);
	util_json_set_name(o, "source", e->source);
	json_object_set_new(o, "size", json_integer((json_int_t)e->size));
	util_hex(hex, e->sha256, sizeof e->sha256);
	json_object_set_new(o, "sha256", json_string(hex));
	if (e->st != NULL) {
		char	mode[8];

		snprintf(mode, sizeof mode, "%04o",
		    (unsigned)(e->st->st_mode & 07777));
		json_object_set_new(o, "mode", json_string(mode));
		json_object_set_new(o, "uid", json_integer(e->st->st_uid));
		json_object_set_new(o, "gid", json_integer(e->st->st_gid));
		json_object_set_new(o, "mtime", manifest_time(&e->st->st_mtim));
		json_object_set_new(o, "atime", manifest_time(&e->st->st_atim));
		json_object_set_new(o, "ctime", manifest_time(&e->st->st_ctim));
		json_object_set_new(o, "source_size",
		    json_integer((json_int_t)e->st->st_size));
		json_object_set_new(o, "inode",
		    json_integer((json_int_t)e->st->st_ino));
	} else {
		json_object_set_new(o, "mode", json_null());
		json_object_set_new(o, "uid", json_null());
		json_object_set_new(o, "gid", json_null());
		json_object_set_new(o, "mtime", json_null());
		json_object_set_new(o, "atime", json_null());
		json_object_set_new(o, "ctime", json_null());
	}
	json_object_set_new(o, "truncated", json_boolean(e->truncated));
	if (e->note != NULL)
		json_object_set_new(o, "note", json_string(e->note));
	return o;
}

/* Compress the list's text into a new frame. */
static void
manifest_list_pack(struct manifest_list *l)
{
	size_t	bound, n;

	if (l->text.len == 0)
		return;
	bound = ZSTD_compressBound(l->text.len);
	buf_reserve(&l->z, bound);
	n = ZSTD_compress(l->z.data + l->z.len, bound, l->text.data,
	    l->text.len, MANIFEST_LEVEL);
	if (ZSTD_isError(n))
		fatal("zstd: %s", ZSTD_getErrorName(n));
	l->z.len += n;
	l->text.len = 0;
}

/* Append o as one line of list l (with the separator); steals o. */
static void
manifest_append(struct manifest_list *l, json_t *o)
{
	const char	*sep = l->n == 0 ? "\n    " : ",\n    ";
	char		*s;
	size_t		 before = l->text.len;

	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (s == NULL)
		fatal("json_dumps");
	buf_addstr(&l->text, sep);
	buf_addstr(&l->text, s);
	free(s);
	l->len += l->text.len - before;
	l->n++;
	if (l->text.len >= MANIFEST_FRAME)
		manifest_list_pack(l);
}

void
manifest_add_entry(struct manifest *m, const struct manifest_entry *e)
{
	manifest_append(&m->entries, manifest_entry_json(e));
	m->bytes += e->size;
	if (e->truncated) {
		m->ntruncated++;
		manifest_add_limit(m, "file_truncated", e->source ? e->source :
		    e->path, e->note ? e->note : "larger than the size limit: "
		    "the beginning was archived");
	}
}

void
manifest_add_limit(struct manifest *m, const char *what, const char *path,
    const char *reason)
{
	json_t	*o;
	char	*lossy;

	if (m->nlimits++ >= MANIFEST_MAX_LIMITS)
		return;
	o = json_pack("{s:s}", "what", what);
	util_json_set_name(o, "path", path);
	lossy = util_utf8_lossy(reason);
	json_object_set_new(o, "reason", json_string(lossy));
	free(lossy);
	json_array_append_new(m->limits, o);
}

json_t *
manifest_limits(struct manifest *m, uint64_t *total)
{
	*total = m->nlimits;
	return m->limits;
}

void
manifest_add_error(struct manifest *m, const char *path,
    const char *collector, const char *error)
{
	json_t	*o;
	char	*lossy;

	if (m->errors.n >= MANIFEST_MAX_ERRORS) {
		m->dropped_errors++;
		return;
	}
	o = json_object();
	util_json_set_name(o, "path", path);
	json_object_set_new(o, "collector",
	    collector ? json_string(collector) : json_null());
	lossy = util_utf8_lossy(error);
	json_object_set_new(o, "error", json_string(lossy));
	free(lossy);
	manifest_append(&m->errors, o);
}

void
manifest_add_link(struct manifest *m, const char *path, const char *target)
{
	json_t	*o;

	if (m->links.n >= MANIFEST_MAX_ERRORS)
		return;
	o = json_object();
	util_json_set_name(o, "path", path);
	util_json_set_name(o, "target", target);
	manifest_append(&m->links, o);
}

size_t
manifest_nentries(struct manifest *m)
{
	return m->entries.n;
}

size_t
manifest_nerrors(struct manifest *m)
{
	return m->errors.n + m->dropped_errors;
}

/* The fields before the lists, and the stats after them. */
static void
manifest_parts(struct manifest *m, char **head, char **tail)
{
	struct buf	 b = { 0 };
	json_t		*stats;
	char		*text, *s;

	text = json_dumps(m->fields, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (text == NULL)
		fatal("json_dumps");
	/* Drop the closing "\n}" to splice the lists in. */
	s = strrchr(text, '}');
	while (s > text && (s[-1] == '\n' || s[-1] == ' '))
		s--;
	*s = '\0';
	buf_addstr(&b, text);
	free(text);
	buf_addstr(&b, json_object_size(m->fields) ? ",\n" : "\n");
	*head = b.data;

	stats = json_pack("{s:I, s:I, s:I, s:I, s:I}",
	    "entries", (json_int_t)m->entries.n,
	    "bytes", (json_int_t)m->bytes,
	    "truncated", (json_int_t)m->ntruncated,
	    "errors", (json_int_t)(m->errors.n + m->dropped_errors),
	    "errors_not_listed", (json_int_t)m->dropped_errors);
	s = json_dumps(stats, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(stats);
	if (s == NULL)
		fatal("json_dumps");
	*tail = xasprintf("  \"stats\": %s\n}\n", s);
	free(s);
}

static const char *const manifest_list_names[] = {
	"entries", "errors", "links"
};

uint64_t
manifest_length(struct manifest *m)
{
	struct manifest_list	*l[] = { &m->entries, &m->errors, &m->links };
	char			*head, *tail;
	uint64_t		 len;
	size_t			 i;

	manifest_parts(m, &head, &tail);
	len = strlen(head) + strlen(tail);
	for (i = 0; i < nitems(l); i++)
		len += strlen(manifest_list_names[i]) + 7 + l[i]->len +
		    (l[i]->n ? 5 : 3);
	free(head);
	free(tail);
	return len;
}

/* Write list l's text through fn, frame by frame. 0 or -1. */
static int
manifest_list_write(struct manifest_list *l, manifest_write_fn *fn,
    void *arg)
{
	const char		*p = l->z.data, *end = l->z.data + l->z.len;
	unsigned long long	 want;
	size_t			 zlen, n;
	char			*text;
	int			 rc = 0;

	while (rc == 0 && p < end) {
		zlen = ZSTD_findFrameCompressedSize(p, (size_t)(end - p));
		want = ZSTD_getFrameContentSize(p, zlen);
		if (ZSTD_isError(zlen) || want == ZSTD_CONTENTSIZE_ERROR ||
		    want == ZSTD_CONTENTSIZE_UNKNOWN)
			fatal("manifest: a damaged frame in memory");
		text = xmalloc(want ? (size_t)want : 1);
		n = ZSTD_decompress(text, (size_t)want, p, zlen);
		if (ZSTD_isError(n) || n != want)
			fatal("manifest: a damaged frame in memory");
		rc = fn(arg, text, n);
		free(text);
		p += zlen;
	}
	if (rc == 0 && l->text.len > 0)
		rc = fn(arg, l->text.data, l->text.len);
	return rc;
}

int
manifest_write(struct manifest *m, manifest_write_fn *fn, void *arg)
{
	struct manifest_list	*l[] = { &m->entries, &m->errors, &m->links };
	char			*head, *tail, *s;
	size_t			 i;
	int			 rc;

	manifest_parts(m, &head, &tail);
	rc = fn(arg, head, strlen(head));
	for (i = 0; rc == 0 && i < nitems(l); i++) {
		s = xasprintf("  \"%s\": [", manifest_list_names[i]);
		rc = fn(arg, s, strlen(s));
		free(s);
		if (rc == 0)
			rc = manifest_list_write(l[i], fn, arg);
		if (rc == 0)
			rc = l[i]->n ? fn(arg, "\n  ],\n", 5) :
			    fn(arg, "],\n", 3);
	}
	if (rc == 0)
		rc = fn(arg, tail, strlen(tail));
	free(head);
	free(tail);
	return rc;
}

static int
manifest_dump_fn(void *arg, const void *p, size_t n)
{
	buf_add(arg, p, n);
	return 0;
}

char *
manifest_dump(struct manifest *m, size_t *lenp)
{
	struct buf	b = { 0 };

	manifest_write(m, manifest_dump_fn, &b);
	if (b.data == NULL)
		buf_add(&b, NULL, 0);
	*lenp = b.len;
	return b.data;
}
