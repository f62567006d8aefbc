/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The "kernel" collector: live kernel state that a rootkit or an intruder
 * with root changes and that the files on disk do not show.
 *  - live/kernel_log.jsonl: the kernel ring buffer, read from /dev/kmsg
 *    (never syslog(2), whose read-and-clear actions would empty it).
 *  - live/bpf.jsonl: the eBPF programs, maps and links held open by
 *    processes (from /proc/PID/fd and fdinfo: the agent never calls bpf())
 *    and the metadata of the objects pinned in each bpf file system.
 *  - live/kernel.jsonl: name/value records: security sysctls, the hooks
 *    through which the kernel runs a program (core_pattern, modprobe,
 *    uevent_helper, hotplug, poweroff_cmd, binfmt_misc handlers), live
 *    patches, kexec images, trace probes, and the LSM state (lsm,
 *    lockdown, SELinux, AppArmor profiles). Module lists and the taint
 *    letters are the system collector's (sysinfo.c).
 * Pseudo file systems are looked up in the mount table first and never
 * touched when absent: an automount point (systemd mounts binfmt_misc on
 * first access) would otherwise be mounted by the collection itself.
 */
#include <sys/stat.h>
#include <sys/vfs.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "util.h"
#include "live.h"
#include "kernel.h"

/* A kmsg record is at most about 8 KiB (the kernel's CONSOLE_EXT_LOG_MAX). */
#define KERNEL_KMSG_BUF		16384
#define KERNEL_KMSG_RECORDS	500000
#define KERNEL_KMSG_BYTES	(64U << 20)
#define KERNEL_FD_MAX		65536		/* fds looked at per process */
#define KERNEL_FDINFO_MAX	65536
#define KERNEL_FDINFO_KEYS	64
#define KERNEL_BPF_RECORDS	100000
#define KERNEL_PIN_DEPTH	16
#define KERNEL_PIN_ENTRIES	100000
#define KERNEL_BPF_MOUNTS	16
#define KERNEL_VALUE_MAX	(64U * 1024)
#define KERNEL_TABLE_MAX	(16U << 20)
#define KERNEL_PROFILES_MAX	100000

/* The mount points looked at, with the type of the mount on top. */
struct kernel_mounts {
	char	 binfmt[32];		/* /proc/sys/fs/binfmt_misc */
	char	 security[32];		/* /sys/kernel/security */
	char	 selinux[32];		/* /sys/fs/selinux */
	char	 tracing[32];		/* /sys/kernel/tracing */
	char	*bpf[KERNEL_BPF_MOUNTS];	/* every bpf file system */
	size_t	 nbpf;
};

/* The security sysctls recorded (/proc/sys/ + name with '.' as '/'). */
static const char *const kernel_sysctls[] = {
	"kernel.kptr_restrict",		/* kernel addresses hidden */
	"kernel.dmesg_restrict",	/* kernel log for root only */
	"kernel.yama.ptrace_scope",	/* who may ptrace whom */
	"kernel.unprivileged_bpf_disabled",
	"kernel.modules_disabled",	/* no more module loading */
	"kernel.kexec_load_disabled",
	"kernel.randomize_va_space",	/* ASLR */
	"kernel.sysrq",
	"kernel.perf_event_paranoid",
	"kernel.tainted",
	"kernel.unprivileged_userns_clone",	/* Debian's switch */
	"kernel.io_uring_disabled",
	"kernel.ftrace_enabled",	/* function hooks possible */
	"kernel.core_uses_pid",
	"fs.protected_symlinks",
	"fs.protected_hardlinks",
	"fs.protected_fifos",
	"fs.protected_regular",
	"fs.suid_dumpable",		/* core dumps of set-id programs */
	"net.ipv4.ip_forward",		/* net.*: the agent's namespace */
	"net.ipv6.conf.all.forwarding",
	"net.ipv4.conf.all.rp_filter",
	"net.ipv4.conf.all.accept_redirects",
	"net.ipv4.conf.all.send_redirects",
	"net.ipv4.conf.all.accept_source_route",
	"net.ipv4.conf.all.log_martians",
	"net.ipv6.conf.all.accept_redirects",
	"net.core.bpf_jit_enable",
	"net.core.bpf_jit_harden",
	"net.core.bpf_jit_kallsyms",
	"user.max_user_namespaces",
	"vm.mmap_min_addr",		/* NULL-dereference exploits */
	"vm.unprivileged_userfaultfd",
	"dev.tty.ldisc_autoload",
};

