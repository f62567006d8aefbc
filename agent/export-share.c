/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The findings to share back: a MISP event (MISP core format, draft-
 * dulaunoy-misp-core-format) and a STIX 2.1 bundle, from the YARA and
 * IOC matches of an archive. An observable is a file's sha256 (and md5
 * when the match record has it) or an address an IOC matched; each
 * appears once, with the matches on it in a comment (MISP) or as
 * sightings (STIX), and each IOC match as a MISP Sighting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "export-int.h"

#define SHARE_COMMENT_MAX	4000

/* A random (version 4) UUID, 37 bytes with the NUL. */
static void
share_uuid(char out[37])
{
	unsigned char	b[16];

	randombytes_buf(b, sizeof b);
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
	    b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/*
 * A STIX cyber-observable's deterministic id (STIX 2.1, 2.9): a UUIDv5 in
 * the SCO namespace of the JSON of its ID contributing properties (sorted
 * keys, no spaces; file: one hash, MD5 before SHA-1 before SHA-256, and
 * its name; an address: its value), so the same file or address shared
 * by two CSIRTs is one object. Set as sco's "id".
 */
static void
share_sco_id(json_t *sco)
{
	static const unsigned char ns[16] = {
		0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c,
		0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7
	};
	static const char *const pref[] = { "MD5", "SHA-1", "SHA-256" };
	const char	*type = json_string_value(json_object_get(sco, "type"));
	json_t		*c = json_object(), *h, *v;
	unsigned char	 d[EVP_MAX_MD_SIZE];
	EVP_MD_CTX	*md;
	char		*name, *id;
	size_t		 i;

	if (strcmp(type, "file") == 0) {
		h = json_object_get(sco, "hashes");
		for (i = 0; i < nitems(pref); i++)
			if ((v = json_object_get(h, pref[i])) != NULL) {
				json_object_set_new(c, "hashes", json_pack(
				    "{s:O}", pref[i], v));
				break;
			}
		if ((v = json_object_get(sco, "name")) != NULL)
			json_object_set(c, "name", v);
	} else if ((v = json_object_get(sco, "value")) != NULL)
		json_object_set(c, "value", v);
	name = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(c);
	if (name == NULL || (md = EVP_MD_CTX_new()) == NULL)
		fatal("out of memory");
	if (EVP_DigestInit_ex(md, EVP_sha1(), NULL) != 1 ||
	    EVP_DigestUpdate(md, ns, sizeof ns) != 1 ||
	    EVP_DigestUpdate(md, name, strlen(name)) != 1 ||
	    EVP_DigestFinal_ex(md, d, NULL) != 1)
		fatal("EVP sha1");
	EVP_MD_CTX_free(md);
	free(name);
	d[6] = (d[6] & 0x0f) | 0x50;
	d[8] = (d[8] & 0x3f) | 0x80;
	id = xasprintf("%s--%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", type, d[0], d[1], d[2], d[3], d[4],
	    d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14],
	    d[15]);
	json_object_set_new(sco, "id", json_string(id));
	free(id);
}

static const char *
share_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* What the archive says of the host and run. */
struct share_run {
	const char	*host;
	const char	*casename;
	int64_t		 started;	/* microseconds, or now */
	char		 started_iso[48];
	char		 now_iso[48];
	long long	 now;
};

static void
share_run(struct export *ex, json_t *top, struct share_run *r)
{
	r->host = share_str(json_object_get(top, "host"), "hostname");
	if (r->host == NULL)
		r->host = "unknown host";
	r->casename = share_str(top, "case");
	r->now = (long long)ex->now;
	if (export_time_parse(share_str(top, "started"), &r->started) == -1)
		r->started = (int64_t)ex->now * 1000000;
	export_iso(r->started_iso, sizeof r->started_iso, r->started);
	export_iso(r->now_iso, sizeof r->now_iso, (int64_t)ex->now * 1000000);
}

/* One line saying what matched, for comments and descriptions. */
static char *
share_what(const struct export_finding *f, const char *host)
{
	const char	*where = f->path != NULL ? f->path : f->addr;

	if (f->ioc)
		return xasprintf("IOC %s (%s) matched %s on %s",
		    share_str(f->rec, "indicator") ? share_str(f->rec,
		    "indicator") : "?", share_str(f->rec, "type") ?
		    share_str(f->rec, "type") : "?", where ? where : "?", host);
	return xasprintf("YARA rule %s matched %s on %s",
	    share_str(f->rec, "rule") ? share_str(f->rec, "rule") : "?",
	    where ? where : share_str(f->rec, "target") ? share_str(f->rec,
	    "target") : "?", host);
}

/* Add a comment line to a MISP attribute, within a cap. */
static void
share_comment(json_t *a, const char *what)
{
	const char	*old = share_str(a, "comment");
	char		*s;

	if (old == NULL || old[0] == '\0')
		json_object_set_new(a, "comment", json_string(what));
	else if (strlen(old) + strlen(what) < SHARE_COMMENT_MAX) {
		s = xasprintf("%s; %s", old, what);
		json_object_set_new(a, "comment", json_string(s));
		free(s);
	}
}

