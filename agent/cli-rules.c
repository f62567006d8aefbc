/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The `rules verify`, `rules install` and `rules pull` commands, and the
 * same for IOC packs (`iocs verify|install|pull`, and `iocs list`):
 * options and configuration, the sandbox, what is printed and the exit
 * status. Packs of both kinds are read, checked and stored by rules.c;
 * indicators are read by ioc.c.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "i18n.h"
#include "ioc-pack.h"
#include "log.h"
#include "rules.h"
#include "sandbox.h"
#include "scan.h"
#include "upload.h"
#include "util.h"

/* One kind of signed pack as the commands see it. */
struct rules_cmd {
	const struct rules_kind	*kind;
	const char		*cmd;		/* "rules", "iocs" */
	int			(*report)(const char *,
				    const struct rules_bundle *);
	const char		*pubkey, *url, *state;
};

static int	rules_report(const char *, const struct rules_bundle *);
static int	rules_report_iocs(const char *, const struct rules_bundle *);

/* The kind's settings of cfg ([rules] or [iocs]). */
static void
rules_cmd_init(struct rules_cmd *rc, const char *cmd,
    const struct config *cfg)
{
	memset(rc, 0, sizeof *rc);
	rc->cmd = cmd;
	if (strcmp(cmd, "iocs") == 0) {
		rc->kind = &rules_kind_iocs;
		rc->report = rules_report_iocs;
		rc->pubkey = cfg->iocs_pubkey;
		rc->url = cfg->iocs_url;
		rc->state = cfg->iocs_state_dir ? cfg->iocs_state_dir :
		    cfg->rules_state_dir;
	} else {
		rc->kind = &rules_kind_yara;
		rc->report = rules_report;
		rc->pubkey = cfg->rules_pubkey;
		rc->url = cfg->rules_url;
		rc->state = cfg->rules_state_dir;
	}
}

/* Print a set's indicators by type and format ("iocs list" too). */
static void
rules_print_iocs(const struct ioc_set *s)
{
	static const char *const fmts[] = { "misp", "stix", "loki" };
	size_t	 i;
	int	 t;

	for (t = 0; t < IOC_NTYPES; t++)
		printf("  %-9s %zu\n", ioc_type_name(t), ioc_set_count(s, t));
	for (i = 0; i < nitems(fmts); i++)
		printf("  from %-4s %zu\n", fmts[i], ioc_set_count_format(s,
		    fmts[i]));
}

/* Read the indicators of a verified pack; print what was found. */
static int
rules_report_iocs(const char *path, const struct rules_bundle *b)
{
	struct ioc_set	*s = ioc_set_new();
	char		 err[1024];
	size_t		 total = 0;
	int		 t;

	if (ioc_pack_add(s, path, b, err, sizeof err) == -1) {
		fprintf(stderr, "%s: IOC pack %s: %s\n", AGENT_NAME, path,
		    err);
		ioc_set_free(s);
		return EXIT_VERIFY;
	}
	for (t = 0; t < IOC_NTYPES; t++)
		total += ioc_set_count(s, t);
	fprintf(stderr, "%s: IOC pack %s: signature ok, version %lld, %zu "
	    "files, %zu indicators, sha256 %s\n", AGENT_NAME, path,
	    b->version, b->nfiles, total, b->sha256);
	ioc_set_free(s);
	return EXIT_DONE;
}

/* Compile the rules of a loaded bundle; print what was found. */
static int
rules_report(const char *path, const struct rules_bundle *b)
{
	struct scan	*s;
	char		 err[1024], version[32];

	snprintf(version, sizeof version, "%lld", b->version);
	s = scan_new_texts(path, version, b->files, b->nfiles, err,
	    sizeof err);
	if (s == NULL) {
		fprintf(stderr, "%s: bundle %s: rules do not compile: %s\n",
		    AGENT_NAME, path, err);
		return EXIT_VERIFY;
	}
	fprintf(stderr, "%s: bundle %s: signature ok, version %lld, %zu rule "
	    "files, %zu rules, sha256 %s\n", AGENT_NAME, path, b->version,
	    b->nfiles, scan_nrules(s), b->sha256);
	scan_free(s);
	return EXIT_DONE;
}