/* Programs the kernel itself runs: a place to persist. */
static const char *const kernel_hooks[] = {
	"/proc/sys/kernel/core_pattern",
	"/proc/sys/kernel/modprobe",
	"/proc/sys/kernel/hotplug",
	"/proc/sys/kernel/poweroff_cmd",
	"/sys/kernel/uevent_helper",
	"/sys/kernel/kexec_loaded",
	"/sys/kernel/kexec_crash_loaded",
};

/* One name/value record of live/kernel.jsonl; takes value. */
static void
kernel_value(struct collect_ctx *ctx, const char *kind, const char *name,
    json_t *value, const char *source)
{
	collect_record(ctx, "kernel", json_pack("{s:s, s:o, s:o, s:o}",
	    "kind", kind, "name", live_json_strz(name), "value", value,
	    "source", live_json_strz(source)));
}

/* A small kernel file without its last newline; NULL with errno. */
static char *
kernel_read(const char *path, size_t max, size_t *lenp)
{
	size_t	 len;
	char	*s;

	if ((s = live_read_at(AT_FDCWD, path, max, &len, NULL)) == NULL)
		return NULL;
	if (len > 0 && s[len - 1] == '\n')
		s[--len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return s;
}

/* The mount table: which pseudo file systems are there to read. */
static void
kernel_mounts(struct collect_ctx *ctx, struct kernel_mounts *km)
{
	static const char *const points[] = { "/proc/sys/fs/binfmt_misc",
	    "/sys/kernel/security", "/sys/fs/selinux", "/sys/kernel/tracing" };
	char *const		 type[] = { km->binfmt, km->security,
	    km->selinux, km->tracing };
	struct live_mount	 m;
	char			*buf, *line;
	size_t			 len, pos = 0, i;

	memset(km, 0, sizeof *km);
	if ((buf = live_read_at(AT_FDCWD, "/proc/self/mountinfo",
	    KERNEL_TABLE_MAX, &len, NULL)) == NULL) {
		collect_error(ctx, "/proc/self/mountinfo", "cannot read: %s",
		    strerror(errno));
		return;
	}
	while ((line = live_next_line(buf, len, &pos)) != NULL) {
		if (live_parse_mountinfo_line(line, &m) == -1)
			continue;
		/* Later lines are mounted on top of earlier ones. */
		for (i = 0; i < nitems(points); i++)
			if (strcmp(m.mount_point, points[i]) == 0)
				snprintf(type[i], sizeof km->binfmt, "%s",
				    m.fstype);
		if (strcmp(m.fstype, "bpf") == 0 && km->nbpf < KERNEL_BPF_MOUNTS)
			km->bpf[km->nbpf++] = xstrdup(m.mount_point);
	}
	free(buf);
}

static void
kernel_mounts_free(struct kernel_mounts *km)
{
	size_t	i;

	for (i = 0; i < km->nbpf; i++)
		free(km->bpf[i]);
}

/* The "KEY=value" continuation lines as an object. */
static json_t *
kernel_kmsg_fields(const struct kernel_kmsg *k)
{
	json_t	*o = json_object();
	char	*key, *eq;
	size_t	 i;

	for (i = 0; i < k->nfields; i++) {
		if ((eq = strchr(k->field[i], '=')) == NULL)
			continue;
		*eq = '\0';
		key = util_utf8_lossy(k->field[i]);
		json_object_set_new(o, key, live_json_strz(eq + 1));
		free(key);
	}
	return o;
}

static int
kernel_kmsg_record(struct collect_ctx *ctx, struct kernel_kmsg *k,
    const struct timespec *boot)
{
	const char	*fac;
	char		 when[40], facbuf[16];
	long long	 sec, usec;

	sec = boot->tv_sec + (long long)(k->usec / 1000000);
	usec = boot->tv_nsec / 1000 + (long long)(k->usec % 1000000);
	sec += usec / 1000000;
	util_iso8601(when, sizeof when, (time_t)sec, usec % 1000000);
	if ((fac = kernel_facility_name(k->facility)) == NULL) {
		snprintf(facbuf, sizeof facbuf, "%u", k->facility);
		fac = facbuf;
	}
	return collect_record(ctx, "kernel_log", json_pack("{s:I, s:s, s:s, "
	    "s:s, s:I, s:o, s:o}", "seq", (json_int_t)k->seq, "facility", fac,
	    "level", kernel_level_name(k->level), "time", when, "monotonic_us",
	    (json_int_t)k->usec, "message", live_json_str(k->message,
	    k->message_len), "fields", kernel_kmsg_fields(k)));
}

/*
 * The ring buffer, oldest record first: a fresh open of /dev/kmsg starts
 * there, and each read(2) returns one record. Non-blocking: EAGAIN once
 * all is read; EPIPE when records were overwritten while reading.
 */
static void
kernel_kmsg(struct collect_ctx *ctx)
{
	struct kernel_kmsg	 k;
	struct timespec		 rt, mono, boot;
	struct stat		 st;
	uint64_t		 bytes = 0;
	size_t			 n = 0, bad = 0, lost = 0;
	ssize_t			 r;
	char			*buf;
	int			 fd, cut = 0;

	if ((fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_NOFOLLOW |
	    O_CLOEXEC | O_NOCTTY)) == -1) {
		if (errno == ENOENT)
			collect_log(ctx, LOG_WARN, "no /dev/kmsg (a kernel "
			    "without printk or no devtmpfs): no kernel log");
		else
			collect_error(ctx, "/dev/kmsg", "cannot open: %s",
			    strerror(errno));
		return;
	}
	if (fstat(fd, &st) == -1 || !S_ISCHR(st.st_mode)) {
		collect_error(ctx, "/dev/kmsg", "not a character device");
		close(fd);
		return;
	}
	/* Record times are the kernel's local clock, which is monotonic. */
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	boot.tv_sec = rt.tv_sec - mono.tv_sec;
	boot.tv_nsec = rt.tv_nsec - mono.tv_nsec;
	if (boot.tv_nsec < 0) {
		boot.tv_sec--;
		boot.tv_nsec += 1000000000L;
	}
	buf = xmalloc(KERNEL_KMSG_BUF);
	for (;;) {
		if (collect_expired(ctx) || n >= KERNEL_KMSG_RECORDS ||
		    bytes >= KERNEL_KMSG_BYTES) {
			cut = 1;
			break;
		}
		if ((r = read(fd, buf, KERNEL_KMSG_BUF - 1)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE) {
				lost++;
				continue;
			}
			if (errno != EAGAIN)
				collect_error(ctx, "/dev/kmsg", "cannot read: "
				    "%s", strerror(errno));
			break;
		}
		if (r == 0)
			break;
		bytes += (uint64_t)r;
		if (kernel_parse_kmsg(buf, (size_t)r, &k) == -1) {
			bad++;
			continue;
		}
		if (kernel_kmsg_record(ctx, &k, &boot) == -1) {
			cut = 1;
			break;
		}
		n++;
	}
	free(buf);
	close(fd);
	collect_log(ctx, cut ? LOG_WARN : LOG_INFO, "kernel log: %zu records "
	    "(%zu malformed skipped, %zu overwritten while read)%s", n, bad,
	    lost, cut ? "; cut at the record, byte or time limit" : "");
}

