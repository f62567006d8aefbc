/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Delivery around the upload: the output directory made when missing,
 * the kept files handed to the user behind sudo, names that never
 * collide, the files of an archive sent in order (the `send` command
 * and `run` alike), and the advice a person gets for each failure.
 */
#ifndef DELIVER_H
#define DELIVER_H

#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "upload.h"

/*
 * The user behind sudo: SUDO_UID and SUDO_GID, both numeric and not
 * root, when running as root. 1 with *uid, *gid, else 0.
 */
int	 deliver_owner(uid_t *, gid_t *);

/*
 * Make dir and its missing parents (mode 0700, handed to the user
 * behind sudo), like mkdir -p; existing ones are left as they are.
 * 0, or -1 with err naming the path at fault.
 */
int	 deliver_mkdirs(const char *, char *, size_t);

/*
 * Whether name is free in dir: none of name, .name.part, name.part,
 * name.minisig, name.pub exists. 1 free, 0 taken.
 */
int	 deliver_local_free(const char *, const char *);

/*
 * A small file beside the archive (.pub, .minisig). Its room is reserved
 * when the archive is opened, so a disk that fills up meanwhile cannot
 * leave the archive without its signature: the text is written into the
 * reserved .NAME.part before anything is renamed.
 */
struct deliver_small {
	int	 fd;
	char	*tmp, *path;
	int	 committed;
};
/* Create dir/.name.part (exclusive, 0644, held, given to the sudo user)
 * and reserve its room. 0, or -1 with err. */
int	 deliver_small_reserve(struct deliver_small *, const char *,
	    const char *, char *, size_t);
/* Write text into it (synced). 0 or -1 with err. */
int	 deliver_small_write(struct deliver_small *, const char *, char *,
	    size_t);
/* Rename it to its name, never replacing. 0 or -1 with err. */
int	 deliver_small_commit(struct deliver_small *, char *, size_t);
/* Close it; remove the temporary file unless committed. */
void	 deliver_small_free(struct deliver_small *);

/*
 * Remove from dir the temporary files (.NAME.part) that runs killed
 * before their end left: those no process holds (a run holds its own
 * locked) and unchanged for a minute. Each is logged. The count.
 */
int	 deliver_clean_parts(const char *);

/*
 * The first of name, name_2, name_3… free on the drop box (and in dir
 * when dir is not NULL). NULL with err (and upload_failure) if the drop
 * box cannot be asked or no name is free. Caller frees.
 */
char	*deliver_free_name(struct upload *, const char *, const char *,
	    char *, size_t);

/*
 * Send the local archive path as rname: path.pub when it exists, the
 * archive, path.minisig last, each through .part with the remote size
 * checked. 0 or -1 with err (see upload_failure).
 */
int	 deliver_files(struct upload *, const char *, const char *, char *,
	    size_t);

/*
 * keep_local = no, after a checked upload: remove path, path.minisig,
 * path.pub (those that exist). Logged. 0 or -1 (a warning says which).
 */
int	 deliver_drop_local(const char *);

/*
 * The advice on stderr for the last failure of u (a host key that
 * changed, a refused key, an unreachable server, a full drop box…);
 * kept is the local archive, or NULL when nothing was kept (--stream);
 * collected is 0 before collecting (what happened only).
 */
void	 deliver_advice(struct upload *, const char *, int);

/* The advice when the local disk filled up while writing dir. */
void	 deliver_advice_disk(const char *);

/* `send ARCHIVE`: re-send an archive with its signature. Exit status. */
int	 deliver_send(struct config *, const char *);

#endif
