/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * libhide: a userland process hider as rootkits do it, for the tests
 * (t-live, t-procdump, t-static). Preloaded (LD_PRELOAD), its readdir
 * skips the entry named HIDE_PID, so a /proc listing misses that
 * process. Not built by make: each test compiles it with
 * `cc -shared -fPIC -o libhide.so libhide.c -ldl`.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

struct dirent *
readdir(DIR *d)
{
	static struct dirent *(*real)(DIR *);
	const char	*h = getenv("HIDE_PID");
	struct dirent	*e;

	if (real == NULL)
		real = (struct dirent *(*)(DIR *))dlsym(RTLD_NEXT, "readdir");
	while ((e = real(d)) != NULL && h != NULL && strcmp(e->d_name, h) == 0)
		;
	return e;
}

struct dirent64 *
readdir64(DIR *d)
{
	static struct dirent64 *(*real)(DIR *);
	const char	*h = getenv("HIDE_PID");
	struct dirent64	*e;

	if (real == NULL)
		real = (struct dirent64 *(*)(DIR *))dlsym(RTLD_NEXT,
		    "readdir64");
	while ((e = real(d)) != NULL && h != NULL && strcmp(e->d_name, h) == 0)
		;
	return e;
}
