/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * A byte ring between one writer and one consumer thread: the hand-over
 * of the output chain (out.c) and the SFTP stream (upload.c). The writer
 * waits for room, the consumer for bytes; either side can fail the ring,
 * which wakes the other.
 *
 * With keep, consumed bytes stay in the ring until the writer needs the
 * room: the consumer can go back to any offset still held (an SFTP
 * stream resuming after a break at the server's size). While it holds
 * the ring, nothing is dropped at all.
 */
#ifndef RING_H
#define RING_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct ring {
	pthread_mutex_t	 lock;
	pthread_cond_t	 more;		/* bytes to consume, or closing */
	pthread_cond_t	 room;		/* bytes consumed, or failed */
	unsigned char	*buf;
	size_t		 cap;
	size_t		 head;		/* index of offset start */
	size_t		 len;		/* held: [start, start + len) */
	uint64_t	 start;		/* stream offset of head */
	uint64_t	 pos;		/* consumed up to */
	int		 keep;
	int		 hold;		/* drop nothing (rewinding) */
	int		 closing;
	int		 failed;
};

void	 ring_init(struct ring *, size_t, int);
void	 ring_destroy(struct ring *);
/* Copy n bytes in, waiting for room. 0, or -1 once the ring failed. */
int	 ring_write(struct ring *, const void *, size_t);
/*
 * The consumer: wait for bytes at the consumed offset and point *p at up
 * to max of them (contiguous). The count; 0 when the ring is closing and
 * all was consumed; -1 when it failed.
 */
long	 ring_peek(struct ring *, const unsigned char **, size_t);
/* ring_peek waiting at most secs (0: no limit): RING_TIMEOUT if none came. */
#define RING_TIMEOUT	(-2)
long	 ring_peek_timed(struct ring *, const unsigned char **, size_t, int);
/* Mark k bytes peeked as consumed. */
void	 ring_consume(struct ring *, size_t);
/*
 * Bytes held from offset off (which must be held), without waiting: for
 * a consumer resending after the writer closed. The count, 0 at the end.
 */
size_t	 ring_at(struct ring *, uint64_t, const unsigned char **, size_t);
/* Go back (or forward) to offset off if it is held: 0, or -1. */
int	 ring_rewind(struct ring *, uint64_t);
/* While on, drop nothing (the consumer is finding where to go back to). */
void	 ring_hold(struct ring *, int);
/* The writer is done (abandon: fail it too); wakes the consumer. */
void	 ring_close(struct ring *, int);
/* The consumer cannot go on; wakes the writer. */
void	 ring_fail(struct ring *);
int	 ring_failed(struct ring *);
/* The held window and the consumed offset, read under the lock. */
void	 ring_window(struct ring *, uint64_t *, uint64_t *, uint64_t *);

#endif
