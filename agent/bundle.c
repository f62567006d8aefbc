/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Reading and writing the embedded configuration. See bundle.h. The
 * trailer is checked strictly: a wrong magic means no payload; a right
 * magic with a bad length or checksum means a damaged copy, which must
 * not run on defaults as if nothing happened.
 */
#include <sys/auxv.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "bundle.h"
#include "config.h"
#include "util.h"

#define BUNDLE_MAGIC	"CSIRT-COLLECT-C1"
#define BUNDLE_TRAILER	64

static void
bundle_trailer(unsigned char *t, const char *text, size_t len)
{
	uint64_t	n = len;
	int		i;

	memset(t, 0, BUNDLE_TRAILER);
	memcpy(t, BUNDLE_MAGIC, 16);
	for (i = 0; i < 8; i++)
		t[16 + i] = (unsigned char)(n >> (8 * i));
	EVP_Digest(text, len, t + 24, NULL, EVP_sha256(), NULL);
}

static int
bundle_read_fd(int fd, char **text, char *err, size_t errlen)
{
	unsigned char	 t[BUNDLE_TRAILER], want[BUNDLE_TRAILER];
	struct stat	 st;
	uint64_t	 len = 0;
	char		*p;
	int		 i;

	*text = NULL;
	if (fstat(fd, &st) == -1 || st.st_size < BUNDLE_TRAILER ||
	    pread(fd, t, sizeof t, st.st_size - BUNDLE_TRAILER) !=
	    (ssize_t)sizeof t || memcmp(t, BUNDLE_MAGIC, 16) != 0)
		return 0;
	for (i = 0; i < 8; i++)
		len |= (uint64_t)t[16 + i] << (8 * i);
	if (len == 0 || len > BUNDLE_MAX ||
	    len > (uint64_t)st.st_size - BUNDLE_TRAILER) {
		snprintf(err, errlen, "embedded configuration damaged (bad "
		    "length): this copy of the agent is corrupted");
		return -1;
	}
	p = xmalloc(len + 1);
	if (pread(fd, p, len, st.st_size - BUNDLE_TRAILER - (off_t)len) !=
	    (ssize_t)len) {
		snprintf(err, errlen, "embedded configuration unreadable: %s",
		    strerror(errno));
		free(p);
		return -1;
	}
	p[len] = '\0';
	bundle_trailer(want, p, len);
	if (sodium_memcmp(want, t, sizeof t) != 0 || strlen(p) != len) {
		snprintf(err, errlen, "embedded configuration damaged "
		    "(checksum mismatch): this copy of the agent is corrupted");
		config_free_text(p);
		return -1;
	}
	*text = p;
	return 1;
}

int
bundle_read_file(const char *path, char **text, char *err, size_t errlen)
{
	int	fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*text = NULL;
		return 0;
	}
	rc = bundle_read_fd(fd, text, err, errlen);
	close(fd);
	return rc;
}

int
bundle_read(char **text, char *err, size_t errlen)
{
	const char	*exe = (const char *)getauxval(AT_EXECFN);
	int		 rc;

	/* /proc may be missing (a chroot): fall back to the exec path. */
	rc = bundle_read_file("/proc/self/exe", text, err, errlen);
	if (rc == 0 && access("/proc/self/exe", F_OK) == -1 && exe != NULL)
		rc = bundle_read_file(exe, text, err, errlen);
	return rc;
}

/* Copy the running binary without any payload it already has. */
static int
bundle_copy_self(int out, char *err, size_t errlen)
{
	unsigned char	 t[BUNDLE_TRAILER], buf[65536];
	struct stat	 st;
	off_t		 end, off = 0;
	uint64_t	 len = 0;
	ssize_t		 n;
	int		 fd, i;

	if ((fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		snprintf(err, errlen, "cannot read the agent's own binary: %s",
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	end = st.st_size;
	if (end >= BUNDLE_TRAILER && pread(fd, t, sizeof t, end -
	    BUNDLE_TRAILER) == (ssize_t)sizeof t &&
	    memcmp(t, BUNDLE_MAGIC, 16) == 0) {
		for (i = 0; i < 8; i++)
			len |= (uint64_t)t[16 + i] << (8 * i);
		if (len <= (uint64_t)end - BUNDLE_TRAILER)
			end -= BUNDLE_TRAILER + (off_t)len;
	}
	while (off < end) {
		size_t	want = end - off > (off_t)sizeof buf ? sizeof buf :
		    (size_t)(end - off);

		if ((n = pread(fd, buf, want, off)) <= 0 ||
		    util_write_all(out, buf, (size_t)n) == -1) {
			snprintf(err, errlen, "copying the binary: %s",
			    n <= 0 ? "short read" : strerror(errno));
			close(fd);
			return -1;
		}
		off += n;
	}
	close(fd);
	return 0;
}

int
bundle_write(const char *cfgpath, const char *out, char *err, size_t errlen)
{
	struct config	 cfg;
	unsigned char	 t[BUNDLE_TRAILER];
	char		*text = NULL;
	int		 fd = -1, rc = -1;

	config_init(&cfg);
	cfg.layer = SRC_FILE;
	if (config_load(&cfg, cfgpath, err, errlen) == -1)
		goto done;
	if ((text = config_serialize(&cfg, err, errlen)) == NULL)
		goto done;
	if (strlen(text) > BUNDLE_MAX) {
		snprintf(err, errlen, "%s: configuration too large", cfgpath);
		goto done;
	}
	if ((fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0700)) == -1) {
		snprintf(err, errlen, "cannot create %s: %s", out,
		    strerror(errno));
		goto done;
	}
	bundle_trailer(t, text, strlen(text));
	if (bundle_copy_self(fd, err, errlen) == -1)
		goto done;
	if (util_write_all(fd, text, strlen(text)) == -1 ||
	    util_write_all(fd, t, sizeof t) == -1 || fchmod(fd, 0700) == -1 ||
	    fsync(fd) == -1) {
		snprintf(err, errlen, "cannot write %s: %s", out,
		    strerror(errno));
		goto done;
	}
	rc = 0;
done:
	if (fd != -1) {
		close(fd);
		if (rc == -1)
			unlink(out);
	}
	config_free_text(text);
	config_free(&cfg);
	return rc;
}
