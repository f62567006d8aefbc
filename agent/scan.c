/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * YARA scanning (scan.h): loading rule texts (built-in, a directory
 * walked without following links, one file; signed bundles are a later
 * issue: scan_load_bundle is the hook), compiling them once with the
 * Loki/THOR external variables, per-thread scanners, the content cache
 * and the match records. Loki's filetype comes from a magic table equal
 * to signature-base's misc/file-type-signatures.txt read the way Loki
 * reads it (a dictionary: a repeated signature keeps its first place and
 * its last name; the first signature that matches wins).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <yara.h>

#include "log.h"
#include "procmem.h"
#include "scan.h"
#include "util.h"

#define SCAN_RULEFILE_MAX	(64U << 20)
#define SCAN_WALK_DEPTH		32
#define SCAN_STRINGS_MAX	16	/* strings per rule in a record */
#define SCAN_CACHE_MAX		(1U << 20)
#define SCAN_WARN_MAX		50	/* compiler warnings logged */
#define SCAN_IOC_TEXTS		1024	/* texts per indicator rule listed */

/* Externals that depend on the file rather than its bytes. */
#define SCAN_USES_FILENAME	0x01
#define SCAN_USES_FILEPATH	0x02
#define SCAN_USES_EXTENSION	0x04
#define SCAN_USES_OWNER		0x08
#define SCAN_USES_MD5		0x10

static const char *const scan_externals[] = {
	"filename", "filepath", "extension", "filetype", "owner", "md5"
};

struct scan_source {
	char	*name;		/* relative: the namespace */
	char	*display;	/* as named in messages */
	char	*text;
	size_t	 len;
};

/* 32-byte keys, each with a JSON value (may be NULL). */
struct scan_set {
	unsigned char	(*keys)[32];
	json_t		**vals;
	char		*used;
	size_t		 n, cap;
};

struct scan {
	YR_RULES		*rules;
	char			*source;
	char			*version;	/* of a bundle, or NULL */
	char			 sha256[65];
	size_t			 nfiles, nrules;
	int			 uses;
	pthread_mutex_t		 lock;
	struct scan_set		 cache;		/* content+externals → hits */
	struct scan_set		 reported;	/* content+path */
};

struct scan_thread {
	struct scan	*s;
	YR_SCANNER	*sc;
	json_t		*hits;		/* of the scan in progress */
};

