/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The `rules verify`, `rules install` and `rules pull` commands: options
 * and configuration, the sandbox, what is printed and the exit status.
 * Bundles themselves are read, checked and stored by rules.c.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "i18n.h"
#include "log.h"
#include "rules.h"
#include "sandbox.h"
#include "scan.h"
#include "upload.h"
#include "util.h"

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
rules_verify(const char *path, const char *pubkey, const char *state)
{
	struct rules_bundle	 b;
	char			 err[1024];
	int			 rc;

	if (rules_bundle_load(path, pubkey, state, &b, err, sizeof err) == -1) {
		fprintf(stderr, "%s: %s\n", AGENT_NAME, err);
		return EXIT_VERIFY;
	}
	rc = rules_report(path, &b);
	rules_bundle_free(&b);
	return rc;
}

/*
 * Verify a bundle in memory (data, sig) and install it in the state
 * directory as rules.tar.zst(.minisig), raising its key's floor: what
 * `rules pull` does after fetching and `rules install` after reading.
 */
static int
rules_install_mem(const struct config *cfg, const char *path,
    const char *data, size_t len, const char *sig, size_t siglen)
{
	struct rules_bundle	 b;
	const char		*dir = cfg->rules_state_dir;
	char			 err[1024];
	int			 rc;

	if (rules_bundle_load_mem(path, data, len, sig, siglen,
	    cfg->rules_pubkey, dir, &b, err, sizeof err) == -1) {
		fprintf(stderr, "%s: %s\n", AGENT_NAME, err);
		return EXIT_VERIFY;
	}
	if ((rc = rules_report(path, &b)) != EXIT_DONE)
		goto done;
	rc = EXIT_FATAL;
	if (rules_store(dir, &b, data, len, sig, siglen, err,
	    sizeof err) == -1)
		fprintf(stderr, "%s: %s\n", AGENT_NAME, err);
	else {
		fprintf(stderr, "%s: rule bundle version %lld installed in %s\n",
		    AGENT_NAME, b.version, dir ? dir : RULES_STATE_DIR);
		rc = EXIT_DONE;
	}
done:
	rules_bundle_free(&b);
	return rc;
}

/* rules install: a local bundle and its .minisig, verified, installed. */
static int
rules_install(const struct config *cfg, const char *path)
{
	char	*data, *sig, err[1024];
	size_t	 len, siglen;
	int	 rc;

	if (rules_read(path, &data, &len, &sig, &siglen, err,
	    sizeof err) == -1) {
		fprintf(stderr, "%s: %s\n", AGENT_NAME, err);
		return EXIT_VERIFY;
	}
	rc = rules_install_mem(cfg, path, data, len, sig, siglen);
	free(data);
	free(sig);
	return rc;
}

/* rules pull: fetch BUNDLE and BUNDLE.minisig, verify, install. */
static int
rules_pull(struct config *cfg)
{
	struct config		 up;
	struct upload		*u = NULL;
	char			 err[1024], *url = NULL, *name, *data = NULL;
	char			*sig = NULL, *signame;
	size_t			 len, siglen;
	int			 rc = EXIT_FATAL;

	if (cfg->rules_url == NULL || (name = strrchr(cfg->rules_url,
	    '/')) == NULL || name[1] == '\0' || !rules_is_bundle(name)) {
		fprintf(stderr, "%s: rules pull needs [rules] url = sftp://USER"
		    "@HOST[:PORT]/DIR/BUNDLE.tar.zst\n", AGENT_NAME);
		return EXIT_USAGE;
	}
	url = xstrndup(cfg->rules_url, (size_t)(name - cfg->rules_url));
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
		fprintf(stderr, "%s: rules pull: %s\n", AGENT_NAME, err);
	else
		rc = rules_install_mem(cfg, cfg->rules_url, data, len, sig,
		    siglen);
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

/* --help: on stdout, exit 0. */
static int
rules_help(void)
{
	fputs(rules_help_text, stdout);
	return EXIT_DONE;
}

/* A usage error (stderr, exit 2), naming the argument at fault. */
/* Run cmd with its operands (after the options). */
static int
rules_dispatch(struct config *cfg, const char *cmd, int argc, char **argv)
{
	char	err[256];

	/* A bundle is hostile until verified: only what these calls need. */
	if (sandbox_enter(err, sizeof err) == -1)
		log_msg(LOG_WARN, "rules", "running without the sandbox: %s",
		    err);
	if (strcmp(cmd, "verify") == 0 && argc == 1)
		return rules_verify(argv[0], cfg->rules_pubkey,
		    cfg->rules_state_dir);
	if (strcmp(cmd, "install") == 0 && argc == 1)
		return rules_install(cfg, argv[0]);
	if (strcmp(cmd, "pull") == 0 && argc == 0)
		return rules_pull(cfg);
	return cli_usage_error("rules", i18n("rules %s: wrong number of "
	    "arguments"), cmd);
}

int
cli_rules_main(int argc, char **argv, const char *embedded)
{
	static const struct option	opts[] = {
		{ "pubkey", required_argument, NULL, 'p' },
		{ "config", required_argument, NULL, 'c' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct config		 cfg;
	const char		*cmd, *pub = NULL, *file = NULL;
	char			 err[1024];
	int			 ch, rc;

	if (argc < 2)
		return cli_usage_error("rules", i18n("rules needs a command: "
		    "%s"), "verify, install, pull");
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
		return rules_help();
	if (strcmp(cmd, "verify") != 0 && strcmp(cmd, "install") != 0 &&
	    strcmp(cmd, "pull") != 0)
		return cli_usage_error("rules", *cmd == '-' ? i18n("unknown "
		    "or incomplete option '%s'") : i18n("unknown rules command "
		    "'%s'"), cmd);
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
			free(cfg.rules_state_dir);
			cfg.rules_state_dir = xstrdup(optarg);
			break;
		case 'h':
			config_free(&cfg);
			return rules_help();
		default:
			config_free(&cfg);
			return cli_usage_error("rules", i18n("unknown or "
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
	if (pub != NULL) {
		free(cfg.rules_pubkey);
		cfg.rules_pubkey = xstrdup(pub);
	}
	rc = rules_dispatch(&cfg, cmd, argc - 1 - optind, argv + 1 + optind);
	config_free(&cfg);
	return rc;
}
