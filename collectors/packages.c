/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Package inventories and integrity, from the package databases under
 * the root (live or --root): dpkg, rpm, apk, pacman and snap.
 * Each file a database lists with a digest is hashed by the reader pool
 * (collect_hash_file: this collector never reads evidence bytes itself)
 * and compared; what differs, is missing or is not a regular file goes
 * to live/package_integrity.jsonl, with the executables of the system
 * directories that no package lists ("unpackaged"). In triage, only
 * executables and shared libraries are hashed; in full, every file.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include <sqlite3.h>

#include "collector.h"
#include "pkgdb.h"
#include "util.h"

#define PKG_DB_MAX	(64U << 20)	/* status, installed */
#define PKG_LIST_MAX	(16U << 20)	/* one package's list or md5sums */
#define PKG_HASH_MAX	(64ULL << 20)	/* larger files are not hashed */
#define PKG_MAX_PKGS	100000
#define PKG_MAX_FILES	4000000		/* listed, all packages */
#define PKG_MAX_EXCL	256		/* dpkg path-exclude patterns */
#define PKG_MAX_DIRENT	200000		/* per system directory */
#define PKG_MAX_DIVERT	4096		/* dpkg diversions */
#define PKG_RPMDB_MAX	(256U << 20)	/* rpmdb.sqlite, read whole */

enum { PB_MODIFIED, PB_MISSING, PB_UNREADABLE, PB_OTHER_TYPE, PB_TOO_LARGE,
    PB_UNPACKAGED, PB_NKINDS };
static const char *const pkg_problem_names[PB_NKINDS] = {
	"modified", "missing", "unreadable", "replaced_by_other_type",
	"not_checked_too_large", "unpackaged"
};

struct pkg_run;
static char	**pkg_dir(struct pkg_run *, const char *, size_t *);
static void	  pkg_free_names(char **, size_t);

struct pkg_run {
	struct collect_ctx	*ctx;
	int			 full;		/* hash every file listed */
	struct hset		 owned;		/* paths some package lists */
	uint64_t		 nowned;
	const char		*first;		/* first manager found */
	char			*excl[PKG_MAX_EXCL];	/* dpkg path-exclude */
	int			 incl[PKG_MAX_EXCL];	/* path-include */
	size_t			 nexcl;
	char			*dfrom[PKG_MAX_DIVERT];	/* dpkg-divert */
	char			*dto[PKG_MAX_DIVERT];
	char			*dby[PKG_MAX_DIVERT];
	size_t			 ndivert;
	uint64_t		 npkgs, nlisted, nchecked, nskipped, ncut;
	uint64_t		 problems[PB_NKINDS];
	int			 cut;		/* the run expired */
	int			 partial;
};

/* A file handed to the pool, back in pkg_hashed. */
struct pkg_item {
	struct pkg_run	*run;
	const char	*manager;
	char		*package;
	int		 algo;		/* COLLECT_HASH_* */
	unsigned char	 expected[32];
	size_t		 explen;
	int		 conffile;
	int		 unpackaged;	/* no digest to compare: record it */
};

/*
 * The key of a path in the owned set: relative, and with a merged /usr
 * (bin -> usr/bin) "usr/bin/x" and "bin/x" the same file.
 */
static const char *
pkg_key(const char *path)
{
	while (*path == '/')
		path++;
	if (strncmp(path, "usr/", 4) == 0 && (strncmp(path + 4, "bin/", 4) ==
	    0 || strncmp(path + 4, "sbin/", 5) == 0 ||
	    strncmp(path + 4, "lib", 3) == 0))
		path += 4;
	return path;
}

static int
pkg_own(struct pkg_run *run, const char *path)
{
	const char	*k = pkg_key(path);

	if (run->nowned >= PKG_MAX_FILES)
		return 1;
	if (hset_add(&run->owned, k, strlen(k)) == 0) {
		run->nowned++;
		return 0;
	}
	return 1;
}

/* A file a shared library or an executable by its path. */
static int
pkg_execlike(const char *path)
{
	const char	*base = strrchr(path, '/');

	base = base != NULL ? base + 1 : path;
	return strstr(path, "bin/") != NULL || strstr(base, ".so") != NULL;
}

static void
pkg_json_name(json_t *rec, const char *key, const char *s)
{
	if (s == NULL)
		json_object_set_new(rec, key, json_null());
	else
		util_json_set_name(rec, key, s);
}

static void
pkg_time(json_t *rec, const char *key, long long t)
{
	char	buf[40];

	if (t < 0) {
		json_object_set_new(rec, key, json_null());
		return;
	}
	util_iso8601(buf, sizeof buf, (time_t)t, -1);
	json_object_set_new(rec, key, json_string(buf));
}

