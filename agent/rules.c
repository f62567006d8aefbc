/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Signed rule bundles: verification, the version check against rollback,
 * unpacking in memory with libarchive, and the state directory (written
 * only by `rules install` and `rules pull`). See rules.h; the commands
 * are in cli-rules.c.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "i18n.h"
#include "log.h"
#include "rules.h"
#include "sign.h"
#include "util.h"

#define RULES_ENTRY_MAX		(64U << 20)
#define RULES_ENTRIES_MAX	10000
#define RULES_TAG		"csirt-collect-"

static const char *const rules_yar[] = { ".yar", ".yara", NULL };
static const char *const rules_ioc[] = { ".json", ".txt", NULL };
const struct rules_kind rules_kind_yara = { "rules", "rule bundle", rules_yar };
const struct rules_kind rules_kind_iocs = { "iocs", "IOC pack", rules_ioc };

static const struct rules_kind *
rules_kind_of(const struct rules_bundle *b)
{
	return b->kind != NULL ? b->kind : &rules_kind_yara;
}

int
rules_is_bundle(const char *path)
{
	size_t	len = strlen(path);

	return len > 8 && strcmp(path + len - 8, ".tar.zst") == 0;
}

static int
rules_pubkey(const char *key, struct sign_pubkey *pk, char *err,
    size_t errlen)
{
	if (key == NULL) {
		snprintf(err, errlen, "no rules public key ([rules] pubkey or "
		    "-p PUBKEY): a bundle is only taken signed");
		return -1;
	}
	if (strncmp(key, "RW", 2) == 0)
		return sign_pubkey_parse(key, strlen(key), pk, err, errlen);
	return sign_pubkey_load(key, pk, err, errlen);
}

/*
 * N of a trusted comment that is exactly "csirt-collect-KIND version=N",
 * N a decimal number up to 2^53 without sign, spaces or leading zeros (one
 * spelling per version: "05" is refused, "0" is a version). -1 otherwise.
 */
static long long
rules_version(const struct rules_kind *k, const char *tc)
{
	const char	*p;
	long long	 v;
	size_t		 n;

	if (strncmp(tc, RULES_TAG, strlen(RULES_TAG)) != 0 ||
	    strncmp(tc + strlen(RULES_TAG), k->name, strlen(k->name)) != 0 ||
	    strncmp(tc + strlen(RULES_TAG) + strlen(k->name), " version=",
	    9) != 0)
		return -1;
	p = tc + strlen(RULES_TAG) + strlen(k->name) + 9;
	n = strspn(p, "0123456789");
	if (n == 0 || n > 16 || p[n] != '\0' || (p[0] == '0' && n > 1))
		return -1;
	if (util_parse_int(p, 0, 1LL << 53, &v) == -1)
		return -1;
	return v;
}

/* The trusted comment for a message: printable ASCII, cut at 80. */
static void
rules_quote(char *dst, size_t len, const char *tc)
{
	size_t	i;

	for (i = 0; tc[i] != '\0' && i + 1 < len && i < 80; i++)
		dst[i] = tc[i] >= 0x20 && tc[i] < 0x7f ? tc[i] : '?';
	dst[i] = '\0';
}

static char *
rules_state_path(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir ? dir : RULES_STATE_DIR, name);
}

/* The version in the state file dir/name, or -1 when it has none. */
static long long
rules_read_version(const char *dir, const char *name)
{
	char		*path, *s, err[256];
	long long	 v;
	size_t		 len;

	path = rules_state_path(dir, name);
	s = util_read_file(path, 64, &len, err, sizeof err);
	free(path);
	if (s == NULL)
		return -1;
	s[strcspn(s, "\n")] = '\0';
	if (util_parse_int(s, 0, 1LL << 53, &v) == -1)
		v = 0;
	free(s);
	return v;
}

/*
 * The highest version accepted before for the key keyid (hex), 0 when
 * none. The floor is per key (rules.KEYID-HASH.version, see
 * rules_key_name): a bundle signed by
 * one key never blocks those of another. Migration: the single
 * rules.version of older agents still counts as the floor of the
 * configured key as long as that key has no file of its own; it is
 * never written again.
 */
