/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Small helpers shared by every module: allocation that aborts instead of
 * failing (x prefix), bounded string building, UTC time formatting, size
 * parsing, whole-descriptor reads with a cap, and fatal() for broken
 * invariants.
 */
#ifndef UTIL_H
#define UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define AGENT_NAME	"csirt-collect"
#ifndef CC_VERSION
#define CC_VERSION	"0.0.0"
#endif

/* Exit codes of SPEC.md. */
#define EXIT_DONE	0
#define EXIT_FATAL	1
#define EXIT_USAGE	2
#define EXIT_UPLOAD	3
#define EXIT_VERIFY	4
/* Ctrl-C or SIGTERM: a valid, signed archive of what was collected. */
#define EXIT_INTERRUPTED 5
/* A second Ctrl-C or SIGTERM: aborted, the partial archive deleted. */
#define EXIT_ABORTED	130

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* Print "csirt-collect: message" on stderr and abort: invariants only. */
void	 fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
/* Returns a new string; the caller frees it. */
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte buffer; data is always NUL-terminated for convenience. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};
void	 buf_add(struct buf *, const void *, size_t);
/* Make room for n more bytes (and a NUL) without adding them. */
void	 buf_reserve(struct buf *, size_t);
void	 buf_addstr(struct buf *, const char *);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_free(struct buf *);

/*
 * Lines cut out of bytes that arrive in pieces (an archive entry read
 * through the verify tap): lines_feed hands each whole line, without its
 * '\n' and NUL-terminated, to fn(arg, line, len); a line longer than max
 * is not kept and is handed over as fn(arg, NULL, 0), so that the caller
 * counts it. lines_end hands over a last line without '\n' and makes
 * ready for the next stream. Zero it and set max.
 */
struct lines {
	struct buf	 buf;
	size_t		 max;
	int		 skipping;	/* in a line over max */
};
typedef void	 lines_fn(void *, char *, size_t);
void	 lines_feed(struct lines *, const char *, size_t, lines_fn *, void *);
void	 lines_end(struct lines *, lines_fn *, void *);
/* Forget a partial line (the stream was cut). */
void	 lines_reset(struct lines *);

/*
 * A set of byte strings (paths, dev/ino pairs) kept as 16 bytes each: a
 * SipHash-128 under a key drawn per set, so hostile names cannot be made
 * to collide, in an open-addressed table at most 3/4 full. Zeroed is
 * empty and ready.
 */
struct hset {
	unsigned char	(*slot)[16];
	size_t		  n, cap;
	unsigned char	  key[16];
};
/* Add p (n bytes); 1 if it was there already, 0 if it is new. */
int	 hset_add(struct hset *, const void *, size_t);
void	 hset_free(struct hset *);

/*
 * Format t (UTC) as ISO 8601 "2026-11-22T19:12:12Z" (ns == -1) or with
 * microseconds "…T19:12:12.123456Z" into out (at least 32 bytes).
 */
void	 util_iso8601(char *, size_t, time_t, long);
/* Current UTC time as ISO 8601 with microseconds. */
void	 util_now(char *, size_t);
/* Compact form for file names: 20261122T191212Z. */
void	 util_compact_time(char *, size_t, time_t);

/*
 * Parse "123", "10K", "5M", "2G" (powers of 1024) into *out.
 * Returns 0, or -1 on a malformed or overflowing value.
 */
int	 util_parse_size(const char *, uint64_t *);
/* Parse a decimal integer in [min, max]. Returns 0 or -1. */
int	 util_parse_int(const char *, long long, long long, long long *);

/*
 * Read at most max bytes of fd (from its current offset) into a new
 * NUL-terminated buffer; *lenp gets the length. Returns NULL on a read
 * error (errno set). *truncp, if not NULL, is set when more data remained.
 */
char	*util_read_fd(int, size_t, size_t *, int *);

/*
 * Read a whole small regular file (O_NOFOLLOW, at most max bytes) into a
 * new NUL-terminated buffer. NULL with err naming the path.
 */
char	*util_read_file(const char *, size_t, size_t *, char *, size_t);

/* Replace in s every character outside [A-Za-z0-9._-] with '_'. */
void	 util_safe_name(char *);

/* A byte count for people: "512 B", "12.3 MiB"… into out (16+ bytes). */
void	 util_human(char *, size_t, uint64_t);

/* Lower-case hex of len bytes into out (2*len+1 bytes). */
void	 util_hex(char *, const unsigned char *, size_t);
/*
 * The digest md (an EVP_MD: EVP_sha256(), EVP_md5()) of the first len
 * bytes of fd, read with pread from offset 0, into out. 0, or -1 when
 * the file is shorter or unreadable.
 */
int	 util_digest_fd(int, const void *, uint64_t, unsigned char *);

/*
 * UTF-8 and JSON. Names on a hostile host are bytes, not text: JSON
 * strings cannot hold invalid UTF-8, so such a name is stored lossy in
 * "key" (each bad byte as \xNN) and exactly in "key_b64" (base64 of the
 * raw bytes), which is what tools compare.
 */
int	 util_utf8_valid(const char *);
/*
 * Length of the valid UTF-8 sequence at s, of at most n bytes: 1 to 4,
 * or 0 when it is not one (a stray continuation byte, an overlong form,
 * a surrogate, a value past U+10FFFF, a sequence cut short by n). NUL is
 * a valid 1-byte sequence here: callers that cannot hold it escape it.
 */
size_t	 util_utf8_len(const void *, size_t);
/*
 * Append len bytes of s to b with each byte that is not valid UTF-8, and
 * each NUL, written as the four characters \xNN; flags escape valid
 * characters too (UTIL_ESC_C0: C0 controls and DEL; UTIL_ESC_C1: U+0080
 * to U+009F), and so does each ASCII character of also. b stays
 * NUL-terminated.
 */
#define UTIL_ESC_C0	0x1
#define UTIL_ESC_C1	0x2
void	 util_escape(struct buf *, const void *, size_t, int, const char *);
/* Copy of s with each invalid byte written as \xNN; caller frees. */
char	*util_utf8_lossy(const char *);
/*
 * Copy of s safe to print on a terminal: each invalid UTF-8 byte, each
 * control character (C0, DEL, C1) and each backslash as \xNN. Caller
 * frees.
 */
char	*util_printable(const char *);
/* Set obj[key] (and obj[key_b64] when needed) from raw bytes s. */
void	 util_json_set_name(void *, const char *, const char *);

/* Write all of buf to fd, retrying on EINTR and short writes. 0 or -1. */
int	 util_write_all(int, const void *, size_t);

/*
 * Rename from to to, failing with EEXIST rather than replacing an
 * existing to (RENAME_NOREPLACE; on a file system without it, a check
 * then a rename). 0 or -1 with errno.
 */
int	 util_rename_noreplace(const char *, const char *);

/*
 * name with "_n" before its ".tar.zst" (or at the end), for n >= 2; n 1
 * gives name itself. Caller frees.
 */
char	*util_name_suffix(const char *, unsigned int);

#endif
