/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the firewall collector's decoders
 * (collectors/firewall.h): the legacy iptables entry walker and the
 * audit rule decoder. Their input is kernel memory, which a rootkit in
 * the kernel (or a bug) may have shaped: every offset is untrusted, and
 * the walker must never read past the blob nor loop. The blob is copied
 * to a buffer of exactly its size so that ASan sees any overread.
 *
 * Input: one mode byte (bit 0: IPv6, bit 1: an audit rule instead), then
 * for iptables the table head (valid_hooks, then five hook_entry and five
 * underflow offsets, each 16-bit little-endian), then the bytes.
 * Corpus: tests/fuzz/corpus/firewall/.
 */
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "firewall.h"
#include "util.h"

#define FUZZ_HEAD	(1 + 2 + 5 * 2 + 5 * 2)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
fuzz_emit(json_t *rec, void *arg)
{
	size_t	*n = arg;
	char	*s;

	if ((s = json_dumps(rec, 0)) == NULL)
		fatal("fuzz: a record does not serialise");
	free(s);
	json_decref(rec);
	(*n)++;
	return 0;
}

static unsigned int
fuzz_u16(const uint8_t *p)
{
	return (unsigned int)p[0] | (unsigned int)p[1] << 8;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct firewall_ipt_table	 t = { .name = "fuzz" };
	unsigned char			*copy;
	json_t				*rec;
	char				*s;
	size_t				 n = 0, nbad, got, i;

	if (len < 1 || len > 256 * 1024)
		return 0;
	if (data[0] & 2) {
		copy = xmalloc(len - 1 + 1);
		memcpy(copy, data + 1, len - 1);
		if ((rec = firewall_audit_rule(copy, len - 1)) != NULL) {
			if ((s = json_dumps(rec, 0)) == NULL)
				fatal("fuzz: an audit rule does not serialise");
			free(s);
			json_decref(rec);
		}
		free(copy);
		return 0;
	}
	if (len < FUZZ_HEAD)
		return 0;
	t.family = data[0] & 1 ? AF_INET6 : AF_INET;
	t.valid_hooks = fuzz_u16(data + 1);
	for (i = 0; i < 5; i++) {
		t.hook_entry[i] = fuzz_u16(data + 3 + 2 * i);
		t.underflow[i] = fuzz_u16(data + 13 + 2 * i);
	}
	len -= FUZZ_HEAD;
	copy = xmalloc(len + 1);
	memcpy(copy, data + FUZZ_HEAD, len);
	got = firewall_ipt_walk(copy, len, &t, fuzz_emit, &n, &nbad);
	if (got != n || nbad > 1)
		fatal("fuzz: %zu records said, %zu emitted, %zu bad", got, n,
		    nbad);
	free(copy);
	return 0;
}
