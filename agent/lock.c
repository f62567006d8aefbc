/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The run lock. Two collections at once on one host would double the load
 * on a host already in trouble and each would collect the other's
 * archive. The lock is a unix socket bound in the abstract namespace
 * ("\0csirt-collect"): nothing is written to the disk under examination,
 * and the kernel releases it when the process ends, even when killed. A
 * second run connects to it and reads the holder's pid (SO_PEERCRED).
 * Dead-box runs lock the tree they read (its real path, hashed), so two
 * images can be collected side by side. The name is per network
 * namespace, as abstract sockets are.
 */
#include <errno.h>
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <sodium.h>

#include "lock.h"
#include "util.h"

#define LOCK_NAME	"csirt-collect"

/* The abstract name for root into sun; its address length. */
static socklen_t
lock_addr(const char *root, struct sockaddr_un *sun)
{
	unsigned char	 h[16];
	char		 hex[33], *real;
	int		 n;

	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	real = root != NULL ? realpath(root, NULL) : NULL;
	if (real == NULL || strcmp(real, "/") == 0)
		n = snprintf(sun->sun_path + 1, sizeof sun->sun_path - 1, "%s",
		    LOCK_NAME);
	else {
		crypto_generichash(h, sizeof h, (const unsigned char *)real,
		    strlen(real), NULL, 0);
		util_hex(hex, h, sizeof h);
		n = snprintf(sun->sun_path + 1, sizeof sun->sun_path - 1,
		    "%s:root:%s", LOCK_NAME, hex);
	}
	free(real);
	if (n < 0 || (size_t)n >= sizeof sun->sun_path - 1)
		fatal("lock name too long");
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
	    (size_t)n);
}

/* The credentials of the process listening on sun (pid 0: unknown). */
static struct ucred
lock_holder(const struct sockaddr_un *sun, socklen_t len)
{
	struct ucred	cred;
	socklen_t	clen = sizeof cred;
	int		fd;

	memset(&cred, 0, sizeof cred);
	cred.uid = (uid_t)-1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1)
		return cred;
	if (connect(fd, (const struct sockaddr *)sun, len) == -1 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == -1) {
		memset(&cred, 0, sizeof cred);
		cred.uid = (uid_t)-1;
	}
	close(fd);
	return cred;
}

int
lock_take(const char *root, pid_t *holder)
{
	struct sockaddr_un	sun;
	struct ucred		cred;
	socklen_t		len;
	int			fd, saved;

	*holder = 0;
	len = lock_addr(root, &sun);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -2;
	if (bind(fd, (struct sockaddr *)&sun, len) == 0) {
		/* Listening, so that a second run can ask for the pid. */
		if (listen(fd, 4) == -1) {
			saved = errno;
			close(fd);
			errno = saved;
			return -2;
		}
		return fd;
	}
	saved = errno;
	close(fd);
	if (saved != EADDRINUSE) {
		errno = saved;
		return -2;
	}
	cred = lock_holder(&sun, len);
	/*
	 * Any process can bind an abstract name: one of another user (an
	 * intruder's, on the host under examination) is no collection of
	 * ours and must not stop this one. Run on, unlocked (-2).
	 */
	if (cred.uid != geteuid()) {
		*holder = cred.pid;
		errno = EPERM;
		return -2;
	}
	*holder = cred.pid;
	return -1;
}
