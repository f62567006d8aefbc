/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * From an artefact path to files: parsing the root's passwd (a pure
 * function on bytes, never NSS), expanding the POSIX %%users.*%%
 * interpolations into one pattern per user, and evaluating glob patterns
 * the ForensicArtifacts way: *, ? and [..] within one component, and
 * "**N" for 1 to N components of any name (N = 3 when not given, as in
 * plaso and dfVFS). The walk goes through callbacks: the caller opens the
 * first directory (under its root), and the walk goes down with
 * openat(O_NOFOLLOW) and fstatat(AT_SYMLINK_NOFOLLOW), so a symlink is
 * only ever reported, never entered.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "artifact.h"
#include "os.h"
#include "passwd.h"
#include "util.h"

#define ARTIFACT_MAX_USERS	65536
#define ARTIFACT_MAX_PATH	4096
#define ARTIFACT_MAX_LEVELS	256	/* directories open at once */

void
artifact_strv_free(char **v)
{
	char	**p;

	if (v == NULL)
		return;
	for (p = v; *p != NULL; p++)
		free(*p);
	free(v);
}

void
artifact_users_free(struct artifact_users *u)
{
	size_t	i;

	if (u == NULL)
		return;
	for (i = 0; i < u->n; i++) {
		free(u->v[i].name);
		free(u->v[i].home);
	}
	free(u->v);
	u->v = NULL;
	u->n = u->cap = 0;
}

/*
 * Room for one more user. The array doubles: grown by one each time, a
 * passwd of 100,000 users cost 100,000 copies of up to 4 MB (minutes
 * under ASan, whose realloc always copies).
 */
static void
artifact_users_grow(struct artifact_users *u)
{
	if (u->n < u->cap)
		return;
	u->cap = u->cap ? u->cap * 2 : 64;
	u->v = xreallocarray(u->v, u->cap, sizeof *u->v);
}

size_t
artifact_users_from(const struct passwd_file *pf, struct artifact_users *u)
{
	const struct passwd_entry	*e;
	size_t				 i;

	memset(u, 0, sizeof *u);
	for (i = 0; i < pf->n && u->n < ARTIFACT_MAX_USERS; i++) {
		e = &pf->v[i];
		/* NIS compat lines (+name, -name) are no local users. */
		if (e->name[0] == '+' || e->name[0] == '-')
			continue;
		artifact_users_grow(u);
		u->v[u->n].name = xstrdup(e->name);
		u->v[u->n].home = xstrdup(e->dir);
		u->v[u->n].uid = e->id;
		u->v[u->n].gid = e->gid;
		u->v[u->n].origin = "passwd";
		u->n++;
	}
	return u->n;
}

int
artifact_users_add(struct artifact_users *u, const char *name,
    const char *home, const char *origin)
{
	size_t	i;

	if (u->n >= ARTIFACT_MAX_USERS)
		return 0;
	for (i = 0; i < u->n; i++)
		if (strcmp(u->v[i].home, home) == 0)
			return 0;
	artifact_users_grow(u);
	u->v[u->n].name = xstrdup(name);
	u->v[u->n].home = xstrdup(home);
	u->v[u->n].uid = (unsigned long)-1;
	u->v[u->n].gid = (unsigned long)-1;
	u->v[u->n].origin = origin;
	u->n++;
	return 1;
}

static uint32_t
artifact_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

size_t
artifact_sssd_homes(const void *buf, size_t len, size_t max,
    void (*fn)(void *, const char *), void *arg)
{
	static const char	 attr[] = "homeDirectory";	/* and NUL */
	const unsigned char	*b = buf, *p, *v;
	char			 home[PATH_MAX];
	size_t			 off = 0, found = 0;
	uint32_t		 count, vlen;

	while (found < max && off < len && (p = memmem(b + off, len - off,
	    attr, sizeof attr)) != NULL) {
		off = (size_t)(p - b) + sizeof attr;
		if (len - off < 8)
			break;
		count = artifact_le32(b + off);
		vlen = artifact_le32(b + off + 4);
		v = b + off + 8;
		if (count < 1 || vlen < 2 || vlen >= sizeof home ||
		    vlen > len - off - 8 || *v != '/' ||
		    memchr(v, '\0', vlen) != NULL)
			continue;
		memcpy(home, v, vlen);
		home[vlen] = '\0';
		if (strstr(home, "/../") != NULL ||
		    strcmp(home + vlen - 3, "/..") == 0)
			continue;
		fn(arg, home);
		found++;
	}
	return found;
}

