/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The command line: a table of commands, each with its own options and
 * --help. `run` reads the config file first, then applies its options
 * over it, so an option always wins. Usage errors exit 2 naming the
 * option or argument at fault.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "artifact.h"
#include "bundle.h"
#include "cli.h"
#include "collector.h"
#include "config.h"
#include "crypt.h"
#include "deliver.h"
#include "i18n.h"
#include "log.h"
#include "pipeline.h"
#include "rules.h"
#include "sign.h"
#include "util.h"
#include "verify.h"

/* The embedded configuration (bundle), if this copy carries one. */
struct cli {
	const char	*embedded;
};

struct cli_cmd {
	const char	*name;
	const char	*usage;
	int		(*main)(struct cli *, int, char **);
};

static int	cli_run(struct cli *, int, char **);
static int	cli_verify(struct cli *, int, char **);
static int	cli_keygen(struct cli *, int, char **);
static int	cli_list(struct cli *, int, char **);
static int	cli_decrypt(struct cli *, int, char **);
static int	cli_config(struct cli *, int, char **);
static int	cli_bundle(struct cli *, int, char **);
static int	cli_rules(struct cli *, int, char **);
static int	cli_iocs(struct cli *, int, char **);
static int	cli_send(struct cli *, int, char **);
static int	cli_report(struct cli *, int, char **);

static const struct cli_cmd cli_cmds[] = {
	{ "run", "run [-c FILE] [-p PROFILE] [-o DIR] [--case ID] [--root DIR]"
	    " [options]", cli_run },
	{ "verify", "verify ARCHIVE [-p PUBKEY] [-i AGE_IDENTITY]", cli_verify },
	{ "export", "export ARCHIVE --format F [-o OUT] [-p PUBKEY] "
	    "[-i AGE_ID] [--force]", cli_export },
	{ "report", "report ARCHIVE [-p PUBKEY] [-i AGE_IDENTITY] [-o OUT.html] "
	    "[--lang en|fr] [--force]", cli_report },
	{ "keygen", "keygen -p PUBKEY -s SECKEY [-f] | keygen --age -s IDENTITY",
	    cli_keygen },
	{ "decrypt", "decrypt -i IDENTITY [-o OUT] FILE.age", cli_decrypt },
	{ "list", "list [--artifacts PATH]", cli_list },
	{ "config", "config show [run options]", cli_config },
	{ "bundle", "bundle --config FILE -o OUT [--agent PATH] "
	    "[--allow-dynamic] [--no-preflight]", cli_bundle },
	{ "rules", "rules verify|install BUNDLE [-p PUBKEY] | rules pull "
	    "[-c FILE]", cli_rules },
	{ "iocs", "iocs verify|install PACK [-p PUBKEY] | iocs pull [-c FILE] "
	    "| iocs list PATH", cli_iocs },
	{ "send", "send ARCHIVE [-c FILE] [--upload URL] [--identity FILE] "
	    "[--host-key SHA256:…]", cli_send },
};

