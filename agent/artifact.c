/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * ForensicArtifacts YAML loader and registry. Each file is parsed whole
 * with libyaml's document loader into a temporary list and added to the
 * registry only if every document in it is a well-formed artefact, so a
 * broken file changes nothing and is reported with its file and line.
 * The YAML is untrusted: sizes and list lengths are capped, and aliases
 * are refused (a node reached twice), which also defeats alias bombs.
 * Unknown keys are ignored, unknown source types kept and skipped later.
 * Also here: resolving a profile or artefact list into a plan, and the
 * `list` output. Path interpolation and globbing are in artifact-path.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include "artifact.h"
#include "util.h"

#define ARTIFACT_MAX_WARNINGS	1000

struct artifact_load {
	yaml_document_t	*doc;
	const char	*file;
	char		*err;
	size_t		 errlen;
	unsigned char	*seen;
	size_t		 nseen;
};

static void	artifact_free(struct artifact *);

static void __attribute__((format(printf, 3, 4)))
artifact_load_error(struct artifact_load *l, yaml_node_t *node,
    const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(l->err, l->errlen, "%s:%lu: %s", l->file,
	    node != NULL ? (unsigned long)node->start_mark.line + 1 : 0UL, msg);
}

/* The node with id, or NULL (error set) if it was reached before. */
static yaml_node_t *
artifact_load_node(struct artifact_load *l, int id, yaml_node_t *parent)
{
	yaml_node_t	*node;

	node = yaml_document_get_node(l->doc, id);
	if (node == NULL || id < 1 || (size_t)id >= l->nseen) {
		artifact_load_error(l, parent, "bad node");
		return NULL;
	}
	if (l->seen[id]) {
		artifact_load_error(l, node, "aliases are not supported");
		return NULL;
	}
	l->seen[id] = 1;
	return node;
}

static char *
artifact_load_scalar(struct artifact_load *l, yaml_node_t *node,
    const char *what)
{
	size_t	len;

	if (node->type != YAML_SCALAR_NODE) {
		artifact_load_error(l, node, "%s: expected a string", what);
		return NULL;
	}
	len = node->data.scalar.length;
	if (len > ARTIFACT_MAX_STRING) {
		artifact_load_error(l, node, "%s: too long", what);
		return NULL;
	}
	if (memchr(node->data.scalar.value, '\0', len) != NULL) {
		artifact_load_error(l, node, "%s: NUL byte", what);
		return NULL;
	}
	return xstrndup((const char *)node->data.scalar.value, len);
}

/* A list of strings; a lone string is taken as a list of one. */
static int
artifact_load_strlist(struct artifact_load *l, yaml_node_t *node,
    const char *what, char ***vp, size_t *np)
{
	yaml_node_item_t	*it;
	yaml_node_t		*item;
	char			**v, *s;
	size_t			 n = 0, count;

	if (node->type == YAML_SCALAR_NODE) {
		if ((s = artifact_load_scalar(l, node, what)) == NULL)
			return -1;
		count = 1;
	} else if (node->type == YAML_SEQUENCE_NODE) {
		s = NULL;
		count = node->data.sequence.items.top -
		    node->data.sequence.items.start;
	} else {
		artifact_load_error(l, node, "%s: expected a list", what);
		return -1;
	}
	if (count > ARTIFACT_MAX_LIST) {
		free(s);
		artifact_load_error(l, node, "%s: too many items", what);
		return -1;
	}
	v = xcalloc(count + 1, sizeof *v);
	if (s != NULL)
		v[n++] = s;
	else {
		for (it = node->data.sequence.items.start;
		    it < node->data.sequence.items.top; it++) {
			if ((item = artifact_load_node(l, *it, node)) == NULL ||
			    (v[n] = artifact_load_scalar(l, item, what)) == NULL) {
				artifact_strv_free(v);
				return -1;
			}
			n++;
		}
	}
	artifact_strv_free(*vp);
	*vp = v;
	*np = n;
	return 0;
}