/* Whether a path from a host's text is usable as a literal path. */
static int
artifact_plain_path(const char *p)
{
	size_t	n = strlen(p);

	return *p == '/' && strpbrk(p, "$`*?[]{}\\%\"'") == NULL &&
	    strstr(p, "/../") == NULL && strstr(p, "/./") == NULL &&
	    !(n >= 3 && strcmp(p + n - 3, "/..") == 0) &&
	    !(n >= 2 && strcmp(p + n - 2, "/.") == 0);
}

/* One start-up line: the HISTFILE value into out, or -1. */
static int
artifact_histfile_line(const char *l, size_t len, const char *home,
    char *out, size_t outsize)
{
	static const char	*lead[] = { "export", "typeset", "declare",
				    "local", "readonly" };
	char			 v[PATH_MAX], q = '\0';
	const char		*e = l + len, *rest;
	size_t			 i, n, k;

	while (l < e && (*l == ' ' || *l == '\t'))
		l++;
	for (i = 0; i < sizeof lead / sizeof lead[0]; i++) {
		n = strlen(lead[i]);
		if ((size_t)(e - l) > n && memcmp(l, lead[i], n) == 0 &&
		    (l[n] == ' ' || l[n] == '\t')) {
			l += n;
			/* Options such as -x, -g. */
			for (;;) {
				while (l < e && (*l == ' ' || *l == '\t'))
					l++;
				if (l >= e || *l != '-')
					break;
				while (l < e && *l != ' ' && *l != '\t')
					l++;
			}
			break;
		}
	}
	if ((size_t)(e - l) < 10 || memcmp(l, "HISTFILE=", 9) != 0)
		return -1;
	l += 9;
	if (*l == '"' || *l == '\'')
		q = *l++;
	for (k = 0; l < e && k + 1 < sizeof v; l++) {
		if (q != '\0' ? *l == q : (*l == ' ' || *l == '\t' ||
		    *l == ';' || *l == '#'))
			break;
		v[k++] = *l;
	}
	if (k == 0 || k + 1 >= sizeof v)
		return -1;
	v[k] = '\0';
	rest = NULL;
	if (strncmp(v, "~/", 2) == 0)
		rest = v + 1;
	else if (strncmp(v, "$HOME/", 6) == 0)
		rest = v + 5;
	else if (strncmp(v, "${HOME}/", 8) == 0)
		rest = v + 7;
	if (rest != NULL) {
		if (home == NULL || *home != '/' || (size_t)snprintf(out,
		    outsize, "%s%s", strcmp(home, "/") == 0 ? "" : home,
		    rest) >= outsize)
			return -1;
	} else if ((size_t)snprintf(out, outsize, "%s", v) >= outsize)
		return -1;
	return artifact_plain_path(out) ? 0 : -1;
}

size_t
artifact_histfile_rc(const char *buf, size_t len, const char *home,
    size_t max, void (*fn)(void *, const char *), void *arg)
{
	const char	*p = buf, *e = buf + len, *nl;
	char		 path[PATH_MAX];
	size_t		 found = 0;

	while (p < e && found < max) {
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			nl = e;
		if (memchr(p, '\0', (size_t)(nl - p)) == NULL &&
		    artifact_histfile_line(p, (size_t)(nl - p), home, path,
		    sizeof path) == 0) {
			fn(arg, path);
			found++;
		}
		p = nl + 1;
	}
	return found;
}

size_t
artifact_passwd_parse(const char *buf, size_t len, struct artifact_users *u)
{
	struct passwd_file	 pf;
	char			*text;

	if (len == SIZE_MAX)
		fatal("artifact_passwd_parse: length");
	text = xmalloc(len + 1);
	memcpy(text, buf, len);
	text[len] = '\0';
	passwd_parse(&pf, text, len, 0);
	artifact_users_from(&pf, u);
	passwd_free(&pf);
	return u->n;
}

/*
 * Fold "//", refuse "." and ".." components and relative paths; remove a
 * trailing "/". Returns a new string or NULL.
 */