static const char cli_run_help[] =
"usage: csirt-collect run [options]\n"
"Collect evidence from this host into one signed archive.\n"
"\n"
"  -c, --config FILE       INI configuration (options override it)\n"
"  -p, --profile NAME      triage (default), full, or artefact names\n"
"  -o, --output DIR        where the archive is written (default: .);\n"
"                          made (0700) when missing\n"
"      --case ID           case reference, in the manifest and file name\n"
"      --root DIR          read a mounted image or copied tree (dead box)\n"
"      --artifacts PATH    more artefact definitions (file or directory)\n"
"      --rules PATH        YARA rules: directory, .yar file, or bundle\n"
"      --iocs PATH         indicators: a signed IOC pack, or a MISP, STIX\n"
"                          or Loki file or directory\n"
"      --no-iocs           no indicators (not even the installed pack)\n"
"      --scan-path DIR     also sweep DIR with YARA (repeatable)\n"
"      --no-yara           no YARA scanning\n"
"      --no-process-memory no process memory scanning\n"
"      --no-process-dump   no memory dumps of suspect processes\n"
"                          ([collection] process_dump = no)\n"
"      --sign-key FILE     minisign secret key (default: ephemeral key)\n"
"      --recipient AGE     encrypt to this age recipient (repeatable)\n"
"      --upload URL        sftp://USER@HOST[:PORT]/DIR\n"
"      --identity FILE     SSH private key for the upload\n"
"      --host-key SHA256:… pinned SSH host key fingerprint\n"
"      --stream            upload while collecting, nothing on disk\n"
"                          ([upload] stream = yes)\n"
"      --bwlimit RATE      upload at most RATE bytes/s (K, M suffixes)\n"
"      --insecure-accept-host-key  upload without a pinned host key\n"
"      --max-file-size N   per-file cap (K, M, G suffixes; default 1G)\n"
"      --max-total-size N  cap on everything collected\n"
"      --time-limit SECS   stop collecting after SECS seconds\n"
"      --nice N            CPU priority (default 10; I/O best-effort 7)\n"
"      --max-cpu PERCENT   use at most PERCENT of one CPU (200: two)\n"
"  -q, --quiet             only warnings and errors on stderr (no steps)\n"
"  -v, --verbose           every log line on stderr (per collector, file)\n"
"      --json              summary as one JSON object on stdout\n"
"      --dry-run           say what would be collected; read no content,\n"
"                          connect nowhere, write nothing\n"
"      --allow-unprivileged  run without root (what root alone can read\n"
"                          will be missing)\n"
"\n"
"With an upload target the drop box is checked before collecting (a wrong\n"
"host key stops the run), and free space against the estimate (short of\n"
"it: streamed, or stopped). [output] keep_local = no removes the local\n"
"copy after a checked upload; 'send ARCHIVE' sends one made earlier.\n"
"\n"
"Exit status: 0 done, 1 fatal error, 2 usage or configuration error (or\n"
"another collection is running, or not enough room and no drop box),\n"
"3 archive produced but upload failed (or the drop box's host key is\n"
"wrong: nothing collected), 4 verification failed, 5 interrupted (Ctrl-C,\n"
"SIGTERM): a valid, signed archive of what was collected was produced,\n"
"130 aborted by a second Ctrl-C: the partial archive was deleted. SIGHUP\n"
"is ignored.\n";

static const char cli_config_help[] =
"usage: csirt-collect config show [-c FILE] [run options]\n"
"Print the effective configuration: every key, its value and where it\n"
"came from (default, embedded, file or option), as `run` would use it.\n"
"\n"
"  -c, --config FILE       INI configuration (options override it)\n"
"Any option of `run` (see 'csirt-collect run --help') is applied too.\n";

static const char cli_list_help[] =
"usage: csirt-collect list [--artifacts PATH]\n"
"List the collectors and the artefacts a run can collect.\n"
"\n"
"      --artifacts PATH    more artefact definitions (file or directory;\n"
"                          repeatable)\n";

enum {
	OPT_CASE = 256, OPT_ROOT, OPT_ARTIFACTS, OPT_RULES, OPT_SCAN_PATH,
	OPT_NO_YARA, OPT_NO_PROCMEM, OPT_SIGN_KEY, OPT_RECIPIENT, OPT_UPLOAD,
	OPT_IDENTITY, OPT_HOST_KEY, OPT_STREAM, OPT_MAX_FILE, OPT_MAX_TOTAL,
	OPT_TIME_LIMIT, OPT_NICE, OPT_JSON, OPT_BWLIMIT, OPT_INSECURE,
	OPT_DRY_RUN, OPT_UNPRIV, OPT_MAX_CPU, OPT_NO_PROCDUMP, OPT_IOCS,
	OPT_NO_IOCS
};

