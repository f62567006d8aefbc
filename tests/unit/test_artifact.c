/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of agent/artifact.c and agent/artifact-path.c: every
 * ForensicArtifacts file of ../shared/forensic-artifacts loads and enough
 * Linux artefacts are usable; the built-in copy equals
 * collectors/artifacts; profiles resolve; groups with cycles end; glob and
 * ** depths on a real temporary tree with a symlink loop; passwd parsing
 * and %%users.*%% interpolation; malformed YAML is refused with its file
 * and line.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "artifact.h"
#include "artifacts.h"
#include "util.h"
#include "unit.h"

static const char *
top(void)
{
	const char	*t = getenv("CC_TOP");

	return t != NULL ? t : ".";
}

/*
 * The ForensicArtifacts definitions: ../shared/forensic-artifacts (or
 * $SHARED), else the copy of Debian's forensic-artifacts package (make
 * deps installs it). NULL, and the test says SKIP, when neither exists.
 */
static char *
shared_fa(void)
{
	const char	*s = getenv("SHARED");
	char		*p, *f;

	p = s != NULL ? xasprintf("%s/forensic-artifacts", s) :
	    xasprintf("%s/../shared/forensic-artifacts", top());
	f = xasprintf("%s/linux.yaml", p);
	if (access(f, R_OK) != 0) {
		free(p);
		p = access("/usr/share/artifacts/linux.yaml", R_OK) == 0 ?
		    xstrdup("/usr/share/artifacts") : NULL;
	}
	free(f);
	if (p == NULL)
		UNIT_SKIP("no ForensicArtifacts definitions (../shared or "
		    "Debian's forensic-artifacts package)");
	return p;
}

static char *
read_file(const char *path, size_t *lenp)
{
	char	*text;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	text = util_read_fd(fd, 16 * 1024 * 1024, lenp, NULL);
	close(fd);
	return text;
}

static const char passwd_text[] =
    "root:x:0:0:root:/root:/bin/bash\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n"
    "bob:x:1001:1001::/home/bob/:/bin/zsh\n"
    "badnum:x:12a:1::/home/bad:/bin/sh\n"
    "short:x:1:1\n"
    "+nis::::::\n"
    "star*:x:1002:1002::/home/st*r:/bin/sh\n"
    "rel:x:1003:1003::relative/home:/bin/sh\n"
    "dup:x:1004:1004::/home/alice:/bin/sh\r\n"
    "last:x:1005:1005::/home/last:/bin/sh";

/* Count the Linux FILE/PATH artefacts whose paths can be expanded. */
static size_t
usable_linux(const struct artifact_reg *reg, const struct artifact_users *u)
{
	const struct artifact		*a;
	const struct artifact_source	*s;
	char				**v;
	const char			*why;
	size_t				 i, j, k, usable = 0;
	int				 ok;

	for (i = 0; i < reg->n; i++) {
		a = reg->list[i];
		ok = 0;
		for (j = 0; j < a->nsources && !ok; j++) {
			s = &a->sources[j];
			if ((s->type != ARTIFACT_FILE &&
			    s->type != ARTIFACT_PATH) ||
			    !artifact_source_linux(a, s))
				continue;
			for (k = 0; k < s->npaths && !ok; k++) {
				if (artifact_expand(s->paths[k], s->separator,
				    u, &v, &why) > 0) {
					struct artifact_glob	g;

					if (artifact_glob_parse(v[0], &g) == 0) {
						ok = 1;
						artifact_glob_free(&g);
					}
				}
				artifact_strv_free(v);
			}
		}
		usable += ok;
	}
	return usable;
}

static void
test_fa_all_load(void)
{
	struct artifact_reg	*reg = artifact_reg_new();
	struct artifact_users	 u;
	DIR			*d;
	struct dirent		*de;
	char			*dir = shared_fa(), *p, err[1024];
	size_t			 files = 0, usable, i, n;
	int			 rc;

	if (dir == NULL) {
		artifact_reg_free(reg);
		return;
	}
	artifact_passwd_parse(passwd_text, strlen(passwd_text), &u);
	CHECK((d = opendir(dir)) != NULL);
	while (d != NULL && (de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n < 6 || strcmp(de->d_name + n - 5, ".yaml") != 0)
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		rc = artifact_reg_load_path(reg, p, err, sizeof err);
		if (rc < 0)
			printf("# %s\n", err);
		CHECK(rc >= 0);
		files++;
		free(p);
	}
	if (d != NULL)
		closedir(d);
	/* The whole directory at once gives the same registry. */
	CHECK(files >= 30);
	CHECK(reg->n >= 600);	/* 660 in Debian 12's 2022 copy */
	for (i = 0; i < reg->nwarnings; i++)
		printf("# warning: %s\n", reg->warnings[i]);
	CHECK(reg->nwarnings == 0);
	usable = usable_linux(reg, &u);
	printf("# forensic-artifacts: %zu files, %zu artifacts, %zu usable "
	    "Linux FILE/PATH artifacts\n", files, reg->n, usable);
	CHECK(usable >= 150);
	artifact_users_free(&u);
	artifact_reg_free(reg);
	free(dir);
}