/* The MISP attribute of (type, value), made once; comment added. */
static json_t *
share_misp_attr(json_t *attrs, json_t *seen, const char *type,
    const char *category, const char *value, const char *what,
    long long now)
{
	json_t	*a;
	char	*key, uuid[37], ts[24];

	key = xasprintf("%s\x1f%s", type, value);
	if ((a = json_object_get(seen, key)) == NULL) {
		share_uuid(uuid);
		snprintf(ts, sizeof ts, "%lld", now);
		a = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, "
		    "s:b, s:s, s:s}", "uuid", uuid, "id", "0", "event_id", "0",
		    "type", type, "category", category, "to_ids", 1,
		    "distribution", "5", "sharing_group_id", "0", "timestamp",
		    ts, "deleted", 0, "value", value, "comment", "");
		if (a == NULL)
			fatal("json_pack");
		json_array_append_new(attrs, a);
		json_object_set(seen, key, a);
	}
	free(key);
	share_comment(a, what);
	return a;
}

/* An IOC match: a MISP Sighting of the attribute ("0": seen). */
static void
share_misp_sighting(json_t *a, const struct export_finding *f,
    const struct share_run *r)
{
	json_t	*s, *list;
	char	 when[24];

	snprintf(when, sizeof when, "%lld", (long long)((f->time >= 0 ?
	    f->time : r->started) / 1000000));
	s = json_pack("{s:s, s:s, s:s, s:s}", "type", "0", "uuid",
	    share_str(a, "uuid"), "date_sighting", when, "source",
	    AGENT_NAME);
	if ((list = json_object_get(a, "Sighting")) == NULL) {
		list = json_array();
		json_object_set_new(a, "Sighting", list);
	}
	json_array_append_new(list, s);
}

void
export_misp(struct export *ex, json_t *top)
{
	struct share_run	 r;
	struct export_finding	*f;
	json_t			*ev, *attrs = json_array(), *seen = json_object();
	json_t			*a;
	char			 uuid[37], date[11], ts[24], *info, *what, *fs;
	size_t			 i;

	share_run(ex, top, &r);
	for (i = 0; i < ex->nf; i++) {
		f = &ex->f[i];
		what = share_what(f, r.host);
		a = NULL;
		if (f->sha256 != NULL) {
			a = share_misp_attr(attrs, seen, "sha256",
			    "Artifacts dropped", f->sha256, what, r.now);
			if (f->path != NULL) {
				fs = xasprintf("%s|%s", f->path, f->sha256);
				share_misp_attr(attrs, seen, "filename|sha256",
				    "Artifacts dropped", fs, what, r.now);
				free(fs);
			}
		}
		if (f->md5 != NULL)
			a = share_misp_attr(attrs, seen, "md5",
			    "Artifacts dropped", f->md5, what, r.now);
		if (f->ioc && f->addr != NULL)
			a = share_misp_attr(attrs, seen, "ip-dst",
			    "Network activity", f->addr, what, r.now);
		if (f->ioc && a != NULL)
			share_misp_sighting(a, f, &r);
		free(what);
	}
	share_uuid(uuid);
	snprintf(date, sizeof date, "%.10s", r.started_iso);
	snprintf(ts, sizeof ts, "%lld", r.now);
	info = xasprintf("%s findings on %s%s%s: %zu YARA/IOC matches",
	    AGENT_NAME, r.host, r.casename ? ", case " : "", r.casename ?
	    r.casename : "", ex->nf);
	ev = json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, "
	    "s:s, s:s, s:s, s:s, s:s, s:o}}", "Event", "uuid", uuid, "id", "0",
	    "info", info, "date", date, "threat_level_id", ex->nf ? "2" : "4",
	    "analysis", "0", "distribution", "0", "sharing_group_id", "0",
	    "published", 0, "timestamp", ts, "publish_timestamp", "0",
	    "first_publication", "0", "org_id", "0", "orgc_id", "0",
	    "attribute_count", "0", "Attribute", attrs);
	if (ev == NULL)
		fatal("json_pack");
	snprintf(ts, sizeof ts, "%zu", json_array_size(attrs));
	json_object_set_new(json_object_get(ev, "Event"), "attribute_count",
	    json_string(ts));
	free(info);
	json_decref(seen);
	export_emit_json(ex, ev, JSON_INDENT(1));
}

static json_t *
share_stix_common(const char *type, const char *created)
{
	json_t	*o;
	char	 uuid[37], *id;

	share_uuid(uuid);
	id = xasprintf("%s--%s", type, uuid);
	o = json_pack("{s:s, s:s, s:s}", "type", type, "spec_version", "2.1",
	    "id", id);
	if (created != NULL) {
		json_object_set_new(o, "created", json_string(created));
		json_object_set_new(o, "modified", json_string(created));
	}
	free(id);
	return o;
}

/* The STIX objects of one observable: the SCO, an indicator for it, an
 * observed-data and a sighting; made once, then the count grows. */
