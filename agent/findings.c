/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Red flags from the records as they are emitted (findings.h). Cheap:
 * the stream name looked up in a table of ten, a few field lookups per
 * record. Bounded: FINDINGS_KEEP findings per kind, FINDINGS_TARGETS
 * targets per YARA rule, FINDINGS_MAX_KEYS streams, rules and login
 * sources, FINDINGS_MAX_USERS users per source; everything past a bound
 * is still counted. Field names are the collectors' (docs/records.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "findings.h"
#include "util.h"

#define FINDINGS_MAX_KEYS	1000	/* streams, rules, login sources */
#define FINDINGS_MAX_USERS	50	/* users listed per login source */

enum findings_kind {
	FK_HIDDEN_PROCESS,
	FK_HIDDEN_MODULE,
	FK_DELETED_EXE,
	FK_MEMFD_EXE,
	FK_LD_PRELOAD,
	FK_UID0,
	FK_PROMISC,
	FK_SNIFFER,
	FK_YARA,
	FK_INTEGRITY,
	FK_PERSIST,
	FK_IOC,
	FK_N
};

static const struct {
	const char	*kind, *severity, *title, *title_fr;
} findings_kinds[FK_N] = {
	{ "hidden_process", "high", "Process hidden from /proc",
	    "Processus caché de /proc" },
	{ "hidden_module", "high", "Kernel module hidden from /proc/modules",
	    "Module noyau caché de /proc/modules" },
	{ "deleted_executable", "high", "Process running a deleted executable",
	    "Processus exécutant un programme supprimé" },
	{ "memfd_executable", "high", "Process running from memory (memfd)",
	    "Processus exécuté depuis la mémoire (memfd)" },
	{ "ld_preload", "high", "Library preloaded (LD_PRELOAD)",
	    "Bibliothèque préchargée (LD_PRELOAD)" },
	{ "uid0_account", "high", "Account other than root with uid 0",
	    "Compte autre que root avec l'uid 0" },
	{ "promiscuous_interface", "medium",
	    "Network interface in promiscuous mode",
	    "Interface réseau en mode promiscuité" },
	{ "sniffer_socket", "medium", "Packet socket (capture)",
	    "Socket de capture de paquets" },
	{ "yara_match", "high", "YARA rule matched",
	    "Règle YARA déclenchée" },
	{ "integrity_mismatch", "high",
	    "Package file differs from the package database",
	    "Fichier de paquet différent de la base des paquets" },
	{ "recent_persistence", "medium", "Persistence changed recently",
	    "Persistance modifiée récemment" },
	{ "ioc_match", "high", "Indicator of compromise matched",
	    "Indicateur de compromission trouvé" },
};

struct findings {
	time_t		 since;		/* persistence newer is recent */
	json_t		*list;		/* the findings kept */
	size_t		 kept[FK_N];
	uint64_t	 total[FK_N];
	json_t		*records;	/* entry → N */
	uint64_t	 nrecords;
	json_t		*rules;		/* rule → {count, targets} */
	uint64_t	 nmatches;
	json_t		*logins;	/* source → {success, failed…} */
	json_t		*iocs;		/* indicator → {id, type, value,
					   count} */
	uint64_t	 nsightings;
};

struct findings *
findings_new(int days, time_t now)
{
	struct findings	*f;

	f = xcalloc(1, sizeof *f);
	if (now == 0)
		now = time(NULL);
	f->since = now - (time_t)days * 86400;
	f->list = json_array();
	f->records = json_object();
	f->rules = json_object();
	f->logins = json_object();
	f->iocs = json_object();
	return f;
}

void
findings_free(struct findings *f)
{
	if (f == NULL)
		return;
	json_decref(f->list);
	json_decref(f->records);
	json_decref(f->rules);
	json_decref(f->logins);
	json_decref(f->iocs);
	free(f);
}

