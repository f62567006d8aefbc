/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The run. Set-up checks everything a user can get wrong (root, output
 * directory, keys) before anything is collected, and fails with exit 2.
 * Then the collectors run in table order through one context; the
 * archive is written under a temporary name through the chain
 * libarchive → zstd → hash → file, closed with the manifest and its
 * signature, renamed into place, and signed from the running BLAKE2b of
 * its bytes: nothing is read back.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "artifact.h"
#include "collect.h"
#include "collector.h"
#include "crypt.h"
#include "deliver.h"
#include "findings.h"
#include "i18n.h"
#include "ioc.h"
#include "lock.h"
#include "log.h"
#include "manifest.h"
#include "os.h"
#include "out.h"
#include "pipeline.h"
#include "ioc-pack.h"
#include "rules.h"
#include "sandbox.h"
#include "scan.h"
#include "screen.h"
#include "sign.h"
#include "sink.h"
#include "summary.h"
#include "supervise.h"
#include "upload.h"
#include "util.h"

#define PIPELINE_ZSTD_LEVEL	3
#define PIPELINE_OUT_QUEUE	(4U << 20)	/* compressed bytes in hand-over */
#define PIPELINE_SPACE_MARGIN	(64ULL << 20)	/* free space over the estimate */

struct run {
	struct config		*cfg;
	int			 rootfd;
	int			 lockfd;	/* -1: none */
	const char		*outdir;
	struct os_host		 host;
	struct sign_seckey	*key;
	struct sign_pubkey	 pub;
	int			 ephemeral;
	char			 keyid[SIGN_KEYID_HEXLEN];
	char			*name;		/* archive file name */
	char			*base;		/* the name before any _N */
	unsigned int		 suffix;	/* N of name (1: none) */
	int			 reachable;	/* the drop box answered */
	const char		*fallback;	/* why streaming was chosen */
	time_t			 started;
	char			 started_iso[40];
	struct out		*file, *hash, *zstd, *age;
	unsigned char		(*rcpt)[CRYPT_KEY_LEN];
	struct out		*last;		/* file or sftp stage */
	struct upload		*up;
	char			*where;		/* the archive, for messages */
	char			*sigtext;
	char			*pubtext;
	double			 upload_secs;
	const char		*stage;		/* for the progress line */
	struct timespec		 wall0;		/* --max-cpu accounting */
	struct timespec		 cpu0;
	struct manifest		*m;
	struct sink		*sink;
	struct collect_ctx	*ctx;
	struct summary		*summary;	/* summary.json */
	struct scan		*scan;		/* NULL with --no-yara */
	struct ioc_set		*iocs;		/* NULL: no indicators */
	char			*iocs_from;	/* the pack, file or dir */
	long long		 iocs_version;	/* -1: unsigned */
	unsigned char		 sha256[32], blake2b[64];
	uint64_t		 size;
	size_t			 ncollectors_failed;
	uint64_t		 est_files;	/* pipeline_estimate */
	uint64_t		 est_bytes;
	int			 estimated;
	struct deliver_small	 sigf, pubf;	/* .minisig, .pub, reserved */
	struct screen		 screen;	/* steps and bar */
};

static void	pipeline_estimate(struct run *);
static void	pipeline_free(struct run *);

/* The partial files, for the handler to delete on a second signal. */
static void
pipeline_signals_part(struct run *r)
{
	if (r->file != NULL)
		supervise_parts(out_file_part(r->file), r->sigf.tmp,
		    r->pubf.tmp);
}

/* The line of step s, once (the byte count starts the bar's). */
static void
pipeline_step(struct run *r, int s)
{
	screen_step(&r->screen, s, r->sink ? sink_bytes(r->sink) : 0);
}

/* Lower CPU and I/O priority so the host keeps serving. */
static void
pipeline_nice(long long n)
{
	if (setpriority(PRIO_PROCESS, 0, (int)n) == -1)
		log_msg(LOG_DEBUG, NULL, "setpriority: %s", strerror(errno));
#ifdef SYS_ioprio_set
	/* IOPRIO_WHO_PROCESS, class best-effort (2), level 7. */
	if (n > 0 && syscall(SYS_ioprio_set, 1, 0, (2 << 13) | 7) == -1)
		log_msg(LOG_DEBUG, NULL, "ioprio_set: %s", strerror(errno));
#endif
}

/*
 * The output directory, made (0700, parents too) when missing, except
 * for a dry run or a stream, which write nothing there.
 */
static int
pipeline_setup_outdir(struct run *r, char *err, size_t errlen)
{
	struct stat	st;

	if (stat(r->outdir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		snprintf(err, errlen, "output directory %s: not a directory",
		    r->outdir);
		return -1;
	}
	if (errno != ENOENT && errno != ENOTDIR) {
		snprintf(err, errlen, "output directory %s: %s", r->outdir,
		    strerror(errno));
		return -1;
	}
	if (r->cfg->dry_run || r->cfg->stream)
		return 0;
	return deliver_mkdirs(r->outdir, err, errlen);
}

/* The root to read under, and the output directory. */
static int
pipeline_setup_dirs(struct run *r, char *err, size_t errlen)
{
	struct config	*cfg = r->cfg;
	struct stat	 st;

	if (cfg->root != NULL) {
		if (stat(cfg->root, &st) == -1) {
			snprintf(err, errlen, "--root %s: %s", cfg->root,
			    strerror(errno));
			return -1;
		}
		if (!S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "--root %s: not a directory",
			    cfg->root);
			return -1;
		}
	}
	if ((r->rootfd = os_root_open(cfg->root ? cfg->root : "/")) == -1) {
		snprintf(err, errlen, "cannot open root %s: %s",
		    cfg->root ? cfg->root : "/", strerror(errno));
		return -1;
	}
	r->outdir = cfg->output_dir ? cfg->output_dir : ".";
	return pipeline_setup_outdir(r, err, errlen);
}

/*
 * The rules key must not be the archive signing key: a kit carries its
 * signing key, so whoever holds the kit could sign rules.
 */
static int
pipeline_setup_rules_key(struct run *r, const char *key, const char *what,
    char *err, size_t errlen)
{
	struct sign_pubkey	 pk;
	char			 why[512];
	int			 rc;

	if (key == NULL)
		return 0;
	if (strncmp(key, "RW", 2) == 0)
		rc = sign_pubkey_parse(key, strlen(key), &pk, why, sizeof why);
	else
		rc = sign_pubkey_load(key, &pk, why, sizeof why);
	if (rc == -1) {
		snprintf(err, errlen, "[%s] pubkey: %s", what, why);
		return -1;
	}
	if (sodium_memcmp(pk.pk, r->pub.pk, sizeof pk.pk) == 0) {
		snprintf(err, errlen, "[%s] pubkey is the archive signing "
		    "key ([signing] secret_key): the %s key must not be the "
		    "archive signing key: whoever holds the kit could sign "
		    "%s", what, what, what);
		return -1;
	}
	return 0;
}

