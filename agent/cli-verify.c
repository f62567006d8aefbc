/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * verify and decrypt, the command line half: the files named are opened
 * (and the identity read) before the sandbox is entered, the library
 * (verify.c) reads the hostile bytes, and this prints what it reports
 * and decides the exit status.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "crypt.h"
#include "sandbox.h"
#include "sign.h"
#include "util.h"
#include "verify.h"

#define CLI_IDENTITY_MAX	(64U << 10)

static void
cli_verify_line(void *arg, const char *tag, const char *msg)
{
	(void)arg;
	fprintf(stderr, "  %-7s %s\n", tag, msg);
}

/* An age identity file's text, or NULL with a message printed. */
static char *
cli_identity(const char *path)
{
	char	 err[512], *text;
	size_t	 len;

	text = util_read_file(path, CLI_IDENTITY_MAX, &len, err, sizeof err);
	if (text == NULL)
		fprintf(stderr, "%s: %s\n", AGENT_NAME, err);
	return text;
}

/* From here on the input is hostile: only what reading needs. */
static void
cli_sandbox(void)
{
	char	err[256];

	if (sandbox_enter(err, sizeof err) == -1)
		fprintf(stderr, "%s: running without the sandbox: %s\n",
		    AGENT_NAME, err);
}

int
cli_verify_archive(const char *archive, const char *pubpath,
    const char *idpath)
{
	struct verify_result	res;

	return cli_verify_tap(archive, pubpath, idpath, NULL, &res);
}

int
cli_verify_tap(const char *archive, const char *pubpath, const char *idpath,
    const struct verify_tap *tap, struct verify_result *res)
{
	const struct verify_say	 say = { cli_verify_line, NULL, tap };
	struct sign_pubkey	 pub;
	struct stat		 st;
	char			 err[512], keyid[SIGN_KEYID_HEXLEN];
	char			*beside = NULL, *ids = NULL;
	int			 fd;

	memset(res, 0, sizeof *res);
	if (pubpath == NULL)
		pubpath = beside = xasprintf("%s.pub", archive);
	if (sign_pubkey_load(pubpath, &pub, err, sizeof err) == -1) {
		fprintf(stderr, "%s: %s%s\n", AGENT_NAME, err, beside ?
		    " (give the public key with -p PUBKEY)" : "");
		free(beside);
		return EXIT_USAGE;
	}
	if (idpath != NULL && (ids = cli_identity(idpath)) == NULL) {
		free(beside);
		return EXIT_USAGE;
	}
	if ((fd = open(archive, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "%s: cannot read archive %s: %s\n", AGENT_NAME,
		    archive, fd == -1 ? strerror(errno) : "not a file");
		if (fd != -1)
			close(fd);
		crypt_free_secret(ids);
		free(beside);
		return EXIT_USAGE;
	}
	cli_sandbox();
	sign_keyid_hex(pub.keyid, keyid);
	fprintf(stderr, "%s: verifying %s with key %s (%s)\n", AGENT_NAME,
	    archive, keyid, pubpath);
	if (beside != NULL)
		cli_verify_line(NULL, "note", "the key beside the archive "
		    "proves integrity, not origin: compare its id with the one "
		    "the victim read to you");
	verify_archive(fd, archive, &pub, ids, &say, res);
	close(fd);
	crypt_free_secret(ids);
	free(beside);
	if (res->failed)
		fprintf(stderr, "%s: verification FAILED: %s\n", AGENT_NAME,
		    res->first);
	else if (!res->inside)
		fprintf(stderr, "%s: %s: signature ok; contents encrypted, "
		    "not checked\n", AGENT_NAME, archive);
	else
		fprintf(stderr, "%s: %s verified: signature and %zu entries "
		    "ok\n", AGENT_NAME, archive, res->entries);
	return res->failed ? EXIT_VERIFY : EXIT_DONE;
}

int
cli_decrypt_file(const char *in, const char *idpath, const char *outpath)
{
	char	 err[512], *ids;
	int	 fd, ofd = STDOUT_FILENO, rc;

	if ((ids = cli_identity(idpath)) == NULL)
		return EXIT_USAGE;
	if ((fd = open(in, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		fprintf(stderr, "%s: cannot read %s: %s\n", AGENT_NAME, in,
		    strerror(errno));
		crypt_free_secret(ids);
		return EXIT_USAGE;
	}
	if (outpath != NULL && (ofd = open(outpath, O_WRONLY | O_CREAT |
	    O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) == -1) {
		fprintf(stderr, "%s: cannot create %s: %s\n", AGENT_NAME,
		    outpath, strerror(errno));
		crypt_free_secret(ids);
		close(fd);
		return EXIT_USAGE;
	}
	cli_sandbox();
	rc = verify_decrypt(fd, ids, ofd, err, sizeof err);
	crypt_free_secret(ids);
	close(fd);
	if (outpath != NULL)
		close(ofd);
	if (rc == -1) {
		fprintf(stderr, "%s: %s: %s\n", AGENT_NAME, in, err);
		if (outpath != NULL)
			unlink(outpath);
		return EXIT_VERIFY;
	}
	return EXIT_DONE;
}
