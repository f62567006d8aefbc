/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Supervision of the run. A thread waiting for a file system that does
 * not answer (a stalled FUSE mount) cannot be killed, not even by
 * SIGKILL, and a process exits only once all its threads have. So the
 * collection runs in a child, and the process the victim started (and
 * signals) waits for its status on a pipe: a run that gave up on stuck
 * reads still ends, with its exit status, when its archive is done.
 * Here too the signal handling of the run: Ctrl-C stops, twice aborts.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "i18n.h"
#include "log.h"
#include "supervise.h"
#include "util.h"

/* The first SIGINT or SIGTERM received (its number), or 0. */
static volatile sig_atomic_t supervise_stopped;
/* The local .part files (archive, .minisig, .pub) to delete on a second
 * signal ("" when none). */
static char supervise_part[3][PATH_MAX];
/* The messages the handler writes, translated before it is installed. */
static const char *supervise_msg_stop, *supervise_msg_abort;
/*
 * In the parent, the child that collects; in the child, the pipe on
 * which it tells the parent its exit status (-1: none).
 */
static volatile pid_t supervise_child;
static int supervise_status_fd = -1;
static pid_t supervise_parent_pid;	/* in the child: the supervisor */

/* Tell the parent the exit status now (async-signal-safe). */
static void
supervise_report(int status)
{
	unsigned char	b = (unsigned char)status;
	ssize_t		n;

	if (supervise_status_fd == -1)
		return;
	n = write(supervise_status_fd, &b, 1);
	(void)n;	/* the parent may be gone */
}

/*
 * The first Ctrl-C or SIGTERM: stop collecting and finish a valid,
 * signed archive of what was collected. A second one: delete the
 * partial archive and exit at once. Async-signal-safe calls only.
 */
static void
supervise_signal(int sig)
{
	const char	*msg;
	ssize_t		 n;
	int		 i;

	if (supervise_stopped == 0) {
		supervise_stopped = sig;
		msg = supervise_msg_stop;
	} else {
		for (i = 0; i < 3; i++)
			if (supervise_part[i][0] != '\0')
				unlink(supervise_part[i]);
		msg = supervise_msg_abort;
	}
	n = write(STDERR_FILENO, msg, strlen(msg));
	(void)n;	/* the terminal may be gone */
	if (msg == supervise_msg_abort) {
		/* Threads stuck in a read may hold the exit: let go first. */
		if (supervise_status_fd != -1 &&
		    (i = open("/dev/null", O_RDWR | O_CLOEXEC)) != -1) {
			dup2(i, STDOUT_FILENO);
			dup2(i, STDERR_FILENO);
		}
		supervise_report(EXIT_ABORTED);
		_exit(EXIT_ABORTED);
	}
}

/*
 * SIGHUP is ignored: the victim closing the terminal or the SSH session
 * must not stop the collection (writes to the lost terminal then fail,
 * unnoticed). SIGINT and SIGTERM: supervise_signal.
 */
void
supervise_signals(void)
{
	struct sigaction	sa;

	supervise_msg_stop = i18n("\nStopping: finishing a signed archive of "
	    "what was collected so far. Press Ctrl-C again to abort and "
	    "delete it.\n");
	supervise_msg_abort = i18n("\nAborted: the partial archive was "
	    "deleted.\n");
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = supervise_signal;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
}

volatile sig_atomic_t *
supervise_stop(void)
{
	return &supervise_stopped;
}

/* The parent: SIGINT and SIGTERM are the child's (it counts them). */
static void
supervise_forward(int sig)
{
	if (supervise_child > 0)
		kill(supervise_child, sig);
}

/*
 * The parent's part: pass SIGINT and SIGTERM on, and exit with the
 * child's status as soon as it reports it, even when threads of the
 * child are still stuck in the kernel (it is then never reaped until
 * they return). The child's own exit status when it is reaped (a crash,
 * a sanitizer's report) wins over the reported one.
 */
static int
supervise_wait(pid_t pid, int fd)
{
	struct sigaction	sa;
	struct pollfd		pfd;
	unsigned char		b;
	int			ws, reported = -1, waited = 0;
	ssize_t			n;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = supervise_forward;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	supervise_unblock();
	for (;;) {
		if (waitpid(pid, &ws, fd == -1 && reported == -1 ? 0 :
		    WNOHANG) == pid)
			return WIFEXITED(ws) ? WEXITSTATUS(ws) :
			    WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : EXIT_FATAL;
		if (fd == -1) {
			/* Reported: a grace for the exit itself, then go. */
			if (reported != -1 && waited++ >= 10)
				return reported;
			poll(NULL, 0, 200);
			continue;
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 200) != 1)
			continue;
		/* A byte: the status; none: gone without a word. */
		if ((n = read(fd, &b, 1)) == 1)
			reported = b;
		if (n == 1 || n == 0) {
			close(fd);
			fd = -1;
		}
	}
}

/*
 * The child has a process group of its own, so the terminal's Ctrl-C
 * reaches it once, passed on by the parent; it is killed with the
 * parent (kill -9 of the process started stops the collection).
 */
int
supervise_fork(int *lockfd)
{
	sigset_t	set;
	pid_t		pid, parent = getpid();
	int		p[2];

	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1) {
		log_msg(LOG_WARN, NULL, "fork: %s: a stuck read would hold the "
		    "run's exit", strerror(errno));
		close(p[0]);
		close(p[1]);
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		supervise_status_fd = p[1];
		setpgid(0, 0);
		/* A background group may write to the terminal (TOSTOP). */
		signal(SIGTTOU, SIG_IGN);
		/* kill -9 of the agent still ends the collection. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(EXIT_ABORTED);
		supervise_parent_pid = parent;
		return -1;	/* SIGINT, SIGTERM unblocked by the caller */
	}
	close(p[1]);
	if (*lockfd != -1)
		close(*lockfd);	/* the child's */
	*lockfd = -1;
	supervise_child = pid;
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	return supervise_wait(pid, p[0]);
}

pid_t
supervise_parent(void)
{
	return supervise_parent_pid;
}

void
supervise_detach(int *lockfd, int status, int nstuck)
{
	int	fd;

	log_msg(LOG_INFO, NULL, "%d reads given up on are still blocked in "
	    "the kernel: this process ends when they return", nstuck);
	if (*lockfd != -1)
		close(*lockfd);
	*lockfd = -1;
	fflush(stdout);
	fflush(stderr);
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) != -1) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	supervise_report(status);
}

void
supervise_unblock(void)
{
	sigset_t	set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

/* One partial file, for the handler to delete on a second signal. */
static void
supervise_part_set(int i, const char *path)
{
	if (path == NULL || snprintf(supervise_part[i],
	    sizeof supervise_part[i], "%s", path) >=
	    (int)sizeof supervise_part[i])
		supervise_part[i][0] = '\0';
}

void
supervise_parts(const char *archive, const char *sig, const char *pub)
{
	sigset_t	set, old;

	/* Not while the handler may read them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	supervise_part_set(0, archive);
	supervise_part_set(1, sig);
	supervise_part_set(2, pub);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}
