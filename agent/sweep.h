/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The YARA sweep (collectors/yara.c walks, this module submits): each
 * swept file or process is a job of the one reader pool (workers.h),
 * read once, hashed and scanned; a file that matches is archived from
 * those bytes. Its counters, the caller's, are updated by the archive's
 * thread as jobs come back, and are complete once sweep_end returned.
 */
#ifndef SWEEP_H
#define SWEEP_H

#include <stdint.h>
#include <sys/stat.h>

struct collect_ctx;

struct sweep {
	uint64_t	 files;		/* scanned */
	uint64_t	 procs;		/* processes scanned */
	uint64_t	 unreadable;	/* processes gone or unreadable */
	uint64_t	 matched;	/* files that matched */
	uint64_t	 errors;	/* recorded up to maxerrors, then counted */
	uint64_t	 maxerrors;
	uint64_t	 timeouts;
	uint64_t	 changed;	/* read again: not the bytes scanned */
};

/*
 * Scan the regular file fd (owned from here: closed), path inside the
 * root, st its metadata: read once by a reader (at most the file size
 * limit and SCAN_CAP), hashed and scanned; if a rule matches, archived
 * under files/<path> from those same bytes (as collect_file would), else
 * dropped. 0, or -1 once the output has failed.
 */
int		 sweep_file(struct collect_ctx *, int, const struct stat *,
		    const char *, struct sweep *);
/* Scan the memory of process pid (name, its exe) on a reader. */
int		 sweep_process(struct collect_ctx *, int, const char *,
		    const char *, struct sweep *);
/* Record a sweep error (path may be NULL), counted; past the cap, only counted. */
void		 sweep_error(struct collect_ctx *, struct sweep *, const char *,
		    const char *, ...) __attribute__((format(printf, 4, 5)));
/*
 * Wait for every sweep job (abandoning the stuck ones as for any read),
 * then archive the large files that matched. 0, or -1 once the output
 * has failed.
 */
int		 sweep_end(struct collect_ctx *, struct sweep *);

#endif