/* The eBPF objects among the descriptors of dfd's process. */
static void
kernel_bpf_fds(struct collect_ctx *ctx, int dfd, unsigned int pid,
    const char *comm, size_t *nrec)
{
	struct dirent	*de;
	const char	*kind;
	json_t		*fields;
	DIR		*d;
	char		 link[128], path[8 + sizeof de->d_name], *info;
	size_t		 count = 0, len;
	ssize_t		 n;
	int		 fdd;

	if ((fdd = openat(dfd, "fd", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return;
	if ((d = fdopendir(fdd)) == NULL) {
		close(fdd);
		return;
	}
	while ((de = readdir(d)) != NULL && count++ < KERNEL_FD_MAX &&
	    *nrec < KERNEL_BPF_RECORDS) {
		if ((n = readlinkat(fdd, de->d_name, link, sizeof link - 1)) ==
		    -1)
			continue;
		link[n] = '\0';
		if ((kind = kernel_bpf_kind(link)) == NULL)
			continue;
		snprintf(path, sizeof path, "fdinfo/%s", de->d_name);
		if ((info = live_read_at(dfd, path, KERNEL_FDINFO_MAX, &len,
		    NULL)) == NULL)
			continue;	/* closed meanwhile */
		fields = kernel_parse_fdinfo(info, len, KERNEL_FDINFO_KEYS,
		    NULL);
		free(info);
		collect_record(ctx, "bpf", json_pack("{s:I, s:o, s:I, s:s, "
		    "s:o, s:o}", "pid", (json_int_t)pid, "process",
		    live_json_strz(comm), "fd", (json_int_t)strtol(de->d_name,
		    NULL, 10), "kind", kind, "link", live_json_strz(link),
		    "fields", fields));
		(*nrec)++;
	}
	closedir(d);
}

/* Every process's eBPF descriptors. */
static void
kernel_bpf_held(struct collect_ctx *ctx)
{
	struct live_pids	 pids;
	char			 name[16], *comm;
	size_t			 i, nrec = 0;
	int			 procfd, dfd;

	if ((procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1 || process_pids(procfd, &pids) == -1) {
		collect_error(ctx, "/proc", "cannot list: %s", strerror(errno));
		if (procfd != -1)
			close(procfd);
		return;
	}
	for (i = 0; i < pids.n && !collect_expired(ctx); i++) {
		snprintf(name, sizeof name, "%u", pids.pid[i]);
		if ((dfd = openat(procfd, name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC)) == -1)
			continue;
		if ((comm = live_read_at(dfd, "comm", 256, NULL, NULL)) != NULL)
			comm[strcspn(comm, "\n")] = '\0';
		kernel_bpf_fds(ctx, dfd, pids.pid[i], comm, &nrec);
		free(comm);
		close(dfd);
	}
	collect_log(ctx, LOG_INFO, "%zu eBPF objects held by %zu processes' "
	    "descriptors%s", nrec, pids.n, nrec >= KERNEL_BPF_RECORDS ?
	    " (cut at the cap)" : "");
	process_pids_free(&pids);
	close(procfd);
}

static const char *
kernel_file_type(mode_t mode)
{
	if (S_ISDIR(mode))
		return "dir";
	if (S_ISREG(mode))
		return "file";
	if (S_ISLNK(mode))
		return "symlink";
	return "other";
}

/* Walk one directory of a bpf file system; metadata only. */
static void
kernel_pin_walk(struct collect_ctx *ctx, int fd0, const char *dir,
    int depth, size_t *nent)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	char		*path;
	int		 fd;

	if ((d = fdopendir(fd0)) == NULL) {
		close(fd0);
		return;
	}
	while ((de = readdir(d)) != NULL && !collect_expired(ctx)) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (++*nent > KERNEL_PIN_ENTRIES)
			break;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ==
		    -1)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		collect_record(ctx, "bpf", json_pack("{s:s, s:o, s:s, s:I, "
		    "s:I, s:I, s:I, s:I}", "kind", "pinned", "path",
		    live_json_strz(path), "type", kernel_file_type(st.st_mode),
		    "mode", (json_int_t)(st.st_mode & 07777), "uid",
		    (json_int_t)st.st_uid, "gid", (json_int_t)st.st_gid,
		    "inode", (json_int_t)st.st_ino, "mtime",
		    (json_int_t)st.st_mtime));
		if (S_ISDIR(st.st_mode) && depth < KERNEL_PIN_DEPTH &&
		    (fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC)) != -1)
			kernel_pin_walk(ctx, fd, path, depth + 1, nent);
		free(path);
	}
	closedir(d);
}

