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
#include <signal.h>
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

void
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

static char *volatile cli_part;

/* Remove the part file, then die of the signal as we would have. */
static void
cli_part_signal(int sig)
{
	char	*p = cli_part;

	if (p != NULL)
		unlink(p);
	signal(sig, SIG_DFL);
	raise(sig);
}

void
cli_part_guard(const char *path)
{
	static const int	 sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction	 sa;
	sigset_t		 set, old;
	char			*was;
	size_t			 i;

	sigemptyset(&set);
	for (i = 0; i < nitems(sigs); i++)
		sigaddset(&set, sigs[i]);
	sigprocmask(SIG_BLOCK, &set, &old);
	was = cli_part;
	cli_part = path != NULL ? xstrdup(path) : NULL;
	free(was);
	if (path != NULL) {
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = cli_part_signal;
		sigfillset(&sa.sa_mask);
		for (i = 0; i < nitems(sigs); i++)
			sigaction(sigs[i], &sa, NULL);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

void
cli_verify_sandbox(void)
{
	char	err[256];

	if (sandbox_enter(err, sizeof err) == -1)
		fprintf(stderr, "%s: running without the sandbox: %s\n",
		    AGENT_NAME, err);
}

int
cli_verify_open(const char *archive, const char *pubpath, const char *idpath,
    struct cli_verify_in *in)
{
	struct stat	st;
	char		err[512];

	memset(in, 0, sizeof *in);
	in->fd = -1;
	if (pubpath == NULL)
		pubpath = in->beside = xasprintf("%s.pub", archive);
	in->pubpath = pubpath;
	if (sign_pubkey_load(pubpath, &in->pub, err, sizeof err) == -1) {
		fprintf(stderr, "%s: %s%s\n", AGENT_NAME, err, in->beside ?
		    " (give the public key with -p PUBKEY)" : "");
		cli_verify_close(in);
		return EXIT_USAGE;
	}
	if (idpath != NULL && (in->ids = cli_identity(idpath)) == NULL) {
		cli_verify_close(in);
		return EXIT_USAGE;
	}
	if ((in->fd = open(archive, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) ==
	    -1 || fstat(in->fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "%s: cannot read archive %s: %s\n", AGENT_NAME,
		    archive, in->fd == -1 ? strerror(errno) : "not a file");
		cli_verify_close(in);
		return EXIT_USAGE;
	}
	return EXIT_DONE;
}

void
cli_verify_close(struct cli_verify_in *in)
{
	if (in->fd != -1)
		close(in->fd);
	in->fd = -1;
	crypt_free_secret(in->ids);
	in->ids = NULL;
	free(in->beside);
	in->beside = NULL;
}

int
cli_verify_run(const char *archive, struct cli_verify_in *in,
    const struct verify_tap *tap, struct verify_result *res)
{
	const struct verify_say	 say = { cli_verify_line, NULL, tap };
	char			 keyid[SIGN_KEYID_HEXLEN];

	sign_keyid_hex(in->pub.keyid, keyid);
	fprintf(stderr, "%s: verifying %s with key %s (%s)\n", AGENT_NAME,
	    archive, keyid, in->pubpath);
	if (in->beside != NULL)
		cli_verify_line(NULL, "note", "the key beside the archive "
		    "proves integrity, not origin: compare its id with the one "
		    "the victim read to you");
	verify_archive(in->fd, archive, &in->pub, in->ids, &say, res);
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
	struct cli_verify_in	in;
	int			rc;

	memset(res, 0, sizeof *res);
	if ((rc = cli_verify_open(archive, pubpath, idpath, &in)) != EXIT_DONE)
		return rc;
	cli_verify_sandbox();
	rc = cli_verify_run(archive, &in, tap, res);
	cli_verify_close(&in);
	return rc;
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
	cli_verify_sandbox();
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
