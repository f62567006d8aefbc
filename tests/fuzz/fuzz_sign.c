/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the minisign parsers: public keys (a rules.pubkey
 * or a -p file), secret keys (a bundle's inline key) and .minisig texts
 * (beside an archive or a rule bundle, both attacker-supplied in verify
 * and rules verify). The same bytes feed each parser; a parsed secret key
 * must sign and verify its own signature, and a parsed signature is
 * checked against a fixed key and a parsed public key, over the input.
 * Corpus: tests/fuzz/corpus/sign/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sign.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The public key of tests/fuzz/corpus/sign/seckey (minisign -G -W). */
static const char fuzz_pub[] =
    "RWRMkXqz2s9m9mOBe/NR2xC6JZOOedFVAi8lhppmoa9wjPPGt0l1FrkQ";

static void
fuzz_roundtrip(const struct sign_seckey *sk, const uint8_t *data, size_t len)
{
	struct sign_pubkey	 pk;
	struct sign_sig		 sig;
	char			*text, err[512];

	sign_seckey_pubkey(sk, &pk);
	text = sign_buffer(sk, data, len, "fuzz");
	if (sign_sig_parse(text, strlen(text), &sig, err, sizeof err) == -1)
		fatal("fuzz: own signature does not parse: %s", err);
	if (sign_verify_buffer(&pk, &sig, data, len, err, sizeof err) == -1)
		fatal("fuzz: own signature does not verify: %s", err);
	sign_sig_free(&sig);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char		*text = (const char *)data;
	struct sign_pubkey	 pk, fixed;
	struct sign_seckey	*sk;
	struct sign_sig		 sig;
	char			 err[512];
	int			 havepk;

	if (len > 65536)
		return 0;
	havepk = sign_pubkey_parse(text, len, &pk, err, sizeof err) == 0;
	if ((sk = sign_seckey_parse(text, len, err, sizeof err)) != NULL) {
		fuzz_roundtrip(sk, data, len);
		sign_seckey_free(sk);
	}
	if (sign_sig_parse(text, len, &sig, err, sizeof err) == 0) {
		if (sign_pubkey_parse(fuzz_pub, strlen(fuzz_pub), &fixed, err,
		    sizeof err) == -1)
			fatal("fuzz: fixed key: %s", err);
		(void)sign_verify_buffer(&fixed, &sig, data, len, err,
		    sizeof err);
		if (havepk)
			(void)sign_verify_buffer(&pk, &sig, data, len, err,
			    sizeof err);
	}
	sign_sig_free(&sig);
	return 0;
}
