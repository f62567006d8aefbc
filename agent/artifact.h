/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * ForensicArtifacts definitions: a loader for the YAML format (libyaml),
 * a registry of artefacts by name, resolution of ARTIFACT_GROUP sources
 * and profiles, the POSIX path interpolations (%%users.homedir%% ...) from
 * a passwd file, and glob patterns with ** evaluated through callbacks so
 * the walk never follows a symlink. Parsing and expansion are pure
 * functions on bytes: tests and fuzz targets call them directly.
 *
 * A profile is an artefact whose labels include "Profile" (see
 * collectors/artifacts/profiles.yaml): its ARTIFACT_GROUP names what is
 * collected, and its DIRECTORY sources name the trees of the bodyfile.
 */
#ifndef ARTIFACT_H
#define ARTIFACT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

/* Caps on untrusted definitions. */
#define ARTIFACT_MAX_FILE	(8 * 1024 * 1024)	/* bytes per YAML file */
#define ARTIFACT_MAX_LIST	4096	/* items in one paths/names list */
#define ARTIFACT_MAX_STRING	4096	/* bytes in one scalar */
#define ARTIFACT_MAX_FILES	1024	/* files under one --artifacts dir */
#define ARTIFACT_MAX_NESTING	64	/* [ { nesting in the YAML */
#define ARTIFACT_MAX_GROUP_DEPTH 32	/* nested ARTIFACT_GROUPs */
#define ARTIFACT_MAX_COMPONENTS	64	/* path components in a glob */
#define ARTIFACT_MAX_STARSTAR	32	/* deepest ** allowed */
#define ARTIFACT_STARSTAR_DEPTH	3	/* depth of a bare ** */

enum artifact_type {
	ARTIFACT_FILE,
	ARTIFACT_PATH,
	ARTIFACT_DIRECTORY,
	ARTIFACT_GROUP,
	ARTIFACT_COMMAND,
	ARTIFACT_OTHER		/* REGISTRY_KEY, WMI ...: skipped */
};

#define ARTIFACT_OS_LINUX	0x01
#define ARTIFACT_OS_DARWIN	0x02
#define ARTIFACT_OS_WINDOWS	0x04
#define ARTIFACT_OS_OTHER	0x08	/* any other name */
#define ARTIFACT_OS_ESXI	0x10	/* ESXi trees, read by this agent */

struct artifact_source {
	enum artifact_type	 type;
	char			*type_name;	/* as written */
	char			**paths;	/* FILE, PATH, DIRECTORY */
	size_t			 npaths;
	char			**names;	/* ARTIFACT_GROUP */
	size_t			 nnames;
	char			 separator;	/* '/' unless given */
	/* Extensions to the format (FILE sources), see README.md. */
	char			**exclude;	/* exclude_paths: fnmatch */
	size_t			 nexclude;
	int			 newest_first;	/* matches by mtime, newest first */
	uint64_t		 max_file_size;	/* per file; 0: the run's */
	uint64_t		 max_total_size; /* for the source; 0: none */
	int64_t			 changed_within; /* seconds; 0: any mtime */
	int			 os;		/* 0: as the artefact */
	unsigned long		 line;
};

struct artifact {
	char			*name;
	char			*doc;
	char			*file;		/* where it was defined */
	unsigned long		 line;
	int			 os;		/* 0: not given (any) */
	int			 profile;	/* labels include Profile */
	struct artifact_source	*sources;
	size_t			 nsources;
};

struct artifact_reg {
	struct artifact		**list;
	size_t			 n;
	size_t			 cap;
	size_t			 nfiles;	/* files loaded */
	char			**warnings;	/* duplicates, cycles... */
	size_t			 nwarnings;
};

/* A new empty registry; artifact_reg_free accepts NULL. */
struct artifact_reg	*artifact_reg_new(void);
void			 artifact_reg_free(struct artifact_reg *);

/*
 * Parse YAML text buf (len bytes, from file: used in messages) and add
 * its artefacts. A name already in the registry is not added again (a
 * warning is stored). Returns the number of artefacts added, or -1 if the
 * text is not valid YAML or not artefact definitions: nothing is added
 * then, and err gets "file:line: why".
 */
int	 artifact_reg_load_buf(struct artifact_reg *, const char *,
	    const void *, size_t, char *, size_t);