static void
test_fa_dir_and_resolve(void)
{
	struct artifact_reg	*reg = artifact_reg_new();
	struct artifact_plan	 plan;
	char			*dir = shared_fa(), err[1024];
	const char		*paths[] = { NULL, NULL };
	int			 rc;

	if (dir == NULL) {
		artifact_reg_free(reg);
		return;
	}
	rc = artifact_reg_load_path(reg, dir, err, sizeof err);
	CHECK(rc >= 600);
	/* Every group of the knowledge base resolves without a cycle. */
	CHECK(artifact_resolve(reg, "LinuxScheduleFiles, LinuxServices",
	    &plan) == 0);
	CHECK(plan.ncycles == 0 && plan.nunknown == 0 && plan.nfiles > 5);
	artifact_plan_free(&plan);
	CHECK(artifact_resolve(reg, "ShellHistoryFile", &plan) == 0);
	CHECK(plan.ncycles == 0);
	CHECK(plan.nfiles > 0);
	artifact_plan_free(&plan);
	/* A Windows group: nothing for Linux, all counted as skipped. */
	CHECK(artifact_resolve(reg, "WindowsEventLogs", &plan) == 0);
	CHECK(plan.nfiles == 0);
	CHECK(plan.skipped_os + plan.skipped_type > 0);
	artifact_plan_free(&plan);
	CHECK(artifact_resolve(reg, "NoSuchArtifact", &plan) == -1);
	CHECK(plan.nunknown == 1);
	artifact_plan_free(&plan);
	artifact_reg_free(reg);
	/* A name only the definitions know, once they are given. */
	paths[0] = dir;
	CHECK(artifact_check("ShellHistoryFile", paths, err, sizeof err) == 0);
	free(dir);
}

static void
test_builtin_equals_files(void)
{
	const struct artifact_builtin	*b;
	char				*p, *text;
	size_t				 len, nb = 0, nf = 0;
	DIR				*d;
	struct dirent			*de;

	for (b = artifacts_builtin; b->name != NULL; b++) {
		nb++;
		p = xasprintf("%s/collectors/artifacts/%s", top(), b->name);
		text = read_file(p, &len);
		if (text == NULL)
			printf("# %s: missing\n", p);
		CHECK(text != NULL);
		if (text != NULL && (len != strlen(b->text) ||
		    memcmp(text, b->text, len) != 0)) {
			printf("# %s differs from the built-in copy: run "
			    "sh collectors/artifacts/gen.sh\n", p);
			CHECK(0);
		}
		free(text);
		free(p);
	}
	p = xasprintf("%s/collectors/artifacts", top());
	CHECK((d = opendir(p)) != NULL);
	while (d != NULL && (de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len > 5 && strcmp(de->d_name + len - 5, ".yaml") == 0)
			nf++;
	}
	if (d != NULL)
		closedir(d);
	free(p);
	CHECK(nb == nf);
	CHECK(nb >= 5);
}

static void
test_builtin_profiles(void)
{
	struct artifact_reg	*reg = artifact_reg_new();
	struct artifact_plan	 plan;
	char			 err[1024];
	size_t			 i, triage_files;

	CHECK(artifact_reg_load_builtin(reg, err, sizeof err) == 0);
	CHECK(reg->nwarnings == 0);
	CHECK(artifact_reg_find(reg, "triage") != NULL &&
	    artifact_reg_find(reg, "triage")->profile);
	CHECK(artifact_reg_find(reg, "full") != NULL &&
	    artifact_reg_find(reg, "full")->profile);
	CHECK(artifact_resolve(reg, "triage", &plan) == 0);
	CHECK(plan.nunknown == 0 && plan.ncycles == 0);
	for (i = 0; i < plan.nunknown; i++)
		printf("# unknown: %s\n", plan.unknown[i]);
	CHECK(plan.nfiles >= 20);
	CHECK(plan.ndirs == 1);
	triage_files = plan.nfiles;
	artifact_plan_free(&plan);
	CHECK(artifact_resolve(reg, "full", &plan) == 0);
	CHECK(plan.nunknown == 0 && plan.ncycles == 0);
	CHECK(plan.nfiles > triage_files);
	CHECK(plan.ndirs == 2);
	artifact_plan_free(&plan);
	CHECK(artifact_resolve(reg, " LinuxShellHistories ,LinuxSudoers,,",
	    &plan) == 0);
	CHECK(plan.nartifacts == 2 && plan.nfiles == 2);
	artifact_plan_free(&plan);
	/* esxi: its sources are ESXi's, taken (not skipped as other OS). */
	CHECK(artifact_resolve(reg, "esxi", &plan) == 0);
	CHECK(plan.nunknown == 0 && plan.skipped_os == 0);
	CHECK(plan.nfiles >= 5 && plan.ndirs == 1);
	artifact_plan_free(&plan);
	CHECK(artifact_reg_find(reg, "ESXiRecentBinaries") != NULL &&
	    artifact_reg_find(reg, "ESXiRecentBinaries")->sources[0].
	    changed_within == 30 * 86400);
	artifact_reg_free(reg);
}

