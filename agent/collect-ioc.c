/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Indicators of compromise seen in the single pass: where the run
 * already has a file's digests, its path, a record's addresses or a
 * YARA hit of the indicators' rules (namespace SCAN_NS_IOCS), it looks
 * them up in the run's set (ioc.h) and writes one sighting per
 * (indicator, place) to iocs/matches.jsonl. Nothing is read for it: the
 * bytes are those the readers read, hashed, scanned and packed anyway.
 *
 * Everything here runs on the archive's thread (collect_record, the
 * jobs as they come back), so it needs no lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect-int.h"
#include "findings.h"
#include "ioc.h"
#include "log.h"
#include "scan.h"

/* Indicators one lookup takes (more: the first ones). */
#define COLLECT_IOC_FOUND	16

struct collect_iocm {
	struct collect_stream	*out;		/* iocs/matches.jsonl */
	struct hset		 seen;		/* (indicator, place) */
	uint64_t		 n, dropped;
};

/* The state, made on the first sighting; NULL when the run has no set. */
static struct collect_iocm *
collect_iocm(struct collect_ctx *ctx)
{
	struct collect_iocm	*im;

	if (ctx->iocs == NULL)
		return NULL;
	if ((im = ctx->iocm) != NULL)
		return im;
	im = ctx->iocm = xcalloc(1, sizeof *im);
	im->out = collect_stream_open(ctx, "iocs/matches.jsonl");
	return im;
}

static json_t *
collect_ioc_json(const struct ioc *i)
{
	json_t	*o = json_object();

	json_object_set_new(o, "type", json_string(ioc_type_name(
	    i->type)));
	util_json_set_name(o, "value", i->value ? i->value : "");
	util_json_set_name(o, "id", i->id ? i->id : "");
	if (i->event != NULL)
		util_json_set_name(o, "event", i->event);
	else
		json_object_set_new(o, "event", json_null());
	if (i->source != NULL)
		util_json_set_name(o, "source", i->source);
	else
		json_object_set_new(o, "source", json_null());
	if (i->comment != NULL)
		util_json_set_name(o, "comment", i->comment);
	else
		json_object_set_new(o, "comment", json_null());
	return o;
}

/*
 * Write one sighting of indicator i at where, identified by the fields
 * of at (borrowed) and by place (the dedup key of the place): once per
 * (indicator, place), at most COLLECT_IOC_MAX of them.
 */