/*
 * Load a file, or every *.yaml / *.yml file of a directory (sorted, not
 * recursive). Returns the number of artefacts added or -1 (err set).
 */
int	 artifact_reg_load_path(struct artifact_reg *, const char *, char *,
	    size_t);
/* Load the definitions built into the agent. 0 or -1 (err set). */
int	 artifact_reg_load_builtin(struct artifact_reg *, char *, size_t);
/* The artefact named name, or NULL. */
const struct artifact	*artifact_reg_find(const struct artifact_reg *,
	    const char *);

/*
 * Whether a source (of artefact a) applies to this agent: Linux, or ESXi
 * (a dead-box tree of an ESXi host, read from Linux).
 */
int	 artifact_source_linux(const struct artifact *,
	    const struct artifact_source *);

/* One source chosen by a plan, with the artefact it belongs to. */
struct artifact_use {
	const struct artifact		*artifact;
	const struct artifact_source	*source;
};

/*
 * What a profile or artefact list resolves to: the FILE and PATH sources
 * to collect, the DIRECTORY sources (bodyfile trees), and what was
 * skipped. Pointers refer into the registry, which must outlive it.
 */
struct artifact_plan {
	struct artifact_use	*files;
	size_t			 nfiles;
	struct artifact_use	*dirs;
	size_t			 ndirs;
	size_t			 nartifacts;	/* artefacts used */
	size_t			 skipped_os;	/* sources of other OSes */
	size_t			 skipped_type;	/* REGISTRY_KEY, WMI ... */
	size_t			 skipped_command; /* never run */
	char			**unknown;	/* names not in the registry */
	size_t			 nunknown;
	char			**cycles;	/* "A -> B -> A" */
	size_t			 ncycles;
};

/*
 * Resolve spec, a profile or artefact name or a comma list of them, into
 * plan, following ARTIFACT_GROUP sources recursively; each artefact is
 * used once, a cycle is recorded and broken. Returns 0, or -1 when
 * nothing of spec was known (plan->unknown lists the names).
 */
int	 artifact_resolve(const struct artifact_reg *, const char *,
	    struct artifact_plan *);
void	 artifact_plan_free(struct artifact_plan *);

/* Users from a passwd file, for interpolation. */
struct artifact_user {
	char		*name;
	char		*home;
	unsigned long	 uid;
	unsigned long	 gid;
	/* "passwd", or where a home outside passwd was found: "root",
	   "home_dir" (/home/NAME), "sssd" (the SSSD cache). Static. */
	const char	*origin;
};
struct artifact_users {
	struct artifact_user	*v;
	size_t			 n, cap;	/* cap: allocated, doubled */
};

/*
 * The users of a passwd file read by passwd_load (the one reader), or of
 * passwd text (len bytes, need not be NUL-terminated), parsed by
 * passwd_parse: one user per well-formed line, NIS compat lines (+, -)
 * left out. At most 65536 users. Returns the number of users; free with
 * artifact_users_free.
 */
struct passwd_file;
size_t	 artifact_users_from(const struct passwd_file *,
	    struct artifact_users *);
size_t	 artifact_passwd_parse(const char *, size_t, struct artifact_users *);
void	 artifact_users_free(struct artifact_users *);
/*
 * Add a home found outside passwd (name and home copied, uid and gid
 * unknown: (unsigned long)-1) unless a user has that home already.
 * Returns 1 if added, 0 if known or the list is full.
 */
int	 artifact_users_add(struct artifact_users *, const char *,
	    const char *, const char *);
/*
 * The home directories in an SSSD cache (cache_DOMAIN.ldb, a TDB of LDB
 * records; len bytes): each "homeDirectory" attribute as LDB packs it
 * (name, NUL, value count, value length, value, NUL: little-endian 32-bit
 * integers), an absolute path without "..". fn gets each (duplicates
 * included); at most max of them. Returns the number found.
 */
/*
 * The HISTFILE assignments of shell start-up text (len bytes): lines
 * "HISTFILE=V", "export HISTFILE=V", "typeset/declare [-x] HISTFILE=V"
 * (set -o, fish's and the like not understood). V, unquoted, is taken
 * when it is absolute, or starts with ~/, $HOME/ or ${HOME}/ (home put
 * in front), and holds no other $, `, glob character or ".." component.
 * fn gets each path; at most max. Returns the number found.
 */