static const char cycle_yaml[] =
    "name: A\nsources:\n- type: ARTIFACT_GROUP\n  attributes: {names: [B]}\n"
    "---\n"
    "name: B\nsources:\n- type: ARTIFACT_GROUP\n  attributes: {names: [C, A, A]}\n"
    "---\n"
    "name: C\nsources:\n- type: FILE\n  attributes: {paths: ['/etc/c']}\n"
    "- type: COMMAND\n  attributes: {cmd: /bin/rm, args: [-rf, /]}\n"
    "- type: WMI\n  attributes: {query: SELECT}\n"
    "- type: ARTIFACT_GROUP\n  attributes: {names: [C, Missing]}\n"
    "---\n"
    "name: Self\nsources:\n- type: ARTIFACT_GROUP\n  attributes: {names: [Self]}\n"
    "---\n"
    "name: A\nsources:\n- type: FILE\n  attributes: {paths: ['/dup']}\n";

static void
test_group_cycles(void)
{
	struct artifact_reg	*reg = artifact_reg_new();
	struct artifact_plan	 plan;
	char			 err[1024];

	CHECK(artifact_reg_load_buf(reg, "cycle.yaml", cycle_yaml,
	    strlen(cycle_yaml), err, sizeof err) == 4);
	CHECK(reg->nwarnings == 1);
	if (reg->nwarnings > 0)
		printf("# %s\n", reg->warnings[0]);
	CHECK(reg->nwarnings == 1 && strstr(reg->warnings[0],
	    "cycle.yaml:27: duplicate artifact A") != NULL);
	CHECK(artifact_resolve(reg, "A", &plan) == 0);
	CHECK(plan.nartifacts == 3);
	CHECK(plan.nfiles == 1);
	CHECK(plan.skipped_command == 1 && plan.skipped_type == 1);
	CHECK(plan.ncycles >= 2);
	CHECK(plan.ncycles >= 1 && strcmp(plan.cycles[0], "B -> C") != 0);
	CHECK(plan.nunknown == 1);
	artifact_plan_free(&plan);
	CHECK(artifact_resolve(reg, "Self", &plan) == 0);
	CHECK(plan.ncycles == 1);
	CHECK_STR(plan.ncycles ? plan.cycles[0] : NULL, "Self -> Self");
	artifact_plan_free(&plan);
	artifact_reg_free(reg);
}

struct bad_case {
	const char	*text;
	const char	*want;		/* in the message */
};

static void
test_malformed(void)
{
	static const struct bad_case	cases[] = {
		{ "name: X\nsources: [\n", "bad.yaml:3:" },
		{ "name: X\n  bad: indent\n", "bad.yaml:2:" },
		{ "- a\n- b\n", "bad.yaml:1: artifact: expected a mapping" },
		{ "name: X\n", "bad.yaml:1: X: no sources" },
		{ "doc: x\nsources: []\n", "without a name" },
		{ "name: X\nsources:\n- attributes: {}\n", "bad.yaml:3: source "
		    "without a type" },
		{ "name: X\nsources:\n- type: FILE\n  attributes: {paths: "
		    "{a: b}}\n", "bad.yaml:4: paths: expected a list" },
		{ "name: X\nsources: &s\n- type: FILE\n  attributes: {paths: "
		    "[/a]}\n---\nname: Y\nsources: *s\n", "bad.yaml:7:" },
		{ "name: X\nsources:\n- &a {type: FILE, attributes: {paths: "
		    "[/a]}}\n- *a\n", "aliases" },
		{ "name: X\nsources:\n- type: ARTIFACT_GROUP\n", "no names" },
		{ "name: X\nsources:\n- type: FILE\n  attributes: "
		    "{separator: ab}\n", "separator" },
		{ "name: [X]\nsources: []\n", "name: expected a string" },
		{ "name: \"a\\0b\"\nsources: []\n", "NUL" },
		{ "\xff\xfe garbage", "bad.yaml:1:" },
		{ "name: ok\nsources: []\n---\n:\n  - [\n", "bad.yaml:" },
		{ "name: X\nsources:\n- type: FILE\n  attributes: "
		    "{paths: [/a], newest_first: yes}\n", "newest_first: "
		    "true or false" },
		{ "name: X\nsources:\n- type: FILE\n  attributes: "
		    "{paths: [/a], max_file_size: 12Q}\n", "max_file_size: "
		    "a size" },
		{ "name: X\nsources:\n- type: FILE\n  attributes: "
		    "{paths: [/a], max_total_size: 0}\n", "max_total_size" },
		{ "name: X\nsources:\n- type: FILE\n  attributes: "
		    "{paths: [/a], changed_within: 30}\n", "changed_within: "
		    "days, as 30d" },
		{ "name: X\nsources:\n- type: FILE\n  attributes: "
		    "{paths: [/a], changed_within: 0d}\n", "changed_within" },
		{ "name: X\nsources:\n- type: FILE\n  attributes: "
		    "{paths: [/a], changed_within: -3d}\n", "changed_within" },
		{ "name: X\nsources:\n- type: FILE\n  attributes: "
		    "{paths: [/a], changed_within: 36501d}\n", "changed_within" },
		{ "name: X\nsources:\n- type: FILE\n  attributes: "
		    "{paths: [/a], changed_within: 99999999999999999999d}\n",
		    "changed_within" },
		{ "name: X\nsources:\n- type: FILE\n  attributes: "
		    "{paths: [/a], exclude_paths: {a: b}}\n", "exclude_paths: "
		    "expected a list" },
	};
	struct artifact_reg	*reg = artifact_reg_new();
	char			 err[1024];
	size_t			 i;

	for (i = 0; i < nitems(cases); i++) {
		err[0] = '\0';
		if (artifact_reg_load_buf(reg, "bad.yaml", cases[i].text,
		    strlen(cases[i].text), err, sizeof err) != -1 ||
		    strstr(err, cases[i].want) == NULL) {
			printf("# case %zu: \"%s\"\n", i, err);
			CHECK(0);
		}
	}
	CHECK(reg->n == 0);	/* a refused file adds nothing */
	CHECK(artifact_reg_load_buf(reg, "empty.yaml", "", 0, err,
	    sizeof err) == 0);
	CHECK(artifact_reg_load_buf(reg, "c.yaml", "# only\n---\n---\n", 15,
	    err, sizeof err) == 0);
	artifact_reg_free(reg);
}

