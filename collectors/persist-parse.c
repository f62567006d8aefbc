/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The persistence parsers (persist.h). Each is a small state machine
 * over one line: no allocation, bounded by the line.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "persist.h"

#define PERSIST_WS	" \t\r\n"

static char *
persist_skip(char *s)
{
	return s + strspn(s, PERSIST_WS);
}

/* Step over one field; the next one, or NULL when the line ends. */
static char *
persist_field(char *s)
{
	s += strcspn(s, PERSIST_WS);
	if (*s == '\0')
		return NULL;
	s = persist_skip(s);
	return *s == '\0' ? NULL : s;
}

/* Trailing blanks off. */
static void
persist_rtrim(char *s)
{
	size_t	n = strlen(s);

	while (n > 0 && strchr(PERSIST_WS, s[n - 1]) != NULL)
		s[--n] = '\0';
}

int
persist_cron_line(char *line, int sys, char **cmd)
{
	char	*s = persist_skip(line), *p;
	size_t	 n;
	int	 i, fields;

	if (*s == '\0' || *s == '#')
		return 0;
	/* NAME=value (or NAME = value): a variable. */
	n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_");
	if (n > 0 && !isdigit((unsigned char)*s) && s[n + strspn(s + n,
	    " \t")] == '=')
		return 0;
	fields = *s == '@' ? 1 : 5;
	for (i = 0; i < fields; i++) {
		n = strcspn(s, PERSIST_WS);
		if (*s != '@' && strspn(s, "0123456789*/,-"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") < n)
			return -1;
		if ((s = persist_field(s)) == NULL)
			return -1;
	}
	if (sys && (s = persist_field(s)) == NULL)
		return -1;
	/* '%' ends the command (what follows is its input) unless \%. */
	for (p = s; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '%') {
			*p = '\0';
			break;
		}
	}
	persist_rtrim(s);
	if (*s == '\0')
		return -1;
	*cmd = s;
	return 1;
}

int
persist_exec_line(char *line, char **cmd)
{
	char	*s = persist_skip(line), *k;
	size_t	 n;

	if (strncmp(s, "Exec", 4) != 0)
		return 0;
	k = s + 4;
	n = strspn(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
	if (n == 0)
		return 0;
	k = k + n;
	k += strspn(k, " \t");
	if (*k != '=')
		return 0;
	s = persist_skip(k + 1);
	s += strspn(s, "-@:+!");
	s = persist_skip(s);
	persist_rtrim(s);
	if (*s == '\0')
		return 0;
	*cmd = s;
	return 1;
}

int
persist_authkeys_line(char *line, char **cmd)
{
	char	*s = persist_skip(line), *name, *v, *w;
	size_t	 n;
	int	 found = 0;

	if (*s == '\0' || *s == '#')
		return 0;
	/* A key type or an SSH1 bit count first: no options. */
	if (strncmp(s, "ssh-", 4) == 0 || strncmp(s, "ecdsa-", 6) == 0 ||
	    strncmp(s, "sk-", 3) == 0 || isdigit((unsigned char)*s))
		return 0;
	for (;;) {
		name = s;
		n = strcspn(s, "=, \t");
		s += n;
		if (*s == '=') {
			if (s[1] != '"')
				return -1;
			/* The value, \" unescaped in place. */
			v = w = s + 2;
			for (s = v; *s != '"'; s++) {
				if (*s == '\0')
					return -1;
				if (*s == '\\' && s[1] == '"')
					s++;
				*w++ = *s;
			}
			s++;
			if (n == 7 && strncasecmp(name, "command", 7) == 0 &&
			    !found) {
				*w = '\0';
				*cmd = v;
				found = 1;
			}
		}
		if (*s != ',')
			break;
		s++;
	}
	if (*s != ' ' && *s != '\t')
		return -1;
	return found;
}

size_t
persist_udev_line(char *line, char **cmds, size_t max)
{
	char	*s = line, *key, *attr, *v, *w;
	size_t	 n = 0, klen, alen = 0;

	s = persist_skip(s);
	if (*s == '#')
		return 0;
	while (n < max) {
		s += strspn(s, ", \t");
		if (*s == '\0')
			break;
		key = s;
		klen = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_");
		if (klen == 0)
			break;
		s += klen;
		attr = NULL;
		if (*s == '{') {
			attr = ++s;
			if ((s = strchr(s, '}')) == NULL)
				break;
			alen = (size_t)(s - attr);
			s++;
		}
		s += strspn(s, " \t");
		/* ==, !=, +=, -=, :=, = */
		if (*s != '\0' && strchr("=!+-:", *s) != NULL && s[1] == '=')
			s += 2;
		else if (*s == '=')
			s++;
		else
			break;
		s += strspn(s, " \t");
		if (*s != '"')
			break;
		v = w = ++s;
		for (; *s != '"'; s++) {
			if (*s == '\0')
				return n;
			if (*s == '\\' && s[1] == '"')
				s++;
			*w++ = *s;
		}
		s++;
		*w = '\0';
		if ((klen == 3 && strncmp(key, "RUN", 3) == 0 && (attr ==
		    NULL || (alen == 7 && strncmp(attr, "program", 7) == 0))) ||
		    (klen == 7 && strncmp(key, "PROGRAM", 7) == 0) ||
		    (klen == 6 && strncmp(key, "IMPORT", 6) == 0 && attr !=
		    NULL && alen == 7 && strncmp(attr, "program", 7) == 0)) {
			if (*persist_skip(v) != '\0')
				cmds[n++] = v;
		}
	}
	return n;
}

int
persist_program(const char *cmd, char *out, size_t size)
{
	const char	*s = cmd + strspn(cmd, PERSIST_WS), *e;
	size_t		 n;

	if (*s == '"' || *s == '\'') {
		if ((e = strchr(s + 1, *s)) == NULL)
			return -1;
		s++;
	} else
		e = s + strcspn(s, PERSIST_WS);
	n = (size_t)(e - s);
	if (n == 0 || n >= size)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}
