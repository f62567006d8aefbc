/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The report's data, gathered through the verify tap while the archive is
 * checked (it is read once), then written as JSON inside the page's
 * template. Everything here is hostile until verify_archive says
 * otherwise, and the page treats it as text all along: the JSON sits in a
 * <script type="application/json"> block with each '<' written \u003c,
 * and the page's script builds its DOM with textContent only.
 *
 * Memory is bounded whatever the archive: each table keeps at most
 * REPORT_ROWS_MAX records and REPORT_STREAM_BYTES of record text, each
 * record only its top-level scalar fields (strings cut at 1 KiB); the
 * bodyfile gives its REPORT_FILE_EVENTS most recent events (a min-heap);
 * manifest.json and summary.json are parsed only under a cap, and the
 * manifest's run facts are read from its head when it is larger.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "report.h"
#include "util.h"

#define REPORT_LINE_MAX		(64U << 10)
#define REPORT_STR_MAX		1024
#define REPORT_FIELDS_MAX	48
#define REPORT_SUMMARY_MAX	(16U << 20)
/* Parsed whole under this; above, only the run facts of its head. */
#define REPORT_MANIFEST_MAX	(16U << 20)
#define REPORT_HEAD_MAX		(1U << 20)
#define REPORT_PATH_MAX		1024
#define REPORT_DATA_MARK	"<!--REPORT-DATA-->"
#define REPORT_HASH_MARK	"REPORT-SCRIPT-HASH"

/* The line streams shown as tables: archive entry, key in the page. */
static const struct {
	const char	*entry;
	const char	*key;
} report_streams[] = {
	{ "live/processes.jsonl", "processes" },
	{ "live/network.jsonl", "network" },
	{ "live/logins.jsonl", "logins" },
	{ "live/persistence.jsonl", "persistence" },
	{ "live/users.jsonl", "users" },
	{ "yara/matches.jsonl", "yara" },
	{ "iocs/matches.jsonl", "iocs" },
	{ "live/package_integrity.jsonl", "integrity" },
	{ "collection.log", "log" },
};
#define REPORT_NSTREAMS	(sizeof report_streams / sizeof report_streams[0])

enum report_kind { R_NONE, R_LINES, R_BODY, R_MANIFEST, R_SUMMARY };

struct report_rows {
	json_t		*rows;
	size_t		 total;		/* records seen */
	size_t		 bytes;		/* record text kept */
	size_t		 bad;		/* lines not a JSON object, or too long */
	int		 present;
};

struct report_event {
	long long	 t;
	char		 macb[5];
	char		*path;
};

struct report {
	char			 lang[3];
	char			 reference[16];
	enum report_kind	 kind;
	struct report_rows	*cur;
	struct lines		 lines;
	struct buf		 whole;		/* manifest or summary */
	int			 wholecut;
	struct report_rows	 rows[REPORT_NSTREAMS];
	/* The bodyfile: a min-heap on time of the most recent events. */
	struct report_event	*ev;
	size_t			 nev;
	size_t			 evtotal;
	int			 body;
	size_t			 body_bad;
	json_t			*manifest;
	int			 manifest_cut;
	json_t			*summary;
	int			 summary_bad;
};

void
report_set_reference(struct report *r, const char *ref)
{
	snprintf(r->reference, sizeof r->reference, "%s", ref);
}

struct report *
report_new(const char *lang)
{
	struct report	*r;

	r = xcalloc(1, sizeof *r);
	r->lines.max = REPORT_LINE_MAX;
	snprintf(r->lang, sizeof r->lang, "%s",
	    lang != NULL && strcmp(lang, "fr") == 0 ? "fr" : "en");
	return r;
}

void
report_free(struct report *r)
{
	size_t	i;

	if (r == NULL)
		return;
	for (i = 0; i < REPORT_NSTREAMS; i++)
		json_decref(r->rows[i].rows);
	for (i = 0; i < r->nev; i++)
		free(r->ev[i].path);
	free(r->ev);
	buf_free(&r->lines.buf);
	buf_free(&r->whole);
	json_decref(r->manifest);
	json_decref(r->summary);
	free(r);
}

