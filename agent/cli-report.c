/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * report ARCHIVE [-p PUBKEY] [-i AGE_ID] [-o OUT.html] [--lang en|fr]
 * [--force]: the command line half of report.c. The archive is verified
 * as for verify, its entries seen once through the tap; the page is
 * written only when every check passed (else exit 4 and no file), under
 * a temporary name renamed at the end, never over an existing file
 * unless --force.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"
#include "report.h"
#include "util.h"
#include "verify.h"

static const char cli_report_help[] =
"usage: csirt-collect report ARCHIVE [-p PUBKEY] [-i AGE_IDENTITY]\n"
"       [-o OUT.html] [--lang en|fr] [--force]\n"
"Verify the archive and write one self-contained HTML report of it\n"
"(findings, host and run facts, processes, network, logins, persistence,\n"
"YARA, package integrity, a timeline, collection errors), in English and\n"
"French. Nothing is written unless the archive verifies.\n"
"\n"
"  -p, --pubkey FILE     the public key (default: ARCHIVE.pub)\n"
"  -i, --identity FILE   age identity, for an encrypted archive (.age)\n"
"  -o, --output FILE     the page (default: ARCHIVE's name, .html, beside it)\n"
"      --lang en|fr      the page's first language (default: from LANG)\n"
"  -f, --force           replace an existing output file\n";

/* ARCHIVE without .age, .tar.zst (or .zst), with .html. */
static char *
cli_report_name(const char *archive)
{
	static const char	*sfx[] = { ".age", ".tar.zst", ".zst" };
	char			*s, *out;
	size_t			 i, n, l;

	s = xstrdup(archive);
	for (i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		n = strlen(s);
		l = strlen(sfx[i]);
		if (n > l && strcmp(s + n - l, sfx[i]) == 0)
			s[n - l] = '\0';
	}
	out = xasprintf("%s.html", s);
	free(s);
	return out;
}

/* Write the page under OUT.part, then rename it to OUT. */
static int
cli_report_write(struct report *r, const char *archive, const char *out,
    int force)
{
	char	*part;
	int	 fd, rc = EXIT_DONE;

	part = xasprintf("%s.part", out);
	if ((fd = open(part, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1) {
		fprintf(stderr, "%s: %s %s: %s\n", AGENT_NAME,
		    i18n("cannot create"), part, strerror(errno));
		free(part);
		return EXIT_FATAL;
	}
	cli_part_guard(part);
	if (report_write(r, archive, fd) == -1 || fsync(fd) == -1 ||
	    close(fd) == -1 || (force ? rename(part, out) :
	    util_rename_noreplace(part, out)) == -1) {
		fprintf(stderr, "%s: %s %s: %s\n", AGENT_NAME,
		    i18n("cannot write"), out, strerror(errno));
		unlink(part);
		rc = EXIT_FATAL;
	}
	cli_part_guard(NULL);
	free(part);
	return rc;
}

int
cli_report_main(int argc, char **argv)
{
	static const struct option	opts[] = {
		{ "pubkey", required_argument, NULL, 'p' },
		{ "identity", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		{ "lang", required_argument, NULL, 'l' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct verify_result	 res;
	struct verify_tap	 tap;
	struct report		*r;
	struct stat		 st;
	const char		*pub = NULL, *identity = NULL, *lang = NULL;
	char			*out = NULL;
	int			 ch, force = 0, rc;

	opterr = 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "p:i:o:fh", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			pub = optarg;
			break;
		case 'i':
			identity = optarg;
			break;
		case 'o':
			free(out);
			out = xstrdup(optarg);
			break;
		case 'l':
			if (strcmp(optarg, "en") != 0 &&
			    strcmp(optarg, "fr") != 0) {
				free(out);
				return cli_usage_error("report",
				    i18n("--lang takes en or fr"));
			}
			lang = optarg;
			break;
		case 'f':
			force = 1;
			break;
		case 'h':
			fputs(cli_report_help, stdout);
			free(out);
			return EXIT_DONE;
		default:
			free(out);
			return cli_usage_error("report", i18n("unknown or "
			    "incomplete option '%s'"), argv[optind - 1]);
		}
	}
	if (optind != argc - 1) {
		free(out);
		return cli_usage_error("report", "%s", optind == argc ?
		    i18n("report needs an ARCHIVE") :
		    i18n("report takes one ARCHIVE"));
	}
	if (out == NULL)
		out = cli_report_name(argv[optind]);
	if (!force && lstat(out, &st) == 0) {
		fprintf(stderr, "%s: %s: %s\n", AGENT_NAME, out,
		    i18n("exists (use --force to replace it)"));
		free(out);
		return EXIT_USAGE;
	}
	if (lang == NULL)
		lang = i18n_is_french() ? "fr" : "en";
	r = report_new(lang);
	report_tap(r, &tap);
	rc = cli_verify_tap(argv[optind], pub, identity, &tap, &res);
	if (rc == EXIT_DONE && !res.inside) {
		fprintf(stderr, "%s: %s\n", AGENT_NAME, i18n("the archive is "
		    "encrypted: give its age identity with -i to report it"));
		rc = EXIT_USAGE;
	} else if (rc == EXIT_DONE) {
		report_set_reference(r, res.reference);
		rc = cli_report_write(r, argv[optind], out, force);
	} else if (rc == EXIT_VERIFY)
		fprintf(stderr, "%s: %s\n", AGENT_NAME,
		    i18n("no report written: the archive did not verify"));
	if (rc == EXIT_DONE)
		fprintf(stderr, "%s: %s %s\n", AGENT_NAME,
		    i18n("report written to"), out);
	report_free(r);
	free(out);
	return rc;
}