/* Deeply nested flow sequences: refused or accepted, never a crash. */
static void
test_hostile_yaml(void)
{
	struct artifact_reg	*reg = artifact_reg_new();
	struct buf		 b = { 0 };
	char			 err[1024];
	size_t			 i;
	int			 rc;

	buf_addstr(&b, "name: X\nsources: ");
	for (i = 0; i < 100000; i++)
		buf_addstr(&b, "[");
	rc = artifact_reg_load_buf(reg, "deep.yaml", b.data, b.len, err,
	    sizeof err);
	CHECK(rc == -1 && strstr(err, "deep.yaml:2: collections nested") !=
	    NULL);
	buf_free(&b);
	/* Deep block nesting: libyaml copes; the loader refuses the shape. */
	for (i = 0; i < 2000; i++)
		buf_printf(&b, "%*sk:\n", (int)i, "");
	rc = artifact_reg_load_buf(reg, "block.yaml", b.data, b.len, err,
	    sizeof err);
	CHECK(rc == -1);
	buf_free(&b);
	buf_addstr(&b, "name: X\nsources:\n- type: FILE\n  attributes:\n"
	    "    paths:\n");
	for (i = 0; i < ARTIFACT_MAX_LIST + 1; i++)
		buf_addstr(&b, "    - /a\n");
	rc = artifact_reg_load_buf(reg, "long.yaml", b.data, b.len, err,
	    sizeof err);
	CHECK(rc == -1 && strstr(err, "too many") != NULL);
	buf_free(&b);
	artifact_reg_free(reg);
}

static void
test_passwd(void)
{
	struct artifact_users	u;
	size_t			n;

	n = artifact_passwd_parse(passwd_text, strlen(passwd_text), &u);
	CHECK(n == 8);
	CHECK_STR(u.v[0].name, "root");
	CHECK_STR(u.v[0].home, "/root");
	CHECK(u.v[2].uid == 1000 && u.v[2].gid == 1000);
	CHECK_STR(u.v[6].home, "/home/alice");	/* \r stripped */
	CHECK_STR(u.v[7].name, "last");
	artifact_users_free(&u);
	CHECK(artifact_passwd_parse("", 0, &u) == 0);
	artifact_users_free(&u);
	CHECK(artifact_passwd_parse("a:x:1:1::/h:/s\0b:x:2:2::/g:/s\n", 29,
	    &u) == 0);
	artifact_users_free(&u);
	/* Not NUL-terminated: only len bytes are read. */
	CHECK(artifact_passwd_parse("a:x:1:1::/h:/sXXXX", 14, &u) == 1);
	CHECK(u.n == 1 && strcmp(u.v[0].home, "/h") == 0);
	artifact_users_free(&u);
}