/* rules verify: check a bundle against the key and the floor; no write. */
static int
rules_verify(const struct rules_cmd *c, const char *path)
{
	struct rules_bundle	 b;
	char			 err[1024];
	int			 rc;

	if (rules_pack_load(c->kind, path, c->pubkey, c->state, &b, err,
	    sizeof err) == -1) {
		fprintf(stderr, "%s: %s\n", AGENT_NAME, err);
		return EXIT_VERIFY;
	}
	rc = c->report(path, &b);
	rules_bundle_free(&b);
	return rc;
}

/*
 * Verify a bundle in memory (data, sig) and install it in the state
 * directory as rules.tar.zst(.minisig), raising its key's floor: what
 * `rules pull` does after fetching and `rules install` after reading.
 */
static int
rules_install_mem(const struct rules_cmd *c, const char *path,
    const char *data, size_t len, const char *sig, size_t siglen)
{
	struct rules_bundle	 b;
	const char		*dir = c->state;
	char			 err[1024];
	int			 rc;

	if (rules_pack_load_mem(c->kind, path, data, len, sig, siglen,
	    c->pubkey, dir, &b, err, sizeof err) == -1) {
		fprintf(stderr, "%s: %s\n", AGENT_NAME, err);
		return EXIT_VERIFY;
	}
	if ((rc = c->report(path, &b)) != EXIT_DONE)
		goto done;
	rc = EXIT_FATAL;
	if (rules_store(dir, &b, data, len, sig, siglen, err,
	    sizeof err) == -1)
		fprintf(stderr, "%s: %s\n", AGENT_NAME, err);
	else {
		fprintf(stderr, "%s: %s version %lld installed in %s\n",
		    AGENT_NAME, c->kind->what, b.version, dir ? dir :
		    RULES_STATE_DIR);
		rc = EXIT_DONE;
	}
done:
	rules_bundle_free(&b);
	return rc;
}

/* rules install: a local bundle and its .minisig, verified, installed. */
static int
rules_install(const struct rules_cmd *c, const char *path)
{
	char	*data, *sig, err[1024];
	size_t	 len, siglen;
	int	 rc;

	if (rules_read(path, &data, &len, &sig, &siglen, err,
	    sizeof err) == -1) {
		fprintf(stderr, "%s: %s\n", AGENT_NAME, err);
		return EXIT_VERIFY;
	}
	rc = rules_install_mem(c, path, data, len, sig, siglen);
	free(data);
	free(sig);
	return rc;
}

/* rules pull: fetch BUNDLE and BUNDLE.minisig, verify, install. */
static int
rules_pull(const struct rules_cmd *c, struct config *cfg)
{
	struct config		 up;
	struct upload		*u = NULL;
	char			 err[1024], *url = NULL, *name, *data = NULL;
	char			*sig = NULL, *signame;
	size_t			 len, siglen;
	int			 rc = EXIT_FATAL;

	if (c->url == NULL || (name = strrchr(c->url, '/')) == NULL ||
	    name[1] == '\0' || !rules_is_bundle(name)) {
		fprintf(stderr, "%s: %s pull needs [%s] url = sftp://USER"
		    "@HOST[:PORT]/DIR/BUNDLE.tar.zst\n", AGENT_NAME, c->cmd,
		    c->cmd);
		return EXIT_USAGE;
	}
	url = xstrndup(c->url, (size_t)(name - c->url));
	up = *cfg;
	up.upload_url = url;
	if ((u = upload_new(&up, err, sizeof err)) == NULL) {
		fprintf(stderr, "%s: %s\n", AGENT_NAME, err);
		free(url);
		return EXIT_USAGE;
	}
	signame = xasprintf("%s.minisig", name + 1);
	if (upload_fetch(u, name + 1, RULES_BUNDLE_MAX, &data, &len, err,
	    sizeof err) == -1 || upload_fetch(u, signame, RULES_SIG_MAX, &sig,
	    &siglen, err, sizeof err) == -1)
		fprintf(stderr, "%s: %s pull: %s\n", AGENT_NAME, c->cmd, err);
	else
		rc = rules_install_mem(c, c->url, data, len, sig, siglen);
	free(signame);
	free(data);
	free(sig);
	free(url);
	upload_free(u);
	return rc;
}