/* Loki's magic table, in Loki's order (see the purpose paragraph). */
static const struct {
	const char	*magic;
	size_t		 len;
	const char	*name;
} scan_magic[] = {
	{ "\x01\x06\x01\x00", 4, "Job File" },
	{ "\x1F\x8B\x08", 3, "GZIP" },
	{ "\x25\x50\x44\x46", 4, "PDF" },
	{ "\x30\x00\x00\x00\x4C\x66\x4C\x65", 8, "EVT" },
	{ "\x50\x4B\x03\x04\x14\x00\x06\x00", 8, "Office" },
	{ "\x50\x4B\x53\x70\x58", 5, "PKSFX" },
	{ "\x37\x7A\xBC\xAF\x27\x1C", 6, "7Zip" },
	{ "\x46\x75\x6E\x63\x74\x69\x6F\x6E", 8, "VBS" },
	{ "\x42\x5A\x68", 3, "BZip2" },
	{ "\x5F\x27\xA8\x89", 4, "JAR" },
	{ "\xFF\xD8\xFF", 3, "JPEG" },
	{ "\x50\x4B\x05\x06", 4, "PKZIP" },
	{ "\x52\x61\x72\x21\x1A\x07", 6, "RAR" },
	{ "\x57\x69\x6E\x5A\x69\x70", 6, "WinZIP" },
	{ "\x72\x65\x67\x66", 4, "Registry Hive" },
	{ "\x7B\x5C\x72\x74", 4, "RTF" },
	{ "\x75\x73\x74\x61\x72", 5, "TAR" },
	{ "\xD4\xC3\xB2\xA1", 4, "WINPCAP" },
	{ "\xA1\xB2\xC3\xD4", 4, "LIBPCAP" },
	{ "\xA1\xB2\xCD\x34", 4, "LIBPCAP" },
	{ "\xFF\x4B\x45\x59\x42\x20\x20\x20", 8, "SYS Keyboard Driver" },
	{ "\xFF\xFE\x3C\x00\x3F\x00\x78\x00\x6D\x00\x6C", 11,
	    "Windows At Job" },
	{ "\x3C\x3F\x70\x68\x70", 5, "PHP" },
	{ "\x0D\x44\x4F\x43", 4, "DOC" },
	{ "\xFF\xD8\xFF\xE0", 4, "JPEG" },
	{ "\x23\x20\x44\x69\x73\x6B\x20\x44", 8, "VMDK" },
	{ "\x45\x6C\x66\x46\x69\x6C", 6, "EVTX" },
	{ "\x41\x45\x53", 3, "AESCrypt" },
	{ "\x43\x4F\x57\x44", 4, "VMDK" },
	{ "\x43\x57\x53", 3, "CWS" },
	{ "\x5A\x57\x53", 3, "ZWS" },
	{ "\x46\x57\x53", 3, "FWS (Flash)" },
	{ "\x46\x49\x4C\x45", 4, "NTFS MFT" },
	{ "\x4A\x41\x52\x43\x53\x00", 6, "JARCS" },
	{ "\x4B\x44\x4D", 3, "VMDK" },
	{ "\x4C\x00\x00\x00\x01\x14\x02\x00", 8, "LNK" },
	{ "\x4D\x53\x43\x46", 4, "CAB" },
	{ "\x50\x4B\x03\x04", 4, "ZIP" },
	{ "\x3C\x3F\x78\x6D\x6C", 5, "XML" },
	{ "\x63\x6F\x6E\x65\x63\x74\x69\x78", 8, "VHD" },
	{ "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8, "OLE" },
	{ "\x40\x65\x63\x68", 4, "BATCH" },
	{ "\x40\x45\x43\x48", 4, "BATCH" },
	{ "\xFF\xFE\x90\x02\x01\x00", 6, "Trace Log File" },
	{ "\x23\x21\x2F", 3, "UNIX SCRIPT" },
	{ "\x4D\x44\x4D\x50", 4, "MDMP" },
	{ "\xFF\xFE\x3C\x00\x25\x00", 6, "JSP" },
	{ "\xFE\xFF\x00\x3C\x00\x25", 6, "JSP" },
	{ "\x30\x3A\x30\x30\x3A\x30\x30", 7, "Log Relative" },
	{ "\x7F\x45", 2, "ELF" },
	{ "\x23\x21", 2, "Script" },
	{ "\x1F\x9D", 2, "TARZ" },
	{ "\x1F\xA0", 2, "TARZ" },
	{ "\x3C\x25", 2, "JSP" },
	{ "\x3C\x25\x40", 3, "ASP" },
	{ "\xFF\xFE\x3C\x00\x25\x00\x40\x00", 8, "ASP" },
	{ "\xFE\xFF\x00\x3C\x00\x25\x00\x40", 8, "ASP" },
	{ "\x4D\x5A", 2, "EXE" },
	{ "\xFF\xFE", 2, "UTF16-Encoded File LE" },
	{ "\xFE\xFF", 2, "UTF16-Encoded File BE" },
	{ "\xCA\xFE", 2, "Java Class or DYLIB" },
	{ "\x5B\x30\x30\x30\x30\x30\x30\x30\x30\x3A", 10, "MimiLSA Log" },
	{ "\x65\x63\x68\x6F", 4, "Batch" },
	{ "\x40\x65\x63\x68\x6F", 5, "Batch" },
	{ "\x5B\x49\x6E\x74", 4, "Internet Shortcut" },
	{ "\xFF\xFE\x76\x00\x61\x00\x72\x00", 8, "Emotet JS" },
	{ "\xFF\xFE\x56\x00\x65\x00\x72\x00\x73\x00\x69\x00\x6F", 13, "WER" },
	{ "\x56\x00\x65\x00\x72\x00\x73\x00\x69\x00\x6F\x00\x6E", 13, "WER" },
	{ "\x41\x54\x26\x54\x46\x4F\x52\x4D", 8, "Gitlab EXIF" },
	{ "\x3C\x62\x6F\x64\x79\x3E", 6, "Web" },
	{ "\x4F\x6E\x20\x45\x72\x72\x6F\x72\x20\x52\x65\x73\x75\x6D\x65", 15,
	    "VBS" },
	{ "\x3C\x68\x74\x6D\x6C", 5, "HTML" },
	{ "\x3C\x48\x54\x4D\x4C", 5, "HTML" },
	{ "\x2D\x2D\x2D\x2D\x2D\x42\x45\x47\x49\x4E", 10, "Certificate PEM" },
	{ "\x53\x61\x6C\x74\x65\x64\x5F\x5F", 8, "OpenSSL Salted Format" },
	{ "\x3C\x25\x2D\x2D", 4, "JSP" },
	{ "\x54\x56", 2, "Base64 EXE" },
};

const char *
scan_filetype(const void *p, size_t len)
{
	size_t	i;

	for (i = 0; i < nitems(scan_magic); i++)
		if (len >= scan_magic[i].len &&
		    memcmp(p, scan_magic[i].magic, scan_magic[i].len) == 0)
			return scan_magic[i].name;
	return "UNKNOWN";
}

void
scan_extension(const char *name, char *out, size_t outlen)
{
	const char	*base = name, *dot;
	size_t		 i;

	/* As Python's os.path.splitext: leading dots are not one. */
	while (*base == '.')
		base++;
	out[0] = '\0';
	if ((dot = strrchr(base, '.')) == NULL || outlen == 0)
		return;
	for (i = 0; dot[i] != '\0' && i + 1 < outlen; i++)
		out[i] = (dot[i] >= 'A' && dot[i] <= 'Z') ? dot[i] + 32 :
		    dot[i];
	out[i] = '\0';
}

/* Slot of key in s (empty or holding key). s->cap is a power of 2. */
static size_t
scan_set_slot(struct scan_set *s, const unsigned char *key)
{
	uint64_t	h;
	size_t		i;

	memcpy(&h, key, sizeof h);
	for (i = h & (s->cap - 1); s->used[i]; i = (i + 1) & (s->cap - 1))
		if (memcmp(s->keys[i], key, 32) == 0)
			break;
	return i;
}

/* 1 and *val (borrowed) if key is in s, else 0. */
static int
scan_set_get(struct scan_set *s, const unsigned char *key, json_t **val)
{
	size_t	i;

	if (s->cap == 0)
		return 0;
	i = scan_set_slot(s, key);
	if (!s->used[i])
		return 0;
	if (val != NULL)
		*val = s->vals[i];
	return 1;
}

/* Add key with val (a reference is taken); no-op if there already. */
static void
scan_set_put(struct scan_set *s, const unsigned char *key, json_t *val)
{
	struct scan_set	old = *s;
	size_t		i, j;

	if (s->n * 2 >= s->cap) {
		s->cap = old.cap ? old.cap * 2 : 1024;
		s->keys = xcalloc(s->cap, sizeof *s->keys);
		s->vals = xcalloc(s->cap, sizeof *s->vals);
		s->used = xcalloc(s->cap, 1);
		for (i = 0; i < old.cap; i++) {
			if (!old.used[i])
				continue;
			j = scan_set_slot(s, old.keys[i]);
			memcpy(s->keys[j], old.keys[i], 32);
			s->vals[j] = old.vals[i];
			s->used[j] = 1;
		}
		free(old.keys);
		free(old.vals);
		free(old.used);
	}
	i = scan_set_slot(s, key);
	if (s->used[i])
		return;
	memcpy(s->keys[i], key, 32);
	s->vals[i] = val ? json_incref(val) : NULL;
	s->used[i] = 1;
	s->n++;
}

static void
scan_set_free(struct scan_set *s)
{
	size_t	i;

	for (i = 0; i < s->cap; i++)
		if (s->used[i])
			json_decref(s->vals[i]);
	free(s->keys);
	free(s->vals);
	free(s->used);
	memset(s, 0, sizeof *s);
}

static void
scan_sources_free(struct scan_source *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].display);
		free(v[i].text);
	}
	free(v);
}

