/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Package database parsers (collectors/pkgdb.h): dpkg status paragraphs
 * (continuations, Conffiles with obsolete and malformed lines, a last
 * paragraph without its blank line), md5sums lines, apk's installed
 * database (Q1 SHA-1 sums, files before their digest, bad sums), pacman
 * desc, pacman mtree lines (/set, escapes, bad digests), rpm header
 * blobs (files, %config, a directory, cut blobs, counts past the data),
 * hex and base64.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkgdb.h"
#include "util.h"
#include "unit.h"

struct seen {
	int	 n;
	char	 names[8][64];
	char	 conf[8][256];
	char	 files[16][128];
	char	 sums[16][41];
	int	 nfiles;
	long long installed[8];
};

static int
on_pkg(const struct pkgdb_pkg *p, void *arg)
{
	struct seen	*s = arg;
	const char	*path;
	unsigned char	 md5[16];
	char		 hex[33], *cur = p->conffiles;
	int		 obs;

	if (s->n >= 8)
		return 1;
	snprintf(s->names[s->n], sizeof s->names[0], "%s|%s|%s|%s|%s",
	    p->name, p->version ? p->version : "-", p->arch ? p->arch : "-",
	    p->status ? p->status : "-", p->source ? p->source : "-");
	s->installed[s->n] = p->installed;
	while (pkgdb_conffile_next(&cur, &path, md5, &obs) == 1) {
		util_hex(hex, md5, 16);
		snprintf(s->conf[s->n] + strlen(s->conf[s->n]),
		    sizeof s->conf[0] - strlen(s->conf[s->n]), "%s=%s%s;",
		    path, hex, obs ? "(obs)" : "");
	}
	s->n++;
	return 0;
}

static int
on_file(const struct pkgdb_pkg *p, const char *path,
    const unsigned char *sum, size_t len, void *arg)
{
	struct seen	*s = arg;

	(void)p;
	if (s->nfiles >= 16)
		return 1;
	snprintf(s->files[s->nfiles], sizeof s->files[0], "%s", path);
	if (sum != NULL && len == 20)
		util_hex(s->sums[s->nfiles], sum, 20);
	else
		strcpy(s->sums[s->nfiles], "-");
	s->nfiles++;
	return 0;
}

static void
test_dpkg_status(void)
{
	char	 buf[] =
	    "Package: foo\n"
	    "Status: install ok installed\n"
	    "Architecture: amd64\n"
	    "Version: 1.2-3\n"
	    "Source: foo-src (1.2)\n"
	    "Description: a thing\n"
	    " with: a colon in a continuation\n"
	    "Conffiles:\n"
	    " /etc/foo.conf 0123456789abcdef0123456789abcdef\n"
	    " /etc/old.conf fedcba9876543210fedcba9876543210 obsolete\n"
	    " /etc/new.conf newconffile\n"
	    " garbage\n"
	    " /etc/with space.conf 00112233445566778899aabbccddeeff\n"
	    "Homepage: x\n"
	    "\n\n"
	    "Status: no package name\n"
	    "\n"
	    "Package: bar\r\n"
	    "Version: 2\n";
	struct seen	s;

	memset(&s, 0, sizeof s);
	CHECK(pkgdb_dpkg_status(buf, on_pkg, &s) == 2);
	CHECK(s.n == 2);
	CHECK_STR(s.names[0], "foo|1.2-3|amd64|install ok installed|"
	    "foo-src (1.2)");
	CHECK_STR(s.conf[0], "/etc/foo.conf=0123456789abcdef0123456789abcdef;"
	    "/etc/old.conf=fedcba9876543210fedcba9876543210(obs);"
	    "/etc/with space.conf=00112233445566778899aabbccddeeff;");
	CHECK_STR(s.names[1], "bar|2|-|-|-");
	CHECK_STR(s.conf[1], "");
}

static void
test_dpkg_empty(void)
{
	char		 a[] = "", b[] = "\n\n\n", c[] = "Conffiles:\n /x";
	char		 d[] = "Package: x\nConffiles:\n";
	struct seen	 s;

	memset(&s, 0, sizeof s);
	CHECK(pkgdb_dpkg_status(a, on_pkg, &s) == 0);
	CHECK(pkgdb_dpkg_status(b, on_pkg, &s) == 0);
	CHECK(pkgdb_dpkg_status(c, on_pkg, &s) == 0);
	CHECK(pkgdb_dpkg_status(d, on_pkg, &s) == 1);
	CHECK_STR(s.conf[0], "");
}

