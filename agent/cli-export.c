/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * export ARCHIVE --format F [-o OUT] [-p PUBKEY] [-i AGE_ID] [--force]:
 * the command line half. The key, identity, archive and a temporary
 * file beside OUT are opened before the sandbox; the archive is verified
 * and exported in one read (export.c through the verify tap); the
 * temporary file becomes OUT only when the verification found nothing,
 * else it is removed and the exit status is 4. With -o -, the temporary
 * file is an unlinked one in TMPDIR, copied to stdout once verified:
 * nothing unverified is ever printed.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "export.h"
#include "i18n.h"
#include "util.h"

struct cli_export {
	const char	*archive;
	const char	*out;		/* NULL: derived; "-": stdout */
	const char	*pub;
	const char	*ids;
	int		 fmt;
	int		 force;
	char		*outbuf;	/* the derived name */
	char		*tmp;		/* the temporary file, NULL for - */
	int		 fd;
};

static const char cli_export_help[] =
"usage: csirt-collect export ARCHIVE --format F [-o OUT] [-p PUBKEY]\n"
"                            [-i AGE_IDENTITY] [--force]\n"
"Verify ARCHIVE and turn it, in the same read, into:\n"
"  timesketch  Timesketch JSONL (bodyfile, logins, process starts, package\n"
"              installs, YARA and IOC matches)\n"
"  uac         a plain tar in UAC's layout ([root]/, live_response/,\n"
"              bodyfile/, uac.log) for dissect and plaso\n"
"  sha256      a `sha256sum -c` list of every archived file\n"
"  misp        a MISP event of the findings (hashes, addresses, sightings)\n"
"  stix        a STIX 2.1 bundle of the findings\n"
"OUT defaults to ARCHIVE's name with the format's suffix; -o - writes to\n"
"stdout. OUT is written only when the archive verifies (else exit 4) and\n"
"never replaced without --force. -p and -i are as for verify.\n";

/* ARCHIVE less ".tar.zst[.age]", plus the format's suffix. */
static char *
cli_export_name(const char *archive, int fmt)
{
	static const char	*ext[] = { ".tar.zst.age", ".tar.zst", ".age" };
	size_t			 len = strlen(archive), i, n;

	for (i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		n = strlen(ext[i]);
		if (len > n && strcmp(archive + len - n, ext[i]) == 0) {
			len -= n;
			break;
		}
	}
	return xasprintf("%.*s%s", (int)len, archive,
	    export_format_suffix(fmt));
}

/* The temporary output: beside OUT, or unlinked in TMPDIR for "-". */
static int
cli_export_tmp(struct cli_export *x)
{
	char		*dir, *base, *d, *b;
	const char	*tmpdir;
	struct stat	 st;

	if (strcmp(x->out, "-") != 0) {
		if (!x->force && lstat(x->out, &st) == 0) {
			fprintf(stderr, "%s: %s exists (--force replaces it)\n",
			    AGENT_NAME, x->out);
			return EXIT_USAGE;
		}
		d = xstrdup(x->out);
		b = xstrdup(x->out);
		dir = dirname(d);
		base = basename(b);
		x->tmp = xasprintf("%s/.%s.XXXXXX.part", dir, base);
		free(d);
		free(b);
	} else {
		if ((tmpdir = getenv("TMPDIR")) == NULL || tmpdir[0] == '\0')
			tmpdir = "/tmp";
		x->tmp = xasprintf("%s/.%s-export.XXXXXX", tmpdir, AGENT_NAME);
	}
	if ((x->fd = mkostemps(x->tmp, strcmp(x->out, "-") != 0 ? 5 : 0,
	    O_CLOEXEC)) == -1) {
		fprintf(stderr, "%s: cannot create %s: %s\n", AGENT_NAME,
		    x->tmp, strerror(errno));
		free(x->tmp);
		x->tmp = NULL;
		return EXIT_USAGE;
	}
	if (strcmp(x->out, "-") == 0) {
		unlink(x->tmp);
		free(x->tmp);
		x->tmp = NULL;
	} else
		cli_part_guard(x->tmp);
	return EXIT_DONE;
}

/* The verified export to stdout. */
static int
cli_export_stdout(int fd)
{
	char	buf[65536];
	ssize_t	n;

	if (lseek(fd, 0, SEEK_SET) == -1)
		return -1;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		if (util_write_all(STDOUT_FILENO, buf, (size_t)n) == -1)
			return -1;
	return n == 0 ? 0 : -1;
}