static int
scan_source_cmp(const void *a, const void *b)
{
	return strcmp(((const struct scan_source *)a)->name,
	    ((const struct scan_source *)b)->name);
}

static int
scan_is_rule_file(const char *name)
{
	size_t	len = strlen(name);

	return (len > 4 && strcmp(name + len - 4, ".yar") == 0) ||
	    (len > 5 && strcmp(name + len - 5, ".yara") == 0);
}

/* Read the rule file fd into a new source. 0 or -1 with err. */
static int
scan_source_read(int fd, const char *name, const char *display,
    struct scan_source **v, size_t *n, char *err, size_t errlen)
{
	char	*text;
	size_t	 len;
	int	 trunc = 0;

	if ((text = util_read_fd(fd, SCAN_RULEFILE_MAX, &len, &trunc)) ==
	    NULL || trunc) {
		snprintf(err, errlen, "%s: %s", display, text == NULL ?
		    strerror(errno) : "rule file larger than 64 MiB");
		free(text);
		return -1;
	}
	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errlen, "%s: not a text file (NUL byte)",
		    display);
		free(text);
		return -1;
	}
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[*n].name = xstrdup(name);
	(*v)[*n].display = xstrdup(display);
	(*v)[*n].text = text;
	(*v)[*n].len = len;
	(*n)++;
	return 0;
}

/*
 * Add the rule files under the open directory dfd (owned: closed here),
 * rel its path relative to the top ("" at the top). Links are never
 * followed; other entries than directories and .yar and .yara regular
 * files are ignored.
 */
static int
scan_walk(int dfd, const char *top, const char *rel, int depth,
    struct scan_source **v, size_t *n, char *err, size_t errlen)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		*name, *display;
	int		 fd, rc = 0;

	if ((d = fdopendir(dfd)) == NULL) {
		snprintf(err, errlen, "%s/%s: %s", top, rel, strerror(errno));
		close(dfd);
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    fstatat(dirfd(d), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		if (!S_ISDIR(st.st_mode) && (!S_ISREG(st.st_mode) ||
		    !scan_is_rule_file(de->d_name)))
			continue;
		name = *rel ? xasprintf("%s/%s", rel, de->d_name) :
		    xstrdup(de->d_name);
		display = xasprintf("%s/%s", top, name);
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_NOFOLLOW |
		    O_CLOEXEC | (S_ISDIR(st.st_mode) ? O_DIRECTORY :
		    O_NONBLOCK));
		if (fd == -1) {
			snprintf(err, errlen, "%s: %s", display,
			    strerror(errno));
			rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			if (depth >= SCAN_WALK_DEPTH) {
				snprintf(err, errlen, "%s: rule directories "
				    "nested too deep", display);
				close(fd);
				rc = -1;
			} else
				rc = scan_walk(fd, top, name, depth + 1, v, n,
				    err, errlen);
		} else {
			rc = scan_source_read(fd, name, display, v, n, err,
			    errlen);
			close(fd);
		}
		free(name);
		free(display);
	}
	closedir(d);
	return rc;
}

/* The rule texts at path, sorted by name. 0 or -1 with err. */
static int
scan_load(const char *path, struct scan_source **v, size_t *n, char *err,
    size_t errlen)
{
	struct stat	 st;
	const char	*base;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1 ||
	    fstat(fd, &st) == -1) {
		snprintf(err, errlen, "--rules %s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		if (scan_walk(fd, path, "", 0, v, n, err, errlen) == -1)
			return -1;
		if (*n == 0) {
			snprintf(err, errlen, "--rules %s: no .yar or .yara "
			    "file in this directory", path);
			return -1;
		}
		qsort(*v, *n, sizeof **v, scan_source_cmp);
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "--rules %s: not a file or directory",
		    path);
		close(fd);
		return -1;
	}
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (scan_source_read(fd, base, path, v, n, err, errlen) == -1) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static void
scan_load_builtin(struct scan_source **v, size_t *n)
{
	const struct scan_builtin	*b;

	for (b = scan_rules_builtin; b->name != NULL; b++) {
		*v = xreallocarray(*v, *n + 1, sizeof **v);
		(*v)[*n].name = xstrdup(b->name);
		(*v)[*n].display = xasprintf("(built-in) rules/%s", b->name);
		(*v)[*n].text = xstrdup(b->text);
		(*v)[*n].len = strlen(b->text);
		(*n)++;
	}
}

