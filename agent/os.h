/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The platform layer: what differs per OS sits here (os-linux.c).
 * Opening evidence under a root, host identity, CPU count.
 */
#ifndef OS_H
#define OS_H

#include <sys/stat.h>
#include <sys/types.h>

/* Open the root directory (O_PATH). -1 with errno set. */
int	 os_root_open(const char *);
/*
 * Whether os_open_under may use openat2 (default: yes where the kernel
 * has it, unless CSIRT_COLLECT_NO_OPENAT2=1); off forces the component
 * walk of older kernels (tests).
 */
void	 os_use_openat2(int);
/* How paths are resolved under the root, for the log (static text). */
const char *os_resolver(void);

/*
 * Open path (absolute or relative, taken inside the root rootfd) with
 * flags (O_RDONLY, O_DIRECTORY, O_PATH…). The last component is never
 * followed (O_NOFOLLOW); earlier symlinks resolve inside the root and
 * never out of it (openat2 RESOLVE_IN_ROOT, or a component walk refusing
 * links where openat2 is missing). O_NOATIME is added when permitted.
 * -1 with errno set.
 */
int	 os_open_under(int, const char *, int);

/*
 * Open name in the directory dfd (a step of a tree walk), never
 * following it (O_NOFOLLOW), sparing its atime (O_NOATIME, dropped
 * where not permitted; for a directory this spares it when listed).
 * -1 with errno set.
 */
int	 os_openat(int, const char *, int);

/*
 * Open a regular file for reading without side effects on anything
 * else: the path is first opened O_PATH and checked to be a regular
 * file, so FIFOs and devices are never opened. *st gets its fstat.
 * -1 with errno set (EINVAL for "not a regular file"; st still filled
 * when the path exists).
 */
int	 os_open_regular(int, const char *, struct stat *);

/*
 * Host identity, read under the root in dead-box mode; only regular
 * files are read (a FIFO there cannot block), the hostname is cut at 64
 * bytes. Caller frees.
 */
struct os_host {
	char	*hostname;
	char	*os;		/* os-release PRETTY_NAME */
	char	*kernel;	/* running kernel (live) or NULL */
	char	*boot_id;
	char	*machine_id;
};
void	 os_host_read(int, int, struct os_host *);
void	 os_host_free(struct os_host *);

/* Number of online CPUs (at least 1). */
int	 os_ncpu(void);

/* The type name of the filesystem holding fd ("proc", "ext4"…). */
const char *os_fs_type(int);
/*
 * Whether fd is on a pseudo (proc, sysfs, cgroup…) or network (nfs,
 * cifs, fuse…) file system: not scanned, not swept, not entered by the
 * timeline. The one list of them; 0 when fstatfs fails.
 */
int	 os_fs_pseudo(int);

#endif