static const struct option cli_run_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "profile", required_argument, NULL, 'p' },
	{ "output", required_argument, NULL, 'o' },
	{ "case", required_argument, NULL, OPT_CASE },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "artifacts", required_argument, NULL, OPT_ARTIFACTS },
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "iocs", required_argument, NULL, OPT_IOCS },
	{ "no-iocs", no_argument, NULL, OPT_NO_IOCS },
	{ "scan-path", required_argument, NULL, OPT_SCAN_PATH },
	{ "no-yara", no_argument, NULL, OPT_NO_YARA },
	{ "no-process-memory", no_argument, NULL, OPT_NO_PROCMEM },
	{ "no-process-dump", no_argument, NULL, OPT_NO_PROCDUMP },
	{ "sign-key", required_argument, NULL, OPT_SIGN_KEY },
	{ "recipient", required_argument, NULL, OPT_RECIPIENT },
	{ "upload", required_argument, NULL, OPT_UPLOAD },
	{ "identity", required_argument, NULL, OPT_IDENTITY },
	{ "host-key", required_argument, NULL, OPT_HOST_KEY },
	{ "stream", no_argument, NULL, OPT_STREAM },
	{ "bwlimit", required_argument, NULL, OPT_BWLIMIT },
	{ "insecure-accept-host-key", no_argument, NULL, OPT_INSECURE },
	{ "max-file-size", required_argument, NULL, OPT_MAX_FILE },
	{ "max-total-size", required_argument, NULL, OPT_MAX_TOTAL },
	{ "time-limit", required_argument, NULL, OPT_TIME_LIMIT },
	{ "nice", required_argument, NULL, OPT_NICE },
	{ "max-cpu", required_argument, NULL, OPT_MAX_CPU },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "allow-unprivileged", no_argument, NULL, OPT_UNPRIV },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* Options that set a config key: option value → "section.key". */
static const struct {
	int		 opt;
	const char	*key;
} cli_run_keys[] = {
	{ 'p', "collection.profile" }, { 'o', "output.dir" },
	{ OPT_CASE, "case.id" }, { OPT_RULES, "rules.path" },
	{ OPT_IOCS, "iocs.path" },
	{ OPT_SIGN_KEY, "signing.secret_key_file" },
	{ OPT_UPLOAD, "upload.url" }, { OPT_IDENTITY, "upload.identity_file" },
	{ OPT_HOST_KEY, "upload.host_key_fingerprint" },
	{ OPT_MAX_FILE, "limits.max_file_size" },
	{ OPT_MAX_TOTAL, "limits.max_total_size" },
	{ OPT_TIME_LIMIT, "limits.time_limit" }, { OPT_NICE, "limits.nice" },
	{ OPT_BWLIMIT, "upload.bwlimit" }, { OPT_MAX_CPU, "limits.max_cpu" },
};

int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "%s: ", AGENT_NAME);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fprintf(stderr, i18n("Try '%s %s --help'.\n"), AGENT_NAME, cmd);
	return EXIT_USAGE;
}

/* Apply one option of `run` to cfg. 0 or an exit status. */
static int
cli_run_opt(struct config *cfg, int ch, const char *arg, const char *name)
{
	char	err[512];
	size_t	i;

	for (i = 0; i < nitems(cli_run_keys); i++)
		if (cli_run_keys[i].opt == ch) {
			if (config_set(cfg, cli_run_keys[i].key, arg, err,
			    sizeof err) == -1)
				return cli_usage_error("run",
				    i18n("option --%s: %s"), name,
				    strchr(err, ':') ? strchr(err, ':') + 2 :
				    err);
			return 0;
		}
	switch (ch) {
	case OPT_ROOT:
		free(cfg->root);
		cfg->root = xstrdup(arg);
		break;
	case OPT_ARTIFACTS:
		strlist_add(&cfg->artifacts, arg);
		break;
	case OPT_SCAN_PATH:
		strlist_add(&cfg->scan_paths, arg);
		break;
	case OPT_RECIPIENT:
		strlist_add(&cfg->recipients, arg);
		break;
	case OPT_NO_YARA:
		cfg->no_yara = 1;
		break;
	case OPT_NO_IOCS:
		cfg->no_iocs = 1;
		break;
	case OPT_NO_PROCMEM:
		cfg->no_process_memory = 1;
		break;
	case OPT_NO_PROCDUMP:
		config_set(cfg, "collection.process_dump", "no", NULL, 0);
		break;
	case OPT_STREAM:
		config_set(cfg, "upload.stream", "yes", NULL, 0);
		break;
	case OPT_INSECURE:
		cfg->insecure_host_key = 1;
		break;
	case 'q':
		cfg->quiet = 1;
		break;
	case 'v':
		cfg->verbose = 1;
		break;
	case OPT_JSON:
		cfg->json = 1;
		break;
	case OPT_DRY_RUN:
		cfg->dry_run = 1;
		break;
	case OPT_UNPRIV:
		cfg->allow_unprivileged = 1;
		break;
	}
	return 0;
}

/*
 * The configuration of `run` (and `config show`): embedded, then the
 * file of -c, then the options. 0, or an exit status (help, errors).
 */
