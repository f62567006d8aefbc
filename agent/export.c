/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * export ARCHIVE --format F: the archive's entries, seen once through
 * the verify tap, turned into another tool's input as they arrive. The
 * entries are hostile until verify_archive returns without a failure:
 * what is written goes to the caller's temporary file, and only what
 * needs the whole archive (the manifest's times, the MISP and STIX
 * documents, uac.log) waits for export_finish. Memory is bounded: one
 * record line (1 MiB), the manifest (256 MiB), the first 10,000 YARA
 * and IOC matches, a 16 MiB uac.log, the md5 of the first 1,048,576
 * files/ entries (32 bytes each, MISP and STIX only); what goes past a
 * cap is counted and said (export_note).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "export-int.h"
#include "util.h"

#define EXPORT_LINE_MAX		(1U << 20)
#define EXPORT_MANIFEST_MAX	(256ULL << 20)
#define EXPORT_UACLOG_MAX	(16U << 20)
#define EXPORT_FLUSH		(64U << 10)

static const struct {
	const char	*name;
	const char	*suffix;
} export_formats[] = {
	[EXPORT_TIMESKETCH] = { "timesketch", ".timesketch.jsonl" },
	[EXPORT_UAC] = { "uac", ".uac.tar" },
	[EXPORT_SHA256] = { "sha256", ".sha256" },
	[EXPORT_MISP] = { "misp", ".misp.json" },
	[EXPORT_STIX] = { "stix", ".stix.json" },
};

/* Which entries are read as records, and for which formats. */
static const struct {
	const char	*path;
	int		 kind;
	unsigned int	 formats;
} export_sources[] = {
	{ "timeline/bodyfile.txt", EXPORT_K_BODY, 1U << EXPORT_TIMESKETCH },
	{ "live/logins.jsonl", EXPORT_K_LOGINS, 1U << EXPORT_TIMESKETCH },
	{ "live/processes.jsonl", EXPORT_K_PROCS, 1U << EXPORT_TIMESKETCH },
	{ "live/packages.jsonl", EXPORT_K_PKGS, 1U << EXPORT_TIMESKETCH },
	{ "yara/matches.jsonl", EXPORT_K_YARA, 1U << EXPORT_TIMESKETCH |
	    1U << EXPORT_MISP | 1U << EXPORT_STIX },
	{ "iocs/matches.jsonl", EXPORT_K_IOCS, 1U << EXPORT_TIMESKETCH |
	    1U << EXPORT_MISP | 1U << EXPORT_STIX },
	{ "collection.log", EXPORT_K_LOG, 1U << EXPORT_UAC },
	{ "manifest.json", EXPORT_K_MANIFEST, 1U << EXPORT_TIMESKETCH |
	    1U << EXPORT_MISP | 1U << EXPORT_STIX },
};

int
export_format_parse(const char *s)
{
	size_t	i;

	for (i = 0; i < sizeof export_formats / sizeof export_formats[0]; i++)
		if (strcmp(s, export_formats[i].name) == 0)
			return (int)i;
	return -1;
}

const char *
export_format_suffix(int fmt)
{
	return export_formats[fmt].suffix;
}

/* Output: buffered, written to the fd; the first error is kept. */
void
export_flush(struct export *ex)
{
	if (ex->out.len > 0 && ex->werr == 0 &&
	    util_write_all(ex->fd, ex->out.data, ex->out.len) == -1)
		ex->werr = errno;
	ex->out.len = 0;
}

void
export_emit(struct export *ex, const char *s, size_t len)
{
	buf_add(&ex->out, s, len);
	if (ex->out.len >= EXPORT_FLUSH)
		export_flush(ex);
}

/* A JSON value as one line of output; v is released. */
void
export_emit_json(struct export *ex, json_t *v, size_t flags)
{
	char	*s;

	if ((s = json_dumps(v, JSON_COMPACT | flags)) == NULL)
		fatal("json_dumps");
	export_emit(ex, s, strlen(s));
	export_emit(ex, "\n", 1);
	free(s);
	json_decref(v);
}

/* The UAC layout: UAC's folder for each of our entries. */
static const char *
export_uac_folder(const char *name)
{
	static const struct {
		const char	*prefix;
		const char	*folder;
	} map[] = {
		{ "process", "process" }, { "procfd", "process" },
		{ "network", "network" }, { "conntrack", "network" },
		{ "firewall", "network" }, { "interfaces", "network" },
		{ "routes", "network" }, { "packages", "packages" },
		{ "package", "packages" }, { "containers", "containers" },
		{ "mounts", "storage" }, { "kernel", "system" },
	};
	size_t	i;

	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strncmp(name, map[i].prefix, strlen(map[i].prefix)) == 0)
			return map[i].folder;
	return "system";
}