/* The objects pinned in every bpf file system (never opened). */
static void
kernel_bpf_pinned(struct collect_ctx *ctx, const struct kernel_mounts *km)
{
	size_t	i, nent = 0;
	int	fd;

	if (km->nbpf == 0) {
		collect_log(ctx, LOG_INFO, "no bpf file system mounted: no "
		    "pinned eBPF objects to list");
		return;
	}
	for (i = 0; i < km->nbpf; i++) {
		if ((fd = open(km->bpf[i], O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC)) == -1) {
			collect_error(ctx, km->bpf[i], "cannot open: %s",
			    strerror(errno));
			continue;
		}
		kernel_pin_walk(ctx, fd, km->bpf[i], 0, &nent);
	}
	collect_log(ctx, nent > KERNEL_PIN_ENTRIES ? LOG_WARN : LOG_INFO,
	    "%zu entries in %zu bpf file systems%s", nent > KERNEL_PIN_ENTRIES ?
	    (size_t)KERNEL_PIN_ENTRIES : nent, km->nbpf,
	    nent > KERNEL_PIN_ENTRIES ? " (cut at the cap)" : "");
}

/* The security sysctls: a record each, null when this kernel has none. */
static void
kernel_sysctl(struct collect_ctx *ctx)
{
	struct buf	 absent = { 0 };
	char		 path[256], *s, *p;
	size_t		 i;

	for (i = 0; i < nitems(kernel_sysctls); i++) {
		snprintf(path, sizeof path, "/proc/sys/%s", kernel_sysctls[i]);
		for (p = path + 10; *p != '\0'; p++)
			if (*p == '.')
				*p = '/';
		if ((s = kernel_read(path, KERNEL_VALUE_MAX, NULL)) == NULL) {
			buf_printf(&absent, " %s", kernel_sysctls[i]);
			kernel_value(ctx, "sysctl", kernel_sysctls[i],
			    json_null(), path);
			continue;
		}
		kernel_value(ctx, "sysctl", kernel_sysctls[i],
		    live_json_strz(s), path);
		free(s);
	}
	if (absent.len > 0)
		collect_log(ctx, LOG_INFO, "sysctls absent from this kernel "
		    "(value null):%s", absent.data);
	buf_free(&absent);
}

