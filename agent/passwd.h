/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * passwd and group files of the collection root, parsed as bytes (never
 * NSS): the one reader of them, for the users collector, the artefact
 * %%users.*%% interpolation and the uid and gid names of collected files.
 */
#ifndef PASSWD_H
#define PASSWD_H

#include <stddef.h>

/* Bytes read of one file: the rest is not parsed (truncated is set). */
#define PASSWD_FILE_MAX	(16U << 20)

/*
 * One well-formed line: passwd has 7 fields, group 4. The strings point
 * into the file's text (split in place); the fields a kind lacks are "".
 */
struct passwd_entry {
	char		*name;		/* never empty */
	char		*passwd;
	char		*gecos;		/* passwd */
	char		*dir;		/* passwd */
	char		*shell;		/* passwd */
	char		*members;	/* group: comma-separated */
	unsigned int	 id;		/* the uid, or a group's gid */
	unsigned int	 gid;		/* passwd: the primary group */
	size_t		 line;		/* 1-based */
};

struct passwd_index;

struct passwd_file {
	char			*text;
	struct passwd_entry	*v;	/* in file order */
	size_t			 n;
	struct passwd_index	*byid;	/* by id, then line */
	size_t			 bad;	/* malformed lines */
	size_t			 first_bad;	/* the first one's number */
	int			 truncated;
};

/*
 * Parse one line (NUL-terminated, split in place; a trailing "\r\n" is
 * cut) of passwd (group 0) or group (group 1) into e. 0, or -1 when it
 * is malformed: the wrong number of fields, an empty name, an id that is
 * not a decimal from 0 to 2^32-1.
 */
int	 passwd_parse_line(char *, int, struct passwd_entry *);
/*
 * Parse len bytes of text (with a NUL after them; pf takes the text):
 * every well-formed line, in order; empty lines and '#' comments are
 * skipped, malformed ones (a NUL inside too) counted in bad.
 */
void	 passwd_parse(struct passwd_file *, char *, size_t, int);
/*
 * Read fd (opened with os_open_regular or collect_open: a regular file,
 * no symlink followed) up to PASSWD_FILE_MAX bytes and parse it. The
 * caller closes fd. 0, or -1 with errno when it cannot be read (pf is
 * then empty).
 */
int	 passwd_load(struct passwd_file *, int, int);
/*
 * The first entry of id (a binary search: a hostile file of 100,000
 * entries costs no more per lookup than a real one), or NULL.
 */
const struct passwd_entry *passwd_lookup(const struct passwd_file *,
	    unsigned int);
/* Free what pf holds (pf itself is the caller's); an empty pf is fine. */
void	 passwd_free(struct passwd_file *);

#endif