char *
export_uac_name(const char *path)
{
	if (strncmp(path, "files/", 6) == 0)
		return xasprintf("[root]/%s", path + 6);
	if (strcmp(path, "timeline/bodyfile.txt") == 0)
		return xstrdup("bodyfile/bodyfile.txt");
	if (strncmp(path, "live/", 5) == 0 && strchr(path + 5, '/') == NULL)
		return xasprintf("live_response/%s/%s",
		    export_uac_folder(path + 5), path + 5);
	if (strncmp(path, "memory/", 7) == 0)
		return xasprintf("memory_dump/%s", path + 7);
	return xasprintf("live_response/%s/%s", AGENT_NAME, path);
}

/* Write one entry header of the UAC tar. 0 or -1 (ex->werr set). */
static int
export_uac_header(struct export *ex, const char *name, uint64_t size)
{
	struct archive_entry	*ae = archive_entry_new();
	int			 rc = 0;

	archive_entry_set_pathname(ae, name);
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_perm(ae, 0644);
	archive_entry_set_size(ae, (la_int64_t)size);
	archive_entry_set_mtime(ae, ex->now, 0);
	/* WARN: a name that is not UTF-8, written as raw bytes (pax
	 * hdrcharset=BINARY), as the sink does. */
	if (archive_write_header(ex->w, ae) == ARCHIVE_FATAL) {
		snprintf(ex->werrmsg, sizeof ex->werrmsg, "%s",
		    archive_error_string(ex->w));
		ex->werr = EIO;
		rc = -1;
	}
	archive_entry_free(ae);
	return rc;
}

static int
export_open(void *arg, const char *path, uint64_t size)
{
	struct export	*ex = arg;
	char		*name;
	size_t		 i;

	ex->kind = EXPORT_K_NONE;
	ex->copying = ex->hashing = ex->md5ing = 0;
	lines_reset(&ex->lines);
	free(ex->name);
	ex->name = xstrdup(path);
	for (i = 0; i < sizeof export_sources / sizeof export_sources[0]; i++)
		if (strcmp(path, export_sources[i].path) == 0 &&
		    (export_sources[i].formats & (1U << ex->fmt)))
			ex->kind = export_sources[i].kind;
	if (ex->kind == EXPORT_K_MANIFEST) {
		ex->manifest.len = 0;
		ex->manifest_over = 0;
	}
	if (ex->fmt == EXPORT_SHA256 && strcmp(path, "manifest.json") != 0 &&
	    strcmp(path, "manifest.json.minisig") != 0) {
		if (EVP_DigestInit_ex(ex->sha, EVP_sha256(), NULL) != 1)
			fatal("EVP sha256");
		ex->hashing = 1;
	}
	if ((ex->fmt == EXPORT_MISP || ex->fmt == EXPORT_STIX) &&
	    strncmp(path, "files/", 6) == 0) {
		if (EVP_DigestInit_ex(ex->md5, EVP_md5(), NULL) != 1)
			fatal("EVP md5");
		export_md5_key(ex->md5cur.key, "", path);
		ex->md5ing = 1;
	}
	if (ex->fmt == EXPORT_UAC && ex->werr == 0) {
		name = export_uac_name(path);
		ex->copying = export_uac_header(ex, name, size) == 0;
		free(name);
	}
	return ex->kind != EXPORT_K_NONE || ex->hashing || ex->copying ||
	    ex->md5ing;
}

/* One complete record line of the current entry. */
static void
export_line(struct export *ex, char *s, size_t len)
{
	json_error_t	 jerr;
	json_t		*rec;

	if (len == 0)
		return;
	switch (ex->kind) {
	case EXPORT_K_BODY:
		export_ts_body(ex, s, len);
		return;
	case EXPORT_K_LOG:
		export_uac_log(ex, s, len);
		return;
	case EXPORT_K_LOGINS:
	case EXPORT_K_PROCS:
	case EXPORT_K_PKGS:
	case EXPORT_K_YARA:
	case EXPORT_K_IOCS:
		break;
	default:
		return;
	}
	if ((rec = json_loadb(s, len, 0, &jerr)) == NULL ||
	    !json_is_object(rec)) {
		ex->bad_lines++;
		json_decref(rec);
		return;
	}
	if (ex->kind == EXPORT_K_YARA || ex->kind == EXPORT_K_IOCS)
		export_finding_add(ex, ex->kind == EXPORT_K_IOCS, rec);
	else
		export_ts_record(ex, ex->kind, rec);
	json_decref(rec);
}

