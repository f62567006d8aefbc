/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Signed rule bundles (SPEC "Signed rule bundles"): a .tar.zst of .yar
 * files signed with stock `minisign -S -t "csirt-collect-rules
 * version=N"` (exactly that trusted comment). A bundle is accepted
 * only if its signature verifies against the configured public key and N
 * is not lower than the highest version accepted before for that key
 * (kept in the state directory, written atomically by `rules install`
 * and `rules pull` only: verifying and running write nothing). It is unpacked in memory; entries with "..", absolute
 * paths, links or devices are refused, sizes are capped.
 */
#ifndef RULES_H
#define RULES_H

#include <stddef.h>

#include "config.h"
#include "scan.h"

#define RULES_STATE_DIR		"/var/lib/csirt-collect"
#define RULES_BUNDLE_MAX	(256U << 20)
#define RULES_SIG_MAX		(64U << 10)

/*
 * What a signed pack holds. Rule bundles and IOC packs are made and
 * checked alike; they differ in the trusted comment's kind
 * ("csirt-collect-KIND version=N": one is never taken for the other),
 * the names of the floor and installed files in the state directory
 * (KIND.KEY.version, KIND.tar.zst) and the entries kept.
 */
struct rules_kind {
	const char		 *name;		/* "rules", "iocs" */
	const char		 *what;		/* in messages */
	const char *const	 *suffixes;	/* entries kept, NULL-ended */
};
extern const struct rules_kind	rules_kind_yara, rules_kind_iocs;

struct rules_bundle {
	const struct rules_kind	*kind;		/* NULL: rules_kind_yara */
	long long		 version;
	char			 key[64];	/* name of its key's floor */
	char			 sha256[65];	/* of the bundle file */
	struct scan_builtin	*files;		/* name, text */
	size_t			 nfiles;
};

/*
 * Verify bundle path (signature path.minisig) with the public key
 * pubkey ("RW…" or a key file), check its version against the state
 * directory, and unpack it into b. 0, or -1 with err ("rollback" named
 * as such). Nothing is written.
 */
int	 rules_bundle_load(const char *, const char *, const char *,
	    struct rules_bundle *, char *, size_t);
void	 rules_bundle_free(struct rules_bundle *);
/*
 * Record the bundle's version as accepted for its key in the state
 * directory (only `rules install` and `rules pull` do). 0 or -1.
 */
int	 rules_accept(const char *, const struct rules_bundle *, char *,
	    size_t);
/* Whether path names a bundle (ends in .tar.zst). */
int	 rules_is_bundle(const char *);
/* The installed bundle in the state directory, or NULL (caller frees). */
char	*rules_installed(const char *);

/* Whether a file name is one a kind keeps (.yar, or .json and .txt). */
int	 rules_kept(const struct rules_kind *, const char *);
/* The same for a pack of another kind (rules_* are rules_kind_yara's). */
int	 rules_pack_load(const struct rules_kind *, const char *, const char *,
	    const char *, struct rules_bundle *, char *, size_t);
int	 rules_pack_load_mem(const struct rules_kind *, const char *,
	    const char *, size_t, const char *, size_t, const char *,
	    const char *, struct rules_bundle *, char *, size_t);
char	*rules_pack_installed(const struct rules_kind *, const char *);

/* rules_bundle_load on a bundle and its signature in memory. */
int	 rules_bundle_load_mem(const char *, const char *, size_t,
	    const char *, size_t, const char *, const char *,
	    struct rules_bundle *, char *, size_t);
/*
 * Read a bundle and its .minisig (capped at RULES_BUNDLE_MAX and
 * RULES_SIG_MAX; the caller frees both): 0, or -1 with err.
 */
int	 rules_read(const char *, char **, size_t *, char **, size_t *, char *,
	    size_t);
/*
 * Install a verified bundle (b, with its bytes and signature) in the
 * state directory as rules.tar.zst(.minisig) and raise its key's floor.
 * 0, or -1 with err. A pack of another kind: KIND.tar.zst(.minisig).
 */
int	 rules_store(const char *, const struct rules_bundle *, const char *,
	    size_t, const char *, size_t, char *, size_t);

#endif
