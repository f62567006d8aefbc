/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Configuration: a table of keys (section, name, type, field) drives
 * the INI parser (libinih) and option setting alike.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>
#include <sodium.h>

#include "config.h"
#include "rules.h"
#include "util.h"

#define CONFIG_MAX	(1U << 20)

/* CT_BOOL keys say "do it" over a "don't" field; CT_FLAG ones are direct. */
enum config_type { CT_STR, CT_SECRET, CT_SIZE, CT_INT, CT_LIST, CT_BOOL,
	CT_FLAG };

static const struct config_key {
	const char		*section;
	const char		*name;
	enum config_type	 type;
	size_t			 off;
	long long		 min, max;	/* CT_INT; min for CT_SIZE */
} config_keys[] = {
	{ "case", "id", CT_STR, offsetof(struct config, case_id), 0, 0 },
	{ "output", "dir", CT_STR, offsetof(struct config, output_dir), 0, 0 },
	{ "output", "keep_local", CT_FLAG, offsetof(struct config, keep_local),
	    0, 0 },
	{ "collection", "profile", CT_STR, offsetof(struct config, profile),
	    0, 0 },
	{ "collection", "artifacts", CT_LIST,
	    offsetof(struct config, artifacts), 0, 0 },
	{ "collection", "process_dump", CT_BOOL,
	    offsetof(struct config, no_process_dump), 0, 0 },
	{ "upload", "url", CT_STR, offsetof(struct config, upload_url), 0, 0 },
	{ "upload", "identity_file", CT_STR,
	    offsetof(struct config, identity_file), 0, 0 },
	{ "upload", "identity", CT_SECRET, offsetof(struct config, identity),
	    0, 0 },
	{ "upload", "password", CT_SECRET, offsetof(struct config, password),
	    0, 0 },
	{ "upload", "host_key_fingerprint", CT_STR,
	    offsetof(struct config, host_key_fingerprint), 0, 0 },
	{ "upload", "retries", CT_INT, offsetof(struct config, retries),
	    0, 100 },
	{ "upload", "timeout", CT_INT, offsetof(struct config, upload_timeout),
	    5, 3600 },
	{ "upload", "bwlimit", CT_SIZE, offsetof(struct config, bwlimit),
	    0, 0 },
	{ "upload", "stream_window", CT_SIZE,
	    offsetof(struct config, stream_window), 0, 0 },
	{ "upload", "stream", CT_FLAG, offsetof(struct config, stream), 0, 0 },
	{ "signing", "secret_key_file", CT_STR,
	    offsetof(struct config, sign_key_file), 0, 0 },
	{ "signing", "secret_key", CT_SECRET,
	    offsetof(struct config, sign_key), 0, 0 },
	{ "encryption", "recipients", CT_LIST,
	    offsetof(struct config, recipients), 0, 0 },
	{ "rules", "path", CT_STR, offsetof(struct config, rules_path), 0, 0 },
	{ "rules", "pubkey", CT_STR, offsetof(struct config, rules_pubkey),
	    0, 0 },
	{ "rules", "url", CT_STR, offsetof(struct config, rules_url), 0, 0 },
	{ "rules", "state_dir", CT_STR,
	    offsetof(struct config, rules_state_dir), 0, 0 },
	{ "iocs", "path", CT_STR, offsetof(struct config, iocs_path), 0, 0 },
	{ "iocs", "pubkey", CT_STR, offsetof(struct config, iocs_pubkey),
	    0, 0 },
	{ "iocs", "url", CT_STR, offsetof(struct config, iocs_url), 0, 0 },
	{ "iocs", "state_dir", CT_STR,
	    offsetof(struct config, iocs_state_dir), 0, 0 },
	{ "scan", "paths", CT_LIST, offsetof(struct config, scan_paths),
	    0, 0 },
	{ "scan", "yara", CT_BOOL, offsetof(struct config, no_yara), 0, 0 },
	{ "scan", "process_memory", CT_BOOL,
	    offsetof(struct config, no_process_memory), 0, 0 },
	{ "limits", "max_file_size", CT_SIZE,
	    offsetof(struct config, max_file_size), 0, 0 },
	{ "limits", "max_total_size", CT_SIZE,
	    offsetof(struct config, max_total_size), 0, 0 },
	/* A dump cap of 0 would dump nothing: --no-process-dump says that. */
	{ "limits", "process_dump_max", CT_SIZE,
	    offsetof(struct config, process_dump_max), 1, 0 },
	{ "limits", "process_dump_total", CT_SIZE,
	    offsetof(struct config, process_dump_total), 1, 0 },
	/* Containers' writable layers copied (containers.c). */
	{ "limits", "container_upper_max", CT_SIZE,
	    offsetof(struct config, container_upper_max), 0, 0 },
	{ "limits", "container_upper_total", CT_SIZE,
	    offsetof(struct config, container_upper_total), 0, 0 },
	{ "limits", "container_upper_files", CT_INT,
	    offsetof(struct config, container_upper_files), 0, 10000000 },
	{ "limits", "time_limit", CT_INT, offsetof(struct config, time_limit),
	    0, 31LL * 86400 },
	{ "limits", "nice", CT_INT, offsetof(struct config, nice), -20, 19 },
	{ "limits", "max_cpu", CT_INT, offsetof(struct config, max_cpu),
	    0, 100 * 256 },
};

