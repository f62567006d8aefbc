/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Proof that a .part on the drop box is ours before it is resumed: the
 * state file beside the local archive (token, remote name, files done)
 * and the comparison of a remote prefix with the local one by SHA-256.
 * See upload-resume.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "log.h"
#include "upload-resume.h"
#include "util.h"

#define UPLOAD_RESUME_MAX	4096	/* bytes of state read */
#define UPLOAD_RESUME_MAGIC	"csirt-collect upload state 1"

struct upload_resume {
	char		*path;		/* ARCHIVE.upload */
	char		 token[UPLOAD_TOKEN_LEN + 1];
	int		 fresh;
	char		*name;
	char		**done;
	size_t		 ndone;
};

void
upload_resume_random(char *tok)
{
	unsigned char	raw[UPLOAD_TOKEN_LEN / 2];

	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(tok, UPLOAD_TOKEN_LEN + 1, raw, sizeof raw);
}

/* Parse the state text; 0 or -1 when it is not ours. */
static int
upload_resume_parse(struct upload_resume *r, char *text)
{
	char	*line, *p = text;
	size_t	 i;

	if ((line = strsep(&p, "\n")) == NULL ||
	    strcmp(line, UPLOAD_RESUME_MAGIC) != 0)
		return -1;
	while ((line = strsep(&p, "\n")) != NULL) {
		if (strncmp(line, "token ", 6) == 0) {
			if (strlen(line + 6) != UPLOAD_TOKEN_LEN)
				return -1;
			for (i = 0; i < UPLOAD_TOKEN_LEN; i++)
				if (strchr("0123456789abcdef", line[6 + i]) ==
				    NULL)
					return -1;
			memcpy(r->token, line + 6, UPLOAD_TOKEN_LEN + 1);
		} else if (strncmp(line, "name ", 5) == 0 && line[5] != '\0') {
			free(r->name);
			r->name = xstrdup(line + 5);
		} else if (strncmp(line, "done ", 5) == 0) {
			r->done = xreallocarray(r->done, r->ndone + 1,
			    sizeof *r->done);
			r->done[r->ndone++] = xstrdup(line + 5);
		} else if (*line != '\0')
			return -1;
	}
	return r->token[0] == '\0' ? -1 : 0;
}

