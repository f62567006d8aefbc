/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * stallfs: a FUSE file system whose server stops answering, for the
 * tests (t-stall). It speaks the kernel's FUSE protocol on /dev/fuse
 * itself (no libfuse, no fusermount) and mounts with mount(2), so it
 * needs root. Its root directory holds:
 *
 *   a.txt, b.txt   small files, answered ("alpha\n", "bravo\n")
 *   stall          4 KiB; a READ of it is never answered
 *   big-stall      12 MiB; READs below 2 MiB are answered (bytes 'B'),
 *                  the later ones never
 *   stall-open     4 KiB; its OPEN is never answered
 *
 * A request never answered blocks its caller in the kernel until the
 * server answers or goes away: killing stallfs (SIGTERM, SIGKILL) closes
 * /dev/fuse, which aborts the connection and ends every waiting request
 * with ENOTCONN. The test then unmounts (umount -l).
 *
 * usage: stallfs MOUNTPOINT
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define STALLFS_BUF	((1U << 20) + 4096)
#define STALLFS_BIG	(12ULL << 20)
#define STALLFS_BIGOK	(2ULL << 20)
#define STALLFS_TTL	3600

struct stallfs_file {
	uint64_t	 ino;
	const char	*name;
	uint64_t	 size;
	const char	*data;	/* NULL: filled with 'B' */
};

static const struct stallfs_file stallfs_files[] = {
	{ 2, "a.txt", 6, "alpha\n" },
	{ 3, "b.txt", 6, "bravo\n" },
	{ 4, "stall", 4096, NULL },
	{ 5, "big-stall", STALLFS_BIG, NULL },
	{ 6, "stall-open", 4096, NULL },
};
#define STALLFS_NFILES	(sizeof stallfs_files / sizeof stallfs_files[0])

static int	stallfs_fd;

static const struct stallfs_file *
stallfs_find(uint64_t ino)
{
	size_t	i;

	for (i = 0; i < STALLFS_NFILES; i++)
		if (stallfs_files[i].ino == ino)
			return &stallfs_files[i];
	return NULL;
}

static void
stallfs_reply(uint64_t unique, int error, const void *p, size_t n)
{
	struct fuse_out_header	 h;
	static unsigned char	 out[STALLFS_BUF];

	if (n > sizeof out - sizeof h)
		n = sizeof out - sizeof h;
	h.len = (uint32_t)(sizeof h + n);
	h.error = -error;
	h.unique = unique;
	memcpy(out, &h, sizeof h);
	if (n > 0)
		memcpy(out + sizeof h, p, n);
	if (write(stallfs_fd, out, h.len) == -1 && errno != ENOENT)
		perror("stallfs: write /dev/fuse");
}

static void
stallfs_attr(uint64_t ino, struct fuse_attr *a)
{
	const struct stallfs_file	*f = stallfs_find(ino);

	memset(a, 0, sizeof *a);
	a->ino = ino;
	a->mode = f ? S_IFREG | 0644 : S_IFDIR | 0755;
	a->nlink = f ? 1 : 2;
	a->size = f ? f->size : 0;
	a->blocks = (a->size + 511) / 512;
	a->blksize = 4096;
	a->mtime = a->atime = a->ctime = 1700000000;
}

static void
stallfs_lookup(struct fuse_in_header *in, const char *name)
{
	struct fuse_entry_out	e;
	size_t			i;

	for (i = 0; i < STALLFS_NFILES; i++)
		if (in->nodeid == FUSE_ROOT_ID &&
		    strcmp(stallfs_files[i].name, name) == 0)
			break;
	if (i == STALLFS_NFILES) {
		stallfs_reply(in->unique, ENOENT, NULL, 0);
		return;
	}
	memset(&e, 0, sizeof e);
	e.nodeid = stallfs_files[i].ino;
	e.entry_valid = e.attr_valid = STALLFS_TTL;
	stallfs_attr(e.nodeid, &e.attr);
	stallfs_reply(in->unique, 0, &e, sizeof e);
}

static void
stallfs_readdir(struct fuse_in_header *in, const struct fuse_read_in *r)
{
	static unsigned char	 buf[65536];
	struct fuse_dirent	*d;
	const char		*name;
	size_t			 len = 0, rec, i, max;
	uint64_t		 ino;

	max = r->size < sizeof buf ? r->size : sizeof buf;
	for (i = (size_t)r->offset; i < STALLFS_NFILES + 2; i++) {
		if (i < 2) {
			name = i == 0 ? "." : "..";
			ino = FUSE_ROOT_ID;
		} else {
			name = stallfs_files[i - 2].name;
			ino = stallfs_files[i - 2].ino;
		}
		rec = FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + strlen(name));
		if (len + rec > max)
			break;
		d = (struct fuse_dirent *)(buf + len);
		memset(d, 0, rec);
		d->ino = ino;
		d->off = i + 1;
		d->namelen = (uint32_t)strlen(name);
		d->type = i < 2 ? DT_DIR : DT_REG;
		memcpy(d->name, name, d->namelen);
		len += rec;
	}
	stallfs_reply(in->unique, 0, buf, len);
}