static long long
rules_accepted(const struct rules_kind *k, const char *dir,
    const char *keyid)
{
	char		 name[96];
	long long	 v;

	snprintf(name, sizeof name, "%s.%s.version", k->name, keyid);
	if ((v = rules_read_version(dir, name)) == -1 &&
	    (k != &rules_kind_yara ||
	    (v = rules_read_version(dir, "rules.version")) == -1))
		v = 0;
	return v;
}

/* Write data to dir/name through a temporary file and rename. */
static int
rules_write_state(const char *dir, const char *name, const void *p,
    size_t n, char *err, size_t errlen)
{
	char	*tmp, *path;
	int	 fd, rc = -1;

	dir = dir ? dir : RULES_STATE_DIR;
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	path = rules_state_path(dir, name);
	tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1 || util_write_all(fd, p, n) == -1 || fsync(fd) == -1 ||
	    close(fd) == -1 || rename(tmp, path) == -1)
		snprintf(err, errlen, "cannot write %s: %s", path,
		    strerror(errno));
	else {
		fd = -1;
		rc = 0;
	}
	if (rc == -1) {
		if (fd != -1)
			close(fd);
		unlink(tmp);
	}
	free(tmp);
	free(path);
	return rc;
}

int
rules_accept(const char *dir, const struct rules_bundle *b, char *err,
    size_t errlen)
{
	char	num[32], name[96];

	if (b->version <= rules_accepted(rules_kind_of(b), dir, b->key))
		return 0;
	snprintf(num, sizeof num, "%lld\n", b->version);
	snprintf(name, sizeof name, "%s.%s.version", rules_kind_of(b)->name,
	    b->key);
	return rules_write_state(dir, name, num, strlen(num), err, errlen);
}

/* Is an entry name safe: relative, no "..", no empty component? */
static int
rules_safe_name(const char *name)
{
	const char	*p = name;
	size_t		 n;

	if (*name == '\0' || *name == '/')
		return 0;
	while (*p != '\0') {
		n = strcspn(p, "/");
		if ((n == 2 && strncmp(p, "..", 2) == 0))
			return 0;
		p += n;
		while (*p == '/')
			p++;
	}
	return 1;
}

static int
rules_has_suffix(const char *s, const char *suffix)
{
	size_t	a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Read one entry's text into b. 0 or -1 with err. */
static int
rules_entry(struct archive *a, struct archive_entry *e,
    struct rules_bundle *b, char *err, size_t errlen)
{
	const char	*name = archive_entry_pathname(e);
	la_int64_t	 size = archive_entry_size(e);
	char		*text;
	la_ssize_t	 n;

	if (size < 0 || size > RULES_ENTRY_MAX) {
		snprintf(err, errlen, "bundle entry %s: too large", name);
		return -1;
	}
	text = xmalloc((size_t)size + 1);
	n = archive_read_data(a, text, (size_t)size);
	if (n != size || memchr(text, '\0', (size_t)size) != NULL) {
		snprintf(err, errlen, "bundle entry %s: %s", name,
		    n != size ? "short read" : "binary content");
		free(text);
		return -1;
	}
	text[size] = '\0';
	b->files = xreallocarray(b->files, b->nfiles + 2, sizeof *b->files);
	b->files[b->nfiles].name = xstrdup(name);
	b->files[b->nfiles].text = text;
	b->nfiles++;
	b->files[b->nfiles].name = NULL;
	b->files[b->nfiles].text = NULL;
	return 0;
}

int
rules_kept(const struct rules_kind *k, const char *name)
{
	const char *const	*sfx;

	for (sfx = k->suffixes; *sfx != NULL; sfx++)
		if (rules_has_suffix(name, *sfx))
			return 1;
	return 0;
}

/* Unpack the files of the bundle its kind keeps in memory. 0 or -1. */
static int
rules_unpack(const char *data, size_t len, struct rules_bundle *b,
    char *err, size_t errlen)
{
	struct archive		*a = archive_read_new();
	struct archive_entry	*e;
	const char		*name;
	size_t			 count = 0;
	int			 rc;

	archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
		snprintf(err, errlen, "not a .tar.zst bundle: %s",
		    archive_error_string(a));
		archive_read_free(a);
		return -1;
	}
	while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		name = archive_entry_pathname(e);
		if (name == NULL || !rules_safe_name(name)) {
			snprintf(err, errlen, "bundle entry \"%s\": absolute "
			    "or with \"..\": refused", name ? name : "");
			rc = ARCHIVE_FATAL;
			break;
		}
		if (++count > RULES_ENTRIES_MAX) {
			snprintf(err, errlen, "bundle: too many entries");
			rc = ARCHIVE_FATAL;
			break;
		}
		if (archive_entry_filetype(e) == AE_IFDIR)
			continue;
		if (archive_entry_filetype(e) != AE_IFREG ||
		    archive_entry_hardlink(e) != NULL) {
			snprintf(err, errlen, "bundle entry %s: a link or "
			    "special file: refused", name);
			rc = ARCHIVE_FATAL;
			break;
		}
		if (!rules_kept(rules_kind_of(b), name)) {
			archive_read_data_skip(a);
			continue;
		}
		if (rules_entry(a, e, b, err, errlen) == -1) {
			rc = ARCHIVE_FATAL;
			break;
		}
	}
	if (rc != ARCHIVE_EOF && rc != ARCHIVE_FATAL)
		snprintf(err, errlen, "damaged bundle: %s",
		    archive_error_string(a));
	archive_read_free(a);
	if (rc == ARCHIVE_EOF && b->nfiles == 0) {
		snprintf(err, errlen, "bundle holds no %s file",
		    rules_kind_of(b) == &rules_kind_iocs ? ".json or .txt" :
		    ".yar");
		return -1;
	}
	return rc == ARCHIVE_EOF ? 0 : -1;
}