/* The signing key, upload settings and recipients. */
static int
pipeline_setup_keys(struct run *r, char *err, size_t errlen)
{
	struct config	*cfg = r->cfg;
	size_t		 i;

	if (cfg->stream && cfg->upload_url == NULL) {
		snprintf(err, errlen, "--stream needs an upload target "
		    "(--upload sftp://USER@HOST/DIR)");
		return -1;
	}
	if (cfg->upload_url != NULL &&
	    (r->up = upload_new(cfg, err, errlen)) == NULL)
		return -1;
	if (cfg->recipients.n > 0)
		r->rcpt = xreallocarray(NULL, cfg->recipients.n,
		    sizeof *r->rcpt);
	for (i = 0; i < cfg->recipients.n; i++)
		if (crypt_recipient_parse(cfg->recipients.v[i], r->rcpt[i],
		    err, errlen) == -1)
			return -1;
	if (cfg->sign_key_file != NULL)
		r->key = sign_seckey_load(cfg->sign_key_file, err, errlen);
	else if (cfg->sign_key != NULL)
		r->key = sign_seckey_parse(cfg->sign_key,
		    strlen(cfg->sign_key), err, errlen);
	else {
		r->key = sign_seckey_generate();
		r->ephemeral = 1;
	}
	if (r->key == NULL)
		return -1;
	sign_seckey_pubkey(r->key, &r->pub);
	sign_keyid_hex(r->pub.keyid, r->keyid);
	if (pipeline_setup_rules_key(r, cfg->rules_pubkey, "rules", err,
	    errlen) == -1)
		return -1;
	return pipeline_setup_rules_key(r, cfg->iocs_pubkey, "iocs", err,
	    errlen);
}

/*
 * The rules: --rules (a directory, a file or a signed bundle), else the
 * newest bundle installed by `rules pull`, else the built-in rules; and
 * the rules made from the indicators of iocs (may be NULL), in their own
 * namespace, so that the one scan of each file and process sees them.
 * With --no-yara, the indicators' rules alone (none: no scanner).
 */
static int
pipeline_setup_rules(struct run *r, const struct ioc_set *iocs, char *err,
    size_t errlen)
{
	struct config		*cfg = r->cfg;
	struct rules_bundle	 b;
	char			*installed = NULL, version[32], *src;
	const char		*path = cfg->rules_path;

	src = ioc_yara_source(iocs);
	if (cfg->no_yara) {
		if (src != NULL)
			r->scan = scan_new_iocs(NULL, NULL, NULL, 0, 0, src,
			    err, errlen);
		free(src);
		return src == NULL || r->scan != NULL ? 0 : -1;
	}
	if (path == NULL)
		path = installed = rules_installed(cfg->rules_state_dir);
	if (path == NULL || !rules_is_bundle(path)) {
		r->scan = scan_new_iocs(path, NULL, NULL, 0, 1, src, err,
		    errlen);
		free(installed);
		free(src);
		return r->scan ? 0 : -1;
	}
	if (rules_bundle_load(path, cfg->rules_pubkey, cfg->rules_state_dir,
	    &b, err, errlen) == -1) {
		free(installed);
		free(src);
		return -1;
	}
	snprintf(version, sizeof version, "%lld", b.version);
	r->scan = scan_new_iocs(path, version, b.files, b.nfiles, 1, src, err,
	    errlen);
	rules_bundle_free(&b);
	free(installed);
	free(src);
	return r->scan ? 0 : -1;
}

/*
 * The indicators: --iocs (a signed pack, or an unsigned file or directory
 * the operator names), else the pack installed by `iocs pull`, else none.
 * A pack that fails is a configuration error: nothing is collected.
 */
static int
pipeline_setup_iocs(struct run *r, char *err, size_t errlen)
{
	struct config	*cfg = r->cfg;
	const char	*state = cfg->iocs_state_dir ? cfg->iocs_state_dir :
			    cfg->rules_state_dir;
	char		 why[1024];

	if (cfg->no_iocs)
		return 0;
	if (cfg->iocs_path != NULL)
		r->iocs_from = xstrdup(cfg->iocs_path);
	else if ((r->iocs_from = rules_pack_installed(&rules_kind_iocs,
	    state)) == NULL)
		return 0;
	if ((r->iocs = ioc_pack_load(r->iocs_from, cfg->iocs_pubkey, state,
	    &r->iocs_version, why, sizeof why)) == NULL) {
		snprintf(err, errlen, i18n("indicator pack %s: %s"),
		    r->iocs_from, why);
		return -1;
	}
	return 0;
}

/* Say in collection.log what the run looks for. */
static void
pipeline_log_iocs(struct run *r)
{
	struct buf	 b = { 0 };
	char		 v[48];
	int		 t;

	if (r->iocs == NULL) {
		log_msg(LOG_INFO, NULL, "indicators: none (%s)",
		    r->cfg->no_iocs ? "--no-iocs" : "no --iocs, [iocs] path "
		    "or installed pack");
		return;
	}
	for (t = 0; t < IOC_NTYPES; t++)
		buf_printf(&b, "%s%s %zu", t ? ", " : "", ioc_type_name(t),
		    ioc_set_count(r->iocs, t));
	if (r->iocs_version >= 0)
		snprintf(v, sizeof v, "signed, version %lld", r->iocs_version);
	else
		snprintf(v, sizeof v, "unsigned");
	log_msg(LOG_INFO, NULL, "indicators from %s (%s): %s (misp %zu, "
	    "stix %zu, loki %zu)", r->iocs_from, v, b.data,
	    ioc_set_count_format(r->iocs, "misp"),
	    ioc_set_count_format(r->iocs, "stix"),
	    ioc_set_count_format(r->iocs, "loki"));
	buf_free(&b);
}

/*
 * What the configuration itself can get wrong, whatever the host: keys,
 * upload settings, recipients, profile (and, when host is set, the
 * artefact definition files it names, which are paths on the host).
 */
static int
pipeline_setup_config(struct run *r, int host, char *err, size_t errlen)
{
	struct config	*cfg = r->cfg;

	if (pipeline_setup_keys(r, err, errlen) == -1)
		return -1;
	if ((host || cfg->artifacts.n == 0) && artifact_check(cfg->profile,
	    cfg->artifacts.n ? (const char *const *)cfg->artifacts.v : NULL,
	    err, errlen) == -1)
		return -1;
	return 0;
}

int
pipeline_check(const struct config *cfg, struct upload **up, char *err,
    size_t errlen)
{
	struct run	r;
	int		rc;

	memset(&r, 0, sizeof r);
	r.cfg = (struct config *)cfg;
	r.rootfd = -1;
	rc = pipeline_setup_config(&r, 0, err, errlen);
	if (rc == 0 && up != NULL) {
		*up = r.up;
		r.up = NULL;
	}
	pipeline_free(&r);
	return rc;
}