/* Keep the output: OUT from the temporary file, or stdout. */
static int
cli_export_keep(struct cli_export *x)
{
	int	rc;

	if (fsync(x->fd) == -1 && errno != EINVAL) {
		fprintf(stderr, "%s: %s: %s\n", AGENT_NAME, x->tmp ? x->tmp :
		    "export", strerror(errno));
		return EXIT_FATAL;
	}
	if (x->tmp == NULL) {
		if (cli_export_stdout(x->fd) == -1) {
			fprintf(stderr, "%s: writing to stdout: %s\n",
			    AGENT_NAME, strerror(errno));
			return EXIT_FATAL;
		}
		return EXIT_DONE;
	}
	rc = x->force ? rename(x->tmp, x->out) :
	    util_rename_noreplace(x->tmp, x->out);
	if (rc == -1) {
		fprintf(stderr, "%s: cannot write %s: %s\n", AGENT_NAME,
		    x->out, strerror(errno));
		return errno == EEXIST ? EXIT_USAGE : EXIT_FATAL;
	}
	cli_part_guard(NULL);
	free(x->tmp);
	x->tmp = NULL;
	return EXIT_DONE;
}

static int
cli_export_run(struct cli_export *x)
{
	struct cli_verify_in	 in;
	struct verify_result	 res;
	struct export		*ex;
	const char		*note;
	char			 err[512];
	int			 rc;

	if ((rc = cli_verify_open(x->archive, x->pub, x->ids, &in)) !=
	    EXIT_DONE)
		return rc;
	if ((rc = cli_export_tmp(x)) != EXIT_DONE) {
		cli_verify_close(&in);
		return rc;
	}
	/* Not a byte of the archive is read before this. */
	cli_verify_sandbox();
	if (x->ids == NULL && verify_is_age(in.fd)) {
		fprintf(stderr, "%s: %s is encrypted: give its age identity "
		    "with -i\n", AGENT_NAME, x->archive);
		cli_verify_close(&in);
		return EXIT_USAGE;
	}
	ex = export_new(x->fmt, x->fd);
	rc = cli_verify_run(x->archive, &in, export_tap(ex), &res);
	cli_verify_close(&in);
	if (rc == EXIT_DONE && export_finish(ex, err, sizeof err) == -1) {
		fprintf(stderr, "%s: export: %s\n", AGENT_NAME, err);
		rc = EXIT_FATAL;
	}
	if (rc == EXIT_DONE && (note = export_note(ex)) != NULL)
		cli_verify_line(NULL, "note", note);
	export_free(ex);
	if (rc == EXIT_DONE)
		rc = cli_export_keep(x);
	if (rc == EXIT_DONE && x->tmp == NULL && strcmp(x->out, "-") != 0)
		fprintf(stderr, "%s: exported to %s\n", AGENT_NAME, x->out);
	else if (rc == EXIT_VERIFY)
		fprintf(stderr, "%s: nothing written: the archive did not "
		    "verify\n", AGENT_NAME);
	return rc;
}

int
cli_export(struct cli *cli, int argc, char **argv)
{
	enum { OPT_FORMAT = 256, OPT_FORCE };
	static const struct option	opts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "pubkey", required_argument, NULL, 'p' },
		{ "identity", required_argument, NULL, 'i' },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_export	 x;
	const char		*format = NULL;
	int			 ch, rc;

	(void)cli;
	memset(&x, 0, sizeof x);
	x.fd = -1;
	opterr = 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "o:p:i:h", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_FORMAT:
			format = optarg;
			break;
		case 'o':
			x.out = optarg;
			break;
		case 'p':
			x.pub = optarg;
			break;
		case 'i':
			x.ids = optarg;
			break;
		case OPT_FORCE:
			x.force = 1;
			break;
		case 'h':
			fputs(cli_export_help, stdout);
			return EXIT_DONE;
		default:
			return cli_usage_error("export", i18n("unknown or "
			    "incomplete option '%s'"), argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("export", "%s", optind == argc ?
		    i18n("export needs an ARCHIVE") :
		    i18n("export takes one ARCHIVE"));
	if (format == NULL || (x.fmt = export_format_parse(format)) == -1)
		return cli_usage_error("export", i18n("--format must be one of "
		    "timesketch, uac, sha256, misp, stix"));
	x.archive = argv[optind];
	if (x.out == NULL)
		x.out = x.outbuf = cli_export_name(x.archive, x.fmt);
	rc = cli_export_run(&x);
	if (x.tmp != NULL)
		unlink(x.tmp);
	if (x.fd != -1)
		close(x.fd);
	free(x.tmp);
	free(x.outbuf);
	return rc;
}