/*
 * The name of a key's rollback floor: minisign's key id (what `minisign`
 * prints) and 128 bits of the SHA-256 of the public key, since the key
 * id alone is chosen by whoever makes the key and could be copied.
 */
static void
rules_key_name(const struct sign_pubkey *pk, char *out, size_t len)
{
	unsigned char	sha[32];
	char		id[SIGN_KEYID_HEXLEN], hex[65];

	EVP_Digest(pk->pk, sizeof pk->pk, sha, NULL, EVP_sha256(), NULL);
	util_hex(hex, sha, 16);
	sign_keyid_hex(pk->keyid, id);
	snprintf(out, len, "%s-%.32s", id, hex);
}

/* Check the version tag of a verified trusted comment and the floor. */
static int
rules_check_version(const char *path, const char *tc, const char *state,
    struct rules_bundle *b, char *err, size_t errlen)
{
	const struct rules_kind	*k = rules_kind_of(b);
	char			 q[96], tag[64];
	long long		 prev;

	if ((b->version = rules_version(k, tc)) < 0) {
		rules_quote(q, sizeof q, tc);
		snprintf(tag, sizeof tag, RULES_TAG "%s version=", k->name);
		snprintf(err, errlen, i18n("bundle %s: the trusted comment "
		    "\"%s\" is not exactly \"%sN\" (N a number without sign, "
		    "spaces or leading zeros): refused"), path, q, tag);
		return -1;
	}
	if (b->version < (prev = rules_accepted(k, state, b->key))) {
		snprintf(err, errlen, i18n("bundle %s: version %lld is older "
		    "than version %lld accepted before for key %s: refused "
		    "(rollback)"), path, b->version, prev, b->key);
		return -1;
	}
	return 0;
}

/* Check the signature sigtext and the version of data; b->version set. */
static int
rules_check(const char *path, const char *data, size_t len,
    const char *sigtext, size_t siglen, const char *pubkey,
    const char *state, struct rules_bundle *b, char *err, size_t errlen)
{
	struct sign_pubkey	 pk;
	struct sign_sig		 sig;
	char			 why[256];
	int			 rc = -1;

	if (rules_pubkey(pubkey, &pk, err, errlen) == -1)
		return -1;
	rules_key_name(&pk, b->key, sizeof b->key);
	memset(&sig, 0, sizeof sig);
	if (sign_sig_parse(sigtext, siglen, &sig, why, sizeof why) == -1 ||
	    sign_verify_buffer(&pk, &sig, data, len, why, sizeof why) == -1)
		snprintf(err, errlen, "bundle %s: signature refused: %s", path,
		    why);
	else
		rc = rules_check_version(path, sig.trusted_comment, state, b,
		    err, errlen);
	sign_sig_free(&sig);
	return rc;
}

