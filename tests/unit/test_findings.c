/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The red-flag observer (agent/findings.c): each kind from records as
 * the collectors write them, clean records not reported, the bound per
 * kind, YARA grouping, logins by source, and entry names as a responder
 * tool gives them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "findings.h"
#include "unit.h"

#define NOW	1796119291	/* 2026-12-01T10:01:31Z */

static void
feed(struct findings *f, const char *stream, const char *text)
{
	json_error_t	 e;
	json_t		*rec = json_loads(text, 0, &e);

	if (rec == NULL) {
		printf("# bad test JSON: %s: %s\n", text, e.text);
		exit(1);
	}
	findings_record(f, stream, rec);
	json_decref(rec);
}

static json_int_t
total(struct findings *f, const char *kind)
{
	json_t		*c = findings_counts(f, NULL);
	json_int_t	 n = json_integer_value(json_object_get(c, kind));

	json_decref(c);
	return n;
}

/* The nth finding of kind (0: first), or NULL. */
static json_t *
nth(json_t *all, const char *kind, size_t n)
{
	json_t	*v;
	size_t	 i;

	json_array_foreach(json_object_get(all, "findings"), i, v)
		if (strcmp(json_string_value(json_object_get(v, "kind")),
		    kind) == 0 && n-- == 0)
			return v;
	return NULL;
}

static void
test_kinds(void)
{
	struct findings	*f = findings_new(30, NOW);
	json_t		*all, *v;
	uint64_t	 sum;

	feed(f, "processes", "{\"pid\":1,\"name\":\"init\",\"exe\":\"/sbin/init\","
	    "\"exe_deleted\":false,\"hidden\":false}");
	feed(f, "processes", "{\"pid\":7,\"name\":\"x\",\"hidden\":true}");
	feed(f, "processes", "{\"pid\":8,\"name\":\"d\",\"exe\":\"/tmp/d\","
	    "\"exe_deleted\":true}");
	feed(f, "processes", "{\"pid\":9,\"name\":\"m\",\"exe\":\"/memfd:m\","
	    "\"exe_deleted\":true,\"exe_memfd\":true}");
	feed(f, "processes", "{\"pid\":10,\"name\":\"p\",\"ld_preload\":"
	    "\"/tmp/x.so\"}");
	feed(f, "processes", "{\"pid\":11,\"name\":\"q\",\"ld_preload\":\"\"}");
	feed(f, "modules", "{\"name\":\"rk\",\"state\":\"Live\",\"hidden\":true}");
	feed(f, "modules", "{\"name\":\"ext4\",\"hidden\":false}");
	feed(f, "system", "{\"ld_so_preload\":[\"/lib/x.so\"]}");
	feed(f, "system", "{\"ld_so_preload\":[]}");
	feed(f, "users", "{\"type\":\"user\",\"name\":\"root\",\"uid\":0}");
	feed(f, "users", "{\"type\":\"user\",\"name\":\"toor\",\"uid\":0}");
	feed(f, "users", "{\"type\":\"group\",\"name\":\"wheel\",\"uid\":0}");
	feed(f, "users", "{\"type\":\"user\",\"name\":\"alice\",\"uid\":1000}");
	feed(f, "interfaces", "{\"name\":\"eth0\",\"index\":2,"
	    "\"promiscuous\":true}");
	feed(f, "interfaces", "{\"name\":\"lo\",\"promiscuous\":false}");
	feed(f, "network", "{\"proto\":\"packet\",\"pid\":5,\"process\":\"s\","
	    "\"sniffer\":true,\"inode\":3}");
	feed(f, "network", "{\"proto\":\"packet\",\"sniffer\":false,"
	    "\"inode\":4}");
	feed(f, "network", "{\"proto\":\"tcp\",\"pid\":5}");
	feed(f, "package_integrity", "{\"path\":\"/bin/ls\",\"problem\":"
	    "\"modified\",\"conffile\":false}");
	feed(f, "package_integrity", "{\"path\":\"/etc/x\",\"problem\":"
	    "\"modified\",\"conffile\":true}");
	feed(f, "package_integrity", "{\"path\":\"/bin/y\",\"problem\":"
	    "\"missing\",\"conffile\":false}");
	feed(f, "persistence", "{\"source\":\"/etc/cron.d/new:1\",\"mtime\":"
	    "\"2026-11-30T10:00:00Z\"}");
	feed(f, "persistence", "{\"source\":\"/etc/cron.d/old:1\",\"mtime\":"
	    "\"2026-09-01T10:00:00Z\"}");
	feed(f, "persistence", "{\"source\":\"/etc/cron.d/none:1\","
	    "\"mtime\":null}");
	CHECK(total(f, "hidden_process") == 1);
	CHECK(total(f, "deleted_executable") == 1);
	CHECK(total(f, "memfd_executable") == 1);
	CHECK(total(f, "ld_preload") == 2);
	CHECK(total(f, "hidden_module") == 1);
	CHECK(total(f, "uid0_account") == 1);
	CHECK(total(f, "promiscuous_interface") == 1);
	CHECK(total(f, "sniffer_socket") == 2);
	CHECK(total(f, "integrity_mismatch") == 1);
	CHECK(total(f, "recent_persistence") == 1);
	CHECK(total(f, "ioc_match") == 0);
	json_decref(findings_counts(f, &sum));
	CHECK(sum == 12);
	all = findings_json(f);
	v = nth(all, "uid0_account", 0);
	CHECK(v != NULL && strcmp(json_string_value(json_object_get(
	    json_object_get(v, "detail"), "name")), "toor") == 0);
	CHECK(v != NULL && strcmp(json_string_value(json_object_get(v,
	    "source")), "live/users.jsonl") == 0);
	CHECK(v != NULL && strcmp(json_string_value(json_object_get(v,
	    "severity")), "high") == 0);
	v = nth(all, "sniffer_socket", 0);
	CHECK(v != NULL && strcmp(json_string_value(json_object_get(v,
	    "severity")), "high") == 0);
	v = nth(all, "sniffer_socket", 1);
	CHECK(v != NULL && strcmp(json_string_value(json_object_get(v,
	    "severity")), "medium") == 0);
	v = nth(all, "recent_persistence", 0);
	CHECK(v != NULL && strstr(json_string_value(json_object_get(v,
	    "title")), "/etc/cron.d/new:1") != NULL);
	v = nth(all, "memfd_executable", 0);
	CHECK(v != NULL && json_integer_value(json_object_get(json_object_get(
	    v, "detail"), "pid")) == 9);
	v = findings_records(f);
	CHECK(json_integer_value(json_object_get(v,
	    "live/processes.jsonl")) == 6);
	json_decref(v);
	CHECK(findings_nrecords(f) == 25);
	json_decref(all);
	findings_free(f);
}

