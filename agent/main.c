/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * csirt-collect: a forensic collection agent. main() sets a safe
 * process state (umask, no core dumps holding keys) and hands over to
 * the command line.
 */
#include <locale.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <sodium.h>

#include "cli.h"
#include "i18n.h"
#include "util.h"

int
main(int argc, char **argv)
{
	struct rlimit	rl = { 0, 0 };

	umask(077);
	/*
	 * Never read the host's openssl.cnf: a hostile one could make
	 * libcrypto load an engine or provider from the host.
	 */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
	/* Secret keys must not end up in a core file. */
	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, 0);
	/*
	 * Names are bytes: UTF-8 ones are stored as UTF-8 in the pax
	 * headers, others as raw bytes (hdrcharset=BINARY). Without a
	 * UTF-8 locale (a bare chroot), the C locale stores all as bytes.
	 */
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		setlocale(LC_CTYPE, "C");
	i18n_init();
	if (sodium_init() == -1)
		fatal("libsodium cannot be initialised");
	return cli_main(argc, argv);
}
