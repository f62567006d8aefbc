/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The one tree walker (the timeline, the YARA sweep): iterative, depth
 * first, with a stack of open directories capped in depth, so memory
 * and descriptors stay bounded whatever the tree. Each step is openat
 * (os_openat: O_NOFOLLOW, O_NOATIME) and statx(AT_SYMLINK_NOFOLLOW |
 * AT_NO_AUTOMOUNT) in the directory's descriptor: a symlink is reported,
 * never followed, no automount is triggered, and pseudo or network file
 * systems (os_fs_pseudo) are not entered.
 */
#ifndef WALK_H
#define WALK_H

#include <stddef.h>
#include <sys/stat.h>

#define WALK_MAX_DEPTH	128	/* directories open at once */
#define WALK_MAX_PATH	4096
#define WALK_POLL	256	/* entries between two calls of stop */

/* What the entry callback returns. */
#define WALK_NEXT	0	/* go on (into it, for a directory) */
#define WALK_SKIP	1	/* a directory: do not enter it */
#define WALK_STOP	2	/* end the walk */

struct walk_entry {
	int			 dfd;	/* the directory holding it */
	const char		*name;	/* its name in dfd */
	const char		*path;	/* its path inside the root */
	const struct statx	*stx;	/* never followed; birth time if any */
	const struct stat	*st;	/* the same, as a struct stat */
};

/*
 * A walk: the caller sets the callbacks (error and stop may be NULL)
 * and zeroes the counters. error gets what was not looked at, with what
 * ("stat", "open directory", "too deep or unreadable", "path") and an
 * errno value; pseudo file systems are only counted.
 */
struct walk {
	int	(*entry)(void *, const struct walk_entry *);
	void	(*error)(void *, const char *, const char *, int);
	int	(*stop)(void *);
	void	*arg;
	size_t	 entries, pseudo, toodeep, toolong, errors;
};

/*
 * Walk the tree below the directory fd (owned: closed), top its path
 * inside the root (its own entry is not reported). 0 when walked, -1
 * when stopped (stop, or WALK_STOP), -2 when top is on a pseudo or
 * network file system (not walked).
 */
int	 walk_tree(struct walk *, int, const char *);

#endif