int
rules_pack_load_mem(const struct rules_kind *k, const char *path,
    const char *data, size_t len, const char *sig, size_t siglen,
    const char *pubkey, const char *state, struct rules_bundle *b,
    char *err, size_t errlen)
{
	unsigned char	 sha[32];
	char		 why[256];

	memset(b, 0, sizeof *b);
	b->kind = k;
	if (rules_check(path, data, len, sig, siglen, pubkey, state, b, err,
	    errlen) == -1) {
		rules_bundle_free(b);
		return -1;
	}
	if (rules_unpack(data, len, b, why, sizeof why) == -1) {
		snprintf(err, errlen, "bundle %s: %s", path, why);
		rules_bundle_free(b);
		return -1;
	}
	EVP_Digest(data, len, sha, NULL, EVP_sha256(), NULL);
	util_hex(b->sha256, sha, sizeof sha);
	return 0;
}

int
rules_bundle_load_mem(const char *path, const char *data, size_t len,
    const char *sig, size_t siglen, const char *pubkey, const char *state,
    struct rules_bundle *b, char *err, size_t errlen)
{
	return rules_pack_load_mem(&rules_kind_yara, path, data, len, sig,
	    siglen, pubkey, state, b, err, errlen);
}

int
rules_read(const char *path, char **data, size_t *len, char **sig,
    size_t *siglen, char *err, size_t errlen)
{
	char	*sigpath, why[256];

	*sig = NULL;
	if ((*data = util_read_file(path, RULES_BUNDLE_MAX, len, why,
	    sizeof why)) == NULL) {
		snprintf(err, errlen, "bundle: %s", why);
		return -1;
	}
	sigpath = xasprintf("%s.minisig", path);
	*sig = util_read_file(sigpath, RULES_SIG_MAX, siglen, why, sizeof why);
	free(sigpath);
	if (*sig == NULL) {
		snprintf(err, errlen, "bundle %s has no signature: %s", path,
		    why);
		free(*data);
		*data = NULL;
		return -1;
	}
	return 0;
}

int
rules_pack_load(const struct rules_kind *k, const char *path,
    const char *pubkey, const char *state, struct rules_bundle *b,
    char *err, size_t errlen)
{
	char	*data, *sig;
	size_t	 len, siglen;
	int	 rc;

	memset(b, 0, sizeof *b);
	if (rules_read(path, &data, &len, &sig, &siglen, err, errlen) == -1)
		return -1;
	rc = rules_pack_load_mem(k, path, data, len, sig, siglen, pubkey,
	    state, b, err, errlen);
	free(data);
	free(sig);
	return rc;
}

int
rules_bundle_load(const char *path, const char *pubkey, const char *state,
    struct rules_bundle *b, char *err, size_t errlen)
{
	return rules_pack_load(&rules_kind_yara, path, pubkey, state, b, err,
	    errlen);
}

void
rules_bundle_free(struct rules_bundle *b)
{
	size_t	i;

	for (i = 0; i < b->nfiles; i++) {
		free((char *)b->files[i].name);
		free((char *)b->files[i].text);
	}
	free(b->files);
	memset(b, 0, sizeof *b);
}

char *
rules_pack_installed(const struct rules_kind *k, const char *dir)
{
	char	*name = xasprintf("%s.tar.zst", k->name);
	char	*path = rules_state_path(dir, name);

	free(name);
	if (access(path, F_OK) == 0)
		return path;
	free(path);
	return NULL;
}

char *
rules_installed(const char *dir)
{
	return rules_pack_installed(&rules_kind_yara, dir);
}

int
rules_store(const char *dir, const struct rules_bundle *b, const char *data,
    size_t len, const char *sig, size_t siglen, char *err, size_t errlen)
{
	char	name[64], signame[80];

	snprintf(name, sizeof name, "%s.tar.zst", rules_kind_of(b)->name);
	snprintf(signame, sizeof signame, "%s.minisig", name);
	if (rules_write_state(dir, name, data, len, err, errlen) == -1 ||
	    rules_write_state(dir, signame, sig, siglen, err, errlen) == -1 ||
	    rules_accept(dir, b, err, errlen) == -1)
		return -1;
	return 0;
}
