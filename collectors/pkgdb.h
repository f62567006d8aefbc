/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Parsers of package databases (collectors/packages.c): dpkg's status
 * and info/NAME.md5sums, apk's installed database, pacman's local desc.
 * A root's databases are the suspect's files: any bytes, any length.
 * Each parser works in place on a NUL-terminated buffer it may modify;
 * the strings it hands out point into it.
 */
#ifndef PKGDB_H
#define PKGDB_H

#include <stddef.h>

/* One package (fields absent: NULL; installed: -1 when unknown). */
struct pkgdb_pkg {
	const char	*name;
	const char	*version;
	const char	*arch;
	const char	*status;	/* dpkg: "install ok installed" */
	const char	*source;	/* dpkg */
	char		*conffiles;	/* dpkg: the raw lines, for
					   pkgdb_conffile_next */
	long long	 installed;	/* apk build, pacman install time */
};

/* A package listed; a non-zero return stops the parse. */
typedef int	 pkgdb_pkg_cb(const struct pkgdb_pkg *, void *);
/*
 * A file of a package (apk): path without its leading '/', digest the
 * raw bytes (len 20: SHA-1) or NULL when none.
 */
typedef int	 pkgdb_file_cb(const struct pkgdb_pkg *, const char *,
		    const unsigned char *, size_t, void *);

/*
 * dpkg's status file: cb for each paragraph with a Package field.
 * Returns the packages seen (stopped early: -1).
 */
long		 pkgdb_dpkg_status(char *, pkgdb_pkg_cb *, void *);
/*
 * The next conffile of a Conffiles field (*cursor starts at
 * pkg->conffiles): " /path md5 [obsolete]" lines. 1 with *path and md5
 * (16 bytes; *obsolete set when so), 0 at the end. Malformed lines are
 * skipped.
 */
int		 pkgdb_conffile_next(char **, const char **, unsigned char *,
		    int *);
/*
 * A line of info/NAME.md5sums: "<32 hex>  path" (path relative to /).
 * 0 with md5 (16 bytes) and *path, or -1 when malformed.
 */
int		 pkgdb_md5sums_line(char *, unsigned char *, const char **);
/*
 * apk's lib/apk/db/installed: cb for each package (P), fcb for each of
 * its files (F: directory, R: name, Z: Q1 + base64 SHA-1). Returns the
 * packages seen (stopped early: -1).
 */
long		 pkgdb_apk(char *, pkgdb_pkg_cb *, pkgdb_file_cb *, void *);
/* pacman's local/NAME-VER/desc into pkg. 0, or -1 without %NAME%. */
int		 pkgdb_pacman_desc(char *, struct pkgdb_pkg *);
/*
 * A line of a pacman mtree (text: gunzipped by the caller). set keeps
 * the "/set" defaults between lines (zeroed before the first). 1 for a
 * regular file, with *path (relative, unescaped in place) and the
 * digests present (sha256 32 bytes, md5 16; *has says which: 1 md5,
 * 2 sha256); 0 for any other line.
 */
struct pkgdb_mtree {
	int		 deffile;	/* /set type=file */
};
int		 pkgdb_mtree_line(char *, struct pkgdb_mtree *, const char **,
		    unsigned char *, unsigned char *, int *);

/*
 * An rpm header blob as the rpm database holds it (rpmdb.sqlite's
 * Packages.blob: no magic; il and dl, il index entries, dl bytes of
 * data). Every offset and count is checked against the blob; what points
 * out of it is ignored. The strings point into the blob's data.
 */
#define PKGDB_RPM_TAGS_MAX	0xffff
#define PKGDB_RPM_DATA_MAX	0x0fffffff
struct pkgdb_rpm_array {
	unsigned int	 type, off, count;	/* count 0: absent */
};
struct pkgdb_rpm {
	const unsigned char *data;
	size_t		 dl;
	const char	*name, *version, *release, *arch;
	long long	 installtime;		/* -1: none */
	unsigned int	 digestalgo;		/* 1 md5, 2 sha1, 8 sha256 */
	struct pkgdb_rpm_array basenames, dirnames, dirindexes, digests,
			 modes, flags;
};
/* 0, or -1 when the blob is not a header. */
int		 pkgdb_rpm_header(const unsigned char *, size_t,
		    struct pkgdb_rpm *);
/*
 * Each regular file with a digest (mode from FILEMODES when present):
 * path (absolute, "DIR" + "BASE"), its digest (hex decoded; len by the
 * algorithm), and whether it is %config. A non-zero return stops.
 * Returns the files given, or -1 (stopped, or malformed arrays).
 */
typedef int	 pkgdb_rpm_file_cb(const char *, const unsigned char *, size_t,
		    int, void *);
long		 pkgdb_rpm_files(const struct pkgdb_rpm *, pkgdb_rpm_file_cb *,
		    void *);

/* The 2*len hex digits at s into len bytes at out; -1 if not hex. */
int		 pkgdb_unhex(const char *, size_t, unsigned char *);
/* Decode base64 s (its length n) into out (max bytes); length or -1. */
long		 pkgdb_unbase64(const char *, size_t, unsigned char *, size_t);

#endif
