/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * verify ARCHIVE [-p PUBKEY]: the outer minisign signature over the file
 * as written, the signature of manifest.json inside, and every entry's
 * sha256 and size against the manifest, with no entry missing or extra.
 * The archive is read once, streamed; only the manifest is held whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "crypt.h"
#include "sign.h"
#include "util.h"
#include "verify.h"

#define VERIFY_SIG_MAX		(64U << 10)
#define VERIFY_MANIFEST_MAX	(1ULL << 30)
#define VERIFY_CHUNK		(1U << 20)

struct verify_entry {
	char		*path;
	unsigned char	 sha256[32];
	uint64_t	 size;
	int		 matched;
};

struct verify {
	const char		*archive;
	struct sign_pubkey	 pub;
	struct verify_entry	*v;
	size_t			 n;
	char			*manifest;
	size_t			 manifest_len;
	char			*msig;
	size_t			 msig_len;
	int			 failed;
	char			 first[1024];	/* the first failure */
	struct crypt_dec	*dec;		/* .age: decrypting reader */
	unsigned char		*decbuf;
};

static void
verify_fail(struct verify *vf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
verify_fail(struct verify *vf, const char *fmt, ...)
{
	va_list	ap;
	char	msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "  FAILED  %s\n", msg);
	if (!vf->failed)
		snprintf(vf->first, sizeof vf->first, "%s", msg);
	vf->failed = 1;
}

static int
verify_outer(struct verify *vf, int fd)
{
	struct sign_sig	 sig;
	char		*sigpath, *text, err[512];
	size_t		 len;
	int		 rc = -1;

	sigpath = xasprintf("%s.minisig", vf->archive);
	text = util_read_file(sigpath, VERIFY_SIG_MAX, &len, err,
	    sizeof err);
	if (text == NULL) {
		verify_fail(vf, "outer signature: %s", err);
		goto done;
	}
	if (sign_sig_parse(text, len, &sig, err, sizeof err) == -1) {
		verify_fail(vf, "outer signature %s: %s", sigpath, err);
		goto done;
	}
	if (sign_verify_fd(&vf->pub, &sig, fd, err, sizeof err) == -1)
		verify_fail(vf, "outer signature: %s: %s", vf->archive, err);
	else {
		fprintf(stderr, "  ok      outer signature (trusted comment: "
		    "%s)\n", sig.trusted_comment);
		rc = 0;
	}
	sign_sig_free(&sig);
done:
	free(text);
	free(sigpath);
	return rc;
}

/* Keep a special entry's bytes in memory (the manifest, its sig). */
static int
verify_keep(struct archive *a, char **out, size_t *outlen, uint64_t max)
{
	struct buf	b = { 0 };
	char		chunk[65536];
	la_ssize_t	n;

	buf_add(&b, "", 0);
	while ((n = archive_read_data(a, chunk, sizeof chunk)) > 0) {
		if (b.len + (size_t)n > max) {
			buf_free(&b);
			return -1;
		}
		buf_add(&b, chunk, (size_t)n);
	}
	if (n < 0) {
		buf_free(&b);
		return -1;
	}
	free(*out);
	*out = b.data;
	*outlen = b.len;
	return 0;
}