static void
pkg_inventory(struct pkg_run *run, const char *manager,
    const struct pkgdb_pkg *p, long long installed, long long built)
{
	json_t	*rec = json_object();

	json_object_set_new(rec, "manager", json_string(manager));
	pkg_json_name(rec, "name", p->name);
	pkg_json_name(rec, "version", p->version);
	pkg_json_name(rec, "arch", p->arch);
	pkg_time(rec, "installed", installed);
	if (built >= 0)
		pkg_time(rec, "built", built);
	pkg_json_name(rec, "status", p->status);
	if (p->source != NULL)
		pkg_json_name(rec, "source", p->source);
	run->npkgs++;
	if (run->first == NULL)
		run->first = manager;
	collect_record(run->ctx, "packages", rec);
}

static const char *
pkg_algo_name(int algo)
{
	return algo == COLLECT_HASH_MD5 ? "md5" : algo == COLLECT_HASH_SHA1 ?
	    "sha1" : "sha256";
}

/* One problem record; expected/actual raw digests (NULL: none). */
static void
pkg_problem(struct pkg_run *run, const char *manager, const char *package,
    const char *path, int kind, int algo, const unsigned char *expected,
    const unsigned char *actual, size_t dlen, int conffile,
    const struct stat *st)
{
	json_t	*rec = json_object();
	char	 hex[65];

	run->problems[kind]++;
	json_object_set_new(rec, "manager", manager != NULL ?
	    json_string(manager) : json_null());
	pkg_json_name(rec, "package", package);
	pkg_json_name(rec, "path", path);
	json_object_set_new(rec, "problem",
	    json_string(pkg_problem_names[kind]));
	json_object_set_new(rec, "algorithm", algo != 0 && (expected != NULL ||
	    actual != NULL) ? json_string(pkg_algo_name(algo)) : json_null());
	if (expected != NULL)
		util_hex(hex, expected, dlen);
	json_object_set_new(rec, "expected", expected != NULL ?
	    json_string(hex) : json_null());
	if (actual != NULL)
		util_hex(hex, actual, dlen);
	json_object_set_new(rec, "actual", actual != NULL ?
	    json_string(hex) : json_null());
	json_object_set_new(rec, "conffile", json_boolean(conffile));
	json_object_set_new(rec, "size", st != NULL ?
	    json_integer((json_int_t)st->st_size) : json_null());
	pkg_time(rec, "mtime", st != NULL ? (long long)st->st_mtime : -1);
	collect_record(run->ctx, "package_integrity", rec);
}

static void
pkg_item_free(struct pkg_item *it)
{
	free(it->package);
	free(it);
}

/* A file's digests back from the pool (this thread). */
static void
pkg_hashed(struct collect_ctx *ctx, const struct collect_digest *d,
    void *arg)
{
	struct pkg_item	*it = arg;
	struct pkg_run	*run = it->run;
	const unsigned char *actual = it->algo == COLLECT_HASH_MD5 ? d->md5 :
	    it->algo == COLLECT_HASH_SHA1 ? d->sha1 : d->sha256;

	(void)ctx;
	if (it->unpackaged) {
		/* Its sha256, to look it up elsewhere; none if unread. */
		pkg_problem(run, run->first, NULL, d->path, PB_UNPACKAGED,
		    COLLECT_HASH_SHA256, NULL, d->err != 0 || d->short_read ?
		    NULL : d->sha256, sizeof d->sha256, 0, d->st);
	} else if (d->err != 0 || d->short_read) {
		pkg_problem(run, it->manager, it->package, d->path,
		    PB_UNREADABLE, it->algo, it->expected, NULL, it->explen,
		    it->conffile, d->st);
	} else {
		run->nchecked++;
		if (memcmp(actual, it->expected, it->explen) != 0)
			pkg_problem(run, it->manager, it->package, d->path,
			    PB_MODIFIED, it->algo, it->expected, actual,
			    it->explen, it->conffile, d->st);
	}
	pkg_item_free(it);
}

/* Whether dpkg was told not to install path (path-exclude). */
static int
pkg_excluded(struct pkg_run *run, const char *path)
{
	size_t	i;
	int	ex = 0;

	/* As dpkg: the last matching pattern decides. */
	for (i = 0; i < run->nexcl; i++)
		if (fnmatch(run->excl[i], path, 0) == 0)
			ex = !run->incl[i];
	return ex;
}

/*
 * Check one listed file (path absolute inside the root) against its
 * digest (dlen bytes of algo): open it here (metadata only) and hand
 * it to the pool.
 */