/* Hooks: a program the kernel runs, or an image it holds. */
static void
kernel_hook_check(struct collect_ctx *ctx, const char *name, const char *v)
{
	if (strcmp(name, "core_pattern") == 0 && v[0] == '|')
		collect_log(ctx, LOG_WARN, "core_pattern pipes core dumps to "
		    "a program run as root: %s", v + 1);
	else if ((strcmp(name, "uevent_helper") == 0 ||
	    strcmp(name, "hotplug") == 0) && v[0] != '\0')
		collect_log(ctx, LOG_WARN, "%s is set: the kernel runs %s on "
		    "every device event", name, v);
	else if (strcmp(name, "modprobe") == 0 && strcmp(v, "/sbin/modprobe")
	    != 0 && strcmp(v, "/usr/sbin/modprobe") != 0)
		collect_log(ctx, LOG_WARN, "kernel.modprobe is %s, not "
		    "/sbin/modprobe", v);
	else if (strcmp(name, "kexec_loaded") == 0 && strcmp(v, "1") == 0)
		collect_log(ctx, LOG_WARN, "a kexec kernel image is loaded: "
		    "a reboot through kexec runs it");
}

static void
kernel_hooks_read(struct collect_ctx *ctx)
{
	struct buf	 absent = { 0 };
	const char	*name;
	char		*s;
	size_t		 i;

	for (i = 0; i < nitems(kernel_hooks); i++) {
		name = strrchr(kernel_hooks[i], '/') + 1;
		if ((s = kernel_read(kernel_hooks[i], KERNEL_VALUE_MAX,
		    NULL)) == NULL) {
			buf_printf(&absent, " %s", kernel_hooks[i]);
			continue;
		}
		kernel_value(ctx, "hook", name, live_json_strz(s),
		    kernel_hooks[i]);
		kernel_hook_check(ctx, name, s);
		free(s);
	}
	if (absent.len > 0)
		collect_log(ctx, LOG_INFO, "hooks absent from this kernel:%s",
		    absent.data);
	buf_free(&absent);
}

/* Live patches replace kernel functions: each with its state. */
static void
kernel_livepatch(struct collect_ctx *ctx)
{
	struct dirent	*de;
	DIR		*d;
	char		 path[PATH_MAX], *s;
	size_t		 n = 0;

	if ((d = opendir("/sys/kernel/livepatch")) == NULL) {
		collect_log(ctx, LOG_INFO, "no /sys/kernel/livepatch: a kernel "
		    "without live patching");
		return;
	}
	while ((de = readdir(d)) != NULL && n < 1024) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/sys/kernel/livepatch/%s/enabled",
		    de->d_name);
		s = kernel_read(path, 64, NULL);
		kernel_value(ctx, "livepatch", de->d_name, live_json_strz(s),
		    path);
		collect_log(ctx, LOG_WARN, "live patch %s loaded (enabled %s)",
		    de->d_name, s != NULL ? s : "?");
		free(s);
		n++;
	}
	closedir(d);
}

