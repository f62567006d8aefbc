/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The command line front end.
 */
#ifndef CLI_H
#define CLI_H

/* Dispatch argv[1] to its command; returns the exit status. */
int	 cli_main(int, char **);
/* "csirt-collect: MESSAGE" and "Try 'csirt-collect CMD --help'": EXIT_USAGE. */
int	 cli_usage_error(const char *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* cli-verify.c: verify and decrypt; each returns the exit status. */
int	 cli_verify_archive(const char *, const char *, const char *);
int	 cli_decrypt_file(const char *, const char *, const char *);
/* cli-rules.c: rules verify|install|pull (embedded configuration or NULL). */
int	 cli_rules_main(int, char **, const char *);
/* The same for IOC packs: iocs verify|install|pull|list. */
int	 cli_iocs_main(int, char **, const char *);

#endif