/* Set-up of everything that can be wrong before collecting. */
static int
pipeline_setup(struct run *r, char *err, size_t errlen)
{
	struct config	*cfg = r->cfg;

	if (geteuid() != 0 && !cfg->allow_unprivileged && !cfg->dry_run) {
		snprintf(err, errlen, "%s", i18n("this must run as root (sudo):"
		    " without root, other users' processes, most logs and "
		    "protected files cannot be read. To collect only what this "
		    "user can read, add --allow-unprivileged"));
		return -1;
	}
	if (pipeline_setup_dirs(r, err, errlen) == -1 ||
	    pipeline_setup_config(r, 1, err, errlen) == -1)
		return -1;
	/*
	 * The indicators, then the YARA rules (with the indicators' own),
	 * compiled once; a rule file or a pack that fails is exit 2.
	 */
	if (pipeline_setup_iocs(r, err, errlen) == -1)
		return -1;
	return pipeline_setup_rules(r, r->iocs, err, errlen);
}

/* The next name from r->base free in the output directory. */
static char *
pipeline_name_next(struct run *r)
{
	char	*name;

	for (;;) {
		name = util_name_suffix(r->base, ++r->suffix);
		if (r->suffix >= 999 || deliver_local_free(r->outdir, name))
			return name;
		free(name);
	}
}

/*
 * <case>_<hostname>_<time>.tar.zst, unsafe characters replaced; with
 * _2, _3… before .tar.zst when that name (or its .part, .minisig, .pub)
 * is already in the output directory.
 */
static char *
pipeline_name(struct run *r)
{
	char	 t[32], *name;

	util_compact_time(t, sizeof t, r->started);
	if (r->cfg->case_id != NULL)
		name = xasprintf("%s_%s_%s.tar.zst%s", r->cfg->case_id,
		    r->host.hostname, t, r->rcpt ? ".age" : "");
	else
		name = xasprintf("%s_%s.tar.zst%s", r->host.hostname, t,
		    r->rcpt ? ".age" : "");
	util_safe_name(name);
	r->base = name;
	r->suffix = 0;
	return pipeline_name_next(r);
}

/* A name free on the drop box as well as here. 0 or -1 with err. */
static int
pipeline_name_remote(struct run *r, char *err, size_t errlen)
{
	int	rc;

	while ((rc = upload_name_free(r->up, r->name, err, errlen)) == 0 &&
	    r->suffix < 999) {
		free(r->name);
		r->name = pipeline_name_next(r);
	}
	if (rc == 0)
		snprintf(err, errlen, "no free name for %s on %s", r->base,
		    upload_url(r->up));
	return rc == 1 ? 0 : -1;
}

/*
 * Before collecting, when the archive goes to the drop box afterwards:
 * connect once (host key, login) and take a name free there. A wrong
 * host key stops the run (exit 3); a drop box out of reach does not:
 * the archive is kept and sent at the end if it answers then.
 */
static int
pipeline_check_upload(struct run *r)
{
	char	err[1024];

	if (r->up == NULL || r->cfg->stream)
		return 0;
	if (upload_check(r->up, err, sizeof err) == 0 &&
	    pipeline_name_remote(r, err, sizeof err) == 0) {
		r->reachable = 1;
		upload_close(r->up);	/* the upload reconnects */
		return 0;
	}
	upload_close(r->up);
	log_msg(upload_failure(r->up) == UPLOAD_FAIL_HOSTKEY ? LOG_ERROR :
	    LOG_WARN, "upload", "%s", err);
	if (upload_failure(r->up) == UPLOAD_FAIL_HOSTKEY) {
		fprintf(stderr, i18n("FAILED: %s\n"), err);
		deliver_advice(r->up, NULL, 0);
		fputs(i18n("Nothing was collected.\n"), stderr);
		return EXIT_UPLOAD;
	}
	fprintf(stderr, i18n("WARNING: the drop box cannot be used now: %s\n"
	    "The collection goes on: the archive will be kept on this host, "
	    "and sent at the end if the drop box answers then.\n"), err);
	deliver_advice(r->up, NULL, 0);
	return 0;
}

/*
 * Room for the archive in the output directory: the artefacts' estimate
 * (an upper bound: the archive is compressed) plus a margin. Short of
 * it, stream to a drop box that answered, or stop (exit 2).
 */
static int
pipeline_check_space(struct run *r)
{
	struct statvfs	vfs;
	uint64_t	need, avail;
	char		h_avail[24], h_est[24];

	if (r->cfg->stream || statvfs(r->outdir, &vfs) == -1)
		return 0;
	pipeline_estimate(r);
	need = r->est_bytes;
	if (r->cfg->max_total_size > 0 && need > r->cfg->max_total_size)
		need = r->cfg->max_total_size;
	need += PIPELINE_SPACE_MARGIN;
	avail = (uint64_t)vfs.f_bavail * (uint64_t)vfs.f_frsize;
	if (avail >= need)
		return 0;
	util_human(h_avail, sizeof h_avail, avail);
	util_human(h_est, sizeof h_est, r->est_bytes);
	if (r->reachable) {
		r->cfg->stream = 1;
		r->fallback = "free space";
		log_msg(LOG_WARN, NULL, "%s has %s free, the collection is "
		    "estimated at %s: streaming to %s instead", r->outdir,
		    h_avail, h_est, upload_url(r->up));
		fprintf(stderr, i18n("Not enough room in %s (%s free, about %s "
		    "to collect): the archive is sent to the drop box while it "
		    "is made, nothing is written here.\n"), r->outdir, h_avail,
		    h_est);
		return 0;
	}
	fprintf(stderr, i18n("%s: not enough room in %s: %s free, about %s "
	    "to collect (plus a 64 MiB margin). Nothing was collected. Run "
	    "again with --output on a disk with more room (a USB drive).\n"),
	    AGENT_NAME, r->outdir, h_avail, h_est);
	return EXIT_USAGE;
}

/* The checks before collecting. 0, or an exit status. */
static int
pipeline_preflight(struct run *r)
{
	int	rc;

	if ((rc = pipeline_check_upload(r)) != 0)
		return rc;
	return pipeline_check_space(r);
}

/* Room for the .minisig (and .pub) beside the archive, taken now. */
static int
pipeline_reserve(struct run *r, char *err, size_t errlen)
{
	char	*name;
	int	 rc;

	name = xasprintf("%s.minisig", r->name);
	rc = deliver_small_reserve(&r->sigf, r->outdir, name, err, errlen);
	free(name);
	if (rc == 0 && r->ephemeral) {
		name = xasprintf("%s.pub", r->name);
		rc = deliver_small_reserve(&r->pubf, r->outdir, name, err,
		    errlen);
		free(name);
	}
	return rc;
}