static void
test_md5sums(void)
{
	unsigned char	 md5[16];
	const char	*path;
	char		 a[] = "0123456789abcdef0123456789ABCDEF  usr/bin/foo\n";
	char		 b[] = "0123456789abcdef0123456789abcdef usr/x y";
	char		 c[] = "0123456789abcdef0123456789abcdeg  usr/bin/foo";
	char		 d[] = "0123456789abcdef0123456789abcdef  ";
	char		 e[] = "short";
	char		 f[] = "0123456789abcdef0123456789abcdef\tusr/bin/foo";

	CHECK(pkgdb_md5sums_line(a, md5, &path) == 0);
	CHECK_STR(path, "usr/bin/foo");
	CHECK(md5[0] == 0x01 && md5[15] == 0xef);
	CHECK(pkgdb_md5sums_line(b, md5, &path) == 0);
	CHECK_STR(path, "usr/x y");
	CHECK(pkgdb_md5sums_line(c, md5, &path) == -1);
	CHECK(pkgdb_md5sums_line(d, md5, &path) == -1);
	CHECK(pkgdb_md5sums_line(e, md5, &path) == -1);
	CHECK(pkgdb_md5sums_line(f, md5, &path) == -1);
}

static void
test_apk(void)
{
	/* Q1 of "hello\n": SHA-1 f572d396fae9206628714fb2ce00f72e94f2258f */
	char	 buf[] =
	    "C:Q1abc=\n"
	    "P:musl\n"
	    "V:1.2.4-r2\n"
	    "A:x86_64\n"
	    "t:1700000000\n"
	    "F:lib\n"
	    "R:ld-musl-x86_64.so.1\n"
	    "a:0:0:755\n"
	    "Z:Q19XLTlvrpIGYocU+yzgD3LpTyJY8=\n"
	    "R:nosum\n"
	    "R:badsum\n"
	    "Z:Q1!!!!\n"
	    "F:\n"
	    "R:toplevel\n"
	    "Z:Q19XLTlvrpIGYocU+yzgD3LpTyJY8=\n"
	    "\n"
	    "P:busybox\n"
	    "V:1.36\n"
	    "F:bin\n"
	    "R:busybox\n";
	struct seen	s;

	memset(&s, 0, sizeof s);
	CHECK(pkgdb_apk(buf, on_pkg, on_file, &s) == 2);
	CHECK(s.n == 2);
	CHECK_STR(s.names[0], "musl|1.2.4-r2|x86_64|-|-");
	CHECK(s.installed[0] == 1700000000LL);
	CHECK_STR(s.names[1], "busybox|1.36|-|-|-");
	CHECK(s.nfiles == 5);
	CHECK_STR(s.files[0], "lib/ld-musl-x86_64.so.1");
	CHECK_STR(s.sums[0], "f572d396fae9206628714fb2ce00f72e94f2258f");
	CHECK_STR(s.files[1], "lib/nosum");
	CHECK_STR(s.sums[1], "-");
	CHECK_STR(s.files[2], "lib/badsum");
	CHECK_STR(s.sums[2], "-");
	CHECK_STR(s.files[3], "toplevel");
	CHECK_STR(s.sums[3], "f572d396fae9206628714fb2ce00f72e94f2258f");
	CHECK_STR(s.files[4], "bin/busybox");
	CHECK_STR(s.sums[4], "-");
}

static void
test_pacman(void)
{
	struct pkgdb_pkg p;
	char	 a[] = "%NAME%\nbash\n\n%VERSION%\n5.2-1\n\n%DESC%\nx\n\n"
	    "%ARCH%\nx86_64\n\n%INSTALLDATE%\n1700000001\n\n";
	char	 b[] = "%VERSION%\n1\n";
	char	 c[] = "%NAME%";
	char	 d[] = "%NAME%\nx\n%INSTALLDATE%\nsoon\n";

	CHECK(pkgdb_pacman_desc(a, &p) == 0);
	CHECK_STR(p.name, "bash");
	CHECK_STR(p.version, "5.2-1");
	CHECK_STR(p.arch, "x86_64");
	CHECK(p.installed == 1700000001LL);
	CHECK(pkgdb_pacman_desc(b, &p) == -1);
	CHECK(pkgdb_pacman_desc(c, &p) == -1);
	CHECK(pkgdb_pacman_desc(d, &p) == 0);
	CHECK(p.installed == -1);
}