/* s cut to at most max bytes on a character boundary (s is UTF-8). */
static json_t *
report_str(const char *s, size_t len)
{
	if (len > REPORT_STR_MAX) {
		len = REPORT_STR_MAX;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	return json_stringn(s, len);
}

/*
 * An object's scalars one level down, as "key.sub" (an IOC sighting's
 * indicator); deeper objects and arrays are left out.
 */
static void
report_flat_sub(json_t *out, const char *key, json_t *obj, size_t *n)
{
	json_t		*v;
	const char	*k;
	char		*name;

	json_object_foreach(obj, k, v) {
		if ((*n)++ >= REPORT_FIELDS_MAX)
			return;
		if (json_is_object(v) || json_is_array(v))
			continue;
		name = xasprintf("%s.%s", key, k);
		if (json_is_string(v))
			json_object_set_new(out, name, report_str(
			    json_string_value(v), json_string_length(v)));
		else
			json_object_set(out, name, v);
		free(name);
	}
}

/*
 * A record's top-level scalars, its arrays of scalars joined with
 * spaces (a command line) and its objects' scalars as "key.sub"; deeper
 * levels are left out.
 */
static json_t *
report_flat(json_t *rec)
{
	json_t		*out, *v, *e;
	struct buf	 b = { 0 };
	const char	*k;
	size_t		 i, n = 0;

	out = json_object();
	json_object_foreach(rec, k, v) {
		if (n++ >= REPORT_FIELDS_MAX)
			break;
		if (json_is_object(v))
			report_flat_sub(out, k, v, &n);
		else if (json_is_string(v))
			json_object_set_new(out, k, report_str(json_string_value(v),
			    json_string_length(v)));
		else if (json_is_array(v)) {
			b.len = 0;
			json_array_foreach(v, i, e) {
				if (b.len > REPORT_STR_MAX)
					break;
				if (b.len > 0)
					buf_addstr(&b, " ");
				if (json_is_string(e))
					buf_add(&b, json_string_value(e),
					    json_string_length(e));
				else if (json_is_integer(e))
					buf_printf(&b, "%lld", (long long)
					    json_integer_value(e));
			}
			if (b.len > 0)
				json_object_set_new(out, k, report_str(b.data,
				    b.len));
		} else
			json_object_set(out, k, v);
	}
	buf_free(&b);
	return out;
}

static void
report_line(struct report *r, const char *s, size_t len)
{
	struct report_rows	*rs = r->cur;
	json_t			*rec;

	rs->total++;
	if (rs->total > REPORT_ROWS_MAX || rs->bytes + len > REPORT_STREAM_BYTES)
		return;
	rec = json_loadb(s, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(rec)) {
		rs->bad++;
		json_decref(rec);
		return;
	}
	rs->bytes += len;
	json_array_append_new(rs->rows, report_flat(rec));
	json_decref(rec);
}

static void
report_heap_down(struct report *r, size_t i)
{
	struct report_event	 tmp;
	size_t			 c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= r->nev)
			return;
		if (c + 1 < r->nev && r->ev[c + 1].t < r->ev[c].t)
			c++;
		if (r->ev[i].t <= r->ev[c].t)
			return;
		tmp = r->ev[i];
		r->ev[i] = r->ev[c];
		r->ev[c] = tmp;
		i = c;
	}
}

static void
report_heap_up(struct report *r, size_t i)
{
	struct report_event	 tmp;

	while (i > 0 && r->ev[(i - 1) / 2].t > r->ev[i].t) {
		tmp = r->ev[i];
		r->ev[i] = r->ev[(i - 1) / 2];
		r->ev[(i - 1) / 2] = tmp;
		i = (i - 1) / 2;
	}
}

/* Keep the event if it is among the most recent REPORT_FILE_EVENTS. */
static void
report_event(struct report *r, long long t, const char *macb,
    const char *path, size_t plen)
{
	struct report_event	*e;

	r->evtotal++;
	if (r->nev == REPORT_FILE_EVENTS) {
		if (t <= r->ev[0].t)
			return;
		e = &r->ev[0];
		free(e->path);
	} else {
		if (r->ev == NULL)
			r->ev = xreallocarray(NULL, REPORT_FILE_EVENTS,
			    sizeof *r->ev);
		e = &r->ev[r->nev++];
	}
	e->t = t;
	snprintf(e->macb, sizeof e->macb, "%s", macb);
	e->path = xstrndup(path, plen > REPORT_PATH_MAX ? REPORT_PATH_MAX :
	    plen);
	if (e == &r->ev[0] && r->nev == REPORT_FILE_EVENTS)
		report_heap_down(r, 0);
	else
		report_heap_up(r, r->nev - 1);
}

