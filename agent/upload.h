/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Delivery to the CSIRT's drop box over SFTP (libssh2). The server's host
 * key is checked against the pinned SHA256 fingerprints before any
 * credential is sent. Files land under a temporary name (NAME.part) and
 * are renamed when complete, signature last. A broken connection is
 * retried with backoff and the upload resumes from the size the server
 * has. In streaming mode (out_sftp) the archive goes to the server as it
 * is produced, keeping a bounded window of bytes not yet acknowledged.
 */
#ifndef UPLOAD_H
#define UPLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "out.h"

struct upload;
struct upload_resume;

/* Why the last operation failed: the advice given depends on it. */
enum upload_fail {
	UPLOAD_FAIL_NONE,
	UPLOAD_FAIL_HOSTKEY,	/* not the pinned host key: interception? */
	UPLOAD_FAIL_AUTH,	/* the server refused the key or password */
	UPLOAD_FAIL_NETWORK,	/* name, route, port, or a broken link */
	UPLOAD_FAIL_STALLED,	/* no answer for the time-out */
	UPLOAD_FAIL_DENIED,	/* SFTP permission denied */
	UPLOAD_FAIL_FULL,	/* no space (or quota) on the drop box */
	UPLOAD_FAIL_EXISTS,	/* the name is taken on the drop box */
	UPLOAD_FAIL_OTHER	/* SFTP refused, local read, size mismatch */
};

/*
 * Check the upload settings of cfg (URL, identity, fingerprints) and
 * load the identity into guarded memory; nothing is connected yet.
 * NULL with err on a configuration error (exit 2).
 */
struct upload	*upload_new(const struct config *, char *, size_t);
void		 upload_free(struct upload *);
/* "sftp://user@host:port/dir" for messages. */
const char	*upload_url(struct upload *);

/*
 * Connect, check the host key, authenticate, start SFTP. Retries
 * transient failures (cfg retries) with backoff; a wrong host key or a
 * refused key is final. 0 or -1 with err.
 */
int		 upload_connect(struct upload *, char *, size_t);
/*
 * One connection attempt, no retry: the check made before collecting.
 * 0 or -1 with err (see upload_failure). upload_close drops it.
 */
int		 upload_check(struct upload *, char *, size_t);
void		 upload_close(struct upload *);
/* The category of the last failure (UPLOAD_FAIL_NONE after success). */
enum upload_fail upload_failure(struct upload *);
/* Seconds without an answer before a connection is given up. */
long long	 upload_timeout(struct upload *);
/* The fingerprint the server showed ("SHA256:…"), or "" if none yet. */
const char	*upload_seen_key(struct upload *);
/*
 * Whether name, name.part, name.minisig and name.pub are all absent from
 * the remote directory (connects if needed): 1 free, 0 taken, -1 with
 * err (in resume mode name.part does not count: it is continued). A
 * name the server will not say anything about counts as free:
 * the exclusive create and the rename that never replaces still guard.
 */
int		 upload_name_free(struct upload *, const char *, char *, size_t);
/*
 * Resume mode (send): an existing name.part is continued when its bytes
 * read back are the file's (otherwise left alone: the upload starts
 * over in a .part of its own). Otherwise (run) the first pass creates
 * its .part exclusively and never touches another's.
 */
void		 upload_set_resume(struct upload *, int);
/*
 * The upload state of the local archive being sent (upload-resume.h),
 * or NULL: its token names the .part files of upload_file, which are
 * then resumed across runs (send), and the files done are recorded in
 * it. Still the caller's.
 */
void		 upload_set_state(struct upload *, struct upload_resume *);

/*
 * Upload the local file path as name in the remote directory, through
 * name.part, resuming after breaks; checks the remote size at the end;
 * the rename never replaces an existing name. 0 or -1 with err.
 */
int		 upload_file(struct upload *, const char *, const char *, char *,
		    size_t);
/* Same for a small buffer (signature, public key). */
int		 upload_buffer(struct upload *, const char *, const void *,
		    size_t, char *, size_t);

/*
 * Test the drop box: connect once (no retry), check the pin, log in,
 * write text as name through name.part and rename it, then try to
 * remove it; *removed says whether that worked (a write-only drop box
 * refuses, which is no error). 0 or -1 with err.
 */
int		 upload_probe(struct upload *, const char *, const char *,
		    int *, char *, size_t);

/*
 * Download the remote file name (in the URL's directory), at most max
 * bytes, into a new buffer (*out, NUL-terminated; caller frees). 0 or
 * -1 with err.
 */
int		 upload_fetch(struct upload *, const char *, size_t, char **,
		    size_t *, char *, size_t);

/*
 * A streaming output stage writing name.part on the server; window is
 * the bytes kept in memory for a resume. out_sftp_commit renames it to
 * name after a successful close.
 */
struct out	*out_sftp_new(struct upload *, const char *, size_t);
int		 out_sftp_commit(struct out *);

#endif
