/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The sandbox entered once set-up is done (keys read, output opened,
 * priorities lowered): no new privileges, and a seccomp-bpf filter,
 * written by hand with <linux/seccomp.h> and <linux/filter.h>, that
 * allows only the system calls collection, packing, signing and upload
 * make. Three outcomes:
 *
 *  - allowed: the calls of the list below;
 *  - killed (SECCOMP_RET_KILL_PROCESS): calls the agent never makes and
 *    that only code run inside it by an attacker would (execve, ptrace,
 *    mount, module loading, set*id, namespaces, bpf…): "never run a host
 *    program" becomes a kernel-enforced rule;
 *  - anything else fails with ENOSYS. Not a kill: a call forgotten in
 *    the list must cost one artefact (an error in the manifest), never
 *    the whole archive of an incident. ENOSYS rather than EPERM because
 *    that is what glibc falls back on (clone3 to clone, statx to fstatat,
 *    faccessat2 to faccessat).
 *
 * Foreign system-call ABIs (i386 on x86_64, x32) are killed: the list is
 * for the native one.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "sandbox.h"

#if defined(__x86_64__)
#define SANDBOX_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SANDBOX_ARCH	AUDIT_ARCH_AARCH64
#endif

/* LeakSanitizer stops the threads with ptrace at exit. */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_SANITIZER 1
#endif
#endif

#ifdef SANDBOX_ARCH

static const int sandbox_allowed[] = {
	/* files and memory */
	SYS_read, SYS_pread64, SYS_readv, SYS_write, SYS_pwrite64,
	SYS_writev, SYS_openat, SYS_close, SYS_lseek, SYS_fstat,
	SYS_newfstatat, SYS_statx, SYS_fstatfs, SYS_statfs, SYS_getdents64,
	SYS_readlinkat, SYS_faccessat, SYS_fcntl, SYS_ioctl, SYS_fadvise64,
	SYS_fsync, SYS_fdatasync, SYS_ftruncate, SYS_renameat, SYS_unlinkat,
	SYS_mkdirat, SYS_fchmod, SYS_fchown, SYS_dup, SYS_dup3, SYS_pipe2,
	SYS_memfd_create, SYS_umask, SYS_getcwd, SYS_fchdir, SYS_flock,
	SYS_mmap, SYS_munmap, SYS_mremap, SYS_mprotect, SYS_madvise, SYS_brk,
	SYS_mlock, SYS_munlock, SYS_process_vm_readv,
	/* threads, signals, time */
	SYS_clone, SYS_futex, SYS_set_robust_list, SYS_get_robust_list,
	SYS_set_tid_address, SYS_exit, SYS_exit_group, SYS_sched_yield,
	SYS_sched_getaffinity, SYS_getpid, SYS_gettid, SYS_getppid,
	SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid, SYS_getresuid,
	SYS_getresgid, SYS_getgroups, SYS_tgkill, SYS_rt_sigaction,
	SYS_rt_sigprocmask, SYS_rt_sigreturn, SYS_sigaltstack,
	SYS_nanosleep, SYS_clock_nanosleep, SYS_clock_gettime,
	SYS_clock_getres, SYS_gettimeofday, SYS_getrandom, SYS_uname,
	SYS_sysinfo, SYS_prlimit64, SYS_getrlimit, SYS_getpriority,
	SYS_setpriority, SYS_ioprio_get, SYS_ioprio_set, SYS_prctl,
	SYS_membarrier,
	/* upload: SFTP over TCP, names through /etc/hosts and DNS */
	SYS_socket, SYS_connect, SYS_bind, SYS_getsockname, SYS_getpeername,
	SYS_getsockopt, SYS_setsockopt, SYS_sendto, SYS_recvfrom,
	SYS_sendmsg, SYS_recvmsg, SYS_sendmmsg, SYS_shutdown, SYS_ppoll,
	SYS_pselect6,
#ifdef SYS_rseq
	SYS_rseq,
#endif
#ifdef SYS_openat2
	SYS_openat2,
#endif
#ifdef SYS_clone3
	SYS_clone3,
#endif
#ifdef SYS_close_range
	SYS_close_range,
#endif
#ifdef SYS_renameat2
	SYS_renameat2,
#endif
#ifdef SYS_faccessat2
	SYS_faccessat2,
#endif
	/* a file's capabilities: security.capability (collectors/timeline.c) */
	SYS_fgetxattr,
	/*
	 * network: a copy of a sniffer's AF_PACKET descriptor, to read its
	 * BPF filter with getsockopt(SO_GET_FILTER) (collectors/netsock.c).
	 */
#ifdef SYS_pidfd_open
	SYS_pidfd_open,
#endif
#ifdef SYS_pidfd_getfd
	SYS_pidfd_getfd,
#endif
#if defined(__x86_64__)
	SYS_open, SYS_stat, SYS_lstat, SYS_access, SYS_readlink, SYS_rename,
	SYS_unlink, SYS_mkdir, SYS_dup2, SYS_pipe, SYS_getdents, SYS_poll,
	SYS_select, SYS_time, SYS_arch_prctl,
#endif
#ifdef SANDBOX_SANITIZER
	SYS_ptrace, SYS_wait4, SYS_waitid, SYS_sched_setaffinity,
#endif
};