static char *
artifact_path_clean(const char *p)
{
	struct buf	 b = { 0 };
	const char	*c, *e;
	size_t		 n;

	if (*p != '/')
		return NULL;
	for (c = p; *c != '\0'; c = e) {
		while (*c == '/')
			c++;
		if (*c == '\0')
			break;
		e = strchr(c, '/');
		if (e == NULL)
			e = c + strlen(c);
		n = (size_t)(e - c);
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' &&
		    c[1] == '.')) {
			buf_free(&b);
			return NULL;
		}
		buf_addstr(&b, "/");
		buf_add(&b, c, n);
	}
	if (b.len == 0)
		buf_addstr(&b, "/");
	if (b.len > ARTIFACT_MAX_PATH) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}

/* The value of a users.* variable for u, or NULL when unusable. */
static const char *
artifact_user_value(const struct artifact_user *u, const char *var,
    size_t len, char *num, size_t numlen)
{
	const char	*v;

	if (len == 13 && memcmp(var, "users.homedir", 13) == 0) {
		v = u->home;
		if (*v != '/')
			return NULL;
	} else if (len == 14 && memcmp(var, "users.username", 14) == 0) {
		v = u->name;
		if (strchr(v, '/') != NULL || strcmp(v, ".") == 0 ||
		    strcmp(v, "..") == 0)
			return NULL;
	} else if (len == 9 && memcmp(var, "users.uid", 9) == 0) {
		if (u->uid == (unsigned long)-1)	/* outside passwd */
			return NULL;
		snprintf(num, numlen, "%lu", u->uid);
		return num;
	} else if (len == 9 && memcmp(var, "users.gid", 9) == 0) {
		if (u->gid == (unsigned long)-1)
			return NULL;
		snprintf(num, numlen, "%lu", u->gid);
		return num;
	} else
		return NULL;
	/* A value is data, not a pattern: skip users that would glob. */
	if (strpbrk(v, "*?[]\\") != NULL)
		return NULL;
	return v;
}

static int
artifact_var_known(const char *var, size_t len)
{
	static const char	*known[] = { "users.homedir", "users.username",
				    "users.uid", "users.gid" };
	size_t			 i;

	for (i = 0; i < nitems(known); i++)
		if (strlen(known[i]) == len && memcmp(var, known[i], len) == 0)
			return 1;
	return 0;
}

/*
 * Substitute the variables of pattern for user u (NULL: none may be
 * present). Returns a new cleaned path, or NULL if some value is
 * unusable.
 */
static char *
artifact_subst(const char *pattern, const struct artifact_user *u)
{
	struct buf	 b = { 0 };
	const char	*p, *s, *e, *v;
	char		 num[24], *clean;

	for (p = pattern; (s = strstr(p, "%%")) != NULL; p = e + 2) {
		e = strstr(s + 2, "%%");
		buf_add(&b, p, (size_t)(s - p));
		v = artifact_user_value(u, s + 2, (size_t)(e - s - 2), num,
		    sizeof num);
		if (v == NULL) {
			buf_free(&b);
			return NULL;
		}
		buf_addstr(&b, v);
	}
	buf_addstr(&b, p);
	clean = artifact_path_clean(b.data);
	buf_free(&b);
	return clean;
}

static void
artifact_expand_add(char ***vp, size_t *np, char *s)
{
	size_t	i;

	for (i = 0; i < *np; i++) {
		if (strcmp((*vp)[i], s) == 0) {
			free(s);
			return;
		}
	}
	*vp = xreallocarray(*vp, *np + 2, sizeof **vp);
	(*vp)[(*np)++] = s;
	(*vp)[*np] = NULL;
}

int
artifact_expand(const char *pattern, char sep,
    const struct artifact_users *users, char ***outv, const char **why)
{
	const char	*s, *e;
	char		**v = NULL, *one;
	size_t		  n = 0, i;
	int		  peruser = 0;

	*outv = NULL;
	if (sep != '/') {
		*why = "Windows path separator";
		return -1;
	}
	for (s = pattern; (s = strstr(s, "%%")) != NULL; s = e + 2) {
		if ((e = strstr(s + 2, "%%")) == NULL) {
			*why = "unterminated %%variable%%";
			return -1;
		}
		if (!artifact_var_known(s + 2, (size_t)(e - s - 2))) {
			*why = "variable not available on Linux";
			return -1;
		}
		peruser = 1;
	}
	if (*pattern != '/' && *pattern != '%') {
		*why = "relative path";
		return -1;
	}
	if (!peruser) {
		if ((one = artifact_subst(pattern, NULL)) == NULL) {
			*why = "'.' or '..' in path, or path too long";
			return -1;
		}
		artifact_expand_add(&v, &n, one);
	} else {
		for (i = 0; users != NULL && i < users->n; i++)
			if ((one = artifact_subst(pattern, &users->v[i])) != NULL)
				artifact_expand_add(&v, &n, one);
	}
	if (v == NULL)
		v = xcalloc(1, sizeof *v);
	*outv = v;
	return (int)n;
}