struct scan_compile {
	const char	*file;		/* display name of the source */
	char		*err;
	size_t		 errlen;
	int		 failed;
	size_t		 nwarn;
};

static void
scan_compile_cb(int level, const char *file, int line, const YR_RULE *rule,
    const char *msg, void *arg)
{
	struct scan_compile	*c = arg;
	const char		*hint = "";

	(void)rule;
	if (file == NULL)
		file = c->file;
	if (level == YARA_ERROR_LEVEL_WARNING) {
		if (c->nwarn++ < SCAN_WARN_MAX)
			log_msg(LOG_WARN, "yara", "%s:%d: warning: %s", file,
			    line, msg);
		return;
	}
	if (c->failed)
		return;
	if (strstr(msg, "module") != NULL)
		hint = " (a module this libyara was built without)";
	snprintf(c->err, c->errlen, "%s:%d: %s%s", file, line, msg, hint);
	c->failed = 1;
}

#define SCAN_IDCHAR(c) ((c) == '_' || ((c) >= '0' && (c) <= '9') || \
	((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))

/* Past the quoted text or regex that starts at p (with its delimiter). */
static const char *
scan_skip_quoted(const char *p)
{
	char	q = *p++;

	while (*p != '\0' && *p != q && !(q == '/' && *p == '\n'))
		p += p[0] == '\\' && p[1] != '\0' ? 2 : 1;
	return *p == q ? p + 1 : p;
}

/*
 * Which file-dependent externals the rule text uses: identifiers outside
 * strings, regexes, comments and meta sections, and not string names
 * ($md5, #md5…) or fields (pe.md5). Computing what no rule reads (the
 * md5 of every file, say) would be wasted: signature-base only names md5
 * in its strings and metadata.
 */
static int
scan_uses(const char *text)
{
	static const struct {
		const char	*word;
		int		 flag;
	} w[] = {
		{ "filename", SCAN_USES_FILENAME },
		{ "filepath", SCAN_USES_FILEPATH },
		{ "extension", SCAN_USES_EXTENSION },
		{ "owner", SCAN_USES_OWNER },
		{ "md5", SCAN_USES_MD5 },
	};
	const char	*p = text, *q, *e;
	size_t		 i, len;
	int		 uses = 0, meta = 0;

	while (*p != '\0') {
		if (p[0] == '/' && p[1] == '*') {
			p = (e = strstr(p + 2, "*/")) ? e + 2 : p + strlen(p);
			continue;
		}
		if (p[0] == '/' && p[1] == '/') {
			p += strcspn(p, "\n");
			continue;
		}
		if (*p == '"' || *p == '/') {
			p = scan_skip_quoted(p);
			continue;
		}
		if (!SCAN_IDCHAR(*p) || (*p >= '0' && *p <= '9')) {
			p++;
			continue;
		}
		for (q = p; SCAN_IDCHAR(*q); q++)
			;
		len = (size_t)(q - p);
		for (e = q; *e == ' ' || *e == '\t' || *e == '\r' ||
		    *e == '\n'; e++)
			;
		if (*e == ':' && ((len == 4 && strncmp(p, "meta", 4) == 0) ||
		    (len == 7 && strncmp(p, "strings", 7) == 0) ||
		    (len == 9 && strncmp(p, "condition", 9) == 0)))
			meta = len == 4;
		else if (!meta && (p == text || strchr("$#@!.", p[-1]) ==
		    NULL)) {
			for (i = 0; i < nitems(w); i++)
				if (strlen(w[i].word) == len &&
				    strncmp(p, w[i].word, len) == 0)
					uses |= w[i].flag;
		}
		p = q;
	}
	return uses;
}
#undef SCAN_IDCHAR

/* sha256 of each source's name, NUL, text, NUL, in order. */
static void
scan_hash_sources(const struct scan_source *v, size_t n, char *hex)
{
	EVP_MD_CTX	*md;
	unsigned char	 h[32];
	size_t		 i;

	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		fatal("EVP sha256");
	for (i = 0; i < n; i++) {
		EVP_DigestUpdate(md, v[i].name, strlen(v[i].name) + 1);
		EVP_DigestUpdate(md, v[i].text, v[i].len);
		EVP_DigestUpdate(md, "", 1);
	}
	EVP_DigestFinal_ex(md, h, NULL);
	EVP_MD_CTX_free(md);
	util_hex(hex, h, sizeof h);
}