/* A string field, or NULL. */
static const char *
findings_str(json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

/*
 * The fields named (NULL-terminated) that rec has, copied, with their
 * _b64 twins (the raw bytes of a name that was not UTF-8).
 */
json_t *
findings_pick(json_t *rec, const char *const *keys)
{
	json_t	*d = json_object(), *v;
	char	 b64[64];

	for (; *keys != NULL; keys++) {
		if ((v = json_object_get(rec, *keys)) != NULL)
			json_object_set(d, *keys, v);
		snprintf(b64, sizeof b64, "%s_b64", *keys);
		if ((v = json_object_get(rec, b64)) != NULL)
			json_object_set(d, b64, v);
	}
	return d;
}

/*
 * One finding of kind k from source, detail owned; what names it in the
 * title (may be NULL). Counted always, kept while under the bound.
 */
static void
findings_add(struct findings *f, enum findings_kind k, const char *source,
    json_t *detail, const char *what)
{
	char	*t, *tfr;

	f->total[k]++;
	if (f->kept[k] >= FINDINGS_KEEP) {
		json_decref(detail);
		return;
	}
	f->kept[k]++;
	if (what != NULL) {
		t = xasprintf("%s: %s", findings_kinds[k].title, what);
		tfr = xasprintf("%s : %s", findings_kinds[k].title_fr, what);
	} else {
		t = xstrdup(findings_kinds[k].title);
		tfr = xstrdup(findings_kinds[k].title_fr);
	}
	json_array_append_new(f->list, json_pack("{s:s, s:s, s:s, s:s, s:s, "
	    "s:o}", "kind", findings_kinds[k].kind, "severity",
	    findings_kinds[k].severity, "title", t, "title_fr", tfr,
	    "source", source, "detail", detail));
	free(t);
	free(tfr);
}

/* "pid N (NAME)" for titles. */
static char *
findings_pid_name(json_t *rec, const char *namekey)
{
	const char	*name = findings_str(rec, namekey);

	return xasprintf("pid %lld (%s)", (long long)json_integer_value(
	    json_object_get(rec, "pid")), name != NULL ? name : "?");
}

static void
findings_process(struct findings *f, const char *src, json_t *rec)
{
	static const char *const keys[] = { "pid", "name", "exe", "user",
	    "uid", "ppid", "cmdline", NULL };
	static const char *const pkeys[] = { "pid", "name", "exe", "user",
	    "uid", "ld_preload", NULL };
	const char	*pre = findings_str(rec, "ld_preload");
	char		*what = findings_pid_name(rec, "name");

	if (json_is_true(json_object_get(rec, "hidden")))
		findings_add(f, FK_HIDDEN_PROCESS, src, findings_pick(rec, keys),
		    what);
	/* A memfd's link reads "(deleted)" too: it is reported as memfd. */
	if (json_is_true(json_object_get(rec, "exe_deleted")) &&
	    !json_is_true(json_object_get(rec, "exe_memfd")))
		findings_add(f, FK_DELETED_EXE, src, findings_pick(rec, keys),
		    what);
	if (json_is_true(json_object_get(rec, "exe_memfd")))
		findings_add(f, FK_MEMFD_EXE, src, findings_pick(rec, keys),
		    what);
	if (pre != NULL && *pre != '\0')
		findings_add(f, FK_LD_PRELOAD, src, findings_pick(rec, pkeys),
		    what);
	free(what);
}

/* A non-empty /etc/ld.so.preload, from the system record. */
static void
findings_system(struct findings *f, const char *src, json_t *rec)
{
	json_t	*libs = json_object_get(rec, "ld_so_preload");

	if (json_array_size(libs) == 0)
		return;
	findings_add(f, FK_LD_PRELOAD, src, json_pack("{s:s, s:O}", "path",
	    "/etc/ld.so.preload", "libraries", libs), "/etc/ld.so.preload");
}

static void
findings_user(struct findings *f, const char *src, json_t *rec)
{
	static const char *const keys[] = { "name", "uid", "gid", "home",
	    "shell", "source", NULL };
	const char	*type = findings_str(rec, "type");
	const char	*name = findings_str(rec, "name");
	json_t		*uid = json_object_get(rec, "uid");

	if (type == NULL || strcmp(type, "user") != 0 ||
	    !json_is_integer(uid) || json_integer_value(uid) != 0 ||
	    (name != NULL && strcmp(name, "root") == 0 &&
	    json_object_get(rec, "name_b64") == NULL))
		return;
	findings_add(f, FK_UID0, src, findings_pick(rec, keys), name);
}

static void
findings_interface(struct findings *f, const char *src, json_t *rec)
{
	const char	*name = findings_str(rec, "name");

	if (!json_is_true(json_object_get(rec, "promiscuous")))
		return;
	findings_add(f, FK_PROMISC, src, json_pack("{s:o, s:O?}", "interface",
	    name != NULL ? json_string(name) : json_null(), "index",
	    json_object_get(rec, "index")), name);
}

/* Packet sockets: high when they see every frame or filter them. */
static void
findings_socket(struct findings *f, const char *src, json_t *rec)
{
	static const char *const keys[] = { "pid", "process", "protocol",
	    "interface", "inode", "sniffer", "bpf_filter_len", "netns", NULL };
	const char	*proto = findings_str(rec, "proto");
	char		*what;
	size_t		 n;

	if (proto == NULL || strcmp(proto, "packet") != 0)
		return;
	what = json_is_integer(json_object_get(rec, "pid")) ?
	    findings_pid_name(rec, "process") : xasprintf("inode %lld",
	    (long long)json_integer_value(json_object_get(rec, "inode")));
	n = json_array_size(f->list);
	findings_add(f, FK_SNIFFER, src, findings_pick(rec, keys), what);
	if (json_array_size(f->list) > n &&
	    json_is_true(json_object_get(rec, "sniffer")))
		json_object_set_new(json_array_get(f->list, n), "severity",
		    json_string("high"));
	free(what);
}

static void
findings_module(struct findings *f, const char *src, json_t *rec)
{
	static const char *const keys[] = { "name", "state", NULL };

	if (json_is_true(json_object_get(rec, "hidden")))
		findings_add(f, FK_HIDDEN_MODULE, src, findings_pick(rec, keys),
		    findings_str(rec, "name"));
}

/* A package file changed (a configuration file edited is no flag). */
static void
findings_integrity(struct findings *f, const char *src, json_t *rec)
{
	static const char *const keys[] = { "manager", "package", "path",
	    "problem", "algorithm", "expected", "actual", "mtime", NULL };
	const char	*pb = findings_str(rec, "problem");

	if (pb == NULL || json_is_true(json_object_get(rec, "conffile")) ||
	    (strcmp(pb, "modified") != 0 &&
	    strcmp(pb, "replaced_by_other_type") != 0))
		return;
	findings_add(f, FK_INTEGRITY, src, findings_pick(rec, keys),
	    findings_str(rec, "path"));
}

/* An ISO 8601 UTC time (YYYY-MM-DDTHH:MM:SS…) as seconds; -1 if not. */
static time_t
findings_time(const char *s)
{
	struct tm	tm;
	int		n = 0;

	memset(&tm, 0, sizeof tm);
	if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
	    &n) != 6 || n == 0)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