void
strlist_add(struct strlist *l, const char *s)
{
	l->v = xreallocarray(l->v, l->n + 2, sizeof *l->v);
	l->v[l->n++] = xstrdup(s);
	l->v[l->n] = NULL;
}

void
strlist_clear(struct strlist *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
config_init(struct config *c)
{
	memset(c, 0, sizeof *c);
	c->profile = xstrdup("triage");
	c->retries = 5;
	c->upload_timeout = 20;
	c->stream_window = 64ULL << 20;
	c->max_file_size = 1ULL << 30;
	c->process_dump_max = 256ULL << 20;
	c->process_dump_total = 1ULL << 30;
	c->container_upper_max = 256ULL << 20;
	c->container_upper_total = 1ULL << 30;
	c->container_upper_files = 10000;
	c->nice = 10;
	c->keep_local = 1;
}

static void
config_free_secret(char *s)
{
	if (s != NULL) {
		sodium_memzero(s, strlen(s));
		free(s);
	}
}

void
config_free(struct config *c)
{
	size_t	i;

	for (i = 0; i < nitems(config_keys); i++) {
		void	*field = (char *)c + config_keys[i].off;

		switch (config_keys[i].type) {
		case CT_STR:
			free(*(char **)field);
			break;
		case CT_SECRET:
			config_free_secret(*(char **)field);
			break;
		case CT_LIST:
			strlist_clear(field);
			break;
		default:
			break;
		}
	}
	free(c->root);
	free(c->file);
	memset(c, 0, sizeof *c);
}

static const struct config_key *
config_find(const char *section, const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(config_keys); i++)
		if (strcmp(config_keys[i].section, section) == 0 &&
		    strcmp(config_keys[i].name, name) == 0)
			return &config_keys[i];
	return NULL;
}