/* Compile the sources into s->rules. 0 or -1 with err. */
static int
scan_compile(struct scan *s, const struct scan_source *v, size_t n,
    char *err, size_t errlen)
{
	YR_COMPILER		*yc;
	struct scan_compile	 c;
	size_t			 i;
	int			 rc = -1;

	memset(&c, 0, sizeof c);
	c.err = err;
	c.errlen = errlen;
	if (yr_compiler_create(&yc) != ERROR_SUCCESS)
		fatal("yr_compiler_create");
	yr_compiler_set_callback(yc, scan_compile_cb, &c);
	for (i = 0; i < nitems(scan_externals); i++)
		if (yr_compiler_define_string_variable(yc, scan_externals[i],
		    "") != ERROR_SUCCESS)
			fatal("yr_compiler_define_string_variable");
	for (i = 0; i < n; i++) {
		c.file = v[i].display;
		if (yr_compiler_add_string(yc, v[i].text, v[i].name) != 0) {
			if (!c.failed)
				snprintf(err, errlen, "%s: does not compile",
				    v[i].display);
			goto cleanup;
		}
		s->uses |= scan_uses(v[i].text);
	}
	if (yr_compiler_get_rules(yc, &s->rules) != ERROR_SUCCESS) {
		snprintf(err, errlen, "the rules cannot be loaded (out of "
		    "memory?)");
		goto cleanup;
	}
	if (c.nwarn > SCAN_WARN_MAX)
		log_msg(LOG_WARN, "yara", "%zu more compiler warnings not "
		    "shown", c.nwarn - SCAN_WARN_MAX);
	rc = 0;
cleanup:
	yr_compiler_destroy(yc);
	return rc;
}

/* Compile sources v (freed here) into a new scan. NULL with err. */
static struct scan *
scan_build(const char *source, struct scan_source *v, size_t n, char *err,
    size_t errlen)
{
	struct scan	*s;
	YR_RULE		*rule;

	s = xcalloc(1, sizeof *s);
	pthread_mutex_init(&s->lock, NULL);
	s->source = xstrdup(source);
	if (scan_compile(s, v, n, err, errlen) == -1) {
		scan_sources_free(v, n);
		scan_free(s);
		return NULL;
	}
	scan_hash_sources(v, n, s->sha256);
	s->nfiles = n;
	yr_rules_foreach(s->rules, rule)
		s->nrules++;
	scan_sources_free(v, n);
	/*
	 * The compiler's memory (twice the rules' at its peak) is free now,
	 * but glibc keeps it: give it back, so that the run does not carry
	 * it in its footprint.
	 */
	malloc_trim(0);
	log_msg(LOG_INFO, "yara", "%zu rules compiled from %zu files (%s)",
	    s->nrules, s->nfiles, s->source);
	return s;
}

/*
 * Process memory is read by procmem in blocks of PROCMEM_CHUNK (libyara's
 * own iterator takes up to 1 GiB per block: a JVM's heap would cost as
 * much). A string across two blocks is missed, as one across two
 * regions always is.
 */
static int
scan_init(char *err, size_t errlen)
{
	if (yr_initialize() != ERROR_SUCCESS) {
		snprintf(err, errlen, "libyara cannot be initialised");
		return -1;
	}
	return 0;
}

/* The indicators' rules, after the others: their own namespace. */
static void
scan_add_iocs(struct scan_source **v, size_t *n, const char *iocs)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[*n].name = xstrdup(SCAN_NS_IOCS);
	(*v)[*n].display = xstrdup("(indicators) iocs");
	(*v)[*n].text = xstrdup(iocs);
	(*v)[*n].len = strlen(iocs);
	(*n)++;
}

struct scan *
scan_new_iocs(const char *path, const char *version,
    const struct scan_builtin *files, size_t nfiles, int own,
    const char *iocs, char *err, size_t errlen)
{
	struct scan_source	*v = NULL;
	struct scan		*s;
	const char		*source;
	size_t			 i, n = 0;

	if (scan_init(err, errlen) == -1)
		return NULL;
	source = !own ? SCAN_NS_IOCS : path ? path : "built-in";
	if (own && files != NULL) {
		v = xcalloc(nfiles ? nfiles : 1, sizeof *v);
		for (i = 0; i < nfiles; i++) {
			v[i].name = xstrdup(files[i].name);
			v[i].display = xasprintf("%s:%s", path, files[i].name);
			v[i].text = xstrdup(files[i].text);
			v[i].len = strlen(files[i].text);
		}
		n = nfiles;
	} else if (own && path == NULL)
		scan_load_builtin(&v, &n);
	else if (own && scan_load(path, &v, &n, err, errlen) == -1) {
		scan_sources_free(v, n);
		yr_finalize();
		return NULL;
	}
	if (iocs != NULL)
		scan_add_iocs(&v, &n, iocs);
	if ((s = scan_build(source, v, n, err, errlen)) != NULL &&
	    version != NULL)
		s->version = xstrdup(version);
	return s;
}

struct scan *
scan_new(const char *path, char *err, size_t errlen)
{
	return scan_new_iocs(path, NULL, NULL, 0, 1, NULL, err, errlen);
}

struct scan *
scan_new_texts(const char *source, const char *version,
    const struct scan_builtin *files, size_t nfiles, char *err,
    size_t errlen)
{
	return scan_new_iocs(source, version, files, nfiles, 1, NULL, err,
	    errlen);
}

void
scan_free(struct scan *s)
{
	if (s == NULL)
		return;
	if (s->rules != NULL)
		yr_rules_destroy(s->rules);
	scan_set_free(&s->cache);
	scan_set_free(&s->reported);
	pthread_mutex_destroy(&s->lock);
	free(s->source);
	free(s->version);
	free(s);
	yr_finalize();
}