/* A line of a record entry (NULL: one over the cap, skipped). */
static void
export_lines_cb(void *arg, char *s, size_t len)
{
	struct export	*ex = arg;

	if (s == NULL)
		ex->long_lines++;
	else
		export_line(ex, s, len);
}

static void
export_data(void *arg, const void *buf, size_t len)
{
	struct export	*ex = arg;

	if (ex->hashing)
		EVP_DigestUpdate(ex->sha, buf, len);
	if (ex->md5ing)
		EVP_DigestUpdate(ex->md5, buf, len);
	if (ex->copying && ex->werr == 0 &&
	    archive_write_data(ex->w, buf, len) < 0) {
		snprintf(ex->werrmsg, sizeof ex->werrmsg, "%s",
		    archive_error_string(ex->w));
		ex->werr = EIO;
	}
	if (ex->kind == EXPORT_K_MANIFEST) {
		if (ex->manifest.len + len > EXPORT_MANIFEST_MAX)
			ex->manifest_over = 1;
		else
			buf_add(&ex->manifest, buf, len);
	} else if (ex->kind != EXPORT_K_NONE)
		lines_feed(&ex->lines, buf, len, export_lines_cb, ex);
}

static void
export_close(void *arg, int rc)
{
	struct export	*ex = arg;
	unsigned char	 md[32];
	char		 hex[65];
	struct buf	 b = { 0 };

	if (ex->kind != EXPORT_K_NONE && ex->kind != EXPORT_K_MANIFEST &&
	    rc == 0)
		lines_end(&ex->lines, export_lines_cb, ex);
	lines_reset(&ex->lines);
	if (ex->hashing) {
		EVP_DigestFinal_ex(ex->sha, md, NULL);
		util_hex(hex, md, sizeof md);
		export_sha256_line(&b, hex, ex->name, strlen(ex->name));
		export_emit(ex, b.data, b.len);
		buf_free(&b);
	}
	if (ex->md5ing) {
		EVP_DigestFinal_ex(ex->md5, ex->md5cur.md5, NULL);
		if (rc == 0 && ex->nmd5 == EXPORT_MD5_MAX)
			ex->md5_dropped++;
		else if (rc == 0) {
			if ((ex->nmd5 & (ex->nmd5 - 1)) == 0)
				ex->md5s = xreallocarray(ex->md5s, ex->nmd5 ?
				    2 * ex->nmd5 : 1, sizeof *ex->md5s);
			ex->md5s[ex->nmd5++] = ex->md5cur;
		}
	}
	ex->kind = EXPORT_K_NONE;
	ex->hashing = ex->copying = ex->md5ing = 0;
}

struct export *
export_new(int fmt, int fd)
{
	struct export	*ex = xcalloc(1, sizeof *ex);

	ex->lines.max = EXPORT_LINE_MAX;

	ex->fmt = fmt;
	ex->fd = fd;
	ex->now = time(NULL);
	ex->tap.open = export_open;
	ex->tap.data = export_data;
	ex->tap.close = export_close;
	ex->tap.arg = ex;
	if ((ex->sha = EVP_MD_CTX_new()) == NULL ||
	    (ex->md5 = EVP_MD_CTX_new()) == NULL)
		fatal("EVP_MD_CTX_new");
	if (fmt == EXPORT_UAC) {
		ex->w = archive_write_new();
		if (archive_write_set_format_pax_restricted(ex->w) !=
		    ARCHIVE_OK || archive_write_add_filter_none(ex->w) !=
		    ARCHIVE_OK || archive_write_open_fd(ex->w, fd) !=
		    ARCHIVE_OK) {
			snprintf(ex->werrmsg, sizeof ex->werrmsg, "%s",
			    archive_error_string(ex->w));
			ex->werr = EIO;
		}
	}
	return ex;
}

const struct verify_tap *
export_tap(struct export *ex)
{
	return &ex->tap;
}

/* The manifest's top-level object without its entries (they are read
 * one by one with verify_manifest_each). NULL when not there. */
static json_t *
export_manifest_top(struct export *ex)
{
	struct buf	 b = { 0 };
	json_t		*top;
	size_t		 start, end;
	char		 err[256];

	if (ex->manifest.len == 0 || ex->manifest_over)
		return NULL;
	export_findings_sort(ex);
	if (verify_manifest_each(ex->manifest.data, ex->manifest.len,
	    export_manifest_entry, ex, &start, &end, err, sizeof err) == -1)
		return NULL;
	buf_add(&b, ex->manifest.data, start);
	buf_add(&b, ex->manifest.data + end, ex->manifest.len - end);
	top = json_loadb(b.data, b.len, 0, NULL);
	buf_free(&b);
	return top;
}