static void
pkg_check(struct pkg_run *run, const char *manager, const char *package,
    const char *path, int algo, const unsigned char *digest, size_t dlen,
    int conffile)
{
	struct pkg_item	*it;
	struct stat	 st;
	int		 fd;

	if (run->cut || (run->cut = collect_expired(run->ctx))) {
		run->ncut++;
		return;
	}
	/* Metadata first (one open): most files are skipped in triage. */
	if ((fd = collect_open(run->ctx, path, O_PATH)) == -1 ||
	    fstat(fd, &st) == -1) {
		if (fd != -1)
			close(fd);
		if (errno == ENOENT || errno == ENOTDIR) {
			if (strcmp(manager, "dpkg") == 0 &&
			    pkg_excluded(run, path)) {
				run->nskipped++;
				return;
			}
			pkg_problem(run, manager, package, path, PB_MISSING,
			    algo, digest, NULL, dlen, conffile, NULL);
		} else
			pkg_problem(run, manager, package, path,
			    errno == ELOOP ? PB_OTHER_TYPE : PB_UNREADABLE,
			    algo, digest, NULL, dlen, conffile, NULL);
		return;
	}
	close(fd);
	if (!S_ISREG(st.st_mode)) {
		pkg_problem(run, manager, package, path, PB_OTHER_TYPE, algo,
		    digest, NULL, dlen, conffile, &st);
		return;
	}
	if (!run->full && !pkg_execlike(path) && (st.st_mode & 0111) == 0) {
		run->nskipped++;
		return;
	}
	if ((uint64_t)st.st_size > PKG_HASH_MAX) {
		pkg_problem(run, manager, package, path, PB_TOO_LARGE, algo,
		    digest, NULL, dlen, conffile, &st);
		return;
	}
	if ((fd = collect_open(run->ctx, path, 0)) == -1) {
		pkg_problem(run, manager, package, path, errno == EINVAL ||
		    errno == ELOOP ? PB_OTHER_TYPE : PB_UNREADABLE, algo,
		    digest, NULL, dlen, conffile, &st);
		return;
	}
	it = xcalloc(1, sizeof *it);
	it->run = run;
	it->manager = manager;
	it->package = xstrdup(package);
	it->algo = algo;
	memcpy(it->expected, digest, dlen);
	it->explen = dlen;
	it->conffile = conffile;
	if (collect_hash_file(run->ctx, fd, &st, path, algo |
	    (pkg_execlike(path) || (st.st_mode & 0111) ? COLLECT_HASH_IOC : 0),
	    pkg_hashed, it) == -1) {
		pkg_item_free(it);
		run->cut = 1;
		run->ncut++;
	}
}

/* A small file under the root, capped; NULL (logged) when unreadable. */
static char *
pkg_read_len(struct pkg_run *run, const char *path, size_t max,
    struct stat *st, int quiet, size_t *lenp)
{
	char	*s;
	size_t	 len;
	int	 fd, trunc = 0, saved;

	if ((fd = collect_open(run->ctx, path, 0)) == -1) {
		if (!quiet || (errno != ENOENT && errno != ENOTDIR)) {
			collect_error(run->ctx, path, "cannot open: %s",
			    collect_open_error(errno));
			run->partial = 1;
		}
		return NULL;
	}
	if (st != NULL && fstat(fd, st) == -1)
		memset(st, 0, sizeof *st);
	s = util_read_fd(fd, max, &len, &trunc);
	saved = errno;
	close(fd);
	if (s == NULL) {
		collect_error(run->ctx, path, "cannot read: %s",
		    strerror(saved));
		run->partial = 1;
		return NULL;
	}
	if (trunc) {
		collect_error(run->ctx, path, "cut at %zu bytes", max);
		run->partial = 1;
	}
	if (lenp != NULL)
		*lenp = len;
	else if (strlen(s) != len)	/* text: the rest ignored */
		collect_log(run->ctx, LOG_WARN, "%s: NUL byte at %zu: read "
		    "up to it", path, strlen(s));
	return s;
}

static char *
pkg_read(struct pkg_run *run, const char *path, size_t max,
    struct stat *st, int quiet)
{
	return pkg_read_len(run, path, max, st, quiet, NULL);
}

/*
 * A gzip-compressed text (pacman's mtree), read under the root and
 * inflated in memory by libarchive (its raw format: never its mtree
 * reader, which opens the files an mtree names). NUL-terminated, at
 * most max bytes; NULL (recorded) on error.
 */
static char *
pkg_gunzip(struct pkg_run *run, const char *path, size_t max)
{
	struct archive		*a;
	struct archive_entry	*e;
	char			*gz, *out = NULL;
	size_t			 gzlen, len = 0;
	la_ssize_t		 n;

	if ((gz = pkg_read_len(run, path, max, NULL, 1, &gzlen)) == NULL)
		return NULL;
	if ((a = archive_read_new()) == NULL)
		fatal("archive_read_new");
	archive_read_support_filter_gzip(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_memory(a, gz, gzlen) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		collect_error(run->ctx, path, "not gzip: %s",
		    archive_error_string(a));
		goto done;
	}
	out = xmalloc(max + 1);
	while (len < max && (n = archive_read_data(a, out + len,
	    max - len)) > 0)
		len += (size_t)n;
	if (len == max)
		collect_error(run->ctx, path, "cut at %zu bytes inflated", max);
	else if (n < 0) {
		collect_error(run->ctx, path, "inflate: %s",
		    archive_error_string(a));
		run->partial = 1;
	}
	out[len] = '\0';
done:
	archive_read_free(a);
	free(gz);
	return out;
}