/*
 * A TSK bodyfile line, MD5|name|inode|mode|uid|gid|size|atime|mtime|
 * ctime|crtime: the name may hold '|', so the ten other fields are taken
 * from both ends. One event per distinct time, its letters "m.c." like
 * mactime's.
 */
int
report_body_line(const char *s, size_t len, long long tm[4], size_t *noff,
    size_t *nlen)
{
	const char	*p, *end = s + len, *bar[9];
	char		 num[24];
	size_t		 i, n;
	int		 k;

	if ((p = memchr(s, '|', len)) == NULL)
		return -1;
	*noff = (size_t)(p + 1 - s);
	/* the last 9 '|' from the end */
	for (k = 8, p = end; k >= 0; k--) {
		while (p > s + *noff && p[-1] != '|')
			p--;
		if (p <= s + *noff)
			return -1;
		bar[k] = --p;
	}
	*nlen = (size_t)(bar[0] - (s + *noff));
	/* atime, mtime, ctime, crtime: after bar[5]..bar[8] */
	for (k = 0; k < 4; k++) {
		p = bar[5 + k] + 1;
		n = (size_t)((k < 3 ? bar[6 + k] : end) - p);
		if (n == 0 || n >= sizeof num)
			return -1;
		for (i = 0; i < n; i++)
			if ((p[i] < '0' || p[i] > '9') && !(i == 0 && p[i] == '-'))
				return -1;
		memcpy(num, p, n);
		num[n] = '\0';
		tm[k] = strtoll(num, NULL, 10);
	}
	return 0;
}

static void
report_body(struct report *r, const char *s, size_t len)
{
	long long	 tm[4], t;
	size_t		 noff, nlen;
	char		 macb[5];
	int		 i, j;
	/* bodyfile order a, m, c, b; mactime's letters m, a, c, b */
	static const int	 slot[4] = { 1, 0, 2, 3 };

	if (report_body_line(s, len, tm, &noff, &nlen) == -1) {
		r->body_bad++;
		return;
	}
	for (i = 0; i < 4; i++) {
		t = tm[i];
		if (t <= 0)
			continue;
		for (j = 0; j < i; j++)
			if (tm[j] == t)
				break;
		if (j < i)
			continue;
		memcpy(macb, "....", 5);
		for (j = 0; j < 4; j++)
			if (tm[j] == t)
				macb[slot[j]] = "macb"[slot[j]];
		report_event(r, t, macb, s + noff, nlen);
	}
}

/* A line of a stream or of the bodyfile (NULL: one over the cap). */
static void
report_lines_cb(void *arg, char *s, size_t len)
{
	struct report	*r = arg;

	if (s == NULL) {
		if (r->kind == R_LINES) {
			r->cur->total++;
			r->cur->bad++;
		}
	} else if (r->kind == R_BODY)
		report_body(r, s, len);
	else
		report_line(r, s, len);
}

static int
report_open(void *arg, const char *path, uint64_t size)
{
	struct report	*r = arg;
	size_t		 i;

	(void)size;
	r->kind = R_NONE;
	lines_reset(&r->lines);
	r->whole.len = 0;
	r->wholecut = 0;
	for (i = 0; i < REPORT_NSTREAMS; i++)
		if (strcmp(path, report_streams[i].entry) == 0) {
			r->kind = R_LINES;
			r->cur = &r->rows[i];
			r->cur->present = 1;
			if (r->cur->rows == NULL)
				r->cur->rows = json_array();
			return 1;
		}
	if (strcmp(path, "timeline/bodyfile.txt") == 0) {
		r->kind = R_BODY;
		r->body = 1;
	} else if (strcmp(path, "manifest.json") == 0)
		r->kind = R_MANIFEST;
	else if (strcmp(path, "summary.json") == 0)
		r->kind = R_SUMMARY;
	return r->kind != R_NONE;
}