static void
stallfs_read(struct fuse_in_header *in, const struct fuse_read_in *r)
{
	static char			 data[1U << 20];
	const struct stallfs_file	*f = stallfs_find(in->nodeid);
	size_t				 n;

	if (f == NULL) {
		stallfs_reply(in->unique, EISDIR, NULL, 0);
		return;
	}
	if (f->ino == 4 || (f->ino == 5 && r->offset >= STALLFS_BIGOK))
		return;		/* never answered */
	n = r->offset >= f->size ? 0 : (size_t)(f->size - r->offset);
	if (n > r->size)
		n = r->size;
	if (n > sizeof data)
		n = sizeof data;
	if (f->data != NULL)
		stallfs_reply(in->unique, 0, f->data + r->offset, n);
	else {
		memset(data, 'B', n);
		stallfs_reply(in->unique, 0, data, n);
	}
}

static void
stallfs_init(struct fuse_in_header *in, const struct fuse_init_in *i)
{
	struct fuse_init_out	o;

	memset(&o, 0, sizeof o);
	o.major = FUSE_KERNEL_VERSION;
	o.minor = FUSE_KERNEL_MINOR_VERSION;
	o.max_readahead = i->max_readahead;
	o.max_write = 65536;
	o.max_background = 16;
	o.congestion_threshold = 12;
	o.time_gran = 1;
	stallfs_reply(in->unique, 0, &o, sizeof o);
}

static void
stallfs_serve(void)
{
	static unsigned char	 buf[STALLFS_BUF];
	struct fuse_in_header	*in = (struct fuse_in_header *)buf;
	struct fuse_attr_out	 a;
	struct fuse_open_out	 op;
	struct fuse_statfs_out	 sf;
	void			*arg = buf + sizeof *in;
	ssize_t			 n;

	for (;;) {
		if ((n = read(stallfs_fd, buf, sizeof buf)) == -1) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			if (errno == ENODEV)	/* unmounted */
				exit(0);
			perror("stallfs: read /dev/fuse");
			exit(1);
		}
		if ((size_t)n < sizeof *in)
			continue;
		switch (in->opcode) {
		case FUSE_INIT:
			stallfs_init(in, arg);
			break;
		case FUSE_LOOKUP:
			buf[n < (ssize_t)sizeof buf ? n : n - 1] = '\0';
			stallfs_lookup(in, arg);
			break;
		case FUSE_GETATTR:
			memset(&a, 0, sizeof a);
			a.attr_valid = STALLFS_TTL;
			stallfs_attr(in->nodeid, &a.attr);
			stallfs_reply(in->unique, 0, &a, sizeof a);
			break;
		case FUSE_OPEN:
			if (in->nodeid == 6)
				break;		/* never answered */
			/* FALLTHROUGH */
		case FUSE_OPENDIR:
			memset(&op, 0, sizeof op);
			stallfs_reply(in->unique, 0, &op, sizeof op);
			break;
		case FUSE_READ:
			stallfs_read(in, arg);
			break;
		case FUSE_READDIR:
			stallfs_readdir(in, arg);
			break;
		case FUSE_STATFS:
			memset(&sf, 0, sizeof sf);
			sf.st.bsize = sf.st.frsize = 4096;
			sf.st.namelen = 255;
			stallfs_reply(in->unique, 0, &sf, sizeof sf);
			break;
		case FUSE_RELEASE:
		case FUSE_RELEASEDIR:
		case FUSE_FLUSH:
		case FUSE_ACCESS:
			stallfs_reply(in->unique, 0, NULL, 0);
			break;
		case FUSE_FORGET:
		case FUSE_BATCH_FORGET:
		case FUSE_INTERRUPT:	/* stalled: interrupts are ignored */
			break;
		case FUSE_DESTROY:
			exit(0);
		default:
			stallfs_reply(in->unique, ENOSYS, NULL, 0);
			break;
		}
	}
}

int
main(int argc, char *argv[])
{
	char	opts[128];

	if (argc != 2) {
		fprintf(stderr, "usage: stallfs MOUNTPOINT\n");
		return 2;
	}
	if ((stallfs_fd = open("/dev/fuse", O_RDWR | O_CLOEXEC)) == -1) {
		perror("stallfs: /dev/fuse");
		return 1;
	}
	snprintf(opts, sizeof opts, "fd=%d,rootmode=40000,user_id=0,"
	    "group_id=0,allow_other", stallfs_fd);
	if (mount("stallfs", argv[1], "fuse", MS_NOSUID | MS_NODEV, opts) ==
	    -1) {
		fprintf(stderr, "stallfs: mount %s: %s\n", argv[1],
		    strerror(errno));
		return 1;
	}
	stallfs_serve();
	return 0;
}
