/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Package database parsers (pkgdb.h). In place, no allocation: every
 * bound is the buffer's NUL, every field is checked before use.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkgdb.h"

#define PKGDB_PATH_MAX	4096

static void
pkgdb_reset(struct pkgdb_pkg *pkg)
{
	memset(pkg, 0, sizeof *pkg);
	pkg->installed = -1;
}

/* Cut line at its newline; the start of the next line. */
static char *
pkgdb_line(char *line)
{
	char	*nl;

	if ((nl = strchr(line, '\n')) == NULL)
		return line + strlen(line);
	*nl = '\0';
	return nl + 1;
}

/* Skip leading blanks and cut trailing ones (and a CR). */
static char *
pkgdb_trim(char *s)
{
	size_t	n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* A decimal time, or -1. */
static long long
pkgdb_time(const char *s)
{
	char		*end;
	long long	 v;

	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || v < 0 || v > 253402300799LL)
		return -1;
	return v;
}

int
pkgdb_unhex(const char *s, size_t len, unsigned char *out)
{
	size_t	i;
	int	hi, lo;

	for (i = 0; i < len; i++) {
		if (!isxdigit((unsigned char)s[2 * i]) ||
		    !isxdigit((unsigned char)s[2 * i + 1]))
			return -1;
		hi = isdigit((unsigned char)s[2 * i]) ? s[2 * i] - '0' :
		    tolower((unsigned char)s[2 * i]) - 'a' + 10;
		lo = isdigit((unsigned char)s[2 * i + 1]) ? s[2 * i + 1] - '0' :
		    tolower((unsigned char)s[2 * i + 1]) - 'a' + 10;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

static int
pkgdb_b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long
pkgdb_unbase64(const char *s, size_t n, unsigned char *out, size_t max)
{
	size_t		 i, len = 0;
	unsigned int	 acc = 0;
	int		 bits = 0, v;

	while (n > 0 && s[n - 1] == '=')
		n--;
	for (i = 0; i < n; i++) {
		if ((v = pkgdb_b64val((unsigned char)s[i])) == -1)
			return -1;
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (len == max)
				return -1;
			out[len++] = (unsigned char)(acc >> bits);
			acc &= (1U << bits) - 1;
		}
	}
	return (long)len;
}

long
pkgdb_dpkg_status(char *buf, pkgdb_pkg_cb *cb, void *arg)
{
	struct pkgdb_pkg	 pkg;
	char			*p = buf, *line, *next, *val;
	int			 inconf = 0;
	long			 n = 0;

	pkgdb_reset(&pkg);
	while (*p != '\0') {
		line = p;
		if ((next = strchr(line, '\n')) != NULL)
			next++;
		else
			next = line + strlen(line);
		p = next;
		if (*line == ' ' || *line == '\t') {
			/* Conffiles keeps its lines whole, for later. */
			if (!inconf)
				pkgdb_line(line);
			continue;
		}
		if (inconf) {		/* its block ends here */
			line[-1] = '\0';
			inconf = 0;
		}
		pkgdb_line(line);
		if (*pkgdb_trim(line) == '\0') {	/* paragraph end */
			if (pkg.name != NULL) {
				n++;
				if (cb(&pkg, arg) != 0)
					return -1;
			}
			pkgdb_reset(&pkg);
			continue;
		}
		if ((val = strchr(line, ':')) == NULL)
			continue;
		*val++ = '\0';
		val = pkgdb_trim(val);
		if (strcasecmp(line, "Package") == 0)
			pkg.name = *val != '\0' ? val : NULL;
		else if (strcasecmp(line, "Version") == 0)
			pkg.version = val;
		else if (strcasecmp(line, "Architecture") == 0)
			pkg.arch = val;
		else if (strcasecmp(line, "Status") == 0)
			pkg.status = val;
		else if (strcasecmp(line, "Source") == 0)
			pkg.source = val;
		else if (strcasecmp(line, "Conffiles") == 0) {
			pkg.conffiles = p;
			inconf = 1;
		}
	}
	if (pkg.name != NULL) {
		n++;
		if (cb(&pkg, arg) != 0)
			return -1;
	}
	return n;
}

int
pkgdb_conffile_next(char **cursor, const char **path, unsigned char *md5,
    int *obsolete)
{
	char	*line, *sp, *last;

	while (*cursor != NULL && **cursor != '\0') {
		line = *cursor;
		*cursor = pkgdb_line(line);
		line = pkgdb_trim(line);
		*obsolete = 0;
		/* From the right: path may hold blanks, the rest does not. */
		if ((sp = strrchr(line, ' ')) == NULL)
			continue;
		last = sp + 1;
		if (strcmp(last, "obsolete") == 0 ||
		    strcmp(last, "remove-on-upgrade") == 0) {
			*obsolete = strcmp(last, "obsolete") == 0;
			*sp = '\0';
			pkgdb_trim(line);
			if ((sp = strrchr(line, ' ')) == NULL)
				continue;
			last = sp + 1;
		}
		if (strlen(last) != 32 || pkgdb_unhex(last, 16, md5) == -1)
			continue;	/* "newconffile": not yet known */
		*sp = '\0';
		line = pkgdb_trim(line);
		if (*line != '/')
			continue;
		*path = line;
		return 1;
	}
	return 0;
}

int
pkgdb_md5sums_line(char *line, unsigned char *md5, const char **path)
{
	size_t	n = strlen(line);

	if (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	if (n < 34 || pkgdb_unhex(line, 16, md5) == -1 || line[32] != ' ')
		return -1;
	line += 33;
	if (*line == ' ' || *line == '*')	/* md5sum's text or binary */
		line++;
	while (*line == '/')
		line++;
	if (*line == '\0')
		return -1;
	*path = line;
	return 0;
}

/* An apk file seen (R:) and not yet reported: its digest may follow. */
struct pkgdb_apkfile {
	char		 path[PKGDB_PATH_MAX];
	int		 pending;
};

static int
pkgdb_apk_flush(struct pkgdb_pkg *pkg, struct pkgdb_apkfile *f,
    const unsigned char *sum, size_t len, pkgdb_file_cb *fcb, void *arg)
{
	if (!f->pending)
		return 0;
	f->pending = 0;
	return fcb(pkg, f->path, sum, len, arg);
}

long
pkgdb_apk(char *buf, pkgdb_pkg_cb *cb, pkgdb_file_cb *fcb, void *arg)
{
	struct pkgdb_pkg	 pkg;
	struct pkgdb_apkfile	 f;
	unsigned char		 sum[64];
	const char		*dir = "";
	char			*p = buf, *line, *val;
	int			 told = 0, r;
	long			 n = 0, len;

	pkgdb_reset(&pkg);
	memset(&f, 0, sizeof f);
	for (;;) {
		line = p;
		if (*line == '\0' || (p = pkgdb_line(line), *pkgdb_trim(line) ==
		    '\0')) {	/* the end of a package (or of all) */
			if (pkgdb_apk_flush(&pkg, &f, NULL, 0, fcb, arg) != 0)
				return -1;
			if (pkg.name != NULL && !told) {
				n++;
				if (cb(&pkg, arg) != 0)
					return -1;
			}
			if (*line == '\0' && *p == '\0')
				break;
			pkgdb_reset(&pkg);
			dir = "";
			told = 0;
			continue;
		}
		if (line[0] == '\0' || line[1] != ':')
			continue;
		val = line + 2;
		switch (line[0]) {
		case 'P':
			pkg.name = *val != '\0' ? val : NULL;
			break;
		case 'V':
			pkg.version = val;
			break;
		case 'A':
			pkg.arch = val;
			break;
		case 't':
			pkg.installed = pkgdb_time(val);
			break;
		case 'F':
		case 'R':
			if (pkgdb_apk_flush(&pkg, &f, NULL, 0, fcb, arg) != 0)
				return -1;
			if (pkg.name != NULL && !told) {
				told = 1;
				n++;
				if (cb(&pkg, arg) != 0)
					return -1;
			}
			if (line[0] == 'F') {
				dir = val;
				break;
			}
			while (*dir == '/')
				dir++;
			r = snprintf(f.path, sizeof f.path, "%s%s%s", dir,
			    *dir != '\0' ? "/" : "", val);
			f.pending = *val != '\0' && r > 0 &&
			    (size_t)r < sizeof f.path && pkg.name != NULL;
			break;
		case 'Z':
			if (!f.pending)
				break;
			len = -1;
			if (val[0] == 'Q' && val[1] == '1')
				len = pkgdb_unbase64(val + 2, strlen(val + 2),
				    sum, sizeof sum);
			if (pkgdb_apk_flush(&pkg, &f, len == 20 ? sum : NULL,
			    len == 20 ? 20 : 0, fcb, arg) != 0)
				return -1;
			break;
		}
	}
	return n;
}

int
pkgdb_pacman_desc(char *buf, struct pkgdb_pkg *pkg)
{
	char	*p = buf, *line, *val;

	pkgdb_reset(pkg);
	while (*p != '\0') {
		line = p;
		p = pkgdb_line(line);
		line = pkgdb_trim(line);
		if (line[0] != '%' || line[1] == '\0' ||
		    line[strlen(line) - 1] != '%')
			continue;
		if (*p == '\0')
			break;
		val = p;
		p = pkgdb_line(val);
		val = pkgdb_trim(val);
		if (*val == '\0')
			continue;
		if (strcmp(line, "%NAME%") == 0)
			pkg->name = val;
		else if (strcmp(line, "%VERSION%") == 0)
			pkg->version = val;
		else if (strcmp(line, "%ARCH%") == 0)
			pkg->arch = val;
		else if (strcmp(line, "%INSTALLDATE%") == 0)
			pkg->installed = pkgdb_time(val);
	}
	return pkg->name != NULL ? 0 : -1;
}

/* mtree's escapes, \ooo (octal) and \\, in place. -1 if malformed. */
static int
pkgdb_mtree_unescape(char *s)
{
	char	*w = s;

	for (; *s != '\0'; s++) {
		if (*s != '\\') {
			*w++ = *s;
			continue;
		}
		if (s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
			    (s[3] - '0'));
			if (*w == '\0')
				return -1;
			w++;
			s += 3;
		} else if (s[1] != '\0')
			*w++ = *++s;
		else
			return -1;
	}
	*w = '\0';
	return 0;
}

int
pkgdb_mtree_line(char *line, struct pkgdb_mtree *set, const char **path,
    unsigned char *sha256, unsigned char *md5, int *has)
{
	char	*tok, *save = NULL, *name;
	int	 file, isset;

	*has = 0;
	line[strcspn(line, "\r\n")] = '\0';
	line += strspn(line, " \t");
	if (*line == '\0' || *line == '#')
		return 0;
	if ((name = strtok_r(line, " \t", &save)) == NULL)
		return 0;
	isset = strcmp(name, "/set") == 0;
	if (!isset && name[0] == '/')	/* /unset, others */
		return 0;
	file = set->deffile;
	while ((tok = strtok_r(NULL, " \t", &save)) != NULL) {
		if (strncmp(tok, "type=", 5) == 0)
			file = strcmp(tok + 5, "file") == 0;
		else if (strncmp(tok, "sha256digest=", 13) == 0 &&
		    strlen(tok + 13) == 64 && pkgdb_unhex(tok + 13, 32,
		    sha256) == 0)
			*has |= 2;
		else if (strncmp(tok, "md5digest=", 10) == 0 &&
		    strlen(tok + 10) == 32 && pkgdb_unhex(tok + 10, 16,
		    md5) == 0)
			*has |= 1;
	}
	if (isset) {
		set->deffile = file;
		*has = 0;
		return 0;
	}
	if (!file || pkgdb_mtree_unescape(name) == -1)
		return 0;
	if (name[0] == '.' && name[1] == '/')
		name += 2;
	while (*name == '/')
		name++;
	/* The package's own metadata (.PKGINFO, .BUILDINFO): not installed. */
	if (*name == '\0' || (*name == '.' && strchr(name, '/') == NULL))
		return 0;
	*path = name;
	return 1;
}

/* rpm header tags and types (rpm's rpmtag.h). */
#define RPMTAG_NAME		1000
#define RPMTAG_VERSION		1001
#define RPMTAG_RELEASE		1002
#define RPMTAG_INSTALLTIME	1008
#define RPMTAG_ARCH		1022
#define RPMTAG_FILEMODES	1030
#define RPMTAG_FILEDIGESTS	1035
#define RPMTAG_FILEFLAGS	1037
#define RPMTAG_DIRINDEXES	1116
#define RPMTAG_BASENAMES	1117
#define RPMTAG_DIRNAMES		1118
#define RPMTAG_FILEDIGESTALGO	5011
#define RPM_INT16		3
#define RPM_INT32		4
#define RPM_STRING		6
#define RPM_STRING_ARRAY	8
#define RPM_I18NSTRING		9
#define RPMFILE_CONFIG		(1U << 0)
#define RPMFILE_GHOST		(1U << 6)
#define PKGDB_RPM_DIRS_MAX	1000000

static uint32_t
pkgdb_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* The string at off of data (dl bytes), or NULL if it is not in it. */
static const char *
pkgdb_rpm_str(const unsigned char *data, size_t dl, uint32_t off)
{
	if (off >= dl || memchr(data + off, '\0', dl - off) == NULL)
		return NULL;
	return (const char *)data + off;
}

/* What a header keeps, by tag: a string, or an array of the files. */
static const struct {
	uint32_t	 tag;
	int		 array;
	size_t		 at;
} pkgdb_rpm_tags[] = {
	{ RPMTAG_NAME,		0, offsetof(struct pkgdb_rpm, name) },
	{ RPMTAG_VERSION,	0, offsetof(struct pkgdb_rpm, version) },
	{ RPMTAG_RELEASE,	0, offsetof(struct pkgdb_rpm, release) },
	{ RPMTAG_ARCH,		0, offsetof(struct pkgdb_rpm, arch) },
	{ RPMTAG_BASENAMES,	1, offsetof(struct pkgdb_rpm, basenames) },
	{ RPMTAG_DIRNAMES,	1, offsetof(struct pkgdb_rpm, dirnames) },
	{ RPMTAG_DIRINDEXES,	1, offsetof(struct pkgdb_rpm, dirindexes) },
	{ RPMTAG_FILEDIGESTS,	1, offsetof(struct pkgdb_rpm, digests) },
	{ RPMTAG_FILEMODES,	1, offsetof(struct pkgdb_rpm, modes) },
	{ RPMTAG_FILEFLAGS,	1, offsetof(struct pkgdb_rpm, flags) },
};

/* The first value of an INT32 entry: 0, or -1 if not one in the data. */
static int
pkgdb_rpm_int32(const struct pkgdb_rpm *h, uint32_t type, uint32_t off,
    uint32_t count, uint32_t *v)
{
	if (type != RPM_INT32 || count < 1 || (uint64_t)off + 4 > h->dl)
		return -1;
	*v = pkgdb_be32(h->data + off);
	return 0;
}

int
pkgdb_rpm_header(const unsigned char *blob, size_t len,
    struct pkgdb_rpm *h)
{
	const unsigned char	*e;
	uint32_t		 il, dl, i, tag, type, off, count, v;
	size_t			 k;
	struct pkgdb_rpm_array	*a;
	const char		*str;

	memset(h, 0, sizeof *h);
	h->installtime = -1;
	h->digestalgo = 1;	/* rpm's default: MD5 */
	if (len < 8)
		return -1;
	il = pkgdb_be32(blob);
	dl = pkgdb_be32(blob + 4);
	if (il == 0 || il > PKGDB_RPM_TAGS_MAX || dl > PKGDB_RPM_DATA_MAX ||
	    (uint64_t)8 + (uint64_t)il * 16 + dl > len)
		return -1;
	h->data = blob + 8 + (size_t)il * 16;
	h->dl = dl;
	for (i = 0; i < il; i++) {
		e = blob + 8 + (size_t)i * 16;
		tag = pkgdb_be32(e);
		type = pkgdb_be32(e + 4);
		off = pkgdb_be32(e + 8);
		count = pkgdb_be32(e + 12);
		if (off >= dl)
			continue;
		str = type == RPM_STRING || type == RPM_I18NSTRING ?
		    pkgdb_rpm_str(h->data, dl, off) : NULL;
		a = NULL;
		for (k = 0; k < sizeof pkgdb_rpm_tags /
		    sizeof pkgdb_rpm_tags[0]; k++) {
			if (pkgdb_rpm_tags[k].tag != tag)
				continue;
			if (pkgdb_rpm_tags[k].array)
				a = (struct pkgdb_rpm_array *)((char *)h +
				    pkgdb_rpm_tags[k].at);
			else if (str != NULL)
				*(const char **)((char *)h +
				    pkgdb_rpm_tags[k].at) = str;
		}
		switch (tag) {
		case RPMTAG_INSTALLTIME:
			if (pkgdb_rpm_int32(h, type, off, count, &v) == 0)
				h->installtime = v;
			break;
		case RPMTAG_FILEDIGESTALGO:
			if (pkgdb_rpm_int32(h, type, off, count, &v) == 0)
				h->digestalgo = v;
			break;
		}
		if (a == NULL)
			continue;
		/* Fixed-size arrays must fit; string arrays are walked. */
		if ((type == RPM_INT32 && (uint64_t)off + 4ULL * count > dl) ||
		    (type == RPM_INT16 && (uint64_t)off + 2ULL * count > dl) ||
		    (type != RPM_INT32 && type != RPM_INT16 &&
		    type != RPM_STRING_ARRAY))
			continue;
		a->type = type;
		a->off = off;
		a->count = count;
	}
	return h->name != NULL ? 0 : -1;
}

/* Walk to the next string of an array; NULL past the data. */
static const char *
pkgdb_rpm_next(const struct pkgdb_rpm *h, uint32_t *off)
{
	const char	*s = pkgdb_rpm_str(h->data, h->dl, *off);

	if (s != NULL)
		*off += (uint32_t)strlen(s) + 1;
	return s;
}

long
pkgdb_rpm_files(const struct pkgdb_rpm *h, pkgdb_rpm_file_cb *cb, void *arg)
{
	const char	**dirs = NULL, *base, *dig;
	unsigned char	 digest[64];
	char		 path[PKGDB_PATH_MAX];
	uint32_t	 n = h->basenames.count, i, boff, doff, di, flags;
	size_t		 dlen;
	long		 given = 0;
	int		 r, mode;

	dlen = h->digestalgo == 1 ? 16 : h->digestalgo == 2 ? 20 :
	    h->digestalgo == 8 ? 32 : 0;
	if (n == 0 || dlen == 0 || h->dirnames.count == 0 ||
	    h->dirindexes.type != RPM_INT32 || h->dirindexes.count != n ||
	    h->digests.type != RPM_STRING_ARRAY || h->digests.count != n ||
	    h->basenames.type != RPM_STRING_ARRAY ||
	    h->dirnames.type != RPM_STRING_ARRAY)
		return n == 0 || dlen == 0 ? 0 : -1;
	/* Each count is bounded by the data: a string takes a byte. */
	if (h->dirnames.count > h->dl || n > h->dl ||
	    h->dirnames.count > PKGDB_RPM_DIRS_MAX)
		return -1;
	dirs = calloc(h->dirnames.count, sizeof *dirs);
	if (dirs == NULL)
		return -1;
	doff = h->dirnames.off;
	for (i = 0; i < h->dirnames.count; i++)
		if ((dirs[i] = pkgdb_rpm_next(h, &doff)) == NULL)
			goto bad;
	boff = h->basenames.off;
	doff = h->digests.off;
	for (i = 0; i < n; i++) {
		if ((base = pkgdb_rpm_next(h, &boff)) == NULL ||
		    (dig = pkgdb_rpm_next(h, &doff)) == NULL)
			goto bad;
		di = pkgdb_be32(h->data + h->dirindexes.off + 4 * (size_t)i);
		if (di >= h->dirnames.count)
			continue;
		mode = 0100000;
		if (h->modes.type == RPM_INT16 && h->modes.count == n)
			mode = h->data[h->modes.off + 2 * (size_t)i] << 8 |
			    h->data[h->modes.off + 2 * (size_t)i + 1];
		flags = 0;
		if (h->flags.type == RPM_INT32 && h->flags.count == n)
			flags = pkgdb_be32(h->data + h->flags.off +
			    4 * (size_t)i);
		if ((mode & 0170000) != 0100000 || (flags & RPMFILE_GHOST) ||
		    strlen(dig) != 2 * dlen ||
		    pkgdb_unhex(dig, dlen, digest) == -1)
			continue;
		r = snprintf(path, sizeof path, "%s%s", dirs[di], base);
		if (r < 0 || (size_t)r >= sizeof path || path[0] != '/')
			continue;
		given++;
		if (cb(path, digest, dlen, (flags & RPMFILE_CONFIG) != 0,
		    arg) != 0)
			goto bad;
	}
	free(dirs);
	return given;
bad:
	free(dirs);
	return -1;
}
