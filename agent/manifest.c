/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Building manifest.json. Fields are a jansson object; entries and
 * errors are appended as serialised lines and spliced in at the end.
 */
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "util.h"

#define MANIFEST_MAX_ERRORS	200000

struct manifest {
	json_t		*fields;
	struct buf	 entries;
	struct buf	 errors;
	struct buf	 links;
	size_t		 nlinks;
	size_t		 nentries;
	size_t		 nerrors;
	size_t		 dropped_errors;
	uint64_t	 bytes;
	size_t		 ntruncated;
};

struct manifest *
manifest_new(void)
{
	struct manifest	*m;

	m = xcalloc(1, sizeof *m);
	m->fields = json_object();
	return m;
}

void
manifest_free(struct manifest *m)
{
	if (m == NULL)
		return;
	json_decref(m->fields);
	buf_free(&m->entries);
	buf_free(&m->errors);
	buf_free(&m->links);
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

/* Append o as one line of list b (with the separator); steals o. */
static void
manifest_append(struct buf *b, json_t *o)
{
	char	*s;

	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (s == NULL)
		fatal("json_dumps");
	buf_addstr(b, b->len == 0 ? "\n    " : ",\n    ");
	buf_addstr(b, s);
	free(s);
}

void
manifest_add_entry(struct manifest *m, const struct manifest_entry *e)
{
	manifest_append(&m->entries, manifest_entry_json(e));
	m->nentries++;
	m->bytes += e->size;
	if (e->truncated)
		m->ntruncated++;
}

void
manifest_add_error(struct manifest *m, const char *path,
    const char *collector, const char *error)
{
	json_t	*o;
	char	*lossy;

	if (m->nerrors >= MANIFEST_MAX_ERRORS) {
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
	m->nerrors++;
}

void
manifest_add_link(struct manifest *m, const char *path, const char *target)
{
	json_t	*o;

	if (m->nlinks >= MANIFEST_MAX_ERRORS)
		return;
	o = json_object();
	util_json_set_name(o, "path", path);
	util_json_set_name(o, "target", target);
	manifest_append(&m->links, o);
	m->nlinks++;
}

size_t
manifest_nentries(struct manifest *m)
{
	return m->nentries;
}

size_t
manifest_nerrors(struct manifest *m)
{
	return m->nerrors + m->dropped_errors;
}

char *
manifest_dump(struct manifest *m, size_t *lenp)
{
	struct buf	 b = { 0 };
	json_t		*stats;
	char		*head, *s;

	head = json_dumps(m->fields, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (head == NULL)
		fatal("json_dumps");
	/* Drop the closing "\n}" to splice the lists in. */
	s = strrchr(head, '}');
	while (s > head && (s[-1] == '\n' || s[-1] == ' '))
		s--;
	*s = '\0';
	buf_addstr(&b, head);
	free(head);
	buf_addstr(&b, json_object_size(m->fields) ? ",\n" : "\n");
	buf_addstr(&b, "  \"entries\": [");
	buf_add(&b, m->entries.data, m->entries.len);
	buf_addstr(&b, m->nentries ? "\n  ],\n" : "],\n");
	buf_addstr(&b, "  \"errors\": [");
	buf_add(&b, m->errors.data, m->errors.len);
	buf_addstr(&b, m->nerrors ? "\n  ],\n" : "],\n");
	buf_addstr(&b, "  \"links\": [");
	buf_add(&b, m->links.data, m->links.len);
	buf_addstr(&b, m->nlinks ? "\n  ],\n" : "],\n");

	stats = json_pack("{s:I, s:I, s:I, s:I, s:I}",
	    "entries", (json_int_t)m->nentries,
	    "bytes", (json_int_t)m->bytes,
	    "truncated", (json_int_t)m->ntruncated,
	    "errors", (json_int_t)(m->nerrors + m->dropped_errors),
	    "errors_not_listed", (json_int_t)m->dropped_errors);
	s = json_dumps(stats, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(stats);
	buf_printf(&b, "  \"stats\": %s\n}\n", s);
	free(s);
	*lenp = b.len;
	return b.data;
}
