/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for agent/sshkey.c: any file of a .ssh directory or
 * of /etc/ssh is read by the ssh_keys collector, and any collected file's
 * start goes through sshkey_is_private. The description must hold only
 * printable text and agree with sshkey_is_private.
 * Corpus: tests/fuzz/corpus/sshkey/ (throwaway keys made for the tests).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sshkey.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_printable(const char *s, size_t size)
{
	size_t	i;

	for (i = 0; i < size && s[i] != '\0'; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			fatal("fuzz: sshkey: unprintable byte in a field");
	if (i == size)
		fatal("fuzz: sshkey: field not terminated");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct sshkey_info	k;
	int			priv;

	if (len > SSHKEY_READ_MAX)
		len = SSHKEY_READ_MAX;
	priv = sshkey_is_private(data, len);
	if ((sshkey_parse(data, len, &k) == 0) != priv)
		fatal("fuzz: sshkey_parse and sshkey_is_private disagree");
	if (!priv)
		return 0;
	fuzz_printable(k.curve, sizeof k.curve);
	fuzz_printable(k.comment, sizeof k.comment);
	fuzz_printable(k.fingerprint, sizeof k.fingerprint);
	if (k.type == NULL || k.format == NULL)
		fatal("fuzz: sshkey: no type or format");
	return 0;
}