/* Trace probes (kprobes, uprobes) and the tracer: hooks on any function. */
static void
kernel_tracing(struct collect_ctx *ctx, const struct kernel_mounts *km)
{
	static const char *const files[] = { "current_tracer",
	    "kprobe_events", "uprobe_events", "dynamic_events" };
	char	 path[128], *s;
	size_t	 i;

	/* debugfs's tracing/ would mount tracefs on access: not used. */
	if (strcmp(km->tracing, "tracefs") != 0) {
		collect_log(ctx, LOG_INFO, "tracefs not mounted at "
		    "/sys/kernel/tracing: trace probes not read");
		return;
	}
	for (i = 0; i < nitems(files); i++) {
		snprintf(path, sizeof path, "/sys/kernel/tracing/%s", files[i]);
		if ((s = kernel_read(path, KERNEL_VALUE_MAX, NULL)) == NULL)
			continue;
		kernel_value(ctx, "tracing", files[i], live_json_strz(s), path);
		if ((i > 0 && s[0] != '\0') || (i == 0 && strcmp(s, "nop")
		    != 0))
			collect_log(ctx, LOG_WARN, "tracing in use: %s is not "
			    "empty", path);
		free(s);
	}
}

static json_t *
kernel_binfmt_json(const struct kernel_binfmt *b)
{
	return json_pack("{s:b, s:o, s:o, s:o, s:o, s:o, s:o}", "enabled",
	    b->enabled, "interpreter", live_json_strz(b->interpreter),
	    "flags", live_json_strz(b->flags), "offset", b->offset >= 0 ?
	    json_integer(b->offset) : json_null(), "magic",
	    live_json_strz(b->magic), "mask", live_json_strz(b->mask),
	    "extension", live_json_strz(b->extension));
}

/* binfmt_misc: each handler runs its interpreter on matching files. */
static void
kernel_binfmt(struct collect_ctx *ctx, const struct kernel_mounts *km)
{
	static const char	 dir[] = "/proc/sys/fs/binfmt_misc";
	struct kernel_binfmt	 b;
	struct dirent		*de;
	const char		*why = "";
	DIR			*d;
	char			 path[PATH_MAX], *s;
	size_t			 len, n = 0, bad = 0;
	int			 fd;

	if (strcmp(km->binfmt, "binfmt_misc") != 0) {
		if (strcmp(km->binfmt, "autofs") == 0)
			why = " (an automount point: not triggered)";
		else if (km->binfmt[0] != '\0')
			why = " (another file system is there)";
		collect_log(ctx, LOG_INFO, "binfmt_misc not mounted at %s%s: "
		    "no handlers read", dir, why);
		return;
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1 || (d = fdopendir(fd)) == NULL) {
		collect_error(ctx, dir, "cannot list: %s", strerror(errno));
		if (fd != -1)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL && n < 4096) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "register") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if ((s = live_read_at(dirfd(d), de->d_name, KERNEL_VALUE_MAX,
		    &len, NULL)) == NULL)
			continue;
		n++;
		if (strcmp(de->d_name, "status") == 0) {
			s[strcspn(s, "\n")] = '\0';
			kernel_value(ctx, "binfmt_misc", "status",
			    live_json_strz(s), path);
		} else if (kernel_parse_binfmt(s, len, &b) == -1) {
			bad++;
			collect_error(ctx, path, "not a binfmt_misc handler");
		} else {
			kernel_value(ctx, "binfmt_misc", de->d_name,
			    kernel_binfmt_json(&b), path);
			collect_log(ctx, LOG_INFO, "binfmt_misc handler %s runs "
			    "%s", de->d_name, b.interpreter);
		}
		free(s);
	}
	closedir(d);
	collect_log(ctx, bad > 0 ? LOG_WARN : LOG_INFO, "binfmt_misc: %zu "
	    "files read, %zu not readable as handlers", n, bad);
}