static void
report_data(void *arg, const void *buf, size_t len)
{
	struct report	*r = arg;
	size_t		 cap, room;

	switch (r->kind) {
	case R_LINES:
	case R_BODY:
		lines_feed(&r->lines, buf, len, report_lines_cb, r);
		break;
	case R_MANIFEST:
	case R_SUMMARY:
		cap = r->kind == R_SUMMARY ? REPORT_SUMMARY_MAX :
		    REPORT_MANIFEST_MAX;
		room = cap - r->whole.len;
		if (len > room) {
			r->wholecut = 1;
			len = room;
		}
		buf_add(&r->whole, buf, len);
		break;
	case R_NONE:
		break;
	}
}

/*
 * The run facts of a manifest too large to parse: its members before
 * "entries", which the agent writes first.
 */
static json_t *
report_manifest_head(const char *s, size_t len)
{
	struct buf	 b = { 0 };
	const char	*e;
	json_t		*j;

	if (len > REPORT_HEAD_MAX)
		len = REPORT_HEAD_MAX;
	buf_add(&b, s, len);
	if ((e = strstr(b.data, ",\"entries\":[")) == NULL) {
		buf_free(&b);
		return NULL;
	}
	b.len = (size_t)(e - b.data);
	buf_addstr(&b, "}");
	j = json_loadb(b.data, b.len, 0, NULL);
	buf_free(&b);
	return j;
}

static void
report_close(void *arg, int rc)
{
	struct report	*r = arg;

	if (rc == 0 && (r->kind == R_LINES || r->kind == R_BODY))
		lines_end(&r->lines, report_lines_cb, r);
	lines_reset(&r->lines);
	if (r->kind == R_MANIFEST && rc == 0) {
		json_decref(r->manifest);
		r->manifest = NULL;
		r->manifest_cut = r->wholecut;
		if (!r->wholecut)
			r->manifest = json_loadb(r->whole.data, r->whole.len,
			    0, NULL);
		else
			r->manifest = report_manifest_head(r->whole.data,
			    r->whole.len);
		if (r->manifest != NULL && json_is_object(r->manifest))
			json_object_del(r->manifest, "entries");
	} else if (r->kind == R_SUMMARY && rc == 0) {
		json_decref(r->summary);
		r->summary = r->wholecut ? NULL : json_loadb(r->whole.data,
		    r->whole.len, 0, NULL);
		if (!json_is_object(r->summary)) {
			json_decref(r->summary);
			r->summary = NULL;
			r->summary_bad = 1;
		}
	}
	/* The manifest's bytes can be large: give them back now. */
	buf_free(&r->whole);
	r->kind = R_NONE;
}

void
report_tap(struct report *r, struct verify_tap *t)
{
	t->open = report_open;
	t->data = report_data;
	t->close = report_close;
	t->arg = r;
}

static int
report_cmp_event(const void *a, const void *b)
{
	const struct report_event	*x = a, *y = b;

	return x->t < y->t ? -1 : x->t > y->t;
}

/* The page's data, one JSON object. */
static json_t *
report_json(struct report *r, const char *archive)
{
	json_t		*d, *streams, *s, *ev, *e;
	const char	*base;
	char		*lossy;
	size_t		 i;

	d = json_object();
	base = strrchr(archive, '/');
	json_object_set_new(d, "archive", json_string(base != NULL ?
	    base + 1 : archive));
	json_object_set_new(d, "lang", json_string(r->lang));
	json_object_set_new(d, "reference", json_string(r->reference));
	json_object_set(d, "manifest", r->manifest != NULL ? r->manifest :
	    json_null());
	json_object_set_new(d, "manifest_cut", json_boolean(r->manifest_cut));
	json_object_set(d, "summary", r->summary != NULL ? r->summary :
	    json_null());
	json_object_set_new(d, "summary_bad", json_boolean(r->summary_bad));
	streams = json_object();
	for (i = 0; i < REPORT_NSTREAMS; i++) {
		if (!r->rows[i].present)
			continue;
		s = json_object();
		json_object_set_new(s, "entry",
		    json_string(report_streams[i].entry));
		json_object_set(s, "rows", r->rows[i].rows);
		json_object_set_new(s, "total",
		    json_integer((json_int_t)r->rows[i].total));
		json_object_set_new(s, "bad",
		    json_integer((json_int_t)r->rows[i].bad));
		json_object_set_new(streams, report_streams[i].key, s);
	}
	json_object_set_new(d, "streams", streams);
	if (r->nev > 0)
		qsort(r->ev, r->nev, sizeof *r->ev, report_cmp_event);
	ev = json_array();
	for (i = 0; i < r->nev; i++) {
		e = json_array();
		json_array_append_new(e, json_integer(r->ev[i].t));
		json_array_append_new(e, json_string(r->ev[i].macb));
		/* a bodyfile name is bytes: shown lossy */
		if (util_utf8_valid(r->ev[i].path))
			json_array_append_new(e, json_string(r->ev[i].path));
		else {
			lossy = util_utf8_lossy(r->ev[i].path);
			json_array_append_new(e, json_string(lossy));
			free(lossy);
		}
		json_array_append_new(ev, e);
	}
	s = json_object();
	json_object_set_new(s, "present", json_boolean(r->body));
	json_object_set_new(s, "events", ev);
	json_object_set_new(s, "total", json_integer((json_int_t)r->evtotal));
	json_object_set_new(s, "bad", json_integer((json_int_t)r->body_bad));
	json_object_set_new(s, "kept_max", json_integer(REPORT_FILE_EVENTS));
	json_object_set_new(d, "files", s);
	return d;
}

