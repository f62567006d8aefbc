/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The output chain: small stages, each with write and close, each
 * passing its bytes to the next. The archive writer feeds the head:
 *
 *   libarchive (pax) → zstd → thread → [age] → hash → file | SFTP
 *
 * Encryption and streaming are stages added to the chain, not branches
 * in the collectors. A stage that fails keeps its message in err; the
 * error travels back up through write/close as -1.
 */
#ifndef OUT_H
#define OUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct out {
	const char	*name;
	int		(*write)(struct out *, const void *, size_t);
	int		(*close)(struct out *);	/* flush, then close next */
	void		(*free)(struct out *);
	struct out	*next;
	char		 err[512];
};

/* Write to / close the head of a chain. 0 or -1 (see out_error). */
int		 out_write(struct out *, const void *, size_t);
int		 out_close(struct out *);
/*
 * A hand-over: bytes written are queued (cap bytes at most; the writer
 * waits beyond) and passed to next by a thread of its own.
 */
struct out	*out_thread_new(struct out *, size_t);
/* Free a whole chain (NULL is fine). */
void		 out_free(struct out *);
/* The first error message met along the chain, or "" if none. */
const char	*out_error(struct out *);

/*
 * A file in dir, written under a temporary name ".<name>.part" (created
 * O_EXCL, mode 0600) and renamed to name by out_file_commit. NULL with
 * err filled if it cannot be created. Freeing an uncommitted file stage
 * removes the temporary file.
 */
struct out	*out_file_new(const char *, const char *, char *, size_t);
/* Rename into place; fails (EEXIST) rather than replace a file. */
int		 out_file_commit(struct out *);
/* Give the file to uid:gid (fchown), e.g. the user behind sudo. */
int		 out_file_chown(struct out *, uid_t, gid_t);
/* The final path ("dir/name"); belongs to the stage. */
const char	*out_file_path(struct out *);
/* The temporary name written to until the commit. */
const char	*out_file_part(struct out *);

/* zstd compression at level with nthreads workers (0: in this thread). */
struct out	*out_zstd_new(struct out *, int, int);

/*
 * A tee computing SHA-256 and BLAKE2b-512 (the minisign prehash) of the
 * bytes that pass, and counting them.
 */
struct out	*out_hash_new(struct out *);
void		 out_hash_result(struct out *, unsigned char *, unsigned char *,
		    uint64_t *);
/* Bytes that have passed so far. */
uint64_t	 out_hash_count(struct out *);

#endif