static const int sandbox_killed[] = {
	SYS_execve, SYS_execveat, SYS_mount, SYS_umount2, SYS_pivot_root,
	SYS_chroot, SYS_init_module, SYS_finit_module, SYS_delete_module,
	SYS_kexec_load, SYS_reboot, SYS_swapon, SYS_swapoff, SYS_bpf,
	SYS_setns, SYS_unshare, SYS_setuid, SYS_setgid, SYS_setreuid,
	SYS_setregid, SYS_setresuid, SYS_setresgid, SYS_setfsuid,
	SYS_setfsgid, SYS_setgroups, SYS_capset, SYS_keyctl, SYS_add_key,
	SYS_request_key, SYS_personality, SYS_userfaultfd,
	SYS_perf_event_open, SYS_open_by_handle_at, SYS_name_to_handle_at,
	SYS_process_vm_writev, SYS_settimeofday, SYS_clock_settime,
	SYS_sethostname, SYS_setdomainname,
#ifdef SYS_kexec_file_load
	SYS_kexec_file_load,
#endif
#if defined(__x86_64__)
	SYS_iopl, SYS_ioperm,
#endif
#ifndef SANDBOX_SANITIZER
	SYS_ptrace,
#endif
};

#define SANDBOX_NALLOW	(sizeof sandbox_allowed / sizeof sandbox_allowed[0])
#define SANDBOX_NKILL	(sizeof sandbox_killed / sizeof sandbox_killed[0])
/* arch check (4), x32 check (2), one jump and return per call, default */
#define SANDBOX_PROG_MAX (8 + 2 * (SANDBOX_NALLOW + SANDBOX_NKILL))

static void
sandbox_rule(struct sock_filter *f, size_t *n, int nr, unsigned int ret)
{
	f[(*n)++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    (unsigned int)nr, 0, 1);
	f[(*n)++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, ret);
}

/*
 * Set once the filter is in: it cannot be left, and a second copy would
 * only stack (a fuzz target calls verify over and over in one process).
 */
static int	sandbox_entered;

int
sandbox_enter(char *err, size_t errlen)
{
	struct sock_filter	f[SANDBOX_PROG_MAX];
	struct sock_fprog	prog;
	size_t			n = 0, i;

	if (sandbox_entered)
		return 0;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    SANDBOX_ARCH, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_KILL_PROCESS);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, nr));
#if defined(__x86_64__)
	/* x32 calls share the arch value and carry this bit. */
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
	    0x40000000U, 0, 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_KILL_PROCESS);
#endif
	for (i = 0; i < SANDBOX_NKILL; i++)
		sandbox_rule(f, &n, sandbox_killed[i],
		    SECCOMP_RET_KILL_PROCESS);
	for (i = 0; i < SANDBOX_NALLOW; i++)
		sandbox_rule(f, &n, sandbox_allowed[i], SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA));

	prog.len = (unsigned short)n;
	prog.filter = f;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		snprintf(err, errlen, "no_new_privs: %s", strerror(errno));
		return -1;
	}
	/* TSYNC: the filter covers threads already started (zstd workers). */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_TSYNC, &prog) != 0) {
		snprintf(err, errlen, "seccomp: %s", strerror(errno));
		return -1;
	}
	sandbox_entered = 1;
	return 0;
}

#else	/* !SANDBOX_ARCH */

int
sandbox_enter(char *err, size_t errlen)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		snprintf(err, errlen, "no_new_privs: %s", strerror(errno));
		return -1;
	}
	snprintf(err, errlen, "no seccomp filter for this architecture");
	return -1;
}

#endif
