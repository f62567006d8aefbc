/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * sshkey: private keys recognised by content and described from their
 * clear parts, on throwaway keys made by ssh-keygen and openssl for this
 * test (tests/fuzz/corpus/sshkey/, also the fuzz seeds): type, encryption,
 * bits, curve, comment (unencrypted OpenSSH only) and the fingerprint
 * ssh-keygen -l prints; and files that are no private key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sshkey.h"
#include "util.h"
#include "unit.h"

#define KEYDIR	"tests/fuzz/corpus/sshkey/"

/* Parse a corpus file; -2 when it cannot be read. */
static int
test_key(const char *name, struct sshkey_info *k)
{
	char	 path[256], buf[SSHKEY_READ_MAX];
	size_t	 len;
	FILE	*f;
	int	 rc;

	snprintf(path, sizeof path, KEYDIR "%s", name);
	if ((f = fopen(path, "r")) == NULL) {
		printf("# %s: cannot open\n", path);
		return -2;
	}
	len = fread(buf, 1, sizeof buf, f);
	fclose(f);
	rc = sshkey_parse(buf, len, k);
	if (rc == 0 && !sshkey_is_private(buf, len))
		rc = -3;
	return rc;
}

static void
test_openssh(void)
{
	struct sshkey_info	k;

	CHECK(test_key("openssh-ed25519", &k) == 0);
	CHECK_STR(k.format, "openssh");
	CHECK_STR(k.type, "ed25519");
	CHECK(k.encrypted == 0 && k.bits == 256);
	CHECK_STR(k.comment, "unit@test");
	CHECK_STR(k.fingerprint,
	    "SHA256:5nV+NYUJ16YUtZ0mdSk8VOT4JbEcbLngONE0HlAeEaE");
	/* Encrypted: no comment (it is in the encrypted part). */
	CHECK(test_key("openssh-ed25519-enc", &k) == 0);
	CHECK_STR(k.type, "ed25519");
	CHECK(k.encrypted == 1);
	CHECK_STR(k.comment, "");
	CHECK_STR(k.fingerprint,
	    "SHA256:5ieKZeSIdLx1B1TXroPd6Wy0IHkHMEIbiBG8+KZw1dM");
	CHECK(test_key("openssh-ecdsa384", &k) == 0);
	CHECK_STR(k.type, "ecdsa");
	CHECK_STR(k.curve, "nistp384");
	CHECK_STR(k.comment, "e");
	CHECK_STR(k.fingerprint,
	    "SHA256:AEuY1L4uiiUXMYIQdWoHctbCfEj4EhvqeRGC6pLgxyY");
	CHECK(test_key("openssh-rsa1024", &k) == 0);
	CHECK_STR(k.type, "rsa");
	CHECK(k.bits == 1024 && k.encrypted == 0);
	CHECK_STR(k.comment, "r");
	CHECK_STR(k.fingerprint,
	    "SHA256:PTM2Mdx2X5u1lkKvSOUm7XdbYrlVU88ady4mPSIMk5c");
	/* Cut: still a private key, what cannot be read stays unknown. */
	CHECK(test_key("openssh-cut", &k) == 0);
	CHECK_STR(k.format, "openssh");
	CHECK_STR(k.comment, "");
}

static void
test_pem(void)
{
	struct sshkey_info	k;

	CHECK(test_key("pem-rsa1024", &k) == 0);
	CHECK_STR(k.format, "pem");
	CHECK_STR(k.type, "rsa");
	CHECK(k.encrypted == 0 && k.bits == 1024);
	CHECK(test_key("pem-rsa-enc", &k) == 0);
	CHECK_STR(k.type, "rsa");
	CHECK(k.encrypted == 1 && k.bits == 0);
	CHECK(test_key("pkcs8-ed25519", &k) == 0);
	CHECK_STR(k.format, "pkcs8");
	CHECK_STR(k.type, "ed25519");
	CHECK(k.encrypted == 0);
	CHECK(test_key("pkcs8-enc", &k) == 0);
	CHECK_STR(k.type, "unknown");
	CHECK(k.encrypted == 1);
	CHECK(test_key("putty", &k) == 0);
	CHECK_STR(k.format, "putty");
	CHECK_STR(k.type, "ed25519");
	CHECK(k.encrypted == 0);
	CHECK(test_key("ssh2", &k) == 0);
	CHECK_STR(k.format, "ssh2");
	CHECK(k.encrypted == 1);
}

static void
test_not_private(void)
{
	static const char	*no[] = {
		"",
		"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI x@y\n",
		"-----BEGIN PUBLIC KEY-----\nMCow\n",
		"-----BEGIN CERTIFICATE-----\nPRIVATE KEY\n",
		"# -----BEGIN OPENSSH PRIVATE KEY-----\n",
		"text\n-----BEGIN RSA PRIVATE KEY-----\n",
	};
	static const char	*yes[] = {
		"-----BEGIN OPENSSH PRIVATE KEY-----",
		"\n\n  -----BEGIN EC PRIVATE KEY-----\r\nx",
		"-----BEGIN DSA PRIVATE KEY-----\n",
		"-----BEGIN ENCRYPTED PRIVATE KEY-----\n",
	};
	struct sshkey_info	 k;
	size_t			 i;

	for (i = 0; i < nitems(no); i++) {
		CHECK(!sshkey_is_private(no[i], strlen(no[i])));
		CHECK(sshkey_parse(no[i], strlen(no[i]), &k) == -1);
	}
	for (i = 0; i < nitems(yes); i++)
		CHECK(sshkey_is_private(yes[i], strlen(yes[i])));
	CHECK(sshkey_parse(yes[1], strlen(yes[1]), &k) == 0);
	CHECK_STR(k.type, "ecdsa");
	CHECK(test_key("not-a-key.pub", &k) == -1);
}

int
main(void)
{
	UNIT_RUN(test_openssh);
	UNIT_RUN(test_pem);
	UNIT_RUN(test_not_private);
	UNIT_EXIT();
}