static int
config_bool(const char *v, int *out)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "on") == 0 || strcmp(v, "1") == 0)
		*out = 1;
	else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
	    strcmp(v, "off") == 0 || strcmp(v, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

/* Split a list on commas and white space into l (replacing it). */
static void
config_list(struct strlist *l, const char *v)
{
	char	*copy, *p, *tok;

	strlist_clear(l);
	copy = xstrdup(v);
	for (p = copy; (tok = strsep(&p, ", \t")) != NULL;)
		if (*tok != '\0')
			strlist_add(l, tok);
	free(copy);
}

/*
 * An inline secret: the value itself, or "base64:…" decoded (how a
 * multi-line key such as an SSH private key fits on one INI line).
 */
static char *
config_secret(const char *v)
{
	unsigned char	*raw;
	size_t		 len, rawlen;

	if (*v == '\0')
		return NULL;
	if (strncmp(v, "base64:", 7) != 0)
		return xstrdup(v);
	v += 7;
	len = strlen(v);
	raw = xmalloc(len + 1);
	if (sodium_base642bin(raw, len, v, len, " \t\r\n", &rawlen, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || rawlen == 0 ||
	    memchr(raw, '\0', rawlen) != NULL) {
		sodium_memzero(raw, len);
		free(raw);
		return NULL;
	}
	raw[rawlen] = '\0';
	return (char *)raw;
}

/* Keys that say the same thing two ways (a file, or the value inline). */
static const char *const config_pairs[][3] = {
	{ "upload", "identity_file", "identity" },
	{ "signing", "secret_key_file", "secret_key" },
};

/*
 * Before setting k: its partner of config_pairs set in the same layer
 * is a conflict (-1 with err); set in a lower layer, it is overridden
 * (cleared), as an option overrides the file.
 */
static int
config_partner(struct config *c, const struct config_key *k, char *err,
    size_t errlen)
{
	const struct config_key	*o = NULL;
	char			**field;
	size_t			 i;

	for (i = 0; o == NULL && i < nitems(config_pairs); i++) {
		if (strcmp(k->section, config_pairs[i][0]) != 0)
			continue;
		if (strcmp(k->name, config_pairs[i][1]) == 0)
			o = config_find(k->section, config_pairs[i][2]);
		else if (strcmp(k->name, config_pairs[i][2]) == 0)
			o = config_find(k->section, config_pairs[i][1]);
	}
	if (o == NULL || *(field = (char **)((char *)c + o->off)) == NULL)
		return 0;
	if (c->src[o - config_keys] == c->layer) {
		snprintf(err, errlen, "conflicts with [%s] %s, set too; give "
		    "only one of the two", o->section, o->name);
		return -1;
	}
	if (o->type == CT_SECRET)
		config_free_secret(*field);
	else
		free(*field);
	*field = NULL;
	c->src[o - config_keys] = SRC_DEFAULT;
	return 0;
}

static int
config_apply(struct config *c, const struct config_key *k, const char *v,
    char *err, size_t errlen)
{
	void		*field = (char *)c + k->off;
	long long	 n;
	int		 b;

	if (config_partner(c, k, err, errlen) == -1)
		return -1;
	switch (k->type) {
	case CT_STR:
		if (*v == '\0') {
			snprintf(err, errlen, "empty value");
			return -1;
		}
		free(*(char **)field);
		*(char **)field = xstrdup(v);
		break;
	case CT_SECRET:
		config_free_secret(*(char **)field);
		if ((*(char **)field = config_secret(v)) == NULL) {
			snprintf(err, errlen, "empty value or bad base64");
			return -1;
		}
		break;
	case CT_SIZE:
		if (util_parse_size(v, field) == -1) {
			snprintf(err, errlen, "bad size \"%s\" (a number with "
			    "an optional K, M or G suffix)", v);
			return -1;
		}
		if (*(uint64_t *)field < (uint64_t)k->min) {
			snprintf(err, errlen, "bad size \"%s\" (at least "
			    "%lld)", v, k->min);
			return -1;
		}
		break;
	case CT_INT:
		if (util_parse_int(v, k->min, k->max, &n) == -1) {
			snprintf(err, errlen, "bad number \"%s\" (%lld to "
			    "%lld)", v, k->min, k->max);
			return -1;
		}
		*(long long *)field = n;
		break;
	case CT_LIST:
		config_list(field, v);
		break;
	case CT_BOOL:
		/* The boolean keys say "do it"; the fields say "don't". */
		if (config_bool(v, &b) == -1) {
			snprintf(err, errlen, "bad boolean \"%s\" (yes or no)",
			    v);
			return -1;
		}
		*(int *)field = !b;
		break;
	case CT_FLAG:
		if (config_bool(v, &b) == -1) {
			snprintf(err, errlen, "bad boolean \"%s\" (yes or no)",
			    v);
			return -1;
		}
		*(int *)field = b;
		break;
	}
	c->src[k - config_keys] = (unsigned char)c->layer;
	return 0;
}

int
config_set(struct config *c, const char *key, const char *value, char *err,
    size_t errlen)
{
	const struct config_key	*k;
	char			 section[64];
	const char		*dot;

	if ((dot = strchr(key, '.')) == NULL ||
	    (size_t)(dot - key) >= sizeof section) {
		snprintf(err, errlen, "%s: unknown key", key);
		return -1;
	}
	memcpy(section, key, (size_t)(dot - key));
	section[dot - key] = '\0';
	if ((k = config_find(section, dot + 1)) == NULL) {
		snprintf(err, errlen, "%s: unknown key", key);
		return -1;
	}
	return config_apply(c, k, value, err, errlen);
}

struct config_parse_state {
	struct config		*c;
	char			 msg[512];
	/* A base64 secret split over continuation lines (INI lines are
	 * capped at 200 bytes by libinih), gathered until the key ends. */
	const struct config_key	*pending;
	struct buf		 acc;
};

/* Apply a gathered base64 secret. 0 or -1 (message set). */
static int
config_flush(struct config_parse_state *ps)
{
	const struct config_key	*k = ps->pending;
	char			 why[400];
	int			 rc = 0;

	if (k == NULL)
		return 0;
	ps->pending = NULL;
	if (config_apply(ps->c, k, ps->acc.data, why, sizeof why) == -1) {
		snprintf(ps->msg, sizeof ps->msg, "[%s] %s: %s", k->section,
		    k->name, why);
		rc = -1;
	}
	sodium_memzero(ps->acc.data, ps->acc.len);
	buf_free(&ps->acc);
	return rc;
}

static int
config_ini_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct config_parse_state	*ps = arg;
	const struct config_key		*k;
	char				 why[400];

	if (ps->msg[0] != '\0')
		return 0;
	if (name == NULL)	/* a section header alone */
		return 1;
	k = config_find(section, name);
	if (k != NULL && k == ps->pending) {	/* a continuation line */
		if (k->type == CT_LIST)
			buf_addstr(&ps->acc, ", ");
		buf_addstr(&ps->acc, value);
		return 1;
	}
	if (config_flush(ps) == -1)
		return 0;
	if (k != NULL && (k->type == CT_LIST || (k->type == CT_SECRET &&
	    strncmp(value, "base64:", 7) == 0))) {
		ps->pending = k;
		buf_addstr(&ps->acc, value);
		return 1;
	}
	if (k == NULL) {
		snprintf(ps->msg, sizeof ps->msg, "[%s] %s: unknown key",
		    section, name);
		return 0;
	}
	if (config_apply(ps->c, k, value, why, sizeof why) == -1) {
		snprintf(ps->msg, sizeof ps->msg, "[%s] %s: %s", section,
		    name, why);
		return 0;
	}
	return 1;
}

/*
 * libinih reads a line in a buffer of INI_MAX_LINE bytes and parses the
 * rest of a longer line as a line of its own: a value would be cut, or
 * its tail taken for another key. Such a line is an error instead. The
 * line number of the first one, or 0.
 */
static int
config_long_line(const char *text)
{
	const char	*p, *nl;
	int		 line = 1;

	for (p = text; *p != '\0'; p = nl + 1, line++) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p) - 1;
		if (nl - p + 1 > INI_MAX_LINE - 1)
			return line;
	}
	return 0;
}

