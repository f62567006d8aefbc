/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The sandbox (sandbox.c), each case in a child process so the filter
 * does not bind the test: what collection and upload do still works
 * (files, memfd, threads, sockets), a call off the list fails with
 * ENOSYS, and execve — running a host program — kills the process with
 * SIGSYS, as would any code an attacker got to run inside the agent.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox.h"
#include "unit.h"

/* Run fn in a child after sandbox_enter; its wait status. */
static int
in_sandbox(int (*fn)(void))
{
	char	err[256];
	pid_t	pid;
	int	status;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		if (sandbox_enter(err, sizeof err) == -1)
			_exit(100);
		_exit(fn());
	}
	if (pid == -1 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

static void *
thread_fn(void *arg)
{
	return arg;
}

static int
allowed_calls(void)
{
	pthread_t	 t;
	void		*ret;
	char		 buf[64];
	int		 fd, s;

	if ((fd = open("/proc/self/stat", O_RDONLY | O_NOFOLLOW)) == -1 ||
	    read(fd, buf, sizeof buf) <= 0 || close(fd) == -1)
		return 1;
	if ((fd = memfd_create("t", MFD_CLOEXEC)) == -1 ||
	    write(fd, "x", 1) != 1 || close(fd) == -1)
		return 2;
	if (pthread_create(&t, NULL, thread_fn, buf) != 0 ||
	    pthread_join(t, &ret) != 0 || ret != buf)
		return 3;
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1 || close(s) == -1)
		return 4;
	free(malloc(1 << 20));
	return 0;
}

static int
unlisted_call(void)
{
	/* chown is nowhere in the list: an error, not a kill. */
	if (syscall(SYS_fchownat, AT_FDCWD, "/nonexistent", 0, 0, 0) != -1)
		return 1;
	return errno == ENOSYS ? 0 : 2;
}

static int
exec_call(void)
{
	char	*argv[] = { "true", NULL }, *envp[] = { NULL };

	execve("/bin/true", argv, envp);
	return 3;	/* not reached: killed */
}

static void
test_allowed(void)
{
	int	st = in_sandbox(allowed_calls);

	CHECK(WIFEXITED(st));
	CHECK(WEXITSTATUS(st) == 0);
}

static void
test_unlisted_enosys(void)
{
	int	st = in_sandbox(unlisted_call);

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void
test_execve_killed(void)
{
	int	st = in_sandbox(exec_call);

	CHECK(WIFSIGNALED(st));
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
}

int
main(void)
{
	UNIT_RUN(test_allowed);
	UNIT_RUN(test_unlisted_enosys);
	UNIT_RUN(test_execve_killed);
	UNIT_EXIT();
}