/* pacman's local/NAME-VER/mtree: each file's sha256 (or md5). */
static void
pkg_pacman_mtree(struct pkg_run *run, const char *name, const char *dir)
{
	struct pkgdb_mtree	 set;
	unsigned char		 sha256[32], md5[16];
	const char		*rel;
	char			*buf, *p, *line, *path;
	int			 has;

	path = xasprintf("/var/lib/pacman/local/%s/mtree", dir);
	buf = pkg_gunzip(run, path, PKG_LIST_MAX);
	free(path);
	if (buf == NULL)
		return;
	memset(&set, 0, sizeof set);
	for (p = buf; *p != '\0' && run->nlisted < PKG_MAX_FILES;) {
		line = p;
		if ((p = strchr(p, '\n')) != NULL)
			*p++ = '\0';
		else
			p = line + strlen(line);
		if (pkgdb_mtree_line(line, &set, &rel, sha256, md5, &has) != 1)
			continue;
		path = xasprintf("/%s", rel);
		pkg_own(run, path);
		run->nlisted++;
		if (has & 2)
			pkg_check(run, "pacman", name, path,
			    COLLECT_HASH_SHA256, sha256, sizeof sha256, 0);
		else if (has & 1)
			pkg_check(run, "pacman", name, path, COLLECT_HASH_MD5,
			    md5, sizeof md5, 0);
		free(path);
	}
	free(buf);
}

/* dpkg's path-exclude/-include, from etc/dpkg/dpkg.cfg(.d). */
static void
pkg_dpkg_excludes(struct pkg_run *run, const char *path)
{
	char	*buf, *p, *line, *nl;
	int	 inc;

	if ((buf = pkg_read(run, path, 1U << 20, NULL, 1)) == NULL)
		return;
	for (p = buf; *p != '\0'; p = nl) {
		line = p;
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		else
			nl = line + strlen(line);
		inc = strncmp(line, "path-include", 12) == 0;
		if (!inc && strncmp(line, "path-exclude", 12) != 0)
			continue;
		line += 12;
		line += strspn(line, " \t=");
		line[strcspn(line, " \t\r")] = '\0';
		if (*line != '/' || run->nexcl >= PKG_MAX_EXCL)
			continue;
		run->incl[run->nexcl] = inc;
		run->excl[run->nexcl++] = xstrdup(line);
	}
	free(buf);
}

static int
pkg_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
pkg_dpkg_config(struct pkg_run *run)
{
	char	*path, **names;
	size_t	 n, i;

	pkg_dpkg_excludes(run, "/etc/dpkg/dpkg.cfg");
	if ((names = pkg_dir(run, "/etc/dpkg/dpkg.cfg.d", &n)) == NULL)
		return;
	/* In name order, as dpkg reads them (dot files it ignores). */
	if (n > 0)
		qsort(names, n, sizeof *names, pkg_name_cmp);
	for (i = 0; i < n && i < PKG_MAX_EXCL; i++) {
		if (names[i][0] == '.')
			continue;
		path = xasprintf("/etc/dpkg/dpkg.cfg.d/%s", names[i]);
		pkg_dpkg_excludes(run, path);
		free(path);
	}
	pkg_free_names(names, n);
}

/*
 * var/lib/dpkg/diversions: lines by three, from, to and the diverting
 * package (":" for the administrator's).
 */
static void
pkg_dpkg_diversions(struct pkg_run *run)
{
	char	*buf, *p, *l[3];
	int	 i;

	if ((buf = pkg_read(run, "/var/lib/dpkg/diversions", PKG_LIST_MAX,
	    NULL, 1)) == NULL)
		return;
	for (p = buf; *p != '\0' && run->ndivert < PKG_MAX_DIVERT;) {
		for (i = 0; i < 3; i++) {
			l[i] = p;
			if ((p = strchr(p, '\n')) != NULL)
				*p++ = '\0';
			else
				p = l[i] + strlen(l[i]);
		}
		if (*l[0] != '/' || *l[1] != '/')
			continue;
		run->dfrom[run->ndivert] = xstrdup(l[0]);
		run->dto[run->ndivert] = xstrdup(l[1]);
		run->dby[run->ndivert++] = xstrdup(l[2]);
	}
	free(buf);
}

/*
 * Where package's file path really is: diverted by another package (or
 * the administrator), it was installed under the diversion's target.
 */
static const char *
pkg_diverted(struct pkg_run *run, const char *package, const char *path)
{
	size_t	i;

	for (i = 0; i < run->ndivert; i++)
		if (strcmp(run->dfrom[i], path) == 0 &&
		    strcmp(run->dby[i], package) != 0)
			return run->dto[i];
	return path;
}

