/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * A process's descriptor table and mappings (/proc/PID/fd, fdinfo and
 * maps) and its container (/proc/PID/cgroup), for the processes
 * collector and for any collector that needs to decide which processes
 * are suspect (deleted or memfd files, anonymous executable memory).
 * The parsers are pure (unit tests and the live fuzz target feed them
 * anything); the readers take a descriptor of /proc/PID opened by the
 * caller and are bounded in entries and bytes.
 */
#ifndef PROCFD_H
#define PROCFD_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "procmem.h"

#define PROCFD_FDS_MAX		65536		/* descriptors read per process */
#define PROCFD_MAPS_MAX		65536		/* mappings per process */
#define PROCFD_MAPS_BYTES	(16U << 20)	/* of /proc/PID/maps */

enum procfd_type {
	PROCFD_FILE,
	PROCFD_DIR,
	PROCFD_SOCKET,
	PROCFD_PIPE,
	PROCFD_ANON,		/* anon_inode: eventfd, bpf-map… */
	PROCFD_MEMFD,
	PROCFD_DEVICE,
	PROCFD_OTHER
};

/* What a /proc/PID/fd/N link says about the descriptor. */
struct procfd_target {
	enum procfd_type	 type;
	int			 deleted;	/* unlinked file (not a memfd) */
	int			 memfd;
	unsigned long long	 inode;		/* socket and pipe */
	char			 anon[64];	/* anon_inode kind, "" if none */
};

/*
 * Classify the link target (NUL-terminated, as readlink gives it) of a
 * descriptor. mode is the st_mode of the file it opens, or 0 when it
 * could not be stat-ed: it tells a directory, a device or a named FIFO
 * apart from a file. Never fails: what is not recognised is "other".
 */
void		 procfd_classify(const char *, mode_t, struct procfd_target *);
/* "file", "dir", "socket"… */
const char	*procfd_type_name(enum procfd_type);

/* The fields of /proc/PID/fdinfo/N that are kept. */
struct procfd_info {
	unsigned long long	 pos;
	char			 flags[24];	/* octal digits, as printed */
	long long		 mnt_id;	/* -1 when absent */
};
/* Parse fdinfo (len bytes). 0, or -1 when pos or flags is missing. */
int		 procfd_parse_fdinfo(const char *, size_t, struct procfd_info *);

/*
 * The container a process runs in, from its /proc/PID/cgroup (len
 * bytes): docker, containerd, cri-o, podman (libpod), lxc, or kubernetes
 * (a bare kubepods id). id gets the container id (64 hex digits, or the
 * LXC container's name), at most size-1 bytes. Returns the runtime name
 * (static), or NULL when no pattern matches (id is then "").
 */
const char	*procfd_container(const char *, size_t, char *, size_t);

/*
 * The descriptor numbers of the process whose /proc/PID directory is
 * dfd, ascending, at most cap of them: *fdsp (the caller frees) and *np;
 * *cutp set when there were more. 0, or -1 with errno (the fd directory
 * cannot be opened: the process is gone, or access is denied).
 */
int		 procfd_list(int, size_t, unsigned int **, size_t *, int *);

/*
 * Whether a mapping is executable memory that no file backs: anonymous
 * or a named region such as [heap] or [stack], not the kernel's own
 * [vdso], [vsyscall] or [uprobes]. memfd mappings are not counted here
 * (their memfd flag says what they are).
 */
int		 procfd_anon_exec(const struct procmap *);

/*
 * The readers: one process, its /proc/PID directory open as dfd. Each
 * emits its records (live/process_fds.jsonl, live/process_maps.jsonl)
 * and fills the counts. A descriptor closed between the listing and its
 * reading is counted in nvanished (the first in vanished); another
 * failure is kept in err_what (a static name or one in whatbuf) and
 * err_no, for the caller to report if the process still lives.
 */
struct collect_ctx;
struct stat;
struct procfd_proc {
	struct collect_ctx	*ctx;
	int			 dfd;
	unsigned int		 pid;
	const char		*comm;
	/*
	 * Copy the regular file behind dfd/path (st: what stat said of it)
	 * into the archive; the archive path (the callee's) or NULL, and
	 * *sha its sha256 in hex (the callee's, may be NULL).
	 */
	const char		*(*copy)(void *, int, const char *,
				    const struct stat *, unsigned int,
				    const char **);
	void			*arg;

	size_t			 nfds, ndeleted, nmemfd, ncopied;
	size_t			 nmaps, nanonexec;
	int			 fds_cut, maps_cut;
	size_t			 nvanished;
	unsigned int		 vanished;
	const char		*err_what;
	int			 err_no;
	char			 whatbuf[32];
};
/* The descriptor table. 0, or -1 with errno when fd cannot be listed. */
int		 procfd_fds(struct procfd_proc *);
/* The mappings. 0, or -1 with errno when maps cannot be read. */
int		 procfd_maps(struct procfd_proc *);

/*
 * Open, for reading, the regular file that dfd/path (a /proc/PID/fd/N
 * magic link) leads to, provided it is still the file st describes
 * (same device and inode): never a FIFO or a device, whatever the
 * descriptor became meanwhile. -1 with errno (ESTALE: it changed).
 */
int		 procfd_open_file(int, const char *, const struct stat *);

#endif