static const char rules_help_text[] =
"usage: csirt-collect rules verify BUNDLE [-p PUBKEY] [-c FILE] "
"[--state-dir DIR]\n"
"       csirt-collect rules install BUNDLE [-p PUBKEY] [-c FILE] "
"[--state-dir DIR]\n"
"       csirt-collect rules pull [-p PUBKEY] [-c FILE] [--state-dir DIR]\n"
"\n"
"  verify    check BUNDLE and BUNDLE.minisig against the key and the\n"
"            version floor; writes nothing\n"
"  install   verify, then install BUNDLE in the state directory and raise\n"
"            the floor of its key\n"
"  pull      fetch [rules] url and its .minisig over SFTP, then install\n"
"  -p, --pubkey KEY     rules public key (RW... or a file) [rules.pubkey]\n"
"  -c, --config FILE    INI configuration\n"
"      --state-dir DIR  state directory [rules.state_dir], default "
RULES_STATE_DIR "\n";

static const char iocs_help_text[] =
"usage: csirt-collect iocs verify PACK [-p PUBKEY] [-c FILE] "
"[--state-dir DIR]\n"
"       csirt-collect iocs install PACK [-p PUBKEY] [-c FILE] "
"[--state-dir DIR]\n"
"       csirt-collect iocs pull [-p PUBKEY] [-c FILE] [--state-dir DIR]\n"
"       csirt-collect iocs list PATH [-p PUBKEY] [-c FILE]\n"
"\n"
"  verify    check PACK and PACK.minisig (minisign, trusted comment\n"
"            \"csirt-collect-iocs version=N\") against the key and the\n"
"            version floor; writes nothing\n"
"  install   verify, then install PACK in the state directory and raise\n"
"            the floor of its key\n"
"  pull      fetch [iocs] url and its .minisig over SFTP, then install\n"
"  list      the indicators of PATH (a signed pack, or an unsigned MISP,\n"
"            STIX or Loki file or directory) by type and format\n"
"  -p, --pubkey KEY     IOC pack public key (RW... or a file) [iocs.pubkey]\n"
"  -c, --config FILE    INI configuration\n"
"      --state-dir DIR  state directory [iocs.state_dir], default\n"
"                       rules.state_dir, else " RULES_STATE_DIR "\n";

/* --help: on stdout, exit 0. */
static int
rules_help(const char *cmd)
{
	fputs(strcmp(cmd, "iocs") == 0 ? iocs_help_text : rules_help_text,
	    stdout);
	return EXIT_DONE;
}

/* iocs list: what a pack, file or directory holds; nothing written. */
static int
rules_iocs_list(const struct rules_cmd *c, const char *path)
{
	struct ioc_set	*s;
	long long	 version;
	char		 err[1024];

	if ((s = ioc_pack_load(path, c->pubkey, c->state, &version, err,
	    sizeof err)) == NULL) {
		fprintf(stderr, "%s: %s\n", AGENT_NAME, err);
		return rules_is_bundle(path) ? EXIT_VERIFY : EXIT_USAGE;
	}
	if (version >= 0)
		printf("%s: signed pack, version %lld\n", path, version);
	else
		printf("%s: unsigned\n", path);
	rules_print_iocs(s);
	ioc_set_free(s);
	return EXIT_DONE;
}

