/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The one sink: everything collected goes through here. It owns the
 * libarchive writer (POSIX pax), whose bytes go to an output chain
 * (out.h), hashes each entry as it writes it, and lists the entry in the
 * manifest. Each source byte is read once: the same buffer is hashed,
 * handed to the tap (the scanner, later) and packed.
 *
 * Results are graded as in libarchive: SINK_OK; SINK_WARN, the entry was
 * written but something is wrong with it (the note says what; the
 * caller records it); SINK_FATAL, the output failed and the run must
 * stop (sink_error says why).
 */
#ifndef SINK_H
#define SINK_H

#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "manifest.h"
#include "out.h"

#define SINK_OK		0
#define SINK_WARN	1
#define SINK_FATAL	(-1)

struct sink;

struct sink_result {
	unsigned char	sha256[32];
	uint64_t	size;		/* bytes archived */
	int		truncated;
	int		changed;	/* sink_set_expect: 1, 0, -1 */
	char		note[256];	/* why SINK_WARN */
};

/*
 * A reader of every data chunk of an entry (e.g. a scanner): called
 * with each chunk as read from the source (before any zero padding),
 * then once with (NULL, 0) when the entry is complete.
 */
typedef void	sink_tap_fn(void *, const void *, size_t);

/* A sink writing to the chain out (not owned). NULL with err on error. */
struct sink	*sink_new(struct out *, struct manifest *, char *, size_t);
void		 sink_free(struct sink *);

/*
 * Archive len bytes at p as apath, listed in the manifest with source
 * (may be NULL) and no source metadata.
 */
int		 sink_add_buffer(struct sink *, const char *, const void *,
		    size_t, const char *);
/* Same, not listed in the manifest (the manifest and its signature). */
int		 sink_add_unlisted(struct sink *, const char *, const void *,
		    size_t);
/*
 * Start an unlisted entry of size bytes whose content follows in pieces
 * through sink_write (apath names it in errors); exactly size bytes.
 */
int		 sink_open_unlisted(struct sink *, const char *, uint64_t);
int		 sink_write(struct sink *, const char *, const void *, size_t);

/*
 * Archive the content of fd (read with pread from offset 0) as apath.
 * st is the source's metadata (recorded; NULL for none); size the
 * bytes to take, capped at max (then truncated). A file that shrinks
 * while read is padded with zeros to the size declared in the header
 * and noted; one that grows is read to the size it had when opened.
 * res (may be NULL) gets the hash and what happened.
 */
int		 sink_add_fd(struct sink *, int, const char *, const char *,
		    const struct stat *, uint64_t, uint64_t,
		    struct sink_result *);
/*
 * Archive content already read and hashed (by a reader thread): len
 * bytes at p with their sha256, st the source's metadata, truncated and
 * note (may be NULL) as in sink_add_fd's result.
 */
int		 sink_add_prepared(struct sink *, const char *, const char *,
		    const struct stat *, const void *, size_t,
		    const unsigned char *, int, const char *);
/* Set the tap called with each data chunk of the next sink_add_fd. */
void		 sink_set_tap(struct sink *, sink_tap_fn *, void *);
/*
 * Expect the first len bytes the next sink_add_fd archives to have the
 * SHA-256 sha256 (bytes read before: a second read of the same file).
 * Its result's changed is then 1 when they differ or the file is now
 * shorter (the entry's note and the result, SINK_WARN, say "changed
 * between scan and copy"), 0 when they match, -1 when it could not be
 * compared (fewer bytes archived: the size limits). len 0: no check
 * (changed -1).
 */
void		 sink_set_expect(struct sink *, uint64_t, const unsigned char *);

/*
 * How sink_add_fd reads its source: like pread (n bytes, 0 at the end,
 * -1 with errno), or -1 with why set (a NUL-terminated reason, e.g.
 * "abandoned: read blocked for 5 s") when the read was given up on; the
 * rest is then zero-filled and the note says why. NULL: pread itself.
 */
typedef ssize_t	sink_read_fn(void *, int, void *, size_t, off_t, char *,
		    size_t);
void		 sink_set_reader(struct sink *, sink_read_fn *, void *);

/* Called after each chunk of data archived (progress display). */
void		 sink_set_progress(struct sink *, void (*)(void *), void *);

/* Finish the archive (end blocks) and close the chain. 0 or -1. */
int		 sink_close(struct sink *);
const char	*sink_error(struct sink *);
/* Payload bytes archived so far (entry data, before compression). */
uint64_t	 sink_bytes(struct sink *);

#endif