static void
test_expand(void)
{
	struct artifact_users	 u;
	char			**v;
	const char		*why = NULL;
	int			 n;

	artifact_passwd_parse(passwd_text, strlen(passwd_text), &u);
	n = artifact_expand("%%users.homedir%%/.bash_history", '/', &u, &v,
	    &why);
	CHECK(n == 5);
	if (n == 5) {
		CHECK_STR(v[0], "/root/.bash_history");
		CHECK_STR(v[1], "/usr/sbin/.bash_history");
		CHECK_STR(v[2], "/home/alice/.bash_history");
		CHECK_STR(v[3], "/home/bob/.bash_history");
		CHECK_STR(v[4], "/home/last/.bash_history");
		CHECK(v[5] == NULL);
	}
	artifact_strv_free(v);
	n = artifact_expand("/var/mail/%%users.username%%", '/', &u, &v, &why);
	CHECK(n == 7);	/* star* is skipped: a value never globs */
	artifact_strv_free(v);
	n = artifact_expand("/x/%%users.uid%%-%%users.username%%", '/', &u, &v,
	    &why);
	CHECK(n >= 1 && strcmp(v[0], "/x/0-root") == 0);
	artifact_strv_free(v);
	CHECK(artifact_expand("/etc//passwd/", '/', &u, &v, &why) == 1);
	CHECK_STR(v[0], "/etc/passwd");
	artifact_strv_free(v);
	CHECK(artifact_expand("%%environ_systemroot%%\\System32", '\\', &u,
	    &v, &why) == -1 && v == NULL);
	CHECK(artifact_expand("%%users.appdata%%/x", '/', &u, &v, &why) == -1);
	CHECK_STR(why, "variable not available on Linux");
	CHECK(artifact_expand("/a/%%users.homedir", '/', &u, &v, &why) == -1);
	CHECK(artifact_expand("/a/../etc/shadow", '/', &u, &v, &why) == -1);
	CHECK(artifact_expand("relative/x", '/', &u, &v, &why) == -1);
	CHECK(artifact_expand("%%users.homedir%%/x", '/', NULL, &v, &why) == 0);
	artifact_strv_free(v);
	artifact_users_free(&u);
}

static void
test_glob_parse(void)
{
	struct artifact_glob	g;

	CHECK(artifact_glob_parse("/etc/cron.d/*", &g) == 0);
	CHECK(g.n == 3 && g.first == 2);
	CHECK_STR(g.prefix, "/etc/cron.d");
	artifact_glob_free(&g);
	CHECK(artifact_glob_parse("/etc/passwd", &g) == 0);
	CHECK_STR(g.prefix, "/etc");
	CHECK(g.first == 1);
	artifact_glob_free(&g);
	CHECK(artifact_glob_parse("/x", &g) == 0);
	CHECK_STR(g.prefix, "/");
	artifact_glob_free(&g);
	CHECK(artifact_glob_parse("/a/**", &g) == 0);
	CHECK(g.comp[1].starstar == ARTIFACT_STARSTAR_DEPTH);
	artifact_glob_free(&g);
	CHECK(artifact_glob_parse("/a/**5/*.vbn", &g) == 0);
	CHECK(g.comp[1].starstar == 5 && g.comp[2].wild);
	artifact_glob_free(&g);
	CHECK(artifact_glob_parse("/a/**foo", &g) == 0);
	CHECK(g.comp[1].starstar == 0 && g.comp[1].wild);
	artifact_glob_free(&g);
	CHECK(artifact_glob_parse("/a/**33", &g) == -1);
	CHECK(artifact_glob_parse("/a/**0", &g) == -1);
	CHECK(artifact_glob_parse("/", &g) == -1);
	CHECK(artifact_glob_parse("a/b", &g) == -1);
	CHECK(artifact_glob_parse("/a/../b", &g) == -1);
	CHECK(artifact_glob_match("*.log", ".hidden.log"));
	CHECK(artifact_glob_match("[ab]?", "b1"));
	CHECK(!artifact_glob_match("[ab]?", "c1"));
	CHECK(artifact_glob_match("auth.log*", "auth.log.2.gz"));
}

struct gtest {
	int	 root;
	char	 found[64][256];
	int	 n;
	int	 stop_after;
	const char *vanish;		/* a directory to empty once listed */
	char	 unseen[16][256];
	int	 nunseen, unseen_err;
};

static int
gtest_open(void *arg, const char *path)
{
	struct gtest	*t = arg;
	const char	*rel = path + 1;

	return openat(t->root, *rel ? rel : ".", O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC);
}

static int
gtest_found(void *arg, const char *path, const struct stat *st)
{
	struct gtest	*t = arg;

	if (t->n < 64)
		snprintf(t->found[t->n], sizeof t->found[0], "%s%s", path,
		    S_ISLNK(st->st_mode) ? "@" : S_ISDIR(st->st_mode) ? "/" :
		    "");
	t->n++;
	return 0;
}

static int
gtest_stop(void *arg)
{
	struct gtest	*t = arg;
	char		 p[64];
	int		 i;

	/*
	 * Called before each entry, after readdir has read the small
	 * directory whole: removing its files now makes the names listed
	 * then gone, as a file deleted during the walk.
	 */
	if (t->vanish != NULL) {
		for (i = 0; i < 5; i++) {
			snprintf(p, sizeof p, "%s/v%d", t->vanish, i);
			unlinkat(t->root, p, 0);
		}
		t->vanish = NULL;
	}
	return t->stop_after > 0 && t->n >= t->stop_after;
}