/* One dpkg package: inventory, owned paths, digests. */
static int
pkg_dpkg_pkg(const struct pkgdb_pkg *p, void *arg)
{
	struct pkg_run	*run = arg;
	struct stat	 st;
	unsigned char	 md5[16];
	const char	*rel, *cpath;
	char		*path, *buf, *line, *nl, *cur, *full;
	int		 obsolete, i;
	long long	 installed = -1;

	if (run->npkgs >= PKG_MAX_PKGS)
		return 1;
	/* NAME:ARCH (Multi-Arch: same) or NAME. */
	buf = NULL;
	for (i = 0; i < 2 && buf == NULL; i++) {
		if (i == 0 && p->arch == NULL)
			continue;
		path = i == 0 ? xasprintf("/var/lib/dpkg/info/%s:%s.list",
		    p->name, p->arch) : xasprintf("/var/lib/dpkg/info/%s.list",
		    p->name);
		if (strchr(p->name, '/') == NULL)
			buf = pkg_read(run, path, PKG_LIST_MAX, &st, 1);
		if (buf != NULL) {
			installed = st.st_mtime;
			for (cur = buf; *cur != '\0'; cur = nl) {
				line = cur;
				if ((nl = strchr(line, '\n')) != NULL)
					*nl++ = '\0';
				else
					nl = line + strlen(line);
				if (*line == '/')
					pkg_own(run, pkg_diverted(run,
					    p->name, line));
			}
			free(buf);
			buf = path;	/* found: md5sums next to it */
		} else
			free(path);
	}
	pkg_inventory(run, "dpkg", p, installed, -1);
	if (buf != NULL) {
		/* info/X.list → info/X.md5sums */
		path = buf;
		path[strlen(path) - 5] = '\0';
		full = xasprintf("%s.md5sums", path);
		free(path);
		if ((buf = pkg_read(run, full, PKG_LIST_MAX, NULL, 1)) != NULL) {
			for (cur = buf; *cur != '\0'; cur = nl) {
				line = cur;
				if ((nl = strchr(line, '\n')) != NULL)
					*nl++ = '\0';
				else
					nl = line + strlen(line);
				if (pkgdb_md5sums_line(line, md5, &rel) == -1)
					continue;
				run->nlisted++;
				path = xasprintf("/%s", rel);
				cpath = pkg_diverted(run, p->name, path);
				pkg_own(run, cpath);
				pkg_check(run, "dpkg", p->name, cpath,
				    COLLECT_HASH_MD5, md5, sizeof md5, 0);
				free(path);
			}
			free(buf);
		}
		free(full);
	}
	cur = p->conffiles;
	while (pkgdb_conffile_next(&cur, &cpath, md5, &obsolete) == 1) {
		if (obsolete)
			continue;
		run->nlisted++;
		cpath = pkg_diverted(run, p->name, cpath);
		pkg_own(run, cpath);
		pkg_check(run, "dpkg", p->name, cpath, COLLECT_HASH_MD5, md5,
		    sizeof md5, 1);
	}
	return 0;
}

static void
pkg_dpkg(struct pkg_run *run)
{
	char	*buf;
	long	 n;

	if ((buf = pkg_read(run, "/var/lib/dpkg/status", PKG_DB_MAX, NULL,
	    1)) == NULL) {
		collect_log(run->ctx, LOG_INFO, "dpkg: no var/lib/dpkg/status");
		return;
	}
	pkg_dpkg_config(run);
	pkg_dpkg_diversions(run);
	n = pkgdb_dpkg_status(buf, pkg_dpkg_pkg, run);
	if (n == -1) {
		collect_error(run->ctx, "/var/lib/dpkg/status", "more than "
		    "%d packages: the rest not read", PKG_MAX_PKGS);
		run->partial = 1;
	}
	free(buf);
}

static int
pkg_apk_pkg(const struct pkgdb_pkg *p, void *arg)
{
	struct pkg_run	*run = arg;

	if (run->npkgs >= PKG_MAX_PKGS)
		return 1;
	pkg_inventory(run, "apk", p, -1, p->installed);
	return 0;
}

static int
pkg_apk_file(const struct pkgdb_pkg *p, const char *rel,
    const unsigned char *sum, size_t len, void *arg)
{
	struct pkg_run	*run = arg;
	char		*path;

	if (run->nlisted >= PKG_MAX_FILES)
		return 1;
	path = xasprintf("/%s", rel);
	pkg_own(run, path);
	run->nlisted++;
	if (sum != NULL && len == 20)
		pkg_check(run, "apk", p->name, path, COLLECT_HASH_SHA1, sum,
		    len, 0);
	free(path);
	return 0;
}