static void
findings_persist(struct findings *f, const char *src, json_t *rec)
{
	static const char *const keys[] = { "source", "kind", "command",
	    "program", "target", "mtime", NULL };
	time_t	t = findings_time(findings_str(rec, "mtime"));

	if (t == -1 || t < f->since)
		return;
	findings_add(f, FK_PERSIST, src, findings_pick(rec, keys),
	    findings_str(rec, "source"));
}

/* Matches by rule; the first match of a rule is its finding. */
static void
findings_match(struct findings *f, const char *src, json_t *rec)
{
	static const char *const keys[] = { "rule", "namespace", "target",
	    "path", "pid", "process", NULL };
	const char	*rule = findings_str(rec, "rule"), *path;
	json_t		*r, *targets;
	char		*t;

	f->nmatches++;
	if (rule == NULL)
		return;
	if ((r = json_object_get(f->rules, rule)) == NULL) {
		if (json_object_size(f->rules) >= FINDINGS_MAX_KEYS)
			return;
		r = json_pack("{s:s, s:I, s:[]}", "rule", rule, "count",
		    (json_int_t)0, "targets");
		json_object_set_new(f->rules, rule, r);
		findings_add(f, FK_YARA, src, findings_pick(rec, keys), rule);
	}
	json_object_set_new(r, "count", json_integer(json_integer_value(
	    json_object_get(r, "count")) + 1));
	targets = json_object_get(r, "targets");
	if (json_array_size(targets) >= FINDINGS_TARGETS)
		return;
	if ((path = findings_str(rec, "path")) != NULL)
		t = xstrdup(path);
	else
		t = findings_pid_name(rec, "process");
	json_array_append_new(targets, json_string(t));
	free(t);
}