static int
artifact_load_os(struct artifact_load *l, yaml_node_t *node, int *os)
{
	char	**v = NULL;
	size_t	  n, i;

	if (artifact_load_strlist(l, node, "supported_os", &v, &n) != 0)
		return -1;
	*os = 0;
	for (i = 0; i < n; i++) {
		if (strcmp(v[i], "Linux") == 0)
			*os |= ARTIFACT_OS_LINUX;
		else if (strcmp(v[i], "Darwin") == 0)
			*os |= ARTIFACT_OS_DARWIN;
		else if (strcmp(v[i], "ESXi") == 0)
			*os |= ARTIFACT_OS_ESXI;
		else if (strcmp(v[i], "Windows") == 0)
			*os |= ARTIFACT_OS_WINDOWS;
		else
			*os |= ARTIFACT_OS_OTHER;
	}
	artifact_strv_free(v);
	return 0;
}

/* Iterate a mapping: calls fn for each (key, value) pair. */
static int
artifact_load_map(struct artifact_load *l, yaml_node_t *node,
    const char *what, int (*fn)(struct artifact_load *, const char *,
    yaml_node_t *, void *), void *arg)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*k, *v;
	char			*key;
	int			 rc;

	if (node->type != YAML_MAPPING_NODE) {
		artifact_load_error(l, node, "%s: expected a mapping", what);
		return -1;
	}
	for (p = node->data.mapping.pairs.start;
	    p < node->data.mapping.pairs.top; p++) {
		if ((k = artifact_load_node(l, p->key, node)) == NULL ||
		    (v = artifact_load_node(l, p->value, node)) == NULL)
			return -1;
		if ((key = artifact_load_scalar(l, k, "key")) == NULL)
			return -1;
		rc = fn(l, key, v, arg);
		free(key);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* changed_within: DAYS with a "d" ("30d"), 1 to 36500. */
static int
artifact_load_days(const char *s, int64_t *secs)
{
	char		*end;
	unsigned long	 n;

	if (*s < '1' || *s > '9')
		return -1;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno != 0 || strcmp(end, "d") != 0 || n > 36500)
		return -1;
	*secs = (int64_t)n * 86400;
	return 0;
}

/*
 * Our attributes: newest_first (true/false), max_*_size (SIZE),
 * changed_within (DAYS).
 */
static int
artifact_load_ext(struct artifact_load *l, const char *key, yaml_node_t *v,
    struct artifact_source *src)
{
	uint64_t	 size;
	char		*s;
	int		 rc = 0;

	if ((s = artifact_load_scalar(l, v, key)) == NULL)
		return -1;
	if (strcmp(key, "changed_within") == 0) {
		if (artifact_load_days(s, &src->changed_within) != 0) {
			artifact_load_error(l, v, "%s: days, as 30d", key);
			rc = -1;
		}
	} else if (strcmp(key, "newest_first") == 0) {
		if (strcmp(s, "true") == 0)
			src->newest_first = 1;
		else if (strcmp(s, "false") == 0)
			src->newest_first = 0;
		else {
			artifact_load_error(l, v, "%s: true or false", key);
			rc = -1;
		}
	} else if (util_parse_size(s, &size) != 0 || size == 0) {
		artifact_load_error(l, v, "%s: a size (bytes, K, M or G)",
		    key);
		rc = -1;
	} else if (strcmp(key, "max_file_size") == 0)
		src->max_file_size = size;
	else
		src->max_total_size = size;
	free(s);
	return rc;
}