int
export_finish(struct export *ex, char *err, size_t errlen)
{
	json_t	*top;

	top = export_manifest_top(ex);
	export_findings_md5(ex);
	switch (ex->fmt) {
	case EXPORT_TIMESKETCH:
		export_ts_findings(ex, top);
		break;
	case EXPORT_UAC:
		export_uac_finish(ex);
		break;
	case EXPORT_MISP:
		export_misp(ex, top);
		break;
	case EXPORT_STIX:
		export_stix(ex, top);
		break;
	default:
		break;
	}
	json_decref(top);
	export_flush(ex);
	if (ex->w != NULL && ex->werr == 0 && archive_write_close(ex->w) !=
	    ARCHIVE_OK) {
		snprintf(ex->werrmsg, sizeof ex->werrmsg, "%s",
		    archive_error_string(ex->w));
		ex->werr = EIO;
	}
	if (ex->werr != 0) {
		snprintf(err, errlen, "%s", ex->werrmsg[0] ? ex->werrmsg :
		    strerror(ex->werr));
		return -1;
	}
	return 0;
}

const char *
export_note(struct export *ex)
{
	if (ex->long_lines + ex->bad_lines + ex->f_dropped +
	    ex->md5_dropped == 0 &&
	    !ex->manifest_over && !ex->uaclog_over)
		return NULL;
	snprintf(ex->note, sizeof ex->note, "left out: %zu record lines over "
	    "%u bytes, %zu not JSON objects, %zu matches over the first %u, "
	    "md5 of %zu files over the first %u%s%s", ex->long_lines,
	    EXPORT_LINE_MAX, ex->bad_lines, ex->f_dropped, EXPORT_FINDINGS_MAX,
	    ex->md5_dropped, EXPORT_MD5_MAX, ex->manifest_over ? "; the manifest (over "
	    "256 MiB) was not read for times" : "", ex->uaclog_over ?
	    "; uac.log cut at 16 MiB" : "");
	return ex->note;
}

void
export_free(struct export *ex)
{
	size_t	i;

	if (ex == NULL)
		return;
	if (ex->w != NULL)
		archive_write_free(ex->w);
	EVP_MD_CTX_free(ex->sha);
	EVP_MD_CTX_free(ex->md5);
	free(ex->md5s);
	for (i = 0; i < ex->nf; i++)
		export_finding_clear(&ex->f[i]);
	free(ex->f);
	free(ex->name);
	buf_free(&ex->lines.buf);
	buf_free(&ex->out);
	buf_free(&ex->manifest);
	buf_free(&ex->uaclog);
	free(ex);
}

/* uac.log: collection.log's lines as UAC writes its log. */
void
export_uac_log(struct export *ex, const char *s, size_t len)
{
	json_t		*rec;
	const char	*t, *lvl, *col, *msg;

	if (ex->uaclog.len + len + 64 > EXPORT_UACLOG_MAX) {
		ex->uaclog_over = 1;
		return;
	}
	if ((rec = json_loadb(s, len, 0, NULL)) == NULL) {
		ex->bad_lines++;
		return;
	}
	t = json_string_value(json_object_get(rec, "time"));
	lvl = json_string_value(json_object_get(rec, "level"));
	col = json_string_value(json_object_get(rec, "collector"));
	msg = json_string_value(json_object_get(rec, "message"));
	/* UAC: "YYYY-MM-DD HH:MM:SS +0000 LEVEL message" */
	if (t != NULL && strlen(t) >= 19)
		buf_printf(&ex->uaclog, "%.10s %.8s +0000 ", t, t + 11);
	else
		buf_printf(&ex->uaclog, "0000-00-00 00:00:00 +0000 ");
	buf_printf(&ex->uaclog, "%s %s%s%s\n", lvl ? lvl : "info",
	    col ? col : "", col ? ": " : "", msg ? msg : "");
	json_decref(rec);
}

void
export_uac_finish(struct export *ex)
{
	if (ex->werr != 0)
		return;
	if (ex->uaclog_over)
		buf_printf(&ex->uaclog, "uac.log cut at 16 MiB: the whole "
		    "log is live_response/%s/collection.log\n", AGENT_NAME);
	if (export_uac_header(ex, "uac.log", ex->uaclog.len) == 0 &&
	    ex->uaclog.len > 0 &&
	    archive_write_data(ex->w, ex->uaclog.data, ex->uaclog.len) < 0) {
		snprintf(ex->werrmsg, sizeof ex->werrmsg, "%s",
		    archive_error_string(ex->w));
		ex->werr = EIO;
	}
}