/* A line file of securityfs or selinuxfs, as a record. */
static void
kernel_lsm_file(struct collect_ctx *ctx, const char *name, const char *path)
{
	char	*s;

	if ((s = kernel_read(path, KERNEL_VALUE_MAX, NULL)) == NULL) {
		collect_log(ctx, LOG_INFO, "%s: %s", path, strerror(errno));
		return;
	}
	kernel_value(ctx, "lsm", name, live_json_strz(s), path);
	free(s);
}

/* One record per AppArmor profile, with its mode (enforce, complain…). */
static void
kernel_apparmor_profiles(struct collect_ctx *ctx)
{
	static const char	 path[] =
	    "/sys/kernel/security/apparmor/profiles";
	char			*buf, *line, *name, *mode;
	size_t			 len, pos = 0, n = 0, bad = 0;
	int			 trunc = 0;

	if ((buf = live_read_at(AT_FDCWD, path, KERNEL_TABLE_MAX, &len,
	    &trunc)) == NULL) {
		collect_log(ctx, LOG_INFO, "%s: %s", path, strerror(errno));
		return;
	}
	while ((line = live_next_line(buf, len, &pos)) != NULL &&
	    n < KERNEL_PROFILES_MAX) {
		if (*line == '\0')
			continue;
		if (kernel_parse_aa_profile(line, &name, &mode) == -1) {
			bad++;
			continue;
		}
		kernel_value(ctx, "apparmor_profile", name, json_pack("{s:o, "
		    "s:o}", "profile", live_json_strz(name), "mode",
		    live_json_strz(mode)), path);
		n++;
	}
	free(buf);
	collect_log(ctx, LOG_INFO, "%zu AppArmor profiles (%zu malformed "
	    "lines)%s", n, bad, trunc ? ", the list cut at its size cap" : "");
}

/* The LSM state: stacked modules, lockdown, SELinux and AppArmor. */
static void
kernel_lsm(struct collect_ctx *ctx, const struct kernel_mounts *km)
{
	char	*s;

	if (strcmp(km->security, "securityfs") == 0) {
		kernel_lsm_file(ctx, "lsm", "/sys/kernel/security/lsm");
		kernel_lsm_file(ctx, "lockdown",
		    "/sys/kernel/security/lockdown");
	} else
		collect_log(ctx, LOG_INFO, "securityfs not mounted at "
		    "/sys/kernel/security: lsm, lockdown and the AppArmor "
		    "profiles not read");
	if (strcmp(km->selinux, "selinuxfs") == 0) {
		kernel_lsm_file(ctx, "selinux.enforce", "/sys/fs/selinux/enforce");
		kernel_lsm_file(ctx, "selinux.policyvers",
		    "/sys/fs/selinux/policyvers");
		kernel_lsm_file(ctx, "selinux.deny_unknown",
		    "/sys/fs/selinux/deny_unknown");
	} else
		collect_log(ctx, LOG_INFO, "SELinux: no selinuxfs mounted at "
		    "/sys/fs/selinux (disabled or not in this kernel)");
	if ((s = kernel_read("/sys/module/apparmor/parameters/enabled", 64,
	    NULL)) == NULL) {
		collect_log(ctx, LOG_INFO, "AppArmor: no /sys/module/apparmor "
		    "(not in this kernel)");
		return;
	}
	kernel_value(ctx, "lsm", "apparmor.enabled", live_json_strz(s),
	    "/sys/module/apparmor/parameters/enabled");
	free(s);
	if (strcmp(km->security, "securityfs") == 0)
		kernel_apparmor_profiles(ctx);
}

static enum collect_result
kernel_collect(struct collect_ctx *ctx)
{
	struct kernel_mounts	km;

	kernel_mounts(ctx, &km);
	kernel_kmsg(ctx);
	kernel_bpf_held(ctx);
	kernel_bpf_pinned(ctx, &km);
	kernel_sysctl(ctx);
	kernel_hooks_read(ctx);
	kernel_binfmt(ctx, &km);
	kernel_livepatch(ctx);
	kernel_tracing(ctx, &km);
	kernel_lsm(ctx, &km);
	kernel_mounts_free(&km);
	return COLLECT_OK;
}

const struct collector collector_kernel = {
	.name = "kernel",
	.description = "kernel ring buffer, eBPF objects, security sysctls, "
	    "kernel hooks, binfmt_misc, LSM state",
	.flags = COLLECTOR_LIVE | COLLECTOR_NEEDS_ROOT,
	.run = kernel_collect,
};