static int
artifact_load_attr(struct artifact_load *l, const char *key,
    yaml_node_t *v, void *arg)
{
	struct artifact_source	*src = arg;
	char			*s;

	if (strcmp(key, "paths") == 0)
		return artifact_load_strlist(l, v, key, &src->paths,
		    &src->npaths);
	if (strcmp(key, "names") == 0)
		return artifact_load_strlist(l, v, key, &src->names,
		    &src->nnames);
	if (strcmp(key, "separator") == 0) {
		if ((s = artifact_load_scalar(l, v, key)) == NULL)
			return -1;
		if (strlen(s) != 1) {
			free(s);
			artifact_load_error(l, v, "separator: one character");
			return -1;
		}
		src->separator = s[0];
		free(s);
		return 0;
	}
	if (strcmp(key, "exclude_paths") == 0)
		return artifact_load_strlist(l, v, key, &src->exclude,
		    &src->nexclude);
	if (strcmp(key, "newest_first") == 0 ||
	    strcmp(key, "max_file_size") == 0 ||
	    strcmp(key, "max_total_size") == 0 ||
	    strcmp(key, "changed_within") == 0)
		return artifact_load_ext(l, key, v, src);
	return 0;	/* keys, key_value_pairs, cmd, args, query... */
}

static int
artifact_load_source_key(struct artifact_load *l, const char *key,
    yaml_node_t *v, void *arg)
{
	struct artifact_source	*src = arg;

	if (strcmp(key, "type") == 0) {
		free(src->type_name);	/* a repeated key: the last wins */
		if ((src->type_name = artifact_load_scalar(l, v, key)) == NULL)
			return -1;
		if (strcmp(src->type_name, "FILE") == 0)
			src->type = ARTIFACT_FILE;
		else if (strcmp(src->type_name, "PATH") == 0)
			src->type = ARTIFACT_PATH;
		else if (strcmp(src->type_name, "DIRECTORY") == 0)
			src->type = ARTIFACT_DIRECTORY;
		else if (strcmp(src->type_name, "ARTIFACT_GROUP") == 0)
			src->type = ARTIFACT_GROUP;
		else if (strcmp(src->type_name, "COMMAND") == 0)
			src->type = ARTIFACT_COMMAND;
		else
			src->type = ARTIFACT_OTHER;
		return 0;
	}
	if (strcmp(key, "attributes") == 0)
		return artifact_load_map(l, v, key, artifact_load_attr, src);
	if (strcmp(key, "supported_os") == 0)
		return artifact_load_os(l, v, &src->os);
	return 0;	/* conditions, returned_types, provides... */
}

static int
artifact_load_sources(struct artifact_load *l, yaml_node_t *node,
    struct artifact *a)
{
	yaml_node_item_t	*it;
	yaml_node_t		*item;
	struct artifact_source	*src;
	size_t			 count;

	if (node->type != YAML_SEQUENCE_NODE) {
		artifact_load_error(l, node, "sources: expected a list");
		return -1;
	}
	count = node->data.sequence.items.top - node->data.sequence.items.start;
	if (count > ARTIFACT_MAX_LIST || a->sources != NULL) {
		artifact_load_error(l, node, "sources: too many");
		return -1;
	}
	a->sources = xcalloc(count, sizeof *a->sources);
	for (it = node->data.sequence.items.start;
	    it < node->data.sequence.items.top; it++) {
		if ((item = artifact_load_node(l, *it, node)) == NULL)
			return -1;
		src = &a->sources[a->nsources++];
		src->separator = '/';
		src->line = item->start_mark.line + 1;
		if (artifact_load_map(l, item, "source",
		    artifact_load_source_key, src) != 0)
			return -1;
		if (src->type_name == NULL) {
			artifact_load_error(l, item, "source without a type");
			return -1;
		}
		if (src->type == ARTIFACT_GROUP && src->nnames == 0) {
			artifact_load_error(l, item, "ARTIFACT_GROUP: no names");
			return -1;
		}
	}
	return 0;
}