static int
cli_run_config(struct cli *cli, const char *cmd, int argc, char **argv,
    struct config *cfg)
{
	const char	*file = NULL, *name;
	char		 err[1024];
	int		 ch, idx, rc;
	size_t		 i;

	/* First pass: only --config and --help, and unknown options. */
	opterr = 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "c:p:o:qvh", cli_run_opts,
	    &idx)) != -1) {
		if (ch == 'h') {
			fputs(strcmp(cmd, "config") == 0 ? cli_config_help :
			    cli_run_help, stdout);
			return -1;
		}
		if (ch == '?')
			return cli_usage_error(cmd, i18n("unknown or "
			    "incomplete option '%s'"), argv[optind - 1]);
		if (ch == 'c')
			file = optarg;
	}
	if (optind < argc)
		return cli_usage_error(cmd, i18n("unexpected argument '%s'"),
		    argv[optind]);
	cfg->layer = SRC_EMBEDDED;
	if (cli->embedded != NULL && config_parse(cfg, "(embedded "
	    "configuration)", cli->embedded, err, sizeof err) == -1) {
		fprintf(stderr, "%s: %s\n", AGENT_NAME, err);
		return EXIT_USAGE;
	}
	cfg->layer = SRC_FILE;
	if (file != NULL && config_load(cfg, file, err, sizeof err) == -1) {
		fprintf(stderr, "%s: %s\n", AGENT_NAME, err);
		return EXIT_USAGE;
	}
	cfg->layer = SRC_OPTION;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "c:p:o:qvh", cli_run_opts,
	    &idx)) != -1) {
		if (ch == 'c')
			continue;
		name = NULL;
		for (i = 0; cli_run_opts[i].name != NULL; i++)
			if (cli_run_opts[i].val == ch)
				name = cli_run_opts[i].name;
		if ((rc = cli_run_opt(cfg, ch, optarg, name ? name : "?")))
			return rc;
	}
	return 0;
}

static int
cli_run(struct cli *cli, int argc, char **argv)
{
	struct config	cfg;
	int		rc;

	config_init(&cfg);
	if ((rc = cli_run_config(cli, "run", argc, argv, &cfg)) != 0) {
		config_free(&cfg);
		return rc == -1 ? EXIT_DONE : rc;
	}
	log_init(cfg.quiet, cfg.verbose);
	rc = pipeline_run(&cfg);
	config_free(&cfg);
	log_free();
	return rc;
}

static const char cli_send_help[] =
"usage: csirt-collect send ARCHIVE [options]\n"
"Send an archive made earlier to the drop box, with ARCHIVE.minisig and\n"
"ARCHIVE.pub when present: .pub, the archive, .minisig last, each through\n"
"a .part, the remote size checked, a name already there never replaced\n"
"(_2, _3… is used instead). An earlier attempt's .part is resumed only\n"
"when proven this archive's: its bytes read back match, or (a drop box\n"
"that refuses reads) its name carries the token kept in ARCHIVE.upload;\n"
"otherwise the upload starts over. [upload] timeout (seconds, default\n"
"20) bounds the wait for a silent server. The embedded configuration\n"
"(a kit) and -c give the defaults, as for run.\n"
"\n"
"  -c, --config FILE       INI configuration (options override it)\n"
"      --upload URL        sftp://USER@HOST[:PORT]/DIR\n"
"      --identity FILE     SSH private key for the upload\n"
"      --host-key SHA256:… pinned SSH host key fingerprint\n"
"      --insecure-accept-host-key  upload without a pinned host key\n"
"      --bwlimit RATE      upload at most RATE bytes/s (K, M suffixes)\n"
"  -q, --quiet             only warnings and errors on stderr\n"
"  -v, --verbose           debug messages too\n"
"\n"
"With [output] keep_local = no the local files are removed once sent.\n"
"Exit status: 0 sent, 2 usage or configuration error (an ARCHIVE without\n"
"its .minisig is refused), 3 the upload failed (the archive is kept).\n";