static void
share_stix_obs(json_t *objs, json_t *seen, const char *key, json_t *sco,
    const char *pattern, const char *what, const struct share_run *r,
    const char *identity, int64_t when)
{
	json_t	*ind, *od, *si;
	char	 t[48];

	share_sco_id(sco);
	if ((si = json_object_get(seen, key)) != NULL) {
		json_object_set_new(si, "count", json_integer(
		    json_integer_value(json_object_get(si, "count")) + 1));
		json_decref(sco);
		return;
	}
	export_iso(t, sizeof t, when);
	json_array_append(objs, sco);
	ind = share_stix_common("indicator", r->now_iso);
	json_object_set_new(ind, "name", json_string(what));
	json_object_set_new(ind, "indicator_types",
	    json_pack("[s]", "malicious-activity"));
	json_object_set_new(ind, "pattern", json_string(pattern));
	json_object_set_new(ind, "pattern_type", json_string("stix"));
	json_object_set_new(ind, "valid_from", json_string(r->now_iso));
	json_object_set_new(ind, "created_by_ref", json_string(identity));
	json_array_append(objs, ind);
	od = share_stix_common("observed-data", r->now_iso);
	json_object_set_new(od, "first_observed", json_string(t));
	json_object_set_new(od, "last_observed", json_string(t));
	json_object_set_new(od, "number_observed", json_integer(1));
	json_object_set_new(od, "object_refs", json_pack("[O]",
	    json_object_get(sco, "id")));
	json_object_set_new(od, "created_by_ref", json_string(identity));
	json_array_append(objs, od);
	si = share_stix_common("sighting", r->now_iso);
	json_object_set_new(si, "description", json_string(what));
	json_object_set(si, "sighting_of_ref", json_object_get(ind, "id"));
	json_object_set_new(si, "observed_data_refs", json_pack("[O]",
	    json_object_get(od, "id")));
	json_object_set_new(si, "where_sighted_refs", json_pack("[s]",
	    identity));
	json_object_set_new(si, "count", json_integer(1));
	json_object_set_new(si, "created_by_ref", json_string(identity));
	json_array_append(objs, si);
	json_object_set(seen, key, si);
	json_decref(ind);
	json_decref(od);
	json_decref(si);
	json_decref(sco);
}

/* Quotes and backslashes escaped for a STIX pattern's string. */
static char *
share_pattern_str(const char *s)
{
	struct buf	b = { 0 };

	buf_add(&b, "", 0);
	for (; *s != '\0'; s++) {
		if (*s == '\'' || *s == '\\')
			buf_add(&b, "\\", 1);
		buf_add(&b, s, 1);
	}
	return b.data;
}

void
export_stix(struct export *ex, json_t *top)
{
	struct share_run	 r;
	struct export_finding	*f;
	json_t			*bundle, *objs = json_array(), *id, *sco;
	json_t			*seen = json_object();
	const char		*base, *identity;
	char			*what, *key, *pat, *v, uuid[37], *bid;
	size_t			 i;

	share_run(ex, top, &r);
	id = share_stix_common("identity", r.now_iso);
	json_object_set_new(id, "name", json_string(r.host));
	json_object_set_new(id, "identity_class", json_string("system"));
	json_array_append(objs, id);
	identity = json_string_value(json_object_get(id, "id"));
	for (i = 0; i < ex->nf; i++) {
		f = &ex->f[i];
		what = share_what(f, r.host);
		if (f->sha256 != NULL) {
			sco = share_stix_common("file", NULL);
			json_object_set_new(sco, "hashes", json_pack("{s:s}",
			    "SHA-256", f->sha256));
			if (f->md5 != NULL)
				json_object_set_new(json_object_get(sco,
				    "hashes"), "MD5", json_string(f->md5));
			if (f->path != NULL && (base = strrchr(f->path, '/'))
			    != NULL && base[1] != '\0')
				json_object_set_new(sco, "name",
				    json_string(base + 1));
			key = xasprintf("file\x1f%s", f->sha256);
			pat = xasprintf("[file:hashes.'SHA-256' = '%s']",
			    f->sha256);
			share_stix_obs(objs, seen, key, sco, pat, what, &r,
			    identity, f->time >= 0 ? f->time : r.started);
			free(key);
			free(pat);
		}
		if (f->ioc && f->addr != NULL) {
			int v6 = strchr(f->addr, ':') != NULL;

			sco = share_stix_common(v6 ? "ipv6-addr" : "ipv4-addr",
			    NULL);
			json_object_set_new(sco, "value", json_string(f->addr));
			key = xasprintf("addr\x1f%s", f->addr);
			v = share_pattern_str(f->addr);
			pat = xasprintf("[%s:value = '%s']", v6 ? "ipv6-addr" :
			    "ipv4-addr", v);
			share_stix_obs(objs, seen, key, sco, pat, what, &r,
			    identity, f->time >= 0 ? f->time : r.started);
			free(v);
			free(key);
			free(pat);
		}
		free(what);
	}
	share_uuid(uuid);
	bid = xasprintf("bundle--%s", uuid);
	bundle = json_pack("{s:s, s:s, s:o}", "type", "bundle", "id", bid,
	    "objects", objs);
	free(bid);
	json_decref(id);
	json_decref(seen);
	export_emit_json(ex, bundle, JSON_INDENT(1));
}