static void
collect_ioc_sighting(struct collect_ctx *ctx, const struct ioc *i,
    const char *where, const char *place, json_t *at)
{
	struct collect_iocm	*im;
	struct buf		 key;
	const char		*k;
	json_t			*rec, *v;
	char			 now[40], *line;

	if ((im = collect_iocm(ctx)) == NULL)
		return;
	/* Past the cap, counted only (the dedup set stops growing too). */
	if (im->n >= COLLECT_IOC_MAX) {
		if (im->dropped++ == 0)
			collect_log(ctx, LOG_WARN, "iocs/matches.jsonl: more "
			    "than %d sightings: the rest are counted, not "
			    "written", COLLECT_IOC_MAX);
		return;
	}
	memset(&key, 0, sizeof key);
	buf_printf(&key, "%s%c%d%c%s%c%s%c%s", i->id ? i->id : "", 0,
	    (int)i->type, 0, i->value ? i->value : "", 0, where, 0, place);
	if (hset_add(&im->seen, key.data, key.len)) {
		buf_free(&key);
		return;
	}
	buf_free(&key);
	im->n++;
	util_now(now, sizeof now);
	rec = json_pack("{s:s, s:o, s:s}", "time", now, "indicator",
	    collect_ioc_json(i), "where", where);
	json_object_foreach(at, k, v)
		json_object_set(rec, k, v);
	/* The summary's counts and finding, from the record as written. */
	findings_record(ctx->findings, "iocs/matches", rec);
	line = json_dumps(rec, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(rec);
	if (line != NULL && im->out != NULL &&
	    collect_stream_write(im->out, line, strlen(line)) == 0)
		collect_stream_write(im->out, "\n", 1);
	free(line);
}

/* Sightings of what one lookup found. */
static void
collect_ioc_found(struct collect_ctx *ctx, const struct ioc **found,
    size_t n, const char *where, const char *place, json_t *at)
{
	size_t	i;

	for (i = 0; i < n && i < COLLECT_IOC_FOUND; i++)
		collect_ioc_sighting(ctx, found[i], where, place, at);
}

/* Sightings of the indicators of type t whose value is hex. */
static size_t
collect_ioc_hex(struct collect_ctx *ctx, enum ioc_type t, const char *hex,
    const char *where, const char *place, json_t *at)
{
	const struct ioc	*found[COLLECT_IOC_FOUND];
	size_t			 n;

	if (ioc_set_count(ctx->iocs, t) == 0)
		return 0;
	n = ioc_find_hash(ctx->iocs, t, hex, found, COLLECT_IOC_FOUND);
	collect_ioc_found(ctx, found, n, where, place, at);
	return n;
}

static size_t
collect_ioc_hash(struct collect_ctx *ctx, enum ioc_type t,
    const unsigned char *sum, size_t len, const char *where,
    const char *place, json_t *at)
{
	char	hex[65];

	if (sum == NULL || ioc_set_count(ctx->iocs, t) == 0)
		return 0;
	util_hex(hex, sum, len);
	return collect_ioc_hex(ctx, t, hex, where, place, at);
}

size_t
collect_ioc_file(struct collect_ctx *ctx, const char *path,
    const unsigned char *sha256, const unsigned char *md5,
    const unsigned char *sha1)
{
	const struct ioc	*found[COLLECT_IOC_FOUND];
	char			 hex[65];
	json_t			*at;
	size_t			 n, total = 0;

	if (ctx->iocs == NULL || path == NULL)
		return 0;
	at = json_object();
	util_json_set_name(at, "path", path);
	if (sha256 != NULL) {
		util_hex(hex, sha256, 32);
		json_object_set_new(at, "sha256", json_string(hex));
	} else
		json_object_set_new(at, "sha256", json_null());
	total += collect_ioc_hash(ctx, IOC_SHA256, sha256, 32, "file", path,
	    at);
	total += collect_ioc_hash(ctx, IOC_MD5, md5, 16, "file", path, at);
	total += collect_ioc_hash(ctx, IOC_SHA1, sha1, 20, "file", path, at);
	/* Names and paths: hash lookups (regexes for Loki's names only). */
	if (ioc_set_count(ctx->iocs, IOC_FILENAME) > 0 ||
	    ioc_set_count(ctx->iocs, IOC_PATH) > 0) {
		n = ioc_find_file(ctx->iocs, path, found, COLLECT_IOC_FOUND);
		collect_ioc_found(ctx, found, n, "file", path, at);
		total += n;
	}
	json_decref(at);
	return total;
}

void
collect_ioc_path(struct collect_ctx *ctx, const char *path)
{
	if (ctx->iocs != NULL && (ioc_set_count(ctx->iocs, IOC_FILENAME) > 0 ||
	    ioc_set_count(ctx->iocs, IOC_PATH) > 0))
		collect_ioc_file(ctx, path, NULL, NULL, NULL);
}

/* The record's string field name, or NULL. */
static const char *
collect_ioc_str(json_t *rec, const char *name)
{
	return json_string_value(json_object_get(rec, name));
}

/* Look the address in rec's field name up; at gets the record's fields. */
static void
collect_ioc_addr(struct collect_ctx *ctx, const char *addr,
    const char *where, json_t *at)
{
	const struct ioc	*found[COLLECT_IOC_FOUND];
	char			*place;
	size_t			 n;

	if (addr == NULL || *addr == '\0')
		return;
	if ((n = ioc_find_addr(ctx->iocs, addr, found,
	    COLLECT_IOC_FOUND)) == 0)
		return;
	place = json_dumps(at, JSON_COMPACT | JSON_SORT_KEYS);
	collect_ioc_found(ctx, found, n, where, place ? place : addr, at);
	free(place);
}

/* A conntrack direction: its src and dst. */
static void
collect_ioc_flow(struct collect_ctx *ctx, json_t *rec, const char *dir)
{
	static const char *const keys[] = { "l3proto", "l4proto", "state",
	    "netns", NULL };
	json_t	*d = json_object_get(rec, dir), *at;

	if (!json_is_object(d))
		return;
	at = findings_pick(rec, keys);
	json_object_set(at, dir, d);
	collect_ioc_addr(ctx, collect_ioc_str(d, "src"), "network", at);
	collect_ioc_addr(ctx, collect_ioc_str(d, "dst"), "network", at);
	json_decref(at);
}

/* A process's exe digests, read once by the process collector. */
static void
collect_ioc_process(struct collect_ctx *ctx, json_t *rec)
{
	static const char *const keys[] = { "pid", "name", "exe",
	    "exe_sha256", NULL };
	static const struct {
		const char	*field;
		enum ioc_type	 type;
	} sums[] = {
		{ "exe_sha256", IOC_SHA256 },
		{ "exe_md5", IOC_MD5 },
		{ "exe_sha1", IOC_SHA1 },
	};
	const char	*hex;
	json_t		*at = NULL;
	char		 place[32];
	size_t		 i;

	snprintf(place, sizeof place, "pid %lld", (long long)
	    json_integer_value(json_object_get(rec, "pid")));
	for (i = 0; i < nitems(sums); i++) {
		if ((hex = collect_ioc_str(rec, sums[i].field)) == NULL ||
		    ioc_set_count(ctx->iocs, sums[i].type) == 0)
			continue;
		if (at == NULL)
			at = findings_pick(rec, keys);
		collect_ioc_hex(ctx, sums[i].type, hex, "process", place, at);
	}
	json_decref(at);
}

/* The streams whose records hold addresses: which fields, where. */
static const char *const collect_ioc_sock[] = { "proto", "local_addr",
    "local_port", "remote_addr", "remote_port", "state", "pid", "process",
    "netns", NULL };
static const char *const collect_ioc_route[] = { "family", "iface",
    "destination", "prefixlen", "gateway", NULL };
static const char *const collect_ioc_neigh[] = { "ip", "mac", "device",
    NULL };
static const struct {
	const char		*stream;
	const char		*where;
	const char *const	*keys;		/* the place's fields */
	const char		*addr[2];	/* looked up (NULL: none) */
} collect_ioc_streams[] = {
	{ "network", "network", collect_ioc_sock,
	    { "remote_addr", "local_addr" } },
	{ "routes", "route", collect_ioc_route,
	    { "destination", "gateway" } },
	{ "arp", "neighbour", collect_ioc_neigh, { "ip", NULL } },
	{ "neighbours", "neighbour", collect_ioc_neigh, { "ip", NULL } },
};

void
collect_ioc_record(struct collect_ctx *ctx, const char *stream, json_t *rec)
{
	json_t	*at;
	size_t	 i, j;

	if (ctx->iocs == NULL || !json_is_object(rec))
		return;
	if (strcmp(stream, "processes") == 0) {
		collect_ioc_process(ctx, rec);
		return;
	}
	if (ioc_set_count(ctx->iocs, IOC_ADDR) == 0)
		return;
	if (strcmp(stream, "conntrack") == 0) {
		collect_ioc_flow(ctx, rec, "orig");
		collect_ioc_flow(ctx, rec, "reply");
		return;
	}
	for (i = 0; i < nitems(collect_ioc_streams); i++) {
		if (strcmp(stream, collect_ioc_streams[i].stream) != 0)
			continue;
		at = findings_pick(rec, collect_ioc_streams[i].keys);
		for (j = 0; j < 2 && collect_ioc_streams[i].addr[j]; j++)
			collect_ioc_addr(ctx, collect_ioc_str(rec,
			    collect_ioc_streams[i].addr[j]),
			    collect_ioc_streams[i].where, at);
		json_decref(at);
		return;
	}
}

/*
 * Where a string hit was: "memory" for a process, "log" for a file that
 * is a log (under a log directory, or named *.log), else "file".
 */
static const char *
collect_ioc_where(json_t *rec)
{
	const char	*path;
	size_t		 len;

	if (json_object_get(rec, "pid") != NULL)
		return "memory";
	if ((path = collect_ioc_str(rec, "path")) == NULL)
		return "file";
	len = strlen(path);
	if (strncmp(path, "/var/log/", 9) == 0 || strstr(path, "/log/") ||
	    strstr(path, "/logs/") || (len > 4 &&
	    strcmp(path + len - 4, ".log") == 0) || strstr(path, ".log."))
		return "log";
	return "file";
}

/*
 * One text a string of the indicators' rules matched (scan.c lists each
 * once): a sighting of each indicator it is (ioc_by_match).
 */
static size_t
collect_ioc_string(struct collect_ctx *ctx, json_t *rec, json_t *str)
{
	static const char *const keys[] = { "path", "sha256", "pid",
	    "process", "exe", NULL };
	const struct ioc	*found[8];
	const char		*id = collect_ioc_str(str, "id");
	json_t			*at;
	char			*place;
	size_t			 i, n;

	if (id == NULL || (n = ioc_by_match(ctx->iocs, id,
	    collect_ioc_str(str, "data"), found, nitems(found))) == 0)
		return 0;
	if (*id == '$')
		id++;
	if (json_object_get(rec, "pid") != NULL)
		place = xasprintf("pid %lld", (long long)json_integer_value(
		    json_object_get(rec, "pid")));
	else
		place = xstrdup(collect_ioc_str(rec, "path") ?
		    collect_ioc_str(rec, "path") : "");
	for (i = 0; i < n; i++) {
		at = findings_pick(rec, keys);
		json_object_set(at, "offset", json_object_get(str, "offset") ?
		    json_object_get(str, "offset") : json_null());
		json_object_set_new(at, "rule", json_string(id));
		collect_ioc_sighting(ctx, found[i], collect_ioc_where(rec),
		    place, at);
		json_decref(at);
	}
	free(place);
	return n;
}

int
collect_ioc_yara(struct collect_ctx *ctx, json_t *rec)
{
	const char	*ns, *rule;
	json_t		*strs, *s;
	size_t		 k, n = 0;

	ns = collect_ioc_str(rec, "namespace");
	rule = collect_ioc_str(rec, "rule");
	/* Not the set's rules (a user's rule file named "iocs"): YARA's. */
	if (ctx->iocs == NULL || ns == NULL || strcmp(ns, SCAN_NS_IOCS) != 0 ||
	    rule == NULL || strncmp(rule, "iocs_", 5) != 0)
		return 0;
	/* Each string that hit is an indicator (scan.c lists each once). */
	strs = json_object_get(rec, "strings");
	json_array_foreach(strs, k, s)
		n += collect_ioc_string(ctx, rec, s);
	return n > 0 ? 2 : 1;
}

int
collect_ioc_digests(struct collect_ctx *ctx)
{
	return (ioc_set_wants(ctx->iocs, IOC_MD5) ? WORKERS_HASH_MD5 : 0) |
	    (ioc_set_wants(ctx->iocs, IOC_SHA1) ? WORKERS_HASH_SHA1 : 0);
}

uint64_t
collect_ioc_matches(struct collect_ctx *ctx)
{
	struct collect_iocm	*im = ctx->iocm;

	return im != NULL ? im->n + im->dropped : 0;
}

int
collect_ioc_close(struct collect_ctx *ctx)
{
	struct collect_iocm	*im;
	struct collect_stream	*s;

	/* With a set, the entry is there even when nothing was seen. */
	if ((im = collect_iocm(ctx)) == NULL || (s = im->out) == NULL)
		return 0;
	im->out = NULL;
	if (im->dropped > 0)
		collect_log(ctx, LOG_WARN, "iocs/matches.jsonl: %llu "
		    "sightings not written (cap %d)",
		    (unsigned long long)im->dropped, COLLECT_IOC_MAX);
	collect_log(ctx, LOG_INFO, "indicators: %llu sightings",
	    (unsigned long long)(im->n + im->dropped));
	return collect_stream_close(s);
}

void
collect_ioc_free(struct collect_ctx *ctx)
{
	struct collect_iocm	*im = ctx->iocm;

	if (im == NULL)
		return;
	collect_stream_discard(im->out);
	hset_free(&im->seen);
	free(im);
	ctx->iocm = NULL;
}