/* send's options: -c first, then embedded < file < options. */
static int
cli_send_config(struct cli *cli, int argc, char **argv, struct config *cfg)
{
	static const struct option	opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "upload", required_argument, NULL, OPT_UPLOAD },
		{ "identity", required_argument, NULL, OPT_IDENTITY },
		{ "host-key", required_argument, NULL, OPT_HOST_KEY },
		{ "bwlimit", required_argument, NULL, OPT_BWLIMIT },
		{ "insecure-accept-host-key", no_argument, NULL,
		    OPT_INSECURE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*file = NULL;
	char		 err[1024];
	int		 ch, idx, pass, rc;

	for (pass = 0; pass < 2; pass++) {
		opterr = 0;
		optind = 0;
		while ((ch = getopt_long(argc, argv, "c:qvh", opts,
		    &idx)) != -1) {
			if (ch == 'h') {
				fputs(cli_send_help, stdout);
				return -1;
			}
			if (ch == '?')
				return cli_usage_error("send", "unknown or "
				    "incomplete option '%s'", argv[optind - 1]);
			if (ch == 'c')
				file = optarg;
			else if (pass == 1 && (rc = cli_run_opt(cfg, ch, optarg,
			    opts[idx].name)) != 0)
				return rc;
		}
		if (pass == 1)
			break;
		cfg->layer = SRC_EMBEDDED;
		if (cli->embedded != NULL && config_parse(cfg, "(embedded "
		    "configuration)", cli->embedded, err, sizeof err) == -1)
			goto bad;
		cfg->layer = SRC_FILE;
		if (file != NULL && config_load(cfg, file, err, sizeof err) ==
		    -1)
			goto bad;
		cfg->layer = SRC_OPTION;
	}
	return 0;
bad:
	fprintf(stderr, "%s: %s\n", AGENT_NAME, err);
	return EXIT_USAGE;
}

static int
cli_send(struct cli *cli, int argc, char **argv)
{
	struct config	cfg;
	int		rc;

	config_init(&cfg);
	if ((rc = cli_send_config(cli, argc, argv, &cfg)) != 0) {
		config_free(&cfg);
		return rc == -1 ? EXIT_DONE : rc;
	}
	if (optind != argc - 1) {
		config_free(&cfg);
		return cli_usage_error("send", optind == argc ?
		    "send needs an ARCHIVE" : "send takes one ARCHIVE");
	}
	log_init(cfg.quiet, cfg.verbose);
	rc = deliver_send(&cfg, argv[optind]);
	config_free(&cfg);
	log_free();
	return rc;
}

static int
cli_config(struct cli *cli, int argc, char **argv)
{
	struct config	cfg;
	int		rc;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		fputs(cli_config_help, stdout);
		return EXIT_DONE;
	}
	if (argc >= 2 && argv[1][0] == '-')
		return cli_usage_error("config", i18n("unknown or incomplete "
		    "option '%s'"), argv[1]);
	if (argc < 2 || strcmp(argv[1], "show") != 0)
		return cli_usage_error("config", "%s", i18n("config needs "
		    "'show': config show [-c FILE] [run options]"));
	config_init(&cfg);
	if ((rc = cli_run_config(cli, "config", argc - 1, argv + 1,
	    &cfg)) == 0) {
		printf("# effective configuration: key = value (where it "
		    "came from)\n");
		config_show(&cfg, stdout);
	}
	config_free(&cfg);
	return rc == -1 ? EXIT_DONE : rc;
}

static const char cli_bundle_help[] =
"usage: csirt-collect bundle --config FILE -o OUT [--agent PATH]\n"
"                            [--allow-dynamic] [--no-preflight]\n"
"Write a kit: a static copy of this agent with FILE embedded, to run on\n"
"the victim host with no argument (or with run options: OUT --no-yara).\n"
"The files FILE names (SSH identity, rules public key) are read now and\n"
"embedded; FILE is checked by the checks run makes (exit 2 if run would\n"
"refuse it).\n"
"\n"
"  -c, --config FILE   the kit's configuration (INI, as for run)\n"
"  -o, --output OUT    the kit to write (not overwritten); its signing\n"
"                      public key goes to OUT.pub\n"
"      --agent PATH    the static agent to embed (default: this binary if\n"
"                      static, else csirt-collect-static beside it, as\n"
"                      made by 'make static')\n"
"      --allow-dynamic embed a dynamically linked agent (warning: it needs\n"
"                      the same shared libraries on the victim host)\n"
"      --no-preflight  do not test the drop box before writing the kit\n"
"\n"
"Keys: a kit never carries the CSIRT's signing key ([signing] secret_key\n"
"or secret_key_file is refused). Each kit gets its own key pair: the\n"
"secret key is embedded, the public key written to OUT.pub and printed;\n"
"keep it to verify that kit's archives (minisign -V -p OUT.pub -m A).\n"
"The rules public key must not be the signing key.\n"
"\n"
"Preflight: with [upload] url, the drop box is tested first (host key\n"
"pin, login, a probe file csirt-collect-probe_OUT_TIME.txt written as\n"
".part, renamed, then removed if the server allows it).\n"
"\n"
"Exit status: 0 kit written; 1 writing failed; 2 usage, configuration\n"
"or a dynamic agent refused; 3 the drop box test failed (no kit written).\n";