int
config_parse(struct config *c, const char *name, const char *text,
    char *err, size_t errlen)
{
	struct config_parse_state	ps;
	int				line;

	if ((line = config_long_line(text)) != 0) {
		snprintf(err, errlen, "%s:%d: line longer than %d bytes: "
		    "continue a long value on indented lines", name, line,
		    INI_MAX_LINE - 1);
		return -1;
	}
	memset(&ps, 0, sizeof ps);
	ps.c = c;
	line = ini_parse_string(text, config_ini_handler, &ps);
	if (line == 0 && config_flush(&ps) == 0)
		return 0;
	if (ps.pending != NULL) {
		sodium_memzero(ps.acc.data, ps.acc.len);
		buf_free(&ps.acc);
	}
	if (line == 0) {
		snprintf(err, errlen, "%s: %s", name, ps.msg);
		return -1;
	}
	if (ps.msg[0] == '\0')
		snprintf(ps.msg, sizeof ps.msg, "syntax error");
	snprintf(err, errlen, "%s:%d: %s", name, line, ps.msg);
	return -1;
}

int
config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	struct stat	 st;
	char		*text;
	size_t		 len;
	int		 fd, trunc, rc;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot read config %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "config %s: not a regular file", path);
		close(fd);
		return -1;
	}
	text = util_read_fd(fd, CONFIG_MAX, &len, &trunc);
	close(fd);
	if (text == NULL || trunc || strlen(text) != len) {
		snprintf(err, errlen, "config %s: %s", path, text == NULL ?
		    strerror(errno) : trunc ? "larger than 1 MiB" :
		    "contains a NUL byte");
		free(text);
		return -1;
	}
	rc = config_parse(c, path, text, err, errlen);
	if (rc == 0) {
		free(c->file);
		c->file = xstrdup(path);
	}
	sodium_memzero(text, len);
	free(text);
	return rc;
}