static void
pkg_apk(struct pkg_run *run)
{
	char	*buf;

	if ((buf = pkg_read(run, "/lib/apk/db/installed", PKG_DB_MAX, NULL,
	    1)) == NULL) {
		collect_log(run->ctx, LOG_INFO, "apk: no lib/apk/db/installed");
		return;
	}
	if (pkgdb_apk(buf, pkg_apk_pkg, pkg_apk_file, run) == -1) {
		collect_error(run->ctx, "/lib/apk/db/installed", "over the "
		    "package or file cap: the rest not read");
		run->partial = 1;
	}
	free(buf);
}

/* An rpm header's file, for pkg_rpm_file. */
struct pkg_rpmctx {
	struct pkg_run	*run;
	const char	*name;
	int		 algo;
};

static int
pkg_rpm_file(const char *path, const unsigned char *digest, size_t len,
    int config, void *arg)
{
	struct pkg_rpmctx	*c = arg;

	if (c->run->nlisted >= PKG_MAX_FILES)
		return 1;
	c->run->nlisted++;
	pkg_own(c->run, path);
	pkg_check(c->run, "rpm", c->name, path, c->algo, digest, len, config);
	return 0;
}

/*
 * rpm's database, var/lib/rpm/rpmdb.sqlite (rpm 4.16 and later; the
 * older Berkeley DB Packages is not read): read whole under the root
 * and opened in memory (sqlite3_deserialize), so SQLite touches no file
 * of the host (no journal, no lock). Its -wal, when there is one, is not
 * read: the newest changes may be missing (logged).
 */
static void
pkg_rpm(struct pkg_run *run)
{
	static const char	*path = "/var/lib/rpm/rpmdb.sqlite";
	struct pkgdb_rpm	 h;
	struct pkg_rpmctx	 c;
	struct pkgdb_pkg	 p;
	sqlite3			*db = NULL;
	sqlite3_stmt		*st = NULL;
	unsigned char		*mem;
	char			*buf, *ver;
	size_t			 len;
	struct stat		 wst;
	long			 bad = 0;
	int			 fd, rc = SQLITE_DONE;

	if ((buf = pkg_read_len(run, path, PKG_RPMDB_MAX, NULL, 1,
	    &len)) == NULL) {
		collect_log(run->ctx, LOG_INFO, "rpm: no %s", path + 1);
		return;
	}
	/* rpm leaves an empty -wal behind: nothing is missing then. */
	if ((fd = collect_open(run->ctx, "/var/lib/rpm/rpmdb.sqlite-wal",
	    0)) != -1) {
		if (fstat(fd, &wst) == -1 || wst.st_size > 0)
			collect_log(run->ctx, LOG_WARN, "rpm: rpmdb.sqlite-wal "
			    "not read: changes not yet checkpointed are "
			    "missing");
		close(fd);
	}
	/* A WAL database opens in memory only marked as a legacy one. */
	if (len >= 100 && memcmp(buf, "SQLite format 3", 16) == 0)
		buf[18] = buf[19] = 1;
	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE,
	    NULL) != SQLITE_OK || (mem = sqlite3_malloc64(len)) == NULL) {
		collect_error(run->ctx, path, "SQLite: cannot open");
		goto done;
	}
	memcpy(mem, buf, len);
	if (sqlite3_deserialize(db, "main", mem, (sqlite3_int64)len,
	    (sqlite3_int64)len, SQLITE_DESERIALIZE_FREEONCLOSE |
	    SQLITE_DESERIALIZE_READONLY) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT blob FROM Packages", -1, &st,
	    NULL) != SQLITE_OK) {
		collect_error(run->ctx, path, "SQLite: %s", sqlite3_errmsg(db));
		run->partial = 1;
		goto done;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    run->npkgs < PKG_MAX_PKGS) {
		if (pkgdb_rpm_header(sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0), &h) == -1) {
			bad++;
			continue;
		}
		memset(&p, 0, sizeof p);
		p.name = h.name;
		ver = h.version != NULL && h.release != NULL ?
		    xasprintf("%s-%s", h.version, h.release) : NULL;
		p.version = ver != NULL ? ver : h.version;
		p.arch = h.arch;
		pkg_inventory(run, "rpm", &p, h.installtime, -1);
		free(ver);
		c.run = run;
		c.name = h.name;
		c.algo = h.digestalgo == 1 ? COLLECT_HASH_MD5 :
		    h.digestalgo == 2 ? COLLECT_HASH_SHA1 : COLLECT_HASH_SHA256;
		if (pkgdb_rpm_files(&h, pkg_rpm_file, &c) == -1)
			bad++;
	}
	/* A damaged page met while stepping ends the list: said. */
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		collect_error(run->ctx, path, "SQLite: %s: the packages "
		    "after that are not listed", sqlite3_errmsg(db));
		run->partial = 1;
	}
	if (bad > 0) {
		collect_error(run->ctx, path, "%ld package headers malformed "
		    "(or their file lists): skipped", bad);
		run->partial = 1;
	}
