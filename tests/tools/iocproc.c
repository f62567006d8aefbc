/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * iocproc: a process for the indicator tests (t-iocmatch). It holds an
 * indicator in its heap and, with -c, a TCP connection to ADDR:PORT (a
 * listener the test made), prints "ready" and waits for a signal or at
 * most SECONDS.
 *
 * The string held is the command-line MARKER reversed, so the binary
 * never holds it and its argv does not either: a sighting in this
 * process's memory means its heap was scanned.
 *
 * usage: iocproc [-c ADDR:PORT] [-s SECONDS] MARKER
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Connect to "ADDR:PORT" (IPv4): the descriptor, or -1. */
static int
iocproc_connect(const char *spec)
{
	struct sockaddr_in	 sin;
	char			 addr[64], *colon;
	int			 fd;

	if (strlen(spec) >= sizeof addr)
		return -1;
	strcpy(addr, spec);
	if ((colon = strrchr(addr, ':')) == NULL)
		return -1;
	*colon = '\0';
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(colon + 1));
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		return -1;
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
main(int argc, char *argv[])
{
	const char	*conn = NULL;
	char		*held;
	size_t		 i, len;
	int		 ch, secs = 60, fd = -1;

	while ((ch = getopt(argc, argv, "c:s:")) != -1) {
		switch (ch) {
		case 'c':
			conn = optarg;
			break;
		case 's':
			secs = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind + 1 != argc)
		goto usage;
	len = strlen(argv[optind]);
	/* In the heap, among other bytes: as a program's data would be. */
	if ((held = malloc(len + 4096)) == NULL)
		return 1;
	memset(held, 'x', 2048);
	held[2047] = ' ';
	for (i = 0; i < len; i++)
		held[2048 + i] = argv[optind][len - 1 - i];
	held[2048 + len] = '\0';
	if (conn != NULL && (fd = iocproc_connect(conn)) == -1) {
		perror("iocproc: connect");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (secs-- > 0)
		sleep(1);
	if (fd != -1)
		close(fd);
	free(held);
	return 0;
usage:
	fprintf(stderr, "usage: iocproc [-c ADDR:PORT] [-s SECONDS] MARKER\n");
	return 2;
}