static int
cli_bundle(struct cli *cli, int argc, char **argv)
{
	enum { B_AGENT = 256, B_DYNAMIC, B_NO_PREFLIGHT };
	static const struct option	opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "agent", required_argument, NULL, B_AGENT },
		{ "allow-dynamic", no_argument, NULL, B_DYNAMIC },
		{ "no-preflight", no_argument, NULL, B_NO_PREFLIGHT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct bundle_opts	 o;
	const char		*cfgpath = NULL, *out = NULL;
	char			 err[1024];
	int			 ch, rc;

	(void)cli;
	memset(&o, 0, sizeof o);
	opterr = 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "c:o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cfgpath = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case B_AGENT:
			o.agent = optarg;
			break;
		case B_DYNAMIC:
			o.allow_dynamic = 1;
			break;
		case B_NO_PREFLIGHT:
			o.no_preflight = 1;
			break;
		case 'h':
			fputs(cli_bundle_help, stdout);
			return EXIT_DONE;
		default:
			return cli_usage_error("bundle", i18n("unknown or "
			    "incomplete option '%s'"), argv[optind - 1]);
		}
	}
	if (cfgpath == NULL || out == NULL || optind != argc)
		return cli_usage_error("bundle", "%s", i18n("bundle needs "
		    "--config FILE and -o OUT"));
	if ((rc = bundle_write(cfgpath, out, &o, err, sizeof err)) != 0)
		fprintf(stderr, "%s: %s%s\n", AGENT_NAME, rc == EXIT_UPLOAD ?
		    "drop box test failed, no kit written: " : "", err);
	else {
		if (o.probe[0] != '\0')
			printf("drop box tested: probe %s written%s\n", o.probe,
			    o.probe_removed ? " and removed" : " (the server "
			    "refused its removal: a write-only drop box)");
		printf("%s: kit written to %s\nkit signing key id %s, public "
		    "key in %s.pub (keep it to verify this kit's archives):\n"
		    "%s", AGENT_NAME, out, o.keyid, out, o.pubkey);
	}
	free(o.pubkey);
	return rc;
}