done:
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(buf);
}

/* The entries of a directory under the root (NULL: none), capped. */
static char **
pkg_dir(struct pkg_run *run, const char *dir, size_t *np)
{
	struct dirent	*de;
	DIR		*d;
	char		**names = NULL;
	int		 fd;

	*np = 0;
	if ((fd = collect_open(run->ctx, dir, O_DIRECTORY)) == -1)
		return NULL;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return NULL;
	}
	while ((de = readdir(d)) != NULL && *np < PKG_MAX_DIRENT) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		names = xreallocarray(names, *np + 1, sizeof *names);
		names[(*np)++] = xstrdup(de->d_name);
	}
	if (de != NULL)
		collect_error(run->ctx, dir, "more than %d entries: the rest "
		    "not read", PKG_MAX_DIRENT);
	closedir(d);
	return names;
}

static void
pkg_free_names(char **names, size_t n)
{
	while (n > 0)
		free(names[--n]);
	free(names);
}

/* pacman: local/NAME-VER/desc (inventory) and mtree (digests). */
static void
pkg_pacman(struct pkg_run *run)
{
	struct pkgdb_pkg p;
	char		**names, *path, *buf;
	size_t		 n, i;

	if ((names = pkg_dir(run, "/var/lib/pacman/local", &n)) == NULL) {
		collect_log(run->ctx, LOG_INFO, "pacman: no "
		    "var/lib/pacman/local");
		return;
	}
	for (i = 0; i < n && run->npkgs < PKG_MAX_PKGS; i++) {
		path = xasprintf("/var/lib/pacman/local/%s/desc", names[i]);
		if ((buf = pkg_read(run, path, 1U << 20, NULL, 1)) != NULL &&
		    pkgdb_pacman_desc(buf, &p) == 0) {
			pkg_inventory(run, "pacman", &p, p.installed, -1);
			pkg_pacman_mtree(run, p.name, names[i]);
		}
		free(buf);
		free(path);
	}
	pkg_free_names(names, n);
}

/* snap: var/lib/snapd/snaps/NAME_REV.snap. */
static void
pkg_snap(struct pkg_run *run)
{
	struct pkgdb_pkg p;
	struct stat	 st;
	char		**names, *name, *us, *path;
	size_t		 n, i, len;
	int		 fd;

	if ((names = pkg_dir(run, "/var/lib/snapd/snaps", &n)) == NULL) {
		collect_log(run->ctx, LOG_INFO, "snap: no var/lib/snapd/snaps");
		return;
	}
	for (i = 0; i < n && run->npkgs < PKG_MAX_PKGS; i++) {
		name = names[i];
		len = strlen(name);
		if (len < 6 || strcmp(name + len - 5, ".snap") != 0 ||
		    (us = strrchr(name, '_')) == NULL || us == name)
			continue;
		name[len - 5] = '\0';
		*us = '\0';
		memset(&p, 0, sizeof p);
		p.name = name;
		p.version = us + 1;	/* the revision */
		path = xasprintf("/var/lib/snapd/snaps/%s_%s.snap", name,
		    us + 1);
		st.st_mtime = -1;
		if ((fd = collect_open(run->ctx, path, O_PATH)) != -1) {
			if (fstat(fd, &st) == -1)
				st.st_mtime = -1;
			close(fd);
		}
		free(path);
		pkg_inventory(run, "snap", &p, (long long)st.st_mtime, -1);
	}
	pkg_free_names(names, n);
}

/* An unpackaged file: recorded with its sha256 (under the hash cap). */
static void
pkg_unpackaged_file(struct pkg_run *run, const char *path,
    const struct stat *st)
{
	struct pkg_item	*it;
	int		 fd;

	if ((uint64_t)st->st_size > PKG_HASH_MAX || collect_expired(run->ctx) ||
	    (fd = collect_open(run->ctx, path, 0)) == -1) {
		pkg_problem(run, run->first, NULL, path, PB_UNPACKAGED, 0, NULL,
		    NULL, 0, 0, st);
		return;
	}
	it = xcalloc(1, sizeof *it);
	it->run = run;
	it->unpackaged = 1;
	it->algo = COLLECT_HASH_SHA256;
	if (collect_hash_file(run->ctx, fd, st, path, COLLECT_HASH_SHA256 |
	    COLLECT_HASH_IOC, pkg_hashed, it) == -1) {
		pkg_item_free(it);
		pkg_problem(run, run->first, NULL, path, PB_UNPACKAGED, 0, NULL,
		    NULL, 0, 0, st);
	}
}

/*
 * Executables of a system directory no package lists; libs: only
 * shared objects (*.so*) count there.
 */