/* The archive file and its chain. -1 with err (a set-up error). */
static int
pipeline_open(struct run *r, char *err, size_t errlen)
{
	uid_t	uid;
	gid_t	gid;

	if (r->cfg->stream) {
		if (upload_connect(r->up, err, errlen) == -1 ||
		    pipeline_name_remote(r, err, errlen) == -1)
			return -2;
		r->last = out_sftp_new(r->up, r->name, r->cfg->stream_window);
		r->where = xasprintf("%s/%s", upload_url(r->up), r->name);
	} else {
		/* Created O_EXCL: a run that took the name first wins. */
		while ((r->file = out_file_new(r->outdir, r->name, err,
		    errlen)) == NULL && errno == EEXIST && r->suffix < 999) {
			free(r->name);
			r->name = pipeline_name_next(r);
		}
		if (r->file == NULL)
			return -1;
		if (deliver_owner(&uid, &gid) && out_file_chown(r->file, uid,
		    gid) == -1)
			log_msg(LOG_WARN, NULL, "cannot give %s to the sudo user: "
			    "%s", out_file_part(r->file), strerror(errno));
		r->last = r->file;
		r->where = xstrdup(out_file_path(r->file));
		if (pipeline_reserve(r, err, errlen) == -1)
			return -1;
	}
	r->hash = out_hash_new(r->last);
	if (r->rcpt != NULL)
		r->age = out_age_new(r->hash, (const unsigned char (*)
		    [CRYPT_KEY_LEN])r->rcpt, r->cfg->recipients.n);
	/* Encryption, hashing and writing beside the packing, not after. */
	r->zstd = out_zstd_new(out_thread_new(r->age ? r->age : r->hash,
	    PIPELINE_OUT_QUEUE), PIPELINE_ZSTD_LEVEL, os_ncpu());
	r->m = manifest_new();
	if ((r->sink = sink_new(r->zstd, r->m, err, errlen)) == NULL)
		return -1;
	return 0;
}

static json_t *
pipeline_options(struct config *cfg)
{
	json_t	*o, *a;
	size_t	 i;

	o = json_pack("{s:s, s:s?, s:s?, s:b, s:b, s:I, s:I, s:I, s:I}",
	    "profile", cfg->profile, "root", cfg->root,
	    "output", cfg->output_dir, "yara", !cfg->no_yara,
	    "process_memory", !cfg->no_process_memory,
	    "max_file_size", (json_int_t)cfg->max_file_size,
	    "max_total_size", (json_int_t)cfg->max_total_size,
	    "time_limit", (json_int_t)cfg->time_limit,
	    "nice", (json_int_t)cfg->nice);
	json_object_set_new(o, "max_cpu", json_integer(cfg->max_cpu));
	json_object_set_new(o, "process_dump",
	    json_boolean(!cfg->no_process_dump));
	json_object_set_new(o, "process_dump_max",
	    json_integer((json_int_t)cfg->process_dump_max));
	json_object_set_new(o, "process_dump_total",
	    json_integer((json_int_t)cfg->process_dump_total));
	a = json_array();
	for (i = 0; i < cfg->scan_paths.n; i++)
		json_array_append_new(a, json_string(cfg->scan_paths.v[i]));
	json_object_set_new(o, "scan_paths", a);
	a = json_array();
	for (i = 0; i < cfg->artifacts.n; i++)
		json_array_append_new(a, json_string(cfg->artifacts.v[i]));
	json_object_set_new(o, "artifacts", a);
	return o;
}

static json_t *
pipeline_strlist(const struct strlist *l)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

/* A field of the manifest's head that summary.json repeats. */
static void
pipeline_head(struct run *r, const char *key, json_t *v)
{
	summary_set(r->summary, key, json_deep_copy(v));
	manifest_set(r->m, key, v);
}

static void
pipeline_manifest_head(struct run *r)
{
	struct manifest	*m = r->m;
	char		*pub;

	manifest_set(m, "format", json_integer(1));
	pipeline_head(r, "agent", json_pack("{s:s, s:s}", "name", AGENT_NAME,
	    "version", CC_VERSION));
	pipeline_head(r, "case", r->cfg->case_id ?
	    json_string(r->cfg->case_id) : json_null());
	pipeline_head(r, "host", json_pack("{s:s, s:s?, s:s?, s:s?, s:s?}",
	    "hostname", r->host.hostname, "os", r->host.os,
	    "kernel", r->host.kernel, "boot_id", r->host.boot_id,
	    "machine_id", r->host.machine_id));
	pipeline_head(r, "started", json_string(r->started_iso));
	pipeline_head(r, "profile", json_string(r->cfg->profile));
	summary_set(r->summary, "live", json_boolean(r->cfg->root == NULL));
	manifest_set(m, "mode", json_string(r->cfg->root ? "dead-box" :
	    "live"));
	manifest_set(m, "options", pipeline_options(r->cfg));
	manifest_set(m, "rules", r->scan ? scan_rules_info(r->scan) :
	    json_null());
	manifest_set(m, "encryption", r->rcpt == NULL ? json_null() :
	    json_pack("{s:s, s:o}", "format", "age-encryption.org/v1",
	    "recipients", pipeline_strlist(&r->cfg->recipients)));
	manifest_set(m, "upload", r->up == NULL ? json_null() :
	    json_pack("{s:s, s:b, s:b, s:b, s:s?}", "url", upload_url(r->up),
	    "stream", r->cfg->stream, "host_key_pinned",
	    r->cfg->host_key_fingerprint != NULL,
	    "insecure_accept_host_key", r->cfg->insecure_host_key,
	    "stream_fallback", r->fallback));
	pub = sign_pubkey_base64(&r->pub);
	manifest_set(m, "signing", json_pack("{s:s, s:s, s:b}", "key_id",
	    r->keyid, "public_key", pub, "ephemeral", r->ephemeral));
	free(pub);
}

/*
 * --max-cpu: when the process (all its threads) has used more CPU than
 * the share allowed since the start, sleep until it is back within it.
 * The readers are fed by this thread, so they slow down with it.
 */
static void
pipeline_throttle(struct run *r)
{
	struct timespec	wall, cpu;
	double		w, c, over;

	if (r->cfg->max_cpu <= 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &wall);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
	if (r->wall0.tv_sec == 0) {
		r->wall0 = wall;
		r->cpu0 = cpu;
		return;
	}
	w = (double)(wall.tv_sec - r->wall0.tv_sec) +
	    (double)(wall.tv_nsec - r->wall0.tv_nsec) / 1e9;
	c = (double)(cpu.tv_sec - r->cpu0.tv_sec) +
	    (double)(cpu.tv_nsec - r->cpu0.tv_nsec) / 1e9;
	/* Sleep so that c / (w + sleep) = max_cpu / 100. */
	over = c * 100.0 / (double)r->cfg->max_cpu - w;
	if (over > 0.001)
		usleep((useconds_t)(over > 1.0 ? 1e6 : over * 1e6));
}

/* The status line (a terminal only), at most four times a second. */
static void
pipeline_progress(void *arg)
{
	struct run	*r = arg;

	pipeline_throttle(r);
	screen_progress(&r->screen, sink_bytes(r->sink));
}