void
artifact_glob_free(struct artifact_glob *g)
{
	size_t	i;

	for (i = 0; i < g->n; i++)
		free(g->comp[i].text);
	free(g->prefix);
	memset(g, 0, sizeof *g);
}

static int
artifact_glob_comp(struct artifact_glob_comp *c, const char *s, size_t len)
{
	size_t	i;
	int	depth = 0;

	c->text = xstrndup(s, len);
	c->wild = strpbrk(c->text, "*?[") != NULL;
	c->starstar = 0;
	if ((len == 1 && s[0] == '.') || (len == 2 && memcmp(s, "..", 2) == 0))
		return -1;
	if (len < 2 || s[0] != '*' || s[1] != '*')
		return 0;
	for (i = 2; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;	/* "**foo": an ordinary wildcard */
		depth = depth * 10 + (s[i] - '0');
		if (depth > ARTIFACT_MAX_STARSTAR)
			return -1;
	}
	if (len == 2)
		depth = ARTIFACT_STARSTAR_DEPTH;
	if (depth < 1)
		return -1;
	c->starstar = depth;
	return 0;
}

int
artifact_glob_parse(const char *pattern, struct artifact_glob *g)
{
	const char	*c, *e;
	struct buf	 b = { 0 };
	size_t		 i;

	memset(g, 0, sizeof *g);
	if (*pattern != '/' || strlen(pattern) > ARTIFACT_MAX_PATH)
		return -1;
	for (c = pattern; *c != '\0'; c = e) {
		while (*c == '/')
			c++;
		if (*c == '\0')
			break;
		if ((e = strchr(c, '/')) == NULL)
			e = c + strlen(c);
		if (g->n == ARTIFACT_MAX_COMPONENTS ||
		    artifact_glob_comp(&g->comp[g->n++], c, (size_t)(e - c)))
			goto fail;
	}
	if (g->n == 0)
		goto fail;
	/* The last component is always looked up, never opened blind. */
	for (i = 0; i + 1 < g->n && !g->comp[i].wild; i++) {
		buf_addstr(&b, "/");
		buf_addstr(&b, g->comp[i].text);
	}
	if (b.len == 0)
		buf_addstr(&b, "/");
	g->prefix = b.data;
	g->first = i;
	return 0;
fail:
	artifact_glob_free(g);
	return -1;
}

int
artifact_glob_match(const char *pattern, const char *name)
{
	return fnmatch(pattern, name, 0) == 0;
}

struct artifact_gwalk {
	const struct artifact_glob	*g;
	const struct artifact_glob_ops	*ops;
	void				*arg;
	char				 path[ARTIFACT_MAX_PATH + 1];
	long				 count;
	int				 stopped;
	int				 levels;
};

/* Open a subdirectory without following it, sparing its atime if we may. */
static int
artifact_glob_opendir(int dfd, const char *name)
{
	return os_openat(dfd, name, O_RDONLY | O_DIRECTORY);
}

/* Append "/name" to w->path; the old length, or -1 if too long. */
static long
artifact_glob_push(struct artifact_gwalk *w, const char *name)
{
	size_t	old = strlen(w->path), n = strlen(name);

	if (old + 1 + n > ARTIFACT_MAX_PATH)
		return -1;
	w->path[old] = '/';
	memcpy(w->path + old + 1, name, n + 1);
	return (long)old;
}

static void	artifact_glob_at(struct artifact_gwalk *, int, size_t);
static void	artifact_glob_star(struct artifact_gwalk *, int, size_t, int);

static int
artifact_glob_found(struct artifact_gwalk *w, const struct stat *st)
{
	w->count++;
	if (w->ops->found(w->arg, w->path, st) != 0) {
		w->stopped = 1;
		return -1;
	}
	return 0;
}