static void
pkg_unpackaged_dir(struct pkg_run *run, const char *dir, int libs)
{
	struct stat	 st;
	char		**names, *path;
	size_t		 n, i;
	int		 fd;

	if ((fd = collect_open(run->ctx, dir, O_PATH)) == -1)
		return;
	/* A merged /usr: /bin is a link to usr/bin, walked as that. */
	if (fstat(fd, &st) == -1 || !S_ISDIR(st.st_mode)) {
		close(fd);
		return;
	}
	close(fd);
	names = pkg_dir(run, dir, &n);
	for (i = 0; i < n && !collect_expired(run->ctx); i++) {
		if (libs && strstr(names[i], ".so") == NULL)
			continue;
		path = xasprintf("%s/%s", dir, names[i]);
		if ((fd = collect_open(run->ctx, path, O_PATH)) != -1) {
			if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
			    (libs || (st.st_mode & 0111) != 0) &&
			    pkg_own(run, path) == 0)
				pkg_unpackaged_file(run, path, &st);
			close(fd);
		}
		free(path);
	}
	pkg_free_names(names, n);
}

static void
pkg_unpackaged(struct pkg_run *run)
{
	static const char *const bins[] = {
		"/bin", "/sbin", "/usr/bin", "/usr/sbin"
	};
	static const char *const tops[] = { "/", "/usr/" };
	char		**names, *path;
	size_t		 n, i, k;

	for (i = 0; i < sizeof bins / sizeof bins[0]; i++)
		pkg_unpackaged_dir(run, bins[i], 0);
	/* lib*: their top level, and a multiarch directory's. */
	for (k = 0; k < sizeof tops / sizeof tops[0]; k++) {
		if ((names = pkg_dir(run, tops[k], &n)) == NULL)
			continue;
		for (i = 0; i < n; i++) {
			if (strncmp(names[i], "lib", 3) != 0)
				continue;
			path = xasprintf("%s%s", tops[k], names[i]);
			pkg_unpackaged_dir(run, path, 1);
			free(path);
		}
		pkg_free_names(names, n);
	}
	for (k = 0; k < sizeof tops / sizeof tops[0]; k++) {
		path = xasprintf("%slib", tops[k]);
		if ((names = pkg_dir(run, path, &n)) != NULL) {
			for (i = 0; i < n; i++) {
				char	*sub;

				if (strstr(names[i], "-linux-") == NULL)
					continue;
				sub = xasprintf("%s/%s", path, names[i]);
				pkg_unpackaged_dir(run, sub, 1);
				free(sub);
			}
			pkg_free_names(names, n);
		}
		free(path);
	}
}

static enum collect_result
packages_run(struct collect_ctx *ctx)
{
	struct pkg_run	 run;
	struct timespec	 t0, t1;
	const char	*profile = collect_profile(ctx);
	size_t		 i;

	memset(&run, 0, sizeof run);
	run.ctx = ctx;
	run.full = profile != NULL && strcmp(profile, "full") == 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pkg_dpkg(&run);
	pkg_apk(&run);
	pkg_pacman(&run);
	pkg_rpm(&run);
	pkg_snap(&run);
	collect_hash_end(ctx);
	if (run.first != NULL && strcmp(run.first, "snap") != 0 &&
	    !collect_expired(ctx)) {
		pkg_unpackaged(&run);
		collect_hash_end(ctx);
	} else
		collect_log(ctx, LOG_INFO, "no package database (dpkg, rpm, "
		    "apk, pacman): unpackaged executables not looked for");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	collect_log(ctx, LOG_INFO, "%llu packages, %llu files listed, %llu "
	    "hashed and compared (%s), %llu skipped, %llu not checked (time "
	    "limit); problems: %llu modified, %llu missing, %llu unreadable, "
	    "%llu replaced_by_other_type, %llu not_checked_too_large, %llu "
	    "unpackaged; %.1f s", (unsigned long long)run.npkgs,
	    (unsigned long long)run.nlisted, (unsigned long long)run.nchecked,
	    run.full ? "every file" : "executables and libraries",
	    (unsigned long long)run.nskipped, (unsigned long long)run.ncut,
	    (unsigned long long)run.problems[PB_MODIFIED],
	    (unsigned long long)run.problems[PB_MISSING],
	    (unsigned long long)run.problems[PB_UNREADABLE],
	    (unsigned long long)run.problems[PB_OTHER_TYPE],
	    (unsigned long long)run.problems[PB_TOO_LARGE],
	    (unsigned long long)run.problems[PB_UNPACKAGED],
	    (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	for (i = 0; i < run.nexcl; i++)
		free(run.excl[i]);
	for (i = 0; i < run.ndivert; i++) {
		free(run.dfrom[i]);
		free(run.dto[i]);
		free(run.dby[i]);
	}
	hset_free(&run.owned);
	return run.partial || run.cut ? COLLECT_PARTIAL : COLLECT_OK;
}

const struct collector collector_packages = {
	"packages",
	"package inventories (dpkg, rpm, apk, pacman, snap) and the integrity "
	"of "
	"packaged files",
	0,
	packages_run
};
