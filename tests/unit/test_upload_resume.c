/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests: the upload state beside a local archive (upload-resume.c).
 * Made once with a random token, mode 0600; read back with the remote
 * name and the files done; a file that is not ours is left alone and
 * gives no state; finish removes it. Also the [upload] timeout key.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "config.h"
#include "log.h"
#include "upload-resume.h"
#include "unit.h"

static char	dir[PATH_MAX];

static int
hex_token(const char *t)
{
	size_t	i;

	if (strlen(t) != UPLOAD_TOKEN_LEN)
		return 0;
	for (i = 0; i < UPLOAD_TOKEN_LEN; i++)
		if (strchr("0123456789abcdef", t[i]) == NULL)
			return 0;
	return 1;
}

static void
test_upload_resume_roundtrip(void)
{
	struct upload_resume	*r, *r2;
	struct stat		 st;
	char			 a[PATH_MAX + 16], side[PATH_MAX + 32];
	char			 tok[UPLOAD_TOKEN_LEN + 1];

	snprintf(a, sizeof a, "%s/a.tar.zst", dir);
	snprintf(side, sizeof side, "%s.upload", a);
	CHECK(upload_resume_open(a, 0) == NULL);	/* absent, not made */
	CHECK(lstat(side, &st) == -1);
	r = upload_resume_open(a, 1);
	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK(upload_resume_fresh(r));
	CHECK(hex_token(upload_resume_token(r)));
	CHECK(upload_resume_name(r) == NULL);
	CHECK(lstat(side, &st) == 0 && (st.st_mode & 07777) == 0600);
	snprintf(tok, sizeof tok, "%s", upload_resume_token(r));
	CHECK(upload_resume_set_name(r, "a_2.tar.zst") == 0);
	CHECK(upload_resume_set_done(r, "a_2.tar.zst.pub") == 0);
	CHECK(upload_resume_is_done(r, "a_2.tar.zst.pub"));
	CHECK(!upload_resume_is_done(r, "a_2.tar.zst"));
	r2 = upload_resume_open(a, 1);
	CHECK(r2 != NULL);
	if (r2 != NULL) {
		CHECK(!upload_resume_fresh(r2));
		CHECK_STR(upload_resume_token(r2), tok);
		CHECK_STR(upload_resume_name(r2), "a_2.tar.zst");
		CHECK(upload_resume_is_done(r2, "a_2.tar.zst.pub"));
		CHECK(!upload_resume_is_done(r2, "a_2.tar.zst"));
	}
	upload_resume_free(r2);
	upload_resume_finish(r);
	upload_resume_free(r);
	CHECK(lstat(side, &st) == -1);
	/* Two states, two tokens. */
	r = upload_resume_open(a, 1);
	CHECK(r != NULL && strcmp(upload_resume_token(r), tok) != 0);
	if (r != NULL)
		upload_resume_finish(r);
	upload_resume_free(r);
}

static void
test_upload_resume_not_ours(void)
{
	static const char *const	 bad[] = {
		"something else\n",
		"csirt-collect upload state 1\ntoken 12ab\n",
		"csirt-collect upload state 1\ntoken "
		    "0123456789ABCDEF0123456789abcdef\n",
		"csirt-collect upload state 1\nname x\n",
		"csirt-collect upload state 1\ntoken "
		    "0123456789abcdef0123456789abcdef\nrm -rf /\n",
	};
	char				 a[PATH_MAX + 16], side[PATH_MAX + 32];
	char				 back[256];
	size_t				 i;
	ssize_t				 n;
	int				 fd;

	snprintf(a, sizeof a, "%s/b.tar.zst", dir);
	snprintf(side, sizeof side, "%s.upload", a);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		fd = open(side, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		CHECK(fd != -1 && write(fd, bad[i], strlen(bad[i])) ==
		    (ssize_t)strlen(bad[i]));
		close(fd);
		CHECK(upload_resume_open(a, 1) == NULL);
		/* Left as it was. */
		fd = open(side, O_RDONLY);
		n = read(fd, back, sizeof back - 1);
		close(fd);
		CHECK(n == (ssize_t)strlen(bad[i]) &&
		    memcmp(back, bad[i], (size_t)n) == 0);
	}
	unlink(side);
	/* A link in its place is not followed. */
	CHECK(symlink("/etc/passwd", side) == 0);
	CHECK(upload_resume_open(a, 1) == NULL);
	unlink(side);
}

static void
test_upload_timeout_key(void)
{
	struct config	c;
	char		err[256];

	config_init(&c);
	CHECK(c.upload_timeout == 20);
	CHECK(config_parse(&c, "t.ini", "[upload]\ntimeout = 7\n", err,
	    sizeof err) == 0);
	CHECK(c.upload_timeout == 7);
	CHECK(config_parse(&c, "t.ini", "[upload]\ntimeout = 4\n", err,
	    sizeof err) == -1);
	CHECK(strstr(err, "t.ini:2") != NULL && strstr(err, "timeout") != NULL);
	CHECK(config_parse(&c, "t.ini", "[upload]\ntimeout = 3601\n", err,
	    sizeof err) == -1);
	CHECK(config_parse(&c, "t.ini", "[upload]\ntimeout = 1m\n", err,
	    sizeof err) == -1);
	config_free(&c);
}

int
main(void)
{
	const char	*tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	if (sodium_init() == -1)
		return 1;
	log_init(1, 0);
	snprintf(dir, sizeof dir, "%s/cc-resume.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL)
		return 1;
	UNIT_RUN(test_upload_resume_roundtrip);
	UNIT_RUN(test_upload_resume_not_ours);
	UNIT_RUN(test_upload_timeout_key);
	rmdir(dir);
	return unit_any_failed;
}
