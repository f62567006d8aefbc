/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Inside the uploader: the session object and the helpers that upload.c
 * (files, connection) and upload-stream.c (the streaming stage) share.
 * Not for other modules: they use upload.h.
 */
#ifndef UPLOAD_INT_H
#define UPLOAD_INT_H

#include <stdint.h>
#include <time.h>

#include <libssh2.h>
#include <libssh2_sftp.h>

#include "upload.h"

#define UPLOAD_CHUNK		(1U << 20)
#define UPLOAD_PROOF		(64U << 10)	/* stream bytes read back */

struct upload {
	char		*url;
	char		*user;
	char		*host;
	char		*port;
	char		*dir;
	char		*key;		/* sodium_malloc */
	size_t		 keylen;
	char		*pass;		/* the key's passphrase, or NULL */
	char		*password;	/* password auth, or NULL */
	char		**fps;		/* pinned "SHA256:…" */
	size_t		 nfps;
	int		 insecure;
	long long	 retries;
	uint64_t	 bwlimit;	/* bytes/s, 0 none */
	long long	 timeout;	/* seconds without an answer */
	int		 sock;
	LIBSSH2_SESSION	*ssh;
	LIBSSH2_SFTP	*sftp;
	int		 final;		/* failure not worth a retry */
	enum upload_fail fail;		/* category of the last failure */
	char		 seen[80];	/* the server's host key */
	int		 resume;	/* take over an existing .part */
	struct upload_resume *state;	/* the local archive's, or NULL */
	char		 why[192];	/* upload_why's text */
	struct timespec	 t0;		/* bandwidth accounting */
	uint64_t	 sent;
	uint64_t	 done, total;	/* progress of the file in hand */
};

/* Whether the session itself failed (not one SFTP request). */
int		 upload_link_broken(struct upload *);
/* Shut a broken link's socket, so that clean-up fails at once. */
void		 upload_cut(struct upload *);
void		 upload_disconnect(struct upload *);
/* Why the last request failed, in words; u's text until the next call. */
const char	*upload_why(struct upload *);
/* Send a keep-alive if one is due. 0 or -1 (the link is broken). */
int		 upload_keepalive(struct upload *);
/* Sleep before retry n. */
void		 upload_backoff(int);
/* Write all of p at the handle's position, paced. 0 or -1. */
int		 upload_write(struct upload *, LIBSSH2_SFTP_HANDLE *,
		    const char *, size_t);
/* "DIR/NAMESUFFIX" on the server. Caller frees. */
char		*upload_path(struct upload *, const char *, const char *);
/* Size of a remote file, 0 when absent, -1 on a broken session. */
int64_t		 upload_remote_size(struct upload *, const char *);
/* Rename without replacing. 0 or -1 with err (u->fail). */
int		 upload_rename(struct upload *, const char *, const char *,
		    char *, size_t);
/* Whether a remote path exists: 1, 0, or -1 when the server won't say. */
int		 upload_exists(struct upload *, const char *);

#endif
