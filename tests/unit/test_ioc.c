/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * ioc: the three formats (the seeds of tests/fuzz/corpus/ioc/, one a
 * format, with what each must give), lookups, the YARA source compiled
 * with libyara (values with quotes, backslashes and newlines), and the
 * must-fail cases: damaged JSON, an unreadable STIX pattern, a huge
 * value, a damaged Loki file, more than IOC_MAX indicators.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yara.h>

#include "ioc.h"
#include "log.h"
#include "scan.h"
#include "util.h"
#include "unit.h"

#define SEEDS	"tests/fuzz/corpus/ioc/"

/* Load a seed into s: what ioc_set_load returns, -2 if unreadable. */
static int
test_load(struct ioc_set *s, const char *name)
{
	char	 path[256], err[512], *data;
	size_t	 len;
	int	 n;

	snprintf(path, sizeof path, SEEDS "%s", name);
	if ((data = util_read_file(path, 1 << 20, &len, err, sizeof err)) ==
	    NULL)
		return -2;
	n = ioc_set_load(s, path, data, len, err, sizeof err);
	if (n == -1)
		printf("# %s\n", err);
	free(data);
	return n;
}

static int
test_counts(const struct ioc_set *s, const size_t *want)
{
	int	t, ok = 1;

	for (t = 0; t < IOC_NTYPES; t++)
		if (ioc_set_count(s, t) != want[t]) {
			printf("# %s: %zu, want %zu\n", ioc_type_name(t),
			    ioc_set_count(s, t), want[t]);
			ok = 0;
		}
	return ok;
}

static void
test_misp(void)
{
	/* md5 sha1 sha256 filename path addr domain url */
	static const size_t	 want[IOC_NTYPES] = { 1, 1, 2, 1, 1, 3, 2, 1 };
	struct ioc_set		*s = ioc_set_new();
	const struct ioc	*out[4];

	CHECK(test_load(s, "misp.json") == 12);
	CHECK(test_counts(s, want));
	CHECK(ioc_set_count_format(s, "misp") == 12);
	CHECK(ioc_find_hash(s, IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e",
	    out, 4) == 1);
	CHECK_STR(out[0]->id, "a0000000-0000-4000-8000-000000000001");
	CHECK_STR(out[0]->event, "5f1e0000-0000-4000-8000-000000000001");
	/* filename|sha256: both halves, the path as a path. */
	CHECK(ioc_find_hash(s, IOC_SHA256, "9f86d081884c7d659a2feaa0c55ad015"
	    "a3bf4f1b2b0b822cd15d6c15b0f00a08", out, 4) == 1);
	CHECK(ioc_find_file(s, "/tmp/.x/dropper", out, 4) == 1);
	CHECK(out[0]->type == IOC_PATH);
	CHECK(ioc_find_file(s, "/home/u/evil.sh", out, 4) == 1);
	CHECK(ioc_find_file(s, "/home/u/evil.sh2", out, 4) == 0);
	/* Canonical addresses; the ip|port block. */
	CHECK(ioc_find_addr(s, "2001:db8::1", out, 4) == 1);
	CHECK(ioc_find_addr(s, "198.51.100.77", out, 4) == 1);
	CHECK_STR(out[0]->value, "198.51.100.0/24");
	CHECK(ioc_find_addr(s, "198.51.101.1", out, 4) == 0);
	CHECK(ioc_find_addr(s, "192.0.2.10", out, 4) == 1);
	CHECK(ioc_find_addr(s, "::ffff:192.0.2.10", out, 4) == 1);
	CHECK(ioc_find_addr(s, "::ffff:198.51.100.9", out, 4) == 1);
	CHECK(ioc_find_addr(s, "2001:0db8:0000::0001", out, 4) == 1);
	CHECK(ioc_find_addr(s, "not an address", out, 4) == 0);
	/* to_ids false is context, not an indicator. */
	CHECK(ioc_by_match(s, "i_0", NULL, out, 4) == 0);
	ioc_set_free(s);
}

