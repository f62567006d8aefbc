/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Timesketch JSONL: one event a line with message, datetime, timestamp
 * (microseconds), timestamp_desc in plaso's words, data_type,
 * source_short/source_long as plaso sets them, and the record's own
 * fields flat. Also the YARA and IOC matches kept for export_finish
 * (their time is the file's mtime, known only from the manifest, which
 * comes last).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "export-int.h"

/* plaso's timestamp descriptions (plaso/lib/definitions.py). */
#define TS_MTIME	"Content Modification Time"
#define TS_ATIME	"Last Access Time"
#define TS_CTIME	"Metadata Modification Time"
#define TS_CRTIME	"Creation Time"
#define TS_LOGIN	"Last Login Time"
#define TS_START	"Start Time"
#define TS_END		"End Time"
#define TS_INSTALL	"Installation Time"
#define TS_CHECKED	"Last Checked Time"

#define S(s)	((s) != NULL ? (s) : "-")

void
export_iso(char *out, size_t len, int64_t t)
{
	int64_t	sec = t / 1000000, us = t % 1000000;

	if (us < 0) {
		us += 1000000;
		sec--;
	}
	util_iso8601(out, len, (time_t)sec, (long)us);
}

/* One event; fields (the flat record fields) is released. */
static void
export_ts_event(struct export *ex, int64_t t, const char *desc,
    const char *dtype, const char *sshort, const char *slong,
    const char *msg, json_t *fields)
{
	json_t	*ev;
	char	 when[48];

	export_iso(when, sizeof when, t);
	ev = json_pack("{s:s%, s:s, s:I, s:s, s:s, s:s, s:s}", "message", msg,
	    strlen(msg), "datetime", when, "timestamp", (json_int_t)t,
	    "timestamp_desc", desc, "data_type", dtype, "source_short", sshort,
	    "source_long", slong);
	if (ev == NULL)
		fatal("json_pack");
	if (fields != NULL) {
		json_object_update_missing(ev, fields);
		json_decref(fields);
	}
	export_emit_json(ex, ev, 0);
}

/* A record's fields, flat: scalars as they are, arrays of strings
 * joined with spaces, anything else as its JSON text. */
static json_t *
export_flat(json_t *rec)
{
	json_t		*out = json_object(), *v, *x;
	const char	*k;
	struct buf	 b = { 0 };
	size_t		 i;
	char		*s;

	json_object_foreach(rec, k, v) {
		if (!json_is_array(v) && !json_is_object(v)) {
			json_object_set(out, k, v);
			continue;
		}
		b.len = 0;
		buf_add(&b, "", 0);
		json_array_foreach(v, i, x)
			if (json_is_string(x))
				buf_printf(&b, "%s%s", i ? " " : "",
				    json_string_value(x));
		if (json_is_array(v) && b.len == strlen(b.data) &&
		    (json_array_size(v) == 0 || b.len > 0)) {
			json_object_set_new(out, k, json_string(b.data));
			continue;
		}
		if ((s = json_dumps(v, JSON_COMPACT)) != NULL)
			json_object_set_new(out, k, json_string(s));
		free(s);
	}
	buf_free(&b);
	return out;
}

