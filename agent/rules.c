/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Signed rule bundles: verification, the version check against rollback,
 * unpacking in memory with libarchive, the state directory (written only
 * by `rules install` and `rules pull`), and the `rules verify`, `rules
 * install` and `rules pull` commands. See rules.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "i18n.h"
#include "log.h"
#include "rules.h"
#include "sandbox.h"
#include "sign.h"
#include "upload.h"
#include "util.h"

#define RULES_BUNDLE_MAX	(256U << 20)
#define RULES_ENTRY_MAX		(64U << 20)
#define RULES_ENTRIES_MAX	10000
#define RULES_SIG_MAX		(64U << 10)
#define RULES_TAG		"csirt-collect-rules version="

int
rules_is_bundle(const char *path)
{
	size_t	len = strlen(path);

	return len > 8 && strcmp(path + len - 8, ".tar.zst") == 0;
}

static int
rules_pubkey(const char *key, struct sign_pubkey *pk, char *err,
    size_t errlen)
{
	if (key == NULL) {
		snprintf(err, errlen, "no rules public key ([rules] pubkey or "
		    "-p PUBKEY): a bundle is only taken signed");
		return -1;
	}
	if (strncmp(key, "RW", 2) == 0)
		return sign_pubkey_parse(key, strlen(key), pk, err, errlen);
	return sign_pubkey_load(key, pk, err, errlen);
}

/*
 * N of a trusted comment that is exactly "csirt-collect-rules version=N",
 * N a decimal number up to 2^53 without sign, spaces or leading zeros (one
 * spelling per version: "05" is refused, "0" is a version). -1 otherwise.
 */
static long long
rules_version(const char *tc)
{
	const char	*p;
	long long	 v;
	size_t		 n;

	if (strncmp(tc, RULES_TAG, strlen(RULES_TAG)) != 0)
		return -1;
	p = tc + strlen(RULES_TAG);
	n = strspn(p, "0123456789");
	if (n == 0 || n > 16 || p[n] != '\0' || (p[0] == '0' && n > 1))
		return -1;
	if (util_parse_int(p, 0, 1LL << 53, &v) == -1)
		return -1;
	return v;
}

/* The trusted comment for a message: printable ASCII, cut at 80. */
static void
rules_quote(char *dst, size_t len, const char *tc)
{
	size_t	i;

	for (i = 0; tc[i] != '\0' && i + 1 < len && i < 80; i++)
		dst[i] = tc[i] >= 0x20 && tc[i] < 0x7f ? tc[i] : '?';
	dst[i] = '\0';
}

static char *
rules_state_path(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir ? dir : RULES_STATE_DIR, name);
}

/* The version in the state file dir/name, or -1 when it has none. */
static long long
rules_read_version(const char *dir, const char *name)
{
	char		*path, *s, err[256];
	long long	 v;
	size_t		 len;

	path = rules_state_path(dir, name);
	s = util_read_file(path, 64, &len, err, sizeof err);
	free(path);
	if (s == NULL)
		return -1;
	s[strcspn(s, "\n")] = '\0';
	if (util_parse_int(s, 0, 1LL << 53, &v) == -1)
		v = 0;
	free(s);
	return v;
}

/*
 * The highest version accepted before for the key keyid (hex), 0 when
 * none. The floor is per key (rules.KEYID-HASH.version, see
 * rules_key_name): a bundle signed by
 * one key never blocks those of another. Migration: the single
 * rules.version of older agents still counts as the floor of the
 * configured key as long as that key has no file of its own; it is
 * never written again.
 */
static long long
rules_accepted(const char *dir, const char *keyid)
{
	char		 name[96];
	long long	 v;

	snprintf(name, sizeof name, "rules.%s.version", keyid);
	if ((v = rules_read_version(dir, name)) == -1 &&
	    (v = rules_read_version(dir, "rules.version")) == -1)
		v = 0;
	return v;
}