static void
gtest_unseen(void *arg, const char *path, int err)
{
	struct gtest	*t = arg;

	if (t->nunseen < 16)
		snprintf(t->unseen[t->nunseen], sizeof t->unseen[0], "%s",
		    path);
	t->nunseen++;
	t->unseen_err = err;
}

static int
gtest_has(struct gtest *t, const char *s)
{
	int	i;

	for (i = 0; i < t->n && i < 64; i++)
		if (strcmp(t->found[i], s) == 0)
			return 1;
	return 0;
}

static long
gtest_run(struct gtest *t, const char *pattern)
{
	struct artifact_glob		g;
	struct artifact_glob_ops	ops = { gtest_open, gtest_found,
					    gtest_stop, gtest_unseen };
	long				rc;

	t->n = 0;
	t->nunseen = 0;
	if (artifact_glob_parse(pattern, &g) != 0)
		return -2;
	rc = artifact_glob_walk(&g, &ops, t);
	artifact_glob_free(&g);
	return rc;
}

static void
mkfile(int root, const char *p)
{
	int	fd = openat(root, p, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd != -1)
		close(fd);
}

static void
test_glob_walk(void)
{
	struct gtest	t = { 0 };
	char		tmpl[] = "/tmp/cc-artifact.XXXXXX";
	char		*cmd;

	CHECK(mkdtemp(tmpl) != NULL);
	t.root = open(tmpl, O_RDONLY | O_DIRECTORY);
	CHECK(t.root != -1);
	mkdirat(t.root, "a", 0755);
	mkdirat(t.root, "a/b", 0755);
	mkdirat(t.root, "a/b/c", 0755);
	mkdirat(t.root, "a/b/c/d", 0755);
	mkfile(t.root, "a/f1");
	mkfile(t.root, "a/.hidden");
	mkfile(t.root, "a/b/f2.log");
	mkfile(t.root, "a/b/c/f3.log");
	mkfile(t.root, "a/b/c/d/f4.log");
	CHECK(symlinkat("..", t.root, "a/b/loop") == 0);
	CHECK(symlinkat("/etc", t.root, "a/etc") == 0);
	CHECK(mkfifoat(t.root, "a/fifo", 0644) == 0);

	CHECK(gtest_run(&t, "/a/f1") == 1 && gtest_has(&t, "/a/f1"));
	CHECK(gtest_run(&t, "/a/nothere") == 0);
	/* An absent literal path is not news; a listed name gone is. */
	CHECK(t.nunseen == 0);
	mkdirat(t.root, "v", 0755);
	for (int i = 0; i < 5; i++) {
		char	p[16];

		snprintf(p, sizeof p, "v/v%d", i);
		mkfile(t.root, p);
	}
	t.vanish = "v";
	CHECK(gtest_run(&t, "/v/*") == 0);
	CHECK(t.nunseen == 5 && t.unseen_err == ENOENT);
	CHECK(strncmp(t.unseen[0], "/v/v", 4) == 0);
	t.vanish = "v";
	CHECK(gtest_run(&t, "/v/**") == 0 && t.nunseen == 0);
	unlinkat(t.root, "v", AT_REMOVEDIR);
	CHECK(gtest_run(&t, "/nothere/*") == 0);
	CHECK(gtest_run(&t, "/a/*") == 5);
	CHECK(gtest_has(&t, "/a/.hidden") && gtest_has(&t, "/a/etc@") &&
	    gtest_has(&t, "/a/b/") && gtest_has(&t, "/a/fifo"));
	/* ** = 1 to 3 levels; symlinks are matches, never entered. */
	CHECK(gtest_run(&t, "/a/**") == 10);
	CHECK(gtest_has(&t, "/a/b/loop@") && gtest_has(&t, "/a/b/c/f3.log") &&
	    gtest_has(&t, "/a/b/c/d/") && !gtest_has(&t, "/a/b/c/d/f4.log"));
	CHECK(gtest_run(&t, "/a/**4") == 11 && gtest_has(&t, "/a/b/c/d/f4.log"));
	CHECK(gtest_run(&t, "/a/**1") == 5);
	/* ** is 1 to N components, never 0 (as in plaso and dfVFS). */
	CHECK(gtest_run(&t, "/a/**/*.log") == 3);
	CHECK(gtest_has(&t, "/a/b/f2.log") && gtest_has(&t, "/a/b/c/d/f4.log"));
	CHECK(gtest_run(&t, "/**/*.log") == 2);
	CHECK(!gtest_has(&t, "/a/b/c/d/f4.log"));
	CHECK(gtest_run(&t, "/a/b/loop/*") == 0);	/* not entered */
	CHECK(gtest_run(&t, "/a/etc/passwd") == 0);
	CHECK(gtest_run(&t, "/a/[bc]/c/f?.log") == 1);
	t.stop_after = 2;
	CHECK(gtest_run(&t, "/a/**10") == -1 && t.n == 2);
	close(t.root);
	cmd = xasprintf("rm -rf '%s'", tmpl);
	CHECK(system(cmd) == 0);
	free(cmd);
}

