/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Proof that a .part on the drop box is ours before it is resumed. Two
 * proofs: the bytes read back (a SHA-256 of the remote prefix against the
 * same prefix here), and, where the drop box refuses to be read, the
 * name: the archive's .part names carry a random token kept in a small
 * state file beside the local archive (ARCHIVE.upload, mode 0600, removed
 * when the upload is complete), with the remote name chosen and the files
 * already delivered. Without a proof the upload starts over.
 */
#ifndef UPLOAD_RESUME_H
#define UPLOAD_RESUME_H

#include <stddef.h>
#include <stdint.h>

#include <libssh2.h>
#include <libssh2_sftp.h>

#define UPLOAD_TOKEN_LEN	32	/* hex digits */

struct upload_resume;

/*
 * The upload state of the local archive path: read from path.upload, or
 * when create is set made with a fresh token (created exclusively,
 * 0600). NULL when absent (and not made) or unusable (logged): the
 * upload then goes without a resume across runs. Free with
 * upload_resume_free.
 */
struct upload_resume	*upload_resume_open(const char *, int);
void			 upload_resume_free(struct upload_resume *);
/* The token, hex, NUL-terminated; and whether it was made just now. */
const char	*upload_resume_token(struct upload_resume *);
int		 upload_resume_fresh(struct upload_resume *);
/* The remote name recorded by an earlier attempt, or NULL. */
const char	*upload_resume_name(struct upload_resume *);
/* Record the remote name, or a remote file complete. 0 or -1 (logged). */
int		 upload_resume_set_name(struct upload_resume *, const char *);
int		 upload_resume_set_done(struct upload_resume *, const char *);
/* Whether the remote file name was recorded complete. */
int		 upload_resume_is_done(struct upload_resume *, const char *);
/* The upload is complete: remove the state file. */
void		 upload_resume_finish(struct upload_resume *);

/* A fresh random token (hex) into tok[UPLOAD_TOKEN_LEN + 1]. */
void		 upload_resume_random(char *);

/* What reading back the remote prefix showed. */
enum upload_proof {
	UPLOAD_PROOF_SAME,	/* the bytes are ours */
	UPLOAD_PROOF_DIFFERS,	/* they are not, or the file is short */
	UPLOAD_PROOF_REFUSED,	/* the server will not let us read */
	UPLOAD_PROOF_BROKEN	/* the session broke: retry */
};

/* Reads n local bytes at off into p: n or -1. */
typedef int	(*upload_resume_get)(void *, uint64_t, unsigned char *,
		    size_t);

/*
 * Compare the remote file path's bytes [off, off + len) with the local
 * ones given by get, by a SHA-256 of each (buf of buflen bytes is the
 * work space). *status is the SFTP status of a refusal or break.
 */
enum upload_proof upload_resume_compare(LIBSSH2_SESSION *, LIBSSH2_SFTP *,
		    const char *, uint64_t, uint64_t, upload_resume_get, void *,
		    unsigned char *, size_t, unsigned long *);

#endif
