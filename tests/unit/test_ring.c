/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The byte ring shared by the output hand-over and the SFTP stream: bytes
 * come out in order through a ring much smaller than what passes, with
 * writes and reads of every size; with keep, the consumer can go back to
 * any offset still held and nothing it holds is dropped; a failed
 * consumer releases a waiting writer, and a close a waiting consumer.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "ring.h"
#include "unit.h"


static unsigned char
pattern(uint64_t off)
{
	return (unsigned char)(off * 131 + (off >> 8));
}

struct consumer {
	struct ring	*r;
	uint64_t	 got;
	int		 bad;
	int		 rewinds;	/* go back this many times */
	int		 failat;	/* fail once this many bytes came, or 0 */
};

static void *
consume(void *arg)
{
	struct consumer		*c = arg;
	const unsigned char	*p;
	uint64_t		 start, end, pos;
	long			 k, i;
	size_t			 max = 1;

	while ((k = ring_peek(c->r, &p, max)) > 0) {
		for (i = 0; i < k; i++)
			if (p[i] != pattern(c->got + (uint64_t)i))
				c->bad++;
		ring_consume(c->r, (size_t)k);
		c->got += (uint64_t)k;
		max = max % 97 + 13;
		if (c->failat != 0 && c->got >= (uint64_t)c->failat) {
			ring_fail(c->r);
			return NULL;
		}
		if (c->rewinds > 0 && c->got > 5000 && c->got % 7 == 0) {
			/* Hold, go back to the oldest byte held, resend. */
			ring_hold(c->r, 1);
			ring_window(c->r, &start, &end, &pos);
			if (pos != c->got || ring_rewind(c->r, start) != 0)
				c->bad++;
			c->got = start;
			ring_hold(c->r, 0);
			c->rewinds--;
		}
	}
	return NULL;
}

static void
run(uint64_t total, size_t cap, int keep, int rewinds)
{
	struct ring		 r;
	struct consumer		 c = { &r, 0, 0, rewinds, 0 };
	unsigned char		 buf[300];
	pthread_t		 th;
	uint64_t		 off = 0;
	size_t			 n = 1, i;

	ring_init(&r, cap, keep);
	CHECK(pthread_create(&th, NULL, consume, &c) == 0);
	while (off < total) {
		if (n > total - off)
			n = (size_t)(total - off);
		for (i = 0; i < n; i++)
			buf[i] = pattern(off + i);
		CHECK(ring_write(&r, buf, n) == 0);
		off += n;
		n = n % 293 + 1;
	}
	ring_close(&r, 0);
	pthread_join(th, NULL);
	CHECK(c.got == total);
	CHECK(c.bad == 0);
	CHECK(c.rewinds == 0);
	CHECK(!ring_failed(&r));
	ring_destroy(&r);
}

static void
test_order(void)
{
	run(20000, 7, 0, 0);
	run(200000, 4096, 0, 0);
	run(5000, 1, 0, 0);
}

static void
test_keep_rewind(void)
{
	run(50000, 64, 1, 50);
	run(200000, 4096, 1, 20);
}

/* With keep, what was consumed stays until the room is needed. */
static void
test_keep_window(void)
{
	struct ring		 r;
	const unsigned char	*p;
	unsigned char		 buf[10];
	uint64_t		 start, end, pos;
	size_t			 i;

	for (i = 0; i < sizeof buf; i++)
		buf[i] = (unsigned char)i;
	ring_init(&r, 16, 1);
	CHECK(ring_write(&r, buf, 10) == 0);
	CHECK(ring_peek(&r, &p, 6) == 6);
	ring_consume(&r, 6);
	ring_window(&r, &start, &end, &pos);
	CHECK(start == 0 && end == 10 && pos == 6);
	CHECK(ring_write(&r, buf, 10) == 0);	/* drops 4 consumed bytes */
	ring_window(&r, &start, &end, &pos);
	CHECK(start == 4 && end == 20 && pos == 6);
	CHECK(ring_rewind(&r, 3) == -1);	/* no longer held */
	CHECK(ring_rewind(&r, 4) == 0);
	CHECK(ring_at(&r, 4, &p, 100) == 12 && p[0] == 4);	/* to the end */
	CHECK(ring_rewind(&r, 21) == -1);
	ring_destroy(&r);
	/* Without keep, consumed bytes leave at once. */
	ring_init(&r, 16, 0);
	CHECK(ring_write(&r, buf, 10) == 0);
	CHECK(ring_peek(&r, &p, 6) == 6);
	ring_consume(&r, 6);
	ring_window(&r, &start, &end, &pos);
	CHECK(start == 6 && end == 10 && pos == 6);
	ring_destroy(&r);
}

/* A consumer that fails releases a writer waiting for room. */
static void
test_fail_releases_writer(void)
{
	struct ring		 r;
	struct consumer		 c = { &r, 0, 0, 0, 1000 };
	unsigned char		 buf[256];
	pthread_t		 th;
	int			 i, rc = 0;

	for (i = 0; i < 256; i++)
		buf[i] = pattern((uint64_t)i);
	ring_init(&r, 64, 0);
	CHECK(pthread_create(&th, NULL, consume, &c) == 0);
	/* Only the first 256 bytes follow the pattern; the rest is noise. */
	rc = ring_write(&r, buf, sizeof buf);
	for (i = 0; i < 1000 && rc == 0; i++)
		rc = ring_write(&r, buf, sizeof buf);
	pthread_join(th, NULL);
	CHECK(rc == -1);
	CHECK(ring_failed(&r));
	ring_destroy(&r);
}

static void *
wait_peek(void *arg)
{
	const unsigned char	*p;

	return (void *)(intptr_t)ring_peek(arg, &p, 10);
}

/* Closing wakes a consumer waiting for bytes; abandoning fails it. */
static void
test_close_wakes(void)
{
	struct ring	 r;
	pthread_t	 th;
	void		*ret;

	ring_init(&r, 8, 0);
	CHECK(pthread_create(&th, NULL, wait_peek, &r) == 0);
	usleep(10000);
	ring_close(&r, 0);
	pthread_join(th, &ret);
	CHECK((intptr_t)ret == 0);
	ring_destroy(&r);
	ring_init(&r, 8, 0);
	CHECK(pthread_create(&th, NULL, wait_peek, &r) == 0);
	usleep(10000);
	ring_close(&r, 1);
	pthread_join(th, &ret);
	CHECK((intptr_t)ret == -1);
	ring_destroy(&r);
}

int
main(void)
{
	UNIT_RUN(test_order);
	UNIT_RUN(test_keep_rewind);
	UNIT_RUN(test_keep_window);
	UNIT_RUN(test_fail_releases_writer);
	UNIT_RUN(test_close_wakes);
	UNIT_EXIT();
}
