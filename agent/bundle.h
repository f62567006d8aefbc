/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * A pre-configured agent: a copy of the binary with an INI configuration
 * appended as a checksummed payload. Layout at the end of the file:
 *
 *   payload (INI text) | trailer: magic[16] "CSIRT-COLLECT-C1",
 *   length (u64 little-endian), sha256(payload)[32], zero[8]
 *
 * The ELF loader ignores bytes after the last segment, so the copy runs
 * as the original does; the agent reads its own file at start.
 */
#ifndef BUNDLE_H
#define BUNDLE_H

#include <stddef.h>

#include "sign.h"

#define BUNDLE_MAX	(1U << 20)

/*
 * The embedded configuration of the running binary: 1 with *text set
 * (caller frees with config_free_text), 0 when there is none, -1 with
 * err when a payload is there but damaged.
 */
int	 bundle_read(char **, char *, size_t);
/* Options of `bundle`, and what it made. */
struct bundle_opts {
	const char	*agent;		/* --agent PATH, or NULL */
	int		 allow_dynamic;	/* --allow-dynamic */
	int		 no_preflight;	/* --no-preflight */
	/* Out: the kit's signing key and the drop box probe. */
	char		 keyid[SIGN_KEYID_HEXLEN];
	char		*pubkey;	/* minisign public key file text */
	char		 probe[512];	/* probe file name, "" if none */
	int		 probe_removed;
};

/*
 * Write a kit: parse config file cfgpath, refuse a CSIRT signing key in
 * it, make the kit's own key pair, check the result with run's checks
 * (pipeline_check), test the drop box unless no_preflight, then write a
 * static agent with the configuration embedded (files it names inlined)
 * to out (mode 0700, O_EXCL) and the kit's public key to out.pub. The
 * agent is o->agent, else the running binary if static, else
 * AGENT_NAME-static beside it; a dynamic one is refused unless
 * allow_dynamic. Returns an exit status: 0; 2 configuration or agent
 * refused; 3 drop box test failed; 1 writing failed (err set). Nothing
 * is left behind on failure. The caller frees o->pubkey.
 */
int	 bundle_write(const char *, const char *, struct bundle_opts *, char *,
	    size_t);
/* Same, reading the payload of the binary at path (tests, fuzzing). */
int	 bundle_read_file(const char *, char **, char *, size_t);

#endif