static void
test_stix(void)
{
	static const size_t	 want[IOC_NTYPES] = { 1, 1, 1, 1, 0, 2, 1, 1 };
	struct ioc_set		*s = ioc_set_new();
	const struct ioc	*out[4];

	CHECK(test_load(s, "stix.json") == 8);
	CHECK(test_counts(s, want));
	CHECK(ioc_find_hash(s, IOC_SHA256, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855", out, 4) == 1);
	CHECK_STR(out[0]->id, "indicator--00000000-0000-4000-8000-000000000001");
	CHECK_STR(out[0]->event, "bundle--11111111-1111-4111-8111-111111111111");
	CHECK(ioc_find_addr(s, "203.0.113.200", out, 4) == 1);
	/* AND of a hash and a name: the hash only. */
	CHECK(ioc_find_file(s, "/x.bin", out, 4) == 0);
	/* An indicator with one bad half is not read at all. */
	CHECK(ioc_set_count(s, IOC_DOMAIN) == 1);
	ioc_set_free(s);
}

static void
test_loki(void)
{
	struct ioc_set		*s = ioc_set_new();
	const struct ioc	*out[4];

	CHECK(test_load(s, "hash-iocs.txt") == 3);
	CHECK(ioc_find_hash(s, IOC_SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd"
	    "80709", out, 4) == 1);
	CHECK_STR(out[0]->comment, "empty file sha1");
	CHECK_STR(out[0]->id, "hash-iocs.txt:3");
	CHECK(test_load(s, "filename-iocs.txt") == 2);
	CHECK(ioc_find_file(s, "/tmp/.abc/dropper", out, 4) == 1);
	CHECK_STR(out[0]->comment, "Dropper in /tmp, score 80");
	CHECK(ioc_find_file(s, "/srv/C99.PHP", out, 4) == 1);
	/* The false-positive regex. */
	CHECK(ioc_find_file(s, "/var/www/legit/c99.php", out, 4) == 0);
	CHECK(test_load(s, "c2-iocs.txt") == 4);
	CHECK(ioc_set_count(s, IOC_ADDR) == 2);
	CHECK(ioc_set_count(s, IOC_DOMAIN) == 1);
	CHECK(ioc_set_count(s, IOC_URL) == 1);
	CHECK(ioc_find_addr(s, "198.51.100.1", out, 4) == 1);
	CHECK(ioc_set_count_format(s, "loki") == 9);
	ioc_set_free(s);
}

static int
test_load_text(struct ioc_set *s, const char *name, const char *text)
{
	char	err[512];
	int	n;

	n = ioc_set_load(s, name, text, strlen(text), err, sizeof err);
	if (n == -1)
		printf("# %s\n", err);
	return n;
}

static void
test_bad(void)
{
	struct ioc_set	*s = ioc_set_new();
	struct buf	 b = { 0 };
	char		 err[512];
	size_t		 i;

	CHECK(test_load(s, "misp.json") == 12);
	/* Damaged files: -1, named, and nothing added. */
	CHECK(ioc_set_load(s, "x.json", "{\"Event\": {\"Attribute\": [",
	    25, err, sizeof err) == -1);
	CHECK(strstr(err, "x.json") != NULL);
	CHECK(test_load_text(s, "y.json", "{\"Event\": {\"Attribute\": "
	    "[{\"type\": \"md5\", \"value\": \"00000000000000000000000000000000\"}],"
	    " \"Object\": 3}}") == -1);
	CHECK(test_load_text(s, "z.json", "{\"foo\": 1}") == -1);
	CHECK(test_load_text(s, "hash-iocs.txt", "d41d8cd98f00b204e9800998ecf8427e\n"
	    "not-a-hash;x\n") == -1);
	CHECK(test_load_text(s, "notes.txt", "hello\n") == -1);
	CHECK(ioc_set_load(s, "bin.txt", "a\0b", 3, err, sizeof err) == -1);
	CHECK(ioc_set_count(s, IOC_MD5) == 1);
	/* STIX: an unknown object, an unknown operator: skipped, not half. */
	CHECK(test_load_text(s, "s.json", "{\"type\": \"bundle\", \"objects\": ["
	    "{\"type\": \"indicator\", \"id\": \"indicator--a\", \"pattern\": "
	    "\"[x-custom:value = 'a'] OR [domain-name:value = 'b.example']\"},"
	    "{\"type\": \"indicator\", \"id\": \"indicator--b\", \"pattern\": "
	    "\"[domain-name:value LIKE 'c%']\"},"
	    "{\"type\": \"indicator\", \"id\": \"indicator--c\", \"pattern\": "
	    "\"[domain-name:value = 'd.example'] WITHIN 5 SECONDS\"},"
	    "{\"type\": \"indicator\", \"id\": \"indicator--d\", \"pattern\": "
	    "\"[domain-name:value = 'e.example'\"}]}") == 0);
	/* A huge value: skipped. */
	buf_addstr(&b, "{\"Event\": {\"Attribute\": [{\"type\": \"url\", "
	    "\"value\": \"http://");
	for (i = 0; i < 10000; i++)
		buf_addstr(&b, "a");
	buf_addstr(&b, "\"}]}}");
	CHECK(test_load_text(s, "huge.json", b.data) == 0);
	buf_free(&b);
	CHECK(ioc_set_count(s, IOC_URL) == 1);
	ioc_set_free(s);
}

/* Parentheses, a byte order mark, '|' in a composite's name. */
static void
test_forms(void)
{
	struct ioc_set		*s = ioc_set_new();
	const struct ioc	*out[4];

	CHECK(test_load_text(s, "p.json", "{\"type\": \"bundle\", \"objects\": ["
	    "{\"type\": \"indicator\", \"id\": \"indicator--p\", \"pattern\": "
	    "\"([domain-name:value = 'p1.example'] OR [url:value = "
	    "'http://p2.example/']) OR [file:hashes.MD5 = "
	    "'0123456789abcdef0123456789abcdef']\"},"
	    "{\"type\": \"indicator\", \"id\": \"indicator--q\", \"pattern\": "
	    "\"[(file:name = 'q.bin' OR file:name = 'r.bin')]\"},"
	    "{\"type\": \"indicator\", \"id\": \"indicator--r\", \"pattern\": "
	    "\"([domain-name:value = 'unbalanced.example']\"},"
	    "{\"type\": \"indicator\", \"id\": \"indicator--s\", \"pattern\": "
	    "\"[domain-name:value = 'a.example']) OR ([domain-name:value = "
	    "'b.example']\"}]}") == 5);
	CHECK(ioc_find_file(s, "/x/r.bin", out, 4) == 1);
	CHECK(ioc_set_count(s, IOC_DOMAIN) == 1);
	CHECK(test_load_text(s, "m.json", "\xef\xbb\xbf{\"Event\": {\"Attribute\": "
	    "[{\"type\": \"filename|md5\", \"value\": "
	    "\"a|b.exe|fedcba9876543210fedcba9876543210\"}]}}") == 2);
	CHECK(ioc_find_file(s, "/tmp/a|b.exe", out, 4) == 1);
	/* Spaces around a value are dropped. */
	CHECK(test_load_text(s, "t.json", "{\"Event\": {\"Attribute\": "
	    "[{\"type\": \"sha1\", \"value\": "
	    "\" DA39A3EE5E6B4B0D3255BFEF95601890AFD80709\\t\"}]}}") == 1);
	CHECK(ioc_find_hash(s, IOC_SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd"
	    "80709", out, 4) == 1);
	CHECK(test_load_text(s, "hash-iocs.txt", "\xef\xbb\xbf"
	    "ffffffffffffffffffffffffffffffff\r\n") == 1);
	ioc_set_free(s);
}

/* Loki regexes that would take regcomp gigabytes, or match slowly. */
static void
test_regex(void)
{
	struct ioc_set		*s = ioc_set_new();
	const struct ioc	*out[4];

	CHECK(test_load_text(s, "filename-iocs.txt",
	    "A+++++++++++++++++++++++++++++++++++++++++++++++++;50\n"
	    "((a{99}){99}){99};50\n"
	    "((((((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+;50\n"
	    "x{1000};50\n"
	    "(a)\\1;50\n"
	    "(unclosed;50\n"
	    "\\\\temp\\\\\\d+\\.exe;50\n"
	    "(((^|a)+)+)+;50\n"
	    "((()+)+)+;50\n"
	    "(^|a)+(^|a)+(^|a)+(^|a)+(^|a)+(^|a)+(^|a)+(^|a)+(^|a)+;50\n"
	    "[[:alpha:]]{2,3}[0-9]\\.bin$;60\n"
	    "/[.]x(y|z)+/[^/]*$;70\n") == 2);
	CHECK(ioc_find_file(s, "/tmp/ab7.bin", out, 4) == 1);
	CHECK(ioc_find_file(s, "/tmp/.xyz/a", out, 4) == 1);
	CHECK(ioc_find_file(s, "/tmp/a7.bin", out, 4) == 0);
	ioc_set_free(s);
}

/* More than IOC_MAX: refused whole. */
static void
test_max(void)
{
	struct ioc_set	*s = ioc_set_new();
	struct buf	 b = { 0 };
	char		 err[512];
	size_t		 i;

	for (i = 0; i <= IOC_MAX; i++)
		buf_printf(&b, "%032zx\n", i);
	CHECK(ioc_set_load(s, "hash-iocs.txt", b.data, b.len, err,
	    sizeof err) == -1);
	CHECK(strstr(err, "more than") != NULL);
	CHECK(ioc_set_count(s, IOC_MD5) == 0);
	/* And the set still works. */
	CHECK(test_load(s, "hash-iocs.txt") == 3);
	buf_free(&b);
	ioc_set_free(s);
}

/* Append v to b as UTF-16LE ("wide", as YARA's modifier means it). */
static void
test_wide(struct buf *b, const char *v)
{
	for (; *v != '\0'; v++) {
		buf_add(b, v, 1);
		buf_add(b, "", 1);
	}
}

/*
 * Scan b (the indicators' rules alone, through scan.c as a run does) and
 * write the value of each indicator seen to seen, one per line.
 */
static void
test_yara_scan(struct scan *sc, const struct ioc_set *s, struct buf *b,
    struct buf *seen)
{
	struct scan_thread	*t = scan_thread_new(sc);
	struct scan_file	 f;
	const struct ioc	*found[8];
	unsigned char		 sha[32] = { 0 };
	json_t			*hits = NULL, *h, *str;
	char			 err[256];
	size_t			 k, j, n, m;

	memset(&f, 0, sizeof f);
	f.path = "/var/log/test.log";
	f.sha256 = sha;
	f.size = b->len;
	CHECK(scan_file(t, b->data, b->len, &f, &hits, err, sizeof err) ==
	    SCAN_OK);
	json_array_foreach(hits, k, h) {
		CHECK_STR(json_string_value(json_object_get(h, "namespace")),
		    SCAN_NS_IOCS);
		json_array_foreach(json_object_get(h, "strings"), j, str) {
			n = ioc_by_match(s, json_string_value(json_object_get(
			    str, "id")), json_string_value(json_object_get(
			    str, "data")), found, nitems(found));
			CHECK(n > 0);
			for (m = 0; m < n; m++)
				buf_printf(seen, "%s\n", found[m]->value);
		}
	}
	json_decref(hits);
	scan_thread_free(t);
}

static void
test_yara(void)
{
	struct ioc_set		*s = ioc_set_new();
	const struct ioc	*found[4];
	struct scan		*sc = NULL;
	struct buf		 u = { 0 }, c2 = { 0 }, b = { 0 }, seen = { 0 };
	char			*src, err[512];
	int			 n;

	CHECK(test_load(s, "misp.json") == 12);
	CHECK(test_load(s, "stix.json") == 8);
	CHECK(test_load_text(s, "c2-iocs.txt", "http://x.example/\"\\\"\n"
	    "http://y.example/\xc3\xa9t\xc3\xa9\n") == 2);
	/* A URL with a quote and backslashes from STIX; one with a newline
	   is no URL (skipped). */
	CHECK(test_load_text(s, "z.json", "{\"type\": \"bundle\", \"objects\": ["
	    "{\"type\": \"indicator\", \"id\": \"indicator--n\", \"pattern\": "
	    "\"[url:value = 'http://n.example/a\\\\\\\\\\\\'b']\"},"
	    "{\"type\": \"indicator\", \"id\": \"indicator--m\", \"pattern\": "
	    "\"[url:value = 'http://m.example/a\\nb']\"}]}") == 1);
	/* The longest URL taken (2048 bytes): a string of its own. */
	buf_addstr(&u, "http://long.example/");
	while (u.len < 2048)
		buf_addstr(&u, "a");
	CHECK(test_load_text(s, "long-c2-iocs.txt", u.data) == 1);
	/* Enough of each kind for several groups: 500 domains, 300
	   addresses (IPv4 and IPv6). */
	for (n = 0; n < 500; n++)
		buf_printf(&c2, "host%d.group-%d.example\n", n, n % 7);
	for (n = 0; n < 150; n++)
		buf_printf(&c2, "203.0.113.%d\n2001:db8:%x::1\n", n, n);
	CHECK(test_load_text(s, "many-c2-iocs.txt", c2.data) == 800);
	CHECK((src = ioc_yara_source(s)) != NULL);
	if (src == NULL)
		goto out;
	/* No rule for blocks, hashes or names; groups of each kind. */
	CHECK(strstr(src, "198.51.100.0") == NULL);
	CHECK(strstr(src, "198\\x2e51\\x2e100\\x2e0") == NULL);
	CHECK(strstr(src, "evil.sh") == NULL && strstr(src, "evil\\x2esh") ==
	    NULL);
	CHECK(strstr(src, "$d_7 = /(") != NULL);
	CHECK(strstr(src, "$a_4 = /(") != NULL);
	CHECK(strstr(src, "$u_0 = /(") != NULL);
	CHECK(strstr(src, "$i_") != NULL);
	sc = scan_new_iocs(NULL, NULL, NULL, 0, 0, src, err, sizeof err);
	if (sc == NULL)
		printf("# %s\n", err);
	CHECK(sc != NULL);
	if (sc == NULL)
		goto out;
	/* Planted: a domain in upper case, one in UTF-16, an address and
	   an IPv6 one, the URLs with a quote and backslashes, with UTF-8,
	   and the long one; in the middle of words (fullword) none of the
	   domains and addresses. */
	buf_addstr(&b, "Accepted from EVIL.EXAMPLE port 22\n");
	test_wide(&b, "x host499.group-2.example y\n");
	buf_addstr(&b, "conn 203.0.113.77:4444 and [2001:db8:95::1]\n");
	buf_addstr(&b, "GET http://x.example/\"\\\" and "
	    "http://y.example/\xc3\xa9t\xc3\xa9 and ");
	buf_add(&b, u.data, u.len);
	buf_addstr(&b, "\nxhost1.group-1.example 1203.0.113.7 "
	    "203.0.113.140x host2.group-2.examplex\n");
	test_yara_scan(sc, s, &b, &seen);
	CHECK(seen.data != NULL);
	if (seen.data == NULL)
		goto out;
	CHECK(strstr(seen.data, "evil.example\n") != NULL);
	CHECK(strstr(seen.data, "host499.group-2.example\n") != NULL);
	CHECK(strstr(seen.data, "203.0.113.77\n") != NULL);
	CHECK(strstr(seen.data, "2001:db8:95::1\n") != NULL);
	CHECK(strstr(seen.data, "http://x.example/\"\\\"\n") != NULL);
	CHECK(strstr(seen.data, "http://y.example/\xc3\xa9t\xc3\xa9\n") !=
	    NULL);
	CHECK(strstr(seen.data, "http://long.example/aaaa") != NULL);
	CHECK(strstr(seen.data, "host1.group-1.example") == NULL);
	CHECK(strstr(seen.data, "host2.group-2.example") == NULL);
	CHECK(strstr(seen.data, "203.0.113.7\n") == NULL);
	CHECK(strstr(seen.data, "203.0.113.140") == NULL);
	/* Lookups that lead nowhere. */
	CHECK(ioc_by_match(s, "d_0", "nothing.example", found, 4) == 0);
	CHECK(ioc_by_match(s, "$d_0", "EVIL.example", found, 4) == 2);
	CHECK_STR(found[0]->value, "evil.example");
	CHECK(ioc_by_match(s, "i_0", NULL, found, 4) == 0);	/* an MD5 */
	CHECK(ioc_by_match(s, "i_99999", NULL, found, 4) == 0);
	CHECK(ioc_by_match(s, "i_x", NULL, found, 4) == 0);
	CHECK(ioc_by_match(s, "x_0", "evil.example", found, 4) == 0);
	CHECK(ioc_by_match(s, "a_0", "not an address", found, 4) == 0);
out:
	scan_free(sc);
	free(src);
	buf_free(&u);
	buf_free(&c2);
	buf_free(&b);
	buf_free(&seen);
	ioc_set_free(s);
	s = ioc_set_new();
	CHECK(ioc_yara_source(s) == NULL);
	ioc_set_free(s);
}

int
main(void)
{
	log_init(1, 0);
	UNIT_RUN(test_misp);
	UNIT_RUN(test_stix);
	UNIT_RUN(test_loki);
	UNIT_RUN(test_bad);
	UNIT_RUN(test_forms);
	UNIT_RUN(test_regex);
	UNIT_RUN(test_max);
	UNIT_RUN(test_yara);
	return unit_any_failed;
}