static int
cli_verify(struct cli *cli, int argc, char **argv)
{
	static const struct option	opts[] = {
		{ "pubkey", required_argument, NULL, 'p' },
		{ "identity", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*pub = NULL, *identity = NULL;
	int		 ch;

	(void)cli;
	opterr = 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "p:i:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			pub = optarg;
			break;
		case 'i':
			identity = optarg;
			break;
		case 'h':
			printf("usage: %s verify ARCHIVE [-p PUBKEY] "
			    "[-i AGE_IDENTITY]\n"
			    "Check the archive's signature, its manifest's "
			    "signature and every entry's sha256.\nWithout -p, "
			    "the ARCHIVE.pub beside it is used. An encrypted "
			    "archive (.age) is checked\ninside too when its "
			    "identity is given with -i.\n", AGENT_NAME);
			return EXIT_DONE;
		default:
			return cli_usage_error("verify", i18n("unknown or "
			    "incomplete option '%s'"), argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("verify", "%s", optind == argc ?
		    i18n("verify needs an ARCHIVE") :
		    i18n("verify takes one ARCHIVE"));
	return cli_verify_archive(argv[optind], pub, identity);
}

/* keygen --age: an identity file like age-keygen's. */
static int
cli_keygen_age(const char *path, int force)
{
	char	*id, *rcpt, *text, now[40];
	int	 fd, rc = EXIT_DONE;

	crypt_keygen(&id, &rcpt);
	util_now(now, sizeof now);
	text = xasprintf("# created: %.19sZ\n# public key: %s\n%s\n", now,
	    rcpt, id);
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
	    (force ? O_TRUNC : O_EXCL), 0600);
	if (fd == -1 || fchmod(fd, 0600) == -1 ||
	    util_write_all(fd, text, strlen(text)) == -1) {
		fprintf(stderr, "%s: cannot write %s: %s\n", AGENT_NAME, path,
		    strerror(errno));
		if (fd != -1)
			unlink(path);
		rc = EXIT_USAGE;
	} else
		printf("Public key: %s\n", rcpt);
	if (fd != -1)
		close(fd);
	crypt_free_secret(text);
	crypt_free_secret(id);
	free(rcpt);
	return rc;
}

static int
cli_keygen(struct cli *cli, int argc, char **argv)
{
	static const struct option	opts[] = {
		{ "pubkey", required_argument, NULL, 'p' },
		{ "seckey", required_argument, NULL, 's' },
		{ "force", no_argument, NULL, 'f' },
		{ "age", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sign_pubkey	 pk;
	struct sign_seckey	*sk;
	const char		*pub = NULL, *sec = NULL;
	unsigned char		 keyid[SIGN_KEYID_LEN];
	char			 hex[SIGN_KEYID_HEXLEN], err[512], *b64;
	int			 ch, force = 0, age = 0;

	(void)cli;
	opterr = 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "p:s:fah", opts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			age = 1;
			break;
		case 'p':
			pub = optarg;
			break;
		case 's':
			sec = optarg;
			break;
		case 'f':
			force = 1;
			break;
		case 'h':
			printf("usage: %s keygen -p PUBKEY -s SECKEY [-f]\n"
			    "       %s keygen --age -s IDENTITY [-f]\n"
			    "Make a minisign-compatible Ed25519 key pair (the "
			    "secret key unencrypted, as minisign -G -W),\nor "
			    "with --age an age X25519 identity (as age-keygen) "
			    "and print its recipient.\n"
			    "  -f  overwrite existing files\n", AGENT_NAME,
			    AGENT_NAME);
			return EXIT_DONE;
		default:
			return cli_usage_error("keygen", i18n("unknown or "
			    "incomplete option '%s'"), argv[optind - 1]);
		}
	}
	if (age && sec != NULL && pub == NULL && optind == argc)
		return cli_keygen_age(sec, force);
	if (pub == NULL || sec == NULL || optind != argc)
		return cli_usage_error("keygen", "%s", i18n("keygen needs "
		    "-p PUBKEY and -s SECKEY and nothing else"));
	if (sign_keygen_files(pub, sec, force, keyid, err, sizeof err) == -1) {
		fprintf(stderr, "%s: %s\n", AGENT_NAME, err);
		return EXIT_USAGE;
	}
	sign_keyid_hex(keyid, hex);
	if ((sk = sign_seckey_load(sec, err, sizeof err)) == NULL) {
		fprintf(stderr, "%s: %s\n", AGENT_NAME, err);
		return EXIT_FATAL;
	}
	sign_seckey_pubkey(sk, &pk);
	sign_seckey_free(sk);
	b64 = sign_pubkey_base64(&pk);
	printf("key id %s\npublic key %s (written to %s)\nsecret key "
	    "written to %s: keep it private\n", hex, b64, pub, sec);
	free(b64);
	return EXIT_DONE;
}

static int
cli_decrypt(struct cli *cli, int argc, char **argv)
{
	static const struct option	opts[] = {
		{ "identity", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*idpath = NULL, *outpath = NULL;
	int		 ch;

	(void)cli;
	opterr = 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "i:o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			idpath = optarg;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'h':
			printf("usage: %s decrypt -i IDENTITY [-o OUT] FILE.age\n"
			    "Decrypt an age file (as age -d), to OUT or "
			    "stdout.\n", AGENT_NAME);
			return EXIT_DONE;
		default:
			return cli_usage_error("decrypt", i18n("unknown or "
			    "incomplete option '%s'"), argv[optind - 1]);
		}
	}
	if (idpath == NULL || optind != argc - 1)
		return cli_usage_error("decrypt", "%s", i18n("decrypt needs "
		    "-i IDENTITY and one FILE"));
	return cli_decrypt_file(argv[optind], idpath, outpath);
}

static int
cli_list(struct cli *cli, int argc, char **argv)
{
	const struct collector *const	*c;
	struct strlist			 paths = { 0 };
	int				 i, rc;

	(void)cli;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			strlist_clear(&paths);
			fputs(cli_list_help, stdout);
			return EXIT_DONE;
		}
		if (strcmp(argv[i], "--artifacts") != 0 || i + 1 == argc) {
			strlist_clear(&paths);
			return cli_usage_error("list", argv[i][0] == '-' ?
			    i18n("unknown or incomplete option '%s'") :
			    i18n("unexpected argument '%s'"), argv[i]);
		}
		strlist_add(&paths, argv[++i]);
	}
	for (c = collectors; *c != NULL; c++)
		printf("collector\t%s\t%s\n", (*c)->name, (*c)->description);
	rc = artifact_list(stdout, paths.n ? (const char *const *)paths.v :
	    NULL);
	strlist_clear(&paths);
	return rc == 0 ? EXIT_DONE : EXIT_USAGE;
}