/* Read an existing state file: 1 read, 0 absent, -1 unusable. */
static int
upload_resume_read(struct upload_resume *r)
{
	struct stat	 st;
	char		*text;
	size_t		 len;
	int		 fd, trunc, rc;

	if ((fd = open(r->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	text = util_read_fd(fd, UPLOAD_RESUME_MAX, &len, &trunc);
	close(fd);
	if (text == NULL || trunc) {
		free(text);
		return -1;
	}
	rc = upload_resume_parse(r, text);
	free(text);
	return rc == 0 ? 1 : -1;
}

/* Append a line to the state file. 0 or -1 (logged). */
static int
upload_resume_append(struct upload_resume *r, const char *what,
    const char *val)
{
	char	*line;
	int	 fd, rc = -1;

	if (strchr(val, '\n') != NULL)
		return -1;
	line = xasprintf("%s %s\n", what, val);
	if ((fd = open(r->path, O_WRONLY | O_APPEND | O_NOFOLLOW |
	    O_CLOEXEC)) != -1 && util_write_all(fd, line, strlen(line)) == 0 &&
	    fsync(fd) == 0)
		rc = 0;
	if (rc == -1)
		log_msg(LOG_WARN, "upload", "cannot record the upload in %s: "
		    "%s", r->path, strerror(errno));
	if (fd != -1)
		close(fd);
	free(line);
	return rc;
}

struct upload_resume *
upload_resume_open(const char *archive, int create)
{
	struct upload_resume	*r;
	char			*text;
	int			 fd, rc;

	r = xcalloc(1, sizeof *r);
	r->path = xasprintf("%s.upload", archive);
	if ((rc = upload_resume_read(r)) == 1)
		return r;
	if (rc == -1) {
		log_msg(LOG_WARN, "upload", "%s: not a readable upload state "
		    "of csirt-collect, left alone: no resume of an earlier "
		    "attempt", r->path);
		goto fail;
	}
	if (!create)
		goto fail;
	upload_resume_random(r->token);
	r->fresh = 1;
	text = xasprintf("%s\ntoken %s\n", UPLOAD_RESUME_MAGIC, r->token);
	fd = open(r->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd == -1 || util_write_all(fd, text, strlen(text)) == -1 ||
	    fsync(fd) == -1) {
		log_msg(LOG_WARN, "upload", "cannot write %s: %s: an "
		    "interrupted upload will start over", r->path,
		    strerror(errno));
		if (fd != -1) {
			close(fd);
			unlink(r->path);
		}
		free(text);
		goto fail;
	}
	close(fd);
	free(text);
	return r;
fail:
	upload_resume_free(r);
	return NULL;
}

void
upload_resume_free(struct upload_resume *r)
{
	size_t	i;

	if (r == NULL)
		return;
	for (i = 0; i < r->ndone; i++)
		free(r->done[i]);
	free(r->done);
	free(r->name);
	free(r->path);
	free(r);
}

const char *
upload_resume_token(struct upload_resume *r)
{
	return r->token;
}

int
upload_resume_fresh(struct upload_resume *r)
{
	return r->fresh;
}

const char *
upload_resume_name(struct upload_resume *r)
{
	return r->name;
}

int
upload_resume_set_name(struct upload_resume *r, const char *name)
{
	if (r->name != NULL && strcmp(r->name, name) == 0)
		return 0;
	free(r->name);
	r->name = xstrdup(name);
	return upload_resume_append(r, "name", name);
}

int
upload_resume_set_done(struct upload_resume *r, const char *name)
{
	if (upload_resume_is_done(r, name))
		return 0;
	r->done = xreallocarray(r->done, r->ndone + 1, sizeof *r->done);
	r->done[r->ndone++] = xstrdup(name);
	return upload_resume_append(r, "done", name);
}

int
upload_resume_is_done(struct upload_resume *r, const char *name)
{
	size_t	i;

	for (i = 0; i < r->ndone; i++)
		if (strcmp(r->done[i], name) == 0)
			return 1;
	return 0;
}

void
upload_resume_finish(struct upload_resume *r)
{
	if (unlink(r->path) == -1 && errno != ENOENT)
		log_msg(LOG_WARN, "upload", "cannot remove %s: %s", r->path,
		    strerror(errno));
}

/* A refusal (SFTP status in *status) or a broken link. */
static enum upload_proof
upload_resume_failed(LIBSSH2_SESSION *ssh, LIBSSH2_SFTP *sftp,
    unsigned long *status)
{
	if (libssh2_session_last_errno(ssh) != LIBSSH2_ERROR_SFTP_PROTOCOL)
		return UPLOAD_PROOF_BROKEN;
	*status = libssh2_sftp_last_error(sftp);
	if (*status == LIBSSH2_FX_PERMISSION_DENIED ||
	    *status == LIBSSH2_FX_OP_UNSUPPORTED)
		return UPLOAD_PROOF_REFUSED;
	if (*status == LIBSSH2_FX_NO_SUCH_FILE || *status == LIBSSH2_FX_EOF)
		return UPLOAD_PROOF_DIFFERS;
	return UPLOAD_PROOF_BROKEN;
}

enum upload_proof
upload_resume_compare(LIBSSH2_SESSION *ssh, LIBSSH2_SFTP *sftp,
    const char *path, uint64_t off,
    uint64_t len, upload_resume_get get, void *arg, unsigned char *buf,
    size_t buflen, unsigned long *status)
{
	LIBSSH2_SFTP_HANDLE	*h;
	EVP_MD_CTX		*rmd, *lmd;
	unsigned char		 rh[EVP_MAX_MD_SIZE], lh[EVP_MAX_MD_SIZE];
	unsigned int		 rl = 0, ll = 0;
	uint64_t		 done = 0;
	enum upload_proof	 rc = UPLOAD_PROOF_BROKEN;
	ssize_t			 n;

	*status = 0;
	if ((h = libssh2_sftp_open(sftp, path, LIBSSH2_FXF_READ, 0)) == NULL)
		return upload_resume_failed(ssh, sftp, status);
	if ((rmd = EVP_MD_CTX_new()) == NULL ||
	    (lmd = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(rmd, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestInit_ex(lmd, EVP_sha256(), NULL) != 1)
		fatal("EVP_DigestInit");
	libssh2_sftp_seek64(h, (libssh2_uint64_t)off);
	while (done < len) {
		size_t	k = len - done < buflen ? (size_t)(len - done) : buflen;

		if ((n = libssh2_sftp_read(h, (char *)buf, k)) < 0) {
			rc = upload_resume_failed(ssh, sftp, status);
			goto done;
		}
		if (n == 0) {		/* shorter than it said */
			rc = UPLOAD_PROOF_DIFFERS;
			goto done;
		}
		EVP_DigestUpdate(rmd, buf, (size_t)n);
		if (get(arg, off + done, buf, (size_t)n) == -1) {
			rc = UPLOAD_PROOF_DIFFERS;
			goto done;
		}
		EVP_DigestUpdate(lmd, buf, (size_t)n);
		done += (uint64_t)n;
	}
	EVP_DigestFinal_ex(rmd, rh, &rl);
	EVP_DigestFinal_ex(lmd, lh, &ll);
	rc = rl == ll && sodium_memcmp(rh, lh, rl) == 0 ? UPLOAD_PROOF_SAME :
	    UPLOAD_PROOF_DIFFERS;
done:
	libssh2_sftp_close(h);
	EVP_MD_CTX_free(rmd);
	EVP_MD_CTX_free(lmd);
	return rc;
}