/* At most FINDINGS_KEEP per kind are listed; all are counted. */
static void
test_bound(void)
{
	struct findings	*f = findings_new(30, NOW);
	json_t		*all;
	char		 rec[128];
	int		 i;

	for (i = 0; i < FINDINGS_KEEP + 50; i++) {
		snprintf(rec, sizeof rec, "{\"pid\":%d,\"name\":\"h\","
		    "\"hidden\":true}", i + 100);
		feed(f, "live/processes.jsonl", rec);
	}
	all = findings_json(f);
	CHECK(json_array_size(json_object_get(all, "findings")) ==
	    FINDINGS_KEEP);
	CHECK(json_integer_value(json_object_get(json_object_get(all,
	    "findings_total"), "hidden_process")) == FINDINGS_KEEP + 50);
	json_decref(all);
	findings_free(f);
}

/* One finding per rule; matches counted; the first 20 targets. */
static void
test_yara(void)
{
	struct findings	*f = findings_new(30, NOW);
	json_t		*y, *r;
	char		 rec[160];
	int		 i;

	for (i = 0; i < 25; i++) {
		snprintf(rec, sizeof rec, "{\"rule\":\"R1\",\"target\":\"file\","
		    "\"path\":\"/f%d\"}", i);
		feed(f, "yara/matches", rec);
	}
	feed(f, "yara/matches.jsonl", "{\"rule\":\"R2\",\"target\":\"process\","
	    "\"pid\":4,\"process\":\"evil\"}");
	CHECK(total(f, "yara_match") == 2);
	y = findings_yara(f);
	CHECK(json_integer_value(json_object_get(y, "matches")) == 26);
	r = json_array_get(json_object_get(y, "rules"), 0);
	CHECK_STR(json_string_value(json_object_get(r, "rule")), "R1");
	CHECK(json_integer_value(json_object_get(r, "count")) == 25);
	CHECK(json_array_size(json_object_get(r, "targets")) ==
	    FINDINGS_TARGETS);
	r = json_array_get(json_object_get(y, "rules"), 1);
	CHECK_STR(json_string_value(json_array_get(json_object_get(r,
	    "targets"), 0)), "pid 4 (evil)");
	json_decref(y);
	findings_free(f);
}