/* Write data to dir/name through a temporary file and rename. */
static int
rules_write_state(const char *dir, const char *name, const void *p,
    size_t n, char *err, size_t errlen)
{
	char	*tmp, *path;
	int	 fd, rc = -1;

	dir = dir ? dir : RULES_STATE_DIR;
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	path = rules_state_path(dir, name);
	tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1 || util_write_all(fd, p, n) == -1 || fsync(fd) == -1 ||
	    close(fd) == -1 || rename(tmp, path) == -1)
		snprintf(err, errlen, "cannot write %s: %s", path,
		    strerror(errno));
	else {
		fd = -1;
		rc = 0;
	}
	if (rc == -1) {
		if (fd != -1)
			close(fd);
		unlink(tmp);
	}
	free(tmp);
	free(path);
	return rc;
}

int
rules_accept(const char *dir, const struct rules_bundle *b, char *err,
    size_t errlen)
{
	char	num[32], name[96];

	if (b->version <= rules_accepted(dir, b->key))
		return 0;
	snprintf(num, sizeof num, "%lld\n", b->version);
	snprintf(name, sizeof name, "rules.%s.version", b->key);
	return rules_write_state(dir, name, num, strlen(num), err, errlen);
}

/* Is an entry name safe: relative, no "..", no empty component? */
static int
rules_safe_name(const char *name)
{
	const char	*p = name;
	size_t		 n;

	if (*name == '\0' || *name == '/')
		return 0;
	while (*p != '\0') {
		n = strcspn(p, "/");
		if ((n == 2 && strncmp(p, "..", 2) == 0))
			return 0;
		p += n;
		while (*p == '/')
			p++;
	}
	return 1;
}

static int
rules_has_suffix(const char *s, const char *suffix)
{
	size_t	a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Read one .yar entry's text into b. 0 or -1 with err. */
static int
rules_entry(struct archive *a, struct archive_entry *e,
    struct rules_bundle *b, char *err, size_t errlen)
{
	const char	*name = archive_entry_pathname(e);
	la_int64_t	 size = archive_entry_size(e);
	char		*text;
	la_ssize_t	 n;

	if (size < 0 || size > RULES_ENTRY_MAX) {
		snprintf(err, errlen, "bundle entry %s: too large", name);
		return -1;
	}
	text = xmalloc((size_t)size + 1);
	n = archive_read_data(a, text, (size_t)size);
	if (n != size || memchr(text, '\0', (size_t)size) != NULL) {
		snprintf(err, errlen, "bundle entry %s: %s", name,
		    n != size ? "short read" : "binary content");
		free(text);
		return -1;
	}
	text[size] = '\0';
	b->files = xreallocarray(b->files, b->nfiles + 2, sizeof *b->files);
	b->files[b->nfiles].name = xstrdup(name);
	b->files[b->nfiles].text = text;
	b->nfiles++;
	b->files[b->nfiles].name = NULL;
	b->files[b->nfiles].text = NULL;
	return 0;
}

/* Unpack the .yar files of the bundle in memory. 0 or -1 with err. */
static int
rules_unpack(const char *data, size_t len, struct rules_bundle *b,
    char *err, size_t errlen)
{
	struct archive		*a = archive_read_new();
	struct archive_entry	*e;
	const char		*name;
	size_t			 count = 0;
	int			 rc;

	archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
		snprintf(err, errlen, "not a .tar.zst bundle: %s",
		    archive_error_string(a));
		archive_read_free(a);
		return -1;
	}
	while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		name = archive_entry_pathname(e);
		if (name == NULL || !rules_safe_name(name)) {
			snprintf(err, errlen, "bundle entry \"%s\": absolute "
			    "or with \"..\": refused", name ? name : "");
			rc = ARCHIVE_FATAL;
			break;
		}
		if (++count > RULES_ENTRIES_MAX) {
			snprintf(err, errlen, "bundle: too many entries");
			rc = ARCHIVE_FATAL;
			break;
		}
		if (archive_entry_filetype(e) == AE_IFDIR)
			continue;
		if (archive_entry_filetype(e) != AE_IFREG ||
		    archive_entry_hardlink(e) != NULL) {
			snprintf(err, errlen, "bundle entry %s: a link or "
			    "special file: refused", name);
			rc = ARCHIVE_FATAL;
			break;
		}
		if (!rules_has_suffix(name, ".yar") &&
		    !rules_has_suffix(name, ".yara")) {
			archive_read_data_skip(a);
			continue;
		}
		if (rules_entry(a, e, b, err, errlen) == -1) {
			rc = ARCHIVE_FATAL;
			break;
		}
	}
	if (rc != ARCHIVE_EOF && rc != ARCHIVE_FATAL)
		snprintf(err, errlen, "damaged bundle: %s",
		    archive_error_string(a));
	archive_read_free(a);
	if (rc == ARCHIVE_EOF && b->nfiles == 0) {
		snprintf(err, errlen, "bundle holds no .yar file");
		return -1;
	}
	return rc == ARCHIVE_EOF ? 0 : -1;
}

