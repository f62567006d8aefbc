/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The command line front end.
 */
#ifndef CLI_H
#define CLI_H

#include "sign.h"
#include "verify.h"

/* Dispatch argv[1] to its command; returns the exit status. */
int	 cli_main(int, char **);
/* "csirt-collect: MESSAGE" and "Try 'csirt-collect CMD --help'": EXIT_USAGE. */
int	 cli_usage_error(const char *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* cli-verify.c: verify and decrypt; each returns the exit status. */
int	 cli_verify_archive(const char *, const char *, const char *);
int	 cli_decrypt_file(const char *, const char *, const char *);
/*
 * The pieces of verify, for the commands built on it (export): the key,
 * identity and archive opened before the sandbox (an exit status, the
 * message printed), the run with a tap (EXIT_DONE or EXIT_VERIFY, the
 * outcome printed), and what they hold released.
 */
struct cli_verify_in {
	struct sign_pubkey	 pub;
	const char		*pubpath;
	char			*beside;	/* ARCHIVE.pub, when used */
	char			*ids;		/* age identities, or NULL */
	int			 fd;
};
int	 cli_verify_open(const char *, const char *, const char *,
	    struct cli_verify_in *);
int	 cli_verify_run(const char *, struct cli_verify_in *,
	    const struct verify_tap *, struct verify_result *);
void	 cli_verify_close(struct cli_verify_in *);
void	 cli_verify_line(void *, const char *, const char *);
void	 cli_verify_sandbox(void);
/*
 * The output being written (a .part file, removed if a signal ends the
 * run before it is renamed: an interrupted report or export leaves
 * nothing behind, nor blocks the next one); NULL once renamed.
 */
void	 cli_part_guard(const char *);
/* cli-export.c: export ARCHIVE --format F. */
struct cli;
int	 cli_export(struct cli *, int, char **);
/*
 * verify with a tap seeing the entries (NULL: none); res says what was
 * found. The exit status: EXIT_USAGE when the key, identity or archive
 * cannot be read, EXIT_VERIFY on a failure, else EXIT_DONE.
 */
int	 cli_verify_tap(const char *, const char *, const char *,
	    const struct verify_tap *, struct verify_result *);
/* cli-report.c: report ARCHIVE [options]. */
int	 cli_report_main(int, char **);
/* cli-rules.c: rules verify|install|pull (embedded configuration or NULL). */
int	 cli_rules_main(int, char **, const char *);
/* The same for IOC packs: iocs verify|install|pull|list. */
int	 cli_iocs_main(int, char **, const char *);

#endif