/*
 * Indicator sightings (iocs/matches.jsonl) by indicator; the first
 * sighting of an indicator is its finding.
 */
static void
findings_ioc(struct findings *f, const char *src, json_t *rec)
{
	static const char *const keys[] = { "indicator", "where", "path",
	    "sha256", "pid", "process", "name", "exe", "local_addr",
	    "local_port", "remote_addr", "remote_port", "ip", "destination",
	    "gateway", "offset", NULL };
	json_t		*ind = json_object_get(rec, "indicator"), *c;
	const char	*id, *type, *value;
	char		*key, *what;

	f->nsightings++;
	id = findings_str(ind, "id");
	type = findings_str(ind, "type");
	value = findings_str(ind, "value");
	if (id == NULL || type == NULL || value == NULL)
		return;
	key = xasprintf("%s\n%s\n%s", id, type, value);
	if ((c = json_object_get(f->iocs, key)) == NULL &&
	    json_object_size(f->iocs) < FINDINGS_MAX_KEYS) {
		c = json_pack("{s:s, s:s, s:s, s:I}", "id", id, "type", type,
		    "value", value, "count", (json_int_t)0);
		json_object_set_new(f->iocs, key, c);
		what = xasprintf("%s %s", type, value);
		findings_add(f, FK_IOC, src, findings_pick(rec, keys), what);
		free(what);
	}
	if (c != NULL)
		json_object_set_new(c, "count", json_integer(
		    json_integer_value(json_object_get(c, "count")) + 1));
	free(key);
}

/* wtmp logins (success) and btmp ones (failed), by remote address. */
static void
findings_login(struct findings *f, const char *src, json_t *rec)
{
	const char	*file = findings_str(rec, "source");
	const char	*from = findings_str(rec, "addr");
	const char	*type = findings_str(rec, "type");
	const char	*user = findings_str(rec, "user");
	const char	*when = findings_str(rec, "time");
	const char	*first, *last;
	json_t		*s, *users;
	int		 failed;

	(void)src;	/* grouped by address, not listed by stream */
	if (file == NULL || type == NULL)
		return;
	failed = strcmp(file, "btmp") == 0;
	if (!failed && (strcmp(file, "wtmp") != 0 ||
	    strcmp(type, "USER_PROCESS") != 0))
		return;
	if (from == NULL || *from == '\0' || strcmp(from, "0.0.0.0") == 0 ||
	    strcmp(from, "::") == 0)
		from = findings_str(rec, "host");
	if (from == NULL || *from == '\0')
		return;		/* a local login */
	if ((s = json_object_get(f->logins, from)) == NULL) {
		if (json_object_size(f->logins) >= FINDINGS_MAX_KEYS)
			return;
		s = json_pack("{s:s, s:I, s:I, s:{}, s:n, s:n}", "source",
		    from, "success", (json_int_t)0, "failed", (json_int_t)0,
		    "users", "first", "last");
		json_object_set_new(f->logins, from, s);
	}
	json_object_set_new(s, failed ? "failed" : "success", json_integer(
	    json_integer_value(json_object_get(s, failed ? "failed" :
	    "success")) + 1));
	users = json_object_get(s, "users");
	if (user != NULL && json_object_size(users) < FINDINGS_MAX_USERS)
		json_object_set_new(users, user, json_true());
	if (when == NULL)
		return;
	first = findings_str(s, "first");
	last = findings_str(s, "last");
	if (first == NULL || strcmp(when, first) < 0)
		json_object_set_new(s, "first", json_string(when));
	if (last == NULL || strcmp(when, last) > 0)
		json_object_set_new(s, "last", json_string(when));
}