json_t *
scan_rules_info(struct scan *s)
{
	return json_pack("{s:s, s:s?, s:s, s:I, s:I}", "source", s->source,
	    "version", s->version ? s->version : strcmp(s->source,
	    "built-in") == 0 ? CC_VERSION : NULL,
	    "sha256", s->sha256, "files", (json_int_t)s->nfiles,
	    "rules", (json_int_t)s->nrules);
}

int
scan_uses_md5(struct scan *s)
{
	return (s->uses & SCAN_USES_MD5) != 0;
}

size_t
scan_nrules(struct scan *s)
{
	return s->nrules;
}

struct scan_thread *
scan_thread_new(struct scan *s)
{
	struct scan_thread	*t;

	t = xcalloc(1, sizeof *t);
	t->s = s;
	if (yr_scanner_create(s->rules, &t->sc) != ERROR_SUCCESS)
		fatal("yr_scanner_create: out of memory");
	return t;
}

void
scan_thread_free(struct scan_thread *t)
{
	if (t == NULL)
		return;
	yr_scanner_destroy(t->sc);
	free(t);
}

/*
 * What a match of the indicators' rules matched, as narrow text into t
 * (len + 1 bytes): a wide match (every other byte zero: indicators have
 * no NUL) without its zeros. 0, or -1 for data cut short by libyara.
 * YR_MATCH records are unaligned (see scan_hit_json).
 */
#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 8)
__attribute__((no_sanitize("alignment")))
#endif
static int
scan_match_text(const YR_MATCH *match, char *t, size_t len)
{
	int32_t	i, n = match->data_length, wide = n >= 2;

	if (n < match->match_length || (size_t)n >= len)
		return -1;
	for (i = 1; wide && i < n; i += 2)
		if (match->data[i] != 0)
			wide = 0;
	if (wide) {
		for (i = 0; i < n / 2; i++)
			t[i] = (char)match->data[2 * i];
		t[n / 2] = '\0';
	} else {
		memcpy(t, match->data, n);
		t[n] = '\0';
	}
	return 0;
}

/*
 * The indicators' rules: a string is a group of indicators (ioc.c), so
 * each distinct text it matched is listed, with its first hit, the text
 * in "data" (SCAN_IOC_TEXTS in all; the rest only counted).
 */
#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 8)
__attribute__((no_sanitize("alignment")))
#endif
static void
scan_hit_iocs(YR_SCAN_CONTEXT *sctx, YR_RULE *rule, json_t *strs,
    json_int_t *total)
{
	YR_STRING	*str;
	YR_MATCH	*match;
	json_t		*seen = json_object(), *o;
	char		 t[DEFAULT_MAX_MATCH_DATA + 1];
	int		 text;

	yr_rule_strings_foreach(rule, str) {
		yr_string_matches_foreach(sctx, str, match) {
			(*total)++;
			if (json_object_size(seen) >= SCAN_IOC_TEXTS)
				continue;
			/* Data cut short (a long URL, its own string): the
			   string stands for its indicator, listed once. */
			text = scan_match_text(match, t, sizeof t) == 0 &&
			    util_utf8_valid(t);
			if (!text)
				snprintf(t, sizeof t, "\x01%s",
				    str->identifier);
			if (json_object_get(seen, t) != NULL)
				continue;
			json_object_set_new(seen, t, json_true());
			o = json_pack("{s:s, s:I, s:i}", "id", str->identifier,
			    "offset", (json_int_t)(match->base + match->offset),
			    "length", (int)match->match_length);
			if (text)
				json_object_set_new(o, "data", json_string(t));
			json_array_append_new(strs, o);
		}
	}
	json_decref(seen);
}

/*
 * One match record without its target: rule, namespace, tags, meta…
 * libyara (4.3) hands out YR_MATCH records from its notebook without
 * aligning them; yr_string_matches_foreach reads them here, which UBSan
 * reports (make check-asan). Harmless on x86 and arm64; not our layout.
 */
#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 8)
__attribute__((no_sanitize("alignment")))
#endif
static json_t *
scan_hit_json(YR_SCAN_CONTEXT *sctx, YR_RULE *rule)
{
	json_t		*o, *tags, *meta, *strs;
	const char	*tag;
	YR_META		*m;
	YR_STRING	*str;
	YR_MATCH	*match;
	json_int_t	 total = 0;

	tags = json_array();
	yr_rule_tags_foreach(rule, tag)
		json_array_append_new(tags, json_string(tag));
	meta = json_object();
	yr_rule_metas_foreach(rule, m) {
		if (m->type == META_TYPE_INTEGER)
			json_object_set_new(meta, m->identifier,
			    json_integer(m->integer));
		else if (m->type == META_TYPE_BOOLEAN)
			json_object_set_new(meta, m->identifier,
			    json_boolean(m->integer));
		else
			util_json_set_name(meta, m->identifier, m->string);
	}
	strs = json_array();
	if (strcmp(rule->ns->name, SCAN_NS_IOCS) == 0)
		scan_hit_iocs(sctx, rule, strs, &total);
	else
		yr_rule_strings_foreach(rule, str) {
			yr_string_matches_foreach(sctx, str, match) {
				if (total++ >= SCAN_STRINGS_MAX)
					continue;
				json_array_append_new(strs, json_pack(
				    "{s:s, s:I, s:i}", "id", str->identifier,
				    "offset", (json_int_t)(match->base +
				    match->offset), "length",
				    (int)match->match_length));
			}
		}
	o = json_object();
	util_json_set_name(o, "rule", rule->identifier);
	util_json_set_name(o, "namespace", rule->ns->name);
	json_object_set_new(o, "tags", tags);
	json_object_set_new(o, "meta", meta);
	json_object_set_new(o, "strings", strs);
	json_object_set_new(o, "strings_total", json_integer(total));
	return o;
}