static int
artifact_load_key(struct artifact_load *l, const char *key, yaml_node_t *v,
    void *arg)
{
	struct artifact	*a = arg;
	char		**labels = NULL;
	size_t		  n, i;

	if (strcmp(key, "name") == 0) {
		free(a->name);
		return (a->name = artifact_load_scalar(l, v, key)) ? 0 : -1;
	}
	if (strcmp(key, "doc") == 0) {
		free(a->doc);
		return (a->doc = artifact_load_scalar(l, v, key)) ? 0 : -1;
	}
	if (strcmp(key, "sources") == 0)
		return artifact_load_sources(l, v, a);
	if (strcmp(key, "supported_os") == 0)
		return artifact_load_os(l, v, &a->os);
	if (strcmp(key, "labels") == 0) {
		if (artifact_load_strlist(l, v, key, &labels, &n) != 0)
			return -1;
		for (i = 0; i < n; i++)
			if (strcmp(labels[i], "Profile") == 0)
				a->profile = 1;
		artifact_strv_free(labels);
	}
	return 0;	/* urls, aliases, conditions, provides... */
}

/* One document: an artefact in *ap, NULL for an empty document. */
static int
artifact_load_doc(struct artifact_load *l, struct artifact **ap)
{
	yaml_node_t	*root;
	struct artifact	*a;

	*ap = NULL;
	root = yaml_document_get_root_node(l->doc);
	if (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0)
		return 0;
	a = xcalloc(1, sizeof *a);
	a->file = xstrdup(l->file);
	a->line = root->start_mark.line + 1;
	l->nseen = l->doc->nodes.top - l->doc->nodes.start + 1;
	l->seen = xcalloc(l->nseen, 1);
	l->seen[1] = 1;		/* the root is node 1 */
	if (artifact_load_map(l, root, "artifact", artifact_load_key, a) != 0)
		goto fail;
	if (a->name == NULL || *a->name == '\0') {
		artifact_load_error(l, root, "artifact without a name");
		goto fail;
	}
	if (a->sources == NULL) {
		artifact_load_error(l, root, "%s: no sources", a->name);
		goto fail;
	}
	free(l->seen);
	l->seen = NULL;
	*ap = a;
	return 0;
fail:
	free(l->seen);
	l->seen = NULL;
	artifact_free(a);
	return -1;
}