static void
test_check(void)
{
	char		 err[1024];
	const char	*bad[] = { "/nonexistent/defs.yaml", NULL };

	CHECK(artifact_check("triage", NULL, err, sizeof err) == 0);
	CHECK(artifact_check("full", NULL, err, sizeof err) == 0);
	CHECK(artifact_check("LinuxSudoers,triage", NULL, err,
	    sizeof err) == 0);
	CHECK(artifact_check("triage,Nope", NULL, err, sizeof err) == -1);
	CHECK_STR(err, "unknown artifact or profile: Nope");
	CHECK(artifact_check("", NULL, err, sizeof err) == -1);
	CHECK(artifact_check("ShellHistoryFile", NULL, err, sizeof err) == -1);
	CHECK(artifact_check("triage", bad, err, sizeof err) == -1);
	CHECK(strstr(err, "/nonexistent/defs.yaml") != NULL);
}

static void
test_bodyfile_line(void)
{
	struct buf	b = { 0 };
	struct statx	stx;

	timeline_escape(&b, "/a|b\nc\\d\x01\xff\xc3\xa9\xed\xa0\x80/\xe2\x82");
	CHECK_STR(b.data, "/a\\x7cb\\x0ac\\x5cd\\x01\\xff\xc3\xa9"
	    "\\xed\\xa0\\x80/\\xe2\\x82");
	buf_free(&b);
	memset(&stx, 0, sizeof stx);
	stx.stx_mode = S_IFREG | 04755;
	stx.stx_ino = 42;
	stx.stx_uid = 1000;
	stx.stx_gid = 100;
	stx.stx_size = 7;
	stx.stx_atime.tv_sec = 1;
	stx.stx_mtime.tv_sec = 2;
	stx.stx_ctime.tv_sec = 3;
	stx.stx_btime.tv_sec = 4;
	stx.stx_mask = STATX_BASIC_STATS;	/* no birth time: 0 */
	timeline_line(&b, "/x", &stx);
	CHECK_STR(b.data, "0|/x|42|-rwsr-xr-x|1000|100|7|1|2|3|0\n");
	buf_free(&b);
	stx.stx_mask |= STATX_BTIME;
	stx.stx_mode = S_IFDIR | 01777;
	timeline_line(&b, "/tmp", &stx);
	CHECK_STR(b.data, "0|/tmp|42|drwxrwxrwt|1000|100|7|1|2|3|4\n");
	buf_free(&b);
}

/* The extension attributes, as the built-in triage uses them. */
static void
test_source_ext(void)
{
	static const char	 y[] = "name: X\nsources:\n- type: FILE\n"
	    "  attributes:\n    paths: ['/var/log/**10']\n"
	    "    newest_first: true\n    max_file_size: 32M\n"
	    "    max_total_size: 1G\n    exclude_paths: ['/etc/shadow*']\n";
	struct artifact_reg	*reg = artifact_reg_new();
	const struct artifact	*a;
	char			 err[1024];

	CHECK(artifact_reg_load_buf(reg, "x.yaml", y, sizeof y - 1, err,
	    sizeof err) == 1);
	CHECK((a = artifact_reg_find(reg, "X")) != NULL);
	if (a != NULL) {
		CHECK(a->sources[0].newest_first == 1);
		CHECK(a->sources[0].max_file_size == 32ULL << 20);
		CHECK(a->sources[0].max_total_size == 1ULL << 30);
		CHECK(a->sources[0].nexclude == 1);
		CHECK_STR(a->sources[0].exclude[0], "/etc/shadow*");
	}
	artifact_reg_free(reg);
	/* The built-in triage: /etc without the hashes, /var/log capped. */
	reg = artifact_reg_new();
	CHECK(artifact_reg_load_builtin(reg, err, sizeof err) == 0);
	CHECK((a = artifact_reg_find(reg, "LinuxEtcAll")) != NULL &&
	    a->sources[0].nexclude >= 2);
	CHECK((a = artifact_reg_find(reg, "LinuxVarLogTriage")) != NULL &&
	    a->sources[0].newest_first && a->sources[0].max_total_size > 0);
	artifact_reg_free(reg);
}

static void
test_users_add(void *arg, const char *home)
{
	struct artifact_users	*u = arg;

	artifact_users_add(u, "x", home, "sssd");
}