static void
test_mtree(void)
{
	struct pkgdb_mtree	 set;
	unsigned char		 sha[32], md5[16];
	const char		*path;
	int			 has;
	char	 l1[] = "#mtree\n";
	char	 l2[] = "/set type=file uid=0 gid=0 mode=644\n";
	char	 l3[] = "./.PKGINFO time=1.0 size=10 md5digest="
	    "0123456789abcdef0123456789abcdef\n";
	char	 l4[] = "./usr time=1.0 type=dir";
	char	 l5[] = "./usr/bin/a\\040b time=1.0 md5digest="
	    "0123456789abcdef0123456789abcdef sha256digest="
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	char	 l6[] = "./usr/bin/c md5digest=nothex";
	char	 l7[] = "./usr/bin/d\\000e md5digest="
	    "0123456789abcdef0123456789abcdef";
	char	 l8[] = "/set type=link";
	char	 l9[] = "./usr/bin/e";
	char	 l10[] = "./usr/bin/f type=file";

	memset(&set, 0, sizeof set);
	CHECK(pkgdb_mtree_line(l1, &set, &path, sha, md5, &has) == 0);
	CHECK(pkgdb_mtree_line(l2, &set, &path, sha, md5, &has) == 0);
	CHECK(set.deffile == 1);
	CHECK(pkgdb_mtree_line(l3, &set, &path, sha, md5, &has) == 0);
	CHECK(pkgdb_mtree_line(l4, &set, &path, sha, md5, &has) == 0);
	CHECK(pkgdb_mtree_line(l5, &set, &path, sha, md5, &has) == 1);
	CHECK_STR(path, "usr/bin/a b");
	CHECK(has == 3 && sha[0] == 0x00 && sha[31] == 0xff && md5[0] == 0x01);
	CHECK(pkgdb_mtree_line(l6, &set, &path, sha, md5, &has) == 1);
	CHECK(has == 0);
	CHECK(pkgdb_mtree_line(l7, &set, &path, sha, md5, &has) == 0);
	CHECK(pkgdb_mtree_line(l8, &set, &path, sha, md5, &has) == 0);
	CHECK(pkgdb_mtree_line(l9, &set, &path, sha, md5, &has) == 0);
	CHECK(pkgdb_mtree_line(l10, &set, &path, sha, md5, &has) == 1);
	CHECK_STR(path, "usr/bin/f");
}

/* An rpm header blob: il, dl, entries, data (big-endian). */
struct rpmh {
	unsigned char	 idx[16 * 16], data[512];
	size_t		 il, dl;
};