struct report_out {
	int		 fd;
	struct buf	 b;
	int		 err;
};

static int
report_flush(struct report_out *o)
{
	if (o->b.len > 0 && !o->err &&
	    util_write_all(o->fd, o->b.data, o->b.len) == -1)
		o->err = errno != 0 ? errno : EIO;
	o->b.len = 0;
	return o->err ? -1 : 0;
}

/* jansson's output, each '<' as \u003c: no "</script" can appear. */
static int
report_dump_cb(const char *s, size_t len, void *arg)
{
	struct report_out	*o = arg;
	const char		*lt;

	while (len > 0) {
		if ((lt = memchr(s, '<', len)) == NULL) {
			buf_add(&o->b, s, len);
			break;
		}
		buf_add(&o->b, s, (size_t)(lt - s));
		buf_addstr(&o->b, "\\u003c");
		len -= (size_t)(lt - s) + 1;
		s = lt + 1;
	}
	if (o->b.len >= (1U << 20))
		return report_flush(o);
	return 0;
}

int
report_write(struct report *r, const char *archive, int fd)
{
	struct report_out	 o = { fd, { 0 }, 0 };
	unsigned char		 sum[crypto_hash_sha256_BYTES];
	char			 b64[sodium_base64_ENCODED_LEN(
				    crypto_hash_sha256_BYTES,
				    sodium_base64_VARIANT_ORIGINAL)];
	const char		*mark, *hmark, *js, *jsend;
	json_t			*d;
	int			 rc;

	mark = strstr(report_html, REPORT_DATA_MARK);
	hmark = strstr(report_html, REPORT_HASH_MARK);
	js = mark != NULL ? strstr(mark, "<script>") : NULL;
	jsend = js != NULL ? strstr(js, "</script>") : NULL;
	if (hmark == NULL || jsend == NULL || hmark > mark) {
		errno = EINVAL;
		return -1;
	}
	/*
	 * The page's one script is allowed by its hash, not 'unsafe-inline':
	 * an event handler in markup would not run even if some archive
	 * string ever became markup.
	 */
	js += strlen("<script>");
	crypto_hash_sha256(sum, (const unsigned char *)js, (size_t)(jsend - js));
	sodium_bin2base64(b64, sizeof b64, sum, sizeof sum,
	    sodium_base64_VARIANT_ORIGINAL);
	buf_add(&o.b, report_html, (size_t)(hmark - report_html));
	buf_printf(&o.b, "sha256-%s", b64);
	hmark += strlen(REPORT_HASH_MARK);
	buf_add(&o.b, hmark, (size_t)(mark - hmark));
	buf_addstr(&o.b, "<script type=\"application/json\" id=\"data\">");
	d = report_json(r, archive);
	rc = json_dump_callback(d, report_dump_cb, &o, JSON_COMPACT |
	    JSON_ENSURE_ASCII);
	json_decref(d);
	buf_addstr(&o.b, "</script>");
	buf_addstr(&o.b, mark + strlen(REPORT_DATA_MARK));
	if (rc == -1 && !o.err)
		o.err = ENOMEM;
	report_flush(&o);
	buf_free(&o.b);
	if (o.err) {
		errno = o.err;
		return -1;
	}
	return 0;
}