/* SSSD cache records (LDB packing), homes outside passwd. */
static void
test_sssd(void)
{
	struct artifact_users	 u;
	unsigned char		 buf[512];
	size_t			 n = 0, i;
	static const struct {
		const char	*home;
		uint32_t	 count, len;	/* len 0: strlen */
	} rec[] = {
		{ "/home/EXAMPLE/carol", 1, 0 },
		{ "/home/dave@example.com", 1, 0 },
		{ "relative/home", 1, 0 },		/* not absolute */
		{ "/home/../etc", 1, 0 },		/* a ".." */
		{ "/home/alice", 1, 0 },		/* in passwd */
		{ "/home/carl", 0, 0 },			/* no value */
		{ "/home/zed", 1, 4000 },		/* longer than the file */
	};

	CHECK(artifact_passwd_parse("alice:x:1000:1000::/home/alice:/bin/sh\n",
	    38, &u) == 1);
	CHECK_STR(u.v[0].origin, "passwd");
	memset(buf, 0, sizeof buf);
	for (i = 0; i < nitems(rec); i++) {
		uint32_t len = rec[i].len ? rec[i].len :
		    (uint32_t)strlen(rec[i].home);

		memcpy(buf + n, "junk", 4);
		n += 4;
		memcpy(buf + n, "homeDirectory", 14);	/* and its NUL */
		n += 14;
		memcpy(buf + n, &rec[i].count, 4);	/* little-endian host */
		memcpy(buf + n + 4, &len, 4);
		n += 8;
		memcpy(buf + n, rec[i].home, strlen(rec[i].home) + 1);
		n += strlen(rec[i].home) + 1;
	}
	CHECK(artifact_sssd_homes(buf, n, 100, test_users_add, &u) == 3);
	CHECK(u.n == 3);	/* alice's is hers already */
	if (u.n == 3) {
		CHECK_STR(u.v[1].home, "/home/EXAMPLE/carol");
		CHECK_STR(u.v[1].origin, "sssd");
		CHECK(u.v[1].uid == (unsigned long)-1);
		CHECK_STR(u.v[2].home, "/home/dave@example.com");
	}
	/* The cap, and a buffer cut inside a record. */
	CHECK(artifact_sssd_homes(buf, n, 1, test_users_add, &u) == 1);
	CHECK(artifact_sssd_homes(buf, 20, 100, test_users_add, &u) == 0);
	/* A uid variable is not expanded for a home outside passwd. */
	{
		char		**v;
		const char	*why;

		CHECK(artifact_expand("/var/spool/%%users.uid%%", '/', &u, &v,
		    &why) == 1);
		if (v != NULL)
			CHECK_STR(v[0], "/var/spool/1000");
		artifact_strv_free(v);
	}
	artifact_users_free(&u);
}

struct test_hist {
	char	 got[8][256];
	size_t	 n;
};

static void
test_hist_add(void *arg, const char *path)
{
	struct test_hist	*h = arg;

	if (h->n < 8)
		snprintf(h->got[h->n++], sizeof h->got[0], "%s", path);
}

static void
test_histfile(void)
{
	static const char	 rc[] =
	    "# HISTFILE=/commented\n"
	    "HISTFILE=~/.h1\n"
	    "  export HISTFILE=\"$HOME/.h 2\"\n"
	    "typeset -x HISTFILE='${HOME}/.h3' # zsh\n"
	    "HISTFILE=/var/tmp/.h4; set -o history\n"
	    "HISTFILE=$XDG_STATE_HOME/h\n"		/* another variable */
	    "HISTFILE=relative\n"
	    "HISTFILE=/tmp/../etc/shadow\n"
	    "HISTFILE=/tmp/*\n"
	    "HISTFILE=\n"
	    "MYHISTFILE=/nope\n"
	    "HISTFILE=/last";			/* no final newline */
	struct test_hist	 h;

	memset(&h, 0, sizeof h);
	CHECK(artifact_histfile_rc(rc, sizeof rc - 1, "/home/bob", 64,
	    test_hist_add, &h) == 5);
	CHECK_STR(h.got[0], "/home/bob/.h1");
	CHECK_STR(h.got[1], "/home/bob/.h 2");
	CHECK_STR(h.got[2], "/home/bob/.h3");
	CHECK_STR(h.got[3], "/var/tmp/.h4");
	CHECK_STR(h.got[4], "/last");
	/* No home: ~ forms skipped; the cap. */
	memset(&h, 0, sizeof h);
	CHECK(artifact_histfile_rc(rc, sizeof rc - 1, NULL, 64,
	    test_hist_add, &h) == 2);
	memset(&h, 0, sizeof h);
	CHECK(artifact_histfile_rc(rc, sizeof rc - 1, "/", 1,
	    test_hist_add, &h) == 1);
	CHECK_STR(h.got[0], "/.h1");
}

int
main(void)
{
	UNIT_RUN(test_fa_all_load);
	UNIT_RUN(test_fa_dir_and_resolve);
	UNIT_RUN(test_builtin_equals_files);
	UNIT_RUN(test_builtin_profiles);
	UNIT_RUN(test_group_cycles);
	UNIT_RUN(test_malformed);
	UNIT_RUN(test_hostile_yaml);
	UNIT_RUN(test_passwd);
	UNIT_RUN(test_expand);
	UNIT_RUN(test_glob_parse);
	UNIT_RUN(test_glob_walk);
	UNIT_RUN(test_bodyfile_line);
	UNIT_RUN(test_check);
	UNIT_RUN(test_source_ext);
	UNIT_RUN(test_sssd);
	UNIT_RUN(test_histfile);
	UNIT_EXIT();
}