/*
 * The name of a key's rollback floor: minisign's key id (what `minisign`
 * prints) and 128 bits of the SHA-256 of the public key, since the key
 * id alone is chosen by whoever makes the key and could be copied.
 */
static void
rules_key_name(const struct sign_pubkey *pk, char *out, size_t len)
{
	unsigned char	sha[32];
	char		id[SIGN_KEYID_HEXLEN], hex[65];

	EVP_Digest(pk->pk, sizeof pk->pk, sha, NULL, EVP_sha256(), NULL);
	util_hex(hex, sha, 16);
	sign_keyid_hex(pk->keyid, id);
	snprintf(out, len, "%s-%.32s", id, hex);
}

/* Check the version tag of a verified trusted comment and the floor. */
static int
rules_check_version(const char *path, const char *tc, const char *state,
    struct rules_bundle *b, char *err, size_t errlen)
{
	char		q[96];
	long long	prev;

	if ((b->version = rules_version(tc)) < 0) {
		rules_quote(q, sizeof q, tc);
		snprintf(err, errlen, i18n("bundle %s: the trusted comment "
		    "\"%s\" is not exactly \"%sN\" (N a number without sign, "
		    "spaces or leading zeros): refused"), path, q, RULES_TAG);
		return -1;
	}
	if (b->version < (prev = rules_accepted(state, b->key))) {
		snprintf(err, errlen, i18n("bundle %s: version %lld is older "
		    "than version %lld accepted before for key %s: refused "
		    "(rollback)"), path, b->version, prev, b->key);
		return -1;
	}
	return 0;
}

/* Check the signature sigtext and the version of data; b->version set. */
static int
rules_check(const char *path, const char *data, size_t len,
    const char *sigtext, size_t siglen, const char *pubkey,
    const char *state, struct rules_bundle *b, char *err, size_t errlen)
{
	struct sign_pubkey	 pk;
	struct sign_sig		 sig;
	char			 why[256];
	int			 rc = -1;

	if (rules_pubkey(pubkey, &pk, err, errlen) == -1)
		return -1;
	rules_key_name(&pk, b->key, sizeof b->key);
	memset(&sig, 0, sizeof sig);
	if (sign_sig_parse(sigtext, siglen, &sig, why, sizeof why) == -1 ||
	    sign_verify_buffer(&pk, &sig, data, len, why, sizeof why) == -1)
		snprintf(err, errlen, "bundle %s: signature refused: %s", path,
		    why);
	else
		rc = rules_check_version(path, sig.trusted_comment, state, b,
		    err, errlen);
	sign_sig_free(&sig);
	return rc;
}