static void __attribute__((format(printf, 2, 3)))
artifact_reg_warn(struct artifact_reg *reg, const char *fmt, ...)
{
	va_list	ap;
	char	msg[512];

	if (reg->nwarnings >= ARTIFACT_MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	reg->warnings = xreallocarray(reg->warnings, reg->nwarnings + 1,
	    sizeof *reg->warnings);
	reg->warnings[reg->nwarnings++] = xstrdup(msg);
}

static int
artifact_reg_add(struct artifact_reg *reg, struct artifact *a)
{
	const struct artifact	*old;

	if ((old = artifact_reg_find(reg, a->name)) != NULL) {
		artifact_reg_warn(reg, "%s:%lu: duplicate artifact %s (first "
		    "in %s:%lu): ignored", a->file, a->line, a->name,
		    old->file, old->line);
		artifact_free(a);
		return 0;
	}
	if (reg->n == reg->cap) {
		reg->cap = reg->cap ? reg->cap * 2 : 256;
		reg->list = xreallocarray(reg->list, reg->cap,
		    sizeof *reg->list);
	}
	reg->list[reg->n++] = a;
	return 1;
}

/*
 * The ForensicArtifacts files are written for PyYAML, which reads
 * "{paths:['/x']}" in a flow collection as a key and a value; libyaml
 * refuses a ':' followed by a flow indicator. Insert a space after such a
 * ':' (outside quotes and comments) so both agree; lines do not move, so
 * error positions stay right. Also refuse flow collections nested deeper
 * than ARTIFACT_MAX_NESTING: libyaml's time grows with the square of that
 * depth. Returns 0 with *outp a new buffer (or NULL if nothing needed
 * changing), or -1 with *linep the line where nesting went too deep.
 */
static int
artifact_yaml_fixup(const char *in, size_t len, char **outp, size_t *outlen,
    unsigned long *linep)
{
	struct buf	b = { 0 };
	size_t		i, flow = 0, done = 0;
	char		quote = 0, prev = '\n';

	*outp = NULL;
	*linep = 1;
	for (i = 0; i < len; prev = in[i++]) {
		char	c = in[i];

		if (c == '\n')
			(*linep)++;
		if (quote != 0) {
			if (c == '\\' && quote == '"' && i + 1 < len)
				prev = in[i++];
			else if (c == quote)
				quote = 0;
			continue;
		}
		if (prev == '\n' && c != ' ' && c != '\t')
			flow = 0;	/* a new top-level line */
		if (c == '#' && (prev == ' ' || prev == '\t' || prev == '\n')) {
			while (i + 1 < len && in[i + 1] != '\n')
				i++;
			continue;
		}
		if ((c == '\'' || c == '"') && strchr(" \t\n[{,:", prev))
			quote = c;
		else if ((c == '[' || c == '{') && ++flow > ARTIFACT_MAX_NESTING) {
			buf_free(&b);
			return -1;
		} else if ((c == ']' || c == '}') && flow > 0)
			flow--;
		else if (c == ':' && flow > 0 && i + 1 < len &&
		    strchr(",[]{}", in[i + 1]) != NULL) {
			buf_add(&b, in + done, i + 1 - done);
			buf_addstr(&b, " ");
			done = i + 1;
		}
	}
	if (b.data != NULL) {
		buf_add(&b, in + done, len - done);
		*outlen = b.len;
		*outp = b.data;
	}
	return 0;
}

int
artifact_reg_load_buf(struct artifact_reg *reg, const char *file,
    const void *buf, size_t len, char *err, size_t errlen)
{
	yaml_parser_t		  parser;
	yaml_document_t		  doc;
	struct artifact_load	  l = { &doc, file, err, errlen, NULL, 0 };
	struct artifact		**tmp = NULL, *a;
	size_t			  ntmp = 0, i;
	int			  rc = -1, added = 0;
	char			 *fixed;
	unsigned long		  line;

	if (len > ARTIFACT_MAX_FILE) {
		snprintf(err, errlen, "%s: larger than %d bytes", file,
		    ARTIFACT_MAX_FILE);
		return -1;
	}
	if (artifact_yaml_fixup(buf, len, &fixed, &len, &line) != 0) {
		snprintf(err, errlen, "%s:%lu: collections nested deeper than "
		    "%d", file, line, ARTIFACT_MAX_NESTING);
		return -1;
	}
	if (fixed != NULL)
		buf = fixed;
	if (!yaml_parser_initialize(&parser))
		fatal("yaml_parser_initialize");
	yaml_parser_set_input_string(&parser, buf, len);
	for (;;) {
		if (!yaml_parser_load(&parser, &doc)) {
			snprintf(err, errlen, "%s:%lu: %s%s%s", file,
			    (unsigned long)parser.problem_mark.line + 1,
			    parser.problem ? parser.problem : "YAML error",
			    parser.context ? " " : "",
			    parser.context ? parser.context : "");
			goto cleanup;
		}
		if (yaml_document_get_root_node(&doc) == NULL) {
			yaml_document_delete(&doc);
			break;
		}
		a = NULL;
		if (artifact_load_doc(&l, &a) != 0) {
			yaml_document_delete(&doc);
			goto cleanup;
		}
		yaml_document_delete(&doc);
		if (a != NULL) {
			tmp = xreallocarray(tmp, ntmp + 1, sizeof *tmp);
			tmp[ntmp++] = a;
		}
	}
	for (i = 0; i < ntmp; i++) {
		added += artifact_reg_add(reg, tmp[i]);
		tmp[i] = NULL;
	}
	reg->nfiles++;
	rc = added;
cleanup:
	for (i = 0; i < ntmp; i++)
		artifact_free(tmp[i]);
	free(tmp);
	free(fixed);
	yaml_parser_delete(&parser);
	return rc;
}

static int
artifact_reg_load_file(struct artifact_reg *reg, int fd, const char *path,
    char *err, size_t errlen)
{
	char	*text;
	size_t	 len;
	int	 trunc, rc;

	if ((text = util_read_fd(fd, ARTIFACT_MAX_FILE, &len, &trunc)) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (trunc) {
		free(text);
		snprintf(err, errlen, "%s: larger than %d bytes", path,
		    ARTIFACT_MAX_FILE);
		return -1;
	}
	rc = artifact_reg_load_buf(reg, path, text, len, err, errlen);
	free(text);
	return rc;
}

static int
artifact_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
artifact_reg_load_dir(struct artifact_reg *reg, int dfd, const char *path,
    char *err, size_t errlen)
{
	DIR		*d;
	struct dirent	*de;
	char		**names = NULL, *p;
	size_t		  n = 0, i, len;
	int		  fd, rc, total = 0;

	if ((d = fdopendir(dfd)) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(dfd);
		return -1;
	}
	while ((de = readdir(d)) != NULL && n < ARTIFACT_MAX_FILES) {
		len = strlen(de->d_name);
		if ((len > 5 && strcmp(de->d_name + len - 5, ".yaml") == 0) ||
		    (len > 4 && strcmp(de->d_name + len - 4, ".yml") == 0)) {
			names = xreallocarray(names, n + 1, sizeof *names);
			names[n++] = xstrdup(de->d_name);
		}
	}
	if (n > 0)
		qsort(names, n, sizeof *names, artifact_name_cmp);
	for (i = 0; i < n && total >= 0; i++) {
		p = xasprintf("%s/%s", path, names[i]);
		fd = openat(dirfd(d), names[i], O_RDONLY | O_NOFOLLOW |
		    O_CLOEXEC | O_NONBLOCK);
		if (fd == -1) {
			snprintf(err, errlen, "%s: %s", p, strerror(errno));
			total = -1;
		} else {
			rc = artifact_reg_load_file(reg, fd, p, err, errlen);
			total = rc < 0 ? -1 : total + rc;
			close(fd);
		}
		free(p);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return total;
}

int
artifact_reg_load_path(struct artifact_reg *reg, const char *path,
    char *err, size_t errlen)
{
	struct stat	st;
	int		fd, rc;

	/* The responder's own file: a symlink to it is fine here. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return artifact_reg_load_dir(reg, fd, path, err, errlen);
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a file or directory", path);
		close(fd);
		return -1;
	}
	rc = artifact_reg_load_file(reg, fd, path, err, errlen);
	close(fd);
	return rc;
}

int
artifact_reg_load_builtin(struct artifact_reg *reg, char *err, size_t errlen)
{
	const struct artifact_builtin	*b;
	char				 name[256];

	for (b = artifacts_builtin; b->name != NULL; b++) {
		snprintf(name, sizeof name, "builtin:%s", b->name);
		if (artifact_reg_load_buf(reg, name, b->text, strlen(b->text),
		    err, errlen) < 0)
			return -1;
	}
	return 0;
}

struct artifact_reg *
artifact_reg_new(void)
{
	return xcalloc(1, sizeof(struct artifact_reg));
}

static void
artifact_free(struct artifact *a)
{
	size_t	i;

	if (a == NULL)
		return;
	for (i = 0; i < a->nsources; i++) {
		free(a->sources[i].type_name);
		artifact_strv_free(a->sources[i].paths);
		artifact_strv_free(a->sources[i].names);
		artifact_strv_free(a->sources[i].exclude);
	}
	free(a->sources);
	free(a->name);
	free(a->doc);
	free(a->file);
	free(a);
}

void
artifact_reg_free(struct artifact_reg *reg)
{
	size_t	i;

	if (reg == NULL)
		return;
	for (i = 0; i < reg->n; i++)
		artifact_free(reg->list[i]);
	free(reg->list);
	for (i = 0; i < reg->nwarnings; i++)
		free(reg->warnings[i]);
	free(reg->warnings);
	free(reg);
}

static long
artifact_reg_index(const struct artifact_reg *reg, const char *name)
{
	size_t	i;

	for (i = 0; i < reg->n; i++)
		if (strcmp(reg->list[i]->name, name) == 0)
			return (long)i;
	return -1;
}

const struct artifact *
artifact_reg_find(const struct artifact_reg *reg, const char *name)
{
	long	i;

	if ((i = artifact_reg_index(reg, name)) < 0)
		return NULL;
	return reg->list[i];
}

int
artifact_source_linux(const struct artifact *a, const struct artifact_source *s)
{
	int	os = s->os != 0 ? s->os : a->os;

	return os == 0 || (os & (ARTIFACT_OS_LINUX | ARTIFACT_OS_ESXI)) != 0;
}

static void
artifact_strv_push(char ***vp, size_t *np, char *s)
{
	if (*np >= ARTIFACT_MAX_WARNINGS) {
		free(s);
		return;
	}
	*vp = xreallocarray(*vp, *np + 1, sizeof **vp);
	(*vp)[(*np)++] = s;
}

static void
artifact_plan_use(struct artifact_use **vp, size_t *np,
    const struct artifact *a, const struct artifact_source *s)
{
	*vp = xreallocarray(*vp, *np + 1, sizeof **vp);
	(*vp)[*np].artifact = a;
	(*vp)[*np].source = s;
	(*np)++;
}

struct artifact_walk {
	const struct artifact_reg	*reg;
	struct artifact_plan		*plan;
	unsigned char			*state;	/* 0 new, 1 open, 2 done */
	long				 stack[ARTIFACT_MAX_GROUP_DEPTH];
	size_t				 depth;
};

static void
artifact_resolve_cycle(struct artifact_walk *w, long to)
{
	struct buf	b = { 0 };
	size_t		i;

	for (i = 0; i < w->depth; i++)
		if (w->stack[i] == to)
			break;
	for (; i < w->depth; i++)
		buf_printf(&b, "%s -> ", w->reg->list[w->stack[i]]->name);
	buf_addstr(&b, w->reg->list[to]->name);
	artifact_strv_push(&w->plan->cycles, &w->plan->ncycles, b.data);
}

static void	artifact_resolve_name(struct artifact_walk *, const char *);

static void
artifact_resolve_one(struct artifact_walk *w, long idx)
{
	const struct artifact		*a = w->reg->list[idx];
	const struct artifact_source	*s;
	struct artifact_plan		*plan = w->plan;
	size_t				 i, j;

	w->state[idx] = 1;
	w->stack[w->depth++] = idx;
	plan->nartifacts++;
	for (i = 0; i < a->nsources; i++) {
		s = &a->sources[i];
		if (!artifact_source_linux(a, s)) {
			plan->skipped_os++;
			continue;
		}
		switch (s->type) {
		case ARTIFACT_FILE:
		case ARTIFACT_PATH:
			artifact_plan_use(&plan->files, &plan->nfiles, a, s);
			break;
		case ARTIFACT_DIRECTORY:
			artifact_plan_use(&plan->dirs, &plan->ndirs, a, s);
			break;
		case ARTIFACT_GROUP:
			for (j = 0; j < s->nnames; j++)
				artifact_resolve_name(w, s->names[j]);
			break;
		case ARTIFACT_COMMAND:
			plan->skipped_command++;
			break;
		default:
			plan->skipped_type++;
			break;
		}
	}
	w->depth--;
	w->state[idx] = 2;
}

static void
artifact_resolve_name(struct artifact_walk *w, const char *name)
{
	long	idx;

	if ((idx = artifact_reg_index(w->reg, name)) < 0) {
		artifact_strv_push(&w->plan->unknown, &w->plan->nunknown,
		    xstrdup(name));
		return;
	}
	if (w->state[idx] == 2)
		return;		/* already used: once is enough */
	if (w->state[idx] == 1) {
		artifact_resolve_cycle(w, idx);
		return;
	}
	if (w->depth >= ARTIFACT_MAX_GROUP_DEPTH) {
		artifact_strv_push(&w->plan->cycles, &w->plan->ncycles,
		    xasprintf("%s: groups nested too deep", name));
		return;
	}
	artifact_resolve_one(w, idx);
}

int
artifact_resolve(const struct artifact_reg *reg, const char *spec,
    struct artifact_plan *plan)
{
	struct artifact_walk	 w;
	char			*copy, *p, *name, *end;
	size_t			 asked = 0;

	memset(plan, 0, sizeof *plan);
	memset(&w, 0, sizeof w);
	w.reg = reg;
	w.plan = plan;
	w.state = xcalloc(reg->n + 1, 1);
	copy = xstrdup(spec);
	for (p = copy; (name = strsep(&p, ",")) != NULL;) {
		while (*name == ' ' || *name == '\t')
			name++;
		end = name + strlen(name);
		while (end > name && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*name == '\0')
			continue;
		asked++;
		artifact_resolve_name(&w, name);
	}
	free(copy);
	free(w.state);
	if (asked == 0 || plan->nartifacts == 0)
		return -1;
	return 0;
}

void
artifact_plan_free(struct artifact_plan *plan)
{
	size_t	i;

	if (plan == NULL)
		return;
	free(plan->files);
	free(plan->dirs);
	for (i = 0; i < plan->nunknown; i++)
		free(plan->unknown[i]);
	free(plan->unknown);
	for (i = 0; i < plan->ncycles; i++)
		free(plan->cycles[i]);
	free(plan->cycles);
	memset(plan, 0, sizeof *plan);
}

/* The first line of doc, control characters replaced, into out. */
static void
artifact_list_doc(char *out, size_t len, const char *doc)
{
	size_t	i;

	if (doc == NULL)
		doc = "";
	for (i = 0; i + 1 < len && doc[i] != '\0' && doc[i] != '\n'; i++)
		out[i] = ((unsigned char)doc[i] < 0x20 || doc[i] == 0x7f) ?
		    ' ' : doc[i];
	out[i] = '\0';
}

int
artifact_list(FILE *out, const char *const *paths)
{
	struct artifact_reg	*reg;
	char			 err[1024], doc[200];
	size_t			 i;
	int			 pass, rc = -1;

	reg = artifact_reg_new();
	if (artifact_reg_load_builtin(reg, err, sizeof err) != 0)
		goto cleanup;
	for (; paths != NULL && *paths != NULL; paths++)
		if (artifact_reg_load_path(reg, *paths, err, sizeof err) < 0)
			goto cleanup;
	for (i = 0; i < reg->nwarnings; i++)
		fprintf(stderr, "%s: %s\n", AGENT_NAME, reg->warnings[i]);
	for (pass = 1; pass >= 0; pass--) {
		for (i = 0; i < reg->n; i++) {
			if (reg->list[i]->profile != pass)
				continue;
			artifact_list_doc(doc, sizeof doc, reg->list[i]->doc);
			fprintf(out, "%s\t%s\t%s\n", pass ? "profile" : "artifact",
			    reg->list[i]->name, doc);
		}
	}
	rc = 0;
cleanup:
	if (rc != 0)
		fprintf(stderr, "%s: %s\n", AGENT_NAME, err);
	artifact_reg_free(reg);
	return rc;
}

int
artifact_check(const char *profile, const char *const *paths, char *err,
    size_t errlen)
{
	struct artifact_reg	*reg;
	struct artifact_plan	 plan;
	int			 rc = -1;

	reg = artifact_reg_new();
	memset(&plan, 0, sizeof plan);
	if (artifact_reg_load_builtin(reg, err, errlen) != 0)
		goto cleanup;
	for (; paths != NULL && *paths != NULL; paths++)
		if (artifact_reg_load_path(reg, *paths, err, errlen) < 0)
			goto cleanup;
	if (artifact_resolve(reg, profile, &plan) != 0 || plan.nunknown > 0) {
		snprintf(err, errlen, "unknown artifact or profile: %s",
		    plan.nunknown > 0 ? plan.unknown[0] : profile);
		goto cleanup;
	}
	rc = 0;
cleanup:
	artifact_plan_free(&plan);
	artifact_reg_free(reg);
	return rc;
}