static int
cli_report(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	return cli_report_main(argc, argv);
}

static int
cli_rules(struct cli *cli, int argc, char **argv)
{
	return cli_rules_main(argc, argv, cli->embedded);
}

static int
cli_iocs(struct cli *cli, int argc, char **argv)
{
	return cli_iocs_main(argc, argv, cli->embedded);
}

static void
cli_usage(FILE *f)
{
	size_t	i;

	fprintf(f, i18n("usage: %s COMMAND [OPTIONS]\n\ncommands:\n"),
	    AGENT_NAME);
	for (i = 0; i < nitems(cli_cmds); i++)
		fprintf(f, "  %s\n", cli_cmds[i].usage);
	fprintf(f, i18n("\n'%s COMMAND --help' for a command's options; "
	    "'%s --version'.\n"), AGENT_NAME, AGENT_NAME);
}

/* --help: a kit's is run's, saying it is pre-configured. */
static void
cli_usage_kit(int kit, const char *argv0)
{
	if (!kit) {
		cli_usage(stdout);
		return;
	}
	fputs(cli_run_help, stdout);
	printf(i18n("\nThis copy is pre-configured (an embedded configuration):"
	    " run it with no argument, or give it run options directly (%s "
	    "--no-yara -o DIR). Other commands: %s COMMAND --help; '%s config "
	    "show' prints the configuration.\n"), argv0, argv0, argv0);
}

int
cli_main(int argc, char **argv)
{
	static char	 run[] = "run";
	struct cli	 cli = { NULL };
	char		*text = NULL, err[512], *argv0[2];
	size_t		 i;
	int		 rc = -2;

	if (bundle_read(&text, err, sizeof err) == -1) {
		fprintf(stderr, "%s: %s\n", AGENT_NAME, err);
		return EXIT_USAGE;
	}
	cli.embedded = text;
	if (argc < 2 && text != NULL) {
		/* A pre-configured copy run with no argument: collect. */
		argv0[0] = run;
		argv0[1] = NULL;
		rc = cli_run(&cli, 1, argv0);
	} else if (argc < 2) {
		cli_usage(stderr);
		rc = EXIT_USAGE;
	} else if (strcmp(argv[1], "--version") == 0 ||
	    strcmp(argv[1], "-V") == 0) {
		printf("%s %s%s\n", AGENT_NAME, CC_VERSION,
		    text ? " (pre-configured)" : "");
		rc = EXIT_DONE;
	} else if (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		cli_usage_kit(text != NULL, argv[0]);
		rc = EXIT_DONE;
	} else if (text != NULL && argv[1][0] == '-') {
		/* A kit given run options directly: KIT --no-yara -o DIR. */
		rc = cli_run(&cli, argc, argv);
	}
	for (i = 0; rc == -2 && i < nitems(cli_cmds); i++)
		if (strcmp(argv[1], cli_cmds[i].name) == 0)
			rc = cli_cmds[i].main(&cli, argc - 1, argv + 1);
	if (rc == -2) {
		fputs(AGENT_NAME ": ", stderr);
		fprintf(stderr, i18n("unknown command '%s'\n"), argv[1]);
		cli_usage(stderr);
		rc = EXIT_USAGE;
	}
	config_free_text(text);
	return rc;
}