/* Which records each stream's handler looks at. */
static const struct findings_handler {
	const char	*stream;
	void		(*fn)(struct findings *, const char *, json_t *);
} findings_handlers[] = {
	{ "processes", findings_process },
	{ "modules", findings_module },
	{ "system", findings_system },
	{ "users", findings_user },
	{ "interfaces", findings_interface },
	{ "network", findings_socket },
	{ "package_integrity", findings_integrity },
	{ "persistence", findings_persist },
	{ "logins", findings_login },
	{ "yara/matches", findings_match },
	{ "iocs/matches", findings_ioc },
	{ NULL, NULL }
};

/* The stream's short name ("processes") into name; its entry into src. */
static void
findings_names(const char *stream, char *name, size_t nlen, char *src,
    size_t slen)
{
	size_t	len;

	if (strncmp(stream, "live/", 5) == 0)
		stream += 5;
	len = strlen(stream);
	if (len > 6 && strcmp(stream + len - 6, ".jsonl") == 0)
		len -= 6;
	snprintf(name, nlen, "%.*s", (int)len, stream);
	if (strchr(name, '/') != NULL)
		snprintf(src, slen, "%s.jsonl", name);
	else
		snprintf(src, slen, "live/%s.jsonl", name);
}

void
findings_record(struct findings *f, const char *stream, json_t *rec)
{
	const struct findings_handler	*h;
	char				 name[128], src[160];
	json_t				*n;

	if (f == NULL || rec == NULL || !json_is_object(rec))
		return;
	findings_names(stream, name, sizeof name, src, sizeof src);
	f->nrecords++;
	if ((n = json_object_get(f->records, src)) != NULL)
		json_object_set_new(f->records, src,
		    json_integer(json_integer_value(n) + 1));
	else if (json_object_size(f->records) < FINDINGS_MAX_KEYS)
		json_object_set_new(f->records, src, json_integer(1));
	for (h = findings_handlers; h->stream != NULL; h++)
		if (strcmp(name, h->stream) == 0) {
			h->fn(f, src, rec);
			break;
		}
}

json_t *
findings_counts(struct findings *f, uint64_t *total)
{
	json_t	*o = json_object();
	size_t	 k;

	if (total != NULL)
		*total = 0;
	for (k = 0; k < FK_N; k++) {
		json_object_set_new(o, findings_kinds[k].kind,
		    json_integer((json_int_t)f->total[k]));
		if (total != NULL)
			*total += f->total[k];
	}
	return o;
}

/* {"matches": n, name: [the values of by, in order]} (a new reference). */
static json_t *
findings_grouped(json_t *by, uint64_t n, const char *name)
{
	json_t		*list = json_array(), *v;
	const char	*k;

	json_object_foreach(by, k, v)
		json_array_append(list, v);
	return json_pack("{s:I, s:o}", "matches", (json_int_t)n, name, list);
}

json_t *
findings_yara(struct findings *f)
{
	return findings_grouped(f->rules, f->nmatches, "rules");
}

json_t *
findings_iocs(struct findings *f)
{
	return findings_grouped(f->iocs, f->nsightings, "indicators");
}

json_t *
findings_records(struct findings *f)
{
	return json_incref(f->records);
}

uint64_t
findings_nrecords(struct findings *f)
{
	return f->nrecords;
}

json_t *
findings_json(struct findings *f)
{
	json_t		*by = json_array(), *s, *users, *v;
	const char	*k, *u;

	json_object_foreach(f->logins, k, s) {
		users = json_array();
		json_object_foreach(json_object_get(s, "users"), u, v)
			json_array_append_new(users, json_string(u));
		s = json_deep_copy(s);
		json_object_set_new(s, "users", users);
		json_array_append_new(by, s);
	}
	return json_pack("{s:O, s:o, s:{s:o}}", "findings", f->list,
	    "findings_total", findings_counts(f, NULL), "logins", "by_source",
	    by);
}