/* Run every collector in table order. */
static void
pipeline_collect(struct run *r)
{
	const struct collector *const	*cp;
	const struct collector		*c;
	enum collect_result		 res;
	struct timespec			 t0, t1;
	static const char *const	 names[] = { "ok", "partial",
					    "failed" };
	const char			*cut;
	char				*why;

	for (cp = collectors; (c = *cp) != NULL; cp++) {
		if (collect_expired(r->ctx)) {
			cut = collect_cut_reason(r->ctx) ?
			    collect_cut_reason(r->ctx) : "output failed";
			log_detail(LOG_WARN, c->name, "not run: %s", cut);
			summary_skip(r->summary, c->name, "cut", cut);
			why = xasprintf("collector %s not run: %s", c->name,
			    cut);
			manifest_add_limit(r->m, "collector_not_run", NULL, why);
			free(why);
			continue;
		}
		if ((c->flags & COLLECTOR_LIVE) && r->cfg->root != NULL) {
			log_msg(LOG_INFO, c->name, "skipped: reads the "
			    "running system, and --root was given");
			summary_skip(r->summary, c->name, "skipped", "reads the "
			    "running system, and --root was given");
			continue;
		}
		if ((c->flags & COLLECTOR_NEEDS_ROOT) && geteuid() != 0)
			log_detail(LOG_WARN, c->name, "not running as root: "
			    "some data will be unreadable");
		collect_begin(r->ctx, c);
		r->stage = c->name;
		if (strcmp(c->name, "artifacts") == 0)
			pipeline_step(r, SCREEN_FILES);
		pipeline_step(r, SCREEN_STATE);
		log_msg(LOG_INFO, c->name, "started");
		pipeline_progress(r);
		summary_begin(r->summary, c->name);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		res = c->run(r->ctx);
		collect_flush(r->ctx);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		cut = collect_cut_reason(r->ctx);
		summary_end(r->summary, cut != NULL ? "cut" : res == COLLECT_OK ?
		    "ok" : "error", cut != NULL ? cut : res == COLLECT_OK ? NULL :
		    names[res]);
		if (res != COLLECT_OK)
			r->ncollectors_failed++;
		log_msg(res == COLLECT_FAILED ? LOG_WARN : LOG_INFO, c->name,
		    "finished: %s (%.2fs)", names[res],
		    (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		collect_begin(r->ctx, NULL);
		if (collect_output_failed(r->ctx))
			break;
	}
}

/* manifest.json on its way to the archive: hashed for its signature. */
struct pipeline_mw {
	struct sink			*sink;
	crypto_generichash_state	 h;
	uint64_t			 len;
};

static int
pipeline_manifest_write(void *arg, const void *p, size_t n)
{
	struct pipeline_mw	*w = arg;

	crypto_generichash_update(&w->h, p, n);
	w->len += n;
	return sink_write(w->sink, "manifest.json", p, n) == SINK_FATAL ?
	    -1 : 0;
}

/* summary.json; the run's own cut closes the limits. */
static int
pipeline_summary_write(struct run *r, const char *now)
{
	const char	*cut = collect_cut_reason(r->ctx);
	json_t		*o;
	char		*text;
	int		 rc;

	if (cut != NULL)
		manifest_add_limit(r->m, strncmp(cut, "time", 4) == 0 ?
		    "time_limit" : strncmp(cut, "total", 5) == 0 ?
		    "total_size" : "interrupted", NULL, cut);
	o = summary_json(r->summary, r->scan != NULL, now);
	text = json_dumps(o, JSON_INDENT(1) | JSON_ENSURE_ASCII);
	json_decref(o);
	if (text == NULL)
		fatal("summary.json: json_dumps");
	rc = sink_add_buffer(r->sink, "summary.json", text, strlen(text),
	    NULL);
	free(text);
	return rc == SINK_FATAL ? -1 : 0;
}

/* collection.log, manifest.json and its signature, end of archive. */
static int
pipeline_finish(struct run *r)
{
	struct pipeline_mw	 w;
	const char		*logtext;
	unsigned char		 hash[SIGN_HASH_LEN];
	char			 now[40], *msig, *tc;
	size_t			 loglen;
	uint64_t		 mlen;
	int			 rc;

	if (collect_matches_close(r->ctx) == -1)
		return -1;
	util_now(now, sizeof now);
	manifest_set(r->m, "finished", json_string(now));
	manifest_set(r->m, "cut", collect_cut_reason(r->ctx) ?
	    json_string(collect_cut_reason(r->ctx)) : json_null());
	log_msg(LOG_INFO, NULL, "collection finished: %llu files, %zu "
	    "errors", (unsigned long long)collect_nfiles(r->ctx),
	    manifest_nerrors(r->m));
	if (pipeline_summary_write(r, now) == -1)
		return -1;
	logtext = log_jsonl(&loglen);
	if (sink_add_buffer(r->sink, "collection.log", logtext, loglen,
	    NULL) == SINK_FATAL)
		return -1;
	/* Streamed from its compressed lists, hashed on the way. */
	mlen = manifest_length(r->m);
	memset(&w, 0, sizeof w);
	w.sink = r->sink;
	crypto_generichash_init(&w.h, NULL, 0, sizeof hash);
	if (sink_open_unlisted(r->sink, "manifest.json", mlen) == SINK_FATAL ||
	    manifest_write(r->m, pipeline_manifest_write, &w) == -1)
		return -1;
	if (w.len != mlen)
		fatal("manifest.json: %llu bytes written, %llu announced",
		    (unsigned long long)w.len, (unsigned long long)mlen);
	crypto_generichash_final(&w.h, hash, sizeof hash);
	tc = xasprintf("timestamp:%lld\tfile:manifest.json\tprehashed",
	    (long long)time(NULL));
	msig = sign_prehashed(r->key, hash, tc);
	rc = sink_add_unlisted(r->sink, "manifest.json.minisig", msig,
	    strlen(msig));
	free(tc);
	free(msig);
	if (rc == SINK_FATAL || sink_close(r->sink) == -1)
		return -1;
	out_hash_result(r->hash, r->sha256, r->blake2b, &r->size);
	return 0;
}

/*
 * Sign, then write the .minisig and .pub into the room reserved for them,
 * and only then rename the archive into place, between its .pub and its
 * .minisig: an archive is never under its final name unsigned.
 */
static int
pipeline_commit(struct run *r, char *err, size_t errlen)
{
	char	*tc;

	tc = xasprintf("timestamp:%lld\tfile:%s\tprehashed",
	    (long long)time(NULL), r->name);
	r->sigtext = sign_prehashed(r->key, r->blake2b, tc);
	free(tc);
	if (r->ephemeral)
		r->pubtext = sign_pubkey_format(&r->pub);
	if (r->file == NULL)		/* streamed: nothing local */
		return 0;
	if (deliver_small_write(&r->sigf, r->sigtext, err, errlen) == -1 ||
	    (r->ephemeral && deliver_small_write(&r->pubf, r->pubtext, err,
	    errlen) == -1))
		return -1;
	if (r->ephemeral && deliver_small_commit(&r->pubf, err, errlen) == -1)
		return -1;
	if (out_file_commit(r->file) == -1) {
		snprintf(err, errlen, "%s", out_error(r->file));
		return -1;
	}
	return deliver_small_commit(&r->sigf, err, errlen);
}

/*
 * Send the local archive with its .pub and .minisig (as `send` does);
 * with keep_local = no, remove them once the upload is checked.
 */
static int
pipeline_deliver_files(struct run *r, char *err, size_t errlen)
{
	struct timespec	 t0, t1;
	const char	*path = out_file_path(r->file);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (deliver_files(r->up, path, r->name, err, errlen) == -1)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->upload_secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	log_msg(LOG_INFO, "upload", "delivered %s/%s (%llu bytes in %.1fs)",
	    upload_url(r->up), r->name, (unsigned long long)r->size,
	    r->upload_secs);
	if (r->cfg->keep_local)
		return 0;
	deliver_drop_local(path);
	free(r->where);
	r->where = xasprintf("%s/%s", upload_url(r->up), r->name);
	fprintf(stderr, i18n("The local copy was removed (keep_local = no): "
	    "the archive is on the drop box only.\n"));
	return 0;
}

/*
 * Deliver to the drop box: the .pub first, the archive, the signature
 * last, so a reader never sees an archive without its signature. In
 * streaming mode the archive is already there under .part.
 */
static int
pipeline_deliver(struct run *r, char *err, size_t errlen)
{
	struct timespec	 t0, t1;
	char		*name;
	int		 rc;

	if (r->up == NULL)
		return 0;
	if (r->file != NULL)
		return pipeline_deliver_files(r, err, errlen);
	if (r->ephemeral) {
		name = xasprintf("%s.pub", r->name);
		rc = upload_buffer(r->up, name, r->pubtext,
		    strlen(r->pubtext), err, errlen);
		free(name);
		if (rc == -1)
			return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (out_sftp_commit(r->last) == -1) {
		snprintf(err, errlen, "%s", out_error(r->last));
		return -1;
	}
	name = xasprintf("%s.minisig", r->name);
	rc = upload_buffer(r->up, name, r->sigtext, strlen(r->sigtext), err,
	    errlen);
	free(name);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->upload_secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (rc == 0)
		log_msg(LOG_INFO, "upload", "delivered %s/%s (%llu bytes in "
		    "%.1fs)", upload_url(r->up), r->name,
		    (unsigned long long)r->size, r->upload_secs);
	return rc;
}

/*
 * YARA matches by rule: into the --json summary o as "yara" {matches,
 * rules: {rule: n}} (null when YARA was off), or on stderr when o is NULL.
 */
static void
pipeline_summary_yara(struct run *r, json_t *o)
{
	json_t		*counts = NULL, *v;
	const char	*rule;
	uint64_t	 n;

	if (r->scan == NULL) {
		if (o != NULL)
			json_object_set_new(o, "yara", json_null());
		return;
	}
	n = collect_matches(r->ctx, &counts);
	if (o != NULL) {
		json_object_set_new(o, "yara", json_pack("{s:I, s:O}",
		    "matches", (json_int_t)n, "rules", counts));
		return;
	}
	fprintf(stderr, "  yara      %llu matches (%zu rules)\n",
	    (unsigned long long)n, scan_nrules(r->scan));
	json_object_foreach(counts, rule, v)
		fprintf(stderr, "            %6lld  %s\n",
		    (long long)json_integer_value(v), rule);
}

/*
 * Indicators seen: into the --json summary o as "iocs" (as summary.json's:
 * {matches, indicators: [{id, type, value, count}]}; null without a set),
 * or on stderr when o is NULL.
 */
static void
pipeline_summary_iocs(struct run *r, json_t *o)
{
	json_t		*iocs;
	uint64_t	 n;

	if (collect_iocs(r->ctx) == NULL) {
		if (o != NULL)
			json_object_set_new(o, "iocs", json_null());
		return;
	}
	iocs = findings_iocs(collect_findings(r->ctx));
	n = collect_ioc_matches(r->ctx);
	if (o != NULL) {
		/* Past the cap: counted here, not in the records. */
		json_object_set_new(iocs, "matches", json_integer(
		    (json_int_t)n));
		json_object_set_new(o, "iocs", iocs);
		return;
	}
	fprintf(stderr, i18n("  indicators %llu seen (%zu distinct; "
	    "iocs/matches.jsonl)\n"), (unsigned long long)n,
	    json_array_size(json_object_get(iocs, "indicators")));
	json_decref(iocs);
}

static void
pipeline_summary(struct run *r)
{
	const char	*cut = collect_cut_reason(r->ctx);
	char		 hex[65];
	json_t		*o;
	uint64_t	 nfind;

	util_hex(hex, r->sha256, sizeof r->sha256);
	if (r->cfg->json) {
		o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s?,"
		    " s:I, s:I, s:s?}",
		    "status", "ok", "archive", r->where,
		    "name", r->name, "signature", "minisig",
		    "size", (json_int_t)r->size, "sha256", hex,
		    "key_id", r->keyid, "case", r->cfg->case_id ?
		    r->cfg->case_id : "", "public_key_file", NULL,
		    "files", (json_int_t)collect_nfiles(r->ctx),
		    "errors", (json_int_t)manifest_nerrors(r->m), "cut", cut);
		if (r->ephemeral)
			json_object_set_new(o, "public_key_file",
			    json_sprintf("%s.pub", r->where));
		json_object_set_new(o, "uploaded", r->up ?
		    json_sprintf("%s/%s", upload_url(r->up), r->name) :
		    json_null());
		json_object_set_new(o, "upload_seconds", r->up ?
		    json_real(r->upload_secs) : json_null());
		pipeline_summary_yara(r, o);
		pipeline_summary_iocs(r, o);
		json_object_set_new(o, "findings",
		    findings_counts(collect_findings(r->ctx), NULL));
		json_dumpf(o, stdout, JSON_COMPACT);
		fputc('\n', stdout);
		fflush(stdout);
		json_decref(o);
	}
	fputc('\n', stderr);
	if (cut)
		fprintf(stderr, i18n("DONE, BUT CUT SHORT (%s): the archive "
		    "holds what was collected."), i18n(cut));
	else
		fputs(i18n("DONE: the collection is complete."), stderr);
	fputc('\n', stderr);
	fprintf(stderr, i18n("  archive    %s\n"), r->where);
	fprintf(stderr, i18n("  size       %llu bytes\n"),
	    (unsigned long long)r->size);
	fprintf(stderr, i18n("  sha256     %s\n"), hex);
	fprintf(stderr, i18n("  signature  %s.minisig (key id %s%s)\n"),
	    r->where, r->keyid, r->ephemeral ? i18n(", ephemeral") : "");
	if (r->ephemeral)
		fprintf(stderr, i18n("  public key %s.pub\n"), r->where);
	fprintf(stderr, i18n("  files      %llu collected, %zu errors "
	    "(listed in manifest.json)\n"),
	    (unsigned long long)collect_nfiles(r->ctx), manifest_nerrors(r->m));
	if (collect_iocs(r->ctx) != NULL)
		pipeline_summary_iocs(r, NULL);
	if (r->up != NULL)
		fprintf(stderr, i18n("  sent to    %s/%s\n"), upload_url(r->up),
		    r->name);
	json_decref(findings_counts(collect_findings(r->ctx), &nfind));
	fprintf(stderr, i18n("  %llu findings: see summary.json\n"),
	    (unsigned long long)nfind);
	fprintf(stderr, i18n("Read this reference to the CSIRT: %.4s %.4s\n"),
	    hex, hex + 4);
}

/*
 * Keep the agent out of its own output: the output directory, when it
 * is inside the root, and the archive being written (by inode, however
 * it is reached).
 */
static void
pipeline_exclude(struct run *r, struct collect_ctx *ctx)
{
	struct stat	 st;
	char		*out, *root;
	const char	*in = NULL;
	size_t		 len;

	out = realpath(r->outdir, NULL);
	root = realpath(r->cfg->root ? r->cfg->root : "/", NULL);
	if (out != NULL && root != NULL) {
		len = strcmp(root, "/") == 0 ? 0 : strlen(root);
		if (strncmp(out, root, len) == 0 &&
		    (out[len] == '/' || out[len] == '\0'))
			in = out[len] == '\0' ? "/" : out + len;
	}
	collect_exclude(ctx, in, r->file != NULL &&
	    stat(out_file_part(r->file), &st) == 0 ? &st : NULL);
	free(out);
	free(root);
}

/*
 * What the artefacts will collect, from metadata only (files opened
 * O_PATH, never read): r->est_files and r->est_bytes. The dry run prints
 * it; a real run sizes its progress and checks free space with it. Live
 * records, the timeline and swept trees are not in it.
 */
static void
pipeline_estimate(struct run *r)
{
	const struct collector	*art = collector_find("artifacts");
	struct collect_ctx	*ctx;
	struct manifest		*m;
	struct config		 dry = *r->cfg;	/* shallow: read only */
	int			 fd;

	if (r->estimated)	/* once: the space check may have made it */
		return;
	r->estimated = 1;
	r->est_files = r->est_bytes = 0;
	if (art == NULL || (fd = fcntl(r->rootfd, F_DUPFD_CLOEXEC, 0)) == -1)
		return;
	if (!dry.dry_run)	/* a real run: metadata only, silently */
		dry.dry_run = 2;
	m = manifest_new();
	ctx = collect_new(&dry, NULL, m, fd, supervise_stop());
	pipeline_exclude(r, ctx);
	collect_begin(ctx, art);
	art->run(ctx);
	collect_begin(ctx, NULL);
	r->est_files = collect_nfiles(ctx);
	r->est_bytes = collect_nbytes(ctx);
	if (r->cfg->max_total_size != 0 && r->est_bytes > r->cfg->max_total_size)
		r->est_bytes = r->cfg->max_total_size;
	collect_free(ctx);
	manifest_free(m);
}

/*
 * --dry-run: the plan, on stdout, one "what<TAB>value" a line. Files are
 * found from metadata only (opened O_PATH, never read); live collectors,
 * the timeline and YARA are listed, not run; nothing is connected to.
 */
static int
pipeline_dry_run(struct run *r)
{
	const struct collector *const	*cp;
	struct config			*cfg = r->cfg;
	size_t				 i;

	printf("# dry run: nothing is read, sent or written\n");
	printf("profile\t%s\nroot\t%s\n", cfg->profile,
	    cfg->root ? cfg->root : "/");
	printf("archive\t%s/%s\n", r->up && cfg->stream ? upload_url(r->up) :
	    r->outdir, r->name);
	printf("signing\t%s key %s\n", r->ephemeral ? "ephemeral" : "given",
	    r->keyid);
	for (i = 0; i < cfg->recipients.n; i++)
		printf("recipient\t%s\n", cfg->recipients.v[i]);
	if (r->up != NULL)
		printf("upload\t%s%s\nhost_key\t%s\n", upload_url(r->up),
		    cfg->stream ? " (streamed)" : "",
		    cfg->host_key_fingerprint ? cfg->host_key_fingerprint :
		    "(none: --insecure-accept-host-key)");
	printf("yara\t%s\n", r->scan ? "on" : "off");
	for (i = 0; r->scan && i < cfg->scan_paths.n; i++)
		printf("scan_path\t%s\n", cfg->scan_paths.v[i]);
	if (r->scan)
		printf("process_memory\t%s\n", cfg->no_process_memory ||
		    cfg->root ? "off" : "on");
	for (cp = collectors; *cp != NULL; cp++)
		printf("collector\t%s\t%s\n", (*cp)->name,
		    ((*cp)->flags & COLLECTOR_LIVE) && cfg->root ?
		    "skipped (--root)" : "would run");
	pipeline_estimate(r);
	printf("estimate\t%llu files\t%llu bytes\n",
	    (unsigned long long)r->est_files,
	    (unsigned long long)r->est_bytes);
	fflush(stdout);
	return EXIT_DONE;
}

/* Whether the output directory's disk is full (after a write failed). */
static int
pipeline_disk_full(struct run *r)
{
	struct statvfs	vfs;

	return statvfs(r->outdir, &vfs) == 0 &&
	    (uint64_t)vfs.f_bavail * vfs.f_frsize < PIPELINE_SPACE_MARGIN / 64;
}

static void
pipeline_free(struct run *r)
{
	summary_free(r->summary);
	collect_free(r->ctx);
	scan_free(r->scan);	/* after the context's scanner */
	ioc_set_free(r->iocs);	/* after the context too */
	free(r->iocs_from);
	if (r->ctx == NULL && r->rootfd != -1)
		close(r->rootfd);
	sink_free(r->sink);
	manifest_free(r->m);
	/* zstd → hash → file: freeing the head frees the chain. */
	out_free(r->zstd ? r->zstd : r->hash ? r->hash : r->last);
	upload_free(r->up);
	free(r->rcpt);
	free(r->where);
	free(r->sigtext);
	free(r->pubtext);
	sign_seckey_free(r->key);
	os_host_free(&r->host);
	deliver_small_free(&r->sigf);
	deliver_small_free(&r->pubf);
	free(r->name);
	free(r->base);
}

/* The last step, when an upload is configured. */
static int
pipeline_send(struct run *r, char *err, size_t errlen)
{
	if (r->up != NULL)
		pipeline_step(r, SCREEN_SEND);
	return pipeline_deliver(r, err, errlen);
}

/*
 * One collection at a time (lock.c), taken before the archive file is
 * opened. 0, or -1 when another run holds it (said on stderr).
 */
static int
pipeline_lock(struct run *r)
{
	char	pid[48] = "";
	pid_t	holder;
	int	fd;

	if ((fd = lock_take(r->cfg->root, &holder)) >= 0) {
		r->lockfd = fd;	/* kept open: released at exit */
		return 0;
	}
	if (fd == -2 && errno == EPERM) {
		log_msg(LOG_WARN, NULL, "the lock's name is held by pid %ld, "
		    "a process of another user: not a collection, ignored "
		    "(running unlocked)", (long)holder);
		return 0;
	}
	if (fd == -2) {
		log_msg(LOG_WARN, NULL, "no lock against a second run at "
		    "once: %s", strerror(errno));
		return 0;
	}
	if (holder > 0)
		snprintf(pid, sizeof pid, i18n(" (pid %ld)"), (long)holder);
	fputs(AGENT_NAME ": ", stderr);
	if (r->cfg->root != NULL)
		fprintf(stderr, i18n("another collection of %s is already "
		    "running%s: wait for it to end, then run again if "
		    "needed.\n"), r->cfg->root, pid);
	else
		fprintf(stderr, i18n("another collection is already running "
		    "on this host%s: wait for it to end, then run again if "
		    "needed.\n"), pid);
	return -1;
}

/* The set-up error err, in a line of its own after the step line. */
static int
pipeline_setup_failed(struct run *r, const char *err, int status)
{
	log_progress_done();
	fprintf(stderr, "%s: %s\n", AGENT_NAME, err);
	pipeline_free(r);
	return status;
}

int
pipeline_run(struct config *cfg)
{
	struct run	r;
	char		err[1024];
	int		status = EXIT_DONE, nstuck;

	memset(&r, 0, sizeof r);
	r.cfg = cfg;
	r.rootfd = -1;
	r.lockfd = -1;
	r.started = time(NULL);
	screen_init(&r.screen, cfg->upload_url != NULL, cfg->root != NULL);
	util_iso8601(r.started_iso, sizeof r.started_iso, r.started, -1);
	if (!cfg->dry_run)
		pipeline_step(&r, SCREEN_CHECK);
	if (pipeline_setup(&r, err, sizeof err) == -1)
		return pipeline_setup_failed(&r, err, EXIT_USAGE);
	os_host_read(r.rootfd, cfg->root != NULL, &r.host);
	r.name = pipeline_name(&r);
	if (cfg->dry_run) {
		status = pipeline_dry_run(&r);
		pipeline_free(&r);
		return status;
	}
	if (pipeline_lock(&r) == -1) {
		pipeline_free(&r);
		return EXIT_USAGE;
	}
	/* Under the lock: the .part files nobody holds are leftovers. */
	if (!cfg->stream)
		deliver_clean_parts(r.outdir);
	if ((status = pipeline_preflight(&r)) != 0) {
		pipeline_free(&r);
		return status;
	}
	if ((status = supervise_fork(&r.lockfd)) != -1) {
		pipeline_free(&r);
		return status;
	}
	supervise_signals();
	supervise_unblock();
	if ((status = pipeline_open(&r, err, sizeof err)) != 0) {
		/* -2: the stream's server cannot be reached. */
		log_progress_done();
		fprintf(stderr, "%s: %s\n", AGENT_NAME, err);
		if (status == -2)
			deliver_advice(r.up, NULL, 1);
		pipeline_free(&r);
		return status == -2 ? EXIT_UPLOAD : EXIT_USAGE;
	}
	pipeline_signals_part(&r);
	pipeline_nice(cfg->nice);
	/* The total of the progress bar, from metadata only. */
	pipeline_estimate(&r);
	r.screen.total = r.est_bytes;
	/* Set up: from here on, only what collection and upload need. */
	if (sandbox_enter(err, sizeof err) == -1)
		log_msg(LOG_WARN, NULL, "running without the sandbox: %s", err);
	log_msg(LOG_INFO, NULL, "%s %s: profile %s, %s, archive %s",
	    AGENT_NAME, CC_VERSION, cfg->profile, cfg->root ? cfg->root :
	    "live system", r.name);
	if (r.ephemeral)
		log_msg(LOG_INFO, NULL, "signing with an ephemeral key (id %s)",
		    r.keyid);
	log_msg(LOG_INFO, NULL, "paths under the root resolved with %s",
	    os_resolver());
	r.ctx = collect_new(cfg, r.sink, r.m, r.rootfd, supervise_stop());
	r.summary = summary_new(r.ctx, r.sink, r.m);
	pipeline_manifest_head(&r);
	collect_set_supervisor(r.ctx, supervise_parent());
	pipeline_exclude(&r, r.ctx);
	collect_set_scanner(r.ctx, r.scan);
	pipeline_log_iocs(&r);
	collect_set_iocs(r.ctx, r.iocs);
	sink_set_progress(r.sink, pipeline_progress, &r);
	pipeline_collect(&r);
	r.stage = i18n("finishing");
	pipeline_step(&r, SCREEN_SEAL);
	if (collect_output_failed(r.ctx) || pipeline_finish(&r) == -1) {
		log_progress_done();
		fprintf(stderr, i18n("FAILED: writing the archive: %s; %s\n"),
		    *out_error(r.zstd) ? out_error(r.zstd) : sink_error(r.sink),
		    cfg->stream ? i18n("nothing was written to this host's "
		    "disk") : i18n("the partial archive was removed"));
		if (!cfg->stream && pipeline_disk_full(&r))
			deliver_advice_disk(r.outdir);
		status = cfg->stream ? EXIT_UPLOAD : EXIT_FATAL;
	} else if (pipeline_commit(&r, err, sizeof err) == -1) {
		log_progress_done();
		fprintf(stderr, i18n("FAILED: %s\n"), err);
		status = EXIT_FATAL;
	} else if (pipeline_send(&r, err, sizeof err) == -1) {
		log_progress_done();
		log_msg(LOG_ERROR, "upload", "%s", err);
		fprintf(stderr, i18n("FAILED: the upload did not complete: "
		    "%s\n"), err);
		deliver_advice(r.up, r.file ? out_file_path(r.file) : NULL, 1);
		status = EXIT_UPLOAD;
	} else {
		log_progress_done();
		pipeline_summary(&r);
		/* Ctrl-C or SIGTERM: the archive is valid, but partial. */
		if (*supervise_stop() != 0 && collect_cut_reason(r.ctx) != NULL)
			status = EXIT_INTERRUPTED;
	}
	nstuck = collect_nstuck(r.ctx);
	if (nstuck > 0) {
		supervise_detach(&r.lockfd, status, nstuck);
		/* A stuck thread may look an indicator up when it returns:
		   the set is left to the exit. */
		r.iocs = NULL;
	}
	pipeline_free(&r);
	return status;
}