static void
test_logins(void)
{
	struct findings	*f = findings_new(30, NOW);
	json_t		*all, *s;

	feed(f, "logins", "{\"source\":\"btmp\",\"type\":\"LOGIN_PROCESS\","
	    "\"user\":\"admin\",\"addr\":\"203.0.113.9\",\"host\":\"x\","
	    "\"time\":\"2026-11-30T01:00:00Z\"}");
	feed(f, "logins", "{\"source\":\"btmp\",\"type\":\"LOGIN_PROCESS\","
	    "\"user\":\"root\",\"addr\":\"203.0.113.9\","
	    "\"time\":\"2026-11-29T01:00:00Z\"}");
	feed(f, "logins", "{\"source\":\"wtmp\",\"type\":\"USER_PROCESS\","
	    "\"user\":\"root\",\"addr\":\"203.0.113.9\","
	    "\"time\":\"2026-11-30T02:00:00Z\"}");
	/* A logout, a local login, lastlog: not counted. */
	feed(f, "logins", "{\"source\":\"wtmp\",\"type\":\"DEAD_PROCESS\","
	    "\"addr\":\"203.0.113.9\"}");
	feed(f, "logins", "{\"source\":\"wtmp\",\"type\":\"USER_PROCESS\","
	    "\"user\":\"bob\",\"addr\":null,\"host\":\"\"}");
	feed(f, "logins", "{\"source\":\"lastlog\",\"user\":\"bob\","
	    "\"host\":\"198.51.100.1\"}");
	all = findings_json(f);
	CHECK(json_array_size(json_object_get(json_object_get(all, "logins"),
	    "by_source")) == 1);
	s = json_array_get(json_object_get(json_object_get(all, "logins"),
	    "by_source"), 0);
	CHECK_STR(json_string_value(json_object_get(s, "source")),
	    "203.0.113.9");
	CHECK(json_integer_value(json_object_get(s, "failed")) == 2);
	CHECK(json_integer_value(json_object_get(s, "success")) == 1);
	CHECK(json_array_size(json_object_get(s, "users")) == 2);
	CHECK_STR(json_string_value(json_object_get(s, "first")),
	    "2026-11-29T01:00:00Z");
	CHECK_STR(json_string_value(json_object_get(s, "last")),
	    "2026-11-30T02:00:00Z");
	json_decref(all);
	findings_free(f);
}

/* Not objects, wrong types: ignored, never a crash. */
static void
test_bad(void)
{
	struct findings	*f = findings_new(30, NOW);
	json_t		*a = json_array();

	findings_record(f, "processes", NULL);
	findings_record(f, "processes", a);
	feed(f, "processes", "{\"pid\":\"x\",\"hidden\":\"yes\","
	    "\"ld_preload\":5}");
	feed(f, "users", "{\"type\":\"user\",\"uid\":\"0\"}");
	feed(f, "persistence", "{\"mtime\":\"garbage\"}");
	feed(f, "logins", "{\"source\":5}");
	feed(f, "yara/matches", "{\"rule\":7}");
	feed(f, "", "{}");
	CHECK(total(f, "hidden_process") == 0);
	CHECK(total(f, "ld_preload") == 0);
	CHECK(total(f, "uid0_account") == 0);
	CHECK(total(f, "recent_persistence") == 0);
	json_decref(a);
	findings_free(f);
}

int
main(void)
{
	UNIT_RUN(test_kinds);
	UNIT_RUN(test_bound);
	UNIT_RUN(test_yara);
	UNIT_RUN(test_logins);
	UNIT_RUN(test_bad);
	UNIT_EXIT();
}