static void
put32(unsigned char *p, unsigned int v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void
rpm_tag(struct rpmh *h, unsigned int tag, unsigned int type,
    const void *val, size_t len, unsigned int count)
{
	while ((type == 4 && h->dl % 4) || (type == 3 && h->dl % 2))
		h->data[h->dl++] = 0;
	put32(h->idx + 16 * h->il, tag);
	put32(h->idx + 16 * h->il + 4, type);
	put32(h->idx + 16 * h->il + 8, (unsigned int)h->dl);
	put32(h->idx + 16 * h->il + 12, count);
	h->il++;
	memcpy(h->data + h->dl, val, len);
	h->dl += len;
}

static size_t
rpm_blob(struct rpmh *h, unsigned char *out)
{
	put32(out, (unsigned int)h->il);
	put32(out + 4, (unsigned int)h->dl);
	memcpy(out + 8, h->idx, 16 * h->il);
	memcpy(out + 8 + 16 * h->il, h->data, h->dl);
	return 8 + 16 * h->il + h->dl;
}

static int
on_rpm_file(const char *path, const unsigned char *d, size_t len, int config,
    void *arg)
{
	struct seen	*s = arg;

	if (s->nfiles >= 16)
		return 1;
	snprintf(s->files[s->nfiles], sizeof s->files[0], "%s%s", path,
	    config ? " (config)" : "");
	util_hex(s->sums[s->nfiles], d, len > 20 ? 20 : len);
	s->nfiles++;
	return 0;
}

static void
test_rpm(void)
{
	struct rpmh	 h;
	struct pkgdb_rpm r;
	struct seen	 s;
	unsigned char	 blob[1024], v[16];
	static const char digests[] =
	    "00112233445566778899aabbccddeeff\0"
	    "\0"
	    "ffeeddccbbaa99887766554433221100\0";

	memset(&h, 0, sizeof h);
	rpm_tag(&h, 1000, 6, "bash", 5, 1);
	rpm_tag(&h, 1001, 6, "5.1", 4, 1);
	rpm_tag(&h, 1002, 6, "1.el9", 6, 1);
	rpm_tag(&h, 1022, 6, "x86_64", 7, 1);
	put32(v, 1700000002);
	rpm_tag(&h, 1008, 4, v, 4, 1);
	rpm_tag(&h, 1117, 8, "bash\0bin\0bashrc", 16, 3);
	rpm_tag(&h, 1118, 8, "/usr/bin/\0/usr/\0/etc/", 22, 3);
	put32(v, 0);
	put32(v + 4, 1);
	put32(v + 8, 2);
	rpm_tag(&h, 1116, 4, v, 12, 3);
	rpm_tag(&h, 1035, 8, digests, sizeof digests - 1, 3);
	v[0] = 0x81; v[1] = 0xed; v[2] = 0x41; v[3] = 0xed;
	v[4] = 0x81; v[5] = 0xa4;
	rpm_tag(&h, 1030, 3, v, 6, 3);
	put32(v, 0);
	put32(v + 4, 0);
	put32(v + 8, 1);
	rpm_tag(&h, 1037, 4, v, 12, 3);
	CHECK(pkgdb_rpm_header(blob, rpm_blob(&h, blob), &r) == 0);
	CHECK_STR(r.name, "bash");
	CHECK_STR(r.version, "5.1");
	CHECK_STR(r.release, "1.el9");
	CHECK_STR(r.arch, "x86_64");
	CHECK(r.installtime == 1700000002LL && r.digestalgo == 1);
	memset(&s, 0, sizeof s);
	CHECK(pkgdb_rpm_files(&r, on_rpm_file, &s) == 2);
	CHECK_STR(s.files[0], "/usr/bin/bash");
	CHECK_STR(s.sums[0], "00112233445566778899aabbccddeeff");
	CHECK_STR(s.files[1], "/etc/bashrc (config)");

	/* Cut anywhere: never read past the blob. */
	{
		size_t	n = rpm_blob(&h, blob), i;

		for (i = 0; i < n; i++)
			if (pkgdb_rpm_header(blob, i, &r) == 0)
				pkgdb_rpm_files(&r, on_rpm_file, &s);
	}
	/* A count past the data; an index past the table. */
	memset(&h, 0, sizeof h);
	rpm_tag(&h, 1000, 6, "x", 2, 1);
	put32(v, 7);
	rpm_tag(&h, 1116, 4, v, 4, 1000);
	CHECK(pkgdb_rpm_header(blob, rpm_blob(&h, blob), &r) == 0);
	CHECK(r.dirindexes.count == 0);
	CHECK(pkgdb_rpm_header((const unsigned char *)"\0\0\0\0\0\0\0\0",
	    8, &r) == -1);
	CHECK(pkgdb_rpm_header((const unsigned char *)"\xff\xff\xff\xff"
	    "\0\0\0\0", 8, &r) == -1);
}

static void
test_codecs(void)
{
	unsigned char	out[8];

	CHECK(pkgdb_unbase64("aGVsbG8=", 8, out, sizeof out) == 5);
	CHECK(memcmp(out, "hello", 5) == 0);
	CHECK(pkgdb_unbase64("aGVsbG8gd29ybGQ=", 16, out, sizeof out) == -1);
	CHECK(pkgdb_unbase64("a-b", 3, out, sizeof out) == -1);
	CHECK(pkgdb_unbase64("", 0, out, sizeof out) == 0);
	CHECK(pkgdb_unhex("0aFf", 2, out) == 0 && out[0] == 0x0a &&
	    out[1] == 0xff);
	CHECK(pkgdb_unhex("0x", 1, out) == -1);
}

int
main(void)
{
	UNIT_RUN(test_dpkg_status);
	UNIT_RUN(test_dpkg_empty);
	UNIT_RUN(test_md5sums);
	UNIT_RUN(test_apk);
	UNIT_RUN(test_pacman);
	UNIT_RUN(test_mtree);
	UNIT_RUN(test_rpm);
	UNIT_RUN(test_codecs);
	return unit_any_failed;
}