size_t	 artifact_histfile_rc(const char *, size_t, const char *, size_t,
	    void (*)(void *, const char *), void *);
size_t	 artifact_sssd_homes(const void *, size_t, size_t,
	    void (*)(void *, const char *), void *);

/*
 * Expand the %%...%% variables of pattern (written with separator sep)
 * into absolute '/' patterns: one per user for %%users.*%% variables
 * (users whose value is empty, relative or holds glob or '/' characters
 * where not allowed are skipped), duplicates removed, "//" folded.
 * Returns the number of patterns in *outv (a NULL-terminated array the
 * caller frees with artifact_strv_free), or -1 when the pattern cannot
 * apply here (a Windows variable or separator, a relative path or a ".."
 * component): *why then names the reason (static string).
 */
int	 artifact_expand(const char *, char, const struct artifact_users *,
	    char ***, const char **);
void	 artifact_strv_free(char **);

/* A parsed glob: components, each literal, a wildcard, or ** with depth. */
struct artifact_glob_comp {
	char	*text;
	int	 wild;		/* has * ? [ */
	int	 starstar;	/* 0, or the depth of a ** component */
};
struct artifact_glob {
	struct artifact_glob_comp comp[ARTIFACT_MAX_COMPONENTS];
	size_t	 n;
	char	*prefix;	/* leading literal directory, e.g. "/etc" */
	size_t	 first;		/* index of the first component after it */
};

/*
 * Split an absolute pattern into components; "**" alone has depth
 * ARTIFACT_STARSTAR_DEPTH, "**N" depth N (1..ARTIFACT_MAX_STARSTAR). 0 or
 * -1 (relative, too many components, bad depth, "." or ".."). Free with
 * artifact_glob_free.
 */
int	 artifact_glob_parse(const char *, struct artifact_glob *);
void	 artifact_glob_free(struct artifact_glob *);
/* Whether name matches one wildcard component (dot files included). */
int	 artifact_glob_match(const char *, const char *);

/*
 * How artifact_glob reaches the tree: open_dir opens an absolute
 * directory path (no symlink followed) and returns a descriptor or -1;
 * found gets each match with its lstat (never followed) and returns 0, or
 * -1 to stop; stop returns non-zero to end the walk early (deadline);
 * unseen (may be NULL) gets a name a directory listed but whose lstat
 * failed (errno value: ENOENT when it went away in between), which a
 * collection records rather than drops. A literal path that does not
 * exist is not reported: most artefacts are absent from most hosts.
 */
struct artifact_glob_ops {
	int	(*open_dir)(void *, const char *);
	int	(*found)(void *, const char *, const struct stat *);
	int	(*stop)(void *);
	void	(*unseen)(void *, const char *, int);
};

/*
 * Evaluate a parsed glob: directories are entered with openat(O_NOFOLLOW)
 * so a symlink is a match, never a way out; ** does not enter symlinked
 * directories. Returns the number of matches, or -1 if stopped.
 */
long	 artifact_glob_walk(const struct artifact_glob *,
	    const struct artifact_glob_ops *, void *);

/*
 * Print the known profiles and artefacts, one a line ("profile\tNAME\tdoc"
 * then "artifact\tNAME\tdoc"), from the built-in definitions and paths
 * (extra files or directories, NULL-terminated; may be NULL). Returns 0,
 * or -1 after printing the error of a definition file on stderr.
 */
int	 artifact_list(FILE *, const char *const *);

/*
 * Set-up check for `run`: load the built-in definitions and paths
 * (NULL-terminated; may be NULL) and resolve profile. Returns 0, or -1
 * with err set ("FILE:LINE: why" for a broken definition file, or
 * "unknown artifact or profile: NAME") so the CLI can refuse the options
 * (exit 2) before anything is collected.
 */
int	 artifact_check(const char *, const char *const *, char *, size_t);

/* The built-in definitions (collectors/artifacts_builtin.c). */
struct artifact_builtin {
	const char	*name;		/* e.g. "linux.yaml" */
	const char	*text;
};
extern const struct artifact_builtin artifacts_builtin[];	/* NULL-ended */

#endif