static const char *
export_str(json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

/*
 * A bodyfile line: one event per distinct time, as mactime prints one
 * line per time with its "macb" column (a dot for the kinds at another
 * time); the event's timestamp_desc is its first kind in m, a, c, b
 * order. A time of 0 is "unknown" in a bodyfile: no event.
 */
void
export_ts_body(struct export *ex, char *s, size_t len)
{
	/* t[] is atime, mtime, ctime, crtime; mactime's order is m a c b */
	static const int	 order[4] = { 1, 0, 2, 3 };
	static const char	*desc[4] = { TS_ATIME, TS_MTIME, TS_CTIME,
				    TS_CRTIME };
	static const char	 letter[4] = { 'a', 'm', 'c', 'b' };
	struct export_body	 b;
	json_t			*f;
	char			 macb[5], *msg, *name;
	int			 i, j, k, done;

	if (export_body_parse(s, len, &b) == -1) {
		ex->bad_lines++;
		return;
	}
	name = util_utf8_lossy(b.name);
	for (i = 0; i < 4; i++) {
		k = order[i];
		for (done = 0, j = 0; j < i; j++)
			done |= b.t[order[j]] == b.t[k];
		if (b.t[k] <= 0 || done)
			continue;
		memcpy(macb, "....", 5);
		for (j = 0; j < 4; j++)
			if (b.t[order[j]] == b.t[k])
				macb[j] = letter[order[j]];
		f = json_pack("{s:I, s:s, s:I, s:I, s:I, s:s}", "inode",
		    (json_int_t)b.inode, "mode", b.mode, "uid",
		    (json_int_t)b.uid, "gid", (json_int_t)b.gid, "size",
		    (json_int_t)b.size, "macb", macb);
		if (f == NULL)
			f = json_object();
		util_json_set_name(f, "path", b.name);
		if (strcmp(b.md5, "0") != 0 && util_utf8_valid(b.md5))
			json_object_set_new(f, "md5", json_string(b.md5));
		msg = xasprintf("%s [%s] %s uid %lld size %lld", name, macb,
		    util_utf8_valid(b.mode) ? b.mode : "?", b.uid, b.size);
		export_ts_event(ex, (int64_t)b.t[k] * 1000000, desc[k],
		    "fs:bodyfile", "FILE", "csirt-collect bodyfile", msg, f);
		free(msg);
	}
	free(name);
}

static void
export_ts_login(struct export *ex, json_t *rec, int64_t t)
{
	const char	*src = export_str(rec, "source");
	const char	*type = export_str(rec, "type"), *desc = TS_LOGIN;
	char		*msg;

	if (type != NULL && strcmp(type, "DEAD_PROCESS") == 0)
		desc = TS_END;
	else if (type != NULL && strcmp(type, "USER_PROCESS") != 0 &&
	    strcmp(type, "LOGIN_PROCESS") != 0)
		desc = TS_START;
	msg = xasprintf("%s %s user %s from %s on %s", S(src), type ? type :
	    "login", S(export_str(rec, "user")), S(export_str(rec, "host")),
	    S(export_str(rec, "line")));
	export_ts_event(ex, t, desc, "linux:utmp:event", "LOG",
	    "csirt-collect logins (utmp, wtmp, btmp, lastlog)", msg,
	    export_flat(rec));
	free(msg);
}

void
export_ts_record(struct export *ex, int kind, json_t *rec)
{
	const char	*key = kind == EXPORT_K_LOGINS ? "time" :
			    kind == EXPORT_K_PROCS ? "start_time" : "installed";
	int64_t		 t;
	char		*msg;

	if (export_time_parse(export_str(rec, key), &t) == -1)
		return;		/* no time: not an event */
	if (kind == EXPORT_K_LOGINS) {
		export_ts_login(ex, rec, t);
		return;
	}
	if (kind == EXPORT_K_PROCS)
		msg = xasprintf("process %lld %s started (%s) by %s",
		    (long long)json_integer_value(json_object_get(rec, "pid")),
		    S(export_str(rec, "name")), S(export_str(rec, "exe")),
		    S(export_str(rec, "user")));
	else
		msg = xasprintf("package %s %s (%s) installed (%s)",
		    S(export_str(rec, "name")), S(export_str(rec, "version")),
		    S(export_str(rec, "arch")), S(export_str(rec, "manager")));
	if (kind == EXPORT_K_PROCS)
		export_ts_event(ex, t, TS_START, "linux:process:start", "PROC",
		    "csirt-collect processes", msg, export_flat(rec));
	else
		export_ts_event(ex, t, TS_INSTALL, "linux:package:install",
		    "PKG", "csirt-collect packages", msg, export_flat(rec));
	free(msg);
}

/* A hex digest of n digits in s, or NULL. */
static const char *
export_hex(const char *s, size_t n)
{
	return s != NULL && strlen(s) == n && strspn(s, "0123456789abcdef")
	    == n ? s : NULL;
}

void
export_finding_add(struct export *ex, int ioc, json_t *rec)
{
	struct export_finding	*f;
	const char		*type, *ind;

	if (ex->nf == EXPORT_FINDINGS_MAX) {
		ex->f_dropped++;
		return;
	}
	if ((ex->nf & (ex->nf - 1)) == 0)
		ex->f = xreallocarray(ex->f, ex->nf ? 2 * ex->nf : 1,
		    sizeof *ex->f);
	f = &ex->f[ex->nf++];
	memset(f, 0, sizeof *f);
	f->ioc = ioc;
	f->rec = json_incref(rec);
	f->path = export_str(rec, "path");
	f->sha256 = export_hex(export_str(rec, "sha256"), 64);
	f->md5 = export_hex(export_str(rec, "md5"), 32);
	f->addr = export_str(rec, "addr");
	if (export_time_parse(export_str(rec, "time"), &f->time) == -1)
		f->time = -1;
	f->mtime = -1;
	type = export_str(rec, "type");
	ind = export_str(rec, "indicator");
	if (ioc && type != NULL && ind != NULL) {
		/* The indicator itself is the observable. */
		if (f->sha256 == NULL && strcmp(type, "sha256") == 0)
			f->sha256 = export_hex(ind, 64);
		if (f->md5 == NULL && strcmp(type, "md5") == 0)
			f->md5 = export_hex(ind, 32);
	}
}

void
export_finding_clear(struct export_finding *f)
{
	json_decref(f->rec);
}

static int
export_finding_cmp(const void *a, const void *b)
{
	const struct export_finding	*x = a, *y = b;

	if (x->path == NULL || y->path == NULL)
		return (x->path == NULL) - (y->path == NULL);
	return strcmp(x->path, y->path);
}

/* verify_manifest_each's callback: a collected file's mtime to the
 * matches on it. The findings are sorted by path first. */
void
export_manifest_entry(void *arg, json_t *e)
{
	struct export		*ex = arg;
	struct export_finding	 key, *f;
	const char		*p = export_str(e, "path");
	int64_t			 t;
	size_t			 i;

	if (ex->nf == 0 || p == NULL || strncmp(p, "files/", 6) != 0 ||
	    export_time_parse(export_str(e, "mtime"), &t) == -1)
		return;
	key.path = p + 5;
	if ((f = bsearch(&key, ex->f, ex->nf, sizeof *ex->f,
	    export_finding_cmp)) == NULL)
		return;
	i = (size_t)(f - ex->f);
	while (i > 0 && ex->f[i - 1].path != NULL &&
	    strcmp(ex->f[i - 1].path, key.path) == 0)
		i--;
	for (; i < ex->nf && ex->f[i].path != NULL &&
	    strcmp(ex->f[i].path, key.path) == 0; i++) {
		ex->f[i].mtime = t;
		ex->f[i].truncated = json_is_true(json_object_get(e,
		    "truncated"));
	}
}

/* The key of a files/ entry's md5: BLAKE2b-128 of prefix and name. */
void
export_md5_key(unsigned char *key, const char *prefix, const char *name)
{
	crypto_generichash_state	st;

	crypto_generichash_init(&st, NULL, 0, 16);
	crypto_generichash_update(&st, (const unsigned char *)prefix,
	    strlen(prefix));
	crypto_generichash_update(&st, (const unsigned char *)name,
	    strlen(name));
	crypto_generichash_final(&st, key, 16);
}

static int
export_md5_cmp(const void *a, const void *b)
{
	return memcmp(((const struct export_md5 *)a)->key,
	    ((const struct export_md5 *)b)->key, 16);
}

/* The md5 of each matched file's archived copy (MISP, STIX). */
void
export_findings_md5(struct export *ex)
{
	struct export_md5	 key, *m;
	struct export_finding	*f;
	size_t			 i;

	if (ex->nmd5 == 0)
		return;
	qsort(ex->md5s, ex->nmd5, sizeof *ex->md5s, export_md5_cmp);
	for (i = 0; i < ex->nf; i++) {
		f = &ex->f[i];
		/* a cut copy's md5 is not the file's */
		if (f->md5 != NULL || f->path == NULL || f->path[0] != '/' ||
		    f->truncated)
			continue;
		export_md5_key(key.key, "files", f->path);
		if ((m = bsearch(&key, ex->md5s, ex->nmd5, sizeof *ex->md5s,
		    export_md5_cmp)) == NULL)
			continue;
		util_hex(f->md5buf, m->md5, sizeof m->md5);
		f->md5 = f->md5buf;
	}
}

void
export_findings_sort(struct export *ex)
{
	if (ex->nf > 0)
		qsort(ex->f, ex->nf, sizeof *ex->f, export_finding_cmp);
}

/* The matches as events, once their files' times are known. */
void
export_ts_findings(struct export *ex, json_t *top)
{
	struct export_finding	*f;
	const char		*desc, *what;
	int64_t			 run = -1, t;
	char			*msg;
	size_t			 i;

	if (top != NULL && export_time_parse(export_str(top, "started"),
	    &run) == -1)
		run = -1;
	for (i = 0; i < ex->nf; i++) {
		f = &ex->f[i];
		if (f->time >= 0) {
			t = f->time;
			desc = TS_CHECKED;
		} else if (f->mtime >= 0) {
			t = f->mtime;
			desc = TS_MTIME;
		} else if (run >= 0) {
			t = run;
			desc = TS_CHECKED;
		} else
			continue;
		what = f->path != NULL ? f->path : f->addr;
		if (f->ioc)
			msg = xasprintf("IOC %s (%s) matched %s %s",
			    S(export_str(f->rec, "indicator")),
			    S(export_str(f->rec, "type")),
			    S(export_str(f->rec, "where")), S(what));
		else
			msg = xasprintf("YARA rule %s matched %s %s",
			    S(export_str(f->rec, "rule")),
			    S(export_str(f->rec, "target")), what != NULL ?
			    what : S(export_str(f->rec, "process")));
		export_ts_event(ex, t, desc, f->ioc ? "csirt:ioc:match" :
		    "csirt:yara:match", f->ioc ? "IOC" : "YARA", f->ioc ?
		    "csirt-collect IOC matches" : "csirt-collect YARA matches",
		    msg, export_flat(f->rec));
		free(msg);
	}
}