static int
scan_callback(YR_SCAN_CONTEXT *sctx, int msg, void *data, void *arg)
{
	struct scan_thread	*t = arg;

	if (msg == CALLBACK_MSG_RULE_MATCHING)
		json_array_append_new(t->hits, scan_hit_json(sctx, data));
	return CALLBACK_CONTINUE;
}

static const char *
scan_strerror(int rc)
{
	switch (rc) {
	case ERROR_INSUFFICIENT_MEMORY:
		return "out of memory";
	case ERROR_COULD_NOT_ATTACH_TO_PROCESS:
		return "cannot attach to the process";
	case ERROR_COULD_NOT_READ_PROCESS_MEMORY:
		return "cannot read the process memory";
	case ERROR_TOO_MANY_MATCHES:
		return "too many matches";
	case ERROR_SCAN_TIMEOUT:
		return "scan timed out";
	default:
		return "libyara error";
	}
}

/*
 * Process memory through procmem (pages present only, budget per
 * process) instead of libyara's iterator, which reads every byte of
 * every mapping. A libyara result code.
 */
static int
scan_proc(struct scan_thread *t, int pid)
{
	struct procmem	*pm;
	char		 rd[16], sk[16];
	int		 rc;

	if ((pm = procmem_new(pid, SCAN_PROC_BUDGET)) == NULL)
		return ERROR_COULD_NOT_ATTACH_TO_PROCESS;
	yr_scanner_set_flags(t->sc, SCAN_FLAGS_PROCESS_MEMORY);
	rc = yr_scanner_scan_mem_blocks(t->sc, procmem_iterator(pm));
	yr_scanner_set_flags(t->sc, 0);
	util_human(rd, sizeof rd, procmem_read(pm));
	util_human(sk, sizeof sk, procmem_skipped(pm));
	log_msg(procmem_cut(pm) ? LOG_WARN : LOG_DEBUG, "yara", "process %d: "
	    "%s read, %s of pages never touched skipped%s", pid, rd, sk,
	    procmem_cut(pm) ? "; cut at the per-process budget" : "");
	procmem_free(pm);
	return rc;
}

/* Run the scanner over p, or over process pid when p is NULL. */
static int
scan_run(struct scan_thread *t, const void *p, size_t len, int pid,
    json_t **hits, char *err, size_t errlen)
{
	int	rc;

	t->hits = json_array();
	yr_scanner_set_callback(t->sc, scan_callback, t);
	yr_scanner_set_timeout(t->sc, p != NULL || pid < 0 ?
	    SCAN_FILE_TIMEOUT : SCAN_PROC_TIMEOUT);
	if (pid < 0)
		rc = yr_scanner_scan_mem(t->sc, p ? p : (const void *)"",
		    len);
	else
		rc = scan_proc(t, pid);
	if (rc != ERROR_SUCCESS) {
		snprintf(err, errlen, "%s (libyara error %d)",
		    scan_strerror(rc), rc);
		json_decref(t->hits);
		t->hits = NULL;
		*hits = NULL;
		return rc == ERROR_SCAN_TIMEOUT ? SCAN_TIMEOUT : SCAN_ERROR;
	}
	*hits = t->hits;
	t->hits = NULL;
	return SCAN_OK;
}

static void
scan_define(struct scan_thread *t, const char *name, const char *value)
{
	if (yr_scanner_define_string_variable(t->sc, name, value) !=
	    ERROR_SUCCESS)
		fatal("yr_scanner_define_string_variable %s", name);
}

/* The Loki externals of a file, in scan_externals order. */
struct scan_ext {
	char		 filename[256 * 4];
	char		 filepath[4096];
	char		 extension[256];
	const char	*filetype;
	char		 owner[64];
	char		 md5[33];
};

static void
scan_ext_fill(struct scan_ext *e, const struct scan_file *f, const void *p,
    size_t len)
{
	const char	*slash = strrchr(f->path, '/');
	size_t		 dlen;

	snprintf(e->filename, sizeof e->filename, "%s",
	    slash ? slash + 1 : f->path);
	/* The directory without a trailing slash; "/" for the top. */
	dlen = slash == NULL ? 0 : slash == f->path ? 1 :
	    (size_t)(slash - f->path);
	if (dlen >= sizeof e->filepath)
		dlen = sizeof e->filepath - 1;
	memcpy(e->filepath, f->path, dlen);
	e->filepath[dlen] = '\0';
	scan_extension(e->filename, e->extension, sizeof e->extension);
	e->filetype = scan_filetype(p, len);
	if (f->owner != NULL)
		snprintf(e->owner, sizeof e->owner, "%s", f->owner);
	else
		snprintf(e->owner, sizeof e->owner, "%u", f->uid);
	if (f->md5 != NULL)
		util_hex(e->md5, f->md5, 16);
	else
		e->md5[0] = '\0';	/* no rule reads it */
}