/* Enter directory name of dfd (already w->path) for component i. */
static void
artifact_glob_enter(struct artifact_gwalk *w, int dfd, const char *name,
    size_t i, int star)
{
	int	fd;

	if (w->levels >= ARTIFACT_MAX_LEVELS)
		return;
	if ((fd = artifact_glob_opendir(dfd, name)) == -1)
		return;
	w->levels++;
	if (star)
		artifact_glob_star(w, fd, i, star);
	else
		artifact_glob_at(w, fd, i);
	w->levels--;
}

/*
 * lstat name in dfd (the directory w->path). When that fails for a name
 * the directory listed (listed), tell the caller: the entry went away,
 * or cannot be looked at. -1 then.
 */
static int
artifact_glob_stat(struct artifact_gwalk *w, int dfd, const char *name,
    int listed, struct stat *st)
{
	int	err;
	long	old;

	if (fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	err = errno;
	if (listed && w->ops->unseen != NULL &&
	    (old = artifact_glob_push(w, name)) >= 0) {
		w->ops->unseen(w->arg, w->path, err);
		w->path[old] = '\0';
	}
	return -1;
}

/*
 * Entry name of dfd matched component i: report it or go on below. Under
 * a "**" (component i) at depth level (1-based; 0: not), a directory is
 * also entered for the next level, up to the "**" depth.
 */
static void
artifact_glob_hit(struct artifact_gwalk *w, int dfd, const char *name,
    size_t i, int listed, int level)
{
	struct stat	st;
	long		old;

	if (artifact_glob_stat(w, dfd, name, listed, &st) == -1)
		return;
	if ((old = artifact_glob_push(w, name)) < 0)
		return;
	if (i + 1 == w->g->n)
		artifact_glob_found(w, &st);
	else if (S_ISDIR(st.st_mode))
		artifact_glob_enter(w, dfd, name, i + 1, 0);
	if (level > 0 && !w->stopped && S_ISDIR(st.st_mode) &&
	    level < w->g->comp[i].starstar)
		artifact_glob_enter(w, dfd, name, i, level + 1);
	w->path[old] = '\0';
}

/*
 * Read the entries of dfd (which this closes) and call fn for each name
 * matching pattern (NULL: every name).
 */
static void
artifact_glob_each(struct artifact_gwalk *w, int dfd, const char *pattern,
    void (*fn)(struct artifact_gwalk *, int, const char *, size_t, int),
    size_t i, int level)
{
	DIR		*d;
	struct dirent	*de;

	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return;
	}
	while (!w->stopped && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (w->ops->stop != NULL && w->ops->stop(w->arg)) {
			w->stopped = 1;
			break;
		}
		if (pattern == NULL || artifact_glob_match(pattern, de->d_name))
			fn(w, dirfd(d), de->d_name, i, level);
	}
	closedir(d);
}

/* A listed entry: level 0 for a wildcard, the "**" depth under one. */
static void
artifact_glob_hit_cb(struct artifact_gwalk *w, int dfd, const char *name,
    size_t i, int level)
{
	artifact_glob_hit(w, dfd, name, i, 1, level);
}

/* dfd (closed here) is w->path, inside a "**" at depth level - 1. */
static void
artifact_glob_star(struct artifact_gwalk *w, int dfd, size_t i, int level)
{
	artifact_glob_each(w, dfd, NULL, artifact_glob_hit_cb, i, level);
}

/* dfd (closed here) is w->path; match component i in it. */
static void
artifact_glob_at(struct artifact_gwalk *w, int dfd, size_t i)
{
	const struct artifact_glob_comp	*c = &w->g->comp[i];

	if (c->starstar)
		artifact_glob_star(w, dfd, i, 1);
	else if (c->wild)
		artifact_glob_each(w, dfd, c->text, artifact_glob_hit_cb, i, 0);
	else {
		artifact_glob_hit(w, dfd, c->text, i, 0, 0);
		close(dfd);
	}
}

long
artifact_glob_walk(const struct artifact_glob *g,
    const struct artifact_glob_ops *ops, void *arg)
{
	struct artifact_gwalk	*w;
	long			 rc;
	int			 fd;

	if ((fd = ops->open_dir(arg, g->prefix)) == -1)
		return 0;
	w = xcalloc(1, sizeof *w);
	w->g = g;
	w->ops = ops;
	w->arg = arg;
	if (strcmp(g->prefix, "/") != 0)
		snprintf(w->path, sizeof w->path, "%s", g->prefix);
	artifact_glob_at(w, fd, g->first);
	rc = w->stopped ? -1 : w->count;
	free(w);
	return rc;
}