/* rules_bundle_load on a bundle and its signature in memory. */
static int
rules_bundle_load_mem(const char *path, const char *data, size_t len,
    const char *sig, size_t siglen, const char *pubkey, const char *state,
    struct rules_bundle *b, char *err, size_t errlen)
{
	unsigned char	 sha[32];
	char		 why[256];

	memset(b, 0, sizeof *b);
	if (rules_check(path, data, len, sig, siglen, pubkey, state, b, err,
	    errlen) == -1) {
		rules_bundle_free(b);
		return -1;
	}
	if (rules_unpack(data, len, b, why, sizeof why) == -1) {
		snprintf(err, errlen, "bundle %s: %s", path, why);
		rules_bundle_free(b);
		return -1;
	}
	EVP_Digest(data, len, sha, NULL, EVP_sha256(), NULL);
	util_hex(b->sha256, sha, sizeof sha);
	return 0;
}

/* Read a bundle and its .minisig: 0, or -1 with err. */
static int
rules_read(const char *path, char **data, size_t *len, char **sig,
    size_t *siglen, char *err, size_t errlen)
{
	char	*sigpath, why[256];

	*sig = NULL;
	if ((*data = util_read_file(path, RULES_BUNDLE_MAX, len, why,
	    sizeof why)) == NULL) {
		snprintf(err, errlen, "rule bundle: %s", why);
		return -1;
	}
	sigpath = xasprintf("%s.minisig", path);
	*sig = util_read_file(sigpath, RULES_SIG_MAX, siglen, why, sizeof why);
	free(sigpath);
	if (*sig == NULL) {
		snprintf(err, errlen, "bundle %s has no signature: %s", path,
		    why);
		free(*data);
		*data = NULL;
		return -1;
	}
	return 0;
}

int
rules_bundle_load(const char *path, const char *pubkey, const char *state,
    struct rules_bundle *b, char *err, size_t errlen)
{
	char	*data, *sig;
	size_t	 len, siglen;
	int	 rc;

	memset(b, 0, sizeof *b);
	if (rules_read(path, &data, &len, &sig, &siglen, err, errlen) == -1)
		return -1;
	rc = rules_bundle_load_mem(path, data, len, sig, siglen, pubkey,
	    state, b, err, errlen);
	free(data);
	free(sig);
	return rc;
}

void
rules_bundle_free(struct rules_bundle *b)
{
	size_t	i;

	for (i = 0; i < b->nfiles; i++) {
		free((char *)b->files[i].name);
		free((char *)b->files[i].text);
	}
	free(b->files);
	memset(b, 0, sizeof *b);
}

char *
rules_installed(const char *dir)
{
	char	*path = rules_state_path(dir, "rules.tar.zst");

	if (access(path, F_OK) == 0)
		return path;
	free(path);
	return NULL;
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
	if (rules_write_state(dir, "rules.tar.zst", data, len, err,
	    sizeof err) == -1 || rules_write_state(dir,
	    "rules.tar.zst.minisig", sig, siglen, err, sizeof err) == -1 ||
	    rules_accept(dir, &b, err, sizeof err) == -1)
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
static int
rules_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
rules_usage(const char *fmt, ...)
{
	va_list	ap;

	fputs(AGENT_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fprintf(stderr, i18n("Try '%s %s --help'.\n"), AGENT_NAME, "rules");
	return EXIT_USAGE;
}

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
	return rules_usage(i18n("rules %s: wrong number of arguments"), cmd);
}

int
rules_main(int argc, char **argv, const char *embedded)
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
		return rules_usage(i18n("rules needs a command: %s"),
		    "verify, install, pull");
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
		return rules_help();
	if (strcmp(cmd, "verify") != 0 && strcmp(cmd, "install") != 0 &&
	    strcmp(cmd, "pull") != 0)
		return rules_usage(*cmd == '-' ? i18n("unknown or incomplete "
		    "option '%s'") : i18n("unknown rules command '%s'"), cmd);
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
			return rules_usage(i18n("unknown or incomplete option "
			    "'%s'"), argv[optind]);
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