static const char *const config_src_names[] = {
	"default", "embedded", "file", "option"
};

/* The value of key k as text (caller frees); NULL when unset. */
static char *
config_value(const struct config *c, const struct config_key *k)
{
	const void	*field = (const char *)c + k->off;
	const struct strlist *l;
	struct buf	 b = { 0 };
	size_t		 i;

	switch (k->type) {
	case CT_STR:
	case CT_SECRET:
		return *(char *const *)field ? xstrdup(*(char *const *)field) :
		    NULL;
	case CT_SIZE:
		return xasprintf("%llu", (unsigned long long)
		    *(const uint64_t *)field);
	case CT_INT:
		return xasprintf("%lld", *(const long long *)field);
	case CT_BOOL:
		return xstrdup(*(const int *)field ? "no" : "yes");
	case CT_FLAG:
		return xstrdup(*(const int *)field ? "yes" : "no");
	case CT_LIST:
		l = field;
		if (l->n == 0)
			return NULL;
		for (i = 0; i < l->n; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", l->v[i]);
		return b.data;
	}
	return NULL;
}

/* What an unset key means, for config show. */
static const char *
config_unset(const struct config_key *k)
{
	static const struct {
		const char	*key, *means;
	} m[] = {
		{ "case.id", "no case id: the archive is named after the host" },
		{ "output.dir", "the current directory" },
		{ "collection.artifacts", "the built-in definitions" },
		{ "upload.url", "no upload: the archive stays in output.dir" },
		{ "upload.host_key_fingerprint", "none: an upload is refused" },
		{ "signing.secret_key_file", "a key made for this run; its "
		    "public key is written beside the archive" },
		{ "encryption.recipients", "not encrypted" },
		{ "rules.path", "the installed bundle, else the built-in rules" },
		{ "rules.pubkey", "no bundle can be verified" },
		{ "rules.url", "no rules pull" },
		{ "rules.state_dir", RULES_STATE_DIR },
		{ "iocs.path", "the installed pack, else no indicators" },
		{ "iocs.pubkey", "no pack can be verified" },
		{ "iocs.url", "no iocs pull" },
		{ "iocs.state_dir", "rules.state_dir" },
		{ "scan.paths", "no tree swept" },
	};
	char	name[128];
	size_t	i;

	snprintf(name, sizeof name, "%s.%s", k->section, k->name);
	for (i = 0; i < nitems(m); i++)
		if (strcmp(m[i].key, name) == 0)
			return m[i].means;
	return NULL;
}

void
config_show(const struct config *c, FILE *f)
{
	const char	*means;
	size_t		 i;
	char		*v, *file;

	file = c->file ? util_printable(c->file) : xstrdup("?");
	for (i = 0; i < nitems(config_keys); i++) {
		const struct config_key	*k = &config_keys[i];

		v = config_value(c, k);
		fprintf(f, "%s.%s = ", k->section, k->name);
		if (v == NULL && (means = config_unset(k)) != NULL)
			fprintf(f, "(unset: %s)", means);
		else
			fputs(v == NULL ? "(unset)" : k->type == CT_SECRET ?
			    "******** (secret, masked)" : v, f);
		if (v != NULL && strcmp(v, "0") == 0 && (strcmp(k->name,
		    "bwlimit") == 0 || strcmp(k->section, "limits") == 0) &&
		    strcmp(k->name, "nice") != 0)
			fputs(" (no limit)", f);
		if (c->src[i] == SRC_FILE)
			fprintf(f, "\t(file %s)\n", file);
		else
			fprintf(f, "\t(%s)\n", config_src_names[c->src[i]]);
		if (v != NULL && k->type == CT_SECRET)
			sodium_memzero(v, strlen(v));
		free(v);
	}
	free(file);
}

/* A file's content as "base64:…", for inlining. NULL with err. */
static char *
config_inline_file(const char *path, char *err, size_t errlen)
{
	char	*text, *b64, *out;
	size_t	 len, blen;
	int	 fd, trunc;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot read %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	text = util_read_fd(fd, CONFIG_MAX, &len, &trunc);
	close(fd);
	if (text == NULL || trunc || len == 0) {
		snprintf(err, errlen, "cannot read %s: %s", path,
		    text == NULL ? strerror(errno) : "empty or too large");
		free(text);
		return NULL;
	}
	blen = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	b64 = xmalloc(blen);
	sodium_bin2base64(b64, blen, (unsigned char *)text, len,
	    sodium_base64_VARIANT_ORIGINAL);
	out = xasprintf("base64:%s", b64);
	sodium_memzero(text, len);
	sodium_memzero(b64, blen);
	free(text);
	free(b64);
	return out;
}

/*
 * "name = value"; a long value (an inline key) continues on indented
 * lines, each well under libinih's 200-byte line limit.
 */
static void
config_emit(struct buf *b, const char *name, const char *v, int list)
{
	size_t	len = strlen(v), off, n;
	char	*comma;

	buf_printf(b, "%s = ", name);
	for (off = 0; off < len; off += n) {
		n = len - off > 120 ? 120 : len - off;
		/* A list breaks between items (continuations are joined
		 * with ", " again when read). */
		if (list && off + n < len && (comma = memmem(v + off, n,
		    ", ", 2)) != NULL)
			n = (size_t)(comma - (v + off)) + 2;
		if (off > 0)
			buf_addstr(b, "\t");
		buf_add(b, v + off, list && off + n < len ? n - 2 : n);
		buf_addstr(b, "\n");
	}
	if (len == 0)
		buf_addstr(b, "\n");
}

/* The "RW…" line of a minisign public key file. NULL with err. */
static char *
config_pubkey_line(const char *path, char *err, size_t errlen)
{
	char	*text, *line, *p, *out = NULL;
	size_t	 len;
	int	 fd, trunc;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "public key %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	text = util_read_fd(fd, 4096, &len, &trunc);
	close(fd);
	for (p = text; text != NULL && (line = strsep(&p, "\r\n")) != NULL;)
		if (strncmp(line, "RW", 2) == 0) {
			out = xstrdup(line);
			break;
		}
	free(text);
	if (out == NULL)
		snprintf(err, errlen, "public key %s: no RW… key line",
		    path);
	return out;
}

char *
config_serialize(const struct config *c, char *err, size_t errlen)
{
	struct buf	 b = { 0 };
	const char	*section = "";
	char		*v;
	size_t		 i;

	buf_addstr(&b, "; csirt-collect embedded configuration\n");
	for (i = 0; i < nitems(config_keys); i++) {
		const struct config_key	*k = &config_keys[i];
		const char		*name = k->name;

		if (c->src[i] == SRC_DEFAULT)
			continue;
		if (k->type == CT_STR && (strcmp(name, "identity_file") == 0 ||
		    strcmp(name, "secret_key_file") == 0)) {
			v = config_inline_file(*(char *const *)((const char *)c
			    + k->off), err, errlen);
			if (v == NULL) {
				config_free_text(b.data);
				return NULL;
			}
			name = strcmp(name, "identity_file") == 0 ? "identity" :
			    "secret_key";
		} else if (k->type == CT_SECRET) {
			const char	*raw = *(char *const *)((const char *)c +
			    k->off);
			size_t		 len, blen;
			char		*b64;

			if (raw == NULL)
				continue;
			len = strlen(raw);
			blen = sodium_base64_ENCODED_LEN(len,
			    sodium_base64_VARIANT_ORIGINAL);
			b64 = xmalloc(blen);
			sodium_bin2base64(b64, blen, (const unsigned char *)raw,
			    len, sodium_base64_VARIANT_ORIGINAL);
			v = xasprintf("base64:%s", b64);
			sodium_memzero(b64, blen);
			free(b64);
		} else if (strcmp(name, "pubkey") == 0 && strncmp(*(char *const *)
		    ((const char *)c + k->off), "RW", 2) != 0) {
			/* A key file: its key line travels in the bundle. */
			if ((v = config_pubkey_line(*(char *const *)((const
			    char *)c + k->off), err, errlen)) == NULL) {
				config_free_text(b.data);
				return NULL;
			}
		} else if ((v = config_value(c, k)) == NULL)
			continue;
		if (strcmp(section, k->section) != 0) {
			section = k->section;
			buf_printf(&b, "[%s]\n", section);
		}
		config_emit(&b, name, v, k->type == CT_LIST);
		sodium_memzero(v, strlen(v));
		free(v);
	}
	return b.data;
}

void
config_free_text(char *s)
{
	if (s != NULL) {
		sodium_memzero(s, strlen(s));
		free(s);
	}
}