/* sha256 of the 32 bytes a, then each string of v (with its NUL). */
static void
scan_key(unsigned char *key, const unsigned char *a, const char *const *v,
    size_t n)
{
	EVP_MD_CTX	*md;
	size_t		 i;

	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		fatal("EVP sha256");
	EVP_DigestUpdate(md, a, 32);
	for (i = 0; i < n; i++)
		EVP_DigestUpdate(md, v[i], strlen(v[i]) + 1);
	EVP_DigestFinal_ex(md, key, NULL);
	EVP_MD_CTX_free(md);
}

/* The cache key: content, and the file-dependent externals used. */
static void
scan_cache_key(struct scan *s, unsigned char *key, const unsigned char *sha,
    const struct scan_ext *e)
{
	const char	*v[5];
	size_t		 n = 0;

	if (s->uses == 0) {
		memcpy(key, sha, 32);
		return;
	}
	if (s->uses & SCAN_USES_FILENAME)
		v[n++] = e->filename;
	if (s->uses & SCAN_USES_FILEPATH)
		v[n++] = e->filepath;
	if (s->uses & SCAN_USES_EXTENSION)
		v[n++] = e->extension;
	if (s->uses & SCAN_USES_OWNER)
		v[n++] = e->owner;
	if (s->uses & SCAN_USES_MD5)
		v[n++] = e->md5;
	scan_key(key, sha, v, n);
}

/* Hits of content p as file f: from the cache or a scan. */
static int
scan_file_hits(struct scan_thread *t, const void *p, size_t len,
    const struct scan_file *f, json_t **hits, char *err, size_t errlen)
{
	struct scan	*s = t->s;
	struct scan_ext	 e;
	unsigned char	 key[32];
	json_t		*cached = NULL;
	int		 found, rc;

	scan_ext_fill(&e, f, p, len);
	scan_cache_key(s, key, f->sha256, &e);
	pthread_mutex_lock(&s->lock);
	if ((found = scan_set_get(&s->cache, key, &cached)) && cached)
		json_incref(cached);
	pthread_mutex_unlock(&s->lock);
	if (found) {
		*hits = cached ? cached : json_array();
		return SCAN_OK;
	}
	scan_define(t, "filename", e.filename);
	scan_define(t, "filepath", e.filepath);
	scan_define(t, "extension", e.extension);
	scan_define(t, "filetype", e.filetype);
	scan_define(t, "owner", e.owner);
	scan_define(t, "md5", e.md5);
	if ((rc = scan_run(t, p, len, -1, hits, err, errlen)) != SCAN_OK)
		return rc;
	pthread_mutex_lock(&s->lock);
	if (s->cache.n < SCAN_CACHE_MAX)
		scan_set_put(&s->cache, key, json_array_size(*hits) ?
		    *hits : NULL);
	pthread_mutex_unlock(&s->lock);
	return SCAN_OK;
}

int
scan_file(struct scan_thread *t, const void *p, size_t len,
    const struct scan_file *f, json_t **out, char *err, size_t errlen)
{
	struct scan	*s = t->s;
	const char	*pathv[1] = { f->path };
	unsigned char	 key[32];
	char		 hex[65];
	json_t		*hits, *rec;
	size_t		 i;
	int		 rc, seen;

	*out = NULL;
	if ((rc = scan_file_hits(t, p, len, f, &hits, err, errlen)) !=
	    SCAN_OK)
		return rc;
	*out = json_array();
	if (json_array_size(hits) == 0) {
		json_decref(hits);
		return SCAN_OK;
	}
	scan_key(key, f->sha256, pathv, 1);
	pthread_mutex_lock(&s->lock);
	if (!(seen = scan_set_get(&s->reported, key, NULL)))
		scan_set_put(&s->reported, key, NULL);
	pthread_mutex_unlock(&s->lock);
	util_hex(hex, f->sha256, 32);
	for (i = 0; !seen && i < json_array_size(hits); i++) {
		rec = json_deep_copy(json_array_get(hits, i));
		json_object_set_new(rec, "target", json_string("file"));
		util_json_set_name(rec, "path", f->path);
		json_object_set_new(rec, "sha256", json_string(hex));
		json_object_set_new(rec, "size", json_integer((json_int_t)
		    f->size));
		if (f->size > len)
			json_object_set_new(rec, "scanned_bytes",
			    json_integer((json_int_t)len));
		json_array_append_new(*out, rec);
	}
	/*
	 * hits may be the cache's, shared by the threads: jansson's
	 * json_incref reads the count before its atomic add, so every
	 * count change of a shared value is made under the lock.
	 */
	pthread_mutex_lock(&s->lock);
	json_decref(hits);
	pthread_mutex_unlock(&s->lock);
	return SCAN_OK;
}

int
scan_process(struct scan_thread *t, int pid, const char *name,
    const char *exe, json_t **out, char *err, size_t errlen)
{
	json_t	*hits, *rec;
	size_t	 i;
	int	 rc;

	*out = NULL;
	for (i = 0; i < nitems(scan_externals); i++)
		scan_define(t, scan_externals[i], "");
	if ((rc = scan_run(t, NULL, 0, pid, &hits, err, errlen)) != SCAN_OK)
		return rc;
	for (i = 0; i < json_array_size(hits); i++) {
		rec = json_array_get(hits, i);
		json_object_set_new(rec, "target", json_string("process"));
		json_object_set_new(rec, "pid", json_integer(pid));
		util_json_set_name(rec, "process", name ? name : "");
		if (exe != NULL)
			util_json_set_name(rec, "exe", exe);
		else
			json_object_set_new(rec, "exe", json_null());
	}
	*out = hits;
	return SCAN_OK;
}