/* A usage error (stderr, exit 2), naming the argument at fault. */
/* Run cmd with its operands (after the options). */
static int
rules_dispatch(struct config *cfg, const char *what, const char *cmd,
    int argc, char **argv)
{
	struct rules_cmd	c;
	char			err[256];

	rules_cmd_init(&c, what, cfg);
	/* A bundle is hostile until verified: only what these calls need. */
	if (sandbox_enter(err, sizeof err) == -1)
		log_msg(LOG_WARN, what, "running without the sandbox: %s",
		    err);
	if (strcmp(cmd, "verify") == 0 && argc == 1)
		return rules_verify(&c, argv[0]);
	if (strcmp(cmd, "install") == 0 && argc == 1)
		return rules_install(&c, argv[0]);
	if (strcmp(cmd, "pull") == 0 && argc == 0)
		return rules_pull(&c, cfg);
	if (strcmp(what, "iocs") == 0 && strcmp(cmd, "list") == 0 &&
	    argc == 1)
		return rules_iocs_list(&c, argv[0]);
	return cli_usage_error(what, strcmp(what, "iocs") == 0 ?
	    i18n("iocs %s: wrong number of arguments") :
	    i18n("rules %s: wrong number of arguments"), cmd);
}

/* `rules …` or `iocs …` (what): the same options and configuration. */
static int
rules_main(const char *what, int argc, char **argv, const char *embedded)
{
	static const struct option	opts[] = {
		{ "pubkey", required_argument, NULL, 'p' },
		{ "config", required_argument, NULL, 'c' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct config		 cfg;
	const char		*cmd, *pub = NULL, *file = NULL, *state = NULL;
	char			 err[1024];
	int			 ch, rc;

	int			 iocs = strcmp(what, "iocs") == 0;

	if (argc < 2)
		return cli_usage_error(what, iocs ? i18n("iocs needs a "
		    "command: %s") : i18n("rules needs a command: %s"),
		    iocs ? "verify, install, pull, list" :
		    "verify, install, pull");
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
		return rules_help(what);
	if (strcmp(cmd, "verify") != 0 && strcmp(cmd, "install") != 0 &&
	    strcmp(cmd, "pull") != 0 && (!iocs || strcmp(cmd, "list") != 0))
		return cli_usage_error(what, *cmd == '-' ? i18n("unknown "
		    "or incomplete option '%s'") : iocs ? i18n("unknown iocs "
		    "command '%s'") : i18n("unknown rules command '%s'"), cmd);
	config_init(&cfg);
	opterr = 0;
	optind = 0;
	while ((ch = getopt_long(argc - 1, argv + 1, "p:c:s:h", opts,
	    NULL)) != -1) {
		switch (ch) {
		case 'p':
			pub = optarg;
			break;
		case 'c':
			file = optarg;
			break;
		case 's':
			state = optarg;
			break;
		case 'h':
			config_free(&cfg);
			return rules_help(what);
		default:
			config_free(&cfg);
			return cli_usage_error(what, i18n("unknown or "
			    "incomplete option '%s'"), argv[optind]);
		}
	}
	cfg.layer = SRC_EMBEDDED;
	if ((embedded != NULL && config_parse(&cfg, "(embedded configuration)",
	    embedded, err, sizeof err) == -1) || (file != NULL &&
	    (cfg.layer = SRC_FILE, config_load(&cfg, file, err,
	    sizeof err)) == -1)) {
		fprintf(stderr, "%s: %s\n", AGENT_NAME, err);
		config_free(&cfg);
		return EXIT_USAGE;
	}
	/* --state-dir: this kind's directory, whatever the file says. */
	if (iocs && state != NULL) {
		free(cfg.iocs_state_dir);
		cfg.iocs_state_dir = xstrdup(state);
	} else if (state != NULL) {
		free(cfg.rules_state_dir);
		cfg.rules_state_dir = xstrdup(state);
	}
	if (pub != NULL) {
		free(iocs ? cfg.iocs_pubkey : cfg.rules_pubkey);
		*(iocs ? &cfg.iocs_pubkey : &cfg.rules_pubkey) = xstrdup(pub);
	}
	rc = rules_dispatch(&cfg, what, cmd, argc - 1 - optind,
	    argv + 1 + optind);
	config_free(&cfg);
	return rc;
}

int
cli_rules_main(int argc, char **argv, const char *embedded)
{
	return rules_main("rules", argc, argv, embedded);
}

int
cli_iocs_main(int argc, char **argv, const char *embedded)
{
	return rules_main("iocs", argc, argv, embedded);
}