static int
verify_hash_entry(struct archive *a, struct verify_entry *e,
    unsigned char *chunk)
{
	EVP_MD_CTX	*sha;
	la_ssize_t	 n;

	if ((sha = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(sha, EVP_sha256(), NULL) != 1)
		fatal("EVP sha256");
	while ((n = archive_read_data(a, chunk, VERIFY_CHUNK)) > 0) {
		EVP_DigestUpdate(sha, chunk, (size_t)n);
		e->size += (uint64_t)n;
	}
	EVP_DigestFinal_ex(sha, e->sha256, NULL);
	EVP_MD_CTX_free(sha);
	return n < 0 ? -1 : 0;
}

static la_ssize_t
verify_age_read(struct archive *a, void *arg, const void **buf)
{
	struct verify	*vf = arg;
	char		 err[256];
	ssize_t		 n;

	n = crypt_dec_read(vf->dec, vf->decbuf, VERIFY_CHUNK, err, sizeof err);
	if (n == -1) {
		archive_set_error(a, EINVAL, "%s", err);
		return -1;
	}
	*buf = vf->decbuf;
	return n;
}

/* Read every entry, hashing it; keep the manifest and its signature. */
static int
verify_read(struct verify *vf, int fd)
{
	struct archive		*a;
	struct archive_entry	*ae;
	unsigned char		*chunk;
	const char		*path;
	int			 rc, ret = 0;

	a = archive_read_new();
	archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
	if ((vf->dec != NULL ? archive_read_open(a, vf, NULL, verify_age_read,
	    NULL) : archive_read_open_fd(a, fd, 65536)) != ARCHIVE_OK) {
		verify_fail(vf, "%s: not a readable archive: %s", vf->archive,
		    archive_error_string(a));
		archive_read_free(a);
		return -1;
	}
	chunk = xmalloc(VERIFY_CHUNK);
	while ((rc = archive_read_next_header(a, &ae)) == ARCHIVE_OK ||
	    rc == ARCHIVE_WARN) {
		path = archive_entry_pathname(ae);
		if (path == NULL) {
			verify_fail(vf, "an entry has no name");
			continue;
		}
		if (strcmp(path, "manifest.json") == 0)
			rc = verify_keep(a, &vf->manifest, &vf->manifest_len,
			    VERIFY_MANIFEST_MAX);
		else if (strcmp(path, "manifest.json.minisig") == 0)
			rc = verify_keep(a, &vf->msig, &vf->msig_len,
			    VERIFY_SIG_MAX);
		else {
			vf->v = xreallocarray(vf->v, vf->n + 1, sizeof *vf->v);
			memset(&vf->v[vf->n], 0, sizeof *vf->v);
			vf->v[vf->n].path = xstrdup(path);
			rc = verify_hash_entry(a, &vf->v[vf->n++], chunk);
		}
		if (rc == -1) {
			verify_fail(vf, "%s: entry %s cannot be read: %s",
			    vf->archive, path, archive_error_string(a));
			ret = -1;
			break;
		}
	}
	if (rc != ARCHIVE_EOF && ret == 0) {
		verify_fail(vf, "%s: damaged archive: %s", vf->archive,
		    archive_error_string(a));
		ret = -1;
	}
	free(chunk);
	archive_read_free(a);
	return ret;
}

static int
verify_cmp(const void *a, const void *b)
{
	return strcmp(((const struct verify_entry *)a)->path,
	    ((const struct verify_entry *)b)->path);
}

/* The manifest entry's raw path: path_b64 decoded, or path. */
static char *
verify_entry_path(json_t *e)
{
	const char	*b64 = json_string_value(json_object_get(e, "path_b64"));
	const char	*p = json_string_value(json_object_get(e, "path"));
	unsigned char	*raw;
	size_t		 len, rawlen;

	if (b64 == NULL)
		return p ? xstrdup(p) : NULL;
	len = strlen(b64);
	raw = xmalloc(len + 1);
	if (sodium_base642bin(raw, len, b64, len, NULL, &rawlen, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0) {
		free(raw);
		return NULL;
	}
	raw[rawlen] = '\0';
	return (char *)raw;
}

static void
verify_one(struct verify *vf, json_t *je)
{
	struct verify_entry	 key, *e;
	const char		*hex;
	char			 got[65], *path;
	json_int_t		 size;

	if ((path = verify_entry_path(je)) == NULL) {
		verify_fail(vf, "manifest: an entry has no valid path");
		return;
	}
	key.path = path;
	e = bsearch(&key, vf->v, vf->n, sizeof *vf->v, verify_cmp);
	hex = json_string_value(json_object_get(je, "sha256"));
	size = json_integer_value(json_object_get(je, "size"));
	if (e == NULL)
		verify_fail(vf, "%s: listed in the manifest, missing from "
		    "the archive", path);
	else if (e->matched)
		verify_fail(vf, "%s: listed twice in the manifest", path);
	else {
		e->matched = 1;
		util_hex(got, e->sha256, sizeof e->sha256);
		if (hex == NULL || strcmp(hex, got) != 0)
			verify_fail(vf, "%s: sha256 differs from the manifest "
			    "(archive %s, manifest %s)", path, got,
			    hex ? hex : "none");
		else if ((uint64_t)size != e->size)
			verify_fail(vf, "%s: size differs from the manifest",
			    path);
	}
	free(path);
}

static void
verify_manifest(struct verify *vf)
{
	struct sign_sig	 sig;
	json_error_t	 jerr;
	json_t		*root, *entries, *je;
	char		 err[512];
	size_t		 i, bad = 0;

	if (vf->manifest == NULL || vf->msig == NULL) {
		verify_fail(vf, "%s is missing from the archive",
		    vf->manifest == NULL ? "manifest.json" :
		    "manifest.json.minisig");
		return;
	}
	if (sign_sig_parse(vf->msig, vf->msig_len, &sig, err,
	    sizeof err) == -1 || sign_verify_buffer(&vf->pub, &sig,
	    vf->manifest, vf->manifest_len, err, sizeof err) == -1)
		verify_fail(vf, "manifest.json signature: %s", err);
	else
		fprintf(stderr, "  ok      manifest signature\n");
	sign_sig_free(&sig);
	if ((root = json_loadb(vf->manifest, vf->manifest_len, 0,
	    &jerr)) == NULL) {
		verify_fail(vf, "manifest.json: line %d: %s", jerr.line,
		    jerr.text);
		return;
	}
	entries = json_object_get(root, "entries");
	if (!json_is_array(entries)) {
		verify_fail(vf, "manifest.json: no entries list");
		json_decref(root);
		return;
	}
	qsort(vf->v, vf->n, sizeof *vf->v, verify_cmp);
	for (i = 1; i < vf->n; i++)
		if (strcmp(vf->v[i - 1].path, vf->v[i].path) == 0)
			verify_fail(vf, "%s: twice in the archive",
			    vf->v[i].path);
	json_array_foreach(entries, i, je)
		verify_one(vf, je);
	for (i = 0; i < vf->n; i++)
		if (!vf->v[i].matched) {
			verify_fail(vf, "%s: in the archive but not in the "
			    "manifest", vf->v[i].path);
			bad++;
		}
	if (!vf->failed)
		fprintf(stderr, "  ok      %zu entries match the manifest\n",
		    vf->n);
	json_decref(root);
}

static void
verify_free(struct verify *vf)
{
	size_t	i;

	for (i = 0; i < vf->n; i++)
		free(vf->v[i].path);
	free(vf->v);
	free(vf->manifest);
	free(vf->msig);
	crypt_dec_free(vf->dec);
	free(vf->decbuf);
}

/* An age identity file's text, or NULL with a message printed. */
static char *
verify_identity(const char *path)
{
	char	 err[512], *text;
	size_t	 len;

	text = util_read_file(path, VERIFY_SIG_MAX, &len, err, sizeof err);
	if (text == NULL)
		fprintf(stderr, "%s: %s\n", AGENT_NAME, err);
	return text;
}

static int
verify_is_age(int fd)
{
	char	head[22];

	return pread(fd, head, sizeof head, 0) == (ssize_t)sizeof head &&
	    memcmp(head, "age-encryption.org/v1\n", sizeof head) == 0;
}

int
verify_decrypt(const char *in, const char *idpath, const char *outpath)
{
	struct crypt_dec	*d;
	char			 err[512], *ids, *buf;
	ssize_t			 n;
	int			 fd, ofd = STDOUT_FILENO, rc = EXIT_DONE;

	if ((ids = verify_identity(idpath)) == NULL)
		return EXIT_USAGE;
	if ((fd = open(in, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		fprintf(stderr, "%s: cannot read %s: %s\n", AGENT_NAME, in,
		    strerror(errno));
		crypt_free_secret(ids);
		return EXIT_USAGE;
	}
	d = crypt_dec_new(fd, ids, err, sizeof err);
	crypt_free_secret(ids);
	if (d == NULL) {
		fprintf(stderr, "%s: %s: %s\n", AGENT_NAME, in, err);
		close(fd);
		return EXIT_VERIFY;
	}
	if (outpath != NULL && (ofd = open(outpath, O_WRONLY | O_CREAT |
	    O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) == -1) {
		fprintf(stderr, "%s: cannot create %s: %s\n", AGENT_NAME,
		    outpath, strerror(errno));
		crypt_dec_free(d);
		close(fd);
		return EXIT_USAGE;
	}
	buf = xmalloc(VERIFY_CHUNK);
	while ((n = crypt_dec_read(d, buf, VERIFY_CHUNK, err,
	    sizeof err)) > 0)
		if (util_write_all(ofd, buf, (size_t)n) == -1) {
			snprintf(err, sizeof err, "write: %s", strerror(errno));
			n = -1;
			break;
		}
	if (n == -1) {
		fprintf(stderr, "%s: %s: %s\n", AGENT_NAME, in, err);
		rc = EXIT_VERIFY;
		if (outpath != NULL)
			unlink(outpath);
	}
	free(buf);
	crypt_dec_free(d);
	close(fd);
	if (outpath != NULL)
		close(ofd);
	return rc;
}

int
verify_main(const char *archive, const char *pubpath, const char *idpath)
{
	struct verify	 vf;
	struct stat	 st;
	char		 err[512], keyid[SIGN_KEYID_HEXLEN], *beside = NULL;
	int		 fd;

	memset(&vf, 0, sizeof vf);
	vf.archive = archive;
	if (pubpath == NULL) {
		beside = xasprintf("%s.pub", archive);
		pubpath = beside;
	}
	if (sign_pubkey_load(pubpath, &vf.pub, err, sizeof err) == -1) {
		fprintf(stderr, "%s: %s%s\n", AGENT_NAME, err, beside ?
		    " (give the public key with -p PUBKEY)" : "");
		free(beside);
		return EXIT_USAGE;
	}
	if ((fd = open(archive, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "%s: cannot read archive %s: %s\n", AGENT_NAME,
		    archive, fd == -1 ? strerror(errno) : "not a file");
		if (fd != -1)
			close(fd);
		free(beside);
		return EXIT_USAGE;
	}
	sign_keyid_hex(vf.pub.keyid, keyid);
	fprintf(stderr, "%s: verifying %s with key %s (%s)\n", AGENT_NAME,
	    archive, keyid, pubpath);
	if (beside != NULL)
		fprintf(stderr, "  note    the key beside the archive proves "
		    "integrity, not origin: compare its id with the one the "
		    "victim read to you\n");
	verify_outer(&vf, fd);
	if (verify_is_age(fd) && idpath == NULL) {
		fprintf(stderr, "  note    encrypted (age): the inside is not "
		    "checked; give the identity with -i to check it\n");
	} else if (lseek(fd, 0, SEEK_SET) == 0) {
		if (verify_is_age(fd)) {
			char	*ids = verify_identity(idpath), err2[256];

			if (ids == NULL) {
				close(fd);
				verify_free(&vf);
				free(beside);
				return EXIT_USAGE;
			}
			vf.dec = crypt_dec_new(fd, ids, err2, sizeof err2);
			crypt_free_secret(ids);
			vf.decbuf = xmalloc(VERIFY_CHUNK);
			if (vf.dec == NULL)
				verify_fail(&vf, "%s: %s", archive, err2);
		}
		if (!vf.failed && verify_read(&vf, fd) == 0)
			verify_manifest(&vf);
	}
	close(fd);
	if (vf.failed)
		fprintf(stderr, "%s: verification FAILED: %s\n", AGENT_NAME,
		    vf.first);
	else if (vf.n == 0 && vf.manifest == NULL)
		fprintf(stderr, "%s: %s: signature ok; contents encrypted, "
		    "not checked\n", AGENT_NAME, archive);
	else
		fprintf(stderr, "%s: %s verified: signature and %zu entries "
		    "ok\n", AGENT_NAME, archive, vf.n);
	verify_free(&vf);
	free(beside);
	return vf.failed ? EXIT_VERIFY : EXIT_DONE;
}
